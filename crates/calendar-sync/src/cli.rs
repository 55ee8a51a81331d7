//! What the calendar examples (`graph_calendar_sync`, `google_calendar_sync`) share, so that
//! each backend's command line holds only what differs (its credentials): the conflict policy
//! and its opt-in, the shift input and the mailbox map, progress lines, and the report with its
//! exit code.
//!
//! ```
//! use calendar_sync::cli::{conflict_policy, Outcome};
//! use calendar_sync::ConflictPolicy;
//!
//! assert_eq!(conflict_policy(None, false, "")?, ConflictPolicy::Keep);
//! // `override` deletes people's events: refused unless explicitly allowed.
//! let refused = conflict_policy(Some("override"), false, "deleted events are not restored");
//! assert!(refused.unwrap_err().contains("--allow-deleting-their-events"));
//! let usage = Outcome::usage("--input is required", "usage: demo --input FILE");
//! assert_eq!(usage.exit_code, 2);
//! # Ok::<(), String>(())
//! ```

use std::collections::HashMap;
use std::sync::Arc;

use ical_feed::Shift;

use crate::{ConflictPolicy, Progress, ProgressFn, SyncError, SyncReport};

/// What a program prints and how it exits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The report (JSON), or nothing.
    pub stdout: String,
    /// Messages.
    pub stderr: String,
    /// 0 all applied, 1 some failed, 2 bad arguments, bad input or credentials refused for
    /// good (nothing written).
    pub exit_code: i32,
}

impl Outcome {
    /// Exit code 2 with `msg` and the usage line on stderr, nothing on stdout.
    pub fn usage(msg: impl std::fmt::Display, usage: &str) -> Self {
        Outcome {
            stdout: String::new(),
            stderr: format!("{msg}\n{usage}"),
            exit_code: 2,
        }
    }
}

/// The conflict policy named by `--conflict` (`keep`, the default, `busy` or `override`).
/// `override` is accepted only with `allow_deleting` (`--allow-deleting-their-events`); the
/// refusal says what it would do, with `risk` (what the calendar does with deleted events).
pub fn conflict_policy(
    value: Option<&str>,
    allow_deleting: bool,
    risk: &str,
) -> Result<ConflictPolicy, String> {
    match value {
        None | Some("keep") => Ok(ConflictPolicy::Keep),
        Some("busy") => Ok(ConflictPolicy::Busy),
        Some("override") if allow_deleting => Ok(ConflictPolicy::Override),
        Some("override") => Err(format!(
            "--conflict override deletes people's own events that overlap a shift ({risk}); add --allow-deleting-their-events to accept that, or use keep or busy"
        )),
        Some(other) => Err(format!("unknown conflict policy {other:?}")),
    }
}

/// The shifts of the `ics_feed` example's JSON file at `path`.
pub fn read_shifts(path: &str) -> Result<Vec<Shift>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    ical_feed::json::shifts_from_json(&text).map_err(|e| format!("{path}: {e}"))
}

/// The `--mailbox-map` file (a JSON object of agent id to mailbox), or an empty map. `mailbox`
/// names what the values are, for the error message ("UPN", "email address").
pub fn read_mailbox_map(
    path: Option<&str>,
    mailbox: &str,
) -> Result<HashMap<String, String>, String> {
    let Some(path) = path else {
        return Ok(HashMap::new());
    };
    std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        .map_err(|e| format!("{path}: {e} (expected a JSON object of agent id to {mailbox})"))
}

/// A progress callback printing one line per finished mailbox on stderr.
pub fn progress_lines() -> ProgressFn {
    Arc::new(|p: &Progress| {
        let Progress::MailboxDone { mailbox, counts } = p;
        eprintln!(
            "{mailbox}: {} created, {} updated, {} deleted, {} unchanged, {} failed",
            counts.created, counts.updated, counts.deleted, counts.unchanged, counts.failed
        );
    })
}

/// A run id that differs between runs (mixed into create idempotency keys).
pub fn run_id() -> String {
    format!("{:?}", std::time::SystemTime::now())
}

/// The outcome of a sync run: the report as JSON on stdout
/// (`{"mailboxes","created","updated","deleted","unchanged","failed","displaced","requests",`
/// followed by `transport`'s fields, then `"dry_run"}`), the failures on stderr, exit 0 or 1;
/// bad input exits 2; a backend error exits 2 when `refused` says nothing but a configuration
/// change fixes it (a missing permission, a refused delegation), else 1.
pub fn finish<E: std::error::Error + 'static>(
    result: Result<SyncReport, SyncError<E>>,
    transport: &[(&str, u64)],
    dry_run: bool,
    refused: impl Fn(&E) -> bool,
    usage: &str,
) -> Outcome {
    let report = match result {
        Ok(report) => report,
        Err(SyncError::Input { shift_id, source }) => {
            return Outcome::usage(format!("shift {shift_id:?}: {source}"), usage);
        }
        Err(SyncError::Backend(e)) => {
            return Outcome {
                stdout: String::new(),
                exit_code: if refused(&e) { 2 } else { 1 },
                stderr: e.to_string(),
            };
        }
        Err(e) => {
            return Outcome {
                stdout: String::new(),
                stderr: e.to_string(),
                exit_code: 1,
            };
        }
    };
    let mut stderr = String::new();
    for f in &report.failures {
        stderr.push_str(&format!(
            "{} {}: {}\n",
            f.mailbox,
            f.shift_id.as_deref().unwrap_or("(list)"),
            f.error
        ));
    }
    let mut json = serde_json::json!({
        "mailboxes": report.mailboxes,
        "created": report.counts.created,
        "updated": report.counts.updated,
        "deleted": report.counts.deleted,
        "unchanged": report.counts.unchanged,
        "failed": report.counts.failed,
        // People's own events deleted under `--conflict override` (else 0).
        "displaced": report.counts.displaced,
        "requests": report.requests,
    });
    for (name, value) in transport {
        json[*name] = serde_json::json!(value);
    }
    json["dry_run"] = serde_json::json!(dry_run);
    Outcome {
        stdout: json.to_string(),
        stderr,
        exit_code: if report.counts.failed == 0 { 0 } else { 1 },
    }
}
