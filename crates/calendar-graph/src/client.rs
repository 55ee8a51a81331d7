//! [`Client`]: events on `/users/{id}/events` through the shared transport, generic over the
//! platform's scope set, and [`graph_platform`]: a [`Platform`] set up for Microsoft Graph.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use serde_json::Value;
use url::Url;
use wfm_auth::scope::graph::{CalendarsRead, CalendarsReadWrite, MicrosoftGraph};
use wfm_auth::{
    AccessToken, AuthError, ClientCredentials, GrantSource, Grants, RequiredScopes, ScopeCheck,
    ScopeList, ScopeSet, TokenCache, TokenProvider,
};
use wfm_http::{BoxFuture, IntoUrl, Method, Page, Platform, PlatformBuilder, RateLimit, Transport};

use crate::error::Error;
use crate::event::{Event, NewEvent, TAG_PROPERTY_ID};

/// Microsoft Graph v1.0 in the global cloud. National clouds have their own hosts.
pub const GRAPH_V1: &str = "https://graph.microsoft.com/v1.0/";

/// The `Prefer` header of every call: answers in UTC and bodies as text, so that what comes
/// back compares with what was written
/// (<https://learn.microsoft.com/en-us/graph/api/user-list-events>).
pub const PREFER: &str = r#"outlook.timezone="UTC", outlook.body-content-type="text""#;

/// Outlook's limit per app and mailbox: 4 concurrent requests, 10,000 per 10 minutes
/// (<https://learn.microsoft.com/en-us/graph/throttling-limits#outlook-service-limits>).
pub fn mailbox_limit() -> RateLimit {
    RateLimit::per_period(10_000, Duration::from_secs(600)).max_concurrent(4)
}

/// A [`PlatformBuilder`] for Microsoft Graph with client credentials: the per-mailbox limit
/// ([`mailbox_limit`]) and a token source that reads the token's `roles` claim.
///
/// Microsoft does not promise that its access tokens are JWTs. When the token is a JWT, its
/// `roles` claim must satisfy `S` (a `roles` claim without `Calendars.ReadWrite`, or none at
/// all, is [`Error::MissingPermission`] before any Graph request). When it cannot be read, a
/// warning says so and the run relies on Graph's answers (a 403 then names the permission).
pub fn graph_platform<S: ScopeSet<MicrosoftGraph> + 'static>(
    credentials: ClientCredentials,
) -> Result<PlatformBuilder<S>, Error> {
    Ok(Platform::<S>::builder()
        .token_provider(RolesChecked::<S>::new(credentials)?)
        .per_key_rate_limit(mailbox_limit()))
}

/// A token cache whose tokens' `roles` claims are checked against `S` when they can be read.
struct RolesChecked<S> {
    cache: TokenCache,
    required: RequiredScopes,
    scopes: PhantomData<fn() -> S>,
}

impl<S: ScopeList> RolesChecked<S> {
    fn new(credentials: ClientCredentials) -> Result<Self, Error> {
        let cache = TokenCache::builder(credentials)
            .scope_check(ScopeCheck::NotApplicable)
            .build()
            .map_err(|e| Error::from(wfm_http::Error::from(e)))?;
        Ok(Self {
            cache,
            required: RequiredScopes::of::<S>(),
            scopes: PhantomData,
        })
    }

    fn checked(&self, token: AccessToken) -> Result<AccessToken, AuthError> {
        match wfm_auth::jwt_granted_scopes(token.secret()) {
            Ok(granted) => {
                self.required.check(&granted, GrantSource::JwtClaims)?;
                let mut out = AccessToken::new(token.secret()).with_granted_scopes(granted);
                if let Some(at) = token.expires_at() {
                    out = out.with_expires_at(at);
                }
                Ok(out)
            }
            Err(_) => {
                tracing::warn!(
                    "the Microsoft Graph access token is not a readable JWT; its `roles` cannot be checked, relying on Graph's answers"
                );
                let mut out = AccessToken::new(token.secret());
                if let Some(at) = token.expires_at() {
                    out = out.with_expires_at(at);
                }
                Ok(out)
            }
        }
    }
}

