//! One test per guide in `docs/troubleshooting/`, named after it: each reproduces the failure the
//! guide is about on the sandbox stand-ins (real HTTP on 127.0.0.1) and shows that the fix the
//! guide documents works. If a guide's commands or advice change, its test changes with it.

use std::collections::HashMap;
use std::time::Duration;

use calendar_graph::scopes::CalendarsReadWrite;
use calendar_graph::sync::{SyncOptions, by_mailbox, sync};
use calendar_graph::{Client as GraphClient, GraphBackend, graph_platform};
use chrono::{NaiveDate, TimeZone, Utc};
use cxone_wfm::roster::{Rules, parse_csv};
use cxone_wfm::timezone::{ZoneReading, read_zone};
use cxone_wfm::{Engine, Guard, Role, SyncError, UserHubBackend};
use genesys_wfm::preflight::{self, Operation};
use genesys_wfm::{Client as GenesysClient, Environment, Region, doctor, push};
use ical_feed::read::{self, DateTimeValue};
use ical_feed::{CalendarMeta, FeedPlan, Shift, Tz, UidDomain, WriterOptions, render_to_string};
use serde_json::{Value, json};
use wfm_auth::{ClientAuth, ClientCredentials, MICROSOFT_GRAPH_DEFAULT_SCOPE, RolesDecide};
use wfm_http::{Method, Platform, RetryPolicy};
use wfm_sandbox::cxone::UserHub;
use wfm_sandbox::genesys::GenesysOrg;
use wfm_sandbox::graph::GraphCalendar;
use wfm_sandbox::scim::ScimServiceProvider;
use wfm_sandbox::wiremock::{Mock, MockServer, ResponseTemplate, matchers::path};
use wfm_sandbox::{Faults, TokenEndpoint};
use wfm_scim::provision::{Provisioner, zendesk};
use wfm_scim::{Flavor, MultiValue, User};

/// A platform whose token cache gets its tokens from the sandbox's endpoint, with quick retries.
fn platform(tokens: &TokenEndpoint) -> Platform<RolesDecide> {
    Platform::<RolesDecide>::builder()
        .credentials(ClientCredentials::new(
            tokens.url(),
            "client-id",
            "client-secret",
        ))
        .retry(RetryPolicy::default().base_delay(Duration::from_millis(5)))
        .build()
        .expect("a platform")
}

// ---------------------------------------------------------------------------------------------
// docs/troubleshooting/schedule-push-403.md

const SCHEDULE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/genesys/schedule.json"
);

/// The org of the guide: agents `berlin-0` and `lisbon-0` in two divisions; the OAuth client's
/// role holds every WFM permission the push needs, but `wfm:schedule:edit` only in Berlin.
async fn org_with_edit_only_in_berlin() -> (MockServer, GenesysOrg) {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
    let org = GenesysOrg::mount(&server).await.require_token(&tokens);
    org.add_division("div-berlin", "Berlin");
    org.add_division("div-lisbon", "Lisbon");
    org.add_business_unit("bu-1", "Europe", "div-berlin", "Europe/Berlin", "Monday");
    org.add_management_unit("bu-1", "mu-berlin", "Berlin agents", "div-berlin");
    org.add_management_unit("bu-1", "mu-lisbon", "Lisbon agents", "div-lisbon");
    org.add_agent("mu-berlin", "berlin-0");
    org.add_agent("mu-lisbon", "lisbon-0");
    org.add_activity_code("bu-1", "0", "Phones");
    org.add_activity_code("bu-1", "1", "Lunch");
    org.add_schedule(
        "bu-1",
        "2026-03-02",
        json!({"id": "sched-1", "weekDate": "2026-03-02", "weekCount": 1, "published": true,
               "metadata": {"version": 7, "dateModified": "2026-02-27T10:00:00Z"}}),
    );
    for p in [
        "wfm:businessUnit:view",
        "wfm:agent:view",
        "wfm:schedule:view",
        "wfm:schedule:add",
    ] {
        org.grant_everywhere(p);
    }
    org.grant("wfm:schedule:edit", "div-berlin");
    (server, org)
}

fn genesys_args(server: &MockServer, extra: &[&str]) -> Vec<String> {
    ["--base-url", &server.uri(), "--business-unit", "bu-1"]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
}

