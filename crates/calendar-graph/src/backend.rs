//! [`GraphBackend`]: the sync engine's [`CalendarBackend`] on Microsoft Graph.

use futures::future::BoxFuture;
use futures::{FutureExt, TryStreamExt};
use wfm_auth::Grants;
use wfm_auth::ScopeSet;
use wfm_auth::scope::graph::{CalendarsRead, CalendarsReadWrite, MicrosoftGraph};

use crate::client::Client;
use crate::error::Error;
use crate::event::{Event, NewEvent, ShowAs, Tag};
use crate::sync::{CalendarBackend, Content, Desired, OurEvent};

/// The sync engine's backend on Microsoft Graph: our events are found by the tag property,
/// created with a `transactionId`, written over with PATCH and removed with DELETE.
#[derive(Debug, Clone)]
pub struct GraphBackend<S: ScopeSet<MicrosoftGraph> = CalendarsReadWrite> {
    client: Client<S>,
    page_size: u32,
}

impl<S: ScopeSet<MicrosoftGraph>> GraphBackend<S> {
    /// A backend over `client`, listing 100 events a page.
    pub fn new(client: Client<S>) -> Self {
        Self {
            client,
            page_size: 100,
        }
    }

    /// The page size asked for when listing (Graph may send fewer).
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = n.max(1);
        self
    }
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
}
