//! A SCIM 2.0 client (RFC 7643, RFC 7644) for provisioning users into Genesys Cloud, NICE CXone or
//! any RFC 7644 service provider, with an idempotent bulk upsert for directory migrations.
//!
//! ```
//! use futures::TryStreamExt;
//! use serde_json::json;
//! use wfm_auth::{ClientCredentials, RolesDecide};
//! use wfm_http::Platform;
//! use wfm_sandbox::TokenEndpoint;
//! use wfm_sandbox::scim::ScimServiceProvider;
//! use wfm_scim::filter::{AttrPath, Filter, PatchPath};
//! use wfm_scim::{Client, Error, Flavor, ListQuery, MultiValue, PatchRequest, User};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! // A local Genesys Cloud SCIM stand-in. In production the URL is the org's API host
//! // (`https://api.mypurecloud.de`) and the token endpoint its login host's.
//! let server = wiremock::MockServer::start().await;
//! let tokens = TokenEndpoint::mount(&server, "/oauth/token").await;
//! let scim = ScimServiceProvider::mount(&server, Flavor::GenesysCloud).await.require_token(&tokens);
//! let platform = Platform::<RolesDecide>::builder()
//!     .credentials(ClientCredentials::new(tokens.url(), "client-id", "client-secret"))
//!     .build()?;
//! let client = Client::new(&platform, Flavor::GenesysCloud, server.uri().as_str())?;
//!
//! // Create; a taken userName is a typed error, so take over that user instead.
//! let mut ada = User::new("ada@example.com");
//! ada.external_id = Some("zendesk-42".into());
//! ada.emails.push(MultiValue::new("ada@example.com").with_type("work").primary());
//! client.create(&ada).await?;
//! let ada = match client.create(&ada).await {
//!     Ok(created) => created,
//!     Err(Error::Uniqueness(_)) => client
//!         .find_by::<User>(AttrPath::parse("userName")?, "ada@example.com", 1)
//!         .await?
//!         .pop()
//!         .ok_or_else(|| Error::InvalidRequest("the user vanished; run again".into()))?,
//!     Err(other) => return Err(other.into()),
//! };
//!
//! // Search with a filter that cannot be injected, streamed page by page.
//! let query = ListQuery::new().filter(Filter::eq(AttrPath::parse("externalId")?, "zendesk-42"));
//! let found: Vec<User> = client.list(query).try_collect().await?;
//! assert_eq!(found.len(), 1);
//!
//! // Modify with If-Match from meta.version; a stale version is Error::VersionConflict.
//! let id = ada.id.as_deref().unwrap_or_default();
//! let version = ada.meta.as_ref().and_then(|m| m.version.as_deref());
//! let patch = PatchRequest::new().replace(PatchPath::parse(r#"emails[type eq "work"].value"#)?, json!("ada@new.example"));
//! client.modify::<User>(id, version, &patch).await?;
//! let stale = client.modify::<User>(id, version, &patch).await;
//! assert!(matches!(stale, Err(Error::VersionConflict(_))));
//!
//! // Remove access: deactivate works everywhere (CXone has no DELETE).
//! client.deactivate(id, None).await?;
//! assert_eq!(scim.users()[0]["active"], false);
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! What is here:
//!
//! - [`Client`]: discovery, [`create`](Client::create), [`get`](Client::get),
//!   [`replace`](Client::replace) (PUT), [`modify`](Client::modify) (PATCH),
//!   [`delete`](Client::delete), [`deactivate`](Client::deactivate), [`list`](Client::list) and
//!   [`search`](Client::search) as streams over `startIndex`/`count` pages, [`bulk`](Client::bulk).
//! - Resources ([`User`] with the enterprise and Genesys Cloud extensions, [`Group`]); every
//!   unknown attribute is kept, so a read-modify-write loses nothing.
//! - [`filter`]: a builder that cannot produce an injection, a parser, validated attribute paths.
//! - [`Error`]: the SCIM error schema read from every answer, typed variants for version conflicts
//!   (412 or Genesys's 400 `invalidVers`), uniqueness, and a 403 that says what the platform
//!   needs (Genesys Cloud: a role with the SCIM permissions, not scopes).
//! - [`Flavor`]: Genesys Cloud, CXone and generic RFC 7644 conventions.
//! - [`scopes`]: the Genesys Cloud SCIM scopes as typed markers, for the token cache's start-up
//!   check on user grants.
//! - [`provision`]: Zendesk users → SCIM Users, idempotent upsert by `externalId`, a report.
#![forbid(unsafe_code)]

pub mod bulk;
mod client;
pub mod discovery;
mod error;
pub mod filter;
mod flavor;
mod patch;
pub mod provision;
mod query;
mod resource;
pub mod scopes;

pub use bulk::{BulkRequest, BulkResponse};
pub use client::{Client, ClientBuilder, ResourceStream, SCIM_MEDIA_TYPE};
pub use error::{Error, ScimApiError, ScimErrorBody, ScimType};
pub use flavor::Flavor;
pub use patch::{PATCH_OP_SCHEMA, PatchOp, PatchOperation, PatchRequest};
pub use query::{
    LIST_RESPONSE_SCHEMA, ListQuery, ListResponse, Projection, SEARCH_REQUEST_SCHEMA,
    SearchRequest, SortOrder,
};
pub use resource::{
    Address, ENTERPRISE_USER_SCHEMA, EnterpriseUser, GENESYS_USER_SCHEMA, GROUP_SCHEMA,
    GenesysExternalId, GenesysUser, Group, Manager, Meta, MultiValue, Name, Password, Resource,
    RoutingEntry, SchemaExtension, USER_SCHEMA, User,
};
