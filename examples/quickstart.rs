//! The whole story in one command, on local stand-ins of the platforms: no tenant, no
//! credentials, no network.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! Steps, in order (each on its own sandbox world unless its variables are set):
//!
//! 1. **SCIM**: a Zendesk users export (`examples/data/zendesk_users.json`) provisioned into a
//!    SCIM 2.0 service provider (the Genesys Cloud SCIM stand-in), matched by `externalId`.
//! 2. **CXone**: an HRIS roster (`examples/data/cxone/roster.csv`, role map
//!    `examples/data/cxone/roles.json`) reconciled into CXone users through UserHub by the
//!    `cxone-wfm` engine: create, update, reactivate, deactivate (never delete), bad rows refused.
//! 3. **Genesys Cloud**: a week of schedules (`examples/data/genesys/schedule.json`) pushed
//!    through the upload flow after the permission preflight, then the published shifts pulled
//!    back.
//! 4. **Outlook**: the pulled shifts mirrored into mailboxes through Microsoft Graph, one way,
//!    run twice (the second run writes nothing); a person's own event is never touched.
//! 5. **Google Calendar**: the same shifts mirrored into Google calendars by a service account
//!    with domain-wide delegation (one token per mailbox), run twice as well.
//! 6. **iCalendar**: the pulled shifts written as an RFC 5545 feed, with a signed link that
//!    expires.
//!
//! Progress goes to stderr as plain lines; the summary (one table per step) to stdout. Exit 0
//! when every step ran, 1 when a step failed (its table says why).
//!
//! # Against a real tenant
//!
//! A step whose variables are all set runs against the real platform instead; a step with none
//! of them runs on the sandbox and says so; a step with some but not all of them fails, naming
//! what is missing. `WFM_DRY_RUN=1` makes the real-tenant steps read and plan only.
//!
//! | step | required | optional |
//! |---|---|---|
//! | SCIM | `WFM_SCIM_URL`, `WFM_SCIM_TOKEN` | `WFM_SCIM_FLAVOR` (`genesys`, `cxone`, `generic`; default `genesys`), `WFM_SCIM_INPUT` |
//! | CXone | `WFM_CXONE_CLIENT_ID`, `WFM_CXONE_CLIENT_SECRET`, `WFM_CXONE_ACCESS_KEY_ID`, `WFM_CXONE_ACCESS_KEY_SECRET` | `WFM_CXONE_ISSUER`, `WFM_CXONE_ROSTER`, `WFM_CXONE_ROLE_MAP`, `WFM_CXONE_FALLBACK_ROLE` |
//! | Genesys | `WFM_GENESYS_REGION` (or `WFM_GENESYS_BASE_URL`), `WFM_GENESYS_CLIENT_ID`, `WFM_GENESYS_CLIENT_SECRET`, `WFM_GENESYS_BUSINESS_UNIT`, `WFM_GENESYS_WEEK` | `WFM_GENESYS_SCHEDULE` |
//! | Outlook | `WFM_GRAPH_TENANT`, `WFM_GRAPH_CLIENT_ID`, `WFM_GRAPH_CLIENT_SECRET`, `WFM_GRAPH_MAILBOX_MAP` | |
//! | Google | `WFM_GOOGLE_SERVICE_ACCOUNT` (the key file), `WFM_GOOGLE_MAILBOX_MAP` | |
//! | iCalendar | (local) | `WFM_FEED_SECRET` (base64, 32 bytes or more), `WFM_FEED_URL` |
//!
//! Files (the feed, its link) go to `WFM_QUICKSTART_OUT` (default `target/quickstart`). Secrets
//! are never printed; the feed link's signature is shown as `<redacted>` and written in full to
//! `feed-link.txt`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use calendar_google::{
    CalendarEvents, Client as GoogleClient, GOOGLE_APIS, GoogleBackend, delegated_tokens,
    google_platform,
};
use calendar_graph::scopes::CalendarsReadWrite;
use calendar_graph::sync::{
    CalendarBackend, Progress as MailboxProgress, SyncOptions, by_mailbox, sync,
};
use calendar_graph::{Client as GraphClient, GRAPH_V1, GraphBackend, graph_platform};
use chrono::{Duration, Utc};
use cxone_wfm::discovery::{AccessKey, CXONE_ISSUER, connect};
use cxone_wfm::roster::{RowIssue, RowProblem, Rules, parse_csv, parse_json};
use cxone_wfm::{Action, Engine, Progress as CxoneProgress, Role, UserHubBackend};
use ical_feed::signing::{FeedSecret, FeedSigner, KeyId, Keyring, VerifyError};
use ical_feed::{CalendarMeta, UidDomain, WriterOptions, render_to_string};
use serde_json::{Value, json};
use wfm_auth::google::ServiceAccountKey;
use wfm_auth::{
    ClientAuth, ClientCredentials, MICROSOFT_GRAPH_DEFAULT_SCOPE, RolesDecide, StaticToken,
};
use wfm_http::{Platform, RateLimit, RetryPolicy};
use wfm_sandbox::TokenEndpoint;
use wfm_sandbox::cxone::UserHub;
use wfm_sandbox::genesys::GenesysOrg;
use wfm_sandbox::google::GoogleCalendar;
use wfm_sandbox::graph::GraphCalendar;
use wfm_sandbox::scim::ScimServiceProvider;
use wfm_sandbox::wiremock::MockServer;
use wfm_scim::Flavor;
use wfm_scim::provision::{Provisioner, Row, zendesk};

/// The steps, in order. One more platform is one more variant, one more entry here and one more
/// arm in [`run_step`].
const STEPS: [Step; 6] = [
    Step::Scim,
    Step::Cxone,
    Step::Genesys,
    Step::Outlook,
    Step::Google,
    Step::Ical,
];

/// The week the sandbox's schedule is for (a Monday; the business unit's weeks start on Monday).
const SANDBOX_WEEK: &str = "2026-03-02";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Scim,
    Cxone,
    Genesys,
    Outlook,
    Google,
    Ical,
}

