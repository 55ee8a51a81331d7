//! SCIM filters (RFC 7644 §3.4.2.2): a builder that cannot produce an injection, a parser for
//! filters that arrive as text, and attribute paths validated against the RFC's ABNF.
//!
//! ```
//! use wfm_scim::filter::{AttrPath, Filter};
//!
//! # fn demo() -> Result<(), wfm_scim::filter::FilterError> {
//! // A hostile value stays one JSON string: it cannot widen the search.
//! let name = r#"x" or userName pr or ""#;
//! let f = Filter::eq(AttrPath::parse("userName")?, name)
//!     .and(Filter::eq(AttrPath::parse("active")?, true));
//! assert_eq!(f.to_string(), r#"userName eq "x\" or userName pr or \"" and active eq true"#);
//! assert_eq!(Filter::parse(&f.to_string())?, f);
//!
//! // Value paths filter the values of a multi-valued attribute.
//! let work = Filter::value_path(
//!     AttrPath::parse("emails")?,
//!     Filter::eq(AttrPath::parse("type")?, "work").and(Filter::co(AttrPath::parse("value")?, "@example.com")),
//! )?;
//! assert_eq!(work.to_string(), r#"emails[type eq "work" and value co "@example.com"]"#);
//! # Ok(()) }
//! # demo().unwrap();
//! ```
//!
//! Text from users is untrusted: the parser refuses filters nested deeper than
//! [`MAX_FILTER_DEPTH`] with a typed error ([`FilterErrorKind::TooDeep`]) instead of recursing
//! without bound, and printing, comparing, cloning and dropping a [`Filter`] use an explicit
//! stack, so no tree a builder can make (a 100,000-term `or` chain, 100,000 levels of
//! alternating `and`/`or`) can overflow the stack.

use std::fmt;

/// How deeply a filter given as text may nest: parentheses, `not (` and value-filter brackets
/// (`emails[...]`) each open one level. Deeper text is refused with
/// [`FilterErrorKind::TooDeep`] before anything is built; real filters need a handful of levels.
///
/// ```
/// use wfm_scim::filter::{Filter, FilterErrorKind, MAX_FILTER_DEPTH};
/// let ok = format!("{}a pr{}", "(".repeat(MAX_FILTER_DEPTH), ")".repeat(MAX_FILTER_DEPTH));
/// assert!(Filter::parse(&ok).is_ok());
/// let deep = format!("({ok})");
/// let e = Filter::parse(&deep).unwrap_err();
/// assert_eq!(e.kind(), FilterErrorKind::TooDeep { limit: MAX_FILTER_DEPTH });
/// ```
pub const MAX_FILTER_DEPTH: usize = 64;

/// What kind of problem a [`FilterError`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FilterErrorKind {
    /// The text does not follow the grammar (RFC 7644 §3.4.2.2), or a built filter breaks one of
    /// its rules (a nested value path, ...).
    Syntax,
    /// The text nests parentheses, `not (` or value-filter brackets more than `limit`
    /// ([`MAX_FILTER_DEPTH`]) levels deep. Remove redundant parentheses, or split the search into
    /// several queries.
    TooDeep {
        /// The limit that was exceeded ([`MAX_FILTER_DEPTH`]).
        limit: usize,
    },
}

/// Why a filter, an attribute path or a PATCH path was refused.
///
/// Raised locally, before any request is sent; the message names the column (1-based, in
/// characters) and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid SCIM {what} {input:?}{at}: {message}; see RFC 7644 §3.4.2.2 for the grammar", at = column.map(|c| format!(" at column {c}")).unwrap_or_default())]
pub struct FilterError {
    what: &'static str,
    input: String,
    column: Option<usize>,
    message: String,
    kind: FilterErrorKind,
}

impl FilterError {
    fn new(
        what: &'static str,
        input: &str,
        column: Option<usize>,
        message: impl Into<String>,
    ) -> Self {
        const KEEP: usize = 200;
        let input = if input.chars().count() > KEEP {
            let mut s: String = input.chars().take(KEEP).collect();
            s.push('…');
            s
        } else {
            input.to_owned()
        };
        Self {
            what,
            input,
            column,
            message: message.into(),
            kind: FilterErrorKind::Syntax,
        }
    }

    /// What kind of problem this is: a syntax error, or text nested too deeply.
    pub fn kind(&self) -> FilterErrorKind {
        self.kind
    }

    /// The 1-based column (in characters) where the problem was found, if it has one.
    pub fn column(&self) -> Option<usize> {
        self.column
    }

    /// What is wrong, without the input and position.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// An attribute path: `[URI ":"] ATTRNAME ["." subAttr]` (RFC 7644 §3.10), for example
/// `userName`, `name.givenName` or
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`.
///
/// Names follow `ATTRNAME = ALPHA *(ALPHA / DIGIT / "-" / "_")` (plus `$ref`); the URI may hold
/// letters, digits and `:._-`. Nothing else gets in, so a path cannot carry an operator or a quote.
///
/// ```
/// use wfm_scim::filter::AttrPath;
/// let p = AttrPath::parse("urn:ietf:params:scim:schemas:core:2.0:User:name.givenName").unwrap();
/// assert_eq!(p.urn(), Some("urn:ietf:params:scim:schemas:core:2.0:User"));
/// assert_eq!(p.name(), "name");
/// assert_eq!(p.sub_attr(), Some("givenName"));
/// assert!(AttrPath::parse("userName or 1").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttrPath {
    urn: Option<String>,
    name: String,
    sub: Option<String>,
}

