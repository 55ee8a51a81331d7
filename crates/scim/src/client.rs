//! The SCIM [`Client`]: discovery, create, get, replace, modify, delete, list and search as
//! streams, and Bulk, each one HTTP call through the shared `wfm-http` transport.
//!
//! The transport retries what is safe (GET, PUT, DELETE and POST `/.search`, never a create), honours
//! `Retry-After`, refreshes a refused token once and keeps secrets out of logs.

use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use futures::{Stream, StreamExt, TryStreamExt};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use wfm_auth::providers::GenesysCloud;
use wfm_auth::{Grants, RolesDecide, ScopeSet, TokenProvider};
use wfm_http::{
    BoxFuture, IntoUrl, Method, Page, Platform, RequestBuilder, Response, StatusCode, Transport,
    TransportBuilder, Url,
};

use crate::bulk::{BulkRequest, BulkResponse};
use crate::discovery::{ResourceType, Schema, ServiceProviderConfig, resources_of};
use crate::error::Error;
use crate::filter::{AttrPath, Filter, PatchPath};
use crate::flavor::{Flavor, Operation};
use crate::patch::PatchRequest;
use crate::query::{ListQuery, ListResponse, Projection};
use crate::resource::{Resource, User, write_body};
use crate::scopes::{Scim, ScimReadonly};

/// The media type of SCIM bodies (RFC 7644 §3.8).
pub const SCIM_MEDIA_TYPE: &str = "application/scim+json";
const ACCEPT: &str = "application/scim+json, application/json;q=0.9";

/// A stream of resources, fetched one page at a time.
pub type ResourceStream<R> = Pin<Box<dyn Stream<Item = Result<R, Error>> + Send>>;

/// A SCIM 2.0 client for one service provider, generic over the scope set `S` of its grant.
/// Cheap to clone.
///
/// Each method's signature says which scope it needs: reads need
/// [`ScimReadonly`](crate::scopes::ScimReadonly) (or [`Scim`](crate::scopes::Scim), which implies
/// it), writes need [`Scim`](crate::scopes::Scim). These are Genesys Cloud's scopes for user
/// grants. Where roles decide instead (Genesys Cloud client credentials: the OAuth client's role
/// needs the SCIM permissions; NICE CXone; generic RFC 7644 servers) use
/// [`RolesDecide`](wfm_auth::RolesDecide), the default: every method compiles and the platform's
/// permissions decide at run time.
///
/// The client is made from a [`Platform<S>`](wfm_http::Platform): its scope set is the
/// platform's, so the scopes the compiler checks and the scopes every token is checked against
/// are the same type, and the SCIM calls share the platform's rate budget with its other APIs.
///
/// ```no_run
/// use futures::TryStreamExt;
/// use wfm_auth::ClientCredentials;
/// use wfm_http::{Platform, RateLimit};
/// use wfm_scim::scopes::Scim;
/// use wfm_scim::{Client, Flavor, ListQuery, User, filter::{AttrPath, Filter}};
///
/// # async fn demo() -> Result<(), wfm_scim::Error> {
/// // A Genesys Cloud user grant with the `scim` scope; 300 requests a minute for the org.
/// let genesys = Platform::<Scim>::builder()
///     .credentials(ClientCredentials::new("https://login.mypurecloud.de/oauth/token", "id", "secret"))
///     .rate_limit(RateLimit::per_minute(300))
///     .build()
///     .map_err(wfm_scim::Error::Transport)?;
/// let client = Client::new(&genesys, Flavor::GenesysCloud, "https://api.mypurecloud.de")?;
/// let query = ListQuery::new().filter(Filter::eq(AttrPath::parse("externalId")?, "zendesk-42"));
/// let found: Vec<User> = client.list::<User>(query).try_collect().await?;
/// # let _ = found; Ok(()) }
/// ```
///
/// A read-only client cannot write, and the compiler says why:
///
/// ```compile_fail,E0277
/// # async fn demo(platform: wfm_http::Platform<wfm_scim::scopes::ScimReadonly>) -> Result<(), wfm_scim::Error> {
/// let client = wfm_scim::Client::new(&platform, wfm_scim::Flavor::GenesysCloud, "https://api.mypurecloud.de")?;
/// client.create(&wfm_scim::User::new("ada@example.com")).await?;
/// // error[E0277]: the scope set `ScimReadonly` does not grant the scope `Scim`
/// # Ok(()) }
/// ```
///
/// and a client cannot claim a scope set other than its platform's (the one its tokens are
/// checked against):
///
/// ```compile_fail,E0308
/// use wfm_scim::scopes::{Scim, ScimReadonly};
/// # fn demo(platform: wfm_http::Platform<ScimReadonly>) -> Result<(), wfm_scim::Error> {
/// let client: wfm_scim::Client<Scim> = wfm_scim::Client::new(&platform, wfm_scim::Flavor::GenesysCloud, "https://api.mypurecloud.de")?;
/// # Ok(()) }
/// ```
pub struct Client<S: ScopeSet<GenesysCloud> = RolesDecide> {
    core: Core,
    scopes: PhantomData<fn() -> S>,
}

