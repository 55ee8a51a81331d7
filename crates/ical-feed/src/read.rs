//! A small RFC 5545 reader: unfolding, content lines, quoted parameters, TEXT unescaping.
//! Enough to read this crate's output and common real feeds back, e.g. in round-trip tests.
//!
//! It is lenient where real feeds are sloppy (bare LF line ends, TAB continuations, blank lines,
//! unknown backslash escapes are kept) and strict about structure (a content line needs a name
//! and a colon, quotes must close, BEGIN/END must nest, at most [`MAX_DEPTH`] components deep).
//! It does not resolve TZIDs to instants.
//!
//! Nothing here recurses over the component tree: parsing keeps an explicit stack, and
//! [`Component`]'s `Drop`, `Clone`, `PartialEq`, `Debug` and [`Component::walk`] loop, so a tree
//! of any depth or width (built by hand or parsed) is dropped, compared, cloned and printed
//! without growing the call stack.
//!
//! ```
//! use ical_feed::read;
//!
//! let cal = read::parse(
//!     "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Phones\\, billing\r\n  queue\r\n\
//!      X-WFM-AGENT;CN=\"Doe, Jane\":a-1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
//! )?;
//! let event = cal.components_named("VEVENT").next().unwrap();
//! assert_eq!(event.property("summary").unwrap().text(), "Phones, billing queue");
//! assert_eq!(event.property("X-WFM-AGENT").unwrap().param("cn"), Some("Doe, Jane"));
//! # Ok::<(), ical_feed::read::ReadError>(())
//! ```

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use std::borrow::Cow;
use std::fmt;

/// How deep components may nest in a parsed stream (the top-level VCALENDAR counts as 1).
///
/// Real feeds nest three deep at most (VCALENDAR, VEVENT, VALARM; or VCALENDAR, VTIMEZONE,
/// STANDARD), so 64 leaves room for any legitimate extension while keeping a hostile input of
/// thousands of nested `BEGIN:` lines from building a huge tree: [`parse`] and
/// [`parse_components`] stop at the first `BEGIN:` beyond this depth with
/// [`ReadErrorKind::TooDeep`].
pub const MAX_DEPTH: usize = 64;

/// A component (`BEGIN:NAME` … `END:NAME`) with its properties and sub-components in order.
///
/// `Drop`, `Clone`, `PartialEq` and `Debug` are iterative, whatever the depth of the tree. Since
/// the type implements `Drop`, take a field out with [`std::mem::take`] rather than by moving
/// it out of the struct.
#[derive(Eq)]
pub struct Component {
    /// The name, upper-cased (`VCALENDAR`, `VEVENT`, …).
    pub name: String,
    /// The properties, in order.
    pub properties: Vec<Property>,
    /// The sub-components, in order.
    pub components: Vec<Component>,
}

/// One content line: `NAME;PARAM=VALUE:value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// The name, upper-cased.
    pub name: String,
    /// The parameters, in order.
    pub params: Vec<Param>,
    /// The raw value (still escaped, for TEXT).
    pub value: String,
    /// The physical line (1-based) where the content line starts.
    pub line: usize,
}

/// A property parameter; `values` has more than one entry for `NAME=a,b`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The name, upper-cased.
    pub name: String,
    /// The values, without the quotes of quoted values.
    pub values: Vec<String>,
}

/// A DATE-TIME or DATE value (RFC 5545 §3.3.4, §3.3.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateTimeValue {
    /// FORM #2: a UTC time (`…Z`).
    Utc(DateTime<Utc>),
    /// FORM #3 (`tzid` set) or FORM #1, floating (`tzid` is `None`).
    Local {
        /// The wall-clock time.
        local: NaiveDateTime,
        /// The TZID parameter, if any.
        tzid: Option<String>,
    },
    /// A DATE (`VALUE=DATE`).
    Date(NaiveDate),
}

/// Where and why reading failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct ReadError {
    /// The physical line (1-based).
    pub line: usize,
    /// What is wrong.
    pub kind: ReadErrorKind,
}

