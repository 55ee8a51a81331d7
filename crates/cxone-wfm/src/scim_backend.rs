//! [`ScimBackend`]: the engine over NICE CXone's real user API, SCIM 2.0 (`/scim/v2/Users`,
//! through `wfm-scim`), keyed by `externalId`. CXone's SCIM has no DELETE: deactivation is
//! `active: false`, as everywhere in this crate.
//!
//! CXone's SCIM user carries `externalId`, `name`, `emails`, `timeZone`, `active` and `roles`
//! (<https://developer.niceincontact.com>, user hub SCIM API); it has no skills, location or
//! manager, so [`Backend::normalize`] drops them from the roster before planning (skills live in
//! the ACD agent API). New users get their e-mail as `userName`; an existing user's `userName`
//! is never changed. Users without an `externalId` are not managed: never listed, never
//! deactivated.
//!
//! ```no_run
//! use cxone_wfm::{Engine, Role, ScimBackend};
//! use wfm_http::Platform;
//! # async fn demo(platform: Platform, api_endpoint: &str) -> Result<(), Box<dyn std::error::Error>> {
//! let scim = wfm_scim::Client::new(&platform, wfm_scim::Flavor::Cxone, api_endpoint)?;
//! // Roles are not served by SCIM: pass the tenant's (POST /authorization/v1/roles/search),
//! // or none to skip the check.
//! let backend = ScimBackend::new(scim).with_roles(vec![Role { id: "agent-role-uuid".into(), name: "Agent".into() }]);
//! let engine = Engine::new(backend);
//! # let _ = engine; Ok(()) }
//! ```

use futures::StreamExt;
use wfm_http::BoxFuture;
use wfm_scim::filter::AttrPath;
use wfm_scim::{ListQuery, MultiValue, Name};

use crate::client::UserStream;
use crate::engine::{Backend, UserStore};
use crate::error::Error;
use crate::model::{Role, User, UserChanges};

/// The reconcile engine's backend over a CXone SCIM client (grant without scopes).
#[derive(Debug, Clone)]
pub struct ScimBackend {
    client: wfm_scim::Client,
    roles: Option<Vec<Role>>,
}

impl ScimBackend {
    /// A backend over `client` (made with `wfm_scim::Flavor::Cxone`), with no role list: roles
    /// are then sent unchecked.
    pub fn new(client: wfm_scim::Client) -> Self {
        Self {
            client,
            roles: None,
        }
    }

    /// The roles users may carry, checked before sending (CXone lists them at
    /// `POST /authorization/v1/roles/search`).
    pub fn with_roles(mut self, roles: Vec<Role>) -> Self {
        self.roles = Some(roles);
        self
    }

    async fn find(&self, external_id: &str) -> Result<Option<wfm_scim::User>, Error> {
        let path = AttrPath::parse("externalId").map_err(wfm_scim::Error::from)?;
        let found: Vec<wfm_scim::User> = self.client.find_by(path, external_id, 2).await?;
        Ok(found
            .into_iter()
            .find(|u| u.external_id.as_deref() == Some(external_id)))
    }
}

/// The WFM view of a SCIM user; `None` without an `externalId`.
pub(crate) fn from_scim(u: &wfm_scim::User) -> Option<User> {
    let external_id = u.external_id.clone()?;
    let name = u.name.clone().unwrap_or_default();
    Some(User {
        external_id,
        first_name: name.given_name.unwrap_or_default(),
        last_name: name.family_name.unwrap_or_default(),
        email: u.primary_email().unwrap_or_default().to_owned(),
        timezone: u.timezone.clone().unwrap_or_default(),
        is_active: u.active.unwrap_or(true),
        roles: u.roles.iter().filter_map(|r| r.value.clone()).collect(),
        skills: Vec::new(),
        location: None,
        manager_external_id: None,
    })
}

/// `user` written over `base` (a new SCIM user when `None`).
fn to_scim(user: &User, base: Option<wfm_scim::User>) -> wfm_scim::User {
    let mut s = base.unwrap_or_else(|| wfm_scim::User::new(user.email.clone()));
    s.external_id = Some(user.external_id.clone());
    let mut name = s.name.take().unwrap_or_default();
    name.given_name = Some(user.first_name.clone());
    name.family_name = Some(user.last_name.clone());
    s.name = Some(Name { ..name });
    s.emails = vec![
        MultiValue::new(user.email.clone())
            .with_type("work")
            .primary(),
    ];
    s.timezone = Some(user.timezone.clone());
    s.active = Some(user.is_active);
    s.roles = user.roles.iter().map(MultiValue::new).collect();
    s
}

fn apply(user: &mut User, c: &UserChanges) {
    let set = |field: &mut String, v: &Option<String>| {
        if let Some(v) = v {
            field.clone_from(v);
        }
    };
    set(&mut user.first_name, &c.first_name);
    set(&mut user.last_name, &c.last_name);
    set(&mut user.email, &c.email);
    set(&mut user.timezone, &c.timezone);
    if let Some(a) = c.is_active {
        user.is_active = a;
    }
    if let Some(r) = &c.roles {
        user.roles.clone_from(r);
    }
}

impl UserStore for ScimBackend {
    fn get_user<'a>(&'a self, external_id: &'a str) -> BoxFuture<'a, Result<Option<User>, Error>> {
        Box::pin(async move { Ok(self.find(external_id).await?.as_ref().and_then(from_scim)) })
    }

    fn update_user<'a>(&'a self, changes: &'a UserChanges) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            // Read, change, replace with If-Match; a concurrent change (412) reads again.
            let mut tries = 0;
            loop {
                let Some(current) = self.find(&changes.external_id).await? else {
                    return Err(Error::NotFound(changes.external_id.clone()));
                };
                let mut user = from_scim(&current).expect("found by externalId");
                apply(&mut user, changes);
                match self.client.replace(&to_scim(&user, Some(current))).await {
                    Ok(_) => return Ok(()),
                    Err(wfm_scim::Error::VersionConflict(_)) if tries < 3 => tries += 1,
                    Err(e) => return Err(e.into()),
                }
            }
        })
    }

    fn create_user<'a>(&'a self, user: &'a User) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            self.client.create(&to_scim(user, None)).await?;
            Ok(())
        })
    }
}

impl Backend for ScimBackend {
    fn list_users(&self) -> UserStream<'_> {
        self.client
            .list::<wfm_scim::User>(ListQuery::new())
            .filter_map(|r| async move {
                match r {
                    Ok(u) => from_scim(&u).map(Ok),
                    Err(e) => Some(Err(Error::from(e))),
                }
            })
            .boxed()
    }

    fn stats(&self) -> Option<wfm_http::Stats> {
        Some(self.client.transport().stats())
    }

    fn list_roles(&self) -> BoxFuture<'_, Result<Option<Vec<Role>>, Error>> {
        Box::pin(async move { Ok(self.roles.clone()) })
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