impl<S: ScopeSet<GenesysCloud>> Clone for Client<S> {
    fn clone(&self) -> Self {
        Self {
            core: self.core.clone(),
            scopes: PhantomData,
        }
    }
}

impl<S: ScopeSet<GenesysCloud>> std::fmt::Debug for Client<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("flavor", &self.core.flavor)
            .field("transport", &self.core.transport)
            .finish()
    }
}

/// The client's state and the calls, without the scope bounds.
#[derive(Clone, Debug)]
struct Core {
    transport: Transport,
    flavor: Flavor,
}

/// Builds a [`Client`] with a platform of its own, for grants where roles decide; see
/// [`Client::builder`]. For a scope set, or to share a platform's budget, use [`Client::new`].
#[must_use]
pub struct ClientBuilder {
    flavor: Flavor,
    url: Result<Url, wfm_http::Error>,
    tokens: Option<Arc<dyn TokenProvider>>,
    configure: Option<Box<dyn FnOnce(TransportBuilder) -> TransportBuilder + Send>>,
}

impl ClientBuilder {
    /// Where bearer tokens come from (a `wfm_auth` token cache, a static token, an `Arc` of one).
    pub fn token_provider(mut self, tokens: impl TokenProvider) -> Self {
        self.tokens = Some(Arc::new(tokens));
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
        let url = self.url.map_err(Error::Transport)?;
        let mut builder = Transport::builder(self.flavor.base_url(&url));
        if let Some(tokens) = self.tokens {
            builder = builder.token_provider(tokens);
        }
        if let Some(f) = self.configure {
            builder = f(builder);
        }
        Ok(Client::from_transport(
            builder.build().map_err(Error::Transport)?,
            self.flavor,
        ))
    }
}

impl Client<RolesDecide> {
    /// Start configuring a client of `flavor` for `url` with a platform of its own, for grants
    /// where roles decide (client credentials, CXone, generic servers): the platform's API host
    /// (`https://api.mypurecloud.de`, a CXone API host) or, for [`Flavor::Generic`], the SCIM
    /// base URL itself (`https://idp.example.com/scim/v2`).
    pub fn builder(flavor: Flavor, url: impl IntoUrl) -> ClientBuilder {
        ClientBuilder {
            flavor,
            url: url.into_url(),
            tokens: None,
            configure: None,
        }
    }

    /// A client over a transport you built; its base URL must be the SCIM base URL (see
    /// [`Flavor::base_url`]). Its tokens are not checked against any scope set.
    pub fn from_transport(transport: Transport, flavor: Flavor) -> Self {
        Self {
            core: Core { transport, flavor },
            scopes: PhantomData,
        }
    }
}

impl<S: ScopeSet<GenesysCloud>> Client<S> {
    /// A client of `flavor` on `platform` (its tokens, rate budget and breaker), for the SCIM
    /// service at `url`: the platform's API host (`https://api.mypurecloud.de`, a CXone API
    /// host) or, for [`Flavor::Generic`], the SCIM base URL itself. Accepts a URL or a string.
    pub fn new(platform: &Platform<S>, flavor: Flavor, url: impl IntoUrl) -> Result<Self, Error> {
        let url = url.into_url().map_err(Error::Transport)?;
        let transport = platform
            .transport(flavor.base_url(&url))
            .map_err(Error::Transport)?;
        Ok(Self {
            core: Core { transport, flavor },
            scopes: PhantomData,
        })
    }

