//! The feed model: shifts and calendar-level metadata, each validated when it is built.
//! A `Shift` or `CalendarMeta` that exists can always be written; bad input is a typed error.

use crate::text::normalize_text;
use crate::uid::UidDomain;
use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use std::time::Duration;

/// PRODID used when the caller has no product identifier of its own (RFC 5545 §3.7.3 form).
pub const DEFAULT_PRODID: &str = "-//WFM SDK//ical-feed//EN";

/// Default REFRESH-INTERVAL and X-PUBLISHED-TTL of a [`CalendarMeta`]: one hour.
pub const DEFAULT_REFRESH_INTERVAL: Duration = Duration::from_secs(3600);

/// The status of a shift, written as the event's STATUS (RFC 5545 §3.8.1.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Status {
    /// The shift is planned and firm (`STATUS:CONFIRMED`).
    #[default]
    Confirmed,
    /// The shift is planned but may change (`STATUS:TENTATIVE`).
    Tentative,
    /// The shift was removed (`STATUS:CANCELLED`). Keep it in the feed, with its SEQUENCE
    /// increased, so that subscribed clients learn of the removal.
    Cancelled,
}

impl Status {
    /// The RFC 5545 value: `CONFIRMED`, `TENTATIVE` or `CANCELLED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Confirmed => "CONFIRMED",
            Status::Tentative => "TENTATIVE",
            Status::Cancelled => "CANCELLED",
        }
    }

    /// Parses a status case-insensitively; `canceled` (US spelling) is accepted too.
    pub fn parse(value: &str) -> Option<Status> {
        match value.to_ascii_lowercase().as_str() {
            "confirmed" => Some(Status::Confirmed),
            "tentative" => Some(Status::Tentative),
            "cancelled" | "canceled" => Some(Status::Cancelled),
            _ => None,
        }
    }
}

/// One agent's shift: the unit of a feed, written as one VEVENT.
///
/// Built with [`Shift::builder`]; every `Shift` has a non-empty id and agent, an end after its
/// start, instants that iCalendar can write (years 0001–9999, whole seconds) and, if it has a
/// display timezone, a real IANA zone.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use ical_feed::{Shift, Status};
///
/// let shift = Shift::builder(
///     "4711",
///     "agent-42",
///     Utc.with_ymd_and_hms(2026, 3, 29, 6, 0, 0).unwrap(),
///     Utc.with_ymd_and_hms(2026, 3, 29, 14, 0, 0).unwrap(),
///     Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap(),
/// )
/// .summary("Phones – Billing")
/// .timezone_name("Europe/Paris")
/// .status(Status::Tentative)
/// .build()?;
/// assert_eq!(shift.timezone().map(|tz| tz.name()), Some("Europe/Paris"));
/// # Ok::<(), ical_feed::ShiftError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Shift {
    id: String,
    agent_id: String,
    agent_name: Option<String>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    timezone: Option<Tz>,
    summary: String,
    description: Option<String>,
    location: Option<String>,
    categories: Vec<String>,
    status: Status,
    sequence: u32,
    last_modified: DateTime<Utc>,
}

/// Builder of a [`Shift`]; [`ShiftBuilder::build`] validates.
#[derive(Debug, Clone)]
#[must_use = "call .build() to get the Shift"]
pub struct ShiftBuilder {
    shift: Shift,
    timezone_name: Option<String>,
}

