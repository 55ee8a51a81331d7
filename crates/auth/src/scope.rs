//! Typed scopes: zero-sized markers, sets of them as tuples, and membership checked by the compiler.
//! Platform crates declare their scopes with [`declare_scope!`](crate::declare_scope); clients bound their methods with [`Grants`].
//!
//! # The model
//!
//! - A [`Provider`] is a platform that issues scopes (Genesys Cloud, Microsoft Graph, ...).
//! - A [`Scope`] is a zero-sized marker type: its wire name, its provider, and the names of the
//!   stronger scopes that satisfy it at run time ([`Scope::IMPLIED_BY`]).
//! - A scope *set* is a single scope, `()`, or a tuple of up to 12 scopes, e.g.
//!   `(WorkforceManagement, UsersReadonly)`. [`ScopeSet<P>`] says every scope in it belongs to the
//!   provider `P`; [`ScopeList`] gives the names at run time.
//! - `S: Grants<X, I>` says the set `S` grants the scope `X`: `X` is in the tuple, or a scope in
//!   the tuple [`Implies`] `X` (a full scope satisfies its read-only twin). `I` is an index the
//!   compiler infers; callers never name it.
//!
//! ```
//! use std::marker::PhantomData;
//! use wfm_auth::{declare_provider, declare_scope, Grants, ScopeSet};
//!
//! declare_provider!(/// A demo platform.
//!     pub Demo = "Demo Cloud");
//! declare_scope!(/// Read and write schedules.
//!     pub Schedules: Demo = "schedules");
//! declare_scope!(/// Read schedules.
//!     pub SchedulesReadonly: Demo = "schedules:readonly", implied_by Schedules);
//! declare_scope!(/// Read users.
//!     pub UsersReadonly: Demo = "users:readonly");
//!
//! struct Client<S: ScopeSet<Demo>>(PhantomData<S>);
//! impl<S: ScopeSet<Demo>> Client<S> {
//!     fn read_schedules<I>(&self) -> &'static str where S: Grants<SchedulesReadonly, I> { "read" }
//!     fn push_schedules<I>(&self) -> &'static str where S: Grants<Schedules, I> { "pushed" }
//! }
//!
//! // `Schedules` implies `SchedulesReadonly`: both methods compile.
//! let client: Client<(Schedules, UsersReadonly)> = Client(PhantomData);
//! assert_eq!(client.read_schedules(), "read");
//! assert_eq!(client.push_schedules(), "pushed");
//! ```
//!
//! A tuple that lists a scope twice, or a scope together with one it implies (`(Schedules,
//! SchedulesReadonly)`), makes the index ambiguous ("type annotations needed"): list the stronger
//! scope only.

/// A platform that issues scopes (Genesys Cloud, NICE CXone, Microsoft Graph, ...).
///
/// Declare one with [`declare_provider!`](crate::declare_provider).
pub trait Provider: 'static {
    /// Human-readable name, used in error messages.
    const NAME: &'static str;
}

/// An OAuth scope (or application permission) as a zero-sized marker type.
///
/// Declare one with [`declare_scope!`](crate::declare_scope), which also writes the
/// [`Implies`] impls that mirror [`Scope::IMPLIED_BY`].
pub trait Scope: 'static {
    /// The provider that defines this scope.
    type Provider: Provider;
    /// The scope's name as the provider grants it (`workforce-management:readonly`, `Calendars.ReadWrite`).
    const NAME: &'static str;
    /// Names of stronger scopes that satisfy this one at run time (a full scope satisfies its
    /// read-only twin).
    const IMPLIED_BY: &'static [&'static str] = &[];
}

/// `Self` (a stronger scope) satisfies the scope `S`: the type-level twin of [`Scope::IMPLIED_BY`].
#[diagnostic::on_unimplemented(
    message = "the scope `{Self}` does not imply the scope `{S}`",
    note = "declare the implication with `declare_scope!(... = \"name\", implied_by {Self})`"
)]
pub trait Implies<S: Scope>: Scope {}

/// The scope set `Self` grants the scope `S`; `I` is an inference-only index.
///
/// Bound a client method with `where S: Grants<TheScope, I>` (with `I` a type parameter of the
/// method): the compiler then accepts the call only on clients whose scope set holds `TheScope`
/// or a scope that [`Implies`] it, and otherwise reports which scope is missing.
#[diagnostic::on_unimplemented(
    message = "the scope set `{Self}` does not grant the scope `{S}`",
    label = "this call needs the scope `{S}`",
    note = "add `{S}` (or a scope that implies it) to the client's scope set, and grant it to the OAuth client",
    note = "a read-only scope never satisfies its full twin, and a scope of another provider never counts"
)]
pub trait Grants<S: Scope, I> {}

