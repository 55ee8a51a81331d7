//! [`Client`]: the Events API v3 through the shared transport, each mailbox with its own
//! delegated token, and [`google_platform`]: a [`Platform`] set up for Google Calendar.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use serde_json::Value;
use wfm_auth::google::{DelegatedTokens, ServiceAccountKey};
use wfm_auth::{Grants, ScopeSet};
use wfm_http::{
    BoxFuture, IntoUrl, Method, Page, Platform, PlatformBuilder, RateLimit, RequestBuilder,
    Transport,
};

use crate::event::{Event, NewEvent, TAG_KEY, TAG_VALUE};
use crate::{CalendarEvents, Error, Google, is_slow_down};

/// Google's API root: Calendar calls go to `{root}calendar/v3/...`, batches to
/// `{root}batch/calendar/v3`.
pub const GOOGLE_APIS: &str = "https://www.googleapis.com/";

/// Google Calendar's per-user limit: 600 requests a minute per user per project
/// (<https://developers.google.com/workspace/calendar/api/guides/quota>).
pub const PER_USER_PER_MINUTE: u32 = 600;

/// Google Calendar's per-project limit: 10,000 requests a minute
/// (<https://developers.google.com/workspace/calendar/api/guides/quota>).
pub const PER_PROJECT_PER_MINUTE: u32 = 10_000;

/// A [`PlatformBuilder`] for Google Calendar: Google's 403 `rateLimitExceeded` /
/// `userRateLimitExceeded` retried with backoff like a 429 ([`is_slow_down`]), the project's
/// rate ([`PER_PROJECT_PER_MINUTE`]) platform-wide and the user's
/// ([`PER_USER_PER_MINUTE`]) per mailbox. It has no token source of its own: each mailbox's
/// calls carry that mailbox's delegated token ([`Client::new`]).
pub fn google_platform<S: ScopeSet<Google> + 'static>() -> PlatformBuilder<S> {
    Platform::<S>::builder()
        .retryable_answer(is_slow_down)
        .rate_limit(RateLimit::per_minute(PER_PROJECT_PER_MINUTE))
        .per_key_rate_limit(per_user_limit(PER_USER_PER_MINUTE, Duration::from_secs(60)))
}

/// The per-user limit as the transport keeps it per mailbox: at most `n` calls in any window
/// of `period`, a batch counting one per part (the client sends it with
/// [`weight`](wfm_http::RequestBuilder::weight)), each call kept in the window 1 % of the
/// period longer (at least 50 ms) for the time between leaving the client and reaching Google.
/// Give it to [`PlatformBuilder::per_key_rate_limit`] when the project's quota page shows
/// another per-user limit than [`PER_USER_PER_MINUTE`].
///
/// ```
/// use std::time::Duration;
/// use calendar_google::{google_platform, per_user_limit, CalendarEvents};
///
/// let platform = google_platform::<CalendarEvents>()
///     .per_key_rate_limit(per_user_limit(300, Duration::from_secs(60)))
///     .build()?;
/// # let _ = platform; Ok::<(), wfm_http::Error>(())
/// ```
pub fn per_user_limit(n: u32, period: Duration) -> RateLimit {
    RateLimit::per_period(n, period).margin((period / 100).max(Duration::from_millis(50)))
}

/// Delegated tokens for the scopes of `S` (their full URLs), signed with `key`: what
/// [`Client::new`] takes. The scopes asked for are exactly the client's, so the ones a super
/// administrator authorises for the key's client id are the ones the compiler checked.
pub fn delegated_tokens<S: ScopeSet<Google>>(
    key: ServiceAccountKey,
) -> Result<DelegatedTokens, Error> {
    DelegatedTokens::new(key, S::names().as_slice().iter().copied())
        .map_err(|e| Error::Http(Box::new(wfm_http::Error::Auth(e))))
}

/// A Google Calendar client for many users' calendars, with the scopes of `S`
/// ([`CalendarEvents`] by default, or [`Calendar`](crate::Calendar)).
///
/// Each mailbox's calls go to its primary calendar (its address is the calendar id) with a
/// token delegated for that mailbox (`sub` = the mailbox), all on the platform's one budget.
///
/// `calendar.app.created` covers only secondary calendars the app created, never a primary
/// calendar, so a client granted only that scope calls no endpoint: the compiler refuses it.
///
/// ```compile_fail,E0277
/// use calendar_google::{delegated_tokens, google_platform, CalendarAppCreated, Client};
/// # async fn demo(key: wfm_auth::google::ServiceAccountKey) -> Result<(), calendar_google::Error> {
/// let platform = google_platform::<CalendarAppCreated>().build().unwrap();
/// let tokens = delegated_tokens::<CalendarAppCreated>(key)?;
/// let client = Client::<CalendarAppCreated>::new(&platform, calendar_google::GOOGLE_APIS, tokens)?;
/// // error[E0277]: the scope set `CalendarAppCreated` does not grant the scope `CalendarEvents`
/// client.delete_event("jane@example.com", "an-event-id").await?;
/// # Ok(()) }
/// ```
pub struct Client<S: ScopeSet<Google> = CalendarEvents> {
    transport: Transport,
    tokens: Option<DelegatedTokens>,
    calendar: Option<Arc<str>>,
    scopes: PhantomData<fn() -> S>,
}