impl AttrPath {
    /// Parse and validate an attribute path.
    pub fn parse(input: &str) -> Result<Self, FilterError> {
        let err = |column: usize, msg: String| {
            FilterError::new("attribute path", input, Some(column), msg)
        };
        let (urn, rest, offset) = match input.rfind(':') {
            Some(i) => (
                Some(&input[..i]),
                &input[i + 1..],
                input[..=i].chars().count(),
            ),
            None => (None, input, 0),
        };
        if let Some(urn) = urn {
            validate_urn(urn).map_err(|(col, msg)| err(col, msg))?;
        }
        let (name, sub) = match rest.split_once('.') {
            Some((n, s)) => (n, Some(s)),
            None => (rest, None),
        };
        validate_name(name).map_err(|(col, msg)| err(offset + col, msg))?;
        if let Some(sub) = sub {
            let at = offset + name.chars().count() + 1;
            validate_name(sub)
                .map_err(|(col, msg)| err(at + col, format!("sub-attribute: {msg}")))?;
        }
        Ok(Self {
            urn: urn.map(str::to_owned),
            name: name.to_owned(),
            sub: sub.map(str::to_owned),
        })
    }

    /// The schema URI prefix, if the path has one.
    pub fn urn(&self) -> Option<&str> {
        self.urn.as_deref()
    }

    /// The attribute name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The sub-attribute, if any (`givenName` in `name.givenName`).
    pub fn sub_attr(&self) -> Option<&str> {
        self.sub.as_deref()
    }

    /// This path with `sub` as its sub-attribute (validated).
    pub fn with_sub_attr(&self, sub: &str) -> Result<Self, FilterError> {
        let mut text = self.to_string();
        if self.sub.is_some() {
            return Err(FilterError::new(
                "attribute path",
                &text,
                None,
                "an attribute path has at most one sub-attribute",
            ));
        }
        text.push('.');
        text.push_str(sub);
        Self::parse(&text)
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.name)?;
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for AttrPath {
    type Err = FilterError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for AttrPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for AttrPath {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A comparison operator of a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `eq`: equal.
    Eq,
    /// `ne`: not equal.
    Ne,
    /// `co`: contains (strings).
    Co,
    /// `sw`: starts with (strings).
    Sw,
    /// `ew`: ends with (strings).
    Ew,
    /// `gt`: greater than.
    Gt,
    /// `lt`: less than.
    Lt,
    /// `ge`: greater than or equal.
    Ge,
    /// `le`: less than or equal.
    Le,
}

impl CompareOp {
    /// Every operator, in RFC 7644 §3.4.2.2 order.
    pub const ALL: [CompareOp; 9] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Co,
        CompareOp::Sw,
        CompareOp::Ew,
        CompareOp::Gt,
        CompareOp::Lt,
        CompareOp::Ge,
        CompareOp::Le,
    ];

    /// The operator as written in a filter (`eq`, `ne`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Lt => "lt",
            CompareOp::Ge => "ge",
            CompareOp::Le => "le",
        }
    }

    fn from_word(word: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|op| op.as_str().eq_ignore_ascii_case(word))
    }
}

/// The value a comparison compares with: `false`, `null`, `true`, a JSON number or a JSON string.
#[derive(Debug, Clone, PartialEq)]
pub enum CompValue {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A JSON number.
    Number(serde_json::Number),
    /// A string; rendered as a JSON string, so quotes, backslashes and control characters are
    /// escaped.
    String(String),
}

impl CompValue {
    /// A number value; `None` for NaN and infinities, which JSON cannot carry.
    pub fn number(n: f64) -> Option<Self> {
        serde_json::Number::from_f64(n).map(CompValue::Number)
    }
}

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Null => f.write_str("null"),
            CompValue::Bool(b) => write!(f, "{b}"),
            CompValue::Number(n) => write!(f, "{n}"),
            CompValue::String(s) => f.write_str(&json_string(s)),
        }
    }
}

impl From<&str> for CompValue {
    fn from(s: &str) -> Self {
        CompValue::String(s.to_owned())
    }
}
impl From<String> for CompValue {
    fn from(s: String) -> Self {
        CompValue::String(s)
    }
}
impl From<&String> for CompValue {
    fn from(s: &String) -> Self {
        CompValue::String(s.clone())
    }
}
impl From<bool> for CompValue {
    fn from(b: bool) -> Self {
        CompValue::Bool(b)
    }
}
impl From<i64> for CompValue {
    fn from(n: i64) -> Self {
        CompValue::Number(n.into())
    }
}
impl From<i32> for CompValue {
    fn from(n: i32) -> Self {
        CompValue::Number(n.into())
    }
}
impl From<u64> for CompValue {
    fn from(n: u64) -> Self {
        CompValue::Number(n.into())
    }
}
impl From<u32> for CompValue {
    fn from(n: u32) -> Self {
        CompValue::Number(n.into())
    }
}

