//! Compile-time typed OAuth scopes for the WFM SDK: which scopes each endpoint needs is part of
//! its signature, and a missing scope is a compiler error that names it.
//!
//! This crate has no dependencies, so the scope machinery (and its compile-fail tests) build in
//! seconds. `wfm-auth` re-exports all of it, and the platform crates re-export their own scopes.
//!
//! ```
//! use std::marker::PhantomData;
//! use wfm_scopes::genesys::{GenesysCloud, Users, WorkforceManagement, WorkforceManagementReadonly};
//! use wfm_scopes::{Grants, ScopeList, ScopeSet};
//!
//! /// A client whose scope set `S` is part of its type.
//! struct Client<S: ScopeSet<GenesysCloud>>(PhantomData<S>);
//!
//! impl<S: ScopeSet<GenesysCloud>> Client<S> {
//!     /// Needs `workforce-management:readonly` (or `workforce-management`).
//!     fn read_schedules(&self) -> &'static str where S: Grants<WorkforceManagementReadonly> { "read" }
//!     /// Needs `workforce-management`.
//!     fn publish_schedules(&self) -> &'static str where S: Grants<WorkforceManagement> { "published" }
//! }
//!
//! let client: Client<(WorkforceManagementReadonly, Users)> = Client(PhantomData);
//! assert_eq!(client.read_schedules(), "read");
//! // client.publish_schedules();
//! // error[E0277]: the scope set `(WorkforceManagementReadonly, Users)` does not grant the scope `WorkforceManagement`
//!
//! // The same set, at run time: what a token must be granted.
//! assert_eq!(<(WorkforceManagementReadonly, Users)>::names(), ["workforce-management:readonly", "users"]);
//! ```
//!
//! # The model
//!
//! - A [`Provider`] is a platform that issues scopes (Genesys Cloud, Microsoft Graph, ...).
//! - A [`Scope`] is a zero-sized marker type: its wire name, its provider, and the names of the
//!   stronger scopes that satisfy it ([`Scope::IMPLIED_BY`]: a full scope satisfies its read-only
//!   twin).
//! - A scope *set* is a scope, `()`, a tuple of up to 12 sets (nesting allowed), or
//!   [`RolesDecide`]. [`ScopeSet<P>`] says every scope in it belongs to `P`; [`ScopeList`] gives
//!   the names at run time, for the token cache's check of what each token was granted.
//! - `S: Grants<X>` says the set `S` grants the scope `X`: `X` is in it, or a scope that implies
//!   `X` is. A set may list a scope and its read-only twin, or a scope twice: it still compiles.
//! - [`RolesDecide`] is the set of grants that carry no scopes at all (Genesys Cloud client
//!   credentials, where roles and divisions decide; NICE CXone access keys, where the security
//!   profile decides): every endpoint compiles, nothing is checked in the token, and the
//!   platform's permission checks (or a preflight) decide.
//!
//! Scopes are declared per provider, all at once, with [`declare_scopes!`]: the relation between
//! every pair of a provider's scopes is computed there, which is what lets `Grants` work without
//! an index the caller would have to name. The SDK's platforms are declared here: [`cxone`],
//! [`genesys`], [`graph`].
#![forbid(unsafe_code)]
#![no_std]

pub mod cxone;
pub mod genesys;
pub mod google;
pub mod graph;

/// A platform that issues scopes (Genesys Cloud, NICE CXone, Microsoft Graph, ...).
///
/// Declare one, with its scopes, with [`declare_scopes!`].
pub trait Provider: 'static {
    /// Human-readable name, used in error messages.
    const NAME: &'static str;
}

/// An OAuth scope (or application permission) as a zero-sized marker type.
///
/// Declare scopes with [`declare_scopes!`], which also computes which scope satisfies which.
pub trait Scope: 'static {
    /// The provider that defines this scope.
    type Provider: Provider;
    /// The scope's name as the provider grants it (`workforce-management:readonly`, `Calendars.ReadWrite`).
    const NAME: &'static str;
    /// Names of stronger scopes that satisfy this one (a full scope satisfies its read-only twin).
    const IMPLIED_BY: &'static [&'static str] = &[];
}

