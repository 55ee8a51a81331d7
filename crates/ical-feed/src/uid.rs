//! Stable, globally unique, ASCII event UIDs derived from a shift id and an organisation domain.
//! The same id always gives the same UID, so calendar clients update events instead of duplicating them.

use sha2::{Digest, Sha256};
use std::fmt;

/// Longest UID we emit, in octets: RFC 5545 §3.8.4.7 only obliges receivers to keep 255.
pub const MAX_UID_OCTETS: usize = 255;

/// Longest accepted [`UidDomain`]: leaves room for the hashed form `shift+sha256-<64 hex>@`.
pub const MAX_DOMAIN_OCTETS: usize = MAX_UID_OCTETS - HASHED_PREFIX.len() - 64 - 1;

const PLAIN_PREFIX: &str = "shift-";
const HASHED_PREFIX: &str = "shift+sha256-";

/// The organisation's DNS domain, the right-hand side of every UID (`shift-42@example.com`).
///
/// Use a domain your organisation controls, so UIDs cannot collide with another producer's.
///
/// ```
/// use ical_feed::UidDomain;
/// let domain = UidDomain::new("wfm.example.com")?;
/// assert_eq!(domain.uid_for("4711"), "shift-4711@wfm.example.com");
/// assert!(UidDomain::new("bad domain").is_err());
/// # Ok::<(), ical_feed::UidDomainError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UidDomain(String);

/// Why a string is not accepted as a [`UidDomain`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UidDomainError {
    /// The domain is empty.
    #[error("the UID domain is empty: pass your organisation's DNS domain, e.g. `wfm.example.com`")]
    Empty,
    /// The domain is longer than [`MAX_DOMAIN_OCTETS`].
    #[error(
        "the UID domain is {len} octets long; at most {MAX_DOMAIN_OCTETS} fit in a 255-octet UID: use a shorter domain"
    )]
    TooLong {
        /// Its length in octets.
        len: usize,
    },
    /// The domain has a character other than ASCII letters, digits, `-` and `.`.
    #[error(
        "the UID domain {domain:?} has the character {found:?}: use ASCII letters, digits, '-' and '.' only (punycode for IDNs)"
    )]
    InvalidChar {
        /// The domain as given.
        domain: String,
        /// The first character that is not allowed.
        found: char,
    },
}

impl UidDomain {
    /// Validates `domain`: 1 to [`MAX_DOMAIN_OCTETS`] ASCII letters, digits, `-` and `.`
    /// (internationalised domains in their punycode form). It is lower-cased.
    pub fn new(domain: impl Into<String>) -> Result<Self, UidDomainError> {
        let domain: String = domain.into();
        if domain.is_empty() {
            return Err(UidDomainError::Empty);
        }
        if domain.len() > MAX_DOMAIN_OCTETS {
            return Err(UidDomainError::TooLong { len: domain.len() });
        }
        if let Some(found) = domain
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
        {
            return Err(UidDomainError::InvalidChar { domain, found });
        }
        Ok(UidDomain(domain.to_ascii_lowercase()))
    }

    /// The domain as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The UID of the shift with id `shift_id`; see [`UidDomain::push_uid`] for the rules.
    pub fn uid_for(&self, shift_id: &str) -> String {
        let mut out = String::with_capacity(shift_id.len() + self.0.len() + 8);
        self.push_uid(&mut out, shift_id);
        out
    }

    /// Appends the UID of the shift with id `shift_id` to `out`.
    ///
    /// The UID is `shift-<id>@<domain>`, where bytes of the id other than ASCII letters,
    /// digits, `-`, `.`, `_` and `~` are percent-encoded (`%2C` for a comma, UTF-8 bytes for
    /// non-ASCII). If that would exceed [`MAX_UID_OCTETS`], the UID is instead
    /// `shift+sha256-<hex SHA-256 of the id>@<domain>`. Both forms are ASCII, need no TEXT
    /// escaping, are injective (a percent-encoded id never contains `+`), and never change for
    /// a given id and domain.
    pub fn push_uid(&self, out: &mut String, shift_id: &str) {
        let encoded_len = shift_id
            .bytes()
            .map(|b| if is_unreserved(b) { 1 } else { 3 })
            .sum::<usize>();
        if PLAIN_PREFIX.len() + encoded_len + 1 + self.0.len() <= MAX_UID_OCTETS {
            out.push_str(PLAIN_PREFIX);
            percent_encode_into(out, shift_id);
        } else {
            out.push_str(HASHED_PREFIX);
            let digest = Sha256::digest(shift_id.as_bytes());
            for b in digest {
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
        out.push('@');
        out.push_str(&self.0);
    }
}

impl fmt::Debug for UidDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UidDomain").field(&self.0).finish()
    }
}

