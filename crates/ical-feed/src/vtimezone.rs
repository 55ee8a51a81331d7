//! VTIMEZONE components generated from the tz database (chrono-tz) for exactly a given span.
//! Every offset change inside the span becomes a STANDARD or DAYLIGHT observance: DST is exact.
//!
//! The first observance starts at the span's first instant and carries the offset in force
//! then (TZOFFSETFROM = TZOFFSETTO); each later one starts at a transition, its DTSTART being
//! the local wall-clock time of the transition in the *prior* offset (RFC 5545 §3.6.5, §3.8.3.3).
//! No RRULE is used: explicit observances need no recurrence expansion in the client and stay
//! right when a country changes its rules.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use ical_feed::vtimezone;
//!
//! let from = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
//! let to = Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap();
//! let obs = vtimezone::observances(chrono_tz::Europe::Paris, from, to);
//! assert_eq!(obs.len(), 3); // CET at the start, CEST from 29 March, CET from 25 October
//! assert_eq!(obs[1].onset_local.to_string(), "2026-03-29 02:00:00");
//! assert_eq!((obs[1].offset_from, obs[1].offset_to), (3600, 7200));
//! ```

use crate::format::{push_naive, push_utc_offset};
use crate::text::{escape_text_into, fold_into};
use chrono::{DateTime, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz, TzOffset};

/// Step of the scan for offset changes. Every transition found is then located to the second
/// by bisection. Two transitions less than this apart would be seen as one; the tz database has
/// no such pair in the years a shift feed covers.
const SCAN_STEP_SECONDS: i64 = 3600;

/// One STANDARD or DAYLIGHT sub-component of a VTIMEZONE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observance {
    /// `true` for DAYLIGHT (a DST offset is in force), `false` for STANDARD.
    pub daylight: bool,
    /// DTSTART: the wall-clock time, in the prior offset, at which the observance begins.
    pub onset_local: NaiveDateTime,
    /// The onset as a UTC instant.
    pub onset_utc: DateTime<Utc>,
    /// TZOFFSETFROM in seconds east of UTC.
    pub offset_from: i32,
    /// TZOFFSETTO in seconds east of UTC.
    pub offset_to: i32,
    /// TZNAME, when the tz database has an abbreviation (e.g. `CEST`).
    pub name: Option<String>,
}

