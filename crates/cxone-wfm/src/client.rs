//! The CXone WFM [`Client`]: the user-sync contract's endpoints, each bounded by the scope it
//! needs, over the shared `wfm-http` transport.

use std::marker::PhantomData;
use std::pin::Pin;

use futures::{Stream, StreamExt};
use wfm_auth::{Grants, RolesDecide, ScopeSet};
use wfm_http::{BoxFuture, IntoUrl, Method, Page, Platform, Transport, paginate};

use crate::engine::{self, Applied};
use crate::error::Error;
use crate::model::{Role, RolesAnswer, User, UserChanges, UsersPage};
use crate::scopes::{NiceCxone, RolesRead, UsersRead, UsersWrite};

/// The largest page the contract serves.
pub const MAX_PAGE_SIZE: u32 = 200;

/// A stream of users, fetched one page at a time.
pub type UserStream<'a> = Pin<Box<dyn Stream<Item = Result<User, Error>> + Send + 'a>>;

/// A client of the WFM user-sync contract (`/api/wfm/v2/users`, `/api/wfm/v2/roles`), generic
/// over the scope set `S` of its grant. Cheap to clone.
///
/// It is made from a [`Platform<S>`]: the scopes the compiler checks on each method and the
/// scopes every token is checked against are the same type, and all the tenant's clients share
/// one rate budget. The default, [`RolesDecide`], is for grants without scopes (a CXone access
/// key, where the security profile decides): every method compiles.
///
/// ```no_run
/// use cxone_wfm::scopes::{RolesRead, UsersRead, UsersWrite};
/// use cxone_wfm::{Client, User};
/// use wfm_auth::{ClientAuth, ClientCredentials};
/// use wfm_http::{Platform, RateLimit};
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let credentials = ClientCredentials::new("https://tenant.example/api/oauth/token", "id", "secret")
///     .auth_style(ClientAuth::RequestBody);
/// let platform = Platform::<(UsersRead, UsersWrite, RolesRead)>::builder()
///     .credentials(credentials)
///     .rate_limit(RateLimit::per_second(20))
///     .build()?;
/// let client = Client::new(&platform, "https://tenant.example")?;
/// let user = User::new("EMP-1", "Sarah", "Connor", "s.connor@example.com", "America/Chicago");
/// client.upsert_user(&user).await?;
/// # Ok(()) }
/// ```
///
/// A read-only client cannot write, and the compiler names the scope:
///
/// ```compile_fail,E0277
/// # async fn demo(platform: wfm_http::Platform<cxone_wfm::scopes::UsersRead>) -> Result<(), cxone_wfm::Error> {
/// let client = cxone_wfm::Client::new(&platform, "https://tenant.example")?;
/// let user = cxone_wfm::User::new("EMP-1", "Sarah", "Connor", "s@example.com", "UTC");
/// client.upsert_user(&user).await?;
/// // error[E0277]: the scope set `UsersRead` does not grant the scope `UsersWrite`
/// # Ok(()) }
/// ```
pub struct Client<S: ScopeSet<NiceCxone> = RolesDecide> {
    transport: Transport,
    scopes: PhantomData<fn() -> S>,
}

impl<S: ScopeSet<NiceCxone>> Clone for Client<S> {
    fn clone(&self) -> Self {
        Self {
            transport: self.transport.clone(),
            scopes: PhantomData,
        }
    }
}

impl<S: ScopeSet<NiceCxone>> std::fmt::Debug for Client<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("transport", &self.transport)
            .finish()
    }
}

const USERS: [&str; 4] = ["api", "wfm", "v2", "users"];

impl<S: ScopeSet<NiceCxone>> Client<S> {
    /// A client for the API host `base_url` (the paths `/api/wfm/v2/...` are appended), sharing
    /// `platform`'s HTTP client, rate budget, breaker, retry policy and tokens.
    pub fn new(platform: &Platform<S>, base_url: impl IntoUrl) -> Result<Self, Error> {
        Ok(Self {
            transport: platform.transport(base_url)?,
            scopes: PhantomData,
        })
    }

    /// The transport the client sends through.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// `GET /api/wfm/v2/users/{externalId}`: the user, or `None` when the server answers 404.
    ///
    /// Scope: [`UsersRead`] (`wfm.users.read`).
    pub fn get_user<'a>(
        &'a self,
        external_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<User>, Error>>
    where
        S: Grants<UsersRead>,
    {
        Box::pin(async move {
            let seg = [USERS[0], USERS[1], USERS[2], USERS[3], external_id];
            match self
                .transport
                .request(Method::GET, &seg)
                .send_json::<User>()
                .await
            {
                Ok(user) => Ok(Some(user)),
                Err(e) => {
                    let e = Error::from(e);
                    if e.is_not_found() { Ok(None) } else { Err(e) }
                }
            }
        })
    }

