//! Writes the iCalendar feed of the shifts in a JSON file to stdout.
//!
//! ```text
//! cargo run -q --example ics_feed -- --input examples/data/shifts.json \
//!     [--name NAME] [--tz-mode utc|local] [--domain DOMAIN] > shifts.ics
//! ```
//!
//! - `--input FILE`: a JSON array of shift objects (required).
//! - `--name NAME`: the calendar name, written as NAME and X-WR-CALNAME (default `Shifts`).
//! - `--tz-mode utc|local`: `utc` (default) writes every time as `…Z`; `local` writes
//!   `DTSTART;TZID=<zone>:…` for shifts that have a `timezone`, plus one VTIMEZONE per zone
//!   generated from the tz database over exactly the span the shifts use.
//! - `--domain DOMAIN`: your organisation's domain, the right-hand side of every UID
//!   (default `example.invalid`: set your own, UIDs must be globally unique).
//!
//! Each shift object has these fields (unknown fields are refused):
//!
//! ```json
//! {
//!   "id": "paris-night-spring",                     // required, stable; the UID comes from it
//!   "agent": {"id": "agent-001", "name": "Dupont, Marie"}, // required; or just "agent-001"
//!   "start": "2026-03-28T22:00:00+01:00",           // required, RFC 3339
//!   "end": "2026-03-29T07:00:00+02:00",             // required, RFC 3339, after start
//!   "last_modified": "2026-02-15T09:00:00Z",        // required: DTSTAMP and LAST-MODIFIED
//!   "timezone": "Europe/Paris",                     // optional IANA zone, used by --tz-mode local
//!   "summary": "Night desk",                        // optional text (any Unicode)
//!   "description": "…", "location": "…",            // optional text
//!   "categories": ["Night", "Phones"],              // optional
//!   "status": "confirmed",                          // optional: confirmed | tentative | cancelled
//!   "sequence": 0                                   // optional revision counter, default 0
//! }
//! ```
//!
//! Exit codes: 0 on success; 2 on bad arguments or bad input (end before start, unknown
//! timezone, malformed JSON…), with a message on stderr naming the shift and **nothing** on
//! stdout, since the whole input is validated before the first byte is written; 1 if writing
//! stdout fails.

use ical_feed::json::{JsonFeedError, TzMode, write_feed};
use ical_feed::{CalendarMeta, DEFAULT_PRODID, UidDomain};
use std::io::Write;
use std::process::ExitCode;

const USAGE: &str =
    "usage: ics_feed --input FILE [--name NAME] [--tz-mode utc|local] [--domain DOMAIN]";

/// An exit code and the message for stderr.
struct Failure(u8, String);

fn main() -> ExitCode {
    match run(std::env::args().skip(1)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(code, message)) => {
            eprintln!("ics_feed: {message}");
            ExitCode::from(code)
        }
    }
}

fn run(mut args: impl Iterator<Item = String>) -> Result<(), Failure> {
    let usage = |message: String| Failure(2, format!("{message}\n{USAGE}"));
    let (mut input, mut name, mut mode, mut domain) = (
        None,
        "Shifts".to_owned(),
        TzMode::Utc,
        "example.invalid".to_owned(),
    );
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            return Ok(());
        }
        let value = args
            .next()
            .ok_or_else(|| usage(format!("{flag} needs a value")))?;
        match flag.as_str() {
            "--input" => input = Some(value),
            "--name" => name = value,
            "--tz-mode" => mode = value.parse().map_err(usage)?,
            "--domain" => domain = value,
            _ => return Err(usage(format!("unknown argument {flag:?}"))),
        }
    }
    let input = input.ok_or_else(|| usage("--input is required".to_owned()))?;
    let json = std::fs::read_to_string(&input)
        .map_err(|e| Failure(2, format!("cannot read {input}: {e}")))?;
    let meta = CalendarMeta::new(DEFAULT_PRODID, name).map_err(|e| Failure(2, e.to_string()))?;
    let domain = UidDomain::new(domain).map_err(|e| Failure(2, e.to_string()))?;

    let stdout = std::io::stdout().lock();
    match write_feed(&json, &meta, &domain, mode, stdout) {
        Ok(mut out) => out
            .flush()
            .map_err(|e| Failure(1, format!("writing stdout failed: {e}"))),
        Err(JsonFeedError::Input(e)) => Err(Failure(2, format!("{input}: {e}"))),
        Err(e) => Err(Failure(1, e.to_string())),
    }
}
