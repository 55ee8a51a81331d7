//! The command-line sync behind the `cxone_user_sync` example, here so that tests run it:
//! arguments in, the report (JSON) and an exit code out, progress drawn from the engine's
//! [`Progress`] events: an `indicatif` bar when stderr is a terminal, plain lines otherwise
//! ([`ProgressOut`]). Needs the `cli` feature (off by default; the workspace's examples turn
//! it on).
//!
//! ```no_run
//! use cxone_wfm::cli::{run, ProgressOut};
//! # async fn demo() {
//! let args = ["--base-url", "https://tenant.example", "--client-id", "id",
//!             "--roster", "roster.csv", "--role-map", "roles.json", "--dry-run"];
//! let outcome = run(args.map(String::from), std::env::var("CXONE_CLIENT_SECRET").ok(),
//!                   ProgressOut::for_stderr()).await;
//! println!("{}", outcome.stdout);
//! std::process::exit(outcome.exit_code);
//! # }
//! ```
//!
//! ```text
//! cxone_user_sync --base-url URL [--token-url URL] --client-id ID --client-secret SECRET
//!     --roster roster.csv|roster.json --role-map roles.json [--fallback-role ID]
//!     [--fallback-timezone TZ] [--dry-run] [--max-deactivations N] [--concurrency N]
//!     [--max-rate N]
//! ```
//!
//! Exit codes: [`EXIT_OK`] every row applied; [`EXIT_SOME_FAILED`] some rows were refused or
//! failed (or the server could not be read); [`EXIT_USAGE`] bad arguments, an unreadable
//! roster or role map, an unknown fallback role, or a tripped mass-deactivation guard.

use std::fmt;
use std::io::{IsTerminal as _, Write as _};
use std::sync::{Arc, Mutex};

/// The `indicatif` this module draws with, for [`ProgressOut::bar`]'s draw target.
pub use indicatif;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use wfm_auth::{ClientAuth, ClientCredentials};
use wfm_http::{Platform, RateLimit};

use crate::engine::{Engine, Phase, Progress, SyncError};
use crate::plan::Guard;
use crate::roster::{Rules, parse_csv, parse_json};
use crate::scopes::{RolesRead, UsersRead, UsersWrite};
use crate::{Client, Error};

/// Every row applied.
pub const EXIT_OK: i32 = 0;
/// Some rows were refused or failed, or the server could not be read.
pub const EXIT_SOME_FAILED: i32 = 1;
/// Bad arguments or input, or a tripped guard: nothing was written.
pub const EXIT_USAGE: i32 = 2;

/// The usage text.
pub const USAGE: &str = "usage: cxone_user_sync --base-url URL [--token-url URL] --client-id ID --client-secret SECRET \
--roster FILE.csv|FILE.json --role-map roles.json [--fallback-role ID] [--fallback-timezone TZ] [--dry-run] \
[--max-deactivations N] [--concurrency N] [--max-rate N]
  --token-url defaults to {base-url}/oauth/token; the secret may come from CXONE_CLIENT_SECRET instead;
  --max-rate N keeps to N requests per second (set it a little under the tenant's limit)";

/// What a run printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The exit code.
    pub exit_code: i32,
    /// The report as JSON (empty when the run stopped before one).
    pub stdout: String,
    /// Why it stopped, if it did.
    pub stderr: String,
}