/// What is wrong in a [`ReadError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// The content line has no `:` before its value.
    #[error("content line without ':'")]
    MissingColon,
    /// The property or parameter name is empty or has characters other than letters, digits, `-`.
    #[error("invalid name {0:?}")]
    InvalidName(String),
    /// A parameter has no `=`.
    #[error("parameter {0:?} without '='")]
    MissingEquals(String),
    /// A quoted parameter value does not close.
    #[error("unterminated quoted parameter value")]
    UnterminatedQuote,
    /// Something other than `;`, `,` or `:` follows a quoted parameter value.
    #[error("unexpected character after a quoted parameter value")]
    AfterQuote,
    /// A folded continuation line comes first.
    #[error("continuation line with nothing to continue")]
    LeadingContinuation,
    /// A property appears outside any component.
    #[error("property {0} outside any component")]
    OutsideComponent(String),
    /// `END:X` does not match the open `BEGIN:Y`.
    #[error("END:{found} where END:{expected} was expected")]
    MismatchedEnd {
        /// The open component.
        expected: String,
        /// The END found.
        found: String,
    },
    /// A `BEGIN:` line would open a component deeper than [`MAX_DEPTH`].
    #[error(
        "BEGIN:{name} nests components more than {limit} deep; iCalendar feeds nest 3 deep \
         (VCALENDAR > VEVENT > VALARM): the input is malformed or hostile, check that every \
         BEGIN line has its END line"
    )]
    TooDeep {
        /// The component that would have been too deep.
        name: String,
        /// The limit, [`MAX_DEPTH`].
        limit: usize,
    },
    /// The input ended inside a component.
    #[error("input ends inside {0}: END:{0} is missing")]
    Unclosed(String),
    /// There is no component at all.
    #[error("no component found")]
    Empty,
    /// [`parse`] found more than one top-level component.
    #[error("more than one top-level component")]
    SeveralTopLevel,
    /// A DATE-TIME or DATE value is malformed.
    #[error("invalid date or date-time {0:?}")]
    InvalidDateTime(String),
}

impl Component {
    /// Every component of the tree, this one first, depth-first in document order, with its
    /// depth (0 for `self`). Iterative: any depth is fine.
    ///
    /// ```
    /// let cal = ical_feed::read::parse(
    ///     "BEGIN:VCALENDAR\nBEGIN:VEVENT\nBEGIN:VALARM\nEND:VALARM\nEND:VEVENT\nEND:VCALENDAR\n",
    /// )?;
    /// let names: Vec<_> = cal.walk().map(|(depth, c)| (depth, c.name.as_str())).collect();
    /// assert_eq!(names, [(0, "VCALENDAR"), (1, "VEVENT"), (2, "VALARM")]);
    /// # Ok::<(), ical_feed::read::ReadError>(())
    /// ```
    pub fn walk(&self) -> impl Iterator<Item = (usize, &Component)> + '_ {
        let mut stack = vec![(0, self)];
        std::iter::from_fn(move || {
            let (depth, c) = stack.pop()?;
            stack.extend(c.components.iter().rev().map(|child| (depth + 1, child)));
            Some((depth, c))
        })
    }

    /// A copy of this component without its sub-components (room is made for them).
    fn shell_of(&self) -> Component {
        Component {
            name: self.name.clone(),
            properties: self.properties.clone(),
            components: Vec::with_capacity(self.components.len()),
        }
    }

    /// The first property named `name` (case-insensitive).
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// All properties named `name` (case-insensitive).
    pub fn properties_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Property> + 'a {
        self.properties
            .iter()
            .filter(move |p| p.name.eq_ignore_ascii_case(name))
    }

    /// All direct sub-components named `name` (case-insensitive).
    pub fn components_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Component> + 'a {
        self.components
            .iter()
            .filter(move |c| c.name.eq_ignore_ascii_case(name))
    }
}

impl Drop for Component {
    fn drop(&mut self) {
        // Detach the children before they drop, so each drop sees no grandchildren.
        let mut pending = std::mem::take(&mut self.components);
        while let Some(mut c) = pending.pop() {
            pending.append(&mut c.components);
        }
    }
}

impl Clone for Component {
    fn clone(&self) -> Self {
        // (source, next child to copy, copy without children yet)
        let mut stack = vec![(self, 0usize, self.shell_of())];
        loop {
            let Some(&mut (src, ref mut next, _)) = stack.last_mut() else {
                // Not reached: the root is returned when it is popped.
                break self.shell_of();
            };
            if let Some(child) = src.components.get(*next) {
                *next += 1;
                stack.push((child, 0, child.shell_of()));
                continue;
            }
            let Some((_, _, done)) = stack.pop() else {
                break self.shell_of();
            };
            match stack.last_mut() {
                Some((_, _, parent)) => parent.components.push(done),
                None => break done,
            }
        }
    }
}

