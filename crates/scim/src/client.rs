//! The SCIM [`Client`]: discovery, create, get, replace, modify, delete, list and search as
//! streams, and Bulk, each one HTTP call through the shared `wfm-http` transport.
//!
//! The transport retries what is safe (GET, PUT, DELETE and POST `/.search`, never a create), honours
//! `Retry-After`, refreshes a refused token once and keeps secrets out of logs.

use std::pin::Pin;
use std::sync::Arc;

use futures::{Stream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use wfm_auth::TokenProvider;
use wfm_http::{
    Method, Page, RequestBuilder, Response, StatusCode, Transport, TransportBuilder, Url,
};

use crate::bulk::{BulkRequest, BulkResponse};
use crate::discovery::{ResourceType, Schema, ServiceProviderConfig, resources_of};
use crate::error::Error;
use crate::filter::{AttrPath, Filter, PatchPath};
use crate::flavor::{Flavor, Operation};
use crate::patch::PatchRequest;
use crate::query::{ListQuery, ListResponse, Projection};
use crate::resource::{Resource, User, write_body};

/// The media type of SCIM bodies (RFC 7644 §3.8).
pub const SCIM_MEDIA_TYPE: &str = "application/scim+json";
const ACCEPT: &str = "application/scim+json, application/json;q=0.9";

/// A stream of resources, fetched one page at a time.
pub type ResourceStream<R> = Pin<Box<dyn Stream<Item = Result<R, Error>> + Send>>;

/// A SCIM 2.0 client for one service provider. Cheap to clone.
///
/// ```no_run
/// use std::sync::Arc;
/// use futures::TryStreamExt;
/// use wfm_auth::StaticToken;
/// use wfm_scim::{Client, Flavor, ListQuery, User, filter::{AttrPath, Filter}};
///
/// # async fn demo() -> Result<(), wfm_scim::Error> {
/// let client = Client::builder(Flavor::GenesysCloud, "https://api.mypurecloud.de".parse().unwrap())
///     .token_provider(Arc::new(StaticToken::new("a-token")))
///     .build()?;
/// let query = ListQuery::new().filter(Filter::eq(AttrPath::parse("externalId")?, "zendesk-42"));
/// let found: Vec<User> = client.list::<User>(query).try_collect().await?;
/// # let _ = found; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    transport: Transport,
    flavor: Flavor,
}

/// Builds a [`Client`]; see [`Client::builder`].
#[must_use]
pub struct ClientBuilder {
    flavor: Flavor,
    url: Url,
    tokens: Option<Arc<dyn TokenProvider>>,
    configure: Option<Box<dyn FnOnce(TransportBuilder) -> TransportBuilder + Send>>,
}

impl ClientBuilder {
    /// Where bearer tokens come from (for example a `wfm_auth` client-credentials cache).
    pub fn token_provider(mut self, tokens: Arc<dyn TokenProvider>) -> Self {
        self.tokens = Some(tokens);
        self
    }
    /// Adjust the transport (retries, rate limits, timeout, own `reqwest` client).
    pub fn configure_transport(
        mut self,
        f: impl FnOnce(TransportBuilder) -> TransportBuilder + Send + 'static,
    ) -> Self {
        self.configure = Some(Box::new(f));
        self
    }
    /// Finish: the base URL is [`Flavor::base_url`] of the URL given.
    pub fn build(self) -> Result<Client, Error> {
        let mut builder = Transport::builder(self.flavor.base_url(&self.url));
        if let Some(tokens) = self.tokens {
            builder = builder.token_provider(tokens);
        }
        if let Some(f) = self.configure {
            builder = f(builder);
        }
        Ok(Client::new(
            builder.build().map_err(Error::Transport)?,
            self.flavor,
        ))
    }
}

impl Client {
    /// Start configuring a client of `flavor` for `url`: the platform's API host
    /// (`https://api.mypurecloud.de`, a CXone API host) or, for [`Flavor::Generic`], the SCIM
    /// base URL itself (`https://idp.example.com/scim/v2`).
    pub fn builder(flavor: Flavor, url: Url) -> ClientBuilder {
        ClientBuilder {
            flavor,
            url,
            tokens: None,
            configure: None,
        }
    }

