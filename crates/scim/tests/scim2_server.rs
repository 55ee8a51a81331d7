//! The client against a real RFC 7644 server: `scim2-server` 0.8.3 from PyPI, one fresh server
//! per test on a free loopback port with a bearer token.

mod support;

use std::sync::Arc;

use futures::TryStreamExt;
use serde_json::json;
use support::{CountingToken, Scim2Server, TOKEN};
use wfm_scim::bulk::{BulkRequest, bulk_ref};
use wfm_scim::filter::{AttrPath, Filter, PatchPath};
use wfm_scim::provision::cli;
use wfm_scim::{
    ENTERPRISE_USER_SCHEMA, EnterpriseUser, Error, Group, ListQuery, MultiValue, Name,
    PatchRequest, Projection, Resource, ScimType, USER_SCHEMA, User,
};

fn attr(p: &str) -> AttrPath {
    AttrPath::parse(p).unwrap()
}

fn agent(user_name: &str) -> User {
    let mut u = User::new(user_name);
    u.name = Some(Name {
        given_name: Some("Ada".into()),
        family_name: Some("Lovelace".into()),
        ..Name::default()
    });
    u.emails.push(
        MultiValue::new(format!("{user_name}@example.com"))
            .with_type("work")
            .primary(),
    );
    u.emails
        .push(MultiValue::new(format!("{user_name}@home.example")).with_type("home"));
    u.active = Some(true);
    u
}

#[tokio::test]
async fn discovery_documents() {
    let server = Scim2Server::start();
    let client = server.client();
    let config = client.service_provider_config().await.unwrap();
    assert!(config.patch.supported && config.bulk.supported && config.etag.supported);
    assert!(config.bulk.max_operations.unwrap_or(0) > 0);
    let types = client.resource_types().await.unwrap();
    let user = types
        .iter()
        .find(|t| t.name == "User")
        .expect("a User resource type");
    assert_eq!(user.endpoint, "/Users");
    assert!(
        user.schema_extensions
            .iter()
            .any(|e| e.schema == ENTERPRISE_USER_SCHEMA)
    );
    let schemas = client.schemas().await.unwrap();
    let core = schemas
        .iter()
        .find(|s| s.id == USER_SCHEMA)
        .expect("the core User schema");
    assert!(
        core.attributes
            .iter()
            .any(|a| a.name == "userName" && a.required)
    );
}

