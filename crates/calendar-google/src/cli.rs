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
//! ([`ConflictPolicy::Override`](calendar_sync::ConflictPolicy::Override), whose documentation states the risk: Google marks them
//! `cancelled`, this tool never restores them); it runs only together with
//! `--allow-deleting-their-events`, and the report then counts them as `displaced`.

use std::collections::HashMap;

use calendar_sync::cli;
use calendar_sync::{SyncOptions, by_mailbox, sync};
use wfm_auth::AuthError;
use wfm_auth::google::ServiceAccountKey;

use crate::{
    CalendarEvents, Client, Error, GOOGLE_APIS, GoogleBackend, delegated_tokens, google_platform,
};

pub use calendar_sync::cli::Outcome;

const USAGE: &str = "usage: google_calendar_sync --service-account key.json --input shifts.json [--mailbox-map map.json] [--base-url URL --token-url URL] [--conflict keep|busy|override --allow-deleting-their-events] [--batch N] [--dry-run]";

fn usage(msg: impl std::fmt::Display) -> Outcome {
    Outcome::usage(msg, USAGE)
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
    let conflict = match cli::conflict_policy(
        flags.get("--conflict").map(String::as_str),
        allow_deleting,
        "Google marks them cancelled; this tool never restores them",
    ) {
        Ok(c) => c,
        Err(e) => return usage(e),
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
    let shifts = match cli::read_shifts(input) {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    let map = match cli::read_mailbox_map(
        flags.get("--mailbox-map").map(String::as_str),
        "email address",
    ) {
        Ok(m) => m,
        Err(e) => return usage(e),
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
        progress: Some(cli::progress_lines()),
        run_id: cli::run_id(),
        ..SyncOptions::default()
    };
    let result = sync(&backend, &grouped, &options).await;
    let stats = platform.stats();
    cli::finish(
        result,
        // 429 answers the platform's transports received; 403 slow-downs are retried too, and
        // counted in the platform's retries.
        &[
            ("throttled", stats.throttled()),
            ("retries", stats.retries()),
        ],
        dry_run,
        refused,
        USAGE,
    )
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