    /// A client over a transport you built; its base URL must be the SCIM base URL (see
    /// [`Flavor::base_url`]).
    pub fn new(transport: Transport, flavor: Flavor) -> Self {
        Self { transport, flavor }
    }

    /// The platform flavour.
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// The transport (for calls this client does not wrap).
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// `GET /ServiceProviderConfig`: what the server supports.
    pub async fn service_provider_config(&self) -> Result<ServiceProviderConfig, Error> {
        let resp = self
            .send(self.request(Method::GET, &[self.endpoint("ServiceProviderConfig")]))
            .await?;
        self.decode(&resp)
    }

    /// `GET /ResourceTypes`.
    pub async fn resource_types(&self) -> Result<Vec<ResourceType>, Error> {
        let resp = self
            .send(self.request(Method::GET, &[self.endpoint("ResourceTypes")]))
            .await?;
        let value: Value = self.decode(&resp)?;
        resources_of(value).map_err(|e| decode_error("ResourceTypes", &e))
    }

    /// `GET /Schemas`.
    pub async fn schemas(&self) -> Result<Vec<Schema>, Error> {
        let resp = self
            .send(self.request(Method::GET, &[self.endpoint("Schemas")]))
            .await?;
        let value: Value = self.decode(&resp)?;
        resources_of(value).map_err(|e| decode_error("Schemas", &e))
    }

    /// `POST /Users` (or the resource's endpoint): create, and return the resource as stored.
    ///
    /// `id` and read-only attributes are not sent. A create is never retried by the
    /// transport (a retried POST could create a duplicate); a 409 is [`Error::Uniqueness`].
    pub async fn create<R: Resource>(&self, resource: &R) -> Result<R, Error> {
        let body = write_body(resource, false).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let resp = self
            .send(Self::with_body(
                self.request(Method::POST, &[self.endpoint(R::ENDPOINT)]),
                &body,
            ))
            .await?;
        self.resource_or_location(resp).await
    }

    /// `GET /Users/{id}`.
    pub async fn get<R: Resource>(&self, id: &str) -> Result<R, Error> {
        self.get_with(id, &Projection::all()).await
    }

    /// `GET /Users/{id}` with `attributes` or `excludedAttributes`.
    pub async fn get_with<R: Resource>(
        &self,
        id: &str,
        projection: &Projection,
    ) -> Result<R, Error> {
        check_id(id)?;
        let req = projection.apply(self.request(Method::GET, &[self.endpoint(R::ENDPOINT), id]));
        let resp = self.send(req).await?;
        self.decode(&resp)
    }

    /// `PUT /Users/{id}`: replace the resource with `resource` (its `id` says which), with
    /// `If-Match` set from `meta.version` when present. Returns the stored resource.
    ///
    /// A stale version is [`Error::VersionConflict`]: get the resource again and reapply.
    pub async fn replace<R: Resource>(&self, resource: &R) -> Result<R, Error> {
        let id = resource.id().ok_or_else(|| {
            Error::InvalidRequest(
                "replace needs the resource's id: get or search the resource first".to_owned(),
            )
        })?;
        check_id(id)?;
        let body = write_body(resource, true).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let req = self.if_match(
            self.request(Method::PUT, &[self.endpoint(R::ENDPOINT), id]),
            resource.version(),
        );
        let resp = self.send(Self::with_body(req, &body)).await?;
        if resp.bytes().is_empty() {
            self.get(id).await
        } else {
            self.decode(&resp)
        }
    }

    /// `PATCH /Users/{id}` with `If-Match: version` when given. Returns the resource when the
    /// server sends it (200), `None` when it answers 204 No Content.
    pub async fn modify<R: Resource>(
        &self,
        id: &str,
        version: Option<&str>,
        patch: &PatchRequest,
    ) -> Result<Option<R>, Error> {
        check_id(id)?;
        if patch.operations.is_empty() {
            return Err(Error::InvalidRequest(
                "a PATCH needs at least one operation".to_owned(),
            ));
        }
        let req = self.if_match(
            self.request(Method::PATCH, &[self.endpoint(R::ENDPOINT), id]),
            version,
        );
        let resp = self.send(Self::with_body(req, patch)).await?;
        if resp.status() == StatusCode::NO_CONTENT || resp.bytes().is_empty() {
            Ok(None)
        } else {
            self.decode(&resp).map(Some)
        }
    }

