//! [`UserHubBackend`]: the engine over CXone's UserHub user management
//! (`/user-management/v1/users`), keyed by `externalIdentity`.
//!
//! The calls, as NICE's published user-management API names them: list
//! (`GET /user-management/v1/users?includeDeleted=true`), search by `externalIdentity`
//! (`POST /user-management/v2/users/search`), create (`POST /user-management/v1/users`), update
//! (`PUT /user-management/v1/users`, the whole user with its `id`), deactivate
//! (`POST /user-management/v1/users/deactivate`) and revive
//! (`POST /user-management/v1/users/{id}/revive`). A deactivated user has `status: "DELETED"`;
//! reactivation revives it; a deactivation the answer lists in `notDeletedUserIds` is an
//! [`Error::NotDeactivated`]. The first role becomes `role`, the others `secondaryRoleIds`.
//! Roles are checked before sending against the tenant's active roles
//! (`POST /authorization/v1/roles/search`), unless given with
//! [`with_roles`](UserHubBackend::with_roles) or turned off with
//! [`unchecked_roles`](UserHubBackend::unchecked_roles).
//! UserHub carries no skills, location or manager: [`Backend::normalize`] drops them. Two
//! details are assumptions to check on a tenant: that the search filters on
//! `externalIdentity` (each user it returns is checked again), and that a create for a taken
//! `externalIdentity` answers 409.
//!
//! ```no_run
//! use cxone_wfm::{Engine, UserHubBackend};
//! # fn demo(platform: wfm_http::Platform, api_endpoint: &str) -> Result<(), cxone_wfm::Error> {
//! let engine = Engine::new(UserHubBackend::new(&platform, api_endpoint)?);
//! # let _ = engine; Ok(()) }
//! ```

use serde_json::{Value, json};
use wfm_http::{BoxFuture, IntoUrl, Method, Platform, Transport};

use crate::client::UserStream;
use crate::engine::{Backend, UserStore};
use crate::error::Error;
use crate::model::{Role, User, UserChanges};

/// The reconcile engine's backend over CXone UserHub (a grant without scopes).
#[derive(Debug, Clone)]
pub struct UserHubBackend {
    transport: Transport,
    roles: RoleSource,
}

/// Where the roles a roster is checked against come from.
#[derive(Debug, Clone)]
enum RoleSource {
    /// The tenant's active roles, searched at the start of each sync.
    Tenant,
    /// A list given by the caller.
    Given(Vec<Role>),
    /// No check.
    Unchecked,
}

impl UserHubBackend {
    /// A backend on the tenant's API host (`api_endpoint` from discovery), sharing `platform`'s
    /// budget and tokens. Roles are checked against the tenant's active roles
    /// ([`fetch_roles`](Self::fetch_roles)) at the start of each sync.
    pub fn new<S>(platform: &Platform<S>, api_endpoint: impl IntoUrl) -> Result<Self, Error> {
        Ok(Self {
            transport: platform.transport(api_endpoint)?,
            roles: RoleSource::Tenant,
        })
    }

    /// Check roles against this list instead of searching the tenant's.
    pub fn with_roles(mut self, roles: Vec<Role>) -> Self {
        self.roles = RoleSource::Given(roles);
        self
    }

    /// Send roles unchecked (for an API user whose security profile cannot search roles).
    pub fn unchecked_roles(mut self) -> Self {
        self.roles = RoleSource::Unchecked;
        self
    }

    /// The tenant's active roles: `POST /authorization/v1/roles/search` with
    /// `{"filter": {"status": ["ACTIVE"]}}`, each `roleId` and `roleName` as a [`Role`].
    pub fn fetch_roles(&self) -> BoxFuture<'_, Result<Vec<Role>, Error>> {
        Box::pin(async move {
            let body: Value = self
                .transport
                .request(Method::POST, &["authorization", "v1", "roles", "search"])
                .idempotent() // a search changes nothing
                .json(&json!({"filter": {"status": ["ACTIVE"]}}))
                .send_json()
                .await?;
            Ok(body["roles"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| {
                    let id = r["roleId"].as_str().filter(|s| !s.is_empty())?;
                    Some(Role {
                        id: id.to_owned(),
                        name: r["roleName"].as_str().unwrap_or_default().to_owned(),
                    })
                })
                .collect())
        })
    }

    async fn find(&self, external_id: &str) -> Result<Option<Value>, Error> {
        let body: Value = self
            .transport
            .request(Method::POST, &["user-management", "v2", "users", "search"])
            .idempotent() // a search changes nothing
            .json(&json!({"filter": {"externalIdentity": [external_id]}, "skip": 0, "top": 2}))
            .send_json()
            .await?;
        Ok(body["users"]
            .as_array()
            .and_then(|users| users.iter().find(|u| u["externalIdentity"] == external_id))
            .cloned())
    }

    /// POSTs `body`; the answer's JSON, or `Null` for an empty or non-JSON body.
    async fn post(&self, segments: &[&str], body: &Value) -> Result<Value, Error> {
        // Deactivating or reviving twice changes nothing: safe to repeat.
        let answer = self
            .transport
            .request(Method::POST, segments)
            .idempotent()
            .json(body)
            .send()
            .await?;
        Ok(serde_json::from_slice(answer.bytes()).unwrap_or(Value::Null))
    }
}