/// A SCIM filter.
///
/// Build one with the constructors ([`Filter::eq`], [`Filter::pr`], [`Filter::value_path`], ...)
/// and the combinators ([`and`](Filter::and), [`or`](Filter::or), `!` for `not`), or parse one
/// with [`Filter::parse`]. `Display` renders the filter text, adding parentheses only where
/// precedence needs them, so that `Filter::parse(&f.to_string()) == Ok(f)`.
///
/// The variants can be matched (with `..`) but not built directly: the constructors keep every
/// filter well formed.
///
/// `Display`, `Debug`, `Clone`, `PartialEq` and `Drop` walk the tree with an explicit stack, not
/// by recursion, so a filter of any depth (a long `or` chain, deep alternating `and`/`or`
/// nesting) is printed, compared, cloned and dropped without overflowing the stack. Because
/// `Filter` implements `Drop`, match a filter by reference (`match &filter { ... }`) to read
/// its fields.
pub enum Filter {
    /// `attrPath pr`: the attribute has a non-empty value.
    #[non_exhaustive]
    Present {
        /// The attribute.
        path: AttrPath,
    },
    /// `attrPath op value`.
    #[non_exhaustive]
    Compare {
        /// The attribute.
        path: AttrPath,
        /// The operator.
        op: CompareOp,
        /// The value.
        value: CompValue,
    },
    /// `not (filter)`.
    #[non_exhaustive]
    Not {
        /// The negated filter.
        filter: Box<Filter>,
    },
    /// `left and right`.
    #[non_exhaustive]
    And {
        /// The left operand.
        left: Box<Filter>,
        /// The right operand.
        right: Box<Filter>,
    },
    /// `left or right`.
    #[non_exhaustive]
    Or {
        /// The left operand.
        left: Box<Filter>,
        /// The right operand.
        right: Box<Filter>,
    },
    /// `attrPath[valFilter]`: some value of a multi-valued attribute matches `filter`.
    #[non_exhaustive]
    ValuePath {
        /// The multi-valued attribute.
        path: AttrPath,
        /// The filter its values are matched against (over their sub-attributes).
        filter: Box<Filter>,
    },
}

impl Filter {
    /// `path eq value`.
    pub fn eq(path: AttrPath, value: impl Into<CompValue>) -> Self {
        Self::compare(path, CompareOp::Eq, value)
    }
    /// `path ne value`.
    pub fn ne(path: AttrPath, value: impl Into<CompValue>) -> Self {
        Self::compare(path, CompareOp::Ne, value)
    }
    /// `path co "value"`: the string contains `value`.
    pub fn co(path: AttrPath, value: impl Into<String>) -> Self {
        Self::compare(path, CompareOp::Co, CompValue::String(value.into()))
    }
    /// `path sw "value"`: the string starts with `value`.
    pub fn sw(path: AttrPath, value: impl Into<String>) -> Self {
        Self::compare(path, CompareOp::Sw, CompValue::String(value.into()))
    }
    /// `path ew "value"`: the string ends with `value`.
    pub fn ew(path: AttrPath, value: impl Into<String>) -> Self {
        Self::compare(path, CompareOp::Ew, CompValue::String(value.into()))
    }
    /// `path gt value`.
    pub fn gt(path: AttrPath, value: impl Into<CompValue>) -> Self {
        Self::compare(path, CompareOp::Gt, value)
    }
    /// `path ge value`.
    pub fn ge(path: AttrPath, value: impl Into<CompValue>) -> Self {
        Self::compare(path, CompareOp::Ge, value)
    }
    /// `path lt value`.
    pub fn lt(path: AttrPath, value: impl Into<CompValue>) -> Self {
        Self::compare(path, CompareOp::Lt, value)
    }
    /// `path le value`.
    pub fn le(path: AttrPath, value: impl Into<CompValue>) -> Self {
        Self::compare(path, CompareOp::Le, value)
    }
    /// `path op value`, for any operator.
    pub fn compare(path: AttrPath, op: CompareOp, value: impl Into<CompValue>) -> Self {
        Filter::Compare {
            path,
            op,
            value: value.into(),
        }
    }
    /// `path pr`: the attribute is present (has a non-empty value).
    pub fn pr(path: AttrPath) -> Self {
        Filter::Present { path }
    }
    /// `path[filter]`: some value of the multi-valued attribute `path` matches `filter`, whose
    /// attribute names are sub-attributes (`emails[type eq "work"]`).
    ///
    /// Refused when `path` has a sub-attribute or `filter` holds another value path (the grammar
    /// does not nest them).
    pub fn value_path(path: AttrPath, filter: Filter) -> Result<Self, FilterError> {
        check_value_path(&path, &filter)?;
        Ok(Filter::ValuePath {
            path,
            filter: Box::new(filter),
        })
    }
    /// `self and other`.
    #[must_use]
    pub fn and(self, other: Filter) -> Self {
        Filter::And {
            left: Box::new(self),
            right: Box::new(other),
        }
    }
    /// `self or other`.
    #[must_use]
    pub fn or(self, other: Filter) -> Self {
        Filter::Or {
            left: Box::new(self),
            right: Box::new(other),
        }
    }
    /// `not (self)`; the same as `!self`.
    #[must_use]
    pub fn negate(self) -> Self {
        Filter::Not {
            filter: Box::new(self),
        }
    }

    /// Parse a filter written as text, such as a caller's `userName eq "bjensen"`.
    ///
    /// Operators and the literals `true`, `false`, `null` are matched case-insensitively;
    /// strings follow JSON (`\"`, `\\`, `\n`, `\u0041`, ...).
    pub fn parse(input: &str) -> Result<Self, FilterError> {
        let mut p = Parser::new("filter", input)?;
        let f = p.filter(false)?;
        p.expect_end()?;
        Ok(f)
    }

    fn has_value_path(&self) -> bool {
        let mut stack = vec![self];
        while let Some(f) = stack.pop() {
            match f {
                Filter::ValuePath { .. } => return true,
                Filter::Not { filter } => stack.push(filter),
                Filter::And { left, right } | Filter::Or { left, right } => {
                    stack.push(left);
                    stack.push(right);
                }
                Filter::Present { .. } | Filter::Compare { .. } => {}
            }
        }
        false
    }

    /// A leaf that owns no heap memory, swapped in for the children taken out by `Drop`.
    fn placeholder() -> Self {
        Filter::Present {
            path: AttrPath {
                urn: None,
                name: String::new(),
                sub: None,
            },
        }
    }