    /// The platform flavour.
    pub fn flavor(&self) -> Flavor {
        self.core.flavor
    }

    /// The transport (for calls this client does not wrap).
    pub fn transport(&self) -> &Transport {
        &self.core.transport
    }

    /// `GET /ServiceProviderConfig`: what the server supports.
    ///
    /// Scope: [`ScimReadonly`](crate::scopes::ScimReadonly) (Genesys Cloud user grants).
    pub fn service_provider_config(&self) -> BoxFuture<'_, Result<ServiceProviderConfig, Error>>
    where
        S: Grants<ScimReadonly>,
    {
        Box::pin(self.core.service_provider_config())
    }

    /// `GET /ResourceTypes`.
    ///
    /// Scope: [`ScimReadonly`](crate::scopes::ScimReadonly).
    pub fn resource_types(&self) -> BoxFuture<'_, Result<Vec<ResourceType>, Error>>
    where
        S: Grants<ScimReadonly>,
    {
        Box::pin(self.core.resource_types())
    }

    /// `GET /Schemas`.
    ///
    /// Scope: [`ScimReadonly`](crate::scopes::ScimReadonly).
    pub fn schemas(&self) -> BoxFuture<'_, Result<Vec<Schema>, Error>>
    where
        S: Grants<ScimReadonly>,
    {
        Box::pin(self.core.schemas())
    }