impl fmt::Display for UidDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// RFC 3986 `unreserved`.
pub(crate) fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Percent-encodes every byte outside RFC 3986 `unreserved`.
pub(crate) fn percent_encode_into(out: &mut String, s: &str) {
    for b in s.bytes() {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
}

/// Decodes `%XX` sequences and `+` (as space, the form encoding); `None` if a `%` is not
/// followed by two hex digits or the result is not UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hi = hex_value(*bytes.get(i + 1)?)?;
                let lo = hex_value(*bytes.get(i + 2)?)?;
                out.push(hi << 4 | lo);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain() -> UidDomain {
        UidDomain::new("WFM.Example.com").unwrap()
    }

    #[test]
    fn plain_ids_are_kept() {
        assert_eq!(
            domain().uid_for("a1-b2_c.3~"),
            "shift-a1-b2_c.3~@wfm.example.com"
        );
    }

    #[test]
    fn other_bytes_are_percent_encoded() {
        assert_eq!(domain().uid_for("a,b c"), "shift-a%2Cb%20c@wfm.example.com");
        assert_eq!(domain().uid_for("é"), "shift-%C3%A9@wfm.example.com");
        assert_eq!(domain().uid_for("a+b"), "shift-a%2Bb@wfm.example.com");
    }

    #[test]
    fn long_ids_are_hashed_and_fit() {
        let id = "x".repeat(300);
        let uid = domain().uid_for(&id);
        assert!(uid.starts_with("shift+sha256-"), "{uid}");
        assert!(uid.len() <= MAX_UID_OCTETS);
        assert_eq!(uid, domain().uid_for(&id), "stable");
        assert_ne!(uid, domain().uid_for(&"x".repeat(301)));
        // the longest domain still fits
        let long = UidDomain::new("d".repeat(MAX_DOMAIN_OCTETS)).unwrap();
        assert_eq!(long.uid_for(&id).len(), MAX_UID_OCTETS);
        assert!(long.uid_for("é").is_ascii());
    }

    #[test]
    fn boundary_between_plain_and_hashed() {
        let d = domain();
        let room = MAX_UID_OCTETS - PLAIN_PREFIX.len() - 1 - d.as_str().len();
        let fits = "a".repeat(room);
        assert_eq!(d.uid_for(&fits).len(), MAX_UID_OCTETS);
        assert!(d.uid_for(&fits).starts_with(PLAIN_PREFIX));
        assert!(d.uid_for(&format!("{fits}a")).starts_with(HASHED_PREFIX));
    }

    #[test]
    fn domain_validation() {
        assert_eq!(UidDomain::new(""), Err(UidDomainError::Empty));
        assert!(matches!(
            UidDomain::new("exa mple.com"),
            Err(UidDomainError::InvalidChar { found: ' ', .. })
        ));
        assert!(matches!(
            UidDomain::new("d".repeat(MAX_DOMAIN_OCTETS + 1)),
            Err(UidDomainError::TooLong { .. })
        ));
        assert!(UidDomainError::Empty.to_string().contains("example.com"));
    }

    #[test]
    fn percent_round_trip() {
        let mut out = String::new();
        percent_encode_into(&mut out, "a b/é+%");
        assert_eq!(out, "a%20b%2F%C3%A9%2B%25");
        assert_eq!(percent_decode(&out).as_deref(), Some("a b/é+%"));
        assert_eq!(percent_decode("a+b").as_deref(), Some("a b"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%ff"), None);
    }
}
