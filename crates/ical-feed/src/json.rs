//! The JSON shift format read by the `ics_feed` example and by integrations that export shifts.
//! An array of shift objects becomes validated `Shift`s; every error names the shift at fault.
//!
//! Each object has these fields (unknown fields are refused, so a typo is not silently lost):
//!
//! | field | type | required | notes |
//! |---|---|---|---|
//! | `id` | string | yes | stable shift id; the UID is derived from it |
//! | `agent` | string, or `{"id": string, "name": string}` | yes | the agent id (and display name) |
//! | `start`, `end` | RFC 3339 string | yes | e.g. `2026-03-29T06:00:00Z` or `2026-03-29T08:00:00+02:00`; end after start |
//! | `last_modified` | RFC 3339 string | yes | written as DTSTAMP and LAST-MODIFIED |
//! | `timezone` | IANA name or null | no | display zone for local mode, e.g. `Europe/Paris` |
//! | `summary`, `description`, `location` | string or null | no | any Unicode |
//! | `categories` | array of strings | no | |
//! | `status` | `confirmed`, `tentative` or `cancelled` | no | default `confirmed` |
//! | `sequence` | integer ≥ 0 | no | default 0 |
//!
//! ```
//! use ical_feed::json::{shifts_from_json, write_feed, TzMode};
//! use ical_feed::{CalendarMeta, UidDomain, DEFAULT_PRODID};
//!
//! let input = r#"[{"id": "s1", "agent": {"id": "a7", "name": "Doe, Jane"},
//!   "start": "2026-03-28T22:00:00+01:00", "end": "2026-03-29T06:00:00+02:00",
//!   "timezone": "Europe/Paris", "summary": "Night desk", "last_modified": "2026-03-01T10:00:00Z"}]"#;
//! assert_eq!(shifts_from_json(input)?.len(), 1);
//!
//! let meta = CalendarMeta::new(DEFAULT_PRODID, "Night desk")?;
//! let feed = write_feed(input, &meta, &UidDomain::new("example.com")?, TzMode::Local, Vec::new())?;
//! let feed = String::from_utf8(feed)?;
//! assert!(feed.contains("DTSTART;TZID=Europe/Paris:20260328T220000\r\n"));
//!
//! let err = shifts_from_json(r#"[{"id": "s2", "agent": "a", "start": "2026-01-01T10:00:00Z",
//!   "end": "2026-01-01T09:00:00Z", "last_modified": "2026-01-01T00:00:00Z"}]"#).unwrap_err();
//! assert!(err.to_string().starts_with("shift #0 (id \"s2\")"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::model::{CalendarMeta, Shift, ShiftError, Status};
use crate::uid::UidDomain;
use crate::writer::{FeedPlan, FeedWriter, WriteError, WriterOptions};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::io;
use std::str::FromStr;

/// Whether [`write_feed`] writes UTC times or TZID local times with VTIMEZONEs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TzMode {
    /// UTC times only ([`crate::TimeMode::Utc`]).
    #[default]
    Utc,
    /// TZID local times for shifts with a timezone ([`crate::TimeMode::Local`]).
    Local,
}

impl FromStr for TzMode {
    type Err = String;

    /// `utc` or `local`, case-insensitive.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "utc" => Ok(TzMode::Utc),
            "local" => Ok(TzMode::Local),
            _ => Err(format!("unknown timezone mode {s:?}: use `utc` or `local`")),
        }
    }
}

/// Why JSON input could not be turned into shifts. Every variant about one shift names its
/// position in the array and, when it has one, its id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// The input is not well-formed JSON.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The top-level value is not an array.
    #[error("the input must be a JSON array of shift objects")]
    NotAnArray,
    /// A shift object has a missing, unknown or mistyped field.
    #[error("{shift}: {message}")]
    Record {
        /// Which shift.
        shift: ShiftRef,
        /// What is wrong.
        message: String,
    },
    /// A field has a value that cannot be used.
    #[error("{shift}: field `{field}`: {message}")]
    Field {
        /// Which shift.
        shift: ShiftRef,
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The shift's values break a rule of the model (end before start, unknown timezone…).
    #[error("{shift}: {}", without_shift_prefix(source))]
    Shift {
        /// Which shift.
        shift: ShiftRef,
        /// The model's error.
        source: ShiftError,
    },
    /// Two shifts share an id, so they would share a UID.
    #[error(
        "{shift}: the id is already used by shift #{first_index}: ids must be unique in a feed"
    )]
    DuplicateId {
        /// The second shift with the id.
        shift: ShiftRef,
        /// Position of the first one.
        first_index: usize,
    },
}

/// Identifies a shift in a JSON array: its 0-based position and its id, if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftRef {
    /// 0-based position in the array.
    pub index: usize,
    /// The `id` field, if present and a string.
    pub id: Option<String>,
}

impl fmt::Display for ShiftRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.id {
            Some(id) => write!(f, "shift #{} (id {id:?})", self.index),
            None => write!(f, "shift #{} (no id)", self.index),
        }
    }
}