    /// `POST /Users` (or the resource's endpoint): create, and return the resource as stored.
    ///
    /// `id` and read-only attributes are not sent. A create is never retried by the
    /// transport (a retried POST could create a duplicate); a 409 is [`Error::Uniqueness`].
    ///
    /// Scope: [`Scim`](crate::scopes::Scim). Genesys Cloud permission: `directory:user:add`.
    pub fn create<'a, R: Resource + Sync>(
        &'a self,
        resource: &'a R,
    ) -> BoxFuture<'a, Result<R, Error>>
    where
        S: Grants<Scim>,
    {
        Box::pin(self.core.create(resource))
    }

    /// `GET /Users/{id}`.
    ///
    /// Scope: [`ScimReadonly`](crate::scopes::ScimReadonly).
    pub fn get<'a, R: Resource>(&'a self, id: &'a str) -> BoxFuture<'a, Result<R, Error>>
    where
        S: Grants<ScimReadonly>,
    {
        Box::pin(self.core.get(id))
    }

    /// `GET /Users/{id}` with `attributes` or `excludedAttributes`.
    ///
    /// Scope: [`ScimReadonly`](crate::scopes::ScimReadonly).
    pub fn get_with<'a, R: Resource>(
        &'a self,
        id: &'a str,
        projection: &'a Projection,
    ) -> BoxFuture<'a, Result<R, Error>>
    where
        S: Grants<ScimReadonly>,
    {
        Box::pin(self.core.get_with(id, projection))
    }

    /// `PUT /Users/{id}`: replace the resource with `resource` (its `id` says which), with
    /// `If-Match` set from `meta.version` when present. Returns the stored resource.
    ///
    /// A stale version is [`Error::VersionConflict`]: get the resource again and reapply.
    ///
    /// Scope: [`Scim`](crate::scopes::Scim). Genesys Cloud permission: `directory:user:edit`.
    pub fn replace<'a, R: Resource + Sync>(
        &'a self,
        resource: &'a R,
    ) -> BoxFuture<'a, Result<R, Error>>
    where
        S: Grants<Scim>,
    {
        Box::pin(self.core.replace(resource))
    }

    /// `PATCH /Users/{id}` with `If-Match: version` when given. Returns the resource when the
    /// server sends it (200), `None` when it answers 204 No Content.
    ///
    /// Scope: [`Scim`](crate::scopes::Scim). Genesys Cloud permission: `directory:user:edit`.
    pub fn modify<'a, R: Resource>(
        &'a self,
        id: &'a str,
        version: Option<&'a str>,
        patch: &'a PatchRequest,
    ) -> BoxFuture<'a, Result<Option<R>, Error>>
    where
        S: Grants<Scim>,
    {
        Box::pin(self.core.modify(id, version, patch))
    }

    /// `DELETE /Users/{id}` with `If-Match: version` when given.
    ///
    /// On [`Flavor::Cxone`] this is refused before sending ([`Error::Unsupported`]): CXone has no
    /// DELETE; use [`deactivate`](Self::deactivate).
    ///
    /// Scope: [`Scim`](crate::scopes::Scim). Genesys Cloud permission: `directory:user:delete`.
    pub fn delete<'a, R: Resource>(
        &'a self,
        id: &'a str,
        version: Option<&'a str>,
    ) -> BoxFuture<'a, Result<(), Error>>
    where
        S: Grants<Scim>,
    {
        Box::pin(self.core.delete::<R>(id, version))
    }

    /// Deactivate a user (`PATCH` `replace active=false`): the way to remove access on CXone,
    /// and a reversible alternative to DELETE elsewhere.
    ///
    /// Scope: [`Scim`](crate::scopes::Scim). Genesys Cloud permission: `directory:user:edit`.
    pub fn deactivate<'a>(
        &'a self,
        id: &'a str,
        version: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Option<User>, Error>>
    where
        S: Grants<Scim>,
    {
        Box::pin(self.core.deactivate(id, version))
    }

    /// List resources matching `query` (GET with `filter`, `startIndex`, `count`, ...), as a
    /// stream over the pages, one page in memory at a time.
    ///
    /// A malformed text filter ([`ListQuery::filter_str`]) makes the stream yield
    /// [`Error::Filter`] without sending anything.
    ///
    /// Scope: [`ScimReadonly`](crate::scopes::ScimReadonly).
    pub fn list<R: Resource>(&self, query: ListQuery) -> ResourceStream<R>
    where
        S: Grants<ScimReadonly>,
    {
        self.core.stream(query, false)
    }

    /// Like [`list`](Self::list), through `POST /Users/.search` (the filter travels in the body,
    /// not in the URL). Refused on Genesys Cloud, which has no `.search` endpoint.
    ///
    /// Scope: [`ScimReadonly`](crate::scopes::ScimReadonly).
    pub fn search<R: Resource>(&self, query: ListQuery) -> ResourceStream<R>
    where
        S: Grants<ScimReadonly>,
    {
        if let Err(e) = self.core.supported(Operation::Search, "POST /.search") {
            return Box::pin(futures::stream::once(async move { Err(e) }));
        }
        self.core.stream(query, true)
    }

    /// One page of a list: `totalResults`, `startIndex` and the resources.
    ///
    /// Scope: [`ScimReadonly`](crate::scopes::ScimReadonly).
    pub fn list_page<'a, R: Resource>(
        &'a self,
        query: &'a ListQuery,
    ) -> BoxFuture<'a, Result<ListResponse<R>, Error>>
    where
        S: Grants<ScimReadonly>,
    {
        Box::pin(self.core.list_page(query))
    }

    /// Find the resources whose `path` equals `value` (at most `limit`, one page), for lookups
    /// by `userName` or `externalId`, inactive users included.
    ///
    /// Genesys Cloud lists only active users unless the filter names `active`; there, when the
    /// first query finds nothing, a second one adds `and active eq false`.
    ///
    /// Scope: [`ScimReadonly`](crate::scopes::ScimReadonly).
    pub fn find_by<'a, R: Resource>(
        &'a self,
        path: AttrPath,
        value: &'a str,
        limit: u32,
    ) -> BoxFuture<'a, Result<Vec<R>, Error>>
    where
        S: Grants<ScimReadonly>,
    {
        Box::pin(self.core.find_by(path, value, limit))
    }

    /// `POST /Bulk`. The envelope answers 200; each operation's own status is in the response
    /// ([`BulkOperationResult::status_code`](crate::bulk::BulkOperationResult::status_code)).
    /// Refused on Genesys Cloud, which has no `/Bulk` endpoint.
    ///
    /// Scope: [`Scim`](crate::scopes::Scim).
    pub fn bulk<'a>(
        &'a self,
        request: &'a BulkRequest,
    ) -> BoxFuture<'a, Result<BulkResponse, Error>>
    where
        S: Grants<Scim>,
    {
        Box::pin(self.core.bulk(request))
    }
}

