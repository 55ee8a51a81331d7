//! [`GraphBackend`]: the sync engine's [`CalendarBackend`] on Microsoft Graph.

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt, TryStreamExt};
use wfm_auth::Grants;
use wfm_auth::ScopeSet;
use wfm_auth::scope::graph::{CalendarsRead, CalendarsReadWrite, MicrosoftGraph};

use crate::batch::{BatchRequest, MAX_BATCH};
use crate::client::Client;
use crate::error::{Error, InputError};
use crate::event::{Event, NewEvent, ShowAs, Tag};
use crate::sync::{CalendarBackend, Content, Desired, OtherEvent, OurEvent, Write};
use std::time::Duration;
use wfm_http::Method;

/// The sync engine's backend on Microsoft Graph: our events are found by the tag property,
/// created with a `transactionId`, written over with PATCH and removed with DELETE.
#[derive(Debug, Clone)]
pub struct GraphBackend<S: ScopeSet<MicrosoftGraph> = CalendarsReadWrite> {
    client: Client<S>,
    page_size: u32,
    batching: bool,
}

impl<S: ScopeSet<MicrosoftGraph>> GraphBackend<S> {
    /// A backend over `client`, listing 100 events a page.
    pub fn new(client: Client<S>) -> Self {
        Self {
            client,
            page_size: 100,
            batching: false,
        }
    }

    /// Send a mailbox's writes as `$batch`es of up to 20, one batch at a time per mailbox
    /// (Outlook runs 4 items of a batch at once, the mailbox's whole allowance): fewer round
    /// trips, the same number of operations against the mailbox's quota. Throttled items are
    /// resent alone, after their own `Retry-After`.
    pub fn batching(mut self, on: bool) -> Self {
        self.batching = on;
        self
    }

    /// The page size asked for when listing (Graph may send fewer).
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = n.max(1);
        self
    }
}

/// The batch item of one write.
fn batch_request<S: ScopeSet<MicrosoftGraph>>(
    client: &Client<S>,
    mailbox: &str,
    n: usize,
    w: &Write,
) -> Result<BatchRequest, InputError> {
    let id = n.to_string();
    Ok(match w {
        Write::Create(d) => BatchRequest {
            id,
            method: Method::POST,
            url: client.events_url(mailbox, None),
            body: Some(new_event(d).to_json(true)?),
        },
        Write::Update(eid, d) => BatchRequest {
            id,
            method: Method::PATCH,
            url: client.events_url(mailbox, Some(eid)),
            body: Some(new_event(d).to_json(false)?),
        },
        Write::Delete(eid, _) => BatchRequest {
            id,
            method: Method::DELETE,
            url: client.events_url(mailbox, Some(eid)),
            body: None,
        },
    })
}

fn new_event(d: &Desired) -> NewEvent {
    let show_as = match d.content.show_as.as_str() {
        "free" => ShowAs::Free,
        "busy" => ShowAs::Busy,
        "workingElsewhere" => ShowAs::WorkingElsewhere,
        _ => ShowAs::Tentative,
    };
    NewEvent {
        subject: d.content.subject.clone(),
        body: d.content.body.clone(),
        start: d.content.start,
        end: d.content.end,
        time_zone: d.time_zone,
        location: d.content.location.clone(),
        show_as,
        categories: d.content.categories.clone(),
        tag: Some(Tag {
            shift_id: d.shift_id.clone(),
            hash: d.hash.clone(),
        }),
        transaction_id: Some(d.transaction_id.clone()),
    }
}

fn ours(e: Event) -> Option<OurEvent> {
    let tag = e.tag?;
    Some(OurEvent {
        id: e.id,
        shift_id: tag.shift_id,
        written_hash: tag.hash,
        observed: Content {
            subject: e.subject,
            body: e.body,
            start: e.start,
            end: e.end,
            location: e.location,
            show_as: e.show_as.unwrap_or_default(),
            categories: e.categories,
        },
    })
}

