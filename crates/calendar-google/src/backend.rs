//! [`GoogleBackend`]: the sync engine's [`CalendarBackend`] on Google Calendar.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use calendar_sync::{CalendarBackend, Content, Desired, OtherEvent, OurEvent, Write};
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use futures::{FutureExt, StreamExt, TryStreamExt};
use wfm_auth::{Grants, ScopeSet};
use wfm_http::Method;

use crate::batch::{BatchAnswer, BatchCall};
use crate::client::Client;
use crate::event::{Event, NewEvent, Tag};
use crate::{CalendarEvents, Error, Google, event_id, is_slow_down};

/// What an incremental backend knows of one mailbox: the sync token and the events so far.
#[derive(Default)]
struct Mirror {
    token: Option<String>,
    events: HashMap<String, Event>,
}

/// The sync engine's backend on Google Calendar: our events are found by the private extended
/// property `wfmSync=v1`, inserted with the shift's own id ([`event_id`]), written over with
/// PATCH, deleted with DELETE; an insert answered 409 (the id exists, live or deleted) becomes
/// a PATCH with `status: confirmed`, which restores a deleted event rather than duplicating it.
#[derive(Clone)]
pub struct GoogleBackend<S: ScopeSet<Google> = CalendarEvents> {
    client: Client<S>,
    page_size: u32,
    batch: Option<usize>,
    batch_attempts: u32,
    batch_backoff: Duration,
    incremental: Option<Arc<Mutex<HashMap<String, Mirror>>>>,
    preflight_as: Option<String>,
}

impl<S: ScopeSet<Google>> std::fmt::Debug for GoogleBackend<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoogleBackend")
            .field("client", &self.client)
            .field("page_size", &self.page_size)
            .field("batch", &self.batch)
            .field("incremental", &self.incremental.is_some())
            .field("preflight_as", &self.preflight_as)
            .finish_non_exhaustive()
    }
}

impl<S: ScopeSet<Google>> GoogleBackend<S> {
    /// A backend over `client`, listing 250 events a page, one call per write.
    pub fn new(client: Client<S>) -> Self {
        Self {
            client,
            page_size: 250,
            batch: None,
            batch_attempts: 6,
            batch_backoff: Duration::from_secs(1),
            incremental: None,
            preflight_as: None,
        }
    }

    /// The page size asked for when listing (Google may send fewer, even none, on a page).
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = n.clamp(1, 2500);
        self
    }

    /// Send a mailbox's writes as batches of up to `size` calls (`0`: one call per write;
    /// [`DEFAULT_BATCH`](crate::batch::DEFAULT_BATCH) is Google's advice). Fewer round trips, the same quota: each call
    /// counts against the per-user limit. Parts answered with a slow-down (403
    /// `rateLimitExceeded` / `userRateLimitExceeded`, 429) or a 5xx are resent in the next
    /// batch after a backoff; an insert answered 409 is resent as a PATCH.
    pub fn batching(mut self, size: usize) -> Self {
        self.batch = (size > 0).then_some(size.min(crate::batch::MAX_BATCH));
        self
    }

    /// Batched parts are sent at most `attempts` times, the backoff doubling from `base`
    /// (default 6 and 1 s).
    pub fn batch_retry(mut self, attempts: u32, base: Duration) -> Self {
        self.batch_attempts = attempts.max(1);
        self.batch_backoff = base;
        self
    }

    /// List each mailbox incrementally (`syncToken`): the first run lists every event of the
    /// calendar, later runs only what changed (deleted events included), filtered by our tag
    /// here. A token Google no longer accepts (410) starts over with a full list.
    pub fn incremental(mut self, on: bool) -> Self {
        self.incremental = on.then(Default::default);
        self
    }

    /// Obtain `mailbox`'s delegated token in [`CalendarBackend::preflight`], before any
    /// Calendar request: a service account without domain-wide delegation for the scopes stops
    /// the run there, with nothing written.
    pub fn preflight_as(mut self, mailbox: impl Into<String>) -> Self {
        self.preflight_as = Some(mailbox.into());
        self
    }

    /// The client.
    pub fn client(&self) -> &Client<S> {
        &self.client
    }
}