#[tokio::test]
async fn create_get_replace_patch_delete() {
    let server = Scim2Server::start();
    let client = server.client();

    let mut new = agent("ada");
    new.external_id = Some("zd-1".into());
    new.enterprise = Some(EnterpriseUser {
        employee_number: Some("701984".into()),
        ..EnterpriseUser::default()
    });
    let created = client.create(&new).await.unwrap();
    let id = created.id.clone().expect("an id");
    assert!(
        created.version().is_some(),
        "scim2-server sends meta.version"
    );
    assert!(created.schemas.iter().any(|s| s == ENTERPRISE_USER_SCHEMA));

    let got: User = client.get(&id).await.unwrap();
    assert_eq!(got.user_name.as_deref(), Some("ada"));
    assert_eq!(
        got.enterprise
            .as_ref()
            .and_then(|e| e.employee_number.as_deref()),
        Some("701984")
    );

    // Projection on get.
    let slim: User = client
        .get_with(&id, &Projection::only([attr("userName")]))
        .await
        .unwrap();
    assert!(slim.emails.is_empty() && slim.user_name.as_deref() == Some("ada"));

    // Replace (PUT) with If-Match from meta.version.
    let mut changed = got.clone();
    changed.display_name = Some("Countess of Lovelace".into());
    let replaced = client.replace(&changed).await.unwrap();
    assert_eq!(
        replaced.display_name.as_deref(),
        Some("Countess of Lovelace")
    );
    assert_ne!(
        replaced.version(),
        got.version(),
        "a replace gives a new version"
    );

    // PATCH: replace through a value-filtered path, add, remove.
    let patch = PatchRequest::new()
        .replace(
            PatchPath::parse(r#"emails[type eq "work"].value"#).unwrap(),
            json!("ada@new.example"),
        )
        .add(PatchPath::parse("title").unwrap(), json!("Team lead"))
        .remove(PatchPath::parse(r#"emails[type eq "home"]"#).unwrap());
    let patched = client
        .modify::<User>(&id, replaced.version(), &patch)
        .await
        .unwrap();
    // scim2-server answers 204; either answer is fine.
    let after: User = match patched {
        Some(u) => u,
        None => client.get(&id).await.unwrap(),
    };
    assert_eq!(after.emails.len(), 1, "{:?}", after.emails);
    assert_eq!(after.emails[0].value.as_deref(), Some("ada@new.example"));
    assert_eq!(after.title.as_deref(), Some("Team lead"));
    assert_eq!(after.display_name.as_deref(), Some("Countess of Lovelace"));

    // Deactivate, then delete with the current version.
    client.deactivate(&id, after.version()).await.unwrap();
    let inactive: User = client.get(&id).await.unwrap();
    assert_eq!(inactive.active, Some(false));
    client
        .delete::<User>(&id, inactive.version())
        .await
        .unwrap();
    let gone = client.get::<User>(&id).await.unwrap_err();
    assert!(matches!(gone, Error::NotFound(_)), "{gone}");
}

#[tokio::test]
async fn stale_versions_are_a_typed_conflict() {
    let server = Scim2Server::start();
    let client = server.client();
    let first = client.create(&agent("grace")).await.unwrap();
    let id = first.id.clone().unwrap();
    let stale = first.version().unwrap().to_owned();

    // Someone else changes the user.
    let bump = PatchRequest::new().replace(
        PatchPath::parse("displayName").unwrap(),
        json!("Amazing Grace"),
    );
    client
        .modify::<User>(&id, Some(&stale), &bump)
        .await
        .unwrap();

    let mut mine = first.clone();
    mine.title = Some("Rear admiral".into());
    let put = client.replace(&mine).await.unwrap_err();
    assert!(matches!(put, Error::VersionConflict(_)), "{put}");
    assert_eq!(put.status().map(|s| s.as_u16()), Some(412));
    assert!(put.to_string().contains("get it again"), "{put}");

    let patch = client
        .modify::<User>(&id, Some(&stale), &bump)
        .await
        .unwrap_err();
    assert!(matches!(patch, Error::VersionConflict(_)), "{patch}");
    let delete = client.delete::<User>(&id, Some(&stale)).await.unwrap_err();
    assert!(matches!(delete, Error::VersionConflict(_)), "{delete}");

    // Still there, with the other writer's change.
    let now: User = client.get(&id).await.unwrap();
    assert_eq!(now.display_name.as_deref(), Some("Amazing Grace"));
    assert_eq!(now.title, None);
}

#[tokio::test]
async fn a_duplicate_user_name_is_a_typed_uniqueness_error() {
    let server = Scim2Server::start();
    let client = server.client();
    client.create(&agent("linus")).await.unwrap();
    let err = client.create(&agent("linus")).await.unwrap_err();
    assert!(matches!(err, Error::Uniqueness(_)), "{err}");
    assert_eq!(err.scim_type(), Some(&ScimType::Uniqueness));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(409));
    assert!(!err.is_fatal());
}

#[tokio::test]
async fn a_malformed_filter_is_refused_before_anything_is_sent() {
    let server = Scim2Server::start();
    let tokens = Arc::new(CountingToken::new(TOKEN));
    let client = server.client_with(tokens.clone());
    let raw = r#"userName zz "x""#;

    let listed: Result<Vec<User>, Error> = client
        .list(ListQuery::new().filter_str(raw))
        .try_collect()
        .await;
    let err = listed.unwrap_err();
    assert!(
        matches!(err, Error::Filter(_)) && err.nothing_sent(),
        "{err}"
    );
    assert!(err.to_string().contains("column 10"), "{err}");
    let searched: Result<Vec<User>, Error> = client
        .search(ListQuery::new().filter_str(raw))
        .try_collect()
        .await;
    assert!(matches!(searched.unwrap_err(), Error::Filter(_)));
    assert!(matches!(
        client
            .list_page::<User>(&ListQuery::new().filter_str(raw))
            .await,
        Err(Error::Filter(_))
    ));
    assert_eq!(
        tokens.requests(),
        0,
        "no request may leave for a malformed filter"
    );

    // Had it been sent, the server would have refused it: the local check agrees with it.
    let resp = client
        .transport()
        .request(wfm_http::Method::GET, &["Users"])
        .query("filter", raw)
        .send()
        .await
        .unwrap_err();
    let server_says = Error::from_http(resp, client.flavor());
    assert_eq!(server_says.scim_type(), Some(&ScimType::InvalidFilter));
    assert_eq!(tokens.requests(), 1);
}

#[tokio::test]
async fn a_hostile_name_matches_only_itself() {
    let server = Scim2Server::start();
    let client = server.client();
    let hostile = r#"x" or userName pr or ""#;
    for name in ["alice", "bob", hostile, "x"] {
        client.create(&User::new(name)).await.unwrap();
    }
    let by_name = Filter::eq(attr("userName"), hostile);
    let listed: Vec<User> = client
        .list(ListQuery::new().filter(by_name.clone()))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].user_name.as_deref(), Some(hostile));
    let searched: Vec<User> = client
        .search(ListQuery::new().filter(by_name))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(searched.len(), 1);
    assert_eq!(searched[0].user_name.as_deref(), Some(hostile));
    // The same text, parsed from a string, is the same filter.
    let parsed = Filter::parse(&Filter::eq(attr("userName"), hostile).to_string()).unwrap();
    let again: Vec<User> = client
        .list(ListQuery::new().filter(parsed))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
}

