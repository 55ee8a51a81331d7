//! The streaming feed writer: a VCALENDAR written event by event into any `io::Write` or
//! `fmt::Write`, byte-exact and deterministic, with memory bounded whatever the event count.
//!
//! Bytes go out through one internal buffer of [`FLUSH_THRESHOLD`] octets; nothing per event is
//! kept. In [`TimeMode::Local`] the VTIMEZONEs must come before the events that use them, so
//! the writer takes a [`FeedPlan`] (the zones and the span of each) up front: compute it by a
//! cheap first pass over the shifts ([`FeedPlan::from_shifts`]) or from the feed's known window
//! ([`FeedPlan::include_span`]).

use crate::format::{push_duration, push_naive, push_u64, push_utc};
use crate::model::{CalendarMeta, Shift};
use crate::text::{escape_text_into, fold_into, push_param_value};
use crate::uid::UidDomain;
use crate::vtimezone::{observances, write_vtimezone};
use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use std::collections::BTreeMap;
use std::{fmt, io};

/// Size in octets of the writer's output buffer: bytes are handed to the output in chunks of
/// about this size, so an unbuffered `File` or socket is fine.
pub const FLUSH_THRESHOLD: usize = 32 * 1024;

/// How event times are written.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum TimeMode {
    /// Every DTSTART/DTEND in UTC (`20260329T010000Z`), no TZID, no VTIMEZONE. Clients show the
    /// times in the viewer's own zone. The default, and the most robust choice.
    #[default]
    Utc,
    /// Shifts that have a display timezone get `DTSTART;TZID=Europe/Paris:20260329T030000`
    /// plus one VTIMEZONE per zone, generated from the tz database over the plan's span.
    /// Shifts without a timezone stay in UTC, and so does a shift whose start or end falls in a
    /// repeated hour (the autumn fall-back, e.g. 02:00–03:00 in Paris on 2026-10-25). RFC 5545
    /// §3.3.5 reads such a wall-clock time as its first occurrence, so the second cannot be
    /// written at all, and parsers disagree even on the first (ical.js 2.2.1 takes the second);
    /// a UTC time is read the same by every parser.
    Local(FeedPlan),
}

/// The zones a local-mode feed uses and the span of instants each must cover.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use ical_feed::{FeedPlan, Shift};
///
/// let s = Shift::builder(
///     "1",
///     "a",
///     Utc.with_ymd_and_hms(2026, 3, 28, 22, 0, 0).unwrap(),
///     Utc.with_ymd_and_hms(2026, 3, 29, 6, 0, 0).unwrap(),
///     Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
/// )
/// .timezone(chrono_tz::Europe::Paris)
/// .build()?;
/// let plan = FeedPlan::from_shifts([&s]);
/// assert!(plan.covers(&s));
/// assert_eq!(plan.zones().count(), 1);
/// # Ok::<(), ical_feed::ShiftError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeedPlan {
    zones: BTreeMap<&'static str, ZoneSpan>,
}

/// One zone of a [`FeedPlan`] and the span its VTIMEZONE covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZoneSpan {
    /// The zone.
    pub tz: Tz,
    /// The first instant covered.
    pub first: DateTime<Utc>,
    /// The last instant covered.
    pub last: DateTime<Utc>,
}

impl FeedPlan {
    /// An empty plan. A local-mode writer with an empty plan refuses every zoned shift with
    /// [`WriteError::OutsidePlan`]: add shifts or spans first.
    pub fn new() -> Self {
        FeedPlan::default()
    }

    /// The plan of exactly these shifts: one zone per display timezone used, each covering
    /// the first start to the last end of the shifts in that zone.
    pub fn from_shifts<'a, I>(shifts: I) -> Self
    where
        I: IntoIterator<Item = &'a Shift>,
    {
        let mut plan = FeedPlan::new();
        for shift in shifts {
            plan.include(shift);
        }
        plan
    }

    /// Widens the plan to cover `shift` (nothing for a shift without timezone).
    pub fn include(&mut self, shift: &Shift) -> &mut Self {
        if let Some(tz) = shift.timezone() {
            self.include_span(tz, shift.start(), shift.end());
        }
        self
    }