/// The observances of `tz` that cover `first..=last`: one for the offset in force at `first`,
/// then one per offset change after `first` and at or before `last`.
///
/// If `last` is before `first` the two are swapped.
pub fn observances(tz: Tz, first: DateTime<Utc>, last: DateTime<Utc>) -> Vec<Observance> {
    let (first, last) = if last < first {
        (last, first)
    } else {
        (first, last)
    };
    let (start, end) = (first.timestamp(), last.timestamp());
    let mut current = offset_at(tz, start);
    let mut out = vec![observance(start, &current, &current)];
    let mut t = start;
    while t < end {
        let next = (t + SCAN_STEP_SECONDS).min(end);
        if offset_at(tz, next) == current {
            t = next;
            continue;
        }
        // offset_at(lo) == current, offset_at(hi) != current: find the first changed second.
        let (mut lo, mut hi) = (t, next);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if offset_at(tz, mid) == current {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let changed = offset_at(tz, hi);
        out.push(observance(hi, &current, &changed));
        current = changed;
        t = hi;
    }
    out
}

/// Returns the VTIMEZONE of `tz` covering `first..=last` (see [`observances`]), folded, each
/// line ending in CRLF.
pub fn render(tz: Tz, first: DateTime<Utc>, last: DateTime<Utc>) -> String {
    let mut out = String::with_capacity(512);
    let mut line = String::with_capacity(80);
    write_vtimezone(
        &mut out,
        &mut line,
        tz.name(),
        &observances(tz, first, last),
    );
    out
}

/// Appends a VTIMEZONE with `tzid` and `observances` to `out`, using `line` as scratch.
pub(crate) fn write_vtimezone(
    out: &mut String,
    line: &mut String,
    tzid: &str,
    observances: &[Observance],
) {
    out.push_str("BEGIN:VTIMEZONE\r\n");
    line.clear();
    line.push_str("TZID:");
    escape_text_into(line, tzid);
    fold_into(out, line);
    for obs in observances {
        let kind = if obs.daylight { "DAYLIGHT" } else { "STANDARD" };
        out.push_str("BEGIN:");
        out.push_str(kind);
        out.push_str("\r\nDTSTART:");
        push_naive(out, &obs.onset_local);
        out.push_str("\r\nTZOFFSETFROM:");
        push_utc_offset(out, obs.offset_from);
        out.push_str("\r\nTZOFFSETTO:");
        push_utc_offset(out, obs.offset_to);
        out.push_str("\r\n");
        if let Some(name) = &obs.name {
            line.clear();
            line.push_str("TZNAME:");
            escape_text_into(line, name);
            fold_into(out, line);
        }
        out.push_str("END:");
        out.push_str(kind);
        out.push_str("\r\n");
    }
    out.push_str("END:VTIMEZONE\r\n");
}

fn offset_at(tz: Tz, timestamp: i64) -> TzOffset {
    let utc = DateTime::from_timestamp(timestamp, 0).unwrap_or_default();
    tz.offset_from_utc_datetime(&utc.naive_utc())
}

fn observance(at: i64, before: &TzOffset, after: &TzOffset) -> Observance {
    let from = before.fix().local_minus_utc();
    let to = after.fix().local_minus_utc();
    let onset_utc = DateTime::from_timestamp(at, 0).unwrap_or_default();
    Observance {
        daylight: after.dst_offset().num_seconds() != 0,
        onset_local: onset_utc.naive_utc() + chrono::Duration::seconds(i64::from(from)),
        onset_utc,
        offset_from: from,
        offset_to: to,
        name: after.abbreviation().map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America, Asia, Australia, Europe};

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn paris_2026_transitions_are_exact() {
        let obs = observances(Europe::Paris, utc(2026, 1, 5, 8, 0), utc(2026, 12, 1, 0, 0));
        assert_eq!(obs.len(), 3);
        assert!(!obs[0].daylight);
        assert_eq!(obs[0].onset_utc, utc(2026, 1, 5, 8, 0));
        assert_eq!((obs[0].offset_from, obs[0].offset_to), (3600, 3600));
        assert_eq!(obs[1].onset_utc, utc(2026, 3, 29, 1, 0));
        assert!(obs[1].daylight);
        assert_eq!(obs[1].name.as_deref(), Some("CEST"));
        assert_eq!(obs[1].onset_local.to_string(), "2026-03-29 02:00:00");
        assert_eq!(obs[2].onset_utc, utc(2026, 10, 25, 1, 0));
        assert_eq!(obs[2].onset_local.to_string(), "2026-10-25 03:00:00");
        assert_eq!((obs[2].offset_from, obs[2].offset_to), (7200, 3600));
    }

    #[test]
    fn chicago_2026_transitions_are_exact() {
        let obs = observances(
            America::Chicago,
            utc(2026, 3, 1, 0, 0),
            utc(2026, 11, 2, 0, 0),
        );
        assert_eq!(obs.len(), 3);
        assert_eq!(obs[1].onset_utc, utc(2026, 3, 8, 8, 0));
        assert_eq!(obs[1].onset_local.to_string(), "2026-03-08 02:00:00");
        assert_eq!(obs[2].onset_utc, utc(2026, 11, 1, 7, 0));
        assert_eq!(obs[2].onset_local.to_string(), "2026-11-01 02:00:00");
        assert_eq!(obs[2].name.as_deref(), Some("CST"));
    }

    #[test]
    fn span_without_change_has_one_observance() {
        let obs = observances(Asia::Kolkata, utc(2026, 1, 1, 0, 0), utc(2027, 1, 1, 0, 0));
        assert_eq!(obs.len(), 1);
        assert_eq!(obs[0].offset_to, 19800);
        let obs = observances(Europe::Paris, utc(2026, 5, 1, 0, 0), utc(2026, 5, 1, 0, 0));
        assert_eq!(obs.len(), 1);
        assert!(obs[0].daylight);
    }

    #[test]
    fn southern_hemisphere_and_transition_at_span_end() {
        // Sydney leaves DST on 2026-04-05 at 03:00 local (16:00 UTC the day before).
        let obs = observances(
            Australia::Sydney,
            utc(2026, 1, 1, 0, 0),
            utc(2026, 4, 4, 16, 0),
        );
        assert_eq!(obs.len(), 2);
        assert!(obs[0].daylight);
        assert_eq!(obs[1].onset_utc, utc(2026, 4, 4, 16, 0));
        assert_eq!(obs[1].onset_local.to_string(), "2026-04-05 03:00:00");
    }

    #[test]
    fn rendered_component() {
        let text = render(Europe::Paris, utc(2026, 3, 1, 0, 0), utc(2026, 4, 1, 0, 0));
        assert_eq!(
            text,
            "BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n\
             BEGIN:STANDARD\r\nDTSTART:20260301T010000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nEND:STANDARD\r\n\
             BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nEND:DAYLIGHT\r\n\
             END:VTIMEZONE\r\n"
        );
    }

    #[test]
    fn reversed_span_is_swapped() {
        let a = observances(Europe::Paris, utc(2026, 1, 1, 0, 0), utc(2026, 6, 1, 0, 0));
        let b = observances(Europe::Paris, utc(2026, 6, 1, 0, 0), utc(2026, 1, 1, 0, 0));
        assert_eq!(a, b);
    }
}