impl Core {
    /// `GET /ServiceProviderConfig`: what the server supports.
    async fn service_provider_config(&self) -> Result<ServiceProviderConfig, Error> {
        let resp = self
            .send(self.request(Method::GET, &[self.endpoint("ServiceProviderConfig")]))
            .await?;
        self.decode(&resp)
    }

    /// `GET /ResourceTypes`.
    async fn resource_types(&self) -> Result<Vec<ResourceType>, Error> {
        let resp = self
            .send(self.request(Method::GET, &[self.endpoint("ResourceTypes")]))
            .await?;
        let value: Value = self.decode(&resp)?;
        resources_of(value).map_err(|e| decode_error("ResourceTypes", &e))
    }

    /// `GET /Schemas`.
    async fn schemas(&self) -> Result<Vec<Schema>, Error> {
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
    async fn create<R: Resource + Sync>(&self, resource: &R) -> Result<R, Error> {
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
    async fn get<R: Resource>(&self, id: &str) -> Result<R, Error> {
        self.get_with(id, &Projection::all()).await
    }

    /// `GET /Users/{id}` with `attributes` or `excludedAttributes`.
    async fn get_with<R: Resource>(&self, id: &str, projection: &Projection) -> Result<R, Error> {
        check_id(id)?;
        let req = projection.apply(self.request(Method::GET, &[self.endpoint(R::ENDPOINT), id]));
        let resp = self.send(req).await?;
        self.decode(&resp)
    }

    /// `PUT /Users/{id}`: replace the resource with `resource` (its `id` says which), with
    /// `If-Match` set from `meta.version` when present. Returns the stored resource.
    ///
    /// A stale version is [`Error::VersionConflict`]: get the resource again and reapply.
    async fn replace<R: Resource + Sync>(&self, resource: &R) -> Result<R, Error> {
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
    async fn modify<R: Resource>(
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
    async fn delete<R: Resource>(&self, id: &str, version: Option<&str>) -> Result<(), Error> {
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
    async fn deactivate(&self, id: &str, version: Option<&str>) -> Result<Option<User>, Error> {
        let path = PatchPath::attr(AttrPath::parse("active")?);
        self.modify::<User>(
            id,
            version,
            &PatchRequest::new().replace(path, json!(false)),
        )
        .await
    }

    /// One page of a list: `totalResults`, `startIndex` and the resources.
    async fn list_page<R: Resource>(&self, query: &ListQuery) -> Result<ListResponse<R>, Error> {
        let count = query.count_or(self.flavor.default_count());
        let filter = query.check()?.cloned();
        self.fetch_page(query, filter.as_ref(), query.first_index(), count, false)
            .await
            .map_err(|e| self.error(e))
    }

    /// Find the resources whose `path` equals `value` (at most `limit`, one page), for lookups
    /// by `userName` or `externalId`, inactive users included.
    ///
    /// Genesys Cloud lists only active users unless the filter names `active`; there, when the
    /// first query finds nothing, a second one adds `and active eq false`.
    async fn find_by<R: Resource>(
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
    async fn bulk(&self, request: &BulkRequest) -> Result<BulkResponse, Error> {
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
        req.send().await.map_err(|e| self.error(e))
    }

    /// The SCIM error of a transport error; a 401 with a token that cannot be refreshed says so.
    fn error(&self, e: wfm_http::Error) -> Error {
        let err = Error::from_http(e, self.flavor);
        let fixed = self
            .transport
            .platform()
            .tokens()
            .is_some_and(|t| !t.can_refresh());
        if fixed { err.with_fixed_token() } else { err }
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