/// A scope, `()`, or a tuple of up to 12 of them, with its scope names readable at run time.
///
/// This is what a [`TokenCache`](crate::TokenCache) checks granted scopes against; it does not
/// care which provider the scopes belong to ([`ScopeSet`] does).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a scope set",
    label = "expected a scope, `()`, or a tuple of scopes",
    note = "scope sets are scope marker types (see `declare_scope!`) or tuples of them, up to 12"
)]
pub trait ScopeList {
    /// Each scope of the set with the names that satisfy it, in declaration order.
    fn requirements() -> Vec<ScopeRequirement>;

    /// The wire names of every scope in the set, in declaration order.
    fn names() -> Vec<&'static str> {
        Self::requirements().iter().map(|r| r.name()).collect()
    }
}

/// A set of scopes that all belong to the provider `P`.
///
/// Put it as a bound on a client's scope parameter (`struct Client<S: ScopeSet<GenesysCloud>>`) so
/// that a scope of another provider is rejected at compile time with a message naming `P`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a set of `{P}` scopes",
    label = "every scope here must belong to `{P}`",
    note = "a client of `{P}` only accepts `{P}` scopes, or a tuple of them: remove the scopes of other providers"
)]
pub trait ScopeSet<P: Provider>: ScopeList {}

/// One declared scope, with the names of the stronger scopes that also satisfy it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScopeRequirement {
    name: &'static str,
    implied_by: &'static [&'static str],
}

impl ScopeRequirement {
    /// The requirement of the scope `S`.
    pub fn of<S: Scope>() -> Self {
        Self {
            name: S::NAME,
            implied_by: S::IMPLIED_BY,
        }
    }

    /// The scope's wire name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Names of stronger scopes that satisfy this one.
    pub fn implied_by(&self) -> &'static [&'static str] {
        self.implied_by
    }

    /// Whether the granted scope names contain this scope or a scope that implies it.
    pub fn is_satisfied_by<G: AsRef<str>>(&self, granted: &[G]) -> bool {
        granted.iter().any(|g| {
            let g = g.as_ref();
            g == self.name || self.implied_by.contains(&g)
        })
    }
}

/// Indices used by [`Grants`] so that tuple membership needs no specialisation. Callers never
/// name these types: the compiler infers them.
pub mod index {
    use std::marker::PhantomData;

    /// The set is the scope itself.
    #[derive(Debug)]
    pub struct Here;

    /// The set is a single scope that implies the wanted one.
    #[derive(Debug)]
    pub struct Implied;

    /// The tuple element at position `N` grants the scope, by the nested index `I`.
    #[derive(Debug)]
    pub struct At<const N: usize, I>(PhantomData<I>);
}

use index::{At, Here, Implied};

#[diagnostic::do_not_recommend]
impl<S: Scope> Grants<S, Here> for S {}

#[diagnostic::do_not_recommend]
impl<S: Scope, T: Implies<S>> Grants<S, Implied> for T {}

#[diagnostic::do_not_recommend]
impl<S: Scope> ScopeList for S {
    fn requirements() -> Vec<ScopeRequirement> {
        vec![ScopeRequirement::of::<S>()]
    }
}

#[diagnostic::do_not_recommend]
impl<P: Provider, S: Scope<Provider = P>> ScopeSet<P> for S {}

#[diagnostic::do_not_recommend]
impl ScopeList for () {
    fn requirements() -> Vec<ScopeRequirement> {
        Vec::new()
    }
}

#[diagnostic::do_not_recommend]
impl<P: Provider> ScopeSet<P> for () {}