/// The scope set `Self` grants the scope `S`: `S` is in it, or a scope that implies `S`, or the
/// set is [`RolesDecide`].
///
/// Bound a client method with `where S: Grants<TheScope>`: the compiler then accepts the call
/// only on clients whose scope set grants `TheScope`, and otherwise names the missing scope.
#[diagnostic::on_unimplemented(
    message = "the scope set `{Self}` does not grant the scope `{S}`",
    label = "this call needs the scope `{S}`",
    note = "add `{S}` (or a scope that implies it) to the client's scope set, and grant it to the OAuth client",
    note = "a read-only scope never satisfies its full twin, and a scope of another platform never counts"
)]
pub trait Grants<S: Scope> {}

#[diagnostic::do_not_recommend]
impl<Set, S> Grants<S> for Set
where
    S: Scope,
    Set: __private::Holds<S, Answer = __private::Yes>,
{
}

/// A scope set, with its scope names readable at run time.
///
/// This is what a token cache checks granted scopes against; it does not care which provider
/// the scopes belong to ([`ScopeSet`] does).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a scope set",
    label = "expected a scope, `()`, a tuple of scopes, or `RolesDecide`",
    note = "scope sets are scope marker types (see `declare_scopes!`), tuples of them (up to 12), or `RolesDecide`"
)]
pub trait ScopeList {
    /// Calls `each` with every scope of the set, in declaration order (duplicates included).
    fn for_each(each: &mut dyn FnMut(ScopeRequirement));

    /// Whether the set is [`RolesDecide`]: grants that carry no scopes at all.
    const ROLES_DECIDE: bool = false;

    /// The wire names of every scope in the set, in declaration order, without duplicates.
    fn names() -> ScopeNames
    where
        Self: Sized,
    {
        let mut names = ScopeNames::default();
        Self::for_each(&mut |r| names.push(r.name()));
        names
    }
}

/// A scope set whose scopes all belong to the provider `P`.
///
/// Put it as the bound of a client's scope parameter (`struct Client<S: ScopeSet<GenesysCloud>>`)
/// so that a scope of another provider is refused at compile time with a message naming `P`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a set of `{P}` scopes",
    label = "every scope here must belong to `{P}`",
    note = "a client of `{P}` only accepts `{P}` scopes, tuples of them, or `RolesDecide`: remove the scopes of other platforms"
)]
pub trait ScopeSet<P: Provider>: ScopeList {}

/// The scope set of grants that carry no scopes: Genesys Cloud client credentials (roles and
/// divisions decide), NICE CXone access keys (the security profile decides), generic SCIM servers.
///
/// Every endpoint compiles on a client of `RolesDecide`, and a token cache built for it checks no
/// scope. What the client may do is decided by the platform's permissions: read a 403 with the
/// error's advice, or run the platform crate's permission preflight at start-up.
///
/// ```
/// use wfm_scopes::genesys::{GenesysCloud, WorkforceManagement};
/// use wfm_scopes::{Grants, RolesDecide, ScopeList, ScopeSet};
/// fn publish<S: ScopeSet<GenesysCloud> + Grants<WorkforceManagement>>() {}
/// publish::<RolesDecide>();
/// assert!(RolesDecide::ROLES_DECIDE);
/// assert!(RolesDecide::names().is_empty());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RolesDecide;

#[diagnostic::do_not_recommend]
impl<S: Scope> __private::Holds<S> for RolesDecide {
    type Answer = __private::Yes;
}

#[diagnostic::do_not_recommend]
impl ScopeList for RolesDecide {
    fn for_each(_each: &mut dyn FnMut(ScopeRequirement)) {}
    const ROLES_DECIDE: bool = true;
}

#[diagnostic::do_not_recommend]
impl<P: Provider> ScopeSet<P> for RolesDecide {}

/// Up to 64 scope names, without duplicates, in declaration order (no allocation: this crate has
/// no dependency, not even `alloc`). `Debug` prints the names as a list.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ScopeNames {
    names: [&'static str; 64],
    len: usize,
}

