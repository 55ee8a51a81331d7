//! Provisions the users of a Zendesk users export into a SCIM 2.0 service provider (Genesys
//! Cloud, NICE CXone or any RFC 7644 server) and prints the report as JSON on stdout.
//!
//! ```text
//! cargo run -q --example scim_provision -- --base-url URL --token TOKEN \
//!     --input examples/data/zendesk_users.json [--dry-run] [--flavor generic|genesys|cxone] \
//!     [--concurrency N] [--include-end-users]
//! ```
//!
//! - `--base-url URL`: the SCIM base URL (`http://127.0.0.1:8080/v2` for `scim2-server`), or the
//!   platform's API host with `--flavor genesys` (`https://api.mypurecloud.de`) or `--flavor cxone`.
//! - `--token TOKEN`: a bearer token; without it, the `SCIM_TOKEN` environment variable (better:
//!   a token on the command line is visible to other users of the machine).
//! - `--input FILE`: the JSON of Zendesk's `GET /api/v2/users` (`{"users": [...]}`) or an array.
//! - `--dry-run`: search only, write nothing; the report says what would be created and updated.
//!
//! Each user is matched by `externalId` (Zendesk `external_id`, else its `id`): created when
//! missing, replaced only when a managed attribute differs, left alone otherwise, so running
//! twice reports `"created": 0, "updated": 0` the second time. Bad rows (no email, invalid email,
//! unknown role, a `role_type` that contradicts the `role`) are listed under `"failed"` and do
//! not stop the run; Zendesk end-users and shared agents of another Zendesk instance are
//! `"skipped"`; deleted (`"active": false`) and suspended (`"suspended": true`) agents are
//! provisioned inactive, with a warning (mapping table: `docs/scim.md`). A 401, a 403 or a lost
//! connection stops the run: `"aborted"` names the row and says why (for a 403 what the platform
//! needs; for a 401 that the token, fixed on the command line, cannot be refreshed: get a new
//! one). Each row is reported under exactly one outcome.
//!
//! Exit codes: 0 all rows done; 1 some rows failed; 2 bad arguments or unreadable input;
//! 3 stopped early. The logic lives in `wfm_scim::provision::cli`, which the tests run.

#[tokio::main]
async fn main() {
    let token = std::env::var("SCIM_TOKEN").ok();
    let outcome = wfm_scim::provision::cli::run(std::env::args().skip(1), token).await;
    if !outcome.stdout.is_empty() {
        println!("{}", outcome.stdout);
    }
    if !outcome.stderr.is_empty() {
        eprintln!("{}", outcome.stderr);
    }
    std::process::exit(outcome.exit_code);
}