/// `Grants` for every position of one tuple arity.
macro_rules! tuple_grants {
    (@at [$($All:ident),+] [$($Before:ident),*]) => {};
    (@at [$($All:ident),+] [$($Before:ident),*] $Cur:ident $(, $After:ident)*) => {
        #[diagnostic::do_not_recommend]
        impl<Sc: Scope, Ix, $($All),+> Grants<Sc, At<{ 0 $(+ tuple_grants!(@one $Before))* }, Ix>>
            for ($($All,)+)
        where
            $Cur: Grants<Sc, Ix>,
        {
        }
        tuple_grants!(@at [$($All),+] [$($Before,)* $Cur] $($After),*);
    };
    (@one $x:ident) => { 1 };
    ($($All:ident),+) => {
        tuple_grants!(@at [$($All),+] [] $($All),+);

        #[diagnostic::do_not_recommend]
        impl<$($All: ScopeList),+> ScopeList for ($($All,)+) {
            fn requirements() -> Vec<ScopeRequirement> {
                let mut all = Vec::new();
                $(
                    for r in $All::requirements() {
                        if !all.contains(&r) {
                            all.push(r);
                        }
                    }
                )+
                all
            }
        }

        #[diagnostic::do_not_recommend]
        impl<Pr: Provider, $($All: ScopeSet<Pr>),+> ScopeSet<Pr> for ($($All,)+) {}
    };
}

tuple_grants!(T0);
tuple_grants!(T0, T1);
tuple_grants!(T0, T1, T2);
tuple_grants!(T0, T1, T2, T3);
tuple_grants!(T0, T1, T2, T3, T4);
tuple_grants!(T0, T1, T2, T3, T4, T5);
tuple_grants!(T0, T1, T2, T3, T4, T5, T6);
tuple_grants!(T0, T1, T2, T3, T4, T5, T6, T7);
tuple_grants!(T0, T1, T2, T3, T4, T5, T6, T7, T8);
tuple_grants!(T0, T1, T2, T3, T4, T5, T6, T7, T8, T9);
tuple_grants!(T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10);
tuple_grants!(T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11);

/// Declares a [`Provider`] marker type in one line.
///
/// ```
/// wfm_auth::declare_provider!(/// Genesys Cloud (Purecloud).
///     pub GenesysCloud = "Genesys Cloud");
/// assert_eq!(<GenesysCloud as wfm_auth::Provider>::NAME, "Genesys Cloud");
/// ```
#[macro_export]
macro_rules! declare_provider {
    ($(#[$meta:meta])* $vis:vis $Name:ident = $display:literal $(;)?) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        $vis struct $Name;

        impl $crate::Provider for $Name {
            const NAME: &'static str = $display;
        }
    };
}

/// Declares a [`Scope`] marker type in one line, with its implications.
///
/// `implied_by A, B` writes both halves of the implication: `A: Implies<Self>` (so a client holding
/// `A` may call methods that need this scope) and `IMPLIED_BY = [A::NAME, B::NAME]` (so a token
/// granted `A` satisfies this scope in the run-time check). The generated doc names the wire name.
///
/// ```
/// use wfm_auth::{declare_provider, declare_scope, Scope};
/// declare_provider!(/// Microsoft Graph.
///     pub MicrosoftGraph = "Microsoft Graph");
/// declare_scope!(/// Read and write calendars of all mailboxes.
///     pub CalendarsReadWrite: MicrosoftGraph = "Calendars.ReadWrite");
/// declare_scope!(/// Read calendars of all mailboxes.
///     pub CalendarsRead: MicrosoftGraph = "Calendars.Read", implied_by CalendarsReadWrite);
///
/// assert_eq!(CalendarsRead::NAME, "Calendars.Read");
/// assert_eq!(CalendarsRead::IMPLIED_BY, ["Calendars.ReadWrite"]);
/// fn needs_read<S: wfm_auth::Implies<CalendarsRead>>() {}
/// needs_read::<CalendarsReadWrite>();
/// ```
#[macro_export]
macro_rules! declare_scope {
    (
        $(#[$meta:meta])*
        $vis:vis $Name:ident : $Prov:ty = $wire:literal
        $(, implied_by $($Strong:ident),+ )?
        $(;)?
    ) => {
        $(#[$meta])*
        #[doc = ""]
        #[doc = concat!("Wire name: `", $wire, "`.")]
        $(#[doc = concat!("Also satisfied by: ", $("[`", stringify!($Strong), "`] "),+, ".")])?
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        $vis struct $Name;

        impl $crate::Scope for $Name {
            type Provider = $Prov;
            const NAME: &'static str = $wire;
            const IMPLIED_BY: &'static [&'static str] =
                &[$($(<$Strong as $crate::Scope>::NAME),+)?];
        }

        $($(impl $crate::Implies<$Name> for $Strong {})+)?
    };
}