#[tokio::test]
async fn lists_and_searches_stream_over_more_than_two_pages() {
    let server = Scim2Server::start();
    let tokens = Arc::new(CountingToken::new(TOKEN));
    let client = server.client_with(tokens.clone());
    for i in 1..=7 {
        client.create(&agent(&format!("page-{i}"))).await.unwrap();
    }
    client.create(&agent("other")).await.unwrap();
    let before = tokens.requests();

    let query = ListQuery::new()
        .filter(Filter::sw(attr("userName"), "page-"))
        .page_size(3);
    let listed: Vec<User> = client.list(query.clone()).try_collect().await.unwrap();
    let mut names: Vec<String> = listed.iter().filter_map(|u| u.user_name.clone()).collect();
    names.sort();
    assert_eq!(
        names,
        (1..=7).map(|i| format!("page-{i}")).collect::<Vec<_>>()
    );
    assert_eq!(
        tokens.requests() - before,
        3,
        "7 users in pages of 3 take 3 requests"
    );

    let before = tokens.requests();
    let searched: Vec<User> = client
        .search(query.projection(Projection::only([attr("userName")])))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(searched.len(), 7);
    assert!(
        searched.iter().all(|u| u.emails.is_empty()),
        "projection applies to every page"
    );
    assert_eq!(tokens.requests() - before, 3);

    let page = client
        .list_page::<User>(&ListQuery::new().page_size(2).start_index(3))
        .await
        .unwrap();
    assert_eq!(page.total_results, 8);
    assert_eq!(page.resources.len(), 2);
    assert_eq!(page.start_index, Some(3));

    let excluded: Vec<User> = client
        .list(
            ListQuery::new()
                .filter(Filter::eq(attr("userName"), "other"))
                .projection(Projection::excluding([attr("emails")])),
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(excluded.len(), 1);
    assert!(excluded[0].emails.is_empty() && excluded[0].name.is_some());
}

#[tokio::test]
async fn bulk_with_bulk_id_references_and_fail_on_errors() {
    let server = Scim2Server::start();
    let client = server.client();
    client.create(&User::new("taken")).await.unwrap();

    let mut team = Group::new("Tier 1");
    team.members.push(MultiValue::new(bulk_ref("ada")));
    let request = BulkRequest::new()
        .fail_on_errors(1)
        .create("ada", &User::new("bulk-ada"))
        .unwrap()
        .create("tier1", &team)
        .unwrap()
        .create("dup", &User::new("taken"))
        .unwrap()
        .create("never", &User::new("bulk-never"))
        .unwrap();
    let response = client.bulk(&request).await.unwrap();

    let ada = response.by_bulk_id("ada").expect("ada's result");
    assert_eq!(ada.status_code(), Some(201));
    let ada_id = ada.id().expect("a location").to_owned();
    let tier1 = response.by_bulk_id("tier1").expect("tier1's result");
    assert_eq!(tier1.status_code(), Some(201));
    let group: Group = client.get(tier1.id().unwrap()).await.unwrap();
    assert_eq!(group.members.len(), 1);
    assert_eq!(
        group.members[0].value.as_deref(),
        Some(ada_id.as_str()),
        "bulkId:ada resolved to ada's id"
    );

    let dup = response.by_bulk_id("dup").expect("dup's result");
    assert_eq!(dup.status_code(), Some(409));
    assert_eq!(dup.error().unwrap().scim_type, Some(ScimType::Uniqueness));
    assert!(
        response.by_bulk_id("never").is_none(),
        "failOnErrors=1 stops after the first failure"
    );
    let never = client
        .list_page::<User>(&ListQuery::new().filter(Filter::eq(attr("userName"), "bulk-never")))
        .await
        .unwrap();
    assert_eq!(never.total_results, 0);
    assert_eq!(response.failures().count(), 1);
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized_and_fatal() {
    let server = Scim2Server::start();
    let client = server.client_with(Arc::new(CountingToken::new("wrong")));
    let err = client.get::<User>("anything").await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err}");
    assert!(err.is_fatal());
}

/// The provisioning example, run through the same function its `main` calls, twice on the same
/// input: the second run creates and updates nothing. Then a changed row is updated, and nothing
/// else.
#[tokio::test]
async fn the_provisioning_example_is_idempotent() {
    let server = Scim2Server::start();
    let client = server.client();
    // A user that exists before the migration with the same userName as a row, but no externalId.
    client
        .create(&User::new("preexisting@example.com"))
        .await
        .unwrap();

    let dir = std::env::temp_dir().join(format!("scim-provision-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("zendesk_users.json");
    let mut export = json!({"users": [
        {"id": 101, "name": "Ada Lovelace", "email": "ada@example.com", "role": "agent", "active": true,
         "time_zone": "London", "phone": "+44 20 7946 0001", "external_id": null},
        {"id": 102, "name": "Grace Hopper", "email": "grace@example.com", "role": "admin", "active": true,
         "time_zone": "Eastern Time (US & Canada)", "external_id": "HR-102"},
        {"id": 103, "name": "x\" or userName pr or \"", "email": "quote@example.com", "role": "agent", "active": false},
        {"id": 104, "name": "Customer", "email": "customer@example.com", "role": "end-user"},
        {"id": 105, "name": "No Address", "email": "not-an-email", "role": "agent"},
        {"id": 106, "name": "Already Here", "email": "preexisting@example.com", "role": "agent"}
    ], "next_page": null, "count": 6});
    std::fs::write(&input, serde_json::to_vec(&export).unwrap()).unwrap();
    let args = |dry: bool| {
        let mut a = vec![
            "--base-url".to_owned(),
            server.base_url().to_string(),
            "--token".to_owned(),
            TOKEN.to_owned(),
            "--input".to_owned(),
            input.display().to_string(),
        ];
        if dry {
            a.push("--dry-run".to_owned());
        }
        a
    };
    let report =
        |out: &cli::Outcome| -> serde_json::Value { serde_json::from_str(&out.stdout).unwrap() };

    // A dry run writes nothing.
    let dry = cli::run(args(true), None).await;
    let r = report(&dry);
    assert_eq!(
        (r["created"].as_u64(), r["dry_run"].as_bool()),
        (Some(3), Some(true)),
        "{}",
        dry.stdout
    );
    assert_eq!(
        r["failed"].as_array().map(Vec::len),
        Some(2),
        "the taken userName is foreseen: {}",
        dry.stdout
    );
    assert_eq!(
        client
            .list_page::<User>(&ListQuery::new())
            .await
            .unwrap()
            .total_results,
        1
    );

    let first = cli::run(args(false), None).await;
    let r = report(&first);
    assert_eq!(
        first.exit_code, 1,
        "rows failed, so exit 1: {}",
        first.stderr
    );
    assert_eq!(
        (
            r["created"].as_u64(),
            r["updated"].as_u64(),
            r["unchanged"].as_u64()
        ),
        (Some(3), Some(0), Some(0)),
        "{}",
        first.stdout
    );
    let failed: Vec<u64> = r["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["row"].as_u64().unwrap())
        .collect();
    assert_eq!(failed, vec![5, 6], "{}", first.stdout);
    assert!(
        r["failed"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("invalid email")
    );
    assert!(
        r["failed"][1]["reason"]
            .as_str()
            .unwrap()
            .contains("already belongs to another user"),
        "{}",
        first.stdout
    );
    assert_eq!(r["skipped"][0]["row"], 4);

    let second = cli::run(args(false), None).await;
    let r = report(&second);
    assert_eq!(
        (
            r["created"].as_u64(),
            r["updated"].as_u64(),
            r["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(3)),
        "{}",
        second.stdout
    );

    let ada: Vec<User> = client
        .list(ListQuery::new().filter(Filter::eq(attr("externalId"), "101")))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ada.len(), 1);
    assert_eq!(ada[0].timezone.as_deref(), Some("Europe/London"));
    assert_eq!(ada[0].user_type.as_deref(), Some("Agent"));

    // Change one row: only it is updated, and only its changed attribute is reported.
    export["users"][1]["name"] = json!("Rear Admiral Grace Hopper");
    std::fs::write(&input, serde_json::to_vec(&export).unwrap()).unwrap();
    let third = cli::run(args(false), None).await;
    let r = report(&third);
    assert_eq!(
        (
            r["created"].as_u64(),
            r["updated"].as_u64(),
            r["unchanged"].as_u64()
        ),
        (Some(0), Some(1), Some(2)),
        "{}",
        third.stdout
    );
    assert_eq!(r["changes"][0]["external_id"], "HR-102");
    assert_eq!(
        r["changes"][0]["attributes"],
        json!(["displayName", "name.givenName"])
    );
    let _ = std::fs::remove_dir_all(&dir);
}
