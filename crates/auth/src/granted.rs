//! The run-time half of typed scopes: what a token was granted, checked against what was declared.
//! A server may grant fewer scopes than asked (RFC 6749 §3.3), so types alone are not enough.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Deserialize;

use crate::error::{AuthError, GrantSource};
use crate::scope::{ScopeList, ScopeRequirement};

/// Where a [`TokenCache`](crate::TokenCache) reads the scopes a token was granted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScopeCheck {
    /// The token response's `scope` field; when it is absent the grant is what was requested
    /// (RFC 6749 §5.1). The default.
    #[default]
    FromResponse,
    /// The access token's JWT claims: `scp` (delegated scopes, a space-separated string or an
    /// array), `roles` (application permissions, Microsoft) and `scope`. The payload is decoded
    /// without verifying the signature: this is the client reading its own token, not
    /// authentication. A token that is not a JWT is an error.
    JwtClaims,
    /// No check: the grant carries no scopes (Genesys Cloud client credentials, where roles and
    /// divisions decide; NICE CXone access keys, where the user's security profile decides).
    NotApplicable,
}

/// The declared scopes of a client, checked against what a token was granted.
///
/// ```
/// use wfm_auth::{declare_scopes, GrantSource, RequiredScopes};
/// declare_scopes! {
///     /// Demo.
///     pub provider Demo = "Demo";
///     /// Write.
///     pub scope Write = "write";
///     /// Read.
///     pub scope Read = "read", implied_by Write;
///     /// Users.
///     pub scope Users = "users";
/// }
///
/// let required = RequiredScopes::of::<(Read, Users)>();
/// assert!(required.check(&["write", "users"], GrantSource::ResponseScope).is_ok());
/// let err = required.check(&["read"], GrantSource::ResponseScope).unwrap_err();
/// assert!(err.to_string().contains("lacks the declared scope(s) `users`"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequiredScopes(Vec<ScopeRequirement>);

impl RequiredScopes {
    /// The scopes of the set `S` (a scope or a tuple of scopes).
    pub fn of<S: ScopeList>() -> Self {
        Self::none().and::<S>()
    }

    /// No declared scopes: every grant passes.
    pub fn none() -> Self {
        Self(Vec::new())
    }

    /// Adds the scopes of `S`.
    pub fn and<S: ScopeList>(mut self) -> Self {
        S::for_each(&mut |r| {
            if !self.0.contains(&r) {
                self.0.push(r);
            }
        });
        self
    }

    /// The declared scopes.
    pub fn requirements(&self) -> &[ScopeRequirement] {
        &self.0
    }

    /// Declared scopes that nothing in `granted` satisfies.
    pub fn missing<G: AsRef<str>>(&self, granted: &[G]) -> Vec<&'static str> {
        self.0
            .iter()
            .filter(|r| !r.is_satisfied_by(granted))
            .map(|r| r.name())
            .collect()
    }

    /// `Ok` if `granted` satisfies every declared scope, else
    /// [`AuthError::InsufficientScope`] naming what is missing and what was granted.
    pub fn check<G: AsRef<str>>(
        &self,
        granted: &[G],
        grant_source: GrantSource,
    ) -> Result<(), AuthError> {
        let missing = self.missing(granted);
        if missing.is_empty() {
            return Ok(());
        }
        Err(AuthError::InsufficientScope {
            missing: missing.into_iter().map(String::from).collect(),
            granted: granted.iter().map(|g| g.as_ref().to_owned()).collect(),
            grant_source,
        })
    }
}

/// The scopes and application permissions in a JWT access token's `scp`, `roles` and `scope`
/// claims, read without verifying the signature (the client's own introspection).
///
/// ```
/// use base64::Engine as _;
/// let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
///     .encode(r#"{"aud":"https://graph.microsoft.com","roles":["Calendars.ReadWrite"]}"#);
/// let jwt = format!("eyJhbGciOiJub25lIn0.{payload}.c2ln");
/// assert_eq!(wfm_auth::jwt_granted_scopes(&jwt).unwrap(), ["Calendars.ReadWrite"]);
/// ```
pub fn jwt_granted_scopes(token: &str) -> Result<Vec<String>, AuthError> {
    let unreadable = |why: &str| AuthError::GrantedScopesUnreadable {
        detail: format!(
            "{why}; use `ScopeCheck::FromResponse` (or `NotApplicable`) for providers whose access tokens are opaque"
        ),
    };
    let mut parts = token.split('.');
    let (Some(_header), Some(payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(unreadable(
            "the access token is not a JWT (expected three dot-separated parts)",
        ));
    };
    const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let bytes = URL_SAFE_LENIENT
        .decode(payload)
        .map_err(|_| unreadable("the access token's JWT payload is not base64url"))?;
    let claims: Claims = serde_json::from_slice(&bytes)
        .map_err(|_| unreadable("the access token's JWT payload is not a JSON object"))?;
    let mut granted = Vec::new();
    for claim in [claims.scp, claims.roles, claims.scope]
        .into_iter()
        .flatten()
    {
        for name in claim.into_names() {
            if !granted.contains(&name) {
                granted.push(name);
            }
        }
    }
    Ok(granted)
}

#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    scp: Option<NamesClaim>,
    #[serde(default)]
    roles: Option<NamesClaim>,
    #[serde(default)]
    scope: Option<NamesClaim>,
}

/// A claim that lists names as a space-separated string (`scp` at Microsoft) or as an array
/// (`roles` at Microsoft, `scp` at Okta).
#[derive(Deserialize)]
#[serde(untagged)]
enum NamesClaim {
    Spaced(String),
    List(Vec<String>),
}

impl NamesClaim {
    fn into_names(self) -> Vec<String> {
        match self {
            Self::Spaced(s) => s.split_whitespace().map(String::from).collect(),
            Self::List(list) => list,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn jwt(payload: &str) -> String {
        format!(
            "eyJhbGciOiJSUzI1NiJ9.{}.sig",
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn reads_scp_string_roles_array_and_scope() {
        let granted =
            jwt_granted_scopes(&jwt(r#"{"scp":"a b","roles":["C"],"scope":"d a"}"#)).unwrap();
        assert_eq!(granted, ["a", "b", "C", "d"]);
        let okta = jwt_granted_scopes(&jwt(r#"{"scp":["x","y"]}"#)).unwrap();
        assert_eq!(okta, ["x", "y"]);
        assert!(
            jwt_granted_scopes(&jwt(r#"{"sub":"1"}"#))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn opaque_and_garbage_tokens_are_typed_errors() {
        for token in ["opaque-token", "a.b", "a.!!!.c", &jwt("[1,2]"), "a.b.c.d"] {
            let err = jwt_granted_scopes(token).unwrap_err();
            assert!(
                matches!(err, AuthError::GrantedScopesUnreadable { .. }),
                "{token}: {err}"
            );
        }
    }
}
