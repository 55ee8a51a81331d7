//! Queries (RFC 7644 §3.4.2, §3.4.3, §3.9): filter, sort, paging and attribute projection, sent
//! as GET parameters or as a POST `/.search` body, and the `ListResponse` they return.
//!
//! A filter given as text is parsed when the query is built; a malformed one makes the query
//! fail before anything is sent.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::filter::{AttrPath, Filter};

/// Schema URN of a list response.
pub const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// Schema URN of a search request.
pub const SEARCH_REQUEST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// Which attributes the server returns (RFC 7644 §3.9).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Projection {
    attributes: Vec<AttrPath>,
    excluded: Vec<AttrPath>,
}

impl Projection {
    /// Return every default attribute.
    pub fn all() -> Self {
        Self::default()
    }
    /// Return these attributes (plus those always returned, such as `id`).
    pub fn only<I, P>(paths: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<AttrPath>,
    {
        Self {
            attributes: paths.into_iter().map(Into::into).collect(),
            excluded: Vec::new(),
        }
    }
    /// Return the default attributes except these.
    pub fn excluding<I, P>(paths: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<AttrPath>,
    {
        Self {
            attributes: Vec::new(),
            excluded: paths.into_iter().map(Into::into).collect(),
        }
    }
    /// Parse comma-separated attribute paths for [`only`](Self::only).
    pub fn parse_only(list: &str) -> Result<Self, Error> {
        Ok(Self {
            attributes: parse_list(list)?,
            excluded: Vec::new(),
        })
    }
    /// Parse comma-separated attribute paths for [`excluding`](Self::excluding).
    pub fn parse_excluding(list: &str) -> Result<Self, Error> {
        Ok(Self {
            attributes: Vec::new(),
            excluded: parse_list(list)?,
        })
    }
    /// The `attributes` parameter, if set.
    pub fn attributes_param(&self) -> Option<String> {
        join(&self.attributes)
    }
    /// The `excludedAttributes` parameter, if set.
    pub fn excluded_param(&self) -> Option<String> {
        join(&self.excluded)
    }
    pub(crate) fn apply(&self, mut req: wfm_http::RequestBuilder) -> wfm_http::RequestBuilder {
        if let Some(a) = self.attributes_param() {
            req = req.query("attributes", a);
        }
        if let Some(e) = self.excluded_param() {
            req = req.query("excludedAttributes", e);
        }
        req
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// `ascending`.
    Ascending,
    /// `descending`.
    Descending,
}

impl SortOrder {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Ascending => "ascending",
            SortOrder::Descending => "descending",
        }
    }
}

/// A list or search query: filter, sort, page size, first index and projection.
///
/// ```
/// use wfm_scim::{ListQuery, filter::{AttrPath, Filter}};
/// # fn demo() -> Result<(), wfm_scim::Error> {
/// let by_name = ListQuery::new().filter(Filter::sw(AttrPath::parse("userName")?, "a")).page_size(50);
/// let raw = ListQuery::new().filter_str(r#"userName zz "x""#);   // malformed
/// assert!(raw.check().is_err());                                 // refused before sending
/// # let _ = by_name; Ok(()) }
/// # demo().unwrap();
/// ```
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    filter: Option<Result<Filter, crate::filter::FilterError>>,
    sort_by: Option<AttrPath>,
    sort_order: Option<SortOrder>,
    count: Option<u32>,
    start_index: Option<u64>,
    projection: Projection,
}

