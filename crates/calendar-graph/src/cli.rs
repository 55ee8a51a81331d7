//! The `graph_calendar_sync` example's logic, here so that tests run it in-process: arguments,
//! input, one sync run, the JSON report and the exit code.
//!
//! ```text
//! graph_calendar_sync --tenant T --client-id ID --client-secret SECRET
//!     [--base-url URL --token-url URL] --input shifts.json [--mailbox-map map.json]
//!     [--conflict keep|busy|override --allow-deleting-their-events] [--dry-run] [--batch]
//! ```
//!
//! `--conflict override` deletes a person's own events that overlap a shift
//! ([`ConflictPolicy::Override`], whose documentation states the risk); it runs only together
//! with `--allow-deleting-their-events`, and the report then counts them as `displaced`.

use std::collections::HashMap;
use std::sync::Arc;

use wfm_auth::scope::graph::CalendarsReadWrite;
use wfm_auth::{ClientAuth, ClientCredentials, MICROSOFT_GRAPH_DEFAULT_SCOPE, MICROSOFT_TOKEN_URL};

use crate::sync::{ConflictPolicy, Progress, SyncError, SyncOptions, by_mailbox, sync};
use crate::{Client, Error, GRAPH_V1, GraphBackend, graph_platform};

/// What the program prints and how it exits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The report (JSON), or nothing.
    pub stdout: String,
    /// Messages.
    pub stderr: String,
    /// 0 all applied, 1 some failed, 2 bad arguments, bad input or a token without
    /// `Calendars.ReadWrite` (nothing written).
    pub exit_code: i32,
}

fn usage(msg: impl std::fmt::Display) -> Outcome {
    Outcome {
        stdout: String::new(),
        stderr: format!(
            "{msg}\nusage: graph_calendar_sync --tenant T --client-id ID --client-secret SECRET [--base-url URL --token-url URL] --input shifts.json [--mailbox-map map.json] [--conflict keep|busy|override --allow-deleting-their-events] [--dry-run] [--batch]"
        ),
        exit_code: 2,
    }
}

/// Runs the program with `args` (without the program name). `secret` is the client secret
/// from the environment (`GRAPH_CLIENT_SECRET`), used when `--client-secret` is absent.
pub async fn run(args: impl IntoIterator<Item = String>, secret: Option<String>) -> Outcome {
    let mut flags: HashMap<String, String> = HashMap::new();
    let mut dry_run = false;
    let mut batch = false;
    let mut allow_deleting = false;
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--dry-run" => dry_run = true,
            "--batch" => batch = true,
            "--allow-deleting-their-events" => allow_deleting = true,
            "--tenant" | "--client-id" | "--client-secret" | "--base-url" | "--token-url"
            | "--input" | "--mailbox-map" | "--conflict" => match args.next() {
                Some(v) => {
                    flags.insert(a, v);
                }
                None => return usage(format!("{a} needs a value")),
            },
            other => return usage(format!("unknown argument {other:?}")),
        }
    }
    let conflict = match flags.get("--conflict").map(String::as_str) {
        None | Some("keep") => ConflictPolicy::Keep,
        Some("busy") => ConflictPolicy::Busy,
        Some("override") if allow_deleting => ConflictPolicy::Override,
        Some("override") => {
            return usage(
                "--conflict override deletes people's own events that overlap a shift (recoverable from Deleted Items for a while, never restored by this tool); add --allow-deleting-their-events to accept that, or use keep or busy",
            );
        }
        Some(other) => return usage(format!("unknown conflict policy {other:?}")),
    };
    let (Some(client_id), Some(input)) = (flags.get("--client-id"), flags.get("--input")) else {
        return usage("--client-id and --input are required");
    };
    let Some(secret) = flags.get("--client-secret").cloned().or(secret) else {
        return usage("--client-secret (or GRAPH_CLIENT_SECRET) is required");
    };
    let token_url = match (flags.get("--token-url"), flags.get("--tenant")) {
        (Some(url), _) => url.clone(),
        (None, Some(t)) => MICROSOFT_TOKEN_URL.replace("{tenant}", t),
        (None, None) => return usage("--tenant (or --token-url) is required"),
    };
    let text = match std::fs::read_to_string(input) {
        Ok(t) => t,
        Err(e) => return usage(format!("cannot read {input}: {e}")),
    };
    let shifts = match ical_feed::json::shifts_from_json(&text) {
        Ok(s) => s,
        Err(e) => return usage(format!("{input}: {e}")),
    };
    let map: HashMap<String, String> = match flags.get("--mailbox-map") {
        None => HashMap::new(),
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(m) => m,
            Err(e) => {
                return usage(format!(
                    "{path}: {e} (expected a JSON object of agent id to UPN)"
                ));
            }
        },
    };
    let credentials = ClientCredentials::new(token_url, client_id.clone(), secret)
        .auth_style(ClientAuth::RequestBody)
        .scope(MICROSOFT_GRAPH_DEFAULT_SCOPE);
    let platform =
        match graph_platform::<CalendarsReadWrite>(credentials).and_then(|b| Ok(b.build()?)) {
            Ok(p) => p,
            Err(e) => return usage(e),
        };
    let base = flags
        .get("--base-url")
        .map(String::as_str)
        .unwrap_or(GRAPH_V1);
    let client = match Client::new(&platform, base) {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    let backend = GraphBackend::new(client).batching(batch);
    let options = SyncOptions {
        conflict,
        dry_run,
        // Progress on stderr, one line per mailbox.
        progress: Some(Arc::new(|p: &Progress| {
            let Progress::MailboxDone { mailbox, counts } = p;
            eprintln!(
                "{mailbox}: {} created, {} updated, {} deleted, {} unchanged, {} failed",
                counts.created, counts.updated, counts.deleted, counts.unchanged, counts.failed
            );
        })),
        run_id: format!("{:?}", std::time::SystemTime::now()),
        ..SyncOptions::default()
    };
    let grouped = by_mailbox(shifts, &map);
    match sync(&backend, &grouped, &options).await {
        Ok(report) => {
            let mut stderr = String::new();
            for f in &report.failures {
                stderr.push_str(&format!(
                    "{} {}: {}\n",
                    f.mailbox,
                    f.shift_id.as_deref().unwrap_or("(list)"),
                    f.error
                ));
            }
            let json = serde_json::json!({
                "mailboxes": report.mailboxes,
                "created": report.counts.created,
                "updated": report.counts.updated,
                "deleted": report.counts.deleted,
                "unchanged": report.counts.unchanged,
                "failed": report.counts.failed,
                // People's own events deleted under `--conflict override` (else 0).
                "displaced": report.counts.displaced,
                "requests": report.requests,
                // 429 answers the platform's transports received (retried inside the transport).
                "throttled": platform.stats().throttled(),
                "dry_run": dry_run,
            });
            Outcome {
                stdout: json.to_string(),
                stderr,
                exit_code: if report.counts.failed == 0 { 0 } else { 1 },
            }
        }
        Err(SyncError::Input { shift_id, source }) => {
            usage(format!("shift {shift_id:?}: {source}"))
        }
        Err(SyncError::Backend(e @ Error::MissingPermission { .. })) => Outcome {
            stdout: String::new(),
            stderr: e.to_string(),
            exit_code: 2,
        },
        Err(e) => Outcome {
            stdout: String::new(),
            stderr: e.to_string(),
            exit_code: 1,
        },
    }
}
