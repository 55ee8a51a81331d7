//! Completion of schedule imports and updates through the Genesys Cloud notification service:
//! a channel (`POST /api/v2/notifications/channels`), the business unit's schedule topic
//! (`v2.workforcemanagement.businessunits.{id}.schedules`), and its websocket.
//!
//! Subscribe **before** starting the operation, so that its completion cannot be missed. Events
//! of other operations arrive on the same topic: they are matched by `operationId` and kept
//! for a later [`wait_for`](ScheduleEvents::wait_for). Heartbeats are ignored. See
//! <https://developer.genesys.cloud/notificationsalerts/notifications/>.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::time::Duration;

use futures::StreamExt;
use tokio::net::TcpStream;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};
use wfm_auth::providers::GenesysCloud;
use wfm_auth::{Grants, ScopeSet};

use crate::client::Client;
use crate::endpoints;
use crate::error::Error;
use crate::models::{Channel, ChannelTopicListing, ScheduleNotification};
use crate::scopes::Notifications;

/// The websocket of a notification channel subscribed to one business unit's schedule topic.
pub struct ScheduleEvents {
    channel_id: String,
    topic: String,
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Final events seen for operations nobody waited for yet (at most [`KEPT`], oldest dropped).
    seen: HashMap<String, ScheduleNotification>,
    order: VecDeque<String>,
}

/// How many final events of other operations are kept for a later `wait_for`.
const KEPT: usize = 1024;

impl fmt::Debug for ScheduleEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScheduleEvents")
            .field("channel_id", &self.channel_id)
            .field("topic", &self.topic)
            .field("buffered", &self.seen.len())
            .finish_non_exhaustive()
    }
}

impl ScheduleEvents {
    /// Creates a channel, subscribes it to `v2.workforcemanagement.businessunits.{id}.schedules`
    /// and connects its websocket. A topic Genesys rejects is an error naming its missing
    /// permissions.
    ///
    /// Scope: [`Notifications`]; permissions: none for the channel
    /// ([`NOTIFICATION_CHANNELS`](endpoints::NOTIFICATION_CHANNELS)); the topic needs what
    /// reading the business unit's schedules needs.
    pub async fn subscribe<S>(client: &Client<S>, business_unit_id: &str) -> Result<Self, Error>
    where
        S: ScopeSet<GenesysCloud> + Grants<Notifications>,
    {
        let transport = client.transport();
        let host = client
            .environment()
            .login_url()
            .host_str()
            .map(str::to_owned);
        let err = |e| Error::from_http(e, host.as_deref());
        let channel: Channel = endpoints::NOTIFICATION_CHANNELS
            .request(transport, &[])
            .send_json()
            .await
            .map_err(err)?;
        let topic = format!("v2.workforcemanagement.businessunits.{business_unit_id}.schedules");
        let topics: ChannelTopicListing = endpoints::CHANNEL_SUBSCRIPTIONS
            .request(transport, &[&channel.id])
            .json(&[serde_json::json!({ "id": topic })])
            .send_json()
            .await
            .map_err(err)?;
        if let Some(rejected) = topics
            .entities
            .iter()
            .find(|t| t.id == topic && t.state.as_deref() == Some("Rejected"))
        {
            return Err(Error::Config(format!(
                "Genesys rejected the topic {topic}: {} (missing permissions: {})",
                rejected
                    .rejection_reason
                    .as_deref()
                    .unwrap_or("no reason given"),
                rejected.missing_permissions.join(", ")
            )));
        }
        let (socket, _) = tokio_tungstenite::connect_async(channel.connect_uri.as_str())
            .await
            .map_err(|e| {
                Error::Config(format!(
                    "the notification websocket did not connect ({e}); check that wss to the org's streaming host is allowed"
                ))
            })?;
        Ok(Self {
            channel_id: channel.id,
            topic,
            socket,
            seen: HashMap::new(),
            order: VecDeque::new(),
        })
    }

    /// The channel's id.
    pub fn channel_id(&self) -> &str {
        &self.channel_id
    }

    /// Waits up to `timeout` for the final event of `operation_id`: `Complete` gives the
    /// notification; `Error` and `Canceled` are [`Error::Operation`] with the operation id
    /// (Genesys' event carries no message: quote the id to support, with what was sent); no
    /// event in time is an [`Error::Operation`] whose status is `Timeout`.
    pub async fn wait_for(
        &mut self,
        operation_id: &str,
        timeout: Duration,
    ) -> Result<ScheduleNotification, Error> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(event) = self.seen.remove(operation_id) {
                self.order.retain(|id| id != operation_id);
                return finish(event);
            }
            let next = tokio::time::timeout_at(deadline, self.socket.next()).await;
            let message = match next {
                Err(_) => {
                    return Err(Error::Operation {
                        operation: "schedule upload",
                        operation_id: Some(operation_id.to_owned()),
                        status: "Timeout".into(),
                        detail: format!(
                            "no completion on {} within {timeout:?}; the operation may still finish: read the schedule before sending it again",
                            self.topic
                        ),
                    });
                }
                Ok(None) => {
                    return Err(Error::Operation {
                        operation: "schedule upload",
                        operation_id: Some(operation_id.to_owned()),
                        status: "Disconnected".into(),
                        detail: "the notification websocket closed before the operation completed"
                            .into(),
                    });
                }
                Ok(Some(Err(e))) => {
                    return Err(Error::Operation {
                        operation: "schedule upload",
                        operation_id: Some(operation_id.to_owned()),
                        status: "Disconnected".into(),
                        detail: format!("the notification websocket failed: {e}"),
                    });
                }
                Ok(Some(Ok(message))) => message,
            };
            let Message::Text(text) = message else {
                continue;
            };
            let Ok(envelope) = serde_json::from_str::<serde_json::Value>(text.as_str()) else {
                continue;
            };
            if envelope["topicName"] != self.topic.as_str() {
                continue; // heartbeats (`channel.metadata`) and other topics
            }
            let Ok(event) =
                serde_json::from_value::<ScheduleNotification>(envelope["eventBody"].clone())
            else {
                continue;
            };
            if event.status == "Processing" {
                continue;
            }
            if let Some(id) = event.operation_id.clone() {
                if self.order.len() >= KEPT
                    && let Some(oldest) = self.order.pop_front()
                {
                    self.seen.remove(&oldest);
                }
                self.order.push_back(id.clone());
                self.seen.insert(id, event);
            }
        }
    }
}

fn finish(event: ScheduleNotification) -> Result<ScheduleNotification, Error> {
    match event.status.as_str() {
        "Complete" => Ok(event),
        status => Err(Error::Operation {
            operation: "schedule upload",
            operation_id: event.operation_id.clone(),
            status: status.to_owned(),
            detail: format!(
                "Genesys reported {status} for the {} with no message; check the uploaded schedule (agents, activity codes, versions) and quote the operation id to Genesys support",
                event.event_type.as_deref().unwrap_or("schedule operation")
            ),
        }),
    }
}