/// Why a [`Shift`] could not be built. Each variant names the shift and says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShiftError {
    /// The shift id is empty.
    #[error(
        "a shift has an empty id: give every shift the stable id it has in the WFM system (the UID is derived from it)"
    )]
    EmptyId,
    /// The agent id is empty.
    #[error("shift {id:?}: the agent id is empty: set the agent the shift belongs to")]
    EmptyAgent {
        /// The shift id.
        id: String,
    },
    /// `end` is not strictly after `start` (RFC 5545 §3.8.2.2).
    #[error(
        "shift {id:?}: end {end} is not after start {start} (RFC 5545 §3.8.2.2 requires DTEND later than DTSTART): fix or drop the shift"
    )]
    EndNotAfterStart {
        /// The shift id.
        id: String,
        /// The start, truncated to whole seconds.
        start: DateTime<Utc>,
        /// The end, truncated to whole seconds.
        end: DateTime<Utc>,
    },
    /// An instant is outside the years iCalendar can write.
    #[error(
        "shift {id:?}: {field} {value} is outside 0001-01-02..9999-12-30 UTC, which iCalendar's 4-digit years can write in every timezone"
    )]
    OutOfRange {
        /// The shift id.
        id: String,
        /// `start`, `end` or `last_modified`.
        field: &'static str,
        /// The instant given.
        value: DateTime<Utc>,
    },
    /// The display timezone is not an IANA tz database name.
    #[error(
        "shift {id:?}: unknown timezone {name:?}: use an IANA tz database name such as \"Europe/Paris\" or \"America/Chicago\", or no timezone"
    )]
    UnknownTimezone {
        /// The shift id.
        id: String,
        /// The name given.
        name: String,
    },
    /// SEQUENCE is an RFC 5545 INTEGER, at most 2147483647.
    #[error("shift {id:?}: sequence {sequence} exceeds 2147483647, the largest iCalendar INTEGER")]
    SequenceTooLarge {
        /// The shift id.
        id: String,
        /// The sequence given.
        sequence: u32,
    },
}

impl ShiftError {
    /// The id of the shift the error is about (`None` for [`ShiftError::EmptyId`]).
    pub fn shift_id(&self) -> Option<&str> {
        match self {
            ShiftError::EmptyId => None,
            ShiftError::EmptyAgent { id }
            | ShiftError::EndNotAfterStart { id, .. }
            | ShiftError::OutOfRange { id, .. }
            | ShiftError::UnknownTimezone { id, .. }
            | ShiftError::SequenceTooLarge { id, .. } => Some(id),
        }
    }
}

impl Shift {
    /// Starts a shift with its required fields: the stable `id` (from which the UID is
    /// derived), the `agent` id, the `start` and `end` instants, and `last_modified`, the time
    /// of its last revision, written as DTSTAMP and LAST-MODIFIED.
    ///
    /// Instants are truncated to whole seconds, the resolution of iCalendar DATE-TIME.
    pub fn builder(
        id: impl Into<String>,
        agent: impl Into<String>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        last_modified: DateTime<Utc>,
    ) -> ShiftBuilder {
        ShiftBuilder {
            shift: Shift {
                id: id.into(),
                agent_id: agent.into(),
                agent_name: None,
                start,
                end,
                timezone: None,
                summary: String::new(),
                description: None,
                location: None,
                categories: Vec::new(),
                status: Status::Confirmed,
                sequence: 0,
                last_modified,
            },
            timezone_name: None,
        }
    }

    /// The stable shift id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The agent id.
    pub fn agent_id(&self) -> &str {
        &self.agent_id
    }

    /// The agent's display name, if given.
    pub fn agent_name(&self) -> Option<&str> {
        self.agent_name.as_deref()
    }

    /// The start instant.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The end instant, always after [`Shift::start`].
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// The IANA zone the shift is displayed in when the feed is written in local mode.
    pub fn timezone(&self) -> Option<Tz> {
        self.timezone
    }

    /// The SUMMARY (may be empty, then not written).
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// The DESCRIPTION, if any.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The LOCATION, if any.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// The CATEGORIES (without those that are empty once control characters are removed).
    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    /// The STATUS.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The SEQUENCE: the shift's revision count, 0 when created.
    pub fn sequence(&self) -> u32 {
        self.sequence
    }

    /// The time of the last revision, written as DTSTAMP and LAST-MODIFIED.
    pub fn last_modified(&self) -> DateTime<Utc> {
        self.last_modified
    }