impl Default for ScopeNames {
    fn default() -> Self {
        Self {
            names: [""; 64],
            len: 0,
        }
    }
}

impl ScopeNames {
    fn push(&mut self, name: &'static str) {
        if self.as_slice().contains(&name) || self.len == self.names.len() {
            return;
        }
        self.names[self.len] = name;
        self.len += 1;
    }

    /// The names as a slice.
    pub fn as_slice(&self) -> &[&'static str] {
        &self.names[..self.len]
    }

    /// Whether there is no name.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl core::fmt::Debug for ScopeNames {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

impl core::ops::Deref for ScopeNames {
    type Target = [&'static str];
    fn deref(&self) -> &[&'static str] {
        self.as_slice()
    }
}

impl<const N: usize> PartialEq<[&str; N]> for ScopeNames {
    fn eq(&self, other: &[&str; N]) -> bool {
        self.as_slice() == other.as_slice()
    }
}

/// One declared scope, with the names of the stronger scopes that also satisfy it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScopeRequirement {
    name: &'static str,
    implied_by: &'static [&'static str],
}

impl ScopeRequirement {
    /// The requirement of the scope `S`.
    pub const fn of<S: Scope>() -> Self {
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

#[diagnostic::do_not_recommend]
impl<S: Scope> ScopeList for S {
    fn for_each(each: &mut dyn FnMut(ScopeRequirement)) {
        each(ScopeRequirement::of::<S>());
    }
}

#[diagnostic::do_not_recommend]
impl<P: Provider, S: Scope<Provider = P>> ScopeSet<P> for S {}

#[diagnostic::do_not_recommend]
impl ScopeList for () {
    fn for_each(_each: &mut dyn FnMut(ScopeRequirement)) {}
}

#[diagnostic::do_not_recommend]
impl<P: Provider> ScopeSet<P> for () {}

#[diagnostic::do_not_recommend]
impl<S: Scope> __private::Holds<S> for () {
    type Answer = __private::No;
}

/// `Holds`, `ScopeList` and `ScopeSet` for one tuple arity.
macro_rules! tuple_sets {
    ($($T:ident),+) => {
        #[diagnostic::do_not_recommend]
        impl<Sc: Scope, $($T: __private::Holds<Sc>),+> __private::Holds<Sc> for ($($T,)+) {
            type Answer = tuple_sets!(@or Sc; $($T),+);
        }

        #[diagnostic::do_not_recommend]
        impl<$($T: ScopeList),+> ScopeList for ($($T,)+) {
            fn for_each(each: &mut dyn FnMut(ScopeRequirement)) {
                $($T::for_each(each);)+
            }
            const ROLES_DECIDE: bool = false $(|| $T::ROLES_DECIDE)+;
        }

        #[diagnostic::do_not_recommend]
        impl<Pr: Provider, $($T: ScopeSet<Pr>),+> ScopeSet<Pr> for ($($T,)+) {}
    };
    (@or $Sc:ident; $T:ident) => { <$T as __private::Holds<$Sc>>::Answer };
    (@or $Sc:ident; $T:ident, $($Rest:ident),+) => {
        <<$T as __private::Holds<$Sc>>::Answer as __private::Bit>::Or<tuple_sets!(@or $Sc; $($Rest),+)>
    };
}

tuple_sets!(T0);
tuple_sets!(T0, T1);
tuple_sets!(T0, T1, T2);
tuple_sets!(T0, T1, T2, T3);
tuple_sets!(T0, T1, T2, T3, T4);
tuple_sets!(T0, T1, T2, T3, T4, T5);
tuple_sets!(T0, T1, T2, T3, T4, T5, T6);
tuple_sets!(T0, T1, T2, T3, T4, T5, T6, T7);
tuple_sets!(T0, T1, T2, T3, T4, T5, T6, T7, T8);
tuple_sets!(T0, T1, T2, T3, T4, T5, T6, T7, T8, T9);
tuple_sets!(T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10);
tuple_sets!(T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11);

/// Declares a [`Provider`] and all of its [`Scope`]s in one place, with their implications.
///
/// `implied_by A, B` says that a set holding `A` or `B` grants this scope, at compile time and
/// in the run-time check of a token's granted scopes. A provider's scopes must all be declared in
/// one invocation (that is where the compiler learns how every pair of them relates).
///
/// ```
/// wfm_scopes::declare_scopes! {
///     /// A demo platform.
///     pub provider Demo = "Demo Cloud";
///     /// Read and write schedules.
///     pub scope Schedules = "schedules";
///     /// Read schedules.
///     pub scope SchedulesReadonly = "schedules:readonly", implied_by Schedules;
/// }
/// use wfm_scopes::{Grants, Provider, Scope};
/// fn reads<S: Grants<SchedulesReadonly>>() {}
/// reads::<Schedules>();
/// reads::<(Schedules, SchedulesReadonly)>(); // a scope with its twin: fine
/// assert_eq!(SchedulesReadonly::IMPLIED_BY, ["schedules"]);
/// assert_eq!(Demo::NAME, "Demo Cloud");
/// ```
#[macro_export]
macro_rules! declare_scopes {
    (
        $(#[$pmeta:meta])* $pvis:vis provider $Provider:ident = $pname:literal;
        $(
            $(#[$meta:meta])* $vis:vis scope $Name:ident = $wire:literal
            $(, implied_by $($Strong:ident),+ )? ;
        )+
    ) => {
        $(#[$pmeta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        $pvis struct $Provider;

        impl $crate::Provider for $Provider {
            const NAME: &'static str = $pname;
        }

        $(
            $(#[$meta])*
            #[doc = ""]
            #[doc = concat!("Wire name: `", $wire, "`.")]
            $(#[doc = concat!("Also granted by: ", $("[`", stringify!($Strong), "`] "),+, ".")])?
            #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
            $vis struct $Name;

            impl $crate::Scope for $Name {
                type Provider = $Provider;
                const NAME: &'static str = $wire;
                const IMPLIED_BY: &'static [&'static str] =
                    &[$($(<$Strong as $crate::Scope>::NAME),+)?];
            }
        )+

        $crate::__holds_matrix!([$($Name),+] [$($Name),+]);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __holds_matrix {
    ([$($Row:ident),+] $all:tt) => {
        $( $crate::__holds_row!($Row $all); )+
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __holds_row {
    ($Row:ident [$($Col:ident),+]) => {
        $(
            impl $crate::__private::Holds<$Col> for $Row {
                type Answer = <$crate::__private::Const<
                    { $crate::__private::holds::<$Row, $Col>() },
                > as $crate::__private::ToBit>::Bit;
            }
        )+
    };
}

/// Machinery of [`declare_scopes!`] and [`Grants`]; not part of the API.
#[doc(hidden)]
pub mod __private {
    use super::Scope;

    /// Type-level booleans.
    pub trait Bit {
        /// `Self || B`.
        type Or<B: Bit>: Bit;
    }
    /// True.
    pub struct Yes;
    /// False.
    pub struct No;
    impl Bit for Yes {
        type Or<B: Bit> = Yes;
    }
    impl Bit for No {
        type Or<B: Bit> = B;
    }

    /// Whether the set `Self` holds the scope `S`.
    pub trait Holds<S: Scope> {
        /// [`Yes`] or [`No`].
        type Answer: Bit;
    }

    /// A boolean as a type, to turn into a [`Bit`].
    pub struct Const<const B: bool>;
    /// [`Const`] to [`Bit`].
    pub trait ToBit {
        /// [`Yes`] or [`No`].
        type Bit: Bit;
    }
    impl ToBit for Const<true> {
        type Bit = Yes;
    }
    impl ToBit for Const<false> {
        type Bit = No;
    }

    /// Whether holding the scope `Have` grants the scope `Want`.
    pub const fn holds<Have: Scope, Want: Scope>() -> bool {
        if str_eq(Have::NAME, Want::NAME) {
            return true;
        }
        let mut i = 0;
        while i < Want::IMPLIED_BY.len() {
            if str_eq(Want::IMPLIED_BY[i], Have::NAME) {
                return true;
            }
            i += 1;
        }
        false
    }

    const fn str_eq(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
}
