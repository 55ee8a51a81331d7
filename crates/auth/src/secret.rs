//! [`Secret`]: a string that never shows itself in `Debug`, `Display` or `tracing` output.
//! Client secrets, passwords and access-key secrets are held in it from the moment they are given.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// The marker every redacted value prints instead of itself.
pub const REDACTED: &str = "[redacted]";

/// A secret string (client secret, password, access-key secret).
///
/// `Debug` and `Display` print `[redacted]`, so a secret that reaches a log line, a `tracing`
/// field (`?secret` or `%secret`) or an error message shows the marker, never the value. The
/// memory is zeroed on drop (by [`secrecy`]). Read the value with [`Secret::expose`] only where
/// it goes on the wire.
///
/// ```
/// use wfm_auth::Secret;
/// let secret = Secret::from("hunter2");
/// assert_eq!(format!("{secret} {secret:?}"), "[redacted] [redacted]");
/// assert_eq!(secret.expose(), "hunter2");
/// ```
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The secret value, to put on the wire. Never log it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<SecretString> for Secret {
    fn from(value: SecretString) -> Self {
        Self(value)
    }
}