#[wfm_auth::async_trait]
impl<S: ScopeList + 'static> TokenProvider for RolesChecked<S> {
    async fn token(&self) -> Result<AccessToken, AuthError> {
        self.checked(self.cache.token().await?)
    }
    async fn refresh(&self, rejected: &AccessToken) -> Result<AccessToken, AuthError> {
        self.checked(self.cache.refresh(rejected).await?)
    }
}

/// A Microsoft Graph calendar client: events of any mailbox the app may reach, with the
/// application permissions of `S`.
pub struct Client<S: ScopeSet<MicrosoftGraph> = CalendarsReadWrite> {
    transport: Transport,
    /// A named calendar (`/users/{id}/calendars/{calendar}/...`), or the default one.
    calendar: Option<Arc<str>>,
    scopes: PhantomData<fn() -> S>,
}

impl<S: ScopeSet<MicrosoftGraph>> Clone for Client<S> {
    fn clone(&self) -> Self {
        Self {
            transport: self.transport.clone(),
            calendar: self.calendar.clone(),
            scopes: PhantomData,
        }
    }
}

impl<S: ScopeSet<MicrosoftGraph>> std::fmt::Debug for Client<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.transport.base_url().as_str())
            .field("calendar", &self.calendar)
            .finish_non_exhaustive()
    }
}

/// Where the next page of a list comes from.
enum Cursor {
    First,
    Next(Url),
}

impl<S: ScopeSet<MicrosoftGraph>> Client<S> {
    /// A client on `platform` for the Graph API at `base_url` ([`GRAPH_V1`], a national
    /// cloud's, or a stand-in's).
    pub fn new(platform: &Platform<S>, base_url: impl IntoUrl) -> Result<Self, Error> {
        Ok(Self {
            transport: platform.transport(base_url)?,
            calendar: None,
            scopes: PhantomData,
        })
    }

    /// The same client on the calendar `calendar_id` of each mailbox
    /// (`/users/{id}/calendars/{calendar_id}/events`) instead of the default calendar. The id
    /// is a calendar's Graph id, the same in every call (a dedicated "Shifts" calendar).
    /// [`delta`](Self::delta) stays on the primary calendar (delta on a named calendar is
    /// beta-only in Graph).
    pub fn in_calendar(&self, calendar_id: &str) -> Self {
        Self {
            transport: self.transport.clone(),
            calendar: Some(Arc::from(calendar_id)),
            scopes: PhantomData,
        }
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.transport
    }

