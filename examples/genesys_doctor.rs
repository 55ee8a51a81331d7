//! What a Genesys Cloud token is, and which WFM operations its OAuth client may call in which
//! divisions: the first thing to run when a schedule push gets a 403 for some agents only.
//!
//! ```text
//! cargo run -q --example genesys_doctor -- (--region REGION | --base-url URL [--login-url URL]) \
//!     --client-id ID --client-secret SECRET [--business-unit BU] [--json]
//! ```
//!
//! - `--region`: an official region (`eu-central-1`, `us-east-1`, ...); `--base-url`: the API root
//!   instead (`http://127.0.0.1:PORT` for a stand-in; the client appends `/api/v2/...`), with the
//!   login URL derived as the official SDKs do or given with `--login-url`.
//! - The id and secret may come from `GENESYS_CLIENT_ID` / `GENESYS_CLIENT_SECRET`.
//! - `--business-unit BU`: also run the permission preflight on the unit's agents (read, update
//!   and import schedules), per division of its management units.
//!
//! It prints the org and OAuth client, then every WFM operation of the SDK with its permissions
//! and the divisions where they are missing. Exit codes: 0 nothing missing, 1 something missing,
//! 2 bad arguments, 3 the org could not be asked. The logic lives in `genesys_wfm::doctor`.

#[tokio::main]
async fn main() {
    let outcome =
        genesys_wfm::doctor::run(std::env::args().skip(1), |k| std::env::var(k).ok()).await;
    if !outcome.stdout.is_empty() {
        println!("{}", outcome.stdout);
    }
    if !outcome.stderr.is_empty() {
        eprintln!("{}", outcome.stderr);
    }
    std::process::exit(outcome.exit_code);
}