impl<S> CalendarBackend for GraphBackend<S>
where
    S: ScopeSet<MicrosoftGraph> + Grants<CalendarsReadWrite> + Grants<CalendarsRead> + Send + Sync,
{
    type Error = Error;

    /// Graph needs a Windows zone name: the shift's IANA zone must map through CLDR.
    fn validate(&self, event: &Desired) -> Result<(), InputError> {
        match event.time_zone {
            Some(tz) => crate::tz::windows_zone_of(tz).map(drop),
            None => Ok(()),
        }
    }

    fn preflight(&self) -> BoxFuture<'_, Result<(), Error>> {
        self.client.preflight()
    }

    fn list_ours<'a>(&'a self, mailbox: &'a str) -> BoxFuture<'a, Result<Vec<OurEvent>, Error>> {
        async move {
            let events: Vec<Event> = self
                .client
                .tagged_events(mailbox, self.page_size)
                .try_collect()
                .await?;
            Ok(events.into_iter().filter_map(ours).collect())
        }
        .boxed()
    }

    /// Graph's calendarView lists a mailbox's events in a window, so `override` is offered.
    fn can_list_window(&self) -> bool {
        true
    }

    /// `GET /users/{id}/calendarView` over the window (occurrences of recurring events
    /// expanded; deleting one deletes that occurrence only).
    fn list_window<'a>(
        &'a self,
        mailbox: &'a str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Vec<OtherEvent>, Error>> {
        async move {
            let events: Vec<Event> = self
                .client
                .calendar_view(mailbox, from, to, self.page_size)
                .try_collect()
                .await?;
            Ok(events
                .into_iter()
                .map(|e| OtherEvent {
                    free: e.show_as.as_deref() == Some("free"),
                    id: e.id,
                    start: e.start,
                    end: e.end,
                })
                .collect())
        }
        .boxed()
    }

    fn create<'a>(
        &'a self,
        mailbox: &'a str,
        event: &'a Desired,
    ) -> BoxFuture<'a, Result<(), Error>> {
        async move {
            let e = new_event(event);
            self.client.create_event(mailbox, &e).await.map(drop)
        }
        .boxed()
    }

    fn update<'a>(
        &'a self,
        mailbox: &'a str,
        id: &'a str,
        event: &'a Desired,
    ) -> BoxFuture<'a, Result<(), Error>> {
        async move {
            let e = new_event(event);
            self.client.update_event(mailbox, id, &e).await
        }
        .boxed()
    }

    fn delete<'a>(&'a self, mailbox: &'a str, id: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        self.client.delete_event(mailbox, id)
    }

    fn apply<'a>(
        &'a self,
        mailbox: &'a str,
        writes: &'a [Write],
    ) -> BoxFuture<'a, Vec<Result<(), Error>>> {
        if !self.batching {
            return futures::stream::iter(writes)
                .map(move |w| match w {
                    Write::Create(d) => self.create(mailbox, d),
                    Write::Update(id, d) => self.update(mailbox, id, d),
                    Write::Delete(id, _) => self.delete(mailbox, id),
                })
                .buffered(4)
                .collect::<Vec<_>>()
                .boxed();
        }
        async move {
            let mut out = Vec::with_capacity(writes.len());
            for chunk in writes.chunks(MAX_BATCH) {
                let requests: Vec<Result<BatchRequest, InputError>> = chunk
                    .iter()
                    .enumerate()
                    .map(|(i, w)| batch_request(&self.client, mailbox, i + 1, w))
                    .collect();
                let valid: Vec<BatchRequest> = requests
                    .iter()
                    .filter_map(|r| r.as_ref().ok().cloned())
                    .collect();
                let answers = if valid.is_empty() {
                    Ok(Vec::new())
                } else {
                    self.client
                        .batch(mailbox, &valid, 6, Duration::from_secs(180))
                        .await
                };
                let mut answers = match answers {
                    Ok(a) => a.into_iter(),
                    Err(e) => {
                        let msg = e.to_string();
                        out.extend(
                            chunk
                                .iter()
                                .map(|_| Err(Error::Input(InputError::Batch(msg.clone())))),
                        );
                        continue;
                    }
                };
                for r in requests {
                    out.push(match r {
                        Err(e) => Err(Error::Input(e)),
                        Ok(req) => match answers.next() {
                            Some(a) if a.is_success() => Ok(()),
                            Some(a) if req.method == Method::DELETE && a.status == 404 => Ok(()),
                            Some(a) => {
                                Err(a.error(req.method.clone(), mailbox).unwrap_or_else(|| {
                                    Error::Input(InputError::Batch("no answer".into()))
                                }))
                            }
                            None => Err(Error::Input(InputError::Batch(
                                "the batch answer lacks this item".into(),
                            ))),
                        },
                    });
                }
            }
            out
        }
        .boxed()
    }
}