    /// Move the children of `self` into `out`, leaving cheap leaves in their place.
    fn detach_children(&mut self, out: &mut Vec<Filter>) {
        match self {
            Filter::Not { filter } | Filter::ValuePath { filter, .. } => {
                out.push(std::mem::replace(&mut **filter, Filter::placeholder()));
            }
            Filter::And { left, right } | Filter::Or { left, right } => {
                out.push(std::mem::replace(&mut **left, Filter::placeholder()));
                out.push(std::mem::replace(&mut **right, Filter::placeholder()));
            }
            Filter::Present { .. } | Filter::Compare { .. } => {}
        }
    }

    fn precedence(&self) -> u8 {
        match self {
            Filter::Or { .. } => 1,
            Filter::And { .. } => 2,
            _ => 3,
        }
    }
}

impl std::ops::Not for Filter {
    type Output = Filter;
    fn not(self) -> Filter {
        self.negate()
    }
}

impl std::str::FromStr for Filter {
    type Err = FilterError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// One step of an iterative walk that writes a filter.
enum Piece<'a> {
    Node(&'a Filter),
    Text(&'static str),
}

/// Write `root` as filter text (`debug: false`) or in the shape of a derived `Debug`
/// (`debug: true`), with an explicit stack of pieces instead of recursion.
fn write_filter(f: &mut fmt::Formatter<'_>, root: &Filter, debug: bool) -> fmt::Result {
    let mut todo = vec![Piece::Node(root)];
    while let Some(piece) = todo.pop() {
        let node = match piece {
            Piece::Text(t) => {
                f.write_str(t)?;
                continue;
            }
            Piece::Node(node) => node,
        };
        match (node, debug) {
            (Filter::Present { path }, false) => write!(f, "{path} pr")?,
            (Filter::Present { path }, true) => write!(f, "Present {{ path: {path:?} }}")?,
            (Filter::Compare { path, op, value }, false) => {
                write!(f, "{path} {} {value}", op.as_str())?;
            }
            (Filter::Compare { path, op, value }, true) => write!(
                f,
                "Compare {{ path: {path:?}, op: {op:?}, value: {value:?} }}"
            )?,
            (Filter::Not { filter }, false) => {
                f.write_str("not (")?;
                todo.push(Piece::Text(")"));
                todo.push(Piece::Node(filter));
            }
            (Filter::Not { filter }, true) => {
                f.write_str("Not { filter: ")?;
                todo.push(Piece::Text(" }"));
                todo.push(Piece::Node(filter));
            }
            (Filter::ValuePath { path, filter }, false) => {
                write!(f, "{path}[")?;
                todo.push(Piece::Text("]"));
                todo.push(Piece::Node(filter));
            }
            (Filter::ValuePath { path, filter }, true) => {
                write!(f, "ValuePath {{ path: {path:?}, filter: ")?;
                todo.push(Piece::Text(" }"));
                todo.push(Piece::Node(filter));
            }
            (Filter::And { left, right } | Filter::Or { left, right }, false) => {
                // Left operands need parentheses only below the parent's precedence; right
                // operands also at the same precedence, so that the left-associative parser
                // rebuilds the same tree.
                let parent = node.precedence();
                let word = if parent == 2 { " and " } else { " or " };
                let wrap_left = left.precedence() < parent;
                let wrap_right = right.precedence() <= parent;
                // Pushed in reverse: popped as ( left ) word ( right ).
                if wrap_right {
                    todo.push(Piece::Text(")"));
                }
                todo.push(Piece::Node(right));
                if wrap_right {
                    todo.push(Piece::Text("("));
                }
                todo.push(Piece::Text(word));
                if wrap_left {
                    todo.push(Piece::Text(")"));
                }
                todo.push(Piece::Node(left));
                if wrap_left {
                    todo.push(Piece::Text("("));
                }
            }
            (Filter::And { left, right } | Filter::Or { left, right }, true) => {
                f.write_str(if node.precedence() == 2 {
                    "And { left: "
                } else {
                    "Or { left: "
                })?;
                todo.push(Piece::Text(" }"));
                todo.push(Piece::Node(right));
                todo.push(Piece::Text(", right: "));
                todo.push(Piece::Node(left));
            }
        }
    }
    Ok(())
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_filter(f, self, false)
    }
}

/// The shape of a derived `Debug` (on one line, also with `{:#?}`), written without recursion.
impl fmt::Debug for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_filter(f, self, true)
    }
}

/// Compares node by node with an explicit stack.
impl PartialEq for Filter {
    fn eq(&self, other: &Self) -> bool {
        let mut stack = vec![(self, other)];
        while let Some(pair) = stack.pop() {
            match pair {
                (Filter::Present { path: a }, Filter::Present { path: b }) => {
                    if a != b {
                        return false;
                    }
                }
                (
                    Filter::Compare {
                        path: pa,
                        op: oa,
                        value: va,
                    },
                    Filter::Compare {
                        path: pb,
                        op: ob,
                        value: vb,
                    },
                ) => {
                    if pa != pb || oa != ob || va != vb {
                        return false;
                    }
                }
                (Filter::Not { filter: a }, Filter::Not { filter: b }) => stack.push((a, b)),
                (
                    Filter::ValuePath {
                        path: pa,
                        filter: a,
                    },
                    Filter::ValuePath {
                        path: pb,
                        filter: b,
                    },
                ) => {
                    if pa != pb {
                        return false;
                    }
                    stack.push((a, b));
                }
                (
                    Filter::And {
                        left: la,
                        right: ra,
                    },
                    Filter::And {
                        left: lb,
                        right: rb,
                    },
                )
                | (
                    Filter::Or {
                        left: la,
                        right: ra,
                    },
                    Filter::Or {
                        left: lb,
                        right: rb,
                    },
                ) => {
                    stack.push((ra, rb));
                    stack.push((la, lb));
                }
                _ => return false,
            }
        }
        true
    }
}