/// The event of a wanted shift.
pub fn new_event(d: &Desired) -> NewEvent {
    NewEvent {
        id: Some(event_id(&d.shift_id)),
        summary: d.content.subject.clone(),
        description: d.content.body.clone(),
        start: d.content.start,
        end: d.content.end,
        time_zone: d.time_zone,
        location: d.content.location.clone(),
        // Google has no "tentative" free/busy: anything but busy does not block time.
        transparent: d.content.show_as != "busy",
        categories: d.content.categories.clone(),
        tag: Some(Tag {
            shift_id: d.shift_id.clone(),
            hash: d.hash.clone(),
        }),
    }
}

/// One of ours, as the engine compares it: live, tagged, with instants.
fn ours(e: &Event) -> Option<OurEvent> {
    if e.is_cancelled() {
        return None;
    }
    let tag = e.tag.clone()?;
    Some(OurEvent {
        id: e.id.clone(),
        shift_id: tag.shift_id,
        written_hash: tag.hash,
        observed: Content {
            subject: e.summary.clone(),
            body: e.description.clone(),
            start: e.start?,
            end: e.end?,
            location: e.location.clone(),
            show_as: if e.transparent { "tentative" } else { "busy" }.to_owned(),
            categories: e.categories.clone(),
        },
    })
}

/// How many other ids a shift may take when its own event cannot be restored.
pub const REINSERTS: u32 = 3;

/// The event id of a shift's `generation`: [`event_id`] for 0; for 1 to [`REINSERTS`], the id
/// taken when the event of the previous generation was deleted and Google refused to restore it.
pub fn event_id_generation(shift_id: &str, generation: u32) -> String {
    if generation == 0 {
        event_id(shift_id)
    } else {
        event_id(&format!("{shift_id}\u{0}{generation}"))
    }
}

/// A refusal to write over a deleted event: 403 (other than a slow-down, which the transport
/// retries, and `insufficientPermissions`, which is the token's) or 404.
fn cannot_restore(err: &Error) -> bool {
    matches!(err, Error::Http(_))
        && err
            .as_http()
            .and_then(wfm_http::Error::as_api)
            .is_some_and(|a| match a.status().as_u16() {
                403 => !is_slow_down(a),
                404 => true,
                _ => false,
            })
}

fn retryable_part(api: &wfm_http::ApiError) -> bool {
    is_slow_down(api) || matches!(api.status().as_u16(), 429 | 500 | 502 | 503 | 504)
}