    /// Widens the plan so that `tz` covers `first..=last`, e.g. the window a feed serves
    /// (`now - 7 days ..= now + 60 days`) when no first pass over the shifts is wanted.
    pub fn include_span(&mut self, tz: Tz, first: DateTime<Utc>, last: DateTime<Utc>) -> &mut Self {
        let (first, last) = if last < first {
            (last, first)
        } else {
            (first, last)
        };
        self.zones
            .entry(tz.name())
            .and_modify(|z| {
                z.first = z.first.min(first);
                z.last = z.last.max(last);
            })
            .or_insert(ZoneSpan { tz, first, last });
        self
    }

    /// The zones, ordered by name.
    pub fn zones(&self) -> impl Iterator<Item = &ZoneSpan> {
        self.zones.values()
    }

    /// Whether a local-mode writer with this plan can write `shift` (true without timezone).
    pub fn covers(&self, shift: &Shift) -> bool {
        match shift.timezone() {
            None => true,
            Some(tz) => self
                .zones
                .get(tz.name())
                .is_some_and(|z| z.first <= shift.start() && shift.end() <= z.last),
        }
    }

    /// Whether the plan has no zone.
    pub fn is_empty(&self) -> bool {
        self.zones.is_empty()
    }
}

/// What a [`FeedWriter`] needs besides the calendar metadata: the UID domain and the time mode.
#[derive(Debug, Clone, PartialEq)]
pub struct WriterOptions {
    domain: UidDomain,
    time_mode: TimeMode,
}

impl WriterOptions {
    /// UTC mode (see [`TimeMode::Utc`]).
    pub fn utc(domain: UidDomain) -> Self {
        WriterOptions {
            domain,
            time_mode: TimeMode::Utc,
        }
    }

    /// Local mode over `plan` (see [`TimeMode::Local`]).
    pub fn local(domain: UidDomain, plan: FeedPlan) -> Self {
        WriterOptions {
            domain,
            time_mode: TimeMode::Local(plan),
        }
    }

    /// The UID domain.
    pub fn domain(&self) -> &UidDomain {
        &self.domain
    }

    /// The time mode.
    pub fn time_mode(&self) -> &TimeMode {
        &self.time_mode
    }
}

/// Why writing a feed failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The `io::Write` output failed; the feed written so far is incomplete.
    #[error("writing the feed failed: {0} (the output is incomplete: discard it)")]
    Io(#[from] io::Error),
    /// The `fmt::Write` output failed; the feed written so far is incomplete.
    #[error("writing the feed into a fmt::Write failed (the output is incomplete: discard it)")]
    Fmt(#[from] fmt::Error),
    /// A zoned shift in local mode lies outside the [`FeedPlan`], so no VTIMEZONE covers it.
    /// Nothing of the shift was written; the writer is still usable.
    #[error(
        "shift {id:?} in timezone {zone} is outside the FeedPlan given to the writer: build the plan from every shift (FeedPlan::from_shifts) or widen it with include_span"
    )]
    OutsidePlan {
        /// The shift id.
        id: String,
        /// The shift's timezone.
        zone: &'static str,
    },
    /// An earlier output error left the feed incomplete; the writer refuses further use.
    #[error("the feed writer failed earlier and its output is incomplete: start a new feed")]
    Poisoned,
}

mod sealed {
    /// Where a [`super::FeedWriter`] puts its bytes. Sealed: implemented for
    /// [`super::IoOutput`] and [`super::FmtOutput`] only.
    pub trait Sink {
        fn put(&mut self, s: &str) -> Result<(), super::WriteError>;
        fn flush_sink(&mut self) -> Result<(), super::WriteError>;
    }
}

/// An output a [`FeedWriter`] can write to: [`IoOutput`] or [`FmtOutput`]. Sealed.
pub trait Output: sealed::Sink {}

/// A [`FeedWriter`] output over an `io::Write` (file, socket, HTTP body, `Vec<u8>`).
#[derive(Debug)]
pub struct IoOutput<W>(W);

/// A [`FeedWriter`] output over a `fmt::Write` (`String`, a `Formatter`).
#[derive(Debug)]
pub struct FmtOutput<W>(W);

impl<W: io::Write> sealed::Sink for IoOutput<W> {
    fn put(&mut self, s: &str) -> Result<(), WriteError> {
        self.0.write_all(s.as_bytes()).map_err(WriteError::Io)
    }
    fn flush_sink(&mut self) -> Result<(), WriteError> {
        self.0.flush().map_err(WriteError::Io)
    }
}
impl<W: io::Write> Output for IoOutput<W> {}