/// Parsed arguments.
#[derive(Debug, Clone, Default)]
struct Args {
    base_url: String,
    token_url: Option<String>,
    client_id: String,
    client_secret: Option<String>,
    roster: String,
    role_map: String,
    fallback_role: Option<String>,
    fallback_timezone: Option<String>,
    dry_run: bool,
    max_deactivations: Option<usize>,
    concurrency: usize,
    max_rate: Option<u32>,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        concurrency: 8,
        ..Args::default()
    };
    let mut it = args.into_iter();
    while let Some(flag) = it.next() {
        if flag == "--dry-run" {
            a.dry_run = true;
            continue;
        }
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| {
            v.parse::<usize>()
                .map_err(|_| format!("{flag} takes a whole number, not {v:?}"))
        };
        match flag.as_str() {
            "--base-url" => a.base_url = value,
            "--token-url" => a.token_url = Some(value),
            "--client-id" => a.client_id = value,
            "--client-secret" => a.client_secret = Some(value),
            "--roster" => a.roster = value,
            "--role-map" => a.role_map = value,
            "--fallback-role" => a.fallback_role = Some(value),
            "--fallback-timezone" => a.fallback_timezone = Some(value),
            "--max-deactivations" => a.max_deactivations = Some(number(&value)?),
            "--concurrency" => a.concurrency = number(&value)?.max(1),
            "--max-rate" => {
                let n = number(&value)?;
                a.max_rate = Some(u32::try_from(n).ok().filter(|n| *n > 0).ok_or_else(|| {
                    format!(
                        "--max-rate takes a number of requests per second from 1, not {value:?}"
                    )
                })?);
            }
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    for (name, v) in [
        ("--base-url", &a.base_url),
        ("--client-id", &a.client_id),
        ("--roster", &a.roster),
        ("--role-map", &a.role_map),
    ] {
        if v.is_empty() {
            return Err(format!("{name} is required"));
        }
    }
    if let Some(tz) = &a.fallback_timezone
        && !crate::timezone::is_iana(tz)
    {
        return Err(format!(
            "--fallback-timezone {tz:?} is not an IANA zone (America/Chicago, Etc/UTC)"
        ));
    }
    Ok(a)
}

fn usage(message: String) -> Outcome {
    Outcome {
        exit_code: EXIT_USAGE,
        stdout: String::new(),
        stderr: if message.is_empty() {
            USAGE.to_owned()
        } else {
            format!("{message}\n{USAGE}")
        },
    }
}

/// Runs a sync from command-line arguments (without the program name). `secret_env` is the
/// value of `CXONE_CLIENT_SECRET`, used when `--client-secret` is absent. Progress goes to
/// `progress`.
pub async fn run(
    args: impl IntoIterator<Item = String>,
    secret_env: Option<String>,
    progress: ProgressOut,
) -> Outcome {
    let a = match parse_args(args) {
        Ok(a) => a,
        Err(m) => return usage(m),
    };
    let Some(secret) = a.client_secret.clone().or(secret_env) else {
        return usage("--client-secret (or CXONE_CLIENT_SECRET) is required".into());
    };
    let read = |path: &str, what: &str| {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read the {what} {path}: {e}"))
    };
    let roster_text = match read(&a.roster, "roster") {
        Ok(t) => t,
        Err(m) => return usage(m),
    };
    let rows = if a.roster.to_ascii_lowercase().ends_with(".json") {
        parse_json(&roster_text)
    } else {
        parse_csv(&roster_text)
    };
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return usage(format!("{}: {e}", a.roster)),
    };
    let mut rules = match read(&a.role_map, "role map").map(|t| Rules::from_role_map_json(&t)) {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return usage(format!("{}: {e}", a.role_map)),
        Err(m) => return usage(m),
    };
    if let Some(r) = a.fallback_role.clone() {
        rules = rules.fallback_role(r);
    }
    if let Some(z) = a.fallback_timezone.clone() {
        rules = rules.fallback_timezone(z);
    }
    let base = a.base_url.trim_end_matches('/').to_owned();
    let token_url = a
        .token_url
        .clone()
        .unwrap_or_else(|| format!("{base}/oauth/token"));
    // The guide's grant: client credentials, the id and secret in the form body.
    let credentials = ClientCredentials::new(token_url, a.client_id.clone(), secret)
        .auth_style(ClientAuth::RequestBody);
    let mut builder =
        Platform::<(UsersRead, UsersWrite, RolesRead)>::builder().credentials(credentials);
    if let Some(n) = a.max_rate {
        builder = builder.rate_limit(RateLimit::per_second(n));
    }
    let platform = match builder.build() {
        Ok(p) => p,
        Err(e) => return usage(e.to_string()),
    };
    let client = match Client::new(&platform, base.as_str()) {
        Ok(c) => c,
        Err(e) => return usage(e.to_string()),
    };
    let printer = Arc::new(Printer::new(progress));
    let shown = Arc::clone(&printer);
    let mut guard = Guard::default();
    if let Some(n) = a.max_deactivations {
        guard = guard.max_deactivations(n);
    }
    let engine = Engine::new(client)
        .concurrency(a.concurrency)
        .guard(guard)
        .dry_run(a.dry_run)
        .on_progress(move |p| shown.show(p));
    let result = engine.sync(rows, rules).await;
    printer.finish(result.is_ok());
    match result {
        Ok(report) => Outcome {
            exit_code: if report.all_applied() {
                EXIT_OK
            } else {
                EXIT_SOME_FAILED
            },
            stdout: serde_json::to_string_pretty(&report).unwrap_or_default(),
            stderr: String::new(),
        },
        Err(e @ (SyncError::Guard(_) | SyncError::UnknownFallbackRole(_))) => Outcome {
            exit_code: EXIT_USAGE,
            stdout: String::new(),
            stderr: e.to_string(),
        },
        Err(e) => Outcome {
            exit_code: EXIT_SOME_FAILED,
            stdout: String::new(),
            stderr: describe(&e),
        },
    }
}

fn describe(e: &SyncError) -> String {
    let advice = match e {
        SyncError::Read(inner) => <Error as wfm_auth::ErrorMetadata>::advice(inner),
        _ => None,
    };
    match advice {
        Some(a) => format!("{e} ({a})"),
        None => e.to_string(),
    }
}

/// Where the command line draws its progress: an `indicatif` bar, plain lines, or nowhere.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use cxone_wfm::cli::ProgressOut;
/// // Plain lines into a buffer (what a test or a log collector wants).
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let sink = Arc::clone(&seen);
/// let out = ProgressOut::lines(move |line| sink.lock().unwrap().push(line.to_owned()));
/// # let _ = out;
/// ```
pub struct ProgressOut {
    kind: OutKind,
}