impl<S> GoogleBackend<S>
where
    S: ScopeSet<Google> + Grants<CalendarEvents> + Send + Sync,
{
    async fn list_incremental(
        &self,
        mirrors: &Mutex<HashMap<String, Mirror>>,
        mailbox: &str,
    ) -> Result<Vec<OurEvent>, Error> {
        let token = mirrors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(mailbox)
            .and_then(|m| m.token.clone());
        let changes = self
            .client
            .changes(mailbox, token.as_deref(), self.page_size)
            .await?;
        let mut all = mirrors.lock().unwrap_or_else(|p| p.into_inner());
        let mirror = all.entry(mailbox.to_owned()).or_default();
        if changes.full {
            mirror.events.clear();
        }
        for e in changes.events {
            // Deleted entries are dropped; only ours are kept.
            if e.is_cancelled() || e.tag.is_none() {
                mirror.events.remove(&e.id);
            } else {
                mirror.events.insert(e.id.clone(), e);
            }
        }
        mirror.token = changes.sync_token;
        Ok(mirror.events.values().filter_map(ours).collect())
    }

    async fn create_or_restore(&self, mailbox: &str, d: &Desired) -> Result<(), Error> {
        let e = new_event(d);
        match self.client.insert_event(mailbox, &e).await? {
            Some(_) => Ok(()),
            // The id exists (a lost answer of ours, or our deleted event): write over it.
            None => self.restore(mailbox, d).await,
        }
    }

    /// Writes `d` over the event whose id is the shift's (which exists: its insert answered
    /// 409), restoring it if deleted. Should Google refuse to write over it (403 or 404, as
    /// reported for events a person deleted in the Calendar UI), the shift's next id
    /// ([`event_id_generation`]) is inserted instead, up to [`REINSERTS`] times: never a
    /// duplicate, since the refused event stays deleted.
    async fn restore(&self, mailbox: &str, d: &Desired) -> Result<(), Error> {
        let mut generation = 0;
        loop {
            let e = NewEvent {
                id: Some(event_id_generation(&d.shift_id, generation)),
                ..new_event(d)
            };
            let id = e.id.clone().unwrap_or_default();
            match self.client.patch_event(mailbox, &id, &e).await {
                Ok(_) => return Ok(()),
                Err(err) if generation < REINSERTS && cannot_restore(&err) => {
                    generation += 1;
                    let next = NewEvent {
                        id: Some(event_id_generation(&d.shift_id, generation)),
                        ..new_event(d)
                    };
                    if self.client.insert_event(mailbox, &next).await?.is_some() {
                        return Ok(());
                    }
                    // That id is taken too (an earlier run's): write over it next.
                }
                Err(err) => return Err(err),
            }
        }
    }

    async fn apply_batched(
        &self,
        mailbox: &str,
        writes: &[Write],
        size: usize,
    ) -> Vec<Result<(), Error>> {
        let mut results: Vec<Option<Result<(), Error>>> = (0..writes.len()).map(|_| None).collect();
        // (write index, call, whether it is an insert)
        let mut pending: Vec<(usize, BatchCall, bool)> = writes
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let c = &self.client;
                let (call, insert) = match w {
                    Write::Create(d) => (
                        BatchCall {
                            method: Method::POST,
                            path: c.events_path_of(mailbox, None),
                            body: Some(new_event(d).to_json(true)),
                        },
                        true,
                    ),
                    Write::Update(id, d) => (
                        BatchCall {
                            method: Method::PATCH,
                            path: c.events_path_of(mailbox, Some(id)),
                            body: Some(new_event(d).to_json(false)),
                        },
                        false,
                    ),
                    Write::Delete(id, _) => (
                        BatchCall {
                            method: Method::DELETE,
                            path: c.events_path_of(mailbox, Some(id)),
                            body: None,
                        },
                        false,
                    ),
                };
                (i, call, insert)
            })
            .collect();
        // Inserts answered 409: restored one by one after the batches (rare).
        let mut restores: Vec<usize> = Vec::new();
        let mut attempt = 0u32;
        while !pending.is_empty() {
            attempt += 1;
            let mut next: Vec<(usize, BatchCall, bool)> = Vec::new();
            let mut slowed = false;
            for chunk in pending.chunks(size) {
                let calls: Vec<BatchCall> = chunk.iter().map(|(_, c, _)| c.clone()).collect();
                let answers = match self.client.batch_once(mailbox, &calls).await {
                    Ok(a) => a,
                    Err(e) => {
                        let msg = e.to_string();
                        let mut first = Some(e);
                        for (i, _, _) in chunk {
                            results[*i] = Some(Err(first
                                .take()
                                .unwrap_or_else(|| Error::Batch(msg.clone()))));
                        }
                        continue;
                    }
                };
                for ((i, call, insert), answer) in chunk.iter().zip(answers) {
                    match self.part_outcome(mailbox, call, *insert, &answer) {
                        PartOutcome::Done(r) => results[*i] = Some(r),
                        PartOutcome::AsPatch => restores.push(*i),
                        PartOutcome::Retry(err) => {
                            if attempt >= self.batch_attempts {
                                results[*i] = Some(Err(err));
                            } else {
                                slowed = true;
                                next.push((*i, call.clone(), *insert));
                            }
                        }
                    }
                }
            }
            if slowed {
                let factor = 1u32 << (attempt - 1).min(5);
                tokio::time::sleep(self.batch_backoff * factor).await;
            }
            pending = next;
        }
        for i in restores {
            if let Write::Create(d) = &writes[i] {
                results[i] = Some(self.restore(mailbox, d).await);
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(Error::Batch("no answer for this write".into()))))
            .collect()
    }

    fn part_outcome(
        &self,
        mailbox: &str,
        call: &BatchCall,
        insert: bool,
        answer: &BatchAnswer,
    ) -> PartOutcome {
        let Some(api) = answer.api_error(call.method.clone(), &call.path) else {
            return PartOutcome::Done(Ok(()));
        };
        let status = answer.status;
        if insert && status == 409 {
            return PartOutcome::AsPatch;
        }
        if call.method == Method::DELETE && matches!(status, 404 | 410) {
            return PartOutcome::Done(Ok(()));
        }
        let retry = retryable_part(&api);
        let err = Error::from_http(wfm_http::Error::Api(Box::new(api)), mailbox);
        if retry {
            PartOutcome::Retry(err)
        } else {
            PartOutcome::Done(Err(err))
        }
    }
}

