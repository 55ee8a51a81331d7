//! Signed, expiring feed URLs: HMAC-SHA256 over key id, feed id and expiry, checked in constant
//! time, with a keyring so that an old and a new key are both live while links rotate.
//!
//! A calendar client cannot send credentials, so the feed URL itself is the credential: it
//! names the feed, its expiry and the key that signed it (`?feed=…&exp=…&kid=…&sig=…`).
//! Verification takes `now` as an argument (no hidden clock); [`FeedSigner::verify_now`] is the
//! convenience that reads the system clock.
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use ical_feed::signing::{FeedSecret, FeedSigner, KeyId, Keyring, VerifyError};
//!
//! let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
//! let old = KeyId::new("2026-02")?;
//! let new = KeyId::new("2026-03")?;
//! // Rotation: the new key signs, the old one still verifies links it signed.
//! let mut keyring = Keyring::new(old.clone(), FeedSecret::new([1u8; 32])?);
//! let old_link = FeedSigner::new(keyring.clone()).sign_for_lifetime("agent-42", now);
//! keyring.add(new.clone(), FeedSecret::new([2u8; 32])?)?;
//! keyring.set_primary(&new)?;
//! let signer = FeedSigner::new(keyring);
//!
//! let url = signer.sign_for_lifetime("agent-42", now).url("https://feeds.example.com/shifts.ics");
//! assert_eq!(signer.verify(&url, now)?.feed_id, "agent-42");
//! assert_eq!(signer.verify(&old_link.query(), now)?.key_id, old);
//! let tomorrow = now + Duration::hours(24);
//! assert!(matches!(signer.verify(&url, tomorrow), Err(VerifyError::Expired { .. })));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::uid::{percent_decode, percent_encode_into};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// How long a link made by [`FeedSigner::sign_for_lifetime`] stays valid unless configured:
/// 24 hours.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// Shortest accepted secret: 32 octets, the output size of SHA-256 (RFC 2104 §3).
pub const MIN_SECRET_OCTETS: usize = 32;

/// Longest accepted [`KeyId`].
pub const MAX_KEY_ID_OCTETS: usize = 64;

/// Domain separation for the MAC input, so a feed signature can never be replayed as another
/// kind of HMAC made with the same secret.
const MAC_CONTEXT: &[u8] = b"ical-feed signed feed url v1\0";

type HmacSha256 = Hmac<Sha256>;

/// An HMAC key. Never printed: its `Debug` shows `FeedSecret(<redacted>)`.
#[derive(Clone)]
pub struct FeedSecret(Box<[u8]>);

impl FeedSecret {
    /// A secret of at least [`MIN_SECRET_OCTETS`] random octets.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, KeyError> {
        let bytes = bytes.into();
        if bytes.len() < MIN_SECRET_OCTETS {
            return Err(KeyError::SecretTooShort { len: bytes.len() });
        }
        Ok(FeedSecret(bytes.into_boxed_slice()))
    }

    /// A secret given in standard base64 (e.g. from `openssl rand -base64 32`).
    pub fn from_base64(encoded: &str) -> Result<Self, KeyError> {
        let bytes = STANDARD
            .decode(encoded.trim())
            .map_err(|_| KeyError::InvalidBase64)?;
        FeedSecret::new(bytes)
    }
}

impl fmt::Debug for FeedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FeedSecret(<redacted>)")
    }
}

/// The public name of a key, carried in the URL as `kid`: 1 to [`MAX_KEY_ID_OCTETS`] ASCII
/// letters, digits, `.`, `_` or `-` (e.g. `2026-03`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(String);