    /// `DELETE /Users/{id}` with `If-Match: version` when given.
    ///
    /// On [`Flavor::Cxone`] this is refused before sending ([`Error::Unsupported`]): CXone has no
    /// DELETE; use [`deactivate`](Self::deactivate).
    pub async fn delete<R: Resource>(&self, id: &str, version: Option<&str>) -> Result<(), Error> {
        self.supported(Operation::Delete, "DELETE")?;
        check_id(id)?;
        let req = self.if_match(
            self.request(Method::DELETE, &[self.endpoint(R::ENDPOINT), id]),
            version,
        );
        self.send(req).await.map(|_| ())
    }

    /// Deactivate a user (`PATCH` `replace active=false`): the way to remove access on CXone,
    /// and a reversible alternative to DELETE elsewhere.
    pub async fn deactivate(&self, id: &str, version: Option<&str>) -> Result<Option<User>, Error> {
        let path = PatchPath::attr(AttrPath::parse("active")?);
        self.modify::<User>(
            id,
            version,
            &PatchRequest::new().replace(path, json!(false)),
        )
        .await
    }

    /// List resources matching `query` (GET with `filter`, `startIndex`, `count`, ...), as a
    /// stream over the pages, one page in memory at a time.
    ///
    /// A malformed text filter ([`ListQuery::filter_str`]) makes the stream yield
    /// [`Error::Filter`] without sending anything.
    pub fn list<R: Resource>(&self, query: ListQuery) -> ResourceStream<R> {
        self.stream(query, false)
    }

    /// Like [`list`](Self::list), through `POST /Users/.search` (the filter travels in the body,
    /// not in the URL). Refused on Genesys Cloud, which has no `.search` endpoint.
    pub fn search<R: Resource>(&self, query: ListQuery) -> ResourceStream<R> {
        if let Err(e) = self.supported(Operation::Search, "POST /.search") {
            return Box::pin(futures::stream::once(async move { Err(e) }));
        }
        self.stream(query, true)
    }

    /// One page of a list: `totalResults`, `startIndex` and the resources.
    pub async fn list_page<R: Resource>(
        &self,
        query: &ListQuery,
    ) -> Result<ListResponse<R>, Error> {
        let count = query.count_or(self.flavor.default_count());
        let filter = query.check()?.cloned();
        self.fetch_page(query, filter.as_ref(), query.first_index(), count, false)
            .await
            .map_err(|e| Error::from_http(e, self.flavor))
    }

    /// Find the resources whose `path` equals `value` (at most `limit`, one page), for lookups
    /// by `userName` or `externalId`, inactive users included.
    ///
    /// Genesys Cloud lists only active users unless the filter names `active`; there, when the
    /// first query finds nothing, a second one adds `and active eq false`.
    pub async fn find_by<R: Resource>(
        &self,
        path: AttrPath,
        value: &str,
        limit: u32,
    ) -> Result<Vec<R>, Error> {
        let by_value = Filter::eq(path, value);
        let query = ListQuery::new()
            .filter(by_value.clone())
            .page_size(limit.max(1));
        let found = self.list_page::<R>(&query).await?.resources;
        if !found.is_empty() || self.flavor != Flavor::GenesysCloud || R::ENDPOINT != "Users" {
            return Ok(found);
        }
        let inactive = by_value.and(Filter::eq(AttrPath::parse("active")?, false));
        let query = ListQuery::new().filter(inactive).page_size(limit.max(1));
        Ok(self.list_page::<R>(&query).await?.resources)
    }

    /// `POST /Bulk`. The envelope answers 200; each operation's own status is in the response
    /// ([`BulkOperationResult::status_code`](crate::bulk::BulkOperationResult::status_code)).
    /// Refused on Genesys Cloud, which has no `/Bulk` endpoint.
    pub async fn bulk(&self, request: &BulkRequest) -> Result<BulkResponse, Error> {
        self.supported(Operation::Bulk, "POST /Bulk")?;
        if request.operations.is_empty() {
            return Err(Error::InvalidRequest(
                "a Bulk request needs at least one operation".to_owned(),
            ));
        }
        let resp = self
            .send(Self::with_body(
                self.request(Method::POST, &["Bulk"]),
                request,
            ))
            .await?;
        self.decode(&resp)
    }