impl<S: ScopeSet<Google>> Clone for Client<S> {
    fn clone(&self) -> Self {
        Self {
            transport: self.transport.clone(),
            tokens: self.tokens.clone(),
            calendar: self.calendar.clone(),
            scopes: PhantomData,
        }
    }
}

impl<S: ScopeSet<Google>> std::fmt::Debug for Client<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.transport.base_url().as_str())
            .field("tokens", &self.tokens)
            .field("calendar", &self.calendar)
            .finish_non_exhaustive()
    }
}

/// What an incremental list answered: the changes since the sync token (or everything, when
/// `full`), and the token of the next round.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Changes {
    /// Changed events, deleted ones (`cancelled`) included; every event when `full`.
    pub events: Vec<Event>,
    /// Whether this was a full list (no token given, or Google answered 410 to it): forget
    /// what was known of the calendar and take `events` as all of it.
    pub full: bool,
    /// The `nextSyncToken` for the next round.
    pub sync_token: Option<String>,
}

/// Where the next page comes from.
enum Cursor {
    First,
    Next(String),
}

impl<S: ScopeSet<Google>> Client<S> {
    /// A client on `platform` for Google's APIs at `base_url` ([`GOOGLE_APIS`], or a
    /// stand-in's root), each mailbox acting with its own token from `tokens` (see
    /// [`delegated_tokens`]). The per-user limit is [`PER_USER_PER_MINUTE`].
    pub fn new(
        platform: &Platform<S>,
        base_url: impl IntoUrl,
        tokens: DelegatedTokens,
    ) -> Result<Self, Error> {
        Ok(Self {
            transport: platform
                .transport(base_url)
                .map_err(|e| Error::Http(Box::new(e)))?,
            tokens: Some(tokens),
            calendar: None,
            scopes: PhantomData,
        })
    }

    /// A client whose calls carry the platform's own token (one user's, or a test's): for a
    /// platform built with a token source.
    pub fn with_platform_token(
        platform: &Platform<S>,
        base_url: impl IntoUrl,
    ) -> Result<Self, Error> {
        Ok(Self {
            transport: platform
                .transport(base_url)
                .map_err(|e| Error::Http(Box::new(e)))?,
            tokens: None,
            calendar: None,
            scopes: PhantomData,
        })
    }

    /// The same client on the calendar `calendar_id` of every mailbox instead of its primary
    /// calendar (a calendar shared with, or created for, each user under the same id).
    pub fn in_calendar(&self, calendar_id: &str) -> Self {
        let mut c = self.clone();
        c.calendar = Some(Arc::from(calendar_id));
        c
    }

    /// The delegated tokens, if the client has them.
    pub fn tokens(&self) -> Option<&DelegatedTokens> {
        self.tokens.as_ref()
    }

    /// The calendar id of `mailbox`'s calls.
    pub(crate) fn calendar_of<'a>(&'a self, mailbox: &'a str) -> &'a str {
        self.calendar.as_deref().unwrap_or(mailbox)
    }

    /// The transport acting as `mailbox`.
    pub(crate) fn transport_for(&self, mailbox: &str) -> Transport {
        match &self.tokens {
            Some(t) => self.transport.with_tokens(Arc::new(t.provider(mailbox))),
            None => self.transport.clone(),
        }
    }

    /// A request to `mailbox`'s events (or one event), as `mailbox`, counted against its
    /// per-user limit.
    fn events_request(&self, method: Method, mailbox: &str, id: Option<&str>) -> RequestBuilder {
        self.transport_for(mailbox)
            .request(method, &self.events_path(mailbox, id))
            .rate_key(mailbox)
    }