impl KeyId {
    /// Validates a key id.
    pub fn new(id: impl Into<String>) -> Result<Self, KeyError> {
        let id = id.into();
        let ok = !id.is_empty()
            && id.len() <= MAX_KEY_ID_OCTETS
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if ok {
            Ok(KeyId(id))
        } else {
            Err(KeyError::InvalidKeyId { key_id: id })
        }
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a key or keyring operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The secret is shorter than [`MIN_SECRET_OCTETS`].
    #[error(
        "the feed secret has {len} octets; use at least {MIN_SECRET_OCTETS} random octets (e.g. `openssl rand -base64 32`)"
    )]
    SecretTooShort {
        /// Its length.
        len: usize,
    },
    /// The base64 text could not be decoded.
    #[error("the feed secret is not valid standard base64")]
    InvalidBase64,
    /// The key id has characters or a length not allowed.
    #[error(
        "key id {key_id:?} is not allowed: use 1 to {MAX_KEY_ID_OCTETS} ASCII letters, digits, '.', '_' or '-'"
    )]
    InvalidKeyId {
        /// The id as given.
        key_id: String,
    },
    /// A key with this id is already in the keyring.
    #[error("key id {key_id} is already in the keyring: give each key its own id")]
    DuplicateKey {
        /// The id.
        key_id: KeyId,
    },
    /// No key with this id is in the keyring.
    #[error("key id {key_id} is not in the keyring: add it first")]
    UnknownKey {
        /// The id.
        key_id: KeyId,
    },
    /// The primary (signing) key cannot be removed.
    #[error(
        "key id {key_id} signs new links and cannot be removed: make another key primary first"
    )]
    RemovePrimary {
        /// The id.
        key_id: KeyId,
    },
}

/// The keys a [`FeedSigner`] knows: one primary key that signs, any number that only verify.
///
/// To rotate: [`Keyring::add`] the new key, [`Keyring::set_primary`] it, and
/// [`Keyring::remove`] the old one once the links it signed have expired (after the signer's
/// lifetime). `Debug` shows key ids only.
#[derive(Clone)]
pub struct Keyring {
    primary: KeyId,
    keys: BTreeMap<KeyId, FeedSecret>,
}

impl Keyring {
    /// A keyring whose only key, `id`, is primary.
    pub fn new(id: KeyId, secret: FeedSecret) -> Self {
        let mut keys = BTreeMap::new();
        keys.insert(id.clone(), secret);
        Keyring { primary: id, keys }
    }

    /// Adds a verify-only key.
    pub fn add(&mut self, id: KeyId, secret: FeedSecret) -> Result<&mut Self, KeyError> {
        if self.keys.contains_key(&id) {
            return Err(KeyError::DuplicateKey { key_id: id });
        }
        self.keys.insert(id, secret);
        Ok(self)
    }

    /// Makes the key `id` (already added) the one that signs.
    pub fn set_primary(&mut self, id: &KeyId) -> Result<(), KeyError> {
        if !self.keys.contains_key(id) {
            return Err(KeyError::UnknownKey { key_id: id.clone() });
        }
        self.primary = id.clone();
        Ok(())
    }

    /// Removes a verify-only key: links it signed stop verifying.
    pub fn remove(&mut self, id: &KeyId) -> Result<(), KeyError> {
        if *id == self.primary {
            return Err(KeyError::RemovePrimary { key_id: id.clone() });
        }
        match self.keys.remove(id) {
            Some(_) => Ok(()),
            None => Err(KeyError::UnknownKey { key_id: id.clone() }),
        }
    }

    /// The id of the signing key.
    pub fn primary(&self) -> &KeyId {
        &self.primary
    }

    /// All key ids, in order.
    pub fn key_ids(&self) -> impl Iterator<Item = &KeyId> {
        self.keys.keys()
    }

    fn secret(&self, id: &str) -> Option<(&KeyId, &FeedSecret)> {
        self.keys.iter().find(|(k, _)| k.as_str() == id)
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("primary", &self.primary)
            .field("key_ids", &self.keys.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Signs feed links with the keyring's primary key and verifies links signed by any of its keys.
#[derive(Debug, Clone)]
pub struct FeedSigner {
    keyring: Keyring,
    lifetime: Duration,
}

/// A signed link: feed id, expiry, key id and signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedFeed {
    feed_id: String,
    expires_at: DateTime<Utc>,
    key_id: KeyId,
    signature: String,
}

/// The four signed parameters as read from a URL, before verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedParams {
    /// `feed`: the feed id.
    pub feed_id: String,
    /// `exp`: the expiry in Unix seconds.
    pub expires_at: i64,
    /// `kid`: the key id.
    pub key_id: String,
    /// `sig`: the signature, unpadded base64url.
    pub signature: String,
}

/// What a verified link grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedFeed {
    /// The feed id the link was signed for.
    pub feed_id: String,
    /// When the link expires.
    pub expires_at: DateTime<Utc>,
    /// The key that signed it.
    pub key_id: KeyId,
}

