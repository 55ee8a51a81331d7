//! Syncs an HRIS roster (CSV or JSON) into NICE CXone WFM users through the WFM user-sync
//! contract, and prints the report as JSON on stdout.
//!
//! ```text
//! cargo run -q --example cxone_user_sync -- --base-url URL [--token-url URL] \
//!     --client-id ID --client-secret SECRET --roster examples/data/cxone/roster.csv \
//!     --role-map examples/data/cxone/roles.json [--fallback-role ID] [--fallback-timezone TZ] \
//!     [--dry-run] [--max-deactivations N] [--concurrency N] [--max-rate N]
//! ```
//!
//! - `--base-url URL`: the API host; `/api/wfm/v2/users` and `/api/wfm/v2/roles` are appended.
//! - `--token-url URL`: the OAuth token endpoint (default `{base-url}/oauth/token`); the client
//!   id and secret are sent in the form body (client credentials, as the guide shows). The
//!   secret may come from `CXONE_CLIENT_SECRET` instead (a secret on the command line is
//!   visible to other users of the machine). The token must be granted `wfm.users.read`,
//!   `wfm.users.write` and `wfm.roles.read`.
//! - `--roster FILE`: CSV with the header
//!   `externalId,firstName,lastName,email,timezone,jobCode,skills,location,managerExternalId`
//!   (skills as `Name:Proficiency` pairs joined by `;`), or a `.json` array of objects with the
//!   same keys (skills as `{"skillName", "proficiency"}` objects). Everyone in it is meant to be
//!   active.
//! - `--role-map FILE`: a JSON object of job code to WFM role id.
//! - `--fallback-role ID`: the role of rows whose job code is unmapped or whose role the server
//!   does not have (the guide's "Unmapped" role); without it, such rows are refused.
//! - `--fallback-timezone TZ`: the zone of rows whose zone is ambiguous (`GMT-06:00`) or
//!   unknown (default `Etc/UTC`); those rows are flagged for review.
//! - `--dry-run`: read, validate and plan; the report holds the plan; nothing is written.
//! - `--max-deactivations N`: replaces the guard's limit (default: more than the larger of 50
//!   and 10% of the active users stops the run before any write).
//! - `--concurrency N`: writes in flight at once (default 8).
//! - `--max-rate N`: at most N requests per second (default: no client-side limit; set it a
//!   little under the tenant's limit: a 429's `Retry-After` holds the whole run).
//!
//! Progress goes to stderr: a bar when stderr is a terminal, plain lines otherwise.
//!
//! Exit codes: 0 every row applied; 1 some rows were refused or failed (listed in the report),
//! or the server could not be read; 2 bad arguments or input, or a tripped guard (nothing
//! written). The logic lives in `cxone_wfm::cli`, which the tests run.

use cxone_wfm::cli::{ProgressOut, run};

#[tokio::main]
async fn main() {
    let secret = std::env::var("CXONE_CLIENT_SECRET").ok();
    // An indicatif bar on stderr when it is a terminal, plain progress lines otherwise.
    let outcome = run(std::env::args().skip(1), secret, ProgressOut::for_stderr()).await;
    if !outcome.stdout.is_empty() {
        println!("{}", outcome.stdout);
    }
    if !outcome.stderr.is_empty() {
        eprintln!("{}", outcome.stderr);
    }
    std::process::exit(outcome.exit_code);
}