fn genesys_env(name: &str) -> Option<String> {
    match name {
        "GENESYS_CLIENT_ID" => Some("client-id".into()),
        "GENESYS_CLIENT_SECRET" => Some("client-secret".into()),
        _ => None,
    }
}

#[tokio::test]
async fn schedule_push_403() {
    let (server, org) = org_with_edit_only_in_berlin().await;
    let push_args = genesys_args(
        &server,
        &[
            "--week",
            "2026-03-02",
            "--input",
            SCHEDULE,
            "--timeout",
            "30",
        ],
    );

    // The failure: the push is refused for the Lisbon agent, before anything is written.
    let refused = push::run(push_args.clone(), genesys_env).await;
    println!("push, exit {}:\n{}\n", refused.exit_code, refused.stderr);
    assert_eq!(refused.exit_code, 2, "{refused:?}");
    for needle in ["wfm:schedule:edit", "Lisbon", "lisbon-0"] {
        assert!(
            refused.stderr.contains(needle),
            "{needle}: {}",
            refused.stderr
        );
    }
    assert!(
        org.writes().iter().all(|w| !w.contains("/update")),
        "nothing is written: {:?}",
        org.writes()
    );

    // Step 1 of the guide: what is the token? `GET /api/v2/tokens/me` says which OAuth client
    // and grant: client credentials, so no scopes at all; roles and divisions decide.
    let env = Environment::custom(&server.uri()).unwrap();
    let platform = Platform::<RolesDecide>::builder()
        .credentials(ClientCredentials::new(
            env.token_url().as_str(),
            "client-id",
            "client-secret",
        ))
        .build()
        .unwrap();
    let client = GenesysClient::new(&platform, env).unwrap();
    let me = client.token_info().await.unwrap();
    let oauth = me.oauth_client.expect("the OAuth client");
    assert_eq!(
        oauth.authorized_grant_type.as_deref(),
        Some("CLIENT-CREDENTIALS")
    );
    assert!(me.authorized_scope.is_empty(), "no scopes on this grant");

    // Without a preflight, a call the role does not allow is a typed 403 naming the
    // permission (here reading time off, granted nowhere).
    let err = client
        .query_time_off("mu-lisbon", &genesys_wfm::models::TimeOffQuery::default())
        .await
        .unwrap_err();
    println!("a call without the permission: {err}\n");
    let missing = err.missing_permissions().expect("a typed 403");
    assert!(
        missing
            .permissions()
            .iter()
            .any(|p| p == "wfm:timeOffRequest:view"),
        "{err}"
    );

    // Step 2: the region. Paris is not a Genesys Cloud region; the org's region is.
    let paris = "eu-west-3".parse::<Region>().unwrap_err().to_string();
    println!("region: {paris}\n");
    assert!(paris.contains("eu-central-1"), "{paris}");
    assert_eq!(
        Environment::from(Region::EuCentral1).token_url().as_str(),
        "https://login.mypurecloud.de/oauth/token"
    );

    // Step 3: the doctor and the preflight name the division where the permission is missing.
    let text = doctor::run(genesys_args(&server, &[]), genesys_env).await;
    println!("doctor, exit {}:\n{}\n", text.exit_code, text.stdout);
    let checked = doctor::run(genesys_args(&server, &["--json"]), genesys_env).await;
    assert_eq!(checked.exit_code, 1, "{checked:?}");
    let report: Value = serde_json::from_str(&checked.stdout).unwrap();
    let gaps = report["businessUnit"]["gaps"].as_array().unwrap();
    assert!(
        gaps.iter()
            .any(|g| g["divisionName"] == "Lisbon" && g["permissions"] == "wfm:schedule:edit"),
        "{gaps:#?}"
    );
    let before = preflight::run(&client, "bu-1", &[Operation::UpdateSchedule])
        .await
        .unwrap();
    assert_eq!(
        before
            .blocked_agents(Operation::UpdateSchedule)
            .into_iter()
            .collect::<Vec<_>>(),
        ["lisbon-0"]
    );

    // The fix: a role with `wfm:schedule:edit` for the OAuth client in the Lisbon division.
    org.grant("wfm:schedule:edit", "div-lisbon");
    let after = preflight::run(&client, "bu-1", &[Operation::UpdateSchedule])
        .await
        .unwrap();
    assert!(after.is_ok(), "{:?}", after.missing().collect::<Vec<_>>());
    let pushed = push::run(push_args, genesys_env).await;
    assert_eq!(pushed.exit_code, 0, "{pushed:?}");
    let report: Value = serde_json::from_str(&pushed.stdout).unwrap();
    assert_eq!(report["status"], "Complete");
    assert_eq!(report["agents"], 2);
    assert_eq!(report["skipped"], json!([]));
}

