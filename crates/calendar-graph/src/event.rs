//! The events this crate writes and reads: [`NewEvent`] (what we send), [`Event`] (what Graph
//! answers, instants in UTC) and the tag that marks our events.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

use crate::error::InputError;
use crate::tz::{instant_of, local_date_time, windows_zone_of};

/// The id of the single-value extended property that tags the events we create, in our own GUID
/// namespace. Its name (`WfmShift`) is case-sensitive when filtered on, and every call uses this
/// one format of the id (see
/// <https://learn.microsoft.com/en-us/graph/api/resources/extended-properties-overview>).
pub const TAG_PROPERTY_ID: &str = "String {5d4c3a1e-9b7f-4e2a-8c61-0f3b7d2e9a54} Name WfmShift";

/// The Outlook category every event we create carries, so people can see (and filter) them.
pub use calendar_sync::TAG_CATEGORY;

/// Our tag's value: the shift id and the hash of the content we wrote, `v1|<hash>|<shift id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The WFM shift id.
    pub shift_id: String,
    /// The content hash at the time of our last write (16 hex digits).
    pub hash: String,
}

impl Tag {
    /// The property value.
    pub fn value(&self) -> String {
        format!("v1|{}|{}", self.hash, self.shift_id)
    }

    /// Reads a property value written by [`value`](Self::value).
    pub fn parse(value: &str) -> Option<Self> {
        let rest = value.strip_prefix("v1|")?;
        let (hash, shift_id) = rest.split_once('|')?;
        (!shift_id.is_empty()).then(|| Tag {
            shift_id: shift_id.to_owned(),
            hash: hash.to_owned(),
        })
    }
}

/// How an event shows on the person's free/busy (Graph's `showAs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ShowAs {
    /// `free`.
    Free,
    /// `tentative`.
    Tentative,
    /// `busy`.
    Busy,
    /// `workingElsewhere`.
    WorkingElsewhere,
}

impl ShowAs {
    /// Graph's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ShowAs::Free => "free",
            ShowAs::Tentative => "tentative",
            ShowAs::Busy => "busy",
            ShowAs::WorkingElsewhere => "workingElsewhere",
        }
    }
}

/// An event to create or to write over one of ours.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// The title.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant.
    pub end: DateTime<Utc>,
    /// The zone the event is displayed in (`None`: UTC). Only the display; the instants stay.
    pub time_zone: Option<Tz>,
    /// Location display name.
    pub location: Option<String>,
    /// Free/busy.
    pub show_as: ShowAs,
    /// Outlook categories (display names).
    pub categories: Vec<String>,
    /// Our tag, written as the single-value extended property [`TAG_PROPERTY_ID`].
    pub tag: Option<Tag>,
    /// Graph's `transactionId` for a create: a retried POST with the same one answers with the
    /// event already created (<https://learn.microsoft.com/en-us/graph/api/resources/event>).
    pub transaction_id: Option<String>,
}

impl NewEvent {
    /// The JSON body of a create (`transaction_id` included) or of a PATCH (without it: it cannot
    /// be changed after creation).
    pub fn to_json(&self, for_create: bool) -> Result<Value, InputError> {
        let (tz_name, start, end) = match self.time_zone {
            Some(tz) => (
                windows_zone_of(tz)?,
                local_date_time(self.start, tz),
                local_date_time(self.end, tz),
            ),
            None => (
                "UTC",
                local_date_time(self.start, Tz::UTC),
                local_date_time(self.end, Tz::UTC),
            ),
        };
        let mut body = json!({
            "subject": self.subject,
            "body": {"contentType": "text", "content": self.body},
            "start": {"dateTime": start, "timeZone": tz_name},
            "end": {"dateTime": end, "timeZone": tz_name},
            "location": {"displayName": self.location.clone().unwrap_or_default()},
            "showAs": self.show_as.as_str(),
            "categories": self.categories,
            "isReminderOn": false,
        });
        if let Some(tag) = &self.tag {
            body["singleValueExtendedProperties"] =
                json!([{"id": TAG_PROPERTY_ID, "value": tag.value()}]);
        }
        if for_create && let Some(t) = &self.transaction_id {
            body["transactionId"] = Value::String(t.clone());
        }
        Ok(body)
    }
}

/// An event as Graph returned it, with instants in UTC.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Event {
    /// Graph's event id.
    pub id: String,
    /// The title.
    pub subject: String,
    /// The body as text (line endings normalised to `\n`, trimmed).
    pub body: String,
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant.
    pub end: DateTime<Utc>,
    /// Location display name (`None` when empty).
    pub location: Option<String>,
    /// Graph's `showAs`, as sent.
    pub show_as: Option<String>,
    /// Categories.
    pub categories: Vec<String>,
    /// Our tag, when the event carries it and it was expanded.
    pub tag: Option<Tag>,
}

impl Event {
    /// Reads an event object; `None` when it lacks an id or readable start/end.
    pub fn from_json(v: &Value) -> Option<Self> {
        let instant = |key: &str| {
            let dt = v.get(key)?;
            instant_of(dt.get("dateTime")?.as_str()?, dt.get("timeZone")?.as_str()?)
        };
        let tag = v
            .get("singleValueExtendedProperties")
            .and_then(Value::as_array)
            .and_then(|props| {
                props.iter().find_map(|p| {
                    (p.get("id")?.as_str()?.eq_ignore_ascii_case(TAG_PROPERTY_ID))
                        .then(|| Tag::parse(p.get("value")?.as_str()?))
                        .flatten()
                })
            });
        Some(Event {
            id: v.get("id")?.as_str()?.to_owned(),
            subject: v["subject"].as_str().unwrap_or_default().to_owned(),
            body: normalise_text(v["body"]["content"].as_str().unwrap_or_default()),
            start: instant("start")?,
            end: instant("end")?,
            location: v["location"]["displayName"]
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            show_as: v["showAs"].as_str().map(str::to_owned),
            categories: v["categories"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            tag,
        })
    }
}

/// Text compared across a round trip: `\r\n` as `\n`, surrounding whitespace trimmed.
pub(crate) use calendar_sync::normalise_text;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_round_trip() {
        let tag = Tag {
            shift_id: "s|1".into(),
            hash: "00ff".into(),
        };
        assert_eq!(Tag::parse(&tag.value()), Some(tag));
        assert_eq!(Tag::parse("v2|x|y"), None);
    }
}
