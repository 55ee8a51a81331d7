//! Typed scopes: zero-sized markers, sets of them as tuples, and membership checked by the compiler.
//!
//! SKELETON: names and shapes are fixed; the auth helper completes docs, tuple impls and tests.

/// A platform that issues scopes (Genesys Cloud, NICE CXone, Microsoft Graph, ...).
pub trait Provider: 'static {
    /// Human-readable name, used in error messages.
    const NAME: &'static str;
}

/// An OAuth scope (or application permission) as a zero-sized marker type.
pub trait Scope: 'static {
    /// The provider that defines this scope.
    type Provider: Provider;
    /// The scope's name as the provider grants it (`workforce-management:readonly`, `Calendars.ReadWrite`).
    const NAME: &'static str;
    /// Names of stronger scopes that satisfy this one at run time (a full scope satisfies its
    /// read-only twin).
    const IMPLIED_BY: &'static [&'static str] = &[];
}

/// `Self` (a stronger scope) satisfies the scope `S`.
pub trait Implies<S: Scope>: Scope {}

/// The scope set `Self` grants the scope `S`; `I` is an inference-only index.
#[diagnostic::on_unimplemented(
    message = "the scope set `{Self}` does not grant the scope `{S}`",
    label = "this call needs the scope `{S}`",
    note = "add `{S}` (or a scope that implies it) to the client's scope set"
)]
pub trait Grants<S: Scope, I> {}

/// A set of scopes of one provider (a tuple of [`Scope`] markers).
pub trait ScopeSet<P: Provider> {
    /// The wire names of every scope in the set.
    fn names() -> Vec<&'static str>;
}