impl PartialEq for Component {
    fn eq(&self, other: &Self) -> bool {
        let mut pairs = vec![(self, other)];
        while let Some((a, b)) = pairs.pop() {
            if a.name != b.name
                || a.properties != b.properties
                || a.components.len() != b.components.len()
            {
                return false;
            }
            pairs.extend(a.components.iter().zip(&b.components));
        }
        true
    }
}

impl fmt::Debug for Component {
    /// The derived format (`Component { name: …, properties: […], components: […] }`), written
    /// in a loop; `{:#?}` puts each component on its own line, indented by depth (at most 32
    /// levels of indentation).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pretty = f.alternate();
        let newline = |f: &mut fmt::Formatter<'_>, depth: usize| -> fmt::Result {
            if pretty {
                f.write_str("\n")?;
                for _ in 0..depth.min(32) {
                    f.write_str("    ")?;
                }
            }
            Ok(())
        };
        let open = |f: &mut fmt::Formatter<'_>, c: &Component| {
            write!(
                f,
                "Component {{ name: {:?}, properties: {:?}, components: [",
                c.name, c.properties
            )
        };
        open(f, self)?;
        // (component, next child to print)
        let mut stack = vec![(self, 0usize)];
        while let Some(&mut (c, ref mut next)) = stack.last_mut() {
            if let Some(child) = c.components.get(*next) {
                if *next > 0 {
                    f.write_str(",")?;
                    if !pretty {
                        f.write_str(" ")?;
                    }
                }
                *next += 1;
                newline(f, stack.len())?;
                open(f, child)?;
                stack.push((child, 0));
            } else {
                let had_children = !c.components.is_empty();
                stack.pop();
                if had_children {
                    newline(f, stack.len())?;
                }
                f.write_str("] }")?;
            }
        }
        Ok(())
    }
}

impl Property {
    /// The first value of the parameter `name` (case-insensitive).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .and_then(|p| p.values.first())
            .map(String::as_str)
    }

    /// The value unescaped as TEXT; see [`unescape_text`].
    pub fn text(&self) -> String {
        unescape_text(&self.value)
    }

    /// The value as a comma-separated list of TEXT (e.g. CATEGORIES); see [`split_text_list`].
    pub fn text_list(&self) -> Vec<String> {
        split_text_list(&self.value)
    }

    /// The value as DATE-TIME (or DATE with `VALUE=DATE`), with its TZID.
    pub fn date_time(&self) -> Result<DateTimeValue, ReadError> {
        let err = || ReadError {
            line: self.line,
            kind: ReadErrorKind::InvalidDateTime(self.value.clone()),
        };
        let v = self.value.as_str();
        if self
            .param("VALUE")
            .is_some_and(|t| t.eq_ignore_ascii_case("DATE"))
            || v.len() == 8
        {
            return NaiveDate::parse_from_str(v, "%Y%m%d")
                .map(DateTimeValue::Date)
                .map_err(|_| err());
        }
        let (body, utc) = match v.strip_suffix('Z') {
            Some(body) => (body, true),
            None => (v, false),
        };
        if body.len() != 15 || !body.is_ascii() {
            return Err(err());
        }
        let local = NaiveDateTime::parse_from_str(body, "%Y%m%dT%H%M%S").map_err(|_| err())?;
        Ok(if utc {
            DateTimeValue::Utc(local.and_utc())
        } else {
            DateTimeValue::Local {
                local,
                tzid: self.param("TZID").map(str::to_owned),
            }
        })
    }
}

/// Parses an iCalendar stream that holds exactly one top-level component (a VCALENDAR).
pub fn parse(input: &str) -> Result<Component, ReadError> {
    let mut all = parse_components(input)?;
    match all.len() {
        0 => Err(ReadError {
            line: 1,
            kind: ReadErrorKind::Empty,
        }),
        1 => Ok(all.remove(0)),
        _ => Err(ReadError {
            line: 1,
            kind: ReadErrorKind::SeveralTopLevel,
        }),
    }
}