    fn events_path<'a>(&'a self, mailbox: &'a str, id: Option<&'a str>) -> Vec<&'a str> {
        let mut p = vec![
            "calendar",
            "v3",
            "calendars",
            self.calendar_of(mailbox),
            "events",
        ];
        p.extend(id);
        p
    }

    /// Obtains `mailbox`'s delegated token without any Calendar request: a service account
    /// whose domain-wide delegation lacks the scopes fails here, at the token endpoint
    /// (`AuthError::DelegationRefused`, naming the client id and the scopes to authorise).
    pub fn preflight<'a>(&'a self, mailbox: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        async move {
            if let Some(t) = &self.tokens {
                t.token_for(mailbox)
                    .await
                    .map_err(|e| Error::from_http(wfm_http::Error::Auth(e), mailbox))?;
            }
            Ok(())
        }
        .boxed()
    }

    /// Inserts an event with its client-chosen id: `POST
    /// /calendar/v3/calendars/{calendarId}/events`. Scope: [`CalendarEvents`]. Retried safely
    /// after a lost answer (the id makes a replay answer 409). `Ok(None)`: the id exists
    /// already, live or deleted (`cancelled`): [`patch_event`](Self::patch_event) it instead
    /// (which also restores a deleted one).
    pub fn insert_event<'a>(
        &'a self,
        mailbox: &'a str,
        event: &'a NewEvent,
    ) -> BoxFuture<'a, Result<Option<Event>, Error>>
    where
        S: Grants<CalendarEvents>,
    {
        async move {
            let mut req = self
                .events_request(Method::POST, mailbox, None)
                .json(&event.to_json(true));
            if event.id.is_some() {
                req = req.idempotent();
            }
            match req.send_json::<Value>().await {
                Ok(v) => decode(&v, mailbox).map(Some),
                Err(e) if e.as_api().is_some_and(|a| a.status().as_u16() == 409) => Ok(None),
                Err(e) => Err(Error::from_http(e, mailbox)),
            }
        }
        .boxed()
    }

    /// Reads one event, a deleted one included (its `status` is then `cancelled`): `GET
    /// .../events/{eventId}`. Scope: [`CalendarEvents`].
    pub fn get_event<'a>(
        &'a self,
        mailbox: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Event, Error>>
    where
        S: Grants<CalendarEvents>,
    {
        async move {
            let v: Value = self
                .events_request(Method::GET, mailbox, Some(id))
                .send_json()
                .await
                .map_err(|e| Error::from_http(e, mailbox))?;
            decode(&v, mailbox)
        }
        .boxed()
    }

    /// Writes `event` over an event: `PATCH .../events/{eventId}`. Scope: [`CalendarEvents`].
    /// Every field is absolute (`status: confirmed` included, which restores a deleted event),
    /// so a retried PATCH is harmless.
    pub fn patch_event<'a>(
        &'a self,
        mailbox: &'a str,
        id: &'a str,
        event: &'a NewEvent,
    ) -> BoxFuture<'a, Result<Event, Error>>
    where
        S: Grants<CalendarEvents>,
    {
        async move {
            let v: Value = self
                .events_request(Method::PATCH, mailbox, Some(id))
                .idempotent()
                .json(&event.to_json(false))
                .send_json()
                .await
                .map_err(|e| Error::from_http(e, mailbox))?;
            decode(&v, mailbox)
        }
        .boxed()
    }

    /// Deletes an event: `DELETE .../events/{eventId}` (204). Scope: [`CalendarEvents`]. An
    /// event already deleted (410 `deleted`) or unknown (404) counts as deleted.
    pub fn delete_event<'a>(
        &'a self,
        mailbox: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<(), Error>>
    where
        S: Grants<CalendarEvents>,
    {
        async move {
            match self
                .events_request(Method::DELETE, mailbox, Some(id))
                .idempotent()
                .send()
                .await
            {
                Ok(_) => Ok(()),
                Err(e)
                    if e.as_api()
                        .is_some_and(|a| matches!(a.status().as_u16(), 404 | 410)) =>
                {
                    Ok(())
                }
                Err(e) => Err(Error::from_http(e, mailbox)),
            }
        }
        .boxed()
    }

    /// Every live event of the mailbox carrying our tag: `GET .../events?
    /// privateExtendedProperty=wfmSync%3Dv1&maxResults=N`, paged by `pageToken` until a page
    /// has none (pages may be short, even empty, and still carry one). Deleted events are not
    /// listed. Scope: [`CalendarEvents`].
    pub fn tagged_events(
        &self,
        mailbox: &str,
        page_size: u32,
    ) -> BoxStream<'static, Result<Event, Error>>
    where
        S: Grants<CalendarEvents>,
    {
        let query = vec![
            ("privateExtendedProperty", format!("{TAG_KEY}={TAG_VALUE}")),
            ("maxResults", page_size.clamp(1, 2500).to_string()),
        ];
        self.list(mailbox, query)
    }

    /// Every live event of the mailbox that overlaps `[from, to)`, ours and the person's,
    /// occurrences of recurring events expanded: `GET .../events?timeMin=..&timeMax=..&
    /// singleEvents=true&maxResults=N`, paged like [`tagged_events`](Self::tagged_events).
    /// Scope: [`CalendarEvents`].
    pub fn events_between(
        &self,
        mailbox: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        page_size: u32,
    ) -> BoxStream<'static, Result<Event, Error>>
    where
        S: Grants<CalendarEvents>,
    {
        let at = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        let query = vec![
            ("timeMin", at(from)),
            ("timeMax", at(to)),
            ("singleEvents", "true".to_owned()),
            ("maxResults", page_size.clamp(1, 2500).to_string()),
        ];
        self.list(mailbox, query)
    }

    fn list(
        &self,
        mailbox: &str,
        query: Vec<(&'static str, String)>,
    ) -> BoxStream<'static, Result<Event, Error>> {
        let pager = self.pager(mailbox);
        let for_errors = mailbox.to_owned();
        wfm_http::paginate(Cursor::First, move |cursor| {
            let pager = pager.clone();
            let query = query.clone();
            async move {
                let (items, next, _) = pager.page(&query, cursor).await?;
                Ok(Page::new(items, next.map(Cursor::Next)))
            }
        })
        .map(move |r| r.map_err(|e| Error::from_http(e, &for_errors)))
        .boxed()
    }

    fn pager(&self, mailbox: &str) -> Pager {
        Pager {
            transport: self.transport_for(mailbox),
            path: self
                .events_path(mailbox, None)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            mailbox: mailbox.to_owned(),
        }
    }

    /// An incremental list (<https://developers.google.com/workspace/calendar/api/guides/sync>):
    /// with `sync_token`, what changed since it, deleted events included; without one, or when
    /// Google answers 410 (the token expired), every event (`full`). `syncToken` cannot be
    /// combined with `privateExtendedProperty`, `timeMin` or `timeMax`, so nothing is filtered
    /// by Google: filter by [`Event::tag`] on this side. Scope: [`CalendarEvents`].
    pub fn changes<'a>(
        &'a self,
        mailbox: &'a str,
        sync_token: Option<&'a str>,
        page_size: u32,
    ) -> BoxFuture<'a, Result<Changes, Error>>
    where
        S: Grants<CalendarEvents>,
    {
        async move {
            let size = page_size.clamp(1, 2500).to_string();
            let mut token = sync_token.map(str::to_owned);
            let pager = self.pager(mailbox);
            loop {
                let mut query = vec![("maxResults", size.clone())];
                if let Some(t) = &token {
                    query.push(("syncToken", t.clone()));
                }
                let mut events = Vec::new();
                let mut cursor = Cursor::First;
                let result = loop {
                    match pager.page(&query, cursor).await {
                        Ok((items, next, sync)) => {
                            events.extend(items);
                            match next {
                                Some(n) => cursor = Cursor::Next(n),
                                None => break Ok(sync),
                            }
                        }
                        Err(e) => break Err(e),
                    }
                };
                match result {
                    Ok(sync) => {
                        return Ok(Changes {
                            events,
                            full: token.is_none(),
                            sync_token: sync,
                        });
                    }
                    Err(e)
                        if token.is_some()
                            && e.as_api().is_some_and(|a| a.status().as_u16() == 410) =>
                    {
                        // The token expired: a full list.
                        token = None;
                    }
                    Err(e) => return Err(Error::from_http(e, mailbox)),
                }
            }
        }
        .boxed()
    }
}

