//! Delta on the primary calendar (`GET /users/{id}/calendarView/delta`): the changes since the
//! last round, with the `@odata.deltaLink` kept by the caller, and a full resync when Graph
//! answers 410 Gone or `syncStateNotFound`
//! (<https://learn.microsoft.com/en-us/graph/api/event-delta>,
//! <https://learn.microsoft.com/en-us/graph/delta-query-overview>).
//!
//! Delta on a named calendar is beta-only in Graph, and delta does not support `$expand` or
//! `$filter`: our tag cannot be read from a delta round, so match changes by the event ids you
//! stored.

use chrono::{DateTime, SecondsFormat, Utc};
use futures::FutureExt;
use serde_json::Value;
use url::Url;
use wfm_auth::scope::graph::{CalendarsRead, MicrosoftGraph};
use wfm_auth::{Grants, ScopeSet};
use wfm_http::{BoxFuture, Method};

use crate::client::{Client, PREFER};
use crate::error::Error;
use crate::event::Event;

/// Where a delta round starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeltaFrom {
    /// A first (full) round over a window.
    Window {
        /// Start of the window.
        start: DateTime<Utc>,
        /// End of the window.
        end: DateTime<Utc>,
    },
    /// The `@odata.deltaLink` of the previous round, and the window to resync over when Graph
    /// no longer knows it.
    Link {
        /// The link, exactly as Graph gave it.
        link: Url,
        /// Start of the window.
        start: DateTime<Utc>,
        /// End of the window.
        end: DateTime<Utc>,
    },
}

/// One round of changes.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DeltaRound {
    /// Events created or changed (or all events, on a full round).
    pub changed: Vec<Event>,
    /// Ids of events removed (`@removed`); a round may also report events that left the window.
    pub removed: Vec<String>,
    /// Keep it for the next round.
    pub delta_link: Url,
    /// Whether this was a full round: the first, or a resync after 410 / `syncStateNotFound`
    /// (then `changed` is everything, and what you stored should be replaced).
    pub full: bool,
}

impl<S: ScopeSet<MicrosoftGraph>> Client<S> {
    /// One delta round of the mailbox's primary calendar, all pages followed by
    /// `@odata.nextLink`. Needs `Calendars.Read`.
    pub fn delta<'a>(
        &'a self,
        mailbox: &'a str,
        from: &'a DeltaFrom,
    ) -> BoxFuture<'a, Result<DeltaRound, Error>>
    where
        S: Grants<CalendarsRead>,
    {
        async move {
            match from {
                DeltaFrom::Window { start, end } => {
                    self.delta_round(mailbox, None, *start, *end).await
                }
                DeltaFrom::Link { link, start, end } => {
                    match self
                        .delta_round(mailbox, Some(link.clone()), *start, *end)
                        .await
                    {
                        Err(e) if needs_resync(&e) => {
                            tracing::info!(
                                mailbox,
                                "delta state lost (410 or syncStateNotFound); full resync"
                            );
                            self.delta_round(mailbox, None, *start, *end).await
                        }
                        other => other,
                    }
                }
            }
        }
        .boxed()
    }

    async fn delta_round(
        &self,
        mailbox: &str,
        link: Option<Url>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<DeltaRound, Error> {
        let full = link.is_none();
        let mut round = DeltaRound {
            changed: Vec::new(),
            removed: Vec::new(),
            delta_link: self.transport().base_url().clone(),
            full,
        };
        let mut req = match link {
            Some(url) => self.transport().request_url(Method::GET, url),
            None => {
                let fmt = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
                self.transport()
                    .request(Method::GET, &["users", mailbox, "calendarView", "delta"])
                    .query("startDateTime", fmt(start))
                    .query("endDateTime", fmt(end))
            }
        };
        loop {
            let page: Value = req
                .header("Prefer", PREFER)
                .rate_key(mailbox)
                .send_json()
                .await
                .map_err(|e| Error::from_http(e, Some(mailbox)))?;
            for item in page["value"].as_array().into_iter().flatten() {
                if item.get("@removed").is_some() {
                    if let Some(id) = item["id"].as_str() {
                        round.removed.push(id.to_owned());
                    }
                } else if let Some(e) = Event::from_json(item) {
                    round.changed.push(e);
                }
            }
            let link = |key: &str| {
                page[key].as_str().map(|l| {
                    Url::parse(l).map_err(|e| {
                        Error::from(wfm_http::Error::InvalidUrl(format!("{key}: {e}")))
                    })
                })
            };
            if let Some(n) = link("@odata.nextLink") {
                req = self.transport().request_url(Method::GET, n?);
                continue;
            }
            match link("@odata.deltaLink") {
                Some(d) => {
                    round.delta_link = d?;
                    return Ok(round);
                }
                None => {
                    return Err(Error::from(wfm_http::Error::Decode {
                        method: Method::GET,
                        path: format!("/users/{mailbox}/calendarView/delta"),
                        message: "a delta page has neither @odata.nextLink nor @odata.deltaLink"
                            .into(),
                    }));
                }
            }
        }
    }
}

/// 410 Gone, or a 4xx whose code is `syncStateNotFound` (or `resyncRequired`).
fn needs_resync(e: &Error) -> bool {
    e.as_http()
        .and_then(wfm_http::Error::as_api)
        .is_some_and(|a| {
            a.status().as_u16() == 410
                || (a.status().is_client_error()
                    && a.code().is_some_and(|c| {
                        c.eq_ignore_ascii_case("syncStateNotFound")
                            || c.eq_ignore_ascii_case("resyncRequired")
                    }))
        })
}
