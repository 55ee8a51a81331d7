//! Pushes a week of agent schedules to a Genesys Cloud business unit: validation, permission
//! preflight per division, then the upload flow (update when the week has a schedule, import
//! otherwise), completed on the notification websocket. Prints the report as JSON.
//!
//! ```text
//! cargo run -q --example genesys_schedule_push -- (--region REGION | --base-url URL [--login-url URL]) \
//!     --client-id ID --client-secret SECRET --business-unit BU --week 2026-03-02 \
//!     --input examples/data/genesys/schedule.json [--dry-run] [--skip-unpermitted] [--timeout SECONDS]
//! ```
//!
//! The id and secret may come from `GENESYS_CLIENT_ID` / `GENESYS_CLIENT_SECRET`. The input is in
//! Genesys' own shape: `{"description"?, "agentSchedules": [{"userId", "shifts": [{"startDate",
//! "lengthMinutes", "activities": [{"startDate", "lengthMinutes", "activityCodeId",
//! "description"}]}], "fullDayTimeOffMarkers"?}]}`.
//!
//! Nothing is written unless the whole input is valid (unknown user or activity code, an activity
//! outside its shift, overlapping shifts, a shift outside the week in the business unit's time
//! zone, malformed JSON: exit 2 naming the agent and shift) and the OAuth client holds
//! `wfm:schedule:edit` (update) or `wfm:schedule:add` (import) in every agent's division (exit 2
//! naming the permission, the division, every blocked agent and the fix; `--skip-unpermitted`
//! pushes the others and lists the skipped). Report: `{"flow", "scheduleId", "operationId",
//! "status", "agents", "shifts", "skipped", "requests", "retries"}`. Exit 0 complete with nothing
//! skipped; 1 on `Error`, `Canceled`, a timeout or skipped agents; 2 bad arguments, bad input or a
//! failed preflight; 3 the org could not be read. The logic lives in `genesys_wfm::push`.

#[tokio::main]
async fn main() {
    let outcome = genesys_wfm::push::run(std::env::args().skip(1), |k| std::env::var(k).ok()).await;
    if !outcome.stdout.is_empty() {
        println!("{}", outcome.stdout);
    }
    if !outcome.stderr.is_empty() {
        eprintln!("{}", outcome.stderr);
    }
    std::process::exit(outcome.exit_code);
}