/// Why a link was refused. Answer all of them with the same HTTP status (403 or 404) so that a
/// prober learns nothing; log the variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A parameter is missing, repeated or not parseable.
    #[error("the feed link is malformed ({reason}): use the link exactly as issued")]
    Malformed {
        /// What is wrong.
        reason: &'static str,
    },
    /// The link names a key the keyring does not have (removed after rotation, or invented).
    #[error(
        "the feed link was signed with key {key_id:?}, which is not in the keyring: issue a new link (keep old keys until their links expire)"
    )]
    UnknownKey {
        /// The `kid` of the link.
        key_id: String,
    },
    /// The signature does not match the feed id, expiry and key id: the link was altered.
    #[error(
        "the feed link's signature does not match: the link was altered or signed with another secret"
    )]
    Tampered,
    /// The link is authentic but its expiry has passed.
    #[error("the feed link expired at {expired_at}: ask for a fresh link")]
    Expired {
        /// The link's expiry.
        expired_at: DateTime<Utc>,
    },
}

impl FeedSigner {
    /// A signer over `keyring`, issuing links valid for [`DEFAULT_LIFETIME`].
    pub fn new(keyring: Keyring) -> Self {
        FeedSigner {
            keyring,
            lifetime: DEFAULT_LIFETIME,
        }
    }

    /// Sets the lifetime used by [`FeedSigner::sign_for_lifetime`].
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// The lifetime of new links.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// The keyring.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// The keyring, for rotation.
    pub fn keyring_mut(&mut self) -> &mut Keyring {
        &mut self.keyring
    }

    /// Signs a link to `feed_id` valid until `expires_at` (whole seconds) with the primary key.
    pub fn sign(&self, feed_id: &str, expires_at: DateTime<Utc>) -> SignedFeed {
        let exp = expires_at.timestamp();
        let key_id = self.keyring.primary.clone();
        let signature = match self.keyring.keys.get(&key_id) {
            Some(secret) => {
                URL_SAFE_NO_PAD.encode(mac(secret, &key_id.0, feed_id, exp).finalize().into_bytes())
            }
            // Unreachable by construction: the primary is always in the map.
            None => String::new(),
        };
        SignedFeed {
            feed_id: feed_id.to_owned(),
            expires_at: DateTime::from_timestamp(exp, 0).unwrap_or(expires_at),
            key_id,
            signature,
        }
    }

    /// Signs a link to `feed_id` valid from `now` for the signer's lifetime (24 h by default).
    pub fn sign_for_lifetime(&self, feed_id: &str, now: DateTime<Utc>) -> SignedFeed {
        let lifetime = chrono::Duration::from_std(self.lifetime).unwrap_or(chrono::Duration::MAX);
        let expires_at = now
            .checked_add_signed(lifetime)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        self.sign(feed_id, expires_at)
    }

    /// Verifies a link (a whole URL or just its query string) at instant `now`.
    ///
    /// Checks, in order: the parameters are well-formed, the key is known, the signature
    /// matches (compared in constant time), the expiry is after `now`.
    pub fn verify(
        &self,
        url_or_query: &str,
        now: DateTime<Utc>,
    ) -> Result<VerifiedFeed, VerifyError> {
        self.verify_params(&SignedParams::from_query(url_or_query)?, now)
    }

    /// [`FeedSigner::verify`] at the system clock's current time.
    pub fn verify_now(&self, url_or_query: &str) -> Result<VerifiedFeed, VerifyError> {
        self.verify(url_or_query, Utc::now())
    }