/// Parses an iCalendar stream into its top-level components.
pub fn parse_components(input: &str) -> Result<Vec<Component>, ReadError> {
    let mut top = Vec::new();
    let mut stack: Vec<Component> = Vec::new();
    for logical in unfold(input) {
        let (line, text) = logical?;
        let prop = parse_content_line_at(&text, line)?;
        if prop.name == "BEGIN" {
            if stack.len() >= MAX_DEPTH {
                return Err(ReadError {
                    line,
                    kind: ReadErrorKind::TooDeep {
                        name: prop.value.to_ascii_uppercase(),
                        limit: MAX_DEPTH,
                    },
                });
            }
            stack.push(Component {
                name: prop.value.to_ascii_uppercase(),
                properties: Vec::new(),
                components: Vec::new(),
            });
        } else if prop.name == "END" {
            let found = prop.value.to_ascii_uppercase();
            let Some(mut done) = stack.pop() else {
                return Err(ReadError {
                    line,
                    kind: ReadErrorKind::OutsideComponent(prop.name),
                });
            };
            if done.name != found {
                return Err(ReadError {
                    line,
                    kind: ReadErrorKind::MismatchedEnd {
                        expected: std::mem::take(&mut done.name),
                        found,
                    },
                });
            }
            match stack.last_mut() {
                Some(parent) => parent.components.push(done),
                None => top.push(done),
            }
        } else {
            match stack.last_mut() {
                Some(c) => c.properties.push(prop),
                None => {
                    return Err(ReadError {
                        line,
                        kind: ReadErrorKind::OutsideComponent(prop.name),
                    });
                }
            }
        }
    }
    if let Some(mut open) = stack.pop() {
        return Err(ReadError {
            line: input.lines().count(),
            kind: ReadErrorKind::Unclosed(std::mem::take(&mut open.name)),
        });
    }
    Ok(top)
}

/// Splits `input` into logical content lines, joining folded continuations (a line break
/// followed by one SPACE or HTAB, RFC 5545 §3.1). CRLF and bare LF both end a line; blank lines
/// are skipped. Yields the 1-based physical line number where each logical line starts.
pub fn unfold(input: &str) -> impl Iterator<Item = Result<(usize, Cow<'_, str>), ReadError>> + '_ {
    let mut physical = input
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .peekable();
    std::iter::from_fn(move || {
        loop {
            let (idx, first) = physical.next()?;
            if first.is_empty() {
                continue;
            }
            if first.starts_with([' ', '\t']) {
                return Some(Err(ReadError {
                    line: idx + 1,
                    kind: ReadErrorKind::LeadingContinuation,
                }));
            }
            let mut joined: Cow<'_, str> = Cow::Borrowed(first);
            while let Some((_, next)) = physical.peek() {
                let Some(rest) = next.strip_prefix([' ', '\t']) else {
                    break;
                };
                joined.to_mut().push_str(rest);
                physical.next();
            }
            return Some(Ok((idx + 1, joined)));
        }
    })
}

/// Parses one unfolded content line (RFC 5545 §3.1 `contentline`, without CRLF).
pub fn parse_content_line(line: &str) -> Result<Property, ReadError> {
    parse_content_line_at(line, 1)
}

fn parse_content_line_at(text: &str, line: usize) -> Result<Property, ReadError> {
    let err = |kind| ReadError { line, kind };
    let name_end = text
        .find([';', ':'])
        .ok_or(err(ReadErrorKind::MissingColon))?;
    let name = checked_name(&text[..name_end]).map_err(err)?;
    let mut params = Vec::new();
    let mut rest = &text[name_end..];
    while let Some(after) = rest.strip_prefix(';') {
        let eq = after
            .find(['=', ':', ';'])
            .filter(|&i| after.as_bytes()[i] == b'=')
            .ok_or_else(|| {
                let end = after.find([':', ';']).unwrap_or(after.len());
                err(ReadErrorKind::MissingEquals(after[..end].to_owned()))
            })?;
        let pname = checked_name(&after[..eq]).map_err(err)?;
        let mut values = Vec::new();
        let mut cursor = &after[eq + 1..];
        loop {
            if let Some(quoted) = cursor.strip_prefix('"') {
                let close = quoted
                    .find('"')
                    .ok_or(err(ReadErrorKind::UnterminatedQuote))?;
                values.push(quoted[..close].to_owned());
                cursor = &quoted[close + 1..];
                if !cursor.starts_with([',', ';', ':']) {
                    return Err(err(ReadErrorKind::AfterQuote));
                }
            } else {
                let end = cursor
                    .find([',', ';', ':'])
                    .ok_or(err(ReadErrorKind::MissingColon))?;
                values.push(cursor[..end].to_owned());
                cursor = &cursor[end..];
            }
            match cursor.strip_prefix(',') {
                Some(more) => cursor = more,
                None => break,
            }
        }
        params.push(Param {
            name: pname,
            values,
        });
        rest = cursor;
    }
    let value = rest
        .strip_prefix(':')
        .ok_or(err(ReadErrorKind::MissingColon))?;
    Ok(Property {
        name,
        params,
        value: value.to_owned(),
        line,
    })
}

fn checked_name(name: &str) -> Result<String, ReadErrorKind> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(ReadErrorKind::InvalidName(name.to_owned()));
    }
    Ok(name.to_ascii_uppercase())
}