    /// `users/{mailbox}[/calendars/{calendar}]/{collection}` as path segments.
    fn path<'a>(
        &'a self,
        mailbox: &'a str,
        collection: &'a str,
        id: Option<&'a str>,
    ) -> Vec<&'a str> {
        let mut p = vec!["users", mailbox];
        if let Some(c) = &self.calendar {
            p.extend(["calendars", c.as_ref()]);
        }
        p.push(collection);
        p.extend(id);
        p
    }

    /// The path of the events collection relative to the API version, for batch items.
    pub(crate) fn events_url(&self, mailbox: &str, id: Option<&str>) -> String {
        let enc = |s: &str| {
            url::form_urlencoded::byte_serialize(s.as_bytes())
                .collect::<String>()
                .replace('+', "%20")
        };
        let mut out = format!("/users/{}", enc(mailbox));
        if let Some(c) = &self.calendar {
            out.push_str(&format!("/calendars/{}", enc(c)));
        }
        out.push_str("/events");
        if let Some(id) = id {
            out.push('/');
            out.push_str(&enc(id));
        }
        out
    }

    /// Obtains a token (checking its `roles` claim where it can be read) without any Graph
    /// request: call it at start-up so that a missing permission stops the run before it writes.
    pub fn preflight<'a>(&'a self) -> BoxFuture<'a, Result<(), Error>> {
        async move {
            let platform = self.transport.platform();
            if let Some(tokens) = platform.tokens() {
                tokens
                    .token()
                    .await
                    .map_err(|e| Error::from(wfm_http::Error::Auth(e)))?;
            }
            Ok(())
        }
        .boxed()
    }

    /// Creates an event in the mailbox's default calendar: `POST /users/{id}/events` (201).
    /// Needs `Calendars.ReadWrite`. With a `transaction_id` the request is retried after a lost
    /// answer: Graph answers a repeated create with the event it already made.
    pub fn create_event<'a>(
        &'a self,
        mailbox: &'a str,
        event: &'a NewEvent,
    ) -> BoxFuture<'a, Result<Event, Error>>
    where
        S: Grants<CalendarsReadWrite>,
    {
        async move {
            let body = event.to_json(true)?;
            let mut req = self
                .transport
                .request(Method::POST, &self.path(mailbox, "events", None))
                .header("Prefer", PREFER)
                .rate_key(mailbox)
                .json(&body);
            if event.transaction_id.is_some() {
                req = req.idempotent();
            }
            let v: Value = req.send_json().await.map_err(|e| mailbox_err(e, mailbox))?;
            decode(&v, mailbox)
        }
        .boxed()
    }

    /// Reads one event with our tag expanded: `GET /users/{id}/events/{id}`. Needs
    /// `Calendars.Read` (granted by `Calendars.ReadWrite`).
    pub fn get_event<'a>(
        &'a self,
        mailbox: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Event, Error>>
    where
        S: Grants<CalendarsRead>,
    {
        async move {
            let v: Value = self
                .transport
                .request(Method::GET, &self.path(mailbox, "events", Some(id)))
                .query("$expand", expand_tag())
                .header("Prefer", PREFER)
                .rate_key(mailbox)
                .send_json()
                .await
                .map_err(|e| mailbox_err(e, mailbox))?;
            decode(&v, mailbox)
        }
        .boxed()
    }

    /// Writes `event` over an event: `PATCH /users/{id}/events/{id}` (200). Needs
    /// `Calendars.ReadWrite`. Every field is set to an absolute value, so a retried PATCH is
    /// harmless.
    pub fn update_event<'a>(
        &'a self,
        mailbox: &'a str,
        id: &'a str,
        event: &'a NewEvent,
    ) -> BoxFuture<'a, Result<(), Error>>
    where
        S: Grants<CalendarsReadWrite>,
    {
        async move {
            let body = event.to_json(false)?;
            self.transport
                .request(Method::PATCH, &self.path(mailbox, "events", Some(id)))
                .header("Prefer", PREFER)
                .rate_key(mailbox)
                .idempotent()
                .json(&body)
                .send()
                .await
                .map_err(|e| mailbox_err(e, mailbox))?;
            Ok(())
        }
        .boxed()
    }

    /// Deletes an event: `DELETE /users/{id}/events/{id}` (204). Needs `Calendars.ReadWrite`.
    /// An event already gone (404 `ErrorItemNotFound`) counts as deleted.
    pub fn delete_event<'a>(
        &'a self,
        mailbox: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<(), Error>>
    where
        S: Grants<CalendarsReadWrite>,
    {
        async move {
            match self
                .transport
                .request(Method::DELETE, &self.path(mailbox, "events", Some(id)))
                .rate_key(mailbox)
                .send()
                .await
            {
                Ok(_) => Ok(()),
                Err(e) if e.as_api().is_some_and(|a| a.status().as_u16() == 404) => Ok(()),
                Err(e) => Err(mailbox_err(e, mailbox)),
            }
        }
        .boxed()
    }

    /// The events of the mailbox's default calendar between two instants, occurrences of
    /// recurring events expanded: `GET /users/{id}/calendarView`, paged by `@odata.nextLink`
    /// followed exactly as given (`$top` only asks for a page size). Needs `Calendars.Read`.
    pub fn calendar_view(
        &self,
        mailbox: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        page_size: u32,
    ) -> BoxStream<'static, Result<Event, Error>>
    where
        S: Grants<CalendarsRead>,
    {
        let fmt = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        let query = vec![
            ("startDateTime", fmt(start)),
            ("endDateTime", fmt(end)),
            ("$top", page_size.to_string()),
        ];
        self.list(mailbox, "calendarView", query)
    }

    /// Every event of the mailbox that carries our tag ([`TAG_PROPERTY_ID`]), with the tag's
    /// value expanded (filter results do not include it otherwise): `GET /users/{id}/events`
    /// with `$filter` on the property id alone. Needs `Calendars.Read`.
    pub fn tagged_events(
        &self,
        mailbox: &str,
        page_size: u32,
    ) -> BoxStream<'static, Result<Event, Error>>
    where
        S: Grants<CalendarsRead>,
    {
        let query = vec![
            (
                "$filter",
                format!("singleValueExtendedProperties/Any(ep: ep/id eq '{TAG_PROPERTY_ID}')"),
            ),
            ("$expand", expand_tag()),
            ("$top", page_size.to_string()),
        ];
        self.list(mailbox, "events", query)
    }

    fn list(
        &self,
        mailbox: &str,
        collection: &'static str,
        query: Vec<(&'static str, String)>,
    ) -> BoxStream<'static, Result<Event, Error>> {
        let transport = self.transport.clone();
        let first: Vec<String> = self
            .path(mailbox, collection, None)
            .into_iter()
            .map(str::to_owned)
            .collect();
        let mailbox = mailbox.to_owned();
        let for_errors = mailbox.clone();
        wfm_http::paginate(Cursor::First, move |cursor| {
            let transport = transport.clone();
            let mailbox = mailbox.clone();
            let query = query.clone();
            let first = first.clone();
            async move {
                let req = match cursor {
                    Cursor::First => {
                        let segments: Vec<&str> = first.iter().map(String::as_str).collect();
                        let mut r = transport.request(Method::GET, &segments);
                        for (k, v) in &query {
                            r = r.query(k, v);
                        }
                        r
                    }
                    Cursor::Next(url) => transport.request_url(Method::GET, url),
                };
                let page: Value = req
                    .header("Prefer", PREFER)
                    .rate_key(mailbox.as_str())
                    .send_json()
                    .await?;
                let items: Vec<Event> = page["value"]
                    .as_array()
                    .map(|a| a.iter().filter_map(Event::from_json).collect())
                    .unwrap_or_default();
                let next = match page["@odata.nextLink"].as_str() {
                    Some(link) => Some(Cursor::Next(Url::parse(link).map_err(|e| {
                        wfm_http::Error::InvalidUrl(format!("@odata.nextLink: {e}"))
                    })?)),
                    None => None,
                };
                Ok(Page::new(items, next))
            }
        })
        .map(move |r| r.map_err(|e| Error::from_http(e, Some(&for_errors))))
        .boxed()
    }
}

fn expand_tag() -> String {
    format!("singleValueExtendedProperties($filter=id eq '{TAG_PROPERTY_ID}')")
}

fn mailbox_err(e: wfm_http::Error, mailbox: &str) -> Error {
    Error::from_http(e, Some(mailbox))
}

fn decode(v: &Value, mailbox: &str) -> Result<Event, Error> {
    Event::from_json(v).ok_or_else(|| {
        Error::Http(Box::new(wfm_http::Error::Decode {
            method: Method::GET,
            path: format!("/users/{mailbox}/events"),
            message: "the event lacks an id or a readable start/end".into(),
        }))
    })
}