/// Copies node by node: children first (an explicit stack of visits), then their parent.
impl Clone for Filter {
    fn clone(&self) -> Self {
        enum Step<'a> {
            Visit(&'a Filter),
            Build(&'a Filter),
        }
        let mut todo = vec![Step::Visit(self)];
        let mut built: Vec<Filter> = Vec::new();
        while let Some(step) = todo.pop() {
            match step {
                Step::Visit(node) => match node {
                    Filter::Present { path } => built.push(Filter::Present { path: path.clone() }),
                    Filter::Compare { path, op, value } => built.push(Filter::Compare {
                        path: path.clone(),
                        op: *op,
                        value: value.clone(),
                    }),
                    Filter::Not { filter } | Filter::ValuePath { filter, .. } => {
                        todo.push(Step::Build(node));
                        todo.push(Step::Visit(filter));
                    }
                    Filter::And { left, right } | Filter::Or { left, right } => {
                        todo.push(Step::Build(node));
                        todo.push(Step::Visit(right));
                        todo.push(Step::Visit(left));
                    }
                },
                Step::Build(node) => {
                    let mut take = || Box::new(built.pop().unwrap_or_else(Filter::placeholder));
                    let copy = match node {
                        Filter::Not { .. } => Filter::Not { filter: take() },
                        Filter::ValuePath { path, .. } => Filter::ValuePath {
                            path: path.clone(),
                            filter: take(),
                        },
                        Filter::And { .. } => {
                            let right = take();
                            Filter::And {
                                left: take(),
                                right,
                            }
                        }
                        Filter::Or { .. } => {
                            let right = take();
                            Filter::Or {
                                left: take(),
                                right,
                            }
                        }
                        // Leaves are built on their visit.
                        Filter::Present { .. } | Filter::Compare { .. } => continue,
                    };
                    built.push(copy);
                }
            }
        }
        built.pop().unwrap_or_else(Filter::placeholder)
    }
}

/// Takes the tree apart with an explicit stack: each node's children are moved out (cheap
/// leaves left in their place) before the node is freed, so dropping never recurses.
impl Drop for Filter {
    fn drop(&mut self) {
        let mut stack = Vec::new();
        self.detach_children(&mut stack);
        while let Some(mut node) = stack.pop() {
            node.detach_children(&mut stack);
            // `node` is freed here with leaves for children: its own drop does not go deeper.
        }
    }
}

impl serde::Serialize for Filter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Filter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The target of a PATCH operation (RFC 7644 §3.5.2): `attrPath`, or
/// `attrPath[valFilter]` optionally followed by `.subAttr`, such as
/// `emails[type eq "work"].value`.
///
/// ```
/// use wfm_scim::filter::PatchPath;
/// let p = PatchPath::parse(r#"emails[type eq "work"].value"#).unwrap();
/// assert_eq!(p.to_string(), r#"emails[type eq "work"].value"#);
/// assert!(PatchPath::parse(r#"emails[type eq "work"] or 1"#).is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    attr: AttrPath,
    filter: Option<Filter>,
    sub: Option<String>,
}

impl PatchPath {
    /// Parse and validate a PATCH path.
    pub fn parse(input: &str) -> Result<Self, FilterError> {
        let mut p = Parser::new("PATCH path", input)?;
        let attr = p.attr_path()?;
        let mut path = PatchPath {
            attr,
            filter: None,
            sub: None,
        };
        if p.peek().map(|(t, _)| t) == Some(&Tok::LBracket) {
            if path.attr.sub.is_some() {
                return Err(p.error_here(
                    "a value filter applies to a multi-valued attribute, not to a sub-attribute",
                ));
            }
            p.enter(p.column_here())?;
            p.pos += 1;
            let inner = p.filter(true)?;
            p.expect(&Tok::RBracket, "`]` to close the value filter")?;
            p.leave();
            path.filter = Some(inner);
            if let Some((Tok::Word(w), col)) = p.peek().cloned()
                && let Some(sub) = w.strip_prefix('.')
            {
                p.pos += 1;
                validate_name(sub)
                    .map_err(|(c, m)| p.error_at(col + c, format!("sub-attribute: {m}")))?;
                path.sub = Some(sub.to_owned());
            }
        }
        p.expect_end()?;
        Ok(path)
    }

    /// A path naming an attribute (`displayName`, `name.givenName`, an extension's attribute).
    pub fn attr(attr: AttrPath) -> Self {
        Self {
            attr,
            filter: None,
            sub: None,
        }
    }

    /// A path naming the values of `attr` that match `filter`, or their sub-attribute `sub`
    /// (`emails[type eq "work"].value`).
    pub fn value_path(
        attr: AttrPath,
        filter: Filter,
        sub: Option<&str>,
    ) -> Result<Self, FilterError> {
        check_value_path(&attr, &filter)?;
        if let Some(sub) = sub {
            validate_name(sub).map_err(|(c, m)| FilterError::new("PATCH path", sub, Some(c), m))?;
        }
        Ok(Self {
            attr,
            filter: Some(filter),
            sub: sub.map(str::to_owned),
        })
    }

    /// The attribute part.
    pub fn attr_path(&self) -> &AttrPath {
        &self.attr
    }

    /// The value filter, if any.
    pub fn value_filter(&self) -> Option<&Filter> {
        self.filter.as_ref()
    }

    /// The sub-attribute after the value filter, if any.
    pub fn sub_attr(&self) -> Option<&str> {
        self.sub.as_deref()
    }
}