    /// The event UID of this shift under `domain`; see [`UidDomain::push_uid`].
    pub fn uid(&self, domain: &UidDomain) -> String {
        domain.uid_for(&self.id)
    }
}

impl ShiftBuilder {
    /// The agent's display name, written as the `CN` parameter of `X-WFM-AGENT`.
    pub fn agent_name(mut self, name: impl Into<String>) -> Self {
        self.shift.agent_name = Some(name.into());
        self
    }

    /// The IANA zone to display the shift in when the feed is written in local mode.
    pub fn timezone(mut self, tz: Tz) -> Self {
        self.shift.timezone = Some(tz);
        self.timezone_name = None;
        self
    }

    /// The display zone by IANA name (e.g. `"Europe/Paris"`); an unknown name makes
    /// [`ShiftBuilder::build`] fail with [`ShiftError::UnknownTimezone`].
    pub fn timezone_name(mut self, name: impl Into<String>) -> Self {
        self.timezone_name = Some(name.into());
        self
    }

    /// The SUMMARY, e.g. `"Phones – Billing queue"`.
    pub fn summary(mut self, summary: impl Into<String>) -> Self {
        self.shift.summary = summary.into();
        self
    }

    /// The DESCRIPTION.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.shift.description = Some(description.into());
        self
    }

    /// The LOCATION.
    pub fn location(mut self, location: impl Into<String>) -> Self {
        self.shift.location = Some(location.into());
        self
    }

    /// The CATEGORIES. Categories that are empty, or hold only control characters (which TEXT
    /// drops), are left out: an empty list item would be read back differently by each parser.
    pub fn categories<I, S>(mut self, categories: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.shift.categories = categories
            .into_iter()
            .map(Into::into)
            .filter(|c: &String| !normalize_text(c).is_empty())
            .collect();
        self
    }

    /// The STATUS (default [`Status::Confirmed`]).
    pub fn status(mut self, status: Status) -> Self {
        self.shift.status = status;
        self
    }

    /// The SEQUENCE (default 0). Increase it with every significant change, including
    /// cancellation.
    pub fn sequence(mut self, sequence: u32) -> Self {
        self.shift.sequence = sequence;
        self
    }

    /// Validates and returns the shift.
    pub fn build(self) -> Result<Shift, ShiftError> {
        let mut shift = self.shift;
        if shift.id.is_empty() {
            return Err(ShiftError::EmptyId);
        }
        let id = || shift.id.clone();
        if shift.agent_id.is_empty() {
            return Err(ShiftError::EmptyAgent { id: id() });
        }
        shift.start = whole_seconds(shift.start);
        shift.end = whole_seconds(shift.end);
        shift.last_modified = whole_seconds(shift.last_modified);
        for (field, value) in [
            ("start", shift.start),
            ("end", shift.end),
            ("last_modified", shift.last_modified),
        ] {
            if !in_writable_range(value) {
                return Err(ShiftError::OutOfRange {
                    id: id(),
                    field,
                    value,
                });
            }
        }
        if shift.end <= shift.start {
            return Err(ShiftError::EndNotAfterStart {
                id: id(),
                start: shift.start,
                end: shift.end,
            });
        }
        if shift.sequence > i32::MAX as u32 {
            return Err(ShiftError::SequenceTooLarge {
                id: id(),
                sequence: shift.sequence,
            });
        }
        if let Some(name) = self.timezone_name {
            match name.parse::<Tz>() {
                Ok(tz) => shift.timezone = Some(tz),
                Err(_) => return Err(ShiftError::UnknownTimezone { id: id(), name }),
            }
        }
        Ok(shift)
    }
}

/// Drops the sub-second part: iCalendar DATE-TIME has second resolution.
fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_nanosecond(0).unwrap_or(t)
}

