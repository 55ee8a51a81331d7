//! The `google_calendar_sync` example's logic, here so that tests run it in-process: arguments,
//! input, one sync run, the JSON report and the exit code.
//!
//! ```text
//! google_calendar_sync --service-account key.json --input shifts.json [--mailbox-map map.json]
//!     [--base-url URL --token-url URL] [--conflict keep|busy|override --allow-deleting-their-events]
//!     [--batch N] [--dry-run]
//! ```
//!
//! `--conflict override` deletes a person's own events that overlap a shift
//! ([`ConflictPolicy::Override`], whose documentation states the risk: Google marks them
//! `cancelled`, this tool never restores them); it runs only together with
//! `--allow-deleting-their-events`, and the report then counts them as `displaced`.

use std::collections::HashMap;
use std::sync::Arc;

use calendar_sync::{ConflictPolicy, Progress, SyncError, SyncOptions, by_mailbox, sync};
use wfm_auth::AuthError;
use wfm_auth::google::ServiceAccountKey;

use crate::{
    CalendarEvents, Client, Error, GOOGLE_APIS, GoogleBackend, delegated_tokens, google_platform,
};

/// What the program prints and how it exits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The report (JSON), or nothing.
    pub stdout: String,
    /// Messages.
    pub stderr: String,
    /// 0 all applied, 1 some failed, 2 bad arguments, a bad key file, bad input, or a service
    /// account whose domain-wide delegation is refused (nothing written).
    pub exit_code: i32,
}

const USAGE: &str = "usage: google_calendar_sync --service-account key.json --input shifts.json [--mailbox-map map.json] [--base-url URL --token-url URL] [--conflict keep|busy|override --allow-deleting-their-events] [--batch N] [--dry-run]";

fn usage(msg: impl std::fmt::Display) -> Outcome {
    Outcome {
        stdout: String::new(),
        stderr: format!("{msg}\n{USAGE}"),
        exit_code: 2,
    }
}

/// Runs the program with `args` (without the program name).
pub async fn run(args: impl IntoIterator<Item = String>) -> Outcome {
    let mut flags: HashMap<String, String> = HashMap::new();
    let mut dry_run = false;
    let mut allow_deleting = false;
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--dry-run" => dry_run = true,
            "--allow-deleting-their-events" => allow_deleting = true,
            "--service-account" | "--base-url" | "--token-url" | "--input" | "--mailbox-map"
            | "--conflict" | "--batch" => match args.next() {
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
                "--conflict override deletes people's own events that overlap a shift (Google marks them cancelled; this tool never restores them); add --allow-deleting-their-events to accept that, or use keep or busy",
            );
        }
        Some(other) => return usage(format!("unknown conflict policy {other:?}")),
    };
    let batch = match flags.get("--batch").map(|b| b.parse::<usize>()) {
        None => 0,
        Some(Ok(n)) if n <= crate::batch::MAX_BATCH => n,
        Some(_) => {
            return usage(format!(
                "--batch takes 0 to {} calls",
                crate::batch::MAX_BATCH
            ));
        }
    };
    let (Some(key_path), Some(input)) = (flags.get("--service-account"), flags.get("--input"))
    else {
        return usage("--service-account and --input are required");
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
                    "{path}: {e} (expected a JSON object of agent id to email address)"
                ));
            }
        },
    };
    // The key never appears in messages: its errors name the field only.
    let mut key = match ServiceAccountKey::from_file(key_path) {
        Ok(k) => k,
        Err(e) => return usage(format!("{key_path}: {e}")),
    };
    if let Some(url) = flags.get("--token-url") {
        key = key.with_token_uri(url.clone());
    }
    let platform = match google_platform::<CalendarEvents>().build() {
        Ok(p) => p,
        Err(e) => return usage(e),
    };
    let base = flags
        .get("--base-url")
        .map(String::as_str)
        .unwrap_or(GOOGLE_APIS);
    let client = match delegated_tokens::<CalendarEvents>(key)
        .and_then(|tokens| Client::new(&platform, base, tokens))
    {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    let grouped = by_mailbox(shifts, &map);
    let mut backend = GoogleBackend::new(client).batching(batch);
    if let Some(first) = grouped.keys().next() {
        backend = backend.preflight_as(first.clone());
    }
    let options = SyncOptions {
        conflict,
        dry_run,
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
                // People's own events deleted under `--conflict override` (else 0).
                "displaced": report.counts.displaced,
                "failed": report.counts.failed,
                "requests": report.requests,
                // 429 answers the platform's transports received (403 slow-downs are retried
                // too, and counted in the platform's retries).
                "throttled": platform.stats().throttled(),
                "retries": platform.stats().retries(),
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
        Err(SyncError::Backend(e)) => Outcome {
            stdout: String::new(),
            exit_code: if refused(&e) { 2 } else { 1 },
            stderr: e.to_string(),
        },
        Err(e) => Outcome {
            stdout: String::new(),
            stderr: e.to_string(),
            exit_code: 1,
        },
    }
}

/// A refusal nothing but a configuration change fixes: delegation, scopes, the key.
fn refused(e: &Error) -> bool {
    matches!(e, Error::InsufficientPermissions { .. })
        || matches!(
            wfm_auth::ErrorMetadata::as_auth(e),
            Some(
                AuthError::DelegationRefused { .. }
                    | AuthError::InvalidClient { .. }
                    | AuthError::InvalidGrant { .. }
                    | AuthError::UnauthorizedClient { .. }
                    | AuthError::ServiceAccountKey { .. }
            )
        )
}