    /// Verifies parameters already extracted (e.g. when the feed id is a path segment).
    pub fn verify_params(
        &self,
        params: &SignedParams,
        now: DateTime<Utc>,
    ) -> Result<VerifiedFeed, VerifyError> {
        let Some((key_id, secret)) = self.keyring.secret(&params.key_id) else {
            return Err(VerifyError::UnknownKey {
                key_id: params.key_id.clone(),
            });
        };
        let signature = URL_SAFE_NO_PAD
            .decode(params.signature.as_bytes())
            .map_err(|_| VerifyError::Tampered)?;
        mac(secret, &key_id.0, &params.feed_id, params.expires_at)
            .verify_slice(&signature)
            .map_err(|_| VerifyError::Tampered)?;
        let expires_at =
            DateTime::from_timestamp(params.expires_at, 0).ok_or(VerifyError::Malformed {
                reason: "`exp` is out of range",
            })?;
        if now >= expires_at {
            return Err(VerifyError::Expired {
                expired_at: expires_at,
            });
        }
        Ok(VerifiedFeed {
            feed_id: params.feed_id.clone(),
            expires_at,
            key_id: key_id.clone(),
        })
    }
}

impl SignedFeed {
    /// The feed id.
    pub fn feed_id(&self) -> &str {
        &self.feed_id
    }

    /// The expiry.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// The signing key's id.
    pub fn key_id(&self) -> &KeyId {
        &self.key_id
    }

    /// The signature, unpadded base64url.
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The query string `feed=…&exp=…&kid=…&sig=…` (no leading `?`), percent-encoded.
    pub fn query(&self) -> String {
        let mut q = String::with_capacity(self.feed_id.len() + 96);
        q.push_str("feed=");
        percent_encode_into(&mut q, &self.feed_id);
        q.push_str("&exp=");
        q.push_str(&self.expires_at.timestamp().to_string());
        q.push_str("&kid=");
        percent_encode_into(&mut q, &self.key_id.0);
        q.push_str("&sig=");
        q.push_str(&self.signature);
        q
    }

    /// `base` with the signed query appended (`?` or `&` as needed).
    pub fn url(&self, base: &str) -> String {
        let sep = if base.contains('?') {
            if base.ends_with('?') || base.ends_with('&') {
                ""
            } else {
                "&"
            }
        } else {
            "?"
        };
        format!("{base}{sep}{}", self.query())
    }
}

impl fmt::Display for SignedFeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.query())
    }
}

impl SignedParams {
    /// Reads `feed`, `exp`, `kid` and `sig` from a URL or a bare query string. Other
    /// parameters are ignored; a missing or repeated signed parameter is malformed.
    pub fn from_query(url_or_query: &str) -> Result<Self, VerifyError> {
        let query = match url_or_query.split_once('?') {
            Some((_, q)) => q,
            None => url_or_query,
        };
        let query = query.split('#').next().unwrap_or_default();
        let mut slots: [Option<String>; 4] = Default::default();
        const NAMES: [&str; 4] = ["feed", "exp", "kid", "sig"];
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let Some(i) = NAMES.iter().position(|n| *n == name) else {
                continue;
            };
            if slots[i].is_some() {
                return Err(VerifyError::Malformed {
                    reason: "a signed parameter is repeated",
                });
            }
            slots[i] = Some(percent_decode(value).ok_or(VerifyError::Malformed {
                reason: "bad percent-encoding",
            })?);
        }
        let [feed, exp, kid, sig] = slots;
        let missing = |reason| VerifyError::Malformed { reason };
        let exp = exp.ok_or(missing("`exp` is missing"))?;
        Ok(SignedParams {
            feed_id: feed.ok_or(missing("`feed` is missing"))?,
            expires_at: exp
                .parse()
                .map_err(|_| missing("`exp` is not an integer"))?,
            key_id: kid.ok_or(missing("`kid` is missing"))?,
            signature: sig.ok_or(missing("`sig` is missing"))?,
        })
    }
}