impl<W: fmt::Write> sealed::Sink for FmtOutput<W> {
    fn put(&mut self, s: &str) -> Result<(), WriteError> {
        self.0.write_str(s).map_err(WriteError::Fmt)
    }
    fn flush_sink(&mut self) -> Result<(), WriteError> {
        Ok(())
    }
}
impl<W: fmt::Write> Output for FmtOutput<W> {}

/// Writes one VCALENDAR incrementally: the header (and VTIMEZONEs) on creation, one VEVENT per
/// [`FeedWriter::write_shift`], the end on [`FeedWriter::finish`].
///
/// The same shifts, metadata and options always give the same bytes: no clock is read, DTSTAMP
/// is the shift's last modification, and the order is the caller's.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use ical_feed::{CalendarMeta, FeedWriter, Shift, UidDomain, WriterOptions};
///
/// let shift = Shift::builder(
///     "4711",
///     "agent-42",
///     Utc.with_ymd_and_hms(2026, 3, 29, 6, 0, 0).unwrap(),
///     Utc.with_ymd_and_hms(2026, 3, 29, 14, 0, 0).unwrap(),
///     Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap(),
/// )
/// .summary("Phones")
/// .build()?;
/// let meta = CalendarMeta::new("-//Example Corp//Shifts//EN", "Team A")?;
/// let options = WriterOptions::utc(UidDomain::new("example.com")?);
///
/// let mut out = Vec::new();
/// let mut writer = FeedWriter::new(&mut out, &meta, options)?;
/// writer.write_shift(&shift)?; // returns &mut FeedWriter, so calls chain
/// writer.finish()?;
/// let text = String::from_utf8(out)?;
/// assert!(text.contains("\r\nDTSTART:20260329T060000Z\r\n"));
/// assert!(text.ends_with("END:VCALENDAR\r\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct FeedWriter<O: Output> {
    out: O,
    buf: String,
    line: String,
    domain: UidDomain,
    plan: Option<FeedPlan>,
    events: u64,
    components: u64,
    poisoned: bool,
}

impl<W: io::Write> FeedWriter<IoOutput<W>> {
    /// Starts a feed on an `io::Write` and writes its header (and, in local mode, its
    /// VTIMEZONEs). No `BufWriter` is needed: the writer buffers by itself.
    pub fn new(out: W, meta: &CalendarMeta, options: WriterOptions) -> Result<Self, WriteError> {
        FeedWriter::start(IoOutput(out), meta, options)
    }

    /// Writes `END:VCALENDAR`, flushes, and returns the output.
    pub fn finish(mut self) -> Result<W, WriteError> {
        self.finish_inner()?;
        Ok(self.out.0)
    }
}

impl<W: fmt::Write> FeedWriter<FmtOutput<W>> {
    /// Starts a feed on a `fmt::Write` (e.g. a `String`); otherwise as [`FeedWriter::new`].
    pub fn new_fmt(
        out: W,
        meta: &CalendarMeta,
        options: WriterOptions,
    ) -> Result<Self, WriteError> {
        FeedWriter::start(FmtOutput(out), meta, options)
    }

    /// Writes `END:VCALENDAR` and returns the output.
    pub fn finish(mut self) -> Result<W, WriteError> {
        self.finish_inner()?;
        Ok(self.out.0)
    }
}