/// What listing one mailbox's events needs, without the client's scope parameter.
#[derive(Clone)]
struct Pager {
    transport: Transport,
    path: Vec<String>,
    mailbox: String,
}

impl Pager {
    /// One page of `GET .../events`: its events, the next page token, the next sync token.
    async fn page(
        &self,
        query: &[(&str, String)],
        cursor: Cursor,
    ) -> Result<(Vec<Event>, Option<String>, Option<String>), wfm_http::Error> {
        let segments: Vec<&str> = self.path.iter().map(String::as_str).collect();
        let mut req = self
            .transport
            .request(Method::GET, &segments)
            .rate_key(self.mailbox.as_str());
        for (k, v) in query {
            req = req.query(k, v);
        }
        if let Cursor::Next(token) = &cursor {
            req = req.query("pageToken", token);
        }
        let page: Value = req.send_json().await?;
        let items = page["items"]
            .as_array()
            .map(|a| a.iter().filter_map(Event::from_json).collect())
            .unwrap_or_default();
        let next = page["nextPageToken"]
            .as_str()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        let sync = page["nextSyncToken"].as_str().map(str::to_owned);
        Ok((items, next, sync))
    }
}

fn decode(v: &Value, mailbox: &str) -> Result<Event, Error> {
    Event::from_json(v).ok_or_else(|| {
        Error::Http(Box::new(wfm_http::Error::Decode {
            method: Method::GET,
            path: format!("/calendar/v3/calendars/{mailbox}/events"),
            message: "the event has no id".into(),
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wfm_auth::ScopeList;

    #[test]
    fn the_delegated_scopes_are_the_clients() {
        assert_eq!(
            <CalendarEvents as ScopeList>::names().as_slice(),
            ["https://www.googleapis.com/auth/calendar.events"]
        );
    }
}