// ---------------------------------------------------------------------------------------------
// docs/troubleshooting/scim-create-403.md

#[tokio::test]
async fn scim_create_403() {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
    let scim = ScimServiceProvider::mount(&server, Flavor::GenesysCloud)
        .await
        .require_token(&tokens);
    let platform = platform(&tokens);
    let client = wfm_scim::Client::new(&platform, Flavor::GenesysCloud, server.uri().as_str())
        .expect("a client");
    // The path is the org's region host + /api/v2/scim/v2, not /v2/scim/users on another host.
    assert_eq!(
        Flavor::GenesysCloud
            .base_url(&"https://api.mypurecloud.de".parse().unwrap())
            .as_str(),
        "https://api.mypurecloud.de/api/v2/scim/v2/"
    );

    let mut ada = User::new("ada@example.com");
    ada.external_id = Some("HR-42".into());
    ada.emails.push(
        MultiValue::new("ada@example.com")
            .with_type("work")
            .primary(),
    );

    // The failure: the token is valid (reads work), the role lacks the SCIM permissions.
    scim.forbid(true);
    let err = client.create(&ada).await.unwrap_err();
    println!("create: {err}\n");
    let wfm_scim::Error::Forbidden { advice, .. } = &err else {
        panic!("expected Forbidden, got {err:?}");
    };
    assert!(advice.contains("SCIM Integration"), "{advice}");
    assert!(
        advice.contains("There is no `scim:users:write` scope"),
        "{advice}"
    );
    assert!(
        err.is_fatal(),
        "a 403 stops a bulk run instead of failing every row"
    );

    // A bulk run stops at the first row instead of failing every row the same way.
    let export = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/data/zendesk_users.json"
    ))
    .unwrap();
    let rows = zendesk::read_export(&export).unwrap();
    let options = zendesk::Options::default();
    let stopped = Provisioner::new(client.clone())
        .run_zendesk(rows.clone(), &options)
        .await;
    assert!(stopped.aborted.is_some(), "{stopped:?}");
    println!(
        "provisioning stopped: {}\n",
        stopped.aborted.as_deref().unwrap_or_default()
    );
    assert_eq!(stopped.created, 0);
    assert!(scim.users().is_empty());

    // The fix: the OAuth client's role gets the SCIM permissions (the "SCIM Integration" role).
    scim.forbid(false);
    let created = client.create(&ada).await.expect("created");
    assert!(created.id.is_some());
    let report = Provisioner::new(client).run_zendesk(rows, &options).await;
    assert!(report.aborted.is_none(), "{report:?}");
    assert_eq!(
        (report.created, report.skipped.len(), report.failed.len()),
        (7, 2, 3),
        "{report:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// docs/troubleshooting/rate-limit-429-storms.md

/// An API at `/api/users` whose first `n` answers are 429 with `Retry-After: seconds`, and the
/// token endpoint it accepts tokens from.
async fn rate_limited_api(n: usize, seconds: u64) -> (MockServer, TokenEndpoint, Faults, String) {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
    let users = Faults::new(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .rate_limit_first(n, seconds)
        .require_token(&tokens);
    Mock::given(path("/api/users"))
        .respond_with(users.clone())
        .mount(&server)
        .await;
    let api = format!("{}/api/", server.uri());
    (server, tokens, users, api)
}

#[tokio::test]
async fn rate_limit_429_storms() {
    // The failure: a new client (so a new token) for every call, and no retries: the token
    // endpoint sees one request per call, and each 429 is an error the caller retries at once.
    let (_server, tokens, users, api) = rate_limited_api(3, 1).await;
    let mut failed = 0;
    for _ in 0..10 {
        let per_call = Platform::<RolesDecide>::builder()
            .credentials(ClientCredentials::new(
                tokens.url(),
                "client-id",
                "client-secret",
            ))
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        let answer = per_call
            .transport(api.as_str())
            .unwrap()
            .request(Method::GET, &["users"])
            .send()
            .await;
        if let Err(wfm_http::Error::Api(e)) = &answer {
            assert_eq!(e.status().as_u16(), 429);
            assert_eq!(e.retry_after(), Some(Duration::from_secs(1)));
            failed += 1;
        }
    }
    assert_eq!(tokens.requests(), 10, "one token request per call");
    assert_eq!((failed, users.requests()), (3, 10));

    // The fix: one platform per org, shared by every call: one token, and each 429 waited out
    // for its Retry-After, then retried.
    let (_server, tokens, users, api) = rate_limited_api(3, 1).await;
    let shared = Platform::<RolesDecide>::builder()
        .credentials(ClientCredentials::new(
            tokens.url(),
            "client-id",
            "client-secret",
        ))
        .build()
        .unwrap();
    let transport = shared.transport(api.as_str()).unwrap();
    let calls = (0..20).map(|_| {
        let t = transport.clone();
        async move {
            t.request(Method::GET, &["users"])
                .send_json::<Value>()
                .await
        }
    });
    let results = futures::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(tokens.requests(), 1, "one token for 20 concurrent calls");
    assert_eq!(shared.stats().throttled(), 3, "three 429s, each waited out");
    assert_eq!(users.requests(), 23, "20 calls and 3 retries");

    // A Retry-After longer than the cap (3 minutes by default) is not slept through: the call
    // fails at once with a typed error saying so.
    let (_server, tokens, _users, api) = rate_limited_api(1, 3600).await;
    let err = platform(&tokens)
        .transport(api.as_str())
        .unwrap()
        .request(Method::GET, &["users"])
        .send()
        .await
        .unwrap_err();
    println!("retry-after too long: {err}\n");
    assert!(
        matches!(err, wfm_http::Error::RetryAfterTooLong { .. }),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// docs/troubleshooting/ghost-agents.md

fn hub_user(ext: &str, first: &str, last: &str, email: &str, status: &str) -> Value {
    json!({"externalIdentity": ext, "firstName": first, "lastName": last, "emailAddress": email,
           "userName": email, "timeZone": "Europe/London", "role": "role-agent",
           "secondaryRoleIds": [], "status": status})
}

fn agent_role() -> Vec<Role> {
    vec![Role {
        id: "role-agent".into(),
        name: "Agent".into(),
    }]
}

fn rules() -> Rules {
    Rules::new([("AGENT", "role-agent")])
}

const HEADER: &str =
    "externalId,firstName,lastName,email,timezone,jobCode,skills,location,managerExternalId\n";

fn active_managed(hub: &UserHub) -> Vec<String> {
    let mut ids: Vec<String> = hub
        .users()
        .iter()
        .filter(|u| u["status"] == "ACTIVE" && u["externalIdentity"] != "")
        .filter_map(|u| u["externalIdentity"].as_str().map(str::to_owned))
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn ghost_agents() {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/auth/token").await;
    let hub = UserHub::mount(&server).await.require_token(&tokens);
    // The tenant after months of a create-and-update-only sync: two leavers still active, and
    // E1 under the e-mail address she had before the domain migration.
    hub.insert_user(hub_user(
        "E1",
        "Ada",
        "Lovelace",
        "ada@old.example",
        "ACTIVE",
    ));
    hub.insert_user(hub_user(
        "E2",
        "Alan",
        "Turing",
        "alan@example.com",
        "ACTIVE",
    ));
    hub.insert_user(hub_user("E8", "Left", "InMay", "may@example.com", "ACTIVE"));
    hub.insert_user(hub_user(
        "E9",
        "Left",
        "InJune",
        "june@example.com",
        "ACTIVE",
    ));
    hub.insert_user(hub_user(
        "",
        "Local",
        "Admin",
        "admin@example.com",
        "ACTIVE",
    ));
    let roster = format!(
        "{HEADER}E1,Ada,Lovelace,ada@example.com,Europe/London,AGENT,,,\n\
         E2,Alan,Turing,alan@example.com,Europe/London,AGENT,,,\n"
    );

    // The failure: four active agents for a roster of two.
    assert_eq!(active_managed(&hub), ["E1", "E2", "E8", "E9"]);

    // The fix: the reconcile engine, keyed by externalId, deactivating who is not in the roster.
    let platform = platform(&tokens);
    let engine = Engine::new(
        UserHubBackend::new(&platform, server.uri().as_str())
            .unwrap()
            .with_roles(agent_role()),
    );
    let report = engine
        .sync(parse_csv(&roster).unwrap(), rules())
        .await
        .unwrap();
    let c = report.counts;
    assert_eq!(
        (c.created, c.updated, c.deactivated, c.unchanged),
        (0, 1, 2, 1),
        "{c:?}"
    );
    assert_eq!(active_managed(&hub), ["E1", "E2"]);
    // E1's new address is an update of the same user, not a second E1.
    let users = hub.users();
    let e1: Vec<&Value> = users
        .iter()
        .filter(|u| u["externalIdentity"] == "E1")
        .collect();
    assert_eq!(e1.len(), 1);
    assert_eq!(e1[0]["emailAddress"], "ada@example.com");
    // Leavers are deactivated, never deleted; the unmanaged admin is left alone.
    assert_eq!(hub.users().len(), 5);
    assert!(
        hub.users()
            .iter()
            .any(|u| u["externalIdentity"] == "" && u["status"] == "ACTIVE")
    );
    // The next night's run writes nothing.
    let again = engine
        .sync(parse_csv(&roster).unwrap(), rules())
        .await
        .unwrap();
    assert_eq!(again.counts.unchanged, 2, "{:?}", again.counts);
    assert_eq!(
        again.counts.created + again.counts.updated + again.counts.deactivated,
        0
    );
}

// ---------------------------------------------------------------------------------------------
// docs/troubleshooting/dst-drift.md

#[test]
fn dst_drift() {
    let paris: Tz = "Europe/Paris".parse().unwrap();
    // The night shift of 28-29 March 2026: 22:00 in Paris to 07:00 after the clocks went
    // forward at 02:00, so 8 hours of work, not 9.
    let start = paris
        .with_ymd_and_hms(2026, 3, 28, 22, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let end = paris
        .with_ymd_and_hms(2026, 3, 29, 7, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(end - start, chrono::Duration::hours(8));

    // The failure: local wall-clock times without a zone (floating), as a generator that drops
    // the TZID writes them. Every reader has to guess; wall-clock arithmetic gives 9 hours.
    let floating = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\n\
                    UID:night@example.com\r\nDTSTAMP:20260320T093000Z\r\n\
                    DTSTART:20260328T220000\r\nDTEND:20260329T070000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let cal = read::parse(floating).unwrap();
    let event = cal.components_named("VEVENT").next().unwrap();
    let (
        DateTimeValue::Local {
            local: s,
            tzid: None,
        },
        DateTimeValue::Local {
            local: e,
            tzid: None,
        },
    ) = (
        event.property("DTSTART").unwrap().date_time().unwrap(),
        event.property("DTEND").unwrap().date_time().unwrap(),
    )
    else {
        panic!("floating times")
    };
    assert_eq!(
        e - s,
        chrono::Duration::hours(9),
        "the drift: one hour too many"
    );
    // The guide's "TZID=UTC" fix is not one: a TZID on a UTC time is invalid (RFC 5545 §3.3.5),
    // and the writer never produces it.

    // The fix, either form: UTC times, or local times with their TZID and a VTIMEZONE.
    let shift = Shift::builder(
        "night-1",
        "agent-42",
        start,
        end,
        Utc.with_ymd_and_hms(2026, 3, 20, 9, 30, 0).unwrap(),
    )
    .timezone_name("Europe/Paris")
    .build()
    .unwrap();
    let meta = CalendarMeta::new("-//Example Corp//Shifts//EN", "Night desk").unwrap();
    let domain = UidDomain::new("wfm.example.com").unwrap();
    let utc = render_to_string(&meta, WriterOptions::utc(domain.clone()), [&shift]).unwrap();
    assert!(utc.contains("\r\nDTSTART:20260328T210000Z\r\nDTEND:20260329T050000Z\r\n"));
    assert!(!utc.contains("TZID"));
    let local = render_to_string(
        &meta,
        WriterOptions::local(domain, FeedPlan::from_shifts([&shift])),
        [&shift],
    )
    .unwrap();
    assert!(local.contains("\r\nDTSTART;TZID=Europe/Paris:20260328T220000\r\n"));
    assert!(local.contains("\r\nDTEND;TZID=Europe/Paris:20260329T070000\r\n"));
    assert!(local.contains("\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n"));
    assert!(local.contains("\r\nBEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\n"));
    // Read back with the zone, both forms give the same 8 hours.
    for feed in [&utc, &local] {
        let cal = read::parse(feed).unwrap();
        let event = cal.components_named("VEVENT").next().unwrap();
        let instant = |name: &str| match event.property(name).unwrap().date_time().unwrap() {
            DateTimeValue::Utc(t) => t,
            DateTimeValue::Local {
                local,
                tzid: Some(tz),
            } => tz
                .parse::<Tz>()
                .unwrap()
                .from_local_datetime(&local)
                .unwrap()
                .with_timezone(&Utc),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            instant("DTEND") - instant("DTSTART"),
            chrono::Duration::hours(8)
        );
    }

    // The roster side: an offset is not a zone. `GMT-06:00` is shared by Chicago (daylight
    // saving) and Regina (none): in July a 09:00 shift is an hour apart between them.
    assert_eq!(
        read_zone("GMT-06:00"),
        ZoneReading::Ambiguous("GMT-06:00".into())
    );
    assert!(matches!(read_zone("Central Standard Time"),
        ZoneReading::Mapped { iana, .. } if iana == "America/Chicago"));
    let nine = NaiveDate::from_ymd_opt(2026, 7, 1)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    let at = |zone: &str| {
        zone.parse::<Tz>()
            .unwrap()
            .from_local_datetime(&nine)
            .unwrap()
            .with_timezone(&Utc)
    };
    assert_eq!(
        at("America/Regina") - at("America/Chicago"),
        chrono::Duration::hours(1)
    );
}

// ---------------------------------------------------------------------------------------------
// docs/troubleshooting/calendar-update-loops.md

#[tokio::test]
async fn calendar_update_loops() {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/tenant/oauth2/v2.0/token").await;
    let graph = GraphCalendar::mount(&server).await.require_token(&tokens);
    let credentials = ClientCredentials::new(tokens.url(), "client-id", "client-secret")
        .auth_style(ClientAuth::RequestBody)
        .scope(MICROSOFT_GRAPH_DEFAULT_SCOPE);
    let platform = graph_platform::<CalendarsReadWrite>(credentials)
        .unwrap()
        .build()
        .unwrap();
    let backend = GraphBackend::new(
        GraphClient::new(&platform, format!("{}/v1.0/", server.uri()).as_str()).unwrap(),
    );
    let mailbox = "jane@contoso.example";
    let shifts = ical_feed::json::shifts_from_json(
        r#"[{"id": "s1", "agent": "jane@contoso.example", "start": "2026-03-30T08:00:00+02:00",
             "end": "2026-03-30T16:00:00+02:00", "timezone": "Europe/Paris", "summary": "Day desk",
             "last_modified": "2026-03-01T10:00:00Z"},
            {"id": "s2", "agent": "jane@contoso.example", "start": "2026-03-31T08:00:00+02:00",
             "end": "2026-03-31T16:00:00+02:00", "timezone": "Europe/Paris", "summary": "Day desk",
             "last_modified": "2026-03-01T10:00:00Z"}]"#,
    )
    .unwrap();
    let shifts = by_mailbox(shifts, &HashMap::new());
    // Jane's own event, with the same subject as our shifts: it must never be matched.
    let own = graph.insert(
        mailbox,
        json!({"subject": "Day desk", "start": {"dateTime": "2026-03-30T06:00:00", "timeZone": "UTC"},
               "end": {"dateTime": "2026-03-30T14:00:00", "timeZone": "UTC"}}),
    );
    let options = SyncOptions::default();
    let writes = |r: &calendar_graph::sync::SyncReport| {
        r.counts.created + r.counts.updated + r.counts.deleted
    };

    let first = sync(&backend, &shifts, &options).await.unwrap();
    assert_eq!(first.counts.created, 2, "{first:?}");

    // The failure the guide is about is a sync that writes again on every run (and, two-way,
    // writes back what it wrote). Here: a person moves our event in Outlook...
    let ours = graph
        .events(mailbox)
        .into_iter()
        .find(|e| {
            e["id"] != own.as_str()
                && e["start"]["dateTime"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("2026-03-30")
        })
        .expect("our event");
    let id = ours["id"].as_str().unwrap().to_owned();
    assert!(graph.edit(
        mailbox,
        &id,
        json!({"start": {"dateTime": "2026-03-30T09:00:00", "timeZone": "UTC"}})
    ));
    // ...the next run puts it back once, and the run after writes nothing: no loop.
    let corrected = sync(&backend, &shifts, &options).await.unwrap();
    assert_eq!(corrected.counts.updated, 1, "{corrected:?}");
    assert_eq!(writes(&corrected), 1);
    let settled = sync(&backend, &shifts, &options).await.unwrap();
    assert_eq!(writes(&settled), 0, "{settled:?}");
    assert_eq!(settled.counts.unchanged, 2);

    // Jane's event was never written: same subject, never ours.
    let own_now = graph
        .events(mailbox)
        .into_iter()
        .find(|e| e["id"] == own.as_str())
        .expect("her event is still there");
    assert_eq!(own_now["start"]["dateTime"], "2026-03-30T06:00:00");
    assert_eq!(graph.events(mailbox).len(), 3);
}

// ---------------------------------------------------------------------------------------------
// docs/troubleshooting/mass-deactivation-guard.md

#[tokio::test]
async fn mass_deactivation_guard() {
    let server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&server, "/auth/token").await;
    let hub = UserHub::mount(&server).await.require_token(&tokens);
    let mut full = String::from(HEADER);
    for i in 0..120 {
        hub.insert_user(hub_user(
            &format!("E{i:03}"),
            "Agent",
            &format!("N{i:03}"),
            &format!("e{i:03}@example.com"),
            "ACTIVE",
        ));
        full.push_str(&format!(
            "E{i:03},Agent,N{i:03},e{i:03}@example.com,Europe/London,AGENT,,,\n"
        ));
    }
    // The failure: the HRIS export stopped after 10 rows (a timeout, a filter, a bad page).
    let truncated: String = full.lines().take(11).map(|l| format!("{l}\n")).collect();
    let platform = platform(&tokens);
    let engine = Engine::new(
        UserHubBackend::new(&platform, server.uri().as_str())
            .unwrap()
            .with_roles(agent_role()),
    );
    let err = engine
        .sync(parse_csv(&truncated).unwrap(), rules())
        .await
        .unwrap_err();
    println!("guard: {err}\n");
    let SyncError::Guard(tripped) = &err else {
        panic!("expected the guard, got {err:?}");
    };
    assert_eq!(
        (tripped.planned, tripped.limit, tripped.active),
        (110, 50, 120)
    );
    assert!(
        err.to_string()
            .contains("check that the roster is complete"),
        "{err}"
    );
    // Nothing was written: only reads reached the server.
    let writes: Vec<String> = hub
        .requests()
        .into_iter()
        .filter(|r| {
            r.contains("deactivate")
                || r.starts_with("PUT")
                || r == "POST /user-management/v1/users"
        })
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    assert_eq!(active_managed(&hub).len(), 120);

    // The fix, case 1: the export was incomplete. Export again; the complete roster passes.
    let report = engine
        .sync(parse_csv(&full).unwrap(), rules())
        .await
        .unwrap();
    assert_eq!(report.counts.deactivated, 0);
    assert_eq!(report.counts.unchanged, 120);

    // Case 2: 110 people really left. Raise the limit for this one run, deliberately.
    let engine = Engine::new(
        UserHubBackend::new(&platform, server.uri().as_str())
            .unwrap()
            .with_roles(agent_role()),
    )
    .guard(Guard::default().max_deactivations(110));
    let report = engine
        .sync(parse_csv(&truncated).unwrap(), rules())
        .await
        .unwrap();
    assert_eq!(report.counts.deactivated, 110);
    assert_eq!(active_managed(&hub).len(), 10);
    assert_eq!(hub.users().len(), 120, "deactivated, never deleted");
}