impl<O: Output> FeedWriter<O> {
    /// Writes `shift` as one VEVENT.
    ///
    /// In local mode a zoned shift outside the plan is refused with
    /// [`WriteError::OutsidePlan`] before anything is written.
    pub fn write_shift(&mut self, shift: &Shift) -> Result<&mut Self, WriteError> {
        if self.poisoned {
            return Err(WriteError::Poisoned);
        }
        let local = match (&self.plan, shift.timezone()) {
            (Some(plan), Some(tz)) => {
                if !plan.covers(shift) {
                    return Err(WriteError::OutsidePlan {
                        id: shift.id().to_owned(),
                        zone: tz.name(),
                    });
                }
                match (local_time(tz, shift.start()), local_time(tz, shift.end())) {
                    (Some(start), Some(end)) => Some((tz, start, end)),
                    _ => None,
                }
            }
            _ => None,
        };

        let buf = &mut self.buf;
        let line = &mut self.line;
        buf.push_str("BEGIN:VEVENT\r\n");

        line.clear();
        line.push_str("UID:");
        self.domain.push_uid(line, shift.id());
        fold_into(buf, line);

        buf.push_str("DTSTAMP:");
        push_utc(buf, &shift.last_modified());
        buf.push_str("\r\n");

        match local {
            Some((tz, start, end)) => {
                for (name, at) in [("DTSTART", start), ("DTEND", end)] {
                    line.clear();
                    line.push_str(name);
                    line.push_str(";TZID=");
                    push_param_value(line, tz.name());
                    line.push(':');
                    push_naive(line, &at);
                    fold_into(buf, line);
                }
            }
            None => {
                buf.push_str("DTSTART:");
                push_utc(buf, &shift.start());
                buf.push_str("\r\nDTEND:");
                push_utc(buf, &shift.end());
                buf.push_str("\r\n");
            }
        }

        buf.push_str("SEQUENCE:");
        push_u64(buf, u64::from(shift.sequence()));
        buf.push_str("\r\nSTATUS:");
        buf.push_str(shift.status().as_str());
        buf.push_str("\r\n");

        if !shift.summary().is_empty() {
            text_property(buf, line, "SUMMARY", shift.summary());
        }
        if let Some(description) = shift.description() {
            text_property(buf, line, "DESCRIPTION", description);
        }
        if let Some(location) = shift.location() {
            text_property(buf, line, "LOCATION", location);
        }
        let categories = shift.categories();
        if !categories.is_empty() {
            line.clear();
            line.push_str("CATEGORIES:");
            let mut line_empty = true;
            for (i, category) in categories.iter().enumerate() {
                if !line_empty {
                    line.push(',');
                }
                escape_text_into(line, category);
                line_empty = false;
                // A category ending in a backslash ends in `\\`; ical.js 2.2.1 would read the
                // `\,` that follows as an escaped comma. CATEGORIES may occur more than once
                // (RFC 5545 §3.6.1), so such a category ends its line.
                if line.ends_with("\\\\") && i + 1 < categories.len() {
                    fold_into(buf, line);
                    line.clear();
                    line.push_str("CATEGORIES:");
                    line_empty = true;
                }
            }
            fold_into(buf, line);
        }

        buf.push_str("LAST-MODIFIED:");
        push_utc(buf, &shift.last_modified());
        buf.push_str("\r\n");

        line.clear();
        line.push_str("X-WFM-AGENT");
        if let Some(name) = shift.agent_name() {
            line.push_str(";CN=");
            push_param_value(line, name);
        }
        line.push(':');
        escape_text_into(line, shift.agent_id());
        fold_into(buf, line);

        buf.push_str("END:VEVENT\r\n");
        self.events += 1;
        self.components += 1;
        if self.buf.len() >= FLUSH_THRESHOLD {
            self.flush_buffer()?;
        }
        Ok(self)
    }

    /// Writes every shift of `shifts`, stopping at the first error.
    pub fn write_all<'a, I>(&mut self, shifts: I) -> Result<&mut Self, WriteError>
    where
        I: IntoIterator<Item = &'a Shift>,
    {
        for shift in shifts {
            self.write_shift(shift)?;
        }
        Ok(self)
    }

    /// How many VEVENTs were written so far.
    pub fn events_written(&self) -> u64 {
        self.events
    }

    fn start(out: O, meta: &CalendarMeta, options: WriterOptions) -> Result<Self, WriteError> {
        let WriterOptions { domain, time_mode } = options;
        let plan = match time_mode {
            TimeMode::Utc => None,
            TimeMode::Local(plan) => Some(plan),
        };
        let mut writer = FeedWriter {
            out,
            buf: String::with_capacity(FLUSH_THRESHOLD + 4096),
            line: String::with_capacity(256),
            domain,
            plan,
            events: 0,
            components: 0,
            poisoned: false,
        };
        writer.write_header(meta);
        if let Some(plan) = writer.plan.take() {
            for zone in plan.zones() {
                let obs = observances(zone.tz, zone.first, zone.last);
                write_vtimezone(&mut writer.buf, &mut writer.line, zone.tz.name(), &obs);
                writer.components += 1;
                if writer.buf.len() >= FLUSH_THRESHOLD {
                    writer.flush_buffer()?;
                }
            }
            writer.plan = Some(plan);
        }
        Ok(writer)
    }

