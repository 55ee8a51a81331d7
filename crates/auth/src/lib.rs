//! Credentials, tokens and typed scopes shared by every platform crate.
//!
//! SKELETON: the auth helper replaces this module doc and fills the crate (see the task text).
#![forbid(unsafe_code)]

pub mod scope;
pub mod token;

pub use scope::{Grants, Implies, Provider, Scope, ScopeSet};
pub use token::{AccessToken, AuthError, StaticToken, TokenProvider};