impl Step {
    fn title(self) -> &'static str {
        match self {
            Step::Scim => "SCIM: provision a Zendesk export",
            Step::Cxone => "CXone: reconcile an HRIS roster",
            Step::Genesys => "Genesys Cloud: push a week of schedules, pull it back",
            Step::Outlook => "Outlook: mirror the shifts through Microsoft Graph",
            Step::Google => "Google Calendar: mirror the shifts with a service account",
            Step::Ical => "iCalendar: a feed of the shifts with a signed, expiring link",
        }
    }

    /// The prefix of the step's variables.
    fn prefix(self) -> &'static str {
        match self {
            Step::Scim => "WFM_SCIM",
            Step::Cxone => "WFM_CXONE",
            Step::Genesys => "WFM_GENESYS",
            Step::Outlook => "WFM_GRAPH",
            Step::Google => "WFM_GOOGLE",
            Step::Ical => "WFM_FEED",
        }
    }

    /// The variables that switch the step to a real tenant (all required).
    fn required(self) -> &'static [&'static str] {
        match self {
            Step::Scim => &["WFM_SCIM_URL", "WFM_SCIM_TOKEN"],
            Step::Cxone => &[
                "WFM_CXONE_CLIENT_ID",
                "WFM_CXONE_CLIENT_SECRET",
                "WFM_CXONE_ACCESS_KEY_ID",
                "WFM_CXONE_ACCESS_KEY_SECRET",
            ],
            Step::Genesys => &[
                "WFM_GENESYS_CLIENT_ID",
                "WFM_GENESYS_CLIENT_SECRET",
                "WFM_GENESYS_BUSINESS_UNIT",
                "WFM_GENESYS_WEEK",
            ],
            Step::Outlook => &[
                "WFM_GRAPH_TENANT",
                "WFM_GRAPH_CLIENT_ID",
                "WFM_GRAPH_CLIENT_SECRET",
                "WFM_GRAPH_MAILBOX_MAP",
            ],
            Step::Google => &["WFM_GOOGLE_SERVICE_ACCOUNT", "WFM_GOOGLE_MAILBOX_MAP"],
            Step::Ical => &[],
        }
    }
}

/// Where a step ran.
enum Place {
    Sandbox,
    Tenant(String),
    Local,
}

/// One line of a step's table.
struct Line {
    outcome: &'static str,
    count: usize,
    details: Vec<String>,
}

/// What a step did.
struct StepReport {
    place: Place,
    lines: Vec<Line>,
    notes: Vec<String>,
}