/// The rules of `attrPath "[" valFilter "]"`: no sub-attribute before the bracket, no nesting.
fn check_value_path(path: &AttrPath, filter: &Filter) -> Result<(), FilterError> {
    if path.sub.is_some() {
        return Err(FilterError::new(
            "filter",
            &path.to_string(),
            None,
            "a value path applies to a multi-valued attribute, not to a sub-attribute",
        ));
    }
    if filter.has_value_path() {
        return Err(FilterError::new(
            "filter",
            &filter.to_string(),
            None,
            "value paths cannot be nested (`a[b[...]]`)",
        ));
    }
    Ok(())
}

impl From<AttrPath> for PatchPath {
    fn from(attr: AttrPath) -> Self {
        Self::attr(attr)
    }
}

impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.attr)?;
        if let Some(filter) = &self.filter {
            write!(f, "[{filter}]")?;
        }
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for PatchPath {
    type Err = FilterError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for PatchPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for PatchPath {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A string as a JSON string literal: `"`, `\` and control characters escaped.
pub(crate) fn json_string(s: &str) -> String {
    // Serializing a &str to JSON cannot fail.
    serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

/// `ATTRNAME = ALPHA *(nameChar)`, or `$ref`. Errors carry a 1-based column within `name`.
fn validate_name(name: &str) -> Result<(), (usize, String)> {
    if name == "$ref" {
        return Ok(());
    }
    let mut chars = name.chars();
    match chars.next() {
        None => return Err((1, "expected an attribute name".to_owned())),
        Some(c) if !c.is_ascii_alphabetic() => {
            return Err((
                1,
                format!("an attribute name starts with a letter, found {c:?}"),
            ));
        }
        Some(_) => {}
    }
    for (i, c) in chars.enumerate() {
        if !(c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err((
                i + 2,
                format!("{c:?} is not allowed in an attribute name (letters, digits, `-`, `_`)"),
            ));
        }
    }
    Ok(())
}

/// The schema URI before an attribute name: letters, digits and `:._-`, starting with a letter.
fn validate_urn(urn: &str) -> Result<(), (usize, String)> {
    let mut chars = urn.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() => {}
        _ => {
            return Err((
                1,
                "a schema URI starts with a letter (for example `urn:`)".to_owned(),
            ));
        }
    }
    for (i, c) in chars.enumerate() {
        if !(c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '-' | '_')) {
            return Err((i + 2, format!("{c:?} is not allowed in a schema URI")));
        }
    }
    if urn.ends_with(':') || urn.contains("::") {
        return Err((
            urn.chars().count(),
            "empty segment in the schema URI".to_owned(),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Str(String),
    Word(String),
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::LParen => f.write_str("`(`"),
            Tok::RParen => f.write_str("`)`"),
            Tok::LBracket => f.write_str("`[`"),
            Tok::RBracket => f.write_str("`]`"),
            Tok::Str(s) => write!(f, "the string {}", json_string(s)),
            Tok::Word(w) => write!(f, "`{w}`"),
        }
    }
}

/// A recursive-descent parser over tokens that carry their 1-based column.
struct Parser<'a> {
    what: &'static str,
    input: &'a str,
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end_col: usize,
    /// Groupings open now: `(`, `not (`, `[`.
    depth: usize,
}

impl<'a> Parser<'a> {
    fn new(what: &'static str, input: &'a str) -> Result<Self, FilterError> {
        let toks =
            tokenize(input).map_err(|(col, msg)| FilterError::new(what, input, Some(col), msg))?;
        Ok(Self {
            what,
            input,
            toks,
            pos: 0,
            end_col: input.chars().count() + 1,
            depth: 0,
        })
    }

    /// Open one level of nesting at `column`; refused past [`MAX_FILTER_DEPTH`], which bounds
    /// the parser's recursion whatever the input.
    fn enter(&mut self, column: usize) -> Result<(), FilterError> {
        if self.depth >= MAX_FILTER_DEPTH {
            let mut e = self.error_at(
                column,
                format!(
                    "nested more than {MAX_FILTER_DEPTH} levels deep (parentheses, `not (` and `[` each open a level; the limit is MAX_FILTER_DEPTH); remove redundant parentheses or split the search into several queries"
                ),
            );
            e.kind = FilterErrorKind::TooDeep {
                limit: MAX_FILTER_DEPTH,
            };
            return Err(e);
        }
        self.depth += 1;
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn column_here(&self) -> usize {
        self.peek().map(|(_, c)| *c).unwrap_or(self.end_col)
    }

    fn error_at(&self, column: usize, msg: impl Into<String>) -> FilterError {
        FilterError::new(self.what, self.input, Some(column), msg)
    }

    fn error_here(&self, msg: impl Into<String>) -> FilterError {
        let col = self.peek().map(|(_, c)| *c).unwrap_or(self.end_col);
        self.error_at(col, msg)
    }

    fn peek(&self) -> Option<&(Tok, usize)> {
        self.toks.get(self.pos)
    }

    fn found(&self) -> String {
        match self.peek() {
            Some((t, _)) => t.to_string(),
            None => "the end".to_owned(),
        }
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        if self.peek().map(|(t, _)| t) == Some(tok) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, tok: &Tok, what: &str) -> Result<(), FilterError> {
        if self.eat(tok) {
            Ok(())
        } else {
            Err(self.error_here(format!("expected {what}, found {}", self.found())))
        }
    }

    fn expect_end(&self) -> Result<(), FilterError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error_here(format!("expected the end, found {}", self.found()))),
        }
    }

    fn eat_keyword(&mut self, kw: &str) -> bool {
        if let Some((Tok::Word(w), _)) = self.peek()
            && w.eq_ignore_ascii_case(kw)
        {
            self.pos += 1;
            return true;
        }
        false
    }

    /// `FILTER` (or `valFilter` inside brackets): `or` binds loosest, then `and`.
    fn filter(&mut self, in_brackets: bool) -> Result<Filter, FilterError> {
        let mut left = self.conjunction(in_brackets)?;
        while self.eat_keyword("or") {
            let right = self.conjunction(in_brackets)?;
            left = left.or(right);
        }
        Ok(left)
    }

    fn conjunction(&mut self, in_brackets: bool) -> Result<Filter, FilterError> {
        let mut left = self.unary(in_brackets)?;
        while self.eat_keyword("and") {
            let right = self.unary(in_brackets)?;
            left = left.and(right);
        }
        Ok(left)
    }

    fn unary(&mut self, in_brackets: bool) -> Result<Filter, FilterError> {
        if let Some((Tok::Word(w), _)) = self.peek()
            && w.eq_ignore_ascii_case("not")
            && matches!(self.toks.get(self.pos + 1), Some((Tok::LParen, _)))
        {
            self.enter(self.column_here())?;
            self.pos += 2;
            let inner = self.filter(in_brackets)?;
            self.expect(&Tok::RParen, "`)` to close `not (`")?;
            self.leave();
            return Ok(inner.negate());
        }
        if self.peek().map(|(t, _)| t) == Some(&Tok::LParen) {
            self.enter(self.column_here())?;
            self.pos += 1;
            let inner = self.filter(in_brackets)?;
            self.expect(&Tok::RParen, "`)`")?;
            self.leave();
            return Ok(inner);
        }
        let path = self.attr_path()?;
        if self.peek().map(|(t, _)| t) == Some(&Tok::LBracket) {
            if in_brackets {
                return Err(self.error_here("value paths cannot be nested (`a[b[...]]`)"));
            }
            let col = self.column_here();
            self.enter(col)?;
            self.pos += 1;
            let inner = self.filter(true)?;
            self.expect(&Tok::RBracket, "`]` to close the value filter")?;
            self.leave();
            return Filter::value_path(path, inner).map_err(|e| self.error_at(col, e.message));
        }
        if self.eat_keyword("pr") {
            return Ok(Filter::pr(path));
        }
        let op = match self.peek() {
            Some((Tok::Word(w), _)) => CompareOp::from_word(w),
            _ => None,
        };
        let Some(op) = op else {
            return Err(self.error_here(format!(
                "expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr) after `{path}`, found {}",
                self.found()
            )));
        };
        self.pos += 1;
        let value = self.comp_value(op)?;
        Ok(Filter::compare(path, op, value))
    }

    fn attr_path(&mut self) -> Result<AttrPath, FilterError> {
        match self.peek().cloned() {
            Some((Tok::Word(w), col)) => {
                self.pos += 1;
                AttrPath::parse(&w)
                    .map_err(|e| self.error_at(col + e.column.unwrap_or(1) - 1, e.message))
            }
            _ => Err(self.error_here(format!(
                "expected an attribute path, found {}",
                self.found()
            ))),
        }
    }

    fn comp_value(&mut self, op: CompareOp) -> Result<CompValue, FilterError> {
        let (tok, col) = match self.peek().cloned() {
            Some(t) => t,
            None => {
                return Err(self.error_here(format!("expected a value after `{}`", op.as_str())));
            }
        };
        let value = match tok {
            Tok::Str(s) => CompValue::String(s),
            Tok::Word(w) if w.eq_ignore_ascii_case("true") => CompValue::Bool(true),
            Tok::Word(w) if w.eq_ignore_ascii_case("false") => CompValue::Bool(false),
            Tok::Word(w) if w.eq_ignore_ascii_case("null") => CompValue::Null,
            Tok::Word(w) if w.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => {
                match parse_number(&w) {
                    Some(n) => CompValue::Number(n),
                    None => return Err(self.error_at(col, format!("`{w}` is not a JSON number"))),
                }
            }
            other => {
                return Err(self.error_at(
                    col,
                    format!("expected a value (a JSON string, number, true, false or null), found {other}"),
                ));
            }
        };
        self.pos += 1;
        Ok(value)
    }
}

/// A JSON number: syntax checked by `serde_json`, fractions read exactly by the standard library
/// (`serde_json` without `float_roundtrip` may be off by one ulp).
fn parse_number(word: &str) -> Option<serde_json::Number> {
    let n: serde_json::Number = serde_json::from_str(word).ok()?;
    if n.is_f64() {
        word.parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
    } else {
        Some(n)
    }
}

/// Split a filter into tokens; strings are decoded as JSON strings.
fn tokenize(input: &str) -> Result<Vec<(Tok, usize)>, (usize, String)> {
    let chars: Vec<(usize, char)> = input.char_indices().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (byte, c) = chars[i];
        let col = i + 1;
        match c {
            c if c.is_whitespace() => i += 1,
            '(' | ')' | '[' | ']' => {
                toks.push((
                    match c {
                        '(' => Tok::LParen,
                        ')' => Tok::RParen,
                        '[' => Tok::LBracket,
                        _ => Tok::RBracket,
                    },
                    col,
                ));
                i += 1;
            }
            '"' => {
                let mut j = i + 1;
                let mut escaped = false;
                loop {
                    let Some(&(_, d)) = chars.get(j) else {
                        return Err((col, "unterminated string: a `\"` is missing".to_owned()));
                    };
                    if escaped {
                        escaped = false;
                    } else if d == '\\' {
                        escaped = true;
                    } else if d == '"' {
                        break;
                    }
                    j += 1;
                }
                let end = chars.get(j + 1).map(|&(b, _)| b).unwrap_or(input.len());
                let literal = &input[byte..end];
                let s: String = serde_json::from_str(literal).map_err(|e| {
                    (col, format!("invalid string literal ({e}); escape `\"` as `\\\"`, `\\` as `\\\\` and control characters"))
                })?;
                toks.push((Tok::Str(s), col));
                i = j + 1;
            }
            _ => {
                let mut j = i;
                while let Some(&(_, d)) = chars.get(j) {
                    if d.is_whitespace() || matches!(d, '(' | ')' | '[' | ']' | '"') {
                        break;
                    }
                    j += 1;
                }
                let end = chars.get(j).map(|&(b, _)| b).unwrap_or(input.len());
                toks.push((Tok::Word(input[byte..end].to_owned()), col));
                i = j;
            }
        }
    }
    Ok(toks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> AttrPath {
        AttrPath::parse(s).unwrap()
    }

    #[test]
    fn attribute_paths_follow_the_abnf() {
        for ok in [
            "userName",
            "name.givenName",
            "emails",
            "meta.lastModified",
            "x-y_z9",
            "members.$ref",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        ] {
            assert_eq!(p(ok).to_string(), ok);
        }
        for bad in [
            "",
            "1abc",
            "user name",
            "userName\"",
            "a.b.c",
            "a.",
            ".a",
            "userName)",
            "urn::x",
            ":x",
            "urn:a b:x",
            "emails[type",
            "naïve",
        ] {
            assert!(AttrPath::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn table_of_filters_round_trips() {
        let cases = [
            r#"userName eq "bjensen""#,
            r#"name.familyName co "O'Malley""#,
            r#"userName sw "J""#,
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
            "title pr",
            r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
            r#"title pr and userType eq "Employee""#,
            r#"title pr or userType eq "Intern""#,
            r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
            r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
            r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
            r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
            r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
            "active eq true",
            "x eq null",
            "n ge -1.5e3",
            r#"a eq "\"\\\n\u0001é""#,
            r#"urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User:externalIds[authority eq "zendesk" and value eq "42"]"#,
        ];
        for case in cases {
            let f = Filter::parse(case).unwrap_or_else(|e| panic!("{case}: {e}"));
            let rendered = f.to_string();
            assert_eq!(Filter::parse(&rendered).unwrap(), f, "{case} -> {rendered}");
        }
    }

    #[test]
    fn rendering_is_canonical_for_rfc_examples() {
        let f = Filter::parse(r#"USERNAME EQ "x" AND (A PR OR NOT (B Eq TRUE))"#).unwrap();
        assert_eq!(
            f.to_string(),
            r#"USERNAME eq "x" and (A pr or not (B eq true))"#
        );
        let right_nested = Filter::pr(p("a")).and(Filter::pr(p("b")).and(Filter::pr(p("c"))));
        assert_eq!(right_nested.to_string(), "a pr and (b pr and c pr)");
        assert_eq!(
            Filter::parse(&right_nested.to_string()).unwrap(),
            right_nested
        );
        let mixed = Filter::pr(p("a"))
            .or(Filter::pr(p("b")))
            .and(Filter::pr(p("c")));
        assert_eq!(mixed.to_string(), "(a pr or b pr) and c pr");
    }

    #[test]
    fn hostile_values_stay_one_string() {
        let hostile = r#"x" or userName pr or ""#;
        let f = Filter::eq(p("userName"), hostile);
        assert_eq!(f.to_string(), r#"userName eq "x\" or userName pr or \"""#);
        match &Filter::parse(&f.to_string()).unwrap() {
            Filter::Compare {
                value: CompValue::String(s),
                op: CompareOp::Eq,
                ..
            } => assert_eq!(s, hostile),
            other => panic!("parsed into {other:?}"),
        }
        let ctl = Filter::eq(p("a"), "line\nbreak\u{7}\\");
        assert_eq!(ctl.to_string(), r#"a eq "line\nbreak\u0007\\""#);
    }

    #[test]
    fn malformed_filters_are_refused_with_a_column() {
        let e = Filter::parse(r#"userName zz "x""#).unwrap_err();
        assert_eq!(e.column(), Some(10));
        assert!(e.to_string().contains("expected an operator"), "{e}");
        for bad in [
            "",
            "userName",
            r#"userName eq"#,
            r#"userName eq "x"#,
            r#"userName eq x"#,
            r#"userName eq "x" and"#,
            r#"userName eq "x" )"#,
            r#"(userName eq "x""#,
            r#"not userName eq "x""#,
            r#"emails[type eq "work""#,
            r#"emails[type[value eq "x"]]"#,
            r#"emails.value[type eq "work"]"#,
            r#"a eq "\x""#,
            "a eq 01",
            "a eq NaN",
            "a eq \"raw\ncontrol\"",
            r#"a eq "x" b eq "y""#,
        ] {
            assert!(Filter::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn patch_paths() {
        for ok in [
            "members",
            "name.familyName",
            r#"addresses[type eq "work"]"#,
            r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#,
            r#"emails[type eq "work"].value"#,
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
        ] {
            assert_eq!(PatchPath::parse(ok).unwrap().to_string(), ok);
        }
        for bad in [
            r#"emails[type eq "work"].value.x"#,
            r#"emails[type eq "work"]x"#,
            "emails[",
            "a b",
        ] {
            assert!(PatchPath::parse(bad).is_err(), "{bad:?} should be refused");
        }
        let built =
            PatchPath::value_path(p("emails"), Filter::eq(p("type"), "work"), Some("value"))
                .unwrap();
        assert_eq!(built.to_string(), r#"emails[type eq "work"].value"#);
        assert!(
            PatchPath::value_path(p("emails"), Filter::eq(p("type"), "work"), Some("a b")).is_err()
        );
    }
}