/// Instants whose local time in any zone (offsets are under a day) has a 4-digit year.
fn in_writable_range(t: DateTime<Utc>) -> bool {
    let first = Utc.with_ymd_and_hms(1, 1, 2, 0, 0, 0).single();
    let last = Utc.with_ymd_and_hms(9999, 12, 30, 0, 0, 0).single();
    match (first, last) {
        (Some(first), Some(last)) => t >= first && t < last && t.year() > 0,
        _ => false,
    }
}

/// The calendar-level properties of a feed: PRODID, NAME / X-WR-CALNAME, REFRESH-INTERVAL /
/// X-PUBLISHED-TTL and an optional METHOD.
///
/// ```
/// use ical_feed::{CalendarMeta, Method};
/// use std::time::Duration;
///
/// let meta = CalendarMeta::new("-//Example Corp//Shifts//EN", "Team A shifts")?
///     .with_refresh_interval(Duration::from_secs(15 * 60))?
///     .with_method(Method::Publish);
/// assert_eq!(meta.refresh_interval(), Duration::from_secs(900));
/// # Ok::<(), ical_feed::MetaError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarMeta {
    prodid: String,
    name: String,
    refresh_interval: Duration,
    method: Option<Method>,
}

/// The iTIP method of a feed (RFC 5545 §3.7.2, RFC 5546). A subscription feed needs none; when
/// set, the HTTP media type carries it too (see [`crate::http::content_type`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `METHOD:PUBLISH`: the events are published for information, with no replies expected.
    Publish,
}

impl Method {
    /// The RFC 5546 value, e.g. `PUBLISH`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Publish => "PUBLISH",
        }
    }
}

/// Why a [`CalendarMeta`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MetaError {
    /// PRODID is required (RFC 5545 §3.7.3).
    #[error(
        "the PRODID is empty: RFC 5545 §3.7.3 requires one, e.g. \"-//Example Corp//Shifts//EN\" (or use DEFAULT_PRODID)"
    )]
    EmptyProdid,
    /// The calendar name is empty.
    #[error(
        "the calendar name is empty: give the feed the name users will see, e.g. \"Shifts – Team A\""
    )]
    EmptyName,
    /// The refresh interval is shorter than one second.
    #[error(
        "the refresh interval is {0:?}: it must be at least one second (whole seconds are written)"
    )]
    RefreshTooShort(Duration),
}

impl CalendarMeta {
    /// Calendar metadata with the given PRODID and name, refreshed every hour, without METHOD.
    pub fn new(prodid: impl Into<String>, name: impl Into<String>) -> Result<Self, MetaError> {
        let prodid = prodid.into();
        let name = name.into();
        if prodid.is_empty() {
            return Err(MetaError::EmptyProdid);
        }
        if name.is_empty() {
            return Err(MetaError::EmptyName);
        }
        Ok(CalendarMeta {
            prodid,
            name,
            refresh_interval: DEFAULT_REFRESH_INTERVAL,
            method: None,
        })
    }

    /// Sets REFRESH-INTERVAL and X-PUBLISHED-TTL; at least one second, sub-seconds dropped.
    pub fn with_refresh_interval(mut self, interval: Duration) -> Result<Self, MetaError> {
        if interval.as_secs() == 0 {
            return Err(MetaError::RefreshTooShort(interval));
        }
        self.refresh_interval = Duration::from_secs(interval.as_secs());
        Ok(self)
    }

    /// Sets METHOD.
    pub fn with_method(mut self, method: Method) -> Self {
        self.method = Some(method);
        self
    }

    /// The PRODID.
    pub fn prodid(&self) -> &str {
        &self.prodid
    }

    /// The calendar name (NAME and X-WR-CALNAME).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The refresh interval (REFRESH-INTERVAL and X-PUBLISHED-TTL), whole seconds.
    pub fn refresh_interval(&self) -> Duration {
        self.refresh_interval
    }