/// Why [`write_feed`] failed. `Input` errors happen before any byte is written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JsonFeedError {
    /// The JSON input is bad; nothing was written.
    #[error(transparent)]
    Input(#[from] JsonError),
    /// Writing failed.
    #[error(transparent)]
    Write(#[from] WriteError),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShiftRecord {
    id: String,
    agent: AgentRecord,
    start: String,
    end: String,
    last_modified: String,
    #[serde(default)]
    timezone: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    location: Option<String>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    sequence: Option<u32>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AgentRecord {
    Id(String),
    Full(AgentObject),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentObject {
    id: String,
    #[serde(default)]
    name: Option<String>,
}

/// Parses a JSON array of shift objects (format in the module docs) into validated shifts, in
/// input order. The whole input is checked: the first bad shift is reported.
pub fn shifts_from_json(json: &str) -> Result<Vec<Shift>, JsonError> {
    let values: serde_json::Value = serde_json::from_str(json).map_err(|e| JsonError::Syntax {
        line: e.line(),
        column: e.column(),
        message: strip_position(&e.to_string()),
    })?;
    let serde_json::Value::Array(values) = values else {
        return Err(JsonError::NotAnArray);
    };
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(values.len());
    let mut shifts = Vec::with_capacity(values.len());
    for (index, value) in values.into_iter().enumerate() {
        let shift_ref = ShiftRef {
            index,
            id: value.get("id").and_then(|v| v.as_str()).map(str::to_owned),
        };
        let record: ShiftRecord = match serde_json::from_value(value) {
            Ok(r) => r,
            Err(e) => {
                let message = e.to_string();
                let message = if message.contains("untagged enum AgentRecord") {
                    "field `agent` must be a string or an object {\"id\": ..., \"name\": ...}"
                        .to_owned()
                } else {
                    message
                };
                return Err(JsonError::Record {
                    shift: shift_ref,
                    message,
                });
            }
        };
        let shift = record_to_shift(record, &shift_ref)?;
        if let Some(&first_index) = seen.get(shift.id()) {
            return Err(JsonError::DuplicateId {
                shift: shift_ref,
                first_index,
            });
        }
        seen.insert(shift.id().to_owned(), index);
        shifts.push(shift);
    }
    Ok(shifts)
}

/// Reads shifts from `json`, then writes their feed to `out`: in [`TzMode::Local`] with a
/// [`FeedPlan`] computed from the shifts. All input is validated before the first byte is
/// written, so on [`JsonFeedError::Input`] the output is untouched.
pub fn write_feed<W: io::Write>(
    json: &str,
    meta: &CalendarMeta,
    domain: &UidDomain,
    mode: TzMode,
    out: W,
) -> Result<W, JsonFeedError> {
    let shifts = shifts_from_json(json)?;
    let options = match mode {
        TzMode::Utc => WriterOptions::utc(domain.clone()),
        TzMode::Local => WriterOptions::local(domain.clone(), FeedPlan::from_shifts(&shifts)),
    };
    let mut writer = FeedWriter::new(out, meta, options)?;
    writer.write_all(&shifts)?;
    Ok(writer.finish()?)
}

fn record_to_shift(r: ShiftRecord, shift: &ShiftRef) -> Result<Shift, JsonError> {
    let instant = |field: &'static str, value: &str| {
        DateTime::parse_from_rfc3339(value)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| JsonError::Field {
                shift: shift.clone(),
                field,
                message: format!(
                    "{value:?} is not an RFC 3339 date-time ({e}), e.g. \"2026-03-29T06:00:00Z\""
                ),
            })
    };
    let start = instant("start", &r.start)?;
    let end = instant("end", &r.end)?;
    let last_modified = instant("last_modified", &r.last_modified)?;
    let (agent_id, agent_name) = match r.agent {
        AgentRecord::Id(id) => (id, None),
        AgentRecord::Full(AgentObject { id, name }) => (id, name),
    };
    let mut b = Shift::builder(r.id, agent_id, start, end, last_modified)
        .categories(r.categories)
        .sequence(r.sequence.unwrap_or(0));
    if let Some(name) = agent_name {
        b = b.agent_name(name);
    }
    if let Some(tz) = r.timezone {
        b = b.timezone_name(tz);
    }
    if let Some(s) = r.summary {
        b = b.summary(s);
    }
    if let Some(s) = r.description {
        b = b.description(s);
    }
    if let Some(s) = r.location {
        b = b.location(s);
    }
    if let Some(s) = r.status {
        let status = Status::parse(&s).ok_or_else(|| JsonError::Field {
            shift: shift.clone(),
            field: "status",
            message: format!("{s:?} is not `confirmed`, `tentative` or `cancelled`"),
        })?;
        b = b.status(status);
    }
    b.build().map_err(|source| JsonError::Shift {
        shift: shift.clone(),
        source,
    })
}

/// `ShiftError` messages start with `shift "<id>": `, which `ShiftRef` already says.
fn without_shift_prefix(error: &ShiftError) -> String {
    let message = error.to_string();
    match error.shift_id() {
        Some(id) => message
            .strip_prefix(&format!("shift {id:?}: "))
            .map(str::to_owned)
            .unwrap_or(message),
        None => message,
    }
}

/// serde_json appends " at line L column C"; the variant carries them as fields already.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"{"id": "s1", "agent": "a1", "start": "2026-01-01T08:00:00Z", "end": "2026-01-01T16:00:00Z", "last_modified": "2026-01-01T00:00:00Z"}"#;

    fn one(extra: &str) -> String {
        format!("[{}{extra}}}]", &OK[..OK.len() - 1])
    }

    #[test]
    fn minimal_and_full_records() {
        let s = &shifts_from_json(&format!("[{OK}]")).unwrap()[0];
        assert_eq!(
            (s.id(), s.agent_id(), s.status(), s.sequence()),
            ("s1", "a1", Status::Confirmed, 0)
        );
        let s = &shifts_from_json(
            r#"[{"id": "s", "agent": {"id": "a", "name": "N"}, "start": "2026-03-29T03:00:00+02:00",
                "end": "2026-03-29T09:00:00+02:00", "last_modified": "2026-01-01T00:00:00Z",
                "timezone": "Europe/Paris", "summary": "S", "description": null, "location": "L",
                "categories": ["x", "y"], "status": "cancelled", "sequence": 4}]"#,
        )
        .unwrap()[0];
        assert_eq!(s.start().to_rfc3339(), "2026-03-29T01:00:00+00:00");
        assert_eq!(s.agent_name(), Some("N"));
        assert_eq!(s.status(), Status::Cancelled);
        assert_eq!(s.description(), None);
        assert_eq!(s.categories(), ["x", "y"]);
    }

    #[test]
    fn errors_name_the_shift() {
        let e = shifts_from_json("[{\"id\": 1").unwrap_err();
        assert!(matches!(e, JsonError::Syntax { line: 1, .. }), "{e}");
        assert_eq!(shifts_from_json("{}").unwrap_err(), JsonError::NotAnArray);

        let e = shifts_from_json(&one(r#", "timezone": "Europe/Pariss""#)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "shift #0 (id \"s1\"): unknown timezone \"Europe/Pariss\": use an IANA tz database name such as \"Europe/Paris\" or \"America/Chicago\", or no timezone"
        );

        let e = shifts_from_json(&one(r#", "status": "maybe""#)).unwrap_err();
        assert!(
            matches!(
                e,
                JsonError::Field {
                    field: "status",
                    ..
                }
            ),
            "{e}"
        );

        let e = shifts_from_json(&one(r#", "colour": "red""#)).unwrap_err();
        assert!(e.to_string().contains("unknown field `colour`"), "{e}");

        let e = shifts_from_json(
            &OK.replace("16:00:00Z", "07:00:00Z")
                .replace("{", "[{")
                .replace("}", "}]"),
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                JsonError::Shift {
                    source: ShiftError::EndNotAfterStart { .. },
                    ..
                }
            ),
            "{e}"
        );

        let e = shifts_from_json(
            &OK.replace("2026-01-01T08:00:00Z", "tomorrow")
                .replace("{", "[{")
                .replace("}", "}]"),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("shift #0 (id \"s1\"): field `start`: \"tomorrow\""),
            "{e}"
        );

        let e = shifts_from_json(&format!("[{OK}, {OK}]")).unwrap_err();
        assert!(
            matches!(
                e,
                JsonError::DuplicateId {
                    first_index: 0,
                    shift: ShiftRef { index: 1, .. }
                }
            ),
            "{e}"
        );

        let e = shifts_from_json(
            &OK.replace("\"a1\"", "42")
                .replace("{", "[{")
                .replace("}", "}]"),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("field `agent` must be a string or an object"),
            "{e}"
        );

        let e = shifts_from_json(r#"[{"agent": "a"}]"#).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("shift #0 (no id): missing field `id`"),
            "{e}"
        );
    }

    #[test]
    fn write_feed_writes_nothing_on_bad_input() {
        let meta = CalendarMeta::new("p", "n").unwrap();
        let domain = UidDomain::new("example.com").unwrap();
        let mut out = Vec::new();
        let bad = format!(
            "[{OK}, {}]",
            OK.replace("s1", "s2").replace("16:00", "07:00")
        );
        let e = write_feed(&bad, &meta, &domain, TzMode::Utc, &mut out).unwrap_err();
        assert!(matches!(e, JsonFeedError::Input(JsonError::Shift { .. })));
        assert!(out.is_empty());
    }

    #[test]
    fn tz_mode_parsing() {
        assert_eq!("UTC".parse::<TzMode>(), Ok(TzMode::Utc));
        assert_eq!("local".parse::<TzMode>(), Ok(TzMode::Local));
        assert!("floating".parse::<TzMode>().is_err());
    }
}