/// The WFM view of a UserHub user; `None` without an `externalIdentity`.
pub(crate) fn from_hub(u: &Value) -> Option<User> {
    let text = |k: &str| u[k].as_str().unwrap_or_default().to_owned();
    let external_id = u["externalIdentity"].as_str().filter(|s| !s.is_empty())?;
    let mut roles: Vec<String> = u["roleUUID"]
        .as_str()
        .or(u["role"].as_str())
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .into_iter()
        .collect();
    roles.extend(
        u["secondaryRoleIds"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(str::to_owned)),
    );
    Some(User {
        external_id: external_id.to_owned(),
        first_name: text("firstName"),
        last_name: text("lastName"),
        email: text("emailAddress"),
        timezone: text("timeZone"),
        is_active: u["status"] != "DELETED",
        roles,
        skills: Vec::new(),
        location: None,
        manager_external_id: None,
    })
}

fn set_roles(target: &mut Value, roles: &[String]) {
    target["role"] = json!(roles.first().cloned().unwrap_or_default());
    target["secondaryRoleIds"] = json!(roles.iter().skip(1).collect::<Vec<_>>());
}

impl UserStore for UserHubBackend {
    fn get_user<'a>(&'a self, external_id: &'a str) -> BoxFuture<'a, Result<Option<User>, Error>> {
        Box::pin(async move { Ok(self.find(external_id).await?.as_ref().and_then(from_hub)) })
    }

    fn update_user<'a>(&'a self, changes: &'a UserChanges) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let Some(mut current) = self.find(&changes.external_id).await? else {
                return Err(Error::NotFound(changes.external_id.clone()));
            };
            let id = current["id"].as_str().unwrap_or_default().to_owned();
            if changes.is_active == Some(false) {
                let answer = self
                    .post(
                        &["user-management", "v1", "users", "deactivate"],
                        &json!({"userIds": [id]}),
                    )
                    .await?;
                let refused = answer["notDeletedUserIds"]
                    .as_array()
                    .is_some_and(|ids| ids.iter().any(|i| *i == json!(id)));
                if refused {
                    return Err(Error::NotDeactivated(changes.external_id.clone()));
                }
                return Ok(());
            }
            if changes.is_active == Some(true) && current["status"] == "DELETED" {
                self.post(
                    &["user-management", "v1", "users", &id, "revive"],
                    &json!({}),
                )
                .await?;
            }
            let mut fields = changes.clone();
            fields.is_active = None;
            if fields.is_empty() {
                return Ok(());
            }
            for (key, value) in [
                ("firstName", &fields.first_name),
                ("lastName", &fields.last_name),
                ("emailAddress", &fields.email),
                ("timeZone", &fields.timezone),
            ] {
                if let Some(v) = value {
                    current[key] = json!(v);
                }
            }
            if let Some(roles) = &fields.roles {
                set_roles(&mut current, roles);
            }
            if let Value::Object(o) = &mut current {
                o.remove("status");
            }
            self.transport
                .request(Method::PUT, &["user-management", "v1", "users"])
                .json(&current)
                .send()
                .await?;
            Ok(())
        })
    }

    fn create_user<'a>(&'a self, user: &'a User) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let mut body = json!({
                "firstName": user.first_name,
                "lastName": user.last_name,
                "emailAddress": user.email,
                "userName": user.email,
                "timeZone": user.timezone,
                "externalIdentity": user.external_id,
            });
            set_roles(&mut body, &user.roles);
            self.transport
                .request(Method::POST, &["user-management", "v1", "users"])
                .json(&body)
                .send()
                .await?;
            Ok(())
        })
    }
}

impl Backend for UserHubBackend {
    fn list_users(&self) -> UserStream<'_> {
        use futures::StreamExt;
        futures::stream::once(async move {
            let body: Value = self
                .transport
                .request(Method::GET, &["user-management", "v1", "users"])
                .query("includeDeleted", "true")
                .send_json()
                .await?;
            let users: Vec<Result<User, Error>> = body["users"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(from_hub)
                .map(Ok)
                .collect();
            Ok::<_, Error>(futures::stream::iter(users))
        })
        .map(|r| match r {
            Ok(s) => s.boxed(),
            Err(e) => futures::stream::once(async move { Err(e) }).boxed(),
        })
        .flatten()
        .boxed()
    }

    fn stats(&self) -> Option<wfm_http::Stats> {
        Some(self.transport.stats())
    }

    fn list_roles(&self) -> BoxFuture<'_, Result<Option<Vec<Role>>, Error>> {
        Box::pin(async move {
            match &self.roles {
                RoleSource::Tenant => self.fetch_roles().await.map(Some),
                RoleSource::Given(roles) => Ok(Some(roles.clone())),
                RoleSource::Unchecked => Ok(None),
            }
        })
    }

    fn normalize(&self, user: &User) -> User {
        User {
            skills: Vec::new(),
            location: None,
            manager_external_id: None,
            ..user.clone()
        }
    }
}
