//! `ical-feed` writes byte-exact RFC 5545 iCalendar feeds of agents' shifts as a stream, and
//! signs expiring feed URLs for calendar subscriptions.
//!
//! One night shift across the spring-forward night, written in UTC and in local time:
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use ical_feed::{CalendarMeta, FeedPlan, FeedWriter, Shift, Status, UidDomain, WriterOptions};
//!
//! let night = Shift::builder(
//!     "shift-4711",
//!     "agent-42",
//!     Utc.with_ymd_and_hms(2026, 3, 28, 21, 0, 0).unwrap(), // 22:00 CET
//!     Utc.with_ymd_and_hms(2026, 3, 29, 5, 0, 0).unwrap(),  // 07:00 CEST, after spring-forward
//!     Utc.with_ymd_and_hms(2026, 3, 20, 9, 30, 0).unwrap(), // last revision = DTSTAMP
//! )
//! .summary("Night desk; Billing, 2nd line")
//! .timezone_name("Europe/Paris")
//! .status(Status::Confirmed)
//! .build()?;
//!
//! let meta = CalendarMeta::new("-//Example Corp//Shifts//EN", "Team A shifts")?;
//! let domain = UidDomain::new("wfm.example.com")?;
//!
//! // UTC mode (the default choice): no TZID, no VTIMEZONE.
//! let mut out = Vec::new();
//! let mut writer = FeedWriter::new(&mut out, &meta, WriterOptions::utc(domain.clone()))?;
//! writer.write_shift(&night)?;
//! writer.finish()?;
//! let utc = String::from_utf8(out)?;
//! assert!(utc.contains("\r\nUID:shift-shift-4711@wfm.example.com\r\n"));
//! assert!(utc.contains("\r\nDTSTART:20260328T210000Z\r\nDTEND:20260329T050000Z\r\n"));
//! assert!(utc.contains("\r\nSUMMARY:Night desk\\; Billing\\, 2nd line\r\n"));
//!
//! // Local mode: TZID times plus a VTIMEZONE covering exactly the shifts' span.
//! let plan = FeedPlan::from_shifts([&night]);
//! let local = ical_feed::render_to_string(&meta, WriterOptions::local(domain, plan), [&night])?;
//! assert!(local.contains("\r\nDTSTART;TZID=Europe/Paris:20260328T220000\r\n"));
//! assert!(local.contains("\r\nDTEND;TZID=Europe/Paris:20260329T070000\r\n"));
//! assert!(local.contains("\r\nBEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Serving it: a strong ETag of the bytes, and a link that is its own credential (a calendar
//! client cannot send one), signed and expiring:
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use ical_feed::http::ETag;
//! use ical_feed::signing::{FeedSecret, FeedSigner, KeyId, Keyring, VerifyError};
//!
//! let feed = "BEGIN:VCALENDAR\r\n...END:VCALENDAR\r\n";
//! let etag = ETag::of(feed.as_bytes());
//! assert!(etag.matches_if_none_match(etag.as_str())); // answer 304 Not Modified
//!
//! let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
//! let signer = FeedSigner::new(Keyring::new(KeyId::new("2026-03")?, FeedSecret::new([7u8; 32])?));
//! let url = signer.sign_for_lifetime("agent-42", now).url("https://feeds.example.com/shifts.ics");
//! assert_eq!(signer.verify(&url, now)?.feed_id, "agent-42");
//! let forged = url.replace("agent-42", "agent-43");
//! assert!(matches!(signer.verify(&forged, now), Err(VerifyError::Tampered)));
//! let tomorrow = now + Duration::hours(25);
//! assert!(matches!(signer.verify(&url, tomorrow), Err(VerifyError::Expired { .. })));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - [`Shift`] and [`CalendarMeta`] are the model, validated when built ([`ShiftError`],
//!   [`MetaError`]); [`UidDomain`] turns shift ids into stable, ASCII, ≤255-octet UIDs.
//! - [`FeedWriter`] writes into any `io::Write` or `fmt::Write`, event by event, with memory
//!   bounded whatever the number of events: CRLF after every line, folding at 75 octets on
//!   UTF-8 boundaries ([`text`]), TEXT escaping, quoted parameters, UTC times by default or
//!   TZID times with VTIMEZONEs generated from the tz database ([`vtimezone`], [`TimeMode`]).
//!   DTSTAMP is the shift's last modification, so the same input gives the same bytes.
//! - [`http`] gives the media type and a strong ETag; [`signing`] makes and checks feed URLs
//!   (HMAC-SHA256, key rotation, constant-time comparison).
//! - [`read`] parses feeds back (ours and common real ones), refusing components nested more
//!   than [`read::MAX_DEPTH`] deep and never recursing over the tree; [`json`] reads the JSON
//!   shift format of the `ics_feed` example.
//!
//! Where the usual calendar-sync advice is wrong: `TZID=UTC` as a property, or a TZID
//! parameter on a UTC (`…Z`) time, is invalid (RFC 5545 §3.3.5: "The 'TZID' property parameter
//! MUST NOT be applied to DATE-TIME properties whose time values are specified in UTC"). UTC
//! times are written `DTSTART:20260329T010000Z` and nothing else.
//!
//! The crate is pure: no network, no clock read while writing or verifying (the convenience
//! [`signing::FeedSigner::verify_now`] aside).
#![forbid(unsafe_code)]

mod format;
pub mod http;
pub mod json;
mod model;
pub mod read;
pub mod signing;
pub mod text;
mod uid;
pub mod vtimezone;
mod writer;

pub use chrono_tz::Tz;
pub use model::{
    CalendarMeta, DEFAULT_PRODID, DEFAULT_REFRESH_INTERVAL, MetaError, Method, Shift, ShiftBuilder,
    ShiftError, Status,
};
pub use uid::{MAX_DOMAIN_OCTETS, MAX_UID_OCTETS, UidDomain, UidDomainError};
pub use writer::{
    FLUSH_THRESHOLD, FeedPlan, FeedWriter, FmtOutput, IoOutput, Output, TimeMode, WriteError,
    WriterOptions, ZoneSpan, render_to_string,
};