impl StepReport {
    fn new(place: Place) -> Self {
        Self {
            place,
            lines: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn line(&mut self, outcome: &'static str, count: usize, details: Vec<String>) {
        self.lines.push(Line {
            outcome,
            count,
            details,
        });
    }

    fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }
}

/// What steps hand on to later ones.
struct Ctx {
    root: PathBuf,
    out: PathBuf,
    dry_run: bool,
    /// The pulled shifts, as the `ics_feed` example's JSON.
    shifts_json: Option<String>,
}

impl Ctx {
    /// `path` relative to the workspace when inside it (shorter lines, no home directory shown).
    fn show(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    fn data(&self, env_var: &str, default: &str) -> PathBuf {
        var(env_var).map_or_else(|| self.root.join(default), PathBuf::from)
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn progress(message: impl AsRef<str>) {
    eprintln!("  .. {}", message.as_ref());
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Whether the step runs on a real tenant: all its variables set (`Ok(true)`), none (`Ok(false)`),
/// or some (`Err`, naming the missing ones).
fn real_tenant(step: Step) -> Result<bool, String> {
    // Genesys takes its org as a region or a base URL: either one counts.
    let either: &[&str] = if step == Step::Genesys {
        &["WFM_GENESYS_REGION", "WFM_GENESYS_BASE_URL"]
    } else {
        &[]
    };
    let set: Vec<&str> = step
        .required()
        .iter()
        .chain(either)
        .copied()
        .filter(|v| var(v).is_some())
        .collect();
    if set.is_empty() {
        return Ok(false);
    }
    let mut missing: Vec<&str> = step
        .required()
        .iter()
        .copied()
        .filter(|v| var(v).is_none())
        .collect();
    if !either.is_empty() && either.iter().all(|v| var(v).is_none()) {
        missing.insert(0, "WFM_GENESYS_REGION (or WFM_GENESYS_BASE_URL)");
    }
    if missing.is_empty() {
        Ok(true)
    } else {
        Err(format!(
            "{} set but {} missing: set all of them for a real tenant, or none for the sandbox",
            set.join(", "),
            missing.join(", ")
        ))
    }
}

/// A platform whose tokens come from the sandbox's token endpoint, with quick retries.
fn sandbox_platform(tokens: &TokenEndpoint) -> Result<Platform<RolesDecide>, String> {
    Platform::<RolesDecide>::builder()
        .credentials(ClientCredentials::new(
            tokens.url(),
            "sandbox-client",
            "sandbox-secret",
        ))
        .retry(RetryPolicy::default().base_delay(std::time::Duration::from_millis(5)))
        .build()
        .map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// 1. SCIM

async fn scim_step(ctx: &mut Ctx) -> Result<StepReport, String> {
    let input = ctx.data("WFM_SCIM_INPUT", "examples/data/zendesk_users.json");
    let rows = zendesk::read_export(read(&input)?.as_bytes()).map_err(|e| e.to_string())?;
    let options = zendesk::Options::default();
    progress(format!(
        "{} rows read from {}",
        rows.len(),
        ctx.show(&input)
    ));

    // Kept alive until the step ends: the stand-in lives as long as its server.
    let mut _server = None;
    let (provisioner, place) = if real_tenant(Step::Scim)? {
        let url = var("WFM_SCIM_URL").unwrap_or_default();
        let flavor: Flavor = var("WFM_SCIM_FLAVOR")
            .as_deref()
            .unwrap_or("genesys")
            .parse()
            .map_err(|e| format!("WFM_SCIM_FLAVOR: {e}"))?;
        let client = wfm_scim::Client::builder(flavor, url.as_str())
            .token_provider(StaticToken::new(var("WFM_SCIM_TOKEN").unwrap_or_default()))
            .build()
            .map_err(|e| e.to_string())?;
        (
            Provisioner::new(client)
                .fixed_token(true)
                .dry_run(ctx.dry_run),
            Place::Tenant(url),
        )
    } else {
        let server = MockServer::start().await;
        let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
        let scim = ScimServiceProvider::mount(&server, Flavor::GenesysCloud)
            .await
            .require_token(&tokens);
        // What the service provider holds already: two agents provisioned last month, one of
        // whom has since been renamed in Zendesk.
        for row in &rows {
            if let Row::Provision { user, .. } = zendesk::map_row(row, &options) {
                let mut scim_user = user.to_user();
                match user.external_id.as_str() {
                    "HR-0009" => {}
                    "HR-0001" => scim_user.display_name = Some("Marie Durand".into()),
                    _ => continue,
                }
                scim.insert_user(serde_json::to_value(&scim_user).map_err(|e| e.to_string())?);
            }
        }
        progress(format!(
            "sandbox: SCIM stand-in (Genesys Cloud flavour) holding {} users",
            scim.users().len()
        ));
        let platform = sandbox_platform(&tokens)?;
        let client = wfm_scim::Client::new(&platform, Flavor::GenesysCloud, server.uri().as_str())
            .map_err(|e| e.to_string())?;
        _server = Some((server, scim));
        (Provisioner::new(client), Place::Sandbox)
    };

    let report = provisioner.run_zendesk(rows, &options).await;
    let mut out = StepReport::new(place);
    let changes = |action: &str| -> Vec<String> {
        report
            .changes
            .iter()
            .filter(|c| c.action.contains(action))
            .map(|c| {
                if c.attributes.is_empty() {
                    c.external_id.clone()
                } else {
                    format!("{} ({})", c.external_id, c.attributes.join(", "))
                }
            })
            .collect()
    };
    out.line("created", report.created, changes("creat"));
    out.line("updated", report.updated, changes("updat"));
    out.line("unchanged", report.unchanged, Vec::new());
    out.line(
        "skipped",
        report.skipped.len(),
        report
            .skipped
            .iter()
            .map(|s| format!("row {}: {}", s.row, s.note))
            .collect(),
    );
    out.line(
        "refused",
        report.failed.len(),
        report
            .failed
            .iter()
            .map(|f| format!("row {}: {}", f.row, f.reason))
            .collect(),
    );
    if let Some(aborted) = &report.aborted {
        out.note(format!(
            "stopped early ({} rows not processed): {aborted}",
            report.not_processed
        ));
        return Err(aborted.clone());
    }
    for w in &report.warnings {
        out.note(format!("row {}: {}", w.row, w.note));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// 2. CXone

fn describe_problem(issue: &RowIssue) -> String {
    let what = match &issue.problem {
        RowProblem::MissingField { field } => format!("{field} is empty"),
        RowProblem::InvalidEmail { value } => format!("{value:?} is not an e-mail address"),
        RowProblem::ExternalIdTooLong { length } => {
            format!("externalId is {length} characters long (255 at most)")
        }
        RowProblem::UnsafeExternalId => "externalId cannot be used in a URL path".into(),
        RowProblem::DuplicateExternalId { lines } => format!("externalId repeated on {lines:?}"),
        RowProblem::InvalidSkills { value } => format!("skills {value:?} unreadable"),
        RowProblem::AmbiguousTimezone { given, fallback } => {
            format!("time zone {given:?} is ambiguous, sent as {fallback}")
        }
        RowProblem::UnknownTimezone { given, fallback } => {
            format!("time zone {given:?} is unknown, sent as {fallback}")
        }
        RowProblem::UnmappedJobCode { job_code, fallback } => match fallback {
            Some(f) => format!("job code {job_code:?} has no role, sent with {f}"),
            None => format!("job code {job_code:?} has no role in the role map"),
        },
        RowProblem::UnknownRole { role, fallback } => match fallback {
            Some(f) => format!("role {role:?} is not on the server, sent with {f}"),
            None => format!("role {role:?} is not on the server"),
        },
        other => serde_json::to_string(other).unwrap_or_default(),
    };
    format!("line {} ({}): {what}", issue.line, issue.external_id)
}

/// A UserHub user as the stand-in (and UserHub) holds it.
fn hub_user(ext: &str, first: &str, last: &str, email: &str, zone: &str, role: &str) -> Value {
    json!({"externalIdentity": ext, "firstName": first, "lastName": last, "emailAddress": email,
           "userName": email, "timeZone": zone, "role": role, "secondaryRoleIds": [],
           "status": "ACTIVE"})
}

async fn cxone_step(ctx: &mut Ctx) -> Result<StepReport, String> {
    let roster_path = ctx.data("WFM_CXONE_ROSTER", "examples/data/cxone/roster.csv");
    let roles_path = ctx.data("WFM_CXONE_ROLE_MAP", "examples/data/cxone/roles.json");
    let text = read(&roster_path)?;
    let rows = if roster_path.extension().is_some_and(|e| e == "json") {
        parse_json(&text)
    } else {
        parse_csv(&text)
    }
    .map_err(|e| e.to_string())?;
    let mut rules = Rules::from_role_map_json(&read(&roles_path)?).map_err(|e| e.to_string())?;
    if let Some(role) = var("WFM_CXONE_FALLBACK_ROLE") {
        rules = rules.fallback_role(role);
    }
    progress(format!(
        "{} roster rows read from {}",
        rows.len(),
        ctx.show(&roster_path)
    ));

    let mut _server = None;
    let (backend, place, dry_run) = if real_tenant(Step::Cxone)? {
        let key = AccessKey::new(
            var("WFM_CXONE_CLIENT_ID").unwrap_or_default(),
            var("WFM_CXONE_CLIENT_SECRET").unwrap_or_default(),
            var("WFM_CXONE_ACCESS_KEY_ID").unwrap_or_default(),
            var("WFM_CXONE_ACCESS_KEY_SECRET").unwrap_or_default(),
        );
        let issuer = var("WFM_CXONE_ISSUER").unwrap_or_else(|| CXONE_ISSUER.to_owned());
        progress(format!("discovering the tenant at {issuer}"));
        let builder = Platform::builder().rate_limit(RateLimit::per_second(10));
        let (platform, endpoints) = connect(&issuer, key, builder)
            .await
            .map_err(|e| e.to_string())?;
        let backend = UserHubBackend::new(&platform, endpoints.api_endpoint.as_str())
            .map_err(|e| e.to_string())?;
        (backend, Place::Tenant(endpoints.api_endpoint), ctx.dry_run)
    } else {
        let server = MockServer::start().await;
        let tokens = TokenEndpoint::mount(&server, "/auth/token").await;
        let hub = UserHub::mount(&server).await.require_token(&tokens);
        // The tenant today: Sarah as the roster has her, Miles under an old name, Kyle
        // deactivated last year and back now, a leaver, and a local admin we do not manage.
        hub.insert_user(hub_user(
            "CRM_EMP_998877",
            "Sarah",
            "Connor",
            "s.connor@example.com",
            "America/Chicago",
            "wfm_role_team_lead",
        ));
        hub.insert_user(hub_user(
            "CRM_EMP_998879",
            "Miles",
            "Dyson-Old",
            "m.dyson@example.com",
            "America/Los_Angeles",
            "wfm_role_tier2_agent",
        ));
        let mut kyle = hub_user(
            "CRM_EMP_998878",
            "Kyle",
            "Reese",
            "k.reese@example.com",
            "America/Chicago",
            "wfm_role_tier1_agent",
        );
        kyle["status"] = json!("DELETED");
        hub.insert_user(kyle);
        hub.insert_user(hub_user(
            "CRM_EMP_990001",
            "Left",
            "Lastyear",
            "left@example.com",
            "America/Chicago",
            "wfm_role_tier1_agent",
        ));
        hub.insert_user(hub_user(
            "",
            "Local",
            "Admin",
            "admin@example.com",
            "Etc/UTC",
            "role-admin",
        ));
        progress(format!(
            "sandbox: UserHub stand-in holding {} users",
            hub.users().len()
        ));
        let platform = sandbox_platform(&tokens)?;
        let roles = [
            ("wfm_role_tier1_agent", "Tier 1"),
            ("wfm_role_tier2_agent", "Tier 2"),
            ("wfm_role_team_lead", "Team lead"),
        ]
        .into_iter()
        .map(|(id, name)| Role {
            id: id.into(),
            name: name.into(),
        })
        .collect();
        let backend = UserHubBackend::new(&platform, server.uri().as_str())
            .map_err(|e| e.to_string())?
            .with_roles(roles);
        _server = Some((server, hub));
        (backend, Place::Sandbox, false)
    };

    let applied = Arc::new(std::sync::Mutex::new(Vec::<(Action, String)>::new()));
    let seen = Arc::clone(&applied);
    let engine = Engine::new(backend)
        .concurrency(4)
        .dry_run(dry_run)
        .on_progress(move |p| match p {
            CxoneProgress::Planned {
                creates,
                updates,
                reactivations,
                deactivations,
                unchanged,
            } => progress(format!(
                "plan: {creates} to create, {updates} to update, {reactivations} to reactivate, {deactivations} to deactivate, {unchanged} unchanged"
            )),
            CxoneProgress::Applied {
                done,
                total,
                external_id,
                action,
                ok,
            } => {
                if *ok {
                    seen.lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push((*action, external_id.clone()));
                }
                progress(format!(
                    "{done}/{total} {action:?} {external_id}{}",
                    if *ok { "" } else { " FAILED" }
                ))
            }
            _ => {}
        });
    let report = engine.sync(rows, rules).await.map_err(|e| e.to_string())?;
    let c = report.counts;
    let applied = applied
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let ids = |wanted: Action| -> Vec<String> {
        let mut ids: Vec<String> = applied
            .iter()
            .filter(|(a, _)| *a == wanted)
            .map(|(_, id)| id.clone())
            .collect();
        ids.sort();
        ids
    };
    let mut out = StepReport::new(place);
    out.line("created", c.created, ids(Action::Create));
    out.line("updated", c.updated, ids(Action::Update));
    out.line("reactivated", c.reactivated, ids(Action::Reactivate));
    let mut deactivated = ids(Action::Deactivate);
    if !deactivated.is_empty() {
        deactivated.push("(not in the roster: deactivated, never deleted)".into());
    }
    out.line("deactivated", c.deactivated, deactivated);
    out.line("unchanged", c.unchanged, Vec::new());
    out.line(
        "refused",
        c.rejected,
        report.rejected.iter().map(describe_problem).collect(),
    );
    out.line(
        "failed",
        c.failed,
        report
            .errors
            .iter()
            .map(|e| format!("{} {:?}: {}", e.external_id, e.action, e.message))
            .collect(),
    );
    if !report.flagged.is_empty() {
        out.note(format!(
            "sent with a fallback, to review: {}",
            report
                .flagged
                .iter()
                .map(describe_problem)
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    if dry_run {
        out.note("WFM_DRY_RUN: planned only, nothing written");
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// 3. Genesys Cloud

/// A sandbox org: two divisions, one business unit, an agent in each division (the users of
/// the shipped schedule), its activity codes, and this week's schedule at version 7.
fn seed_genesys(org: &GenesysOrg) {
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
        SANDBOX_WEEK,
        json!({"id": "sched-1", "weekDate": SANDBOX_WEEK, "weekCount": 1,
               "description": "Week 10", "published": true,
               "metadata": {"version": 7, "dateModified": "2026-02-27T10:00:00Z"}}),
    );
    for permission in [
        "wfm:businessUnit:view",
        "wfm:agent:view",
        "wfm:schedule:view",
        "wfm:schedule:edit",
        "wfm:schedule:add",
    ] {
        org.grant_everywhere(permission);
    }
}

async fn genesys_step(ctx: &mut Ctx) -> Result<StepReport, String> {
    let schedule = ctx.data(
        "WFM_GENESYS_SCHEDULE",
        "examples/data/genesys/schedule.json",
    );
    let real = real_tenant(Step::Genesys)?;
    let mut _server = None;
    let (mut connection, business_unit, week, place) = if real {
        let (flag, target) = match var("WFM_GENESYS_REGION") {
            Some(region) => ("--region", region),
            None => (
                "--base-url",
                var("WFM_GENESYS_BASE_URL").unwrap_or_default(),
            ),
        };
        (
            vec![flag.to_owned(), target.clone()],
            var("WFM_GENESYS_BUSINESS_UNIT").unwrap_or_default(),
            var("WFM_GENESYS_WEEK").unwrap_or_default(),
            Place::Tenant(target),
        )
    } else {
        let server = MockServer::start().await;
        let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
        let stand_in = GenesysOrg::mount(&server).await.require_token(&tokens);
        seed_genesys(&stand_in);
        progress("sandbox: Genesys Cloud org stand-in (2 divisions, 1 business unit, 2 agents)");
        let connection = vec!["--base-url".to_owned(), server.uri()];
        _server = Some(server);
        (
            connection,
            "bu-1".to_owned(),
            SANDBOX_WEEK.to_owned(),
            Place::Sandbox,
        )
    };
    // The id and secret go through the environment callback, as the push and pull read them.
    let env = move |name: &str| -> Option<String> {
        if !real {
            return match name {
                "GENESYS_CLIENT_ID" => Some("sandbox-client".into()),
                "GENESYS_CLIENT_SECRET" => Some("sandbox-secret".into()),
                _ => None,
            };
        }
        match name {
            "GENESYS_CLIENT_ID" => var("WFM_GENESYS_CLIENT_ID"),
            "GENESYS_CLIENT_SECRET" => var("WFM_GENESYS_CLIENT_SECRET"),
            _ => None,
        }
    };
    connection.extend(["--business-unit".to_owned(), business_unit.clone()]);

    // Push.
    progress(format!(
        "push: {} for the week of {week} (validation, preflight, upload, completion)",
        ctx.show(&schedule)
    ));
    let mut push_args = connection.clone();
    push_args.extend([
        "--week".to_owned(),
        week.clone(),
        "--input".to_owned(),
        schedule.display().to_string(),
        "--timeout".to_owned(),
        "60".to_owned(),
    ]);
    if real && ctx.dry_run {
        push_args.push("--dry-run".to_owned());
    }
    let pushed = genesys_wfm::push::run(push_args, &env).await;
    if pushed.exit_code != 0 {
        return Err(format!(
            "the push ended with exit code {}: {}{}",
            pushed.exit_code,
            pushed.stderr.trim(),
            pushed.stdout.trim()
        ));
    }
    let push: Value = serde_json::from_str(&pushed.stdout)
        .map_err(|e| format!("the push report is not JSON: {e}"))?;
    progress(format!(
        "push: {} {} (operation {})",
        push["flow"].as_str().unwrap_or("?"),
        push["status"].as_str().unwrap_or("?"),
        push["operationId"].as_str().unwrap_or("-")
    ));

    let mut out = StepReport::new(place);

    // Pull: the org applied the completed update, so the week's published shifts are the pushed
    // ones (and those of any agent the push did not carry).
    let start = format!("{week}T00:00:00Z");
    let end = chrono::NaiveDate::parse_from_str(&week, "%Y-%m-%d")
        .map_err(|e| format!("WFM_GENESYS_WEEK {week:?}: {e}"))?
        + Duration::days(7);
    let mut pull_args = connection;
    pull_args.extend([
        "--start".to_owned(),
        start,
        "--end".to_owned(),
        format!("{end}T00:00:00Z"),
    ]);
    progress("pull: the published shifts of the week");
    let pulled = genesys_wfm::pull::run(pull_args, &env).await;
    if pulled.exit_code != 0 {
        return Err(format!(
            "the pull ended with exit code {}: {}",
            pulled.exit_code,
            pulled.stderr.trim()
        ));
    }
    let shifts: Vec<Value> = serde_json::from_str(&pulled.stdout)
        .map_err(|e| format!("the pull output is not JSON: {e}"))?;
    let agents = push["agents"].as_u64().unwrap_or(0) as usize;
    let written = push["shifts"].as_u64().unwrap_or(0) as usize;
    let skipped: Vec<String> = push["skipped"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            format!(
                "{}: no {} in division {}",
                s["userId"].as_str().unwrap_or("?"),
                s["permission"].as_str().unwrap_or("?"),
                s["divisionName"].as_str().unwrap_or("?")
            )
        })
        .collect();
    let flow = push["flow"].as_str().unwrap_or("?");
    out.line(
        if flow == "import" {
            "created"
        } else {
            "updated"
        },
        agents,
        vec![format!(
            "{flow} of schedule {} ({written} shifts), status {}",
            push["scheduleId"].as_str().unwrap_or("-"),
            push["status"].as_str().unwrap_or("?")
        )],
    );
    out.line("refused", skipped.len(), skipped);
    out.line(
        "pulled back",
        shifts.len(),
        shifts
            .iter()
            .map(|s| {
                format!(
                    "{} {} .. {} {}",
                    s["agent"].as_str().unwrap_or("?"),
                    s["start"].as_str().unwrap_or("?"),
                    s["end"].as_str().unwrap_or("?"),
                    s["summary"].as_str().unwrap_or("")
                )
            })
            .collect(),
    );
    out.note(format!(
        "{} API requests, {} retries",
        push["requests"], push["retries"]
    ));
    ctx.shifts_json = Some(pulled.stdout);
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// 4. Outlook

async fn outlook_step(ctx: &mut Ctx) -> Result<StepReport, String> {
    let Some(json) = ctx.shifts_json.clone() else {
        return Err("no shifts: the Genesys step did not run to completion".into());
    };
    let shifts = ical_feed::json::shifts_from_json(&json).map_err(|e| e.to_string())?;
    let mut _server = None;
    let mut stand_in = None;
    let (platform, base, mailbox_map, place, dry_run) = if real_tenant(Step::Outlook)? {
        let tenant = var("WFM_GRAPH_TENANT").unwrap_or_default();
        let map_path = PathBuf::from(var("WFM_GRAPH_MAILBOX_MAP").unwrap_or_default());
        let map: HashMap<String, String> =
            serde_json::from_str(&read(&map_path)?).map_err(|e| {
                format!(
                    "{}: {e} (a JSON object of agent id to UPN)",
                    map_path.display()
                )
            })?;
        let credentials = ClientCredentials::microsoft_graph(
            &tenant,
            var("WFM_GRAPH_CLIENT_ID").unwrap_or_default(),
            var("WFM_GRAPH_CLIENT_SECRET").unwrap_or_default(),
        );
        let platform = graph_platform::<CalendarsReadWrite>(credentials)
            .and_then(|b| Ok(b.build()?))
            .map_err(|e| e.to_string())?;
        (
            platform,
            GRAPH_V1.to_owned(),
            map,
            Place::Tenant(format!("Microsoft Graph, tenant {tenant}")),
            ctx.dry_run,
        )
    } else {
        let server = MockServer::start().await;
        let tokens = TokenEndpoint::mount(&server, "/tenant/oauth2/v2.0/token").await;
        let graph = GraphCalendar::mount(&server).await.require_token(&tokens);
        let map: HashMap<String, String> = shifts
            .iter()
            .map(|s| {
                let agent = s.agent_id().to_owned();
                let upn = format!("{agent}@contoso.example");
                (agent, upn)
            })
            .collect();
        // A person's own event in one of the mailboxes: never touched.
        if let Some(upn) = map.values().min() {
            graph.insert(
                upn,
                json!({"subject": "Dentist", "start": {"dateTime": "2026-03-03T16:00:00", "timeZone": "UTC"},
                       "end": {"dateTime": "2026-03-03T17:00:00", "timeZone": "UTC"}}),
            );
        }
        progress(format!(
            "sandbox: Graph calendars stand-in, {} mailboxes",
            map.len()
        ));
        let credentials = ClientCredentials::new(tokens.url(), "sandbox-client", "sandbox-secret")
            .auth_style(ClientAuth::RequestBody)
            .scope(MICROSOFT_GRAPH_DEFAULT_SCOPE);
        let platform = graph_platform::<CalendarsReadWrite>(credentials)
            .and_then(|b| Ok(b.build()?))
            .map_err(|e| e.to_string())?;
        let base = format!("{}/v1.0/", server.uri());
        stand_in = Some(graph);
        _server = Some(server);
        (platform, base, map, Place::Sandbox, false)
    };
    let client = GraphClient::new(&platform, base.as_str()).map_err(|e| e.to_string())?;
    let backend = GraphBackend::new(client);
    let by_box = by_mailbox(shifts, &mailbox_map);
    let (mut out, requests) = mirror_twice(&backend, &by_box, dry_run, place, "mailboxes").await?;
    if let Some(graph) = &stand_in {
        let untouched = mailbox_map
            .values()
            .flat_map(|upn| graph.events(upn))
            .filter(|e| e["subject"] == "Dentist")
            .count();
        out.line(
            "not ours",
            untouched,
            vec!["a person's own event: left alone".into()],
        );
    }
    out.note(format!(
        "{requests} calendar requests; {} answered 429 and were retried",
        platform.stats().throttled()
    ));
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// 5. Google Calendar

async fn google_step(ctx: &mut Ctx) -> Result<StepReport, String> {
    let Some(json) = ctx.shifts_json.clone() else {
        return Err("no shifts: the Genesys step did not run to completion".into());
    };
    let shifts = ical_feed::json::shifts_from_json(&json).map_err(|e| e.to_string())?;
    let mut _server = None;
    let mut stand_in = None;
    let (key, base, mailbox_map, place, dry_run) = if real_tenant(Step::Google)? {
        let key_path = PathBuf::from(var("WFM_GOOGLE_SERVICE_ACCOUNT").unwrap_or_default());
        let key = ServiceAccountKey::from_file(&key_path).map_err(|e| e.to_string())?;
        let map_path = PathBuf::from(var("WFM_GOOGLE_MAILBOX_MAP").unwrap_or_default());
        let map: HashMap<String, String> =
            serde_json::from_str(&read(&map_path)?).map_err(|e| {
                format!(
                    "{}: {e} (a JSON object of agent id to mailbox)",
                    map_path.display()
                )
            })?;
        (
            key,
            GOOGLE_APIS.to_owned(),
            map,
            Place::Tenant("Google Calendar API, domain-wide delegation".into()),
            ctx.dry_run,
        )
    } else {
        let server = MockServer::start().await;
        let tokens = TokenEndpoint::mount(&server, "/token").await;
        let google = GoogleCalendar::mount(&server).await.require_token(&tokens);
        // A throwaway test key shipped with the example (no real account has it, it is no one's
        // secret); the token endpoint is the stand-in's.
        let key_path = ctx.root.join("examples/data/google/service-account.json");
        let key = ServiceAccountKey::from_json(&read(&key_path)?)
            .map_err(|e| e.to_string())?
            .with_token_uri(tokens.url());
        let map: HashMap<String, String> = shifts
            .iter()
            .map(|s| {
                let agent = s.agent_id().to_owned();
                let mailbox = format!("{agent}@example.com");
                (agent, mailbox)
            })
            .collect();
        // A person's own event in one of the calendars: never touched.
        if let Some(mailbox) = map.values().min() {
            google.insert(
                mailbox,
                json!({"summary": "Dentist", "start": {"dateTime": "2026-03-03T16:00:00Z"},
                       "end": {"dateTime": "2026-03-03T17:00:00Z"}}),
            );
        }
        progress(format!(
            "sandbox: Google Calendar stand-in, {} calendars",
            map.len()
        ));
        let base = server.uri();
        stand_in = Some((google, tokens));
        _server = Some(server);
        (key, base, map, Place::Sandbox, false)
    };
    let platform = google_platform::<CalendarEvents>()
        .build()
        .map_err(|e| e.to_string())?;
    let tokens = delegated_tokens::<CalendarEvents>(key).map_err(|e| e.to_string())?;
    let client = GoogleClient::new(&platform, base.as_str(), tokens).map_err(|e| e.to_string())?;
    let mut backend = GoogleBackend::new(client);
    if let Some(first) = mailbox_map.values().min() {
        // A service account without domain-wide delegation stops here, before any write.
        backend = backend.preflight_as(first.clone());
    }
    let by_box = by_mailbox(shifts, &mailbox_map);
    let (mut out, requests) = mirror_twice(&backend, &by_box, dry_run, place, "calendars").await?;
    if let Some((google, tokens)) = &stand_in {
        let untouched = mailbox_map
            .values()
            .flat_map(|mailbox| google.events(mailbox))
            .filter(|e| e["summary"] == "Dentist")
            .count();
        out.line(
            "not ours",
            untouched,
            vec!["a person's own event: left alone".into()],
        );
        let delegated: usize = mailbox_map
            .values()
            .map(|mailbox| tokens.requests_for(mailbox))
            .sum();
        out.note(format!(
            "{delegated} delegated tokens for {} calendars (one each, reused by both runs)",
            mailbox_map.len()
        ));
    }
    out.note(format!(
        "{requests} calendar requests; {} retried (429s and Google's 403 slow-downs)",
        platform.stats().retries()
    ));
    Ok(out)
}

/// Runs a calendar sync twice, the second run with nothing changed in between (it must write
/// nothing), and reports both in one table; `unit` names the mailboxes ("mailboxes",
/// "calendars"). Answers the table and the calendar requests of both runs.
async fn mirror_twice<B: CalendarBackend>(
    backend: &B,
    by_box: &BTreeMap<String, Vec<ical_feed::Shift>>,
    dry_run: bool,
    place: Place,
    unit: &str,
) -> Result<(StepReport, u64), String> {
    let options = SyncOptions {
        dry_run,
        run_id: "quickstart".into(),
        progress: Some(Arc::new(|p: &MailboxProgress| {
            let MailboxProgress::MailboxDone { mailbox, counts } = p;
            progress(format!(
                "{mailbox}: {} created, {} updated, {} deleted, {} unchanged, {} failed",
                counts.created, counts.updated, counts.deleted, counts.unchanged, counts.failed
            ));
        })),
        ..SyncOptions::default()
    };
    let first = sync(backend, by_box, &options)
        .await
        .map_err(|e| e.to_string())?;
    progress("second run, nothing changed in between");
    let second = sync(backend, by_box, &options)
        .await
        .map_err(|e| e.to_string())?;

    let mut out = StepReport::new(place);
    let n = |v: u64| v as usize;
    out.line(
        "created",
        n(first.counts.created),
        vec![format!("{} {unit}", first.mailboxes)],
    );
    out.line("updated", n(first.counts.updated), Vec::new());
    out.line("deleted", n(first.counts.deleted), Vec::new());
    out.line(
        "unchanged",
        n(second.counts.unchanged),
        vec![format!(
            "second run: {} writes",
            second.counts.created + second.counts.updated + second.counts.deleted
        )],
    );
    out.line(
        "failed",
        first.failures.len() + second.failures.len(),
        first
            .failures
            .iter()
            .chain(&second.failures)
            .map(|f| format!("{}: {}", f.mailbox, f.error))
            .collect(),
    );
    if dry_run {
        out.note("WFM_DRY_RUN: planned only, nothing written");
    }
    Ok((out, first.requests + second.requests))
}

// ---------------------------------------------------------------------------------------------
// 6. iCalendar

/// A key for this run only, unless `WFM_FEED_SECRET` gives one: 32 bytes from the standard
/// library's randomly seeded hasher state (enough for a demo link that expires in 24 hours).
fn feed_secret() -> Result<FeedSecret, String> {
    if let Some(encoded) = var("WFM_FEED_SECRET") {
        return FeedSecret::from_base64(&encoded).map_err(|e| format!("WFM_FEED_SECRET: {e}"));
    }
    use std::hash::{BuildHasher, Hasher};
    let mut bytes = Vec::with_capacity(32);
    for i in 0..4u64 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(i);
        h.write_u128(Instant::now().elapsed().as_nanos());
        bytes.extend_from_slice(&h.finish().to_le_bytes());
    }
    FeedSecret::new(bytes).map_err(|e| e.to_string())
}

async fn ical_step(ctx: &mut Ctx) -> Result<StepReport, String> {
    let Some(json) = ctx.shifts_json.clone() else {
        return Err("no shifts: the Genesys step did not run to completion".into());
    };
    let shifts = ical_feed::json::shifts_from_json(&json).map_err(|e| e.to_string())?;
    let meta = CalendarMeta::new("-//wfm-sdk//quickstart//EN", "Team Europe shifts")
        .map_err(|e| e.to_string())?;
    let options = WriterOptions::utc(UidDomain::new("wfm.example.com").map_err(|e| e.to_string())?);
    let feed = render_to_string(&meta, options, &shifts).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&ctx.out)
        .map_err(|e| format!("cannot create {}: {e}", ctx.out.display()))?;
    let feed_path = ctx.out.join("shifts.ics");
    std::fs::write(&feed_path, &feed)
        .map_err(|e| format!("cannot write {}: {e}", feed_path.display()))?;
    progress(format!(
        "{} events written to {}",
        shifts.len(),
        ctx.show(&feed_path)
    ));

    let key_id = KeyId::new("quickstart").map_err(|e| e.to_string())?;
    let signer = FeedSigner::new(Keyring::new(key_id, feed_secret()?));
    let now = Utc::now();
    let signed = signer.sign_for_lifetime("team-europe", now);
    let base = var("WFM_FEED_URL").unwrap_or_else(|| "https://feeds.example.com/shifts.ics".into());
    let link = signed.url(&base);
    let link_path = ctx.out.join("feed-link.txt");
    std::fs::write(&link_path, format!("{link}\n"))
        .map_err(|e| format!("cannot write {}: {e}", link_path.display()))?;

    // What a feed server does with the link.
    let valid = signer.verify(&link, now).is_ok();
    let tampered = matches!(
        signer.verify(&link.replace("team-europe", "team-asia"), now),
        Err(VerifyError::Tampered)
    );
    let expired = matches!(
        signer.verify(&link, signed.expires_at() + Duration::seconds(1)),
        Err(VerifyError::Expired { .. })
    );
    let shown = match link.rsplit_once("sig=") {
        Some((head, _)) => format!("{head}sig=<redacted>"),
        None => "<redacted>".into(),
    };

    let mut out = StepReport::new(Place::Local);
    out.line(
        "created",
        shifts.len(),
        vec![format!(
            "{} ({} bytes, ETag {})",
            ctx.show(&feed_path),
            feed.len(),
            ical_feed::http::ETag::of(feed.as_bytes())
        )],
    );
    out.line(
        "link",
        1,
        vec![
            shown,
            format!(
                "expires {} (in 24 h); full link in {}",
                signed.expires_at().format("%Y-%m-%d %H:%M UTC"),
                ctx.show(&link_path)
            ),
        ],
    );
    out.line(
        "verified",
        usize::from(valid),
        vec!["the link, now: accepted".into()],
    );
    let refusals = usize::from(tampered) + usize::from(expired);
    out.line(
        "refused",
        refusals,
        vec![
            format!(
                "an altered feed id is refused (Tampered): {}",
                if tampered { "yes" } else { "NO" }
            ),
            format!(
                "the link after its expiry is refused (Expired): {}",
                if expired { "yes" } else { "NO" }
            ),
        ],
    );
    if var("WFM_FEED_SECRET").is_none() {
        out.note("signed with a key made for this run; set WFM_FEED_SECRET (base64) to use yours");
    }
    if !(valid && tampered && expired) {
        return Err("the signed link did not verify as expected".into());
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------

async fn run_step(step: Step, ctx: &mut Ctx) -> Result<StepReport, String> {
    match step {
        Step::Scim => scim_step(ctx).await,
        Step::Cxone => cxone_step(ctx).await,
        Step::Genesys => genesys_step(ctx).await,
        Step::Outlook => outlook_step(ctx).await,
        Step::Google => google_step(ctx).await,
        Step::Ical => ical_step(ctx).await,
    }
}

fn render(n: usize, step: Step, result: &Result<StepReport, String>, out: &mut String) {
    let place = match result {
        Ok(r) => match &r.place {
            Place::Sandbox => "sandbox".to_owned(),
            Place::Tenant(t) => format!("real tenant: {t}"),
            Place::Local => "local files".to_owned(),
        },
        Err(_) => "FAILED".to_owned(),
    };
    let _ = writeln!(out, "\n{n}. {} [{place}]", step.title());
    match result {
        Err(e) => {
            let _ = writeln!(out, "   error: {e}");
        }
        Ok(r) => {
            let width = r.lines.iter().map(|l| l.outcome.len()).max().unwrap_or(7);
            let _ = writeln!(out, "   {:<width$} | count | details", "outcome");
            let _ = writeln!(out, "   {:-<width$}-+-------+--------", "");
            for line in &r.lines {
                let mut details = line.details.iter();
                let _ = writeln!(
                    out,
                    "   {:<width$} | {:>5} | {}",
                    line.outcome,
                    line.count,
                    details.next().map_or("", String::as_str)
                );
                for more in details {
                    let _ = writeln!(out, "   {:<width$} | {:>5} | {more}", "", "");
                }
            }
            for note in &r.notes {
                let _ = writeln!(out, "   note: {note}");
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let started = Instant::now();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out =
        var("WFM_QUICKSTART_OUT").map_or_else(|| root.join("target/quickstart"), PathBuf::from);
    let mut ctx = Ctx {
        root,
        out,
        dry_run: var("WFM_DRY_RUN").is_some_and(|v| v != "0"),
        shifts_json: None,
    };
    eprintln!(
        "wfm-sdk quickstart: {} steps; each runs on local stand-ins unless its WFM_* variables are set",
        STEPS.len()
    );
    let mut results = Vec::new();
    for (i, step) in STEPS.into_iter().enumerate() {
        let prefix = step.prefix();
        let mode = match real_tenant(step) {
            Ok(true) => "on the real tenant".to_owned(),
            Ok(false) if step.required().is_empty() => "local files".to_owned(),
            Ok(false) => format!("on the sandbox (no {prefix}_* variables set)"),
            Err(_) => "variables incomplete".to_owned(),
        };
        eprintln!("[{}/{}] {} -- {mode}", i + 1, STEPS.len(), step.title());
        let t = Instant::now();
        let result = run_step(step, &mut ctx).await;
        match &result {
            Ok(_) => eprintln!("  done in {} ms", t.elapsed().as_millis()),
            Err(e) => eprintln!("  FAILED: {e}"),
        }
        results.push((step, result));
    }

    let mut summary = String::from("wfm-sdk quickstart: summary");
    for (i, (step, result)) in results.iter().enumerate() {
        render(i + 1, *step, result, &mut summary);
    }
    let failed = results.iter().filter(|(_, r)| r.is_err()).count();
    let _ = writeln!(
        summary,
        "\n{} of {} steps ran; {} failed ({:.1} s).",
        results.len() - failed,
        results.len(),
        failed,
        started.elapsed().as_secs_f64()
    );
    print!("{summary}");
    std::process::exit(i32::from(failed > 0));
}
