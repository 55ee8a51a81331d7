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
//! ([`ConflictPolicy::Override`](crate::sync::ConflictPolicy::Override), whose documentation
//! states the risk); it runs only together with `--allow-deleting-their-events`, and the
//! report then counts them as `displaced`.

use std::collections::HashMap;

use wfm_auth::scope::graph::CalendarsReadWrite;
use wfm_auth::{ClientAuth, ClientCredentials, MICROSOFT_GRAPH_DEFAULT_SCOPE, MICROSOFT_TOKEN_URL};

use calendar_sync::cli;

use crate::sync::{SyncOptions, by_mailbox, sync};
use crate::{Client, Error, GRAPH_V1, GraphBackend, graph_platform};

pub use calendar_sync::cli::Outcome;

const USAGE: &str = "usage: graph_calendar_sync --tenant T --client-id ID --client-secret SECRET [--base-url URL --token-url URL] --input shifts.json [--mailbox-map map.json] [--conflict keep|busy|override --allow-deleting-their-events] [--dry-run] [--batch]";

fn usage(msg: impl std::fmt::Display) -> Outcome {
    Outcome::usage(msg, USAGE)
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
    let conflict = match cli::conflict_policy(
        flags.get("--conflict").map(String::as_str),
        allow_deleting,
        "recoverable from Deleted Items for a while, never restored by this tool",
    ) {
        Ok(c) => c,
        Err(e) => return usage(e),
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
    let shifts = match cli::read_shifts(input) {
        Ok(s) => s,
        Err(e) => return usage(e),
    };
    let map = match cli::read_mailbox_map(flags.get("--mailbox-map").map(String::as_str), "UPN") {
        Ok(m) => m,
        Err(e) => return usage(e),
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
        progress: Some(cli::progress_lines()),
        run_id: cli::run_id(),
        ..SyncOptions::default()
    };
    let grouped = by_mailbox(shifts, &map);
    let result = sync(&backend, &grouped, &options).await;
    // 429 answers the platform's transports received (retried inside the transport).
    let throttled = platform.stats().throttled();
    cli::finish(
        result,
        &[("throttled", throttled)],
        dry_run,
        |e| matches!(e, Error::MissingPermission { .. }),
        USAGE,
    )
}
