//! Mirrors WFM shifts into Outlook calendars through Microsoft Graph, one way and without
//! loops, and prints the report as JSON on stdout.
//!
//! ```text
//! cargo run -q --example graph_calendar_sync -- --tenant T --client-id ID --client-secret SECRET \
//!     [--base-url URL --token-url URL] --input examples/data/graph/shifts.json \
//!     [--mailbox-map examples/data/graph/mailbox_map.json] [--conflict keep|busy|override] [--dry-run] [--batch]
//! ```
//!
//! - Input: the `ics_feed` example's JSON array of shifts (`id`, `agent` as an id or
//!   `{"id", "name"}`, `start`, `end`, `last_modified`, optional `timezone` (the event's display
//!   zone, IANA), `summary`, `description`, `location`, `categories`, `status`: a `cancelled`
//!   shift has no event).
//! - Mailbox: the agent id as the Graph user id, unless `--mailbox-map` (a JSON object agent
//!   id → UPN) maps it.
//! - The app needs the application permission `Calendars.ReadWrite` with admin consent; the
//!   secret may come from `GRAPH_CLIENT_SECRET` instead of the command line.
//! - `--conflict keep` (default) adds ours beside people's events, shown tentative; `busy` shows
//!   ours busy. `override` also deletes people's own busy events that overlap a shift, after
//!   ours are written; it runs only with `--allow-deleting-their-events` (the risk is stated
//!   on `calendar_sync::ConflictPolicy::Override`), and the report counts them as `displaced`.
//! - `--batch` sends each mailbox's writes as `$batch`es of up to 20.
//!
//! Report: `{"mailboxes","created","updated","deleted","unchanged","failed","displaced","requests","throttled","dry_run"}`
//! (`requests` counts calendar operations; `throttled` the 429 answers the transport received
//! and retried). Exit codes: 0 all applied; 1 some failed (listed on stderr); 2 bad arguments, bad
//! input (end before start, unknown time zone, malformed JSON) or a token without
//! `Calendars.ReadWrite`, with nothing written. The logic is `calendar_graph::cli`.

#[tokio::main]
async fn main() {
    let secret = std::env::var("GRAPH_CLIENT_SECRET").ok();
    let outcome = calendar_graph::cli::run(std::env::args().skip(1), secret).await;
    if !outcome.stdout.is_empty() {
        println!("{}", outcome.stdout);
    }
    if !outcome.stderr.is_empty() {
        eprintln!("{}", outcome.stderr.trim_end());
    }
    std::process::exit(outcome.exit_code);
}