/// Unescapes a TEXT value (RFC 5545 §3.3.11): `\\`, `\;`, `\,`, `\n` and `\N`. Other backslash
/// sequences are kept as they are, as lenient readers do.
pub fn unescape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some(';') => out.push(';'),
            Some(',') => out.push(','),
            Some('n' | 'N') => out.push('\n'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Splits a list of TEXT values on unescaped commas and unescapes each item.
pub fn split_text_list(value: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut start = 0;
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b',' => {
                items.push(unescape_text(&value[start..i]));
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    items.push(unescape_text(&value[start.min(value.len())..]));
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{escape_text, fold_line};

    #[test]
    fn unfolds_crlf_lf_and_tab() {
        let lines: Vec<_> = unfold("A:1\r\n 2\r\n\t3\nB:x\n\nC:y")
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(
            lines,
            vec![
                (1, Cow::from("A:123")),
                (4, Cow::from("B:x")),
                (6, Cow::from("C:y"))
            ]
        );
        assert!(unfold(" A:1").next().unwrap().is_err());
    }

    #[test]
    fn params_quoted_and_lists() {
        let p = parse_content_line(
            "ATTENDEE;cn=\"Doe, Jane; Jr: x\";ROLE=REQ-PARTICIPANT;DELEGATED-TO=\"a\",b:mailto:j@x",
        )
        .unwrap();
        assert_eq!(p.name, "ATTENDEE");
        assert_eq!(p.param("CN"), Some("Doe, Jane; Jr: x"));
        assert_eq!(p.params[2].values, ["a", "b"]);
        assert_eq!(p.value, "mailto:j@x");
        let p = parse_content_line("DESCRIPTION:a:b;c").unwrap();
        assert_eq!(p.value, "a:b;c");
        let p = parse_content_line("X-E;P=:v").unwrap();
        assert_eq!(p.params[0].values, [""]);
    }

    #[test]
    fn content_line_errors() {
        let kind = |s: &str| parse_content_line(s).unwrap_err().kind;
        assert_eq!(kind("NOCOLON"), ReadErrorKind::MissingColon);
        assert_eq!(kind(":v"), ReadErrorKind::InvalidName(String::new()));
        assert_eq!(kind("A B:v"), ReadErrorKind::InvalidName("A B".into()));
        assert_eq!(kind("A;X:v"), ReadErrorKind::MissingEquals("X".into()));
        assert_eq!(kind("A;X=\"v:v"), ReadErrorKind::UnterminatedQuote);
        assert_eq!(kind("A;X=\"v\"w:v"), ReadErrorKind::AfterQuote);
    }

    #[test]
    fn unescape_is_inverse_of_escape() {
        for s in ["a\\b;c,d\ne", "\\n literally", "trailing\\", "日本,😀;\\"] {
            assert_eq!(unescape_text(&escape_text(s)), s);
        }
        assert_eq!(unescape_text("a\\Nb\\xc\\"), "a\nb\\xc\\");
    }

    #[test]
    fn text_lists() {
        assert_eq!(split_text_list("a,b\\,c,\\\\,d"), ["a", "b,c", "\\", "d"]);
        assert_eq!(split_text_list("one"), ["one"]);
        assert_eq!(split_text_list("x\\"), ["x\\"]);
    }

    #[test]
    fn common_real_feed_shapes() {
        // The shape of Google Calendar and Outlook exports: bare LF (as saved by some tools),
        // X- properties, an all-day DATE event, a nested VALARM, a quoted multi-value
        // parameter, a TAB continuation and a lower-case property name.
        let feed = "BEGIN:VCALENDAR\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\nVERSION:2.0\n\
            CALSCALE:GREGORIAN\nMETHOD:PUBLISH\nX-WR-CALNAME:Team\\, Support\nX-WR-TIMEZONE:Europe/Paris\n\
            BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260501\nDTEND;VALUE=DATE:20260502\nDTSTAMP:20260401T101010Z\n\
            UID:abc123@google.com\nATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=\"Doe, J\n ane\";X-NUM-GUESTS=0:mailto:jane@example.com\nsummary:Labour Day\n\
            DESCRIPTION:Public holiday\\nOffice closed\\; phones diverted\nX-MICROSOFT-CDO-BUSYSTATUS:FREE\n\
            BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT15M\nDESCRIPTION:Reminder\nEND:VALARM\nEND:VEVENT\n\
            BEGIN:VEVENT\nDTSTART;TZID=\"Europe/Paris\":20260504T090000\nDTEND;TZID=Europe/Paris:20260504T\n\t170000\n\
            UID:def456@google.com\nDTSTAMP:20260401T101010Z\nCATEGORIES:Work,Phones\nEND:VEVENT\nEND:VCALENDAR\n";
        let cal = parse(feed).unwrap();
        assert_eq!(
            cal.property("X-WR-CALNAME").unwrap().text(),
            "Team, Support"
        );
        assert_eq!(cal.property("method").unwrap().value, "PUBLISH");
        let events: Vec<_> = cal.components_named("VEVENT").collect();
        assert_eq!(events.len(), 2);
        let holiday = events[0];
        assert_eq!(
            holiday.property("DTSTART").unwrap().date_time().unwrap(),
            DateTimeValue::Date(NaiveDate::from_ymd_opt(2026, 5, 1).unwrap())
        );
        let attendee = holiday.property("ATTENDEE").unwrap();
        assert_eq!(attendee.param("CN"), Some("Doe, Jane"));
        assert_eq!(attendee.param("partstat"), Some("ACCEPTED"));
        assert_eq!(attendee.value, "mailto:jane@example.com");
        assert_eq!(holiday.property("SUMMARY").unwrap().text(), "Labour Day");
        assert_eq!(
            holiday.property("DESCRIPTION").unwrap().text(),
            "Public holiday\nOffice closed; phones diverted"
        );
        assert_eq!(holiday.components_named("VALARM").count(), 1);
        let work = events[1];
        assert_eq!(
            work.property("DTEND").unwrap().date_time().unwrap(),
            DateTimeValue::Local {
                local: NaiveDateTime::parse_from_str("20260504T170000", "%Y%m%dT%H%M%S").unwrap(),
                tzid: Some("Europe/Paris".into())
            }
        );
        assert_eq!(
            work.property("DTSTART").unwrap().param("TZID"),
            Some("Europe/Paris")
        );
        assert_eq!(
            work.property("CATEGORIES").unwrap().text_list(),
            ["Work", "Phones"]
        );
    }

    #[test]
    fn structure() {
        let text = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n{}DTSTART;TZID=Europe/Paris:20260329T030000\r\nDTEND:20260329T050000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            fold_line(&format!("DESCRIPTION:{}", "é".repeat(100)))
        );
        let cal = parse(&text).unwrap();
        assert_eq!(cal.name, "VCALENDAR");
        let ev = &cal.components[0];
        assert_eq!(ev.property("description").unwrap().text(), "é".repeat(100));
        assert_eq!(
            ev.property("DTSTART").unwrap().date_time().unwrap(),
            DateTimeValue::Local {
                local: NaiveDateTime::parse_from_str("20260329T030000", "%Y%m%dT%H%M%S").unwrap(),
                tzid: Some("Europe/Paris".into())
            }
        );
        assert!(matches!(
            ev.property("DTEND").unwrap().date_time().unwrap(),
            DateTimeValue::Utc(_)
        ));
        let e = parse("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n").unwrap_err();
        assert!(matches!(e.kind, ReadErrorKind::MismatchedEnd { .. }));
        let e = parse("BEGIN:VCALENDAR\r\n").unwrap_err();
        assert_eq!(e.kind, ReadErrorKind::Unclosed("VCALENDAR".into()));
        assert_eq!(parse("").unwrap_err().kind, ReadErrorKind::Empty);
        assert!(matches!(
            parse("X:1\r\n").unwrap_err().kind,
            ReadErrorKind::OutsideComponent(_)
        ));
        let bad = Property {
            name: "DTSTART".into(),
            params: vec![],
            value: "2026-03-29".into(),
            line: 3,
        };
        assert_eq!(bad.date_time().unwrap_err().line, 3);
        let date = Property {
            name: "DTSTART".into(),
            params: vec![],
            value: "20260329".into(),
            line: 1,
        };
        assert!(matches!(date.date_time().unwrap(), DateTimeValue::Date(_)));
    }
}