/// A sink of progress lines.
type LineFn = Box<dyn Fn(&str) + Send + Sync>;

enum OutKind {
    Bar(ProgressDrawTarget),
    Lines(LineFn),
    Hidden,
}

impl fmt::Debug for ProgressOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            OutKind::Bar(_) => "bar",
            OutKind::Lines(_) => "lines",
            OutKind::Hidden => "hidden",
        };
        f.debug_struct("ProgressOut").field("kind", &kind).finish()
    }
}

impl ProgressOut {
    /// A bar on stderr when stderr is a terminal; otherwise plain lines on stderr (a line per
    /// phase, the plan, and one per tenth of the writes).
    pub fn for_stderr() -> Self {
        if std::io::stderr().is_terminal() {
            Self::bar(ProgressDrawTarget::stderr())
        } else {
            Self::lines(|line| {
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "{line}");
            })
        }
    }

    /// An `indicatif` bar drawn on `target` (`ProgressDrawTarget::stderr()`, or a
    /// `ProgressDrawTarget::term_like` to capture it); phase changes and the plan are printed
    /// above it.
    pub fn bar(target: ProgressDrawTarget) -> Self {
        Self {
            kind: OutKind::Bar(target),
        }
    }

    /// Plain lines, each given to `f`.
    pub fn lines(f: impl Fn(&str) + Send + Sync + 'static) -> Self {
        Self {
            kind: OutKind::Lines(Box::new(f)),
        }
    }

    /// No progress at all.
    pub fn hidden() -> Self {
        Self {
            kind: OutKind::Hidden,
        }
    }
}

/// Draws [`Progress`] events: on a bar, or as a line per phase and per tenth of the writes.
struct Printer {
    bar: Option<ProgressBar>,
    lines: Option<LineFn>,
    last_line: Mutex<usize>,
}

/// The bar's look while writes are applied.
const BAR_TEMPLATE: &str = "{msg} [{bar:30}] {pos}/{len} ({per_sec}, eta {eta})";

impl Printer {
    fn new(out: ProgressOut) -> Self {
        let (bar, lines) = match out.kind {
            OutKind::Bar(target) => {
                let bar = ProgressBar::with_draw_target(None, target);
                bar.set_style(ProgressStyle::default_spinner());
                (Some(bar), None)
            }
            OutKind::Lines(f) => (None, Some(f)),
            OutKind::Hidden => (None, None),
        };
        Self {
            bar,
            lines,
            last_line: Mutex::new(0),
        }
    }

    fn line(&self, text: &str) {
        if let Some(bar) = &self.bar {
            bar.println(text);
        } else if let Some(f) = &self.lines {
            f(text);
        }
    }

    fn show(&self, p: &Progress) {
        match p {
            Progress::Phase { phase, total } => {
                let (name, short) = match phase {
                    Phase::Reading => ("reading roles and users".to_owned(), "reading"),
                    Phase::Upserts => (
                        format!("applying {total} creates, updates and reactivations"),
                        "upserts",
                    ),
                    Phase::Deactivations => {
                        (format!("applying {total} deactivations"), "deactivations")
                    }
                };
                match &self.bar {
                    Some(bar) if *phase == Phase::Reading => {
                        bar.set_message(name);
                        bar.tick();
                    }
                    Some(bar) => bar.set_message(short),
                    None => self.line(&name),
                }
            }
            Progress::Planned {
                creates,
                updates,
                reactivations,
                deactivations,
                unchanged,
            } => {
                self.line(&format!(
                    "plan: {creates} to create, {updates} to update, {reactivations} to reactivate, {deactivations} to deactivate, {unchanged} unchanged"
                ));
                if let Some(bar) = &self.bar {
                    let total = creates + updates + reactivations + deactivations;
                    if let Ok(style) = ProgressStyle::with_template(BAR_TEMPLATE) {
                        bar.set_style(style.progress_chars("#>-"));
                    }
                    bar.set_length(total as u64);
                    bar.set_position(0);
                    bar.set_message("writing");
                }
            }
            Progress::Applied { done, total, .. } => {
                if let Some(bar) = &self.bar {
                    bar.set_position(*done as u64);
                    return;
                }
                let mut last = self.last_line.lock().unwrap_or_else(|e| e.into_inner());
                let step = (*total / 10).max(1);
                if *done == *total || *done >= *last + step {
                    *last = *done;
                    self.line(&format!("applied {done}/{total}"));
                }
            }
        }
    }

    /// Leaves the bar drawn in its last state (or clears it when the run stopped early).
    fn finish(&self, completed: bool) {
        if let Some(bar) = &self.bar {
            if completed {
                bar.finish();
            } else {
                bar.finish_and_clear();
            }
        }
    }
}