    /// `PUT /api/wfm/v2/users/{externalId}` with the fields in `changes` (the others are kept).
    /// A user that does not exist is an [`Error`] whose [`is_not_found`](Error::is_not_found)
    /// is true; the transport retries 429/502/503/504 and lost connections (a PUT is idempotent).
    ///
    /// Scope: [`UsersWrite`] (`wfm.users.write`).
    pub fn update_user<'a>(&'a self, changes: &'a UserChanges) -> BoxFuture<'a, Result<(), Error>>
    where
        S: Grants<UsersWrite>,
    {
        Box::pin(async move {
            let seg = [
                USERS[0],
                USERS[1],
                USERS[2],
                USERS[3],
                changes.external_id.as_str(),
            ];
            self.transport
                .request(Method::PUT, &seg)
                .json(changes)
                .send()
                .await?;
            Ok(())
        })
    }

    /// `POST /api/wfm/v2/users`: creates `user`. Not marked idempotent, so the transport never
    /// repeats it after it may have reached the server: a 409 means the `externalId` exists,
    /// and an [`outcome_unknown`](Error::outcome_unknown) error means it may have been applied.
    /// [`upsert_user`](Self::upsert_user) handles both.
    ///
    /// Scope: [`UsersWrite`] (`wfm.users.write`).
    pub fn create_user<'a>(&'a self, user: &'a User) -> BoxFuture<'a, Result<(), Error>>
    where
        S: Grants<UsersWrite>,
    {
        Box::pin(async move {
            self.transport
                .request(Method::POST, &USERS)
                .json(user)
                .send()
                .await?;
            Ok(())
        })
    }

    /// `GET /api/wfm/v2/users?page=n&pageSize=200[&isActive=...]` as a stream of users, one page
    /// in memory at a time; `active: None` lists everyone. Pages are 1-based; an empty page ends
    /// the list.
    ///
    /// Scope: [`UsersRead`] (`wfm.users.read`).
    pub fn users(&self, active: Option<bool>) -> UserStream<'_>
    where
        S: Grants<UsersRead>,
    {
        self.users_paged(active, MAX_PAGE_SIZE)
    }

    /// [`users`](Self::users) with another page size (at most [`MAX_PAGE_SIZE`]).
    ///
    /// Scope: [`UsersRead`] (`wfm.users.read`).
    pub fn users_paged(&self, active: Option<bool>, page_size: u32) -> UserStream<'_>
    where
        S: Grants<UsersRead>,
    {
        let size = page_size.clamp(1, MAX_PAGE_SIZE);
        paginate(1u64, move |page| {
            let t = self.transport.clone();
            async move {
                let mut req = t
                    .request(Method::GET, &USERS)
                    .query("page", page.to_string())
                    .query("pageSize", size.to_string());
                if let Some(active) = active {
                    req = req.query("isActive", active.to_string());
                }
                let body: UsersPage = req.send_json().await?;
                let seen = (page - 1) * u64::from(size) + body.users.len() as u64;
                let more = !body.users.is_empty() && body.total_count.is_none_or(|t| seen < t);
                Ok(Page::new(body.users, more.then_some(page + 1)))
            }
        })
        .map(|r| r.map_err(Error::from))
        .boxed()
    }

    /// `GET /api/wfm/v2/roles`: every role users may carry (the engine checks each row's role
    /// against this list before sending anything).
    ///
    /// Scope: [`RolesRead`] (`wfm.roles.read`). A client whose grant lacks it cannot call it:
    ///
    /// ```compile_fail,E0277
    /// use cxone_wfm::scopes::{UsersRead, UsersWrite};
    /// # async fn demo(platform: wfm_http::Platform<(UsersRead, UsersWrite)>) -> Result<(), cxone_wfm::Error> {
    /// let client = cxone_wfm::Client::new(&platform, "https://tenant.example")?;
    /// let roles = client.roles().await?;
    /// // error[E0277]: the scope set `(UsersRead, UsersWrite)` does not grant the scope `RolesRead`
    /// # Ok(()) }
    /// ```
    pub fn roles(&self) -> BoxFuture<'_, Result<Vec<Role>, Error>>
    where
        S: Grants<RolesRead>,
    {
        Box::pin(async move {
            let body: RolesAnswer = self
                .transport
                .request(Method::GET, &["api", "wfm", "v2", "roles"])
                .send_json()
                .await?;
            Ok(body.roles)
        })
    }

    /// Makes the server hold `user` (active, with these fields), without ever creating a
    /// duplicate: an optimistic full PUT; on 404 a GET, and a POST only if the GET confirms the
    /// user is absent; a POST answered 409 turns into a PUT; a POST whose outcome is unknown is
    /// checked with a GET before it is repeated.
    ///
    /// Scopes: [`UsersWrite`] (`wfm.users.write`) and [`UsersRead`] (`wfm.users.read`).
    pub fn upsert_user<'a>(&'a self, user: &'a User) -> BoxFuture<'a, Result<Applied, Error>>
    where
        S: Grants<UsersWrite> + Grants<UsersRead>,
    {
        Box::pin(async move {
            let changes = UserChanges::all_of(user);
            engine::update_or_create(self, &changes, Some(user), &engine::Tally::default()).await
        })
    }
}