    fn write_header(&mut self, meta: &CalendarMeta) {
        let buf = &mut self.buf;
        let line = &mut self.line;
        buf.push_str("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
        text_property(buf, line, "PRODID", meta.prodid());
        if let Some(method) = meta.method() {
            buf.push_str("METHOD:");
            buf.push_str(method.as_str());
            buf.push_str("\r\n");
        }
        text_property(buf, line, "NAME", meta.name());
        text_property(buf, line, "X-WR-CALNAME", meta.name());
        let refresh = meta.refresh_interval().as_secs();
        buf.push_str("REFRESH-INTERVAL;VALUE=DURATION:");
        push_duration(buf, refresh);
        buf.push_str("\r\nX-PUBLISHED-TTL:");
        push_duration(buf, refresh);
        buf.push_str("\r\n");
    }

    fn finish_inner(&mut self) -> Result<(), WriteError> {
        if self.poisoned {
            return Err(WriteError::Poisoned);
        }
        if self.components == 0 {
            // RFC 5545 §3.6: an iCalendar object MUST include at least one calendar component,
            // and a VTIMEZONE alone is a legal form. An agent with no shifts still gets a valid feed.
            self.buf.push_str(
                "BEGIN:VTIMEZONE\r\nTZID:Etc/UTC\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n\
                 TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nTZNAME:UTC\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
            );
            self.components += 1;
        }
        self.buf.push_str("END:VCALENDAR\r\n");
        self.flush_buffer()?;
        let flushed = self.out.flush_sink();
        if flushed.is_err() {
            self.poisoned = true;
        }
        flushed
    }

    fn flush_buffer(&mut self) -> Result<(), WriteError> {
        let result = self.out.put(&self.buf);
        self.buf.clear();
        if result.is_err() {
            self.poisoned = true;
        }
        result
    }
}

/// Renders a whole feed into a `String`: a convenience over [`FeedWriter::new_fmt`].
pub fn render_to_string<'a, I>(
    meta: &CalendarMeta,
    options: WriterOptions,
    shifts: I,
) -> Result<String, WriteError>
where
    I: IntoIterator<Item = &'a Shift>,
{
    let mut writer = FeedWriter::new_fmt(String::new(), meta, options)?;
    writer.write_all(shifts)?;
    writer.finish()
}

/// Appends a TEXT property, escaped and folded.
fn text_property(buf: &mut String, line: &mut String, name: &str, value: &str) {
    line.clear();
    line.push_str(name);
    line.push(':');
    escape_text_into(line, value);
    fold_into(buf, line);
}

