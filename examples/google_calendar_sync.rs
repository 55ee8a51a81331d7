//! Mirrors WFM shifts into Google Calendar, one way and without loops, with a service account
//! and domain-wide delegation, and prints the report as JSON on stdout.
//!
//! ```text
//! cargo run -q --example google_calendar_sync -- --service-account key.json \
//!     --input examples/data/google/shifts.json [--mailbox-map examples/data/google/mailbox_map.json] \
//!     [--base-url URL --token-url URL] [--conflict keep|busy|override --allow-deleting-their-events] \
//!     [--batch N] [--dry-run]
//! ```
//!
//! - Input: the `ics_feed` example's JSON array of shifts (`id`, `agent` as an id or
//!   `{"id", "name"}`, `start`, `end`, `last_modified`, optional `timezone` (the event's display
//!   zone, IANA), `summary`, `description`, `location`, `categories`, `status`: a `cancelled`
//!   shift has no event).
//! - Mailbox: the agent id taken as the user's email address, unless `--mailbox-map` (a JSON
//!   object agent id → email address) maps it. Events go to each user's primary calendar.
//! - `--service-account`: the JSON key file Google issued for the service account. A super
//!   administrator must authorise its client id for
//!   `https://www.googleapis.com/auth/calendar.events` under domain-wide delegation in the
//!   Google Admin console (Security > Access and data control > API controls).
//! - `--base-url` (default `https://www.googleapis.com/`) and `--token-url` (default the key
//!   file's `token_uri`) point at a stand-in.
//! - `--conflict keep` (default) adds ours beside people's events without blocking time
//!   (`transparency: transparent`); `busy` makes ours block time. `override` deletes a person's
//!   busy events that overlap a shift (Google marks them `cancelled`; this tool never restores
//!   them) and runs only with `--allow-deleting-their-events`.
//! - `--batch N` sends each mailbox's writes as batches of up to N calls (50 is Google's
//!   advice); each call still counts against the per-user limit.
//!
//! Report: `{"mailboxes","created","updated","deleted","unchanged","displaced","failed",
//! "requests","throttled","retries","dry_run"}` (`requests` counts calendar operations;
//! `displaced`: people's events deleted under `override`). Exit codes: 0 all
//! applied; 1 some failed (listed on stderr); 2 bad arguments, a bad key file, bad input (end
//! before start, unknown time zone, malformed JSON) or a delegation the token endpoint refuses,
//! with nothing written. The logic is `calendar_google::cli`.

#[tokio::main]
async fn main() {
    let outcome = calendar_google::cli::run(std::env::args().skip(1)).await;
    if !outcome.stdout.is_empty() {
        println!("{}", outcome.stdout);
    }
    if !outcome.stderr.is_empty() {
        eprintln!("{}", outcome.stderr.trim_end());
    }
    std::process::exit(outcome.exit_code);
}
