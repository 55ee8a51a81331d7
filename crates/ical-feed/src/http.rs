//! HTTP helpers for serving a feed: its media type (RFC 5545 §8.1) and a strong ETag.
//! A feed is byte-stable for the same shifts, so an ETag of its content answers `If-None-Match`.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use ical_feed::http::{content_type, ETag, ETagHasher};
//! use ical_feed::{CalendarMeta, FeedWriter, Method, Shift, UidDomain, WriterOptions};
//!
//! let meta = CalendarMeta::new("-//Example Corp//Shifts//EN", "Team A")?.with_method(Method::Publish);
//! let shifts: Vec<Shift> = Vec::new();
//! let options = || Ok::<_, ical_feed::UidDomainError>(WriterOptions::utc(UidDomain::new("example.com")?));
//!
//! // First pass: hash the feed without holding it in memory.
//! let mut hashing = FeedWriter::new(ETagHasher::new(), &meta, options()?)?;
//! hashing.write_all(&shifts)?;
//! let etag = hashing.finish()?.finish();
//! // Answer 304 Not Modified when the client already has it...
//! let if_none_match = "W/\"some-older-tag\"";
//! assert!(!etag.matches_if_none_match(if_none_match));
//! // ...else stream the body with these headers.
//! assert_eq!(content_type(&meta), "text/calendar; charset=utf-8; method=PUBLISH");
//! let mut body = Vec::new();
//! let mut writer = FeedWriter::new(&mut body, &meta, options()?)?;
//! writer.write_all(&shifts)?;
//! writer.finish()?;
//! assert_eq!(ETag::of(&body), etag);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::model::CalendarMeta;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::{fmt, io};

/// The media type of a feed without METHOD. RFC 5545 §8.1: the `charset` parameter MUST be
/// used in MIME transports.
pub const MEDIA_TYPE: &str = "text/calendar; charset=utf-8";

/// The `Content-Type` of a feed with metadata `meta`: [`MEDIA_TYPE`], plus `; method=X`
/// exactly when the feed has `METHOD:X` (RFC 5545 §8.1: "if and only if").
pub fn content_type(meta: &CalendarMeta) -> Cow<'static, str> {
    match meta.method() {
        None => Cow::Borrowed(MEDIA_TYPE),
        Some(method) => Cow::Owned(format!("{MEDIA_TYPE}; method={}", method.as_str())),
    }
}

/// A strong entity tag (RFC 9110 §8.8.3) of a feed's bytes: a SHA-256 of the content, in
/// unpadded base64url, between double quotes. Equal bytes give equal tags.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ETag(String);

impl ETag {
    /// The ETag of `content`.
    pub fn of(content: &[u8]) -> ETag {
        ETag::from_digest(&Sha256::digest(content))
    }

    fn from_digest(digest: &[u8]) -> ETag {
        let mut tag = String::with_capacity(45);
        tag.push('"');
        URL_SAFE_NO_PAD.encode_string(digest, &mut tag);
        tag.push('"');
        ETag(tag)
    }

    /// The header value, quotes included, e.g. `"n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a request's `If-None-Match` header value matches this tag, so that the answer
    /// is `304 Not Modified`. Uses the weak comparison RFC 9110 §13.1.2 prescribes for
    /// `If-None-Match` (`W/"x"` matches `"x"`) and honours `*`. A malformed list stops at the
    /// first malformed element.
    pub fn matches_if_none_match(&self, header_value: &str) -> bool {
        let ours = &self.0[1..self.0.len() - 1];
        let mut rest = header_value;
        loop {
            rest = rest.trim_start_matches([' ', '\t', ',']);
            if rest.is_empty() {
                return false;
            }
            if let Some(after) = rest.strip_prefix('*') {
                if after.trim_start_matches([' ', '\t']).is_empty()
                    || after.trim_start().starts_with(',')
                {
                    return true;
                }
                return false;
            }
            rest = rest.strip_prefix("W/").unwrap_or(rest);
            let Some(quoted) = rest.strip_prefix('"') else {
                return false;
            };
            let Some(close) = quoted.find('"') else {
                return false;
            };
            if &quoted[..close] == ours {
                return true;
            }
            rest = &quoted[close + 1..];
        }
    }
}

impl fmt::Display for ETag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Computes an [`ETag`] of everything written into it, as an `io::Write` or `fmt::Write`, so a
/// feed can be hashed while it streams, without being held in memory.
#[derive(Debug, Clone, Default)]
pub struct ETagHasher {
    hasher: Sha256,
}

impl ETagHasher {
    /// A hasher that has seen nothing.
    pub fn new() -> Self {
        ETagHasher::default()
    }

    /// The ETag of the bytes written.
    pub fn finish(self) -> ETag {
        ETag::from_digest(&self.hasher.finalize())
    }
}

impl io::Write for ETagHasher {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.hasher.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl fmt::Write for ETagHasher {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.hasher.update(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Method;
    use std::io::Write as _;

    #[test]
    fn media_type_has_method_iff_meta_has_method() {
        let meta = CalendarMeta::new("p", "n").unwrap();
        assert_eq!(content_type(&meta), "text/calendar; charset=utf-8");
        let meta = meta.with_method(Method::Publish);
        assert_eq!(
            content_type(&meta),
            "text/calendar; charset=utf-8; method=PUBLISH"
        );
    }

    #[test]
    fn etag_is_strong_stable_and_content_based() {
        let a = ETag::of(b"BEGIN:VCALENDAR\r\n");
        assert_eq!(a, ETag::of(b"BEGIN:VCALENDAR\r\n"));
        assert_ne!(a, ETag::of(b"BEGIN:VCALENDAR\n"));
        let s = a.as_str();
        assert!(s.starts_with('"') && s.ends_with('"') && !s.starts_with("W/"));
        assert_eq!(s.len(), 45);
        assert!(
            s[1..44]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        // known vector: SHA-256 of the empty string
        assert_eq!(
            ETag::of(b"").as_str(),
            "\"47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU\""
        );
    }

    #[test]
    fn hasher_equals_one_shot() {
        let mut h = ETagHasher::new();
        h.write_all(b"BEGIN:").unwrap();
        fmt::Write::write_str(&mut h, "VCALENDAR\r\n").unwrap();
        assert_eq!(h.finish(), ETag::of(b"BEGIN:VCALENDAR\r\n"));
    }

    #[test]
    fn if_none_match() {
        let tag = ETag::of(b"x");
        let t = tag.as_str();
        assert!(tag.matches_if_none_match(t));
        assert!(tag.matches_if_none_match(&format!("W/{t}")));
        assert!(tag.matches_if_none_match(&format!("\"a,b\", {t}")));
        assert!(tag.matches_if_none_match("*"));
        assert!(tag.matches_if_none_match(" * "));
        assert!(!tag.matches_if_none_match("\"other\""));
        assert!(!tag.matches_if_none_match(""));
        assert!(!tag.matches_if_none_match("*x"));
        assert!(!tag.matches_if_none_match(&t[..t.len() - 1]));
        assert!(!tag.matches_if_none_match(&t[1..t.len() - 1]));
    }
}