    fn stream<R: Resource>(&self, query: ListQuery, search: bool) -> ResourceStream<R> {
        let filter = match query.check() {
            Ok(f) => f.cloned(),
            Err(e) => return Box::pin(futures::stream::once(async move { Err(e) })),
        };
        let count = query.count_or(self.flavor.default_count());
        let first = query.first_index();
        let client = self.clone();
        let flavor = self.flavor;
        let shared = Arc::new((query, filter));
        let pages = wfm_http::paginate(first, move |start| {
            let client = client.clone();
            let shared = Arc::clone(&shared);
            async move {
                let (query, filter) = &*shared;
                let page = client
                    .fetch_page::<R>(query, filter.as_ref(), start, count, search)
                    .await?;
                Ok(Page::from_start_index(
                    page.resources,
                    start,
                    page.total_results,
                ))
            }
        });
        Box::pin(pages.map_err(move |e| Error::from_http(e, flavor)).boxed())
    }

    async fn fetch_page<R: Resource>(
        &self,
        query: &ListQuery,
        filter: Option<&Filter>,
        start: u64,
        count: Option<u32>,
        search: bool,
    ) -> Result<ListResponse<R>, wfm_http::Error> {
        let endpoint = self.endpoint(R::ENDPOINT);
        let req = if search {
            let body = query.search_body_with(filter, start, count);
            Self::with_body(self.request(Method::POST, &[endpoint, ".search"]), &body).idempotent()
        } else {
            query.apply_get(self.request(Method::GET, &[endpoint]), filter, start, count)
        };
        req.send().await?.json()
    }

    fn endpoint(&self, rfc_name: &'static str) -> &'static str {
        self.flavor.endpoint(rfc_name)
    }

    fn request(&self, method: Method, segments: &[&str]) -> RequestBuilder {
        self.transport
            .request(method, segments)
            .header("accept", ACCEPT)
    }

    /// `req` with a JSON body sent as `application/scim+json`.
    fn with_body<T: serde::Serialize + ?Sized>(req: RequestBuilder, body: &T) -> RequestBuilder {
        req.header("content-type", SCIM_MEDIA_TYPE).json(body)
    }

    fn if_match(&self, req: RequestBuilder, version: Option<&str>) -> RequestBuilder {
        match version {
            Some(v) if !v.trim().is_empty() => req.header("if-match", self.flavor.if_match(v)),
            _ => req,
        }
    }

    fn supported(&self, op: Operation, name: &'static str) -> Result<(), Error> {
        match self.flavor.unsupported(op) {
            Some(advice) => Err(Error::Unsupported {
                flavor: self.flavor,
                operation: name,
                advice,
            }),
            None => Ok(()),
        }
    }

    async fn send(&self, req: RequestBuilder) -> Result<Response, Error> {
        req.send()
            .await
            .map_err(|e| Error::from_http(e, self.flavor))
    }

    fn decode<T: DeserializeOwned>(&self, resp: &Response) -> Result<T, Error> {
        resp.json().map_err(Error::Transport)
    }

    /// The created resource from the body, or, when a server answers with an empty body and a
    /// `Location`, from a GET of that location's id.
    async fn resource_or_location<R: Resource>(&self, resp: Response) -> Result<R, Error> {
        if !resp.bytes().is_empty() {
            return self.decode(&resp);
        }
        let id = resp
            .header("location")
            .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| {
                Error::InvalidRequest("the server created the resource but sent neither a body nor a Location; search for it by filter".to_owned())
            })?;
        self.get(&id).await
    }
}

fn decode_error(endpoint: &str, e: &serde_json::Error) -> Error {
    Error::Transport(wfm_http::Error::Decode {
        method: Method::GET,
        path: endpoint.to_owned(),
        message: e.to_string(),
    })
}

fn check_id(id: &str) -> Result<(), Error> {
    if id.trim().is_empty() || id == "." || id == ".." {
        return Err(Error::InvalidRequest(format!(
            "{id:?} is not a resource id"
        )));
    }
    Ok(())
}