/// HMAC-SHA256 over an unambiguous encoding of (key id, feed id, expiry): each string is
/// length-prefixed, so no two different triples share an input.
fn mac(secret: &FeedSecret, key_id: &str, feed_id: &str, expires_at: i64) -> HmacSha256 {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match HmacSha256::new_from_slice(&secret.0) {
        Ok(mac) => mac,
        Err(_) => <HmacSha256 as Mac>::new(&Default::default()),
    };
    mac.update(MAC_CONTEXT);
    mac.update(&(key_id.len() as u64).to_be_bytes());
    mac.update(key_id.as_bytes());
    mac.update(&(feed_id.len() as u64).to_be_bytes());
    mac.update(feed_id.as_bytes());
    mac.update(&expires_at.to_be_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    fn kid(s: &str) -> KeyId {
        KeyId::new(s).unwrap()
    }

    fn signer() -> FeedSigner {
        FeedSigner::new(Keyring::new(kid("k1"), FeedSecret::new([7u8; 32]).unwrap()))
    }

    #[test]
    fn round_trip_and_default_lifetime() {
        let s = signer();
        let link = s.sign_for_lifetime("agent 42/é", now());
        assert_eq!(link.expires_at(), now() + chrono::Duration::hours(24));
        let url = link.url("https://feeds.example.com/s.ics");
        assert!(url.starts_with("https://feeds.example.com/s.ics?feed=agent%2042%2F%C3%A9&exp="));
        let v = s.verify(&url, now()).unwrap();
        assert_eq!(v.feed_id, "agent 42/é");
        assert_eq!(v.key_id, kid("k1"));
        assert_eq!(v.expires_at, link.expires_at());
        // one second before expiry: fine; at expiry: expired
        let exp = link.expires_at();
        assert!(s.verify(&url, exp - chrono::Duration::seconds(1)).is_ok());
        assert_eq!(
            s.verify(&url, exp),
            Err(VerifyError::Expired { expired_at: exp })
        );
    }

    #[test]
    fn tampering_is_detected() {
        let s = signer();
        let link = s.sign("agent-42", now() + chrono::Duration::hours(1));
        let q = link.query();
        let other_feed = q.replace("feed=agent-42", "feed=agent-43");
        assert_eq!(s.verify(&other_feed, now()), Err(VerifyError::Tampered));
        let later = q.replace(
            &format!("exp={}", link.expires_at().timestamp()),
            &format!("exp={}", link.expires_at().timestamp() + 3600),
        );
        assert_eq!(s.verify(&later, now()), Err(VerifyError::Tampered));
        let mut sig = link.signature().to_owned();
        let last = sig.pop().unwrap();
        sig.push(if last == 'A' { 'B' } else { 'A' });
        let bad_sig = q.replace(link.signature(), &sig);
        assert_eq!(s.verify(&bad_sig, now()), Err(VerifyError::Tampered));
        let not_b64 = q.replace(link.signature(), "!!!");
        assert_eq!(s.verify(&not_b64, now()), Err(VerifyError::Tampered));
        let truncated = q.replace(link.signature(), &link.signature()[..20]);
        assert_eq!(s.verify(&truncated, now()), Err(VerifyError::Tampered));
        // An expired but tampered link reports tampering, not expiry.
        assert_eq!(
            s.verify(&later, now() + chrono::Duration::days(9)),
            Err(VerifyError::Tampered)
        );
    }

    #[test]
    fn other_secret_same_kid_is_tampered() {
        let a = signer();
        let b = FeedSigner::new(Keyring::new(kid("k1"), FeedSecret::new([8u8; 32]).unwrap()));
        let q = b.sign("f", now() + chrono::Duration::hours(1)).query();
        assert_eq!(a.verify(&q, now()), Err(VerifyError::Tampered));
    }

    #[test]
    fn unknown_key() {
        let s = signer();
        let q = s
            .sign("f", now() + chrono::Duration::hours(1))
            .query()
            .replace("kid=k1", "kid=k9");
        assert_eq!(
            s.verify(&q, now()),
            Err(VerifyError::UnknownKey {
                key_id: "k9".into()
            })
        );
    }

    #[test]
    fn rotation_with_two_live_keys() {
        let mut s = signer();
        let old_link = s.sign("f", now() + chrono::Duration::hours(2)).query();
        s.keyring_mut()
            .add(kid("k2"), FeedSecret::new([9u8; 32]).unwrap())
            .unwrap();
        s.keyring_mut().set_primary(&kid("k2")).unwrap();
        let new_link = s.sign("f", now() + chrono::Duration::hours(2)).query();
        assert!(new_link.contains("kid=k2"));
        assert_eq!(s.verify(&old_link, now()).unwrap().key_id, kid("k1"));
        assert_eq!(s.verify(&new_link, now()).unwrap().key_id, kid("k2"));
        s.keyring_mut().remove(&kid("k1")).unwrap();
        assert!(matches!(
            s.verify(&old_link, now()),
            Err(VerifyError::UnknownKey { .. })
        ));
        assert!(s.verify(&new_link, now()).is_ok());
        assert_eq!(
            s.keyring_mut().remove(&kid("k2")),
            Err(KeyError::RemovePrimary { key_id: kid("k2") })
        );
    }

    #[test]
    fn malformed_links() {
        let s = signer();
        let link = s.sign("f", now() + chrono::Duration::hours(1));
        let q = link.query();
        for (bad, reason) in [
            (q.replace("exp=", "exq="), "`exp` is missing"),
            (q.replace("sig=", "sug="), "`sig` is missing"),
            (q.replace("feed=", "fed="), "`feed` is missing"),
            (q.replace("kid=", "kd="), "`kid` is missing"),
            (format!("{q}&kid=k1"), "a signed parameter is repeated"),
            (q.replace("feed=f", "feed=%G1"), "bad percent-encoding"),
        ] {
            assert_eq!(
                s.verify(&bad, now()),
                Err(VerifyError::Malformed { reason }),
                "{bad}"
            );
        }
        let exp = link.expires_at().timestamp().to_string();
        assert_eq!(
            s.verify(&q.replace(&exp, "soon"), now()),
            Err(VerifyError::Malformed {
                reason: "`exp` is not an integer"
            })
        );
        // extra parameters and a fragment are fine
        assert!(
            s.verify(&format!("https://x/y.ics?tz=local&{q}#frag"), now())
                .is_ok()
        );
    }

    #[test]
    fn secrets_never_appear_in_debug() {
        let secret_bytes = *b"super-secret-value-0123456789abc";
        let secret = FeedSecret::new(secret_bytes).unwrap();
        let s = FeedSigner::new(Keyring::new(kid("k1"), secret.clone()));
        for text in [
            format!("{secret:?}"),
            format!("{s:?}"),
            format!("{:?}", s.keyring()),
            format!("{s:#?}"),
        ] {
            assert!(!text.contains("super-secret"), "{text}");
            assert!(!text.contains("115, 117, 112"), "{text}"); // "sup" as bytes
        }
        assert_eq!(format!("{secret:?}"), "FeedSecret(<redacted>)");
        assert!(format!("{s:?}").contains("k1"));
    }

    #[test]
    fn key_validation() {
        assert_eq!(
            FeedSecret::new([0u8; 31]).err(),
            Some(KeyError::SecretTooShort { len: 31 })
        );
        assert_eq!(
            FeedSecret::from_base64("***").err(),
            Some(KeyError::InvalidBase64)
        );
        assert!(FeedSecret::from_base64(&STANDARD.encode([3u8; 32])).is_ok());
        assert!(KeyId::new("").is_err());
        assert!(KeyId::new("a b").is_err());
        assert!(KeyId::new("k".repeat(65)).is_err());
        assert!(KeyId::new("2026-03_a.b").is_ok());
        let mut ring = Keyring::new(kid("a"), FeedSecret::new([1u8; 32]).unwrap());
        assert!(matches!(
            ring.add(kid("a"), FeedSecret::new([1u8; 32]).unwrap()),
            Err(KeyError::DuplicateKey { .. })
        ));
        assert!(matches!(
            ring.set_primary(&kid("zz")),
            Err(KeyError::UnknownKey { .. })
        ));
    }

    #[test]
    fn url_separator() {
        let link = signer().sign("f", now());
        assert!(link.url("https://x/a.ics").contains("/a.ics?feed="));
        assert!(link.url("https://x/a.ics?tz=1").contains("?tz=1&feed="));
        assert!(link.url("https://x/a.ics?").contains("?feed="));
        assert_eq!(link.to_string(), link.query());
    }
}