    /// The METHOD, if any.
    pub fn method(&self) -> Option<Method> {
        self.method
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, h, 0, 0).unwrap()
    }

    #[test]
    fn end_must_be_after_start() {
        let err = Shift::builder("s1", "a", t(9), t(9), t(0))
            .build()
            .unwrap_err();
        assert!(matches!(err, ShiftError::EndNotAfterStart { ref id, .. } if id == "s1"));
        assert!(err.to_string().contains("\"s1\""), "{err}");
        assert!(
            Shift::builder("s2", "a", t(10), t(9), t(0))
                .build()
                .is_err()
        );
    }

    #[test]
    fn subsecond_end_collapsing_on_start_is_rejected() {
        let start = t(9);
        let end = start + chrono::Duration::milliseconds(500);
        let err = Shift::builder("s", "a", start, end, t(0))
            .build()
            .unwrap_err();
        assert!(matches!(err, ShiftError::EndNotAfterStart { .. }));
    }

    #[test]
    fn instants_are_truncated_to_seconds() {
        let s = Shift::builder(
            "s",
            "a",
            t(9) + chrono::Duration::milliseconds(999),
            t(10),
            t(0) + chrono::Duration::nanoseconds(1),
        )
        .build()
        .unwrap();
        assert_eq!(s.start(), t(9));
        assert_eq!(s.last_modified(), t(0));
    }

    #[test]
    fn typed_errors_name_the_shift() {
        assert_eq!(
            Shift::builder("", "a", t(1), t(2), t(0)).build(),
            Err(ShiftError::EmptyId)
        );
        let e = Shift::builder("x", "", t(1), t(2), t(0))
            .build()
            .unwrap_err();
        assert_eq!(e.shift_id(), Some("x"));
        let e = Shift::builder("x", "a", t(1), t(2), t(0))
            .timezone_name("Mars/Olympus")
            .build()
            .unwrap_err();
        assert_eq!(
            e,
            ShiftError::UnknownTimezone {
                id: "x".into(),
                name: "Mars/Olympus".into()
            }
        );
        assert!(e.to_string().contains("Europe/Paris"));
        let e = Shift::builder("x", "a", t(1), t(2), t(0))
            .sequence(u32::MAX)
            .build()
            .unwrap_err();
        assert!(matches!(e, ShiftError::SequenceTooLarge { .. }));
        let far = Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap();
        let e = Shift::builder("x", "a", t(1), far, t(0))
            .build()
            .unwrap_err();
        assert!(matches!(e, ShiftError::OutOfRange { field: "end", .. }));
        let e = Shift::builder("x", "a", t(1), t(2), far)
            .build()
            .unwrap_err();
        assert!(matches!(
            e,
            ShiftError::OutOfRange {
                field: "last_modified",
                ..
            }
        ));
    }

    #[test]
    fn empty_categories_are_dropped() {
        let s = Shift::builder("x", "a", t(1), t(2), t(0))
            .categories(["", "Phones", "\u{7}\u{0}"])
            .build()
            .unwrap();
        assert_eq!(s.categories(), ["Phones"]);
    }

    #[test]
    fn status_parsing() {
        assert_eq!(Status::parse("Cancelled"), Some(Status::Cancelled));
        assert_eq!(Status::parse("canceled"), Some(Status::Cancelled));
        assert_eq!(Status::parse("TENTATIVE"), Some(Status::Tentative));
        assert_eq!(Status::parse("maybe"), None);
    }

    #[test]
    fn meta_validation() {
        assert_eq!(CalendarMeta::new("", "x"), Err(MetaError::EmptyProdid));
        assert_eq!(CalendarMeta::new("p", ""), Err(MetaError::EmptyName));
        let m = CalendarMeta::new("p", "n").unwrap();
        assert_eq!(m.refresh_interval(), DEFAULT_REFRESH_INTERVAL);
        assert!(
            m.clone()
                .with_refresh_interval(Duration::from_millis(999))
                .is_err()
        );
        let m = m
            .with_refresh_interval(Duration::from_millis(1500))
            .unwrap();
        assert_eq!(m.refresh_interval(), Duration::from_secs(1));
    }
}