impl ListQuery {
    /// Every resource, in pages of the server's (or flavour's) default size.
    pub fn new() -> Self {
        Self::default()
    }
    /// Keep resources matching `filter`.
    #[must_use]
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filter = Some(Ok(filter));
        self
    }
    /// Keep resources matching a filter written as text. It is parsed now; if it is malformed,
    /// the query fails with [`Error::Filter`] before any request is sent.
    #[must_use]
    pub fn filter_str(mut self, filter: &str) -> Self {
        self.filter = Some(Filter::parse(filter));
        self
    }
    /// Sort by `path`.
    #[must_use]
    pub fn sort_by(mut self, path: AttrPath, order: SortOrder) -> Self {
        self.sort_by = Some(path);
        self.sort_order = Some(order);
        self
    }
    /// Ask for pages of `count` resources (the server may return fewer).
    #[must_use]
    pub fn page_size(mut self, count: u32) -> Self {
        self.count = Some(count);
        self
    }
    /// Start at this 1-based index (default 1).
    #[must_use]
    pub fn start_index(mut self, index: u64) -> Self {
        self.start_index = Some(index.max(1));
        self
    }
    /// Which attributes to return.
    #[must_use]
    pub fn projection(mut self, projection: Projection) -> Self {
        self.projection = projection;
        self
    }
    /// The filter, or the error that makes this query unusable.
    pub fn check(&self) -> Result<Option<&Filter>, Error> {
        match &self.filter {
            None => Ok(None),
            Some(Ok(f)) => Ok(Some(f)),
            Some(Err(e)) => Err(Error::Filter(e.clone())),
        }
    }
    pub(crate) fn first_index(&self) -> u64 {
        self.start_index.unwrap_or(1)
    }
    pub(crate) fn count_or(&self, default: Option<u32>) -> Option<u32> {
        self.count.or(default)
    }
    /// Add this query's parameters to a GET; `filter` is the checked filter (see [`check`](Self::check)).
    pub(crate) fn apply_get(
        &self,
        mut req: wfm_http::RequestBuilder,
        filter: Option<&Filter>,
        start: u64,
        count: Option<u32>,
    ) -> wfm_http::RequestBuilder {
        if let Some(f) = filter {
            req = req.query("filter", f.to_string());
        }
        if let Some(s) = &self.sort_by {
            req = req.query("sortBy", s.to_string());
        }
        if let Some(o) = self.sort_order {
            req = req.query("sortOrder", o.as_str());
        }
        req = req.query("startIndex", start.to_string());
        if let Some(c) = count {
            req = req.query("count", c.to_string());
        }
        self.projection.apply(req)
    }
    /// The POST `/.search` body of this query; `filter` is the checked filter.
    pub(crate) fn search_body_with(
        &self,
        filter: Option<&Filter>,
        start: u64,
        count: Option<u32>,
    ) -> SearchRequest {
        SearchRequest {
            schemas: vec![SEARCH_REQUEST_SCHEMA.to_owned()],
            filter: filter.map(ToString::to_string),
            attributes: self
                .projection
                .attributes
                .iter()
                .map(ToString::to_string)
                .collect(),
            excluded_attributes: self
                .projection
                .excluded
                .iter()
                .map(ToString::to_string)
                .collect(),
            sort_by: self.sort_by.as_ref().map(ToString::to_string),
            sort_order: self.sort_order,
            start_index: Some(start),
            count,
        }
    }
}

/// The body of POST `/.search` (RFC 7644 §3.4.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    /// `[SEARCH_REQUEST_SCHEMA]`.
    pub schemas: Vec<String>,
    /// The filter text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Attributes to return.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
    /// Attributes not to return.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded_attributes: Vec<String>,
    /// Sort attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    /// Sort direction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<SortOrder>,
    /// 1-based index of the first result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_index: Option<u64>,
    /// Page size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

/// One page of a list or search (RFC 7644 §3.4.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListResponse<R> {
    /// `[LIST_RESPONSE_SCHEMA]`.
    #[serde(default)]
    pub schemas: Vec<String>,
    /// How many resources match, over all pages.
    pub total_results: u64,
    /// The 1-based index of this page's first resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_index: Option<u64>,
    /// How many resources this page holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items_per_page: Option<u64>,
    /// The resources of this page.
    #[serde(rename = "Resources", alias = "resources", default = "Vec::new")]
    pub resources: Vec<R>,
}

fn parse_list(list: &str) -> Result<Vec<AttrPath>, Error> {
    list.split(',')
        .map(|p| AttrPath::parse(p.trim()).map_err(Error::from))
        .collect()
}

fn join(paths: &[AttrPath]) -> Option<String> {
    (!paths.is_empty()).then(|| {
        paths
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_text_filter_poisons_the_query() {
        let q = ListQuery::new().filter_str("userName eq");
        assert!(matches!(q.check(), Err(Error::Filter(_))));
    }

    #[test]
    fn search_body_carries_everything() {
        let q = ListQuery::new()
            .filter_str(r#"userName sw "a""#)
            .sort_by(AttrPath::parse("userName").unwrap(), SortOrder::Descending)
            .projection(Projection::parse_only("userName, emails.value").unwrap());
        let filter = q.check().unwrap().cloned();
        let body = serde_json::to_value(q.search_body_with(filter.as_ref(), 4, Some(3))).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"schemas": [SEARCH_REQUEST_SCHEMA], "filter": "userName sw \"a\"",
                "attributes": ["userName", "emails.value"], "sortBy": "userName", "sortOrder": "descending",
                "startIndex": 4, "count": 3})
        );
        assert!(Projection::parse_only("userName,bad name").is_err());
    }
}