/// The wall-clock time of `at` in `tz`, or `None` when that wall-clock time occurs twice (see
/// [`TimeMode::Local`]) and so is better written in UTC.
fn local_time(tz: Tz, at: DateTime<Utc>) -> Option<NaiveDateTime> {
    let local = at.with_timezone(&tz).naive_local();
    match tz.from_local_datetime(&local) {
        LocalResult::Single(_) => Some(local),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Method, Status};
    use chrono_tz::{America, Europe};

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn meta() -> CalendarMeta {
        CalendarMeta::new("-//Test//Feed//EN", "Team; A, shifts").unwrap()
    }

    fn domain() -> UidDomain {
        UidDomain::new("example.com").unwrap()
    }

    fn shift(id: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> Shift {
        Shift::builder(id, "agent-1", start, end, utc(2026, 1, 1, 12, 0))
            .summary("Phones")
            .build()
            .unwrap()
    }

    #[test]
    fn utc_feed_exact_bytes() {
        let s = Shift::builder(
            "s-1",
            "agent-7",
            utc(2026, 3, 29, 6, 0),
            utc(2026, 3, 29, 14, 30),
            utc(2026, 3, 1, 9, 30),
        )
        .agent_name("Doe, Jane")
        .summary("Phones: Billing")
        .description("Line 1\r\nLine 2; with, specials \\")
        .location("Site A")
        .categories(["Phones", "A,B"])
        .status(Status::Cancelled)
        .sequence(3)
        .timezone(Europe::Paris)
        .build()
        .unwrap();
        let meta = meta().with_method(Method::Publish);
        let text = render_to_string(&meta, WriterOptions::utc(domain()), [&s]).unwrap();
        assert_eq!(
            text,
            "BEGIN:VCALENDAR\r\n\
             VERSION:2.0\r\n\
             PRODID:-//Test//Feed//EN\r\n\
             METHOD:PUBLISH\r\n\
             NAME:Team\\; A\\, shifts\r\n\
             X-WR-CALNAME:Team\\; A\\, shifts\r\n\
             REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n\
             X-PUBLISHED-TTL:PT1H\r\n\
             BEGIN:VEVENT\r\n\
             UID:shift-s-1@example.com\r\n\
             DTSTAMP:20260301T093000Z\r\n\
             DTSTART:20260329T060000Z\r\n\
             DTEND:20260329T143000Z\r\n\
             SEQUENCE:3\r\n\
             STATUS:CANCELLED\r\n\
             SUMMARY:Phones: Billing\r\n\
             DESCRIPTION:Line 1\\nLine 2\\; with\\, specials \\\\\r\n\
             LOCATION:Site A\r\n\
             CATEGORIES:Phones,A\\,B\r\n\
             LAST-MODIFIED:20260301T093000Z\r\n\
             X-WFM-AGENT;CN=\"Doe, Jane\":agent-7\r\n\
             END:VEVENT\r\n\
             END:VCALENDAR\r\n"
        );
    }

    #[test]
    fn local_mode_writes_tzid_and_vtimezone_first() {
        let s = Shift::builder(
            "n",
            "a",
            utc(2026, 3, 28, 21, 0),
            utc(2026, 3, 29, 5, 0),
            utc(2026, 1, 1, 0, 0),
        )
        .timezone(Europe::Paris)
        .build()
        .unwrap();
        let plan = FeedPlan::from_shifts([&s]);
        let text = render_to_string(&meta(), WriterOptions::local(domain(), plan), [&s]).unwrap();
        let vtz = text.find("BEGIN:VTIMEZONE").unwrap();
        let ev = text.find("BEGIN:VEVENT").unwrap();
        assert!(vtz < ev);
        assert!(
            text.contains("DTSTART;TZID=Europe/Paris:20260328T220000\r\n"),
            "{text}"
        );
        // 05:00 UTC after the spring-forward is 07:00 CEST
        assert!(
            text.contains("DTEND;TZID=Europe/Paris:20260329T070000\r\n"),
            "{text}"
        );
        assert!(text.contains("BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"));
        assert_eq!(text.matches("BEGIN:VTIMEZONE").count(), 1);
        assert!(!text.contains("Z\r\nDTEND;TZID"));
    }

    #[test]
    fn repeated_hour_falls_back_to_utc() {
        // 2026-10-25 01:30 UTC is 02:30 CET, the second 02:30 of that night in Paris.
        let second = Shift::builder(
            "late",
            "a",
            utc(2026, 10, 25, 1, 30),
            utc(2026, 10, 25, 9, 0),
            utc(2026, 1, 1, 0, 0),
        )
        .timezone(Europe::Paris)
        .build()
        .unwrap();
        // 00:30 UTC is 02:30 CEST, the first occurrence: also UTC, parsers disagree on it.
        let first = Shift::builder(
            "early",
            "a",
            utc(2026, 10, 25, 0, 30),
            utc(2026, 10, 25, 9, 0),
            utc(2026, 1, 1, 0, 0),
        )
        .timezone(Europe::Paris)
        .build()
        .unwrap();
        let plan = FeedPlan::from_shifts([&second, &first]);
        let text = render_to_string(
            &meta(),
            WriterOptions::local(domain(), plan),
            [&second, &first],
        )
        .unwrap();
        assert!(
            text.contains("DTSTART:20261025T013000Z\r\nDTEND:20261025T090000Z\r\n"),
            "{text}"
        );
        assert!(
            text.contains("DTSTART:20261025T003000Z\r\nDTEND:20261025T090000Z\r\n"),
            "{text}"
        );
        // 03:00 CET, just after the repeated hour, exists once: local form.
        let after = Shift::builder(
            "after",
            "a",
            utc(2026, 10, 25, 2, 0),
            utc(2026, 10, 25, 9, 0),
            utc(2026, 1, 1, 0, 0),
        )
        .timezone(Europe::Paris)
        .build()
        .unwrap();
        let plan = FeedPlan::from_shifts([&after]);
        let text =
            render_to_string(&meta(), WriterOptions::local(domain(), plan), [&after]).unwrap();
        assert!(text.contains("DTSTART;TZID=Europe/Paris:20261025T030000\r\nDTEND;TZID=Europe/Paris:20261025T100000\r\n"), "{text}");
    }

    #[test]
    fn outside_plan_is_a_typed_error_and_writer_stays_usable() {
        let inside = shift("in", utc(2026, 1, 1, 8, 0), utc(2026, 1, 1, 9, 0));
        let zoned = Shift::builder(
            "z",
            "a",
            utc(2026, 1, 1, 8, 0),
            utc(2026, 1, 1, 9, 0),
            utc(2026, 1, 1, 0, 0),
        )
        .timezone(America::Chicago)
        .build()
        .unwrap();
        let mut w = FeedWriter::new_fmt(
            String::new(),
            &meta(),
            WriterOptions::local(domain(), FeedPlan::new()),
        )
        .unwrap();
        let err = w.write_shift(&zoned).err().unwrap();
        assert!(
            matches!(err, WriteError::OutsidePlan { ref id, zone: "America/Chicago" } if id == "z")
        );
        assert!(err.to_string().contains("FeedPlan::from_shifts"));
        w.write_shift(&inside).unwrap();
        let text = w.finish().unwrap();
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 1);
    }

    #[test]
    fn category_ending_in_backslash_ends_its_line() {
        let s = Shift::builder(
            "c",
            "a",
            utc(2026, 1, 1, 8, 0),
            utc(2026, 1, 1, 9, 0),
            utc(2026, 1, 1, 0, 0),
        )
        .categories(["a\\", "b,c", "d\\"])
        .build()
        .unwrap();
        let text = render_to_string(&meta(), WriterOptions::utc(domain()), [&s]).unwrap();
        assert!(
            text.contains("\r\nCATEGORIES:a\\\\\r\nCATEGORIES:b\\,c,d\\\\\r\n"),
            "{text}"
        );
    }

    #[test]
    fn empty_feed_still_has_a_component() {
        let text = render_to_string(&meta(), WriterOptions::utc(domain()), []).unwrap();
        assert!(text.contains("BEGIN:VTIMEZONE\r\nTZID:Etc/UTC\r\n"));
        assert!(text.ends_with("END:VTIMEZONE\r\nEND:VCALENDAR\r\n"));
    }

    #[test]
    fn render_twice_gives_identical_bytes() {
        let shifts: Vec<Shift> = (0..500)
            .map(|i| {
                shift(
                    &format!("s{i}"),
                    utc(2026, 1, 1, 0, 0) + chrono::Duration::hours(i),
                    utc(2026, 1, 1, 1, 0) + chrono::Duration::hours(i),
                )
            })
            .collect();
        let a = render_to_string(&meta(), WriterOptions::utc(domain()), &shifts).unwrap();
        let b = render_to_string(&meta(), WriterOptions::utc(domain()), &shifts).unwrap();
        assert_eq!(a, b);
        // io and fmt outputs are the same bytes, whatever the buffer boundaries
        let mut w = FeedWriter::new(Vec::new(), &meta(), WriterOptions::utc(domain())).unwrap();
        w.write_all(&shifts).unwrap();
        assert_eq!(w.events_written(), 500);
        assert_eq!(w.finish().unwrap(), a.into_bytes());
    }

    struct FailAfter(usize);
    impl io::Write for FailAfter {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            if self.0 < b.len() {
                return Err(io::Error::other("disk full"));
            }
            self.0 -= b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn output_error_poisons_the_writer() {
        let s = shift("s", utc(2026, 1, 1, 8, 0), utc(2026, 1, 1, 9, 0));
        let mut w = FeedWriter::new(FailAfter(10), &meta(), WriterOptions::utc(domain())).unwrap();
        let mut failed = false;
        for _ in 0..1000 {
            if let Err(e) = w.write_shift(&s) {
                assert!(matches!(e, WriteError::Io(_)));
                failed = true;
                break;
            }
        }
        assert!(failed);
        assert!(matches!(
            w.write_shift(&s).err(),
            Some(WriteError::Poisoned)
        ));
        assert!(matches!(w.finish().err(), Some(WriteError::Poisoned)));
    }
}