enum PartOutcome {
    Done(Result<(), Error>),
    AsPatch,
    Retry(Error),
}

impl<S> CalendarBackend for GoogleBackend<S>
where
    S: ScopeSet<Google> + Grants<CalendarEvents> + Send + Sync,
{
    type Error = Error;

    fn preflight(&self) -> BoxFuture<'_, Result<(), Error>> {
        async move {
            match &self.preflight_as {
                Some(mb) => self.client.preflight(mb).await,
                None => Ok(()),
            }
        }
        .boxed()
    }

    fn list_ours<'a>(&'a self, mailbox: &'a str) -> BoxFuture<'a, Result<Vec<OurEvent>, Error>> {
        async move {
            if let Some(mirrors) = &self.incremental {
                return self.list_incremental(mirrors, mailbox).await;
            }
            let events: Vec<Event> = self
                .client
                .tagged_events(mailbox, self.page_size)
                .try_collect()
                .await?;
            Ok(events.iter().filter_map(ours).collect())
        }
        .boxed()
    }

    /// Google lists a calendar's events in a window, so `override` is offered.
    fn can_list_window(&self) -> bool {
        true
    }

    /// `GET .../events?timeMin=..&timeMax=..&singleEvents=true` (occurrences of recurring
    /// events expanded: deleting one cancels that occurrence only). All-day events (no
    /// `dateTime`) are left out, so they are never displaced; `transparent` ones count as free.
    fn list_window<'a>(
        &'a self,
        mailbox: &'a str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Vec<OtherEvent>, Error>> {
        async move {
            let events: Vec<Event> = self
                .client
                .events_between(mailbox, from, to, self.page_size)
                .try_collect()
                .await?;
            Ok(events
                .into_iter()
                .filter(|e| !e.is_cancelled())
                .filter_map(|e| {
                    Some(OtherEvent {
                        start: e.start?,
                        end: e.end?,
                        free: e.transparent,
                        id: e.id,
                    })
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
        self.create_or_restore(mailbox, event).boxed()
    }

    fn update<'a>(
        &'a self,
        mailbox: &'a str,
        id: &'a str,
        event: &'a Desired,
    ) -> BoxFuture<'a, Result<(), Error>> {
        async move {
            let e = new_event(event);
            self.client.patch_event(mailbox, id, &e).await.map(drop)
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
        match self.batch {
            Some(size) => self.apply_batched(mailbox, writes, size).boxed(),
            None => futures::stream::iter(writes)
                .map(move |w| match w {
                    Write::Create(d) => self.create(mailbox, d),
                    Write::Update(id, d) => self.update(mailbox, id, d),
                    Write::Delete(id, _) => self.delete(mailbox, id),
                })
                .buffered(4)
                .collect::<Vec<_>>()
                .boxed(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calendar_sync::{ConflictPolicy, by_mailbox, desired};

    #[test]
    fn what_we_write_reads_back_as_the_same_content() {
        let shifts = ical_feed::json::shifts_from_json(
            r#"[{"id": "s1", "agent": "jane@example.com", "start": "2026-03-30T08:00:00+02:00",
            "end": "2026-03-30T16:00:00+02:00", "timezone": "Europe/Paris", "summary": "Desk",
            "description": "Line 1\nLine 2", "location": "Site A", "categories": ["Support"],
            "last_modified": "2026-03-01T10:00:00Z"}]"#,
        )
        .unwrap();
        let by_mb = by_mailbox(shifts, &HashMap::new());
        for policy in [ConflictPolicy::Keep, ConflictPolicy::Busy] {
            let d = desired(
                "jane@example.com",
                &by_mb["jane@example.com"][0],
                policy,
                "r",
            )
            .unwrap()
            .unwrap();
            let e = Event::from_json(&new_event(&d).to_json(true)).unwrap();
            let ours = ours(&e).unwrap();
            assert_eq!(ours.observed.hash(), d.hash, "{policy:?}");
            assert_eq!(ours.written_hash, d.hash);
            assert_eq!(ours.id, event_id("s1"));
        }
    }
}
