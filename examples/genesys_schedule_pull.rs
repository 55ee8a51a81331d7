//! Writes the published shifts of a Genesys Cloud business unit in a range as the JSON array the
//! `ics_feed` example reads, so that `genesys_schedule_pull | ics_feed` is a calendar feed of an
//! org's published schedules.
//!
//! ```text
//! cargo run -q --example genesys_schedule_pull -- (--region REGION | --base-url URL [--login-url URL]) \
//!     --client-id ID --client-secret SECRET --business-unit BU \
//!     --start 2026-03-02T00:00:00Z --end 2026-03-09T00:00:00Z [--users ID,ID] > shifts.json
//! cargo run -q --example ics_feed -- --input shifts.json > shifts.ics
//! ```
//!
//! The id and secret may come from `GENESYS_CLIENT_ID` / `GENESYS_CLIENT_SECRET`. Each shift:
//! `id` (shift id), `agent` (user id), `start`, `end`, `last_modified` (the `dateModified` of the
//! week schedule it belongs to), `summary` (its activities). The output is sorted, and the same
//! bytes whether Genesys answered the search inline or by `downloadUrl`. Exit codes: 0 written,
//! 2 bad arguments, 3 the org could not be read. The logic lives in `genesys_wfm::pull`.

#[tokio::main]
async fn main() {
    let outcome = genesys_wfm::pull::run(std::env::args().skip(1), |k| std::env::var(k).ok()).await;
    if !outcome.stdout.is_empty() {
        println!("{}", outcome.stdout);
    }
    if !outcome.stderr.is_empty() {
        eprintln!("{}", outcome.stderr);
    }
    std::process::exit(outcome.exit_code);
}
