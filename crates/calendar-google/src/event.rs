//! The events this crate writes and reads: [`NewEvent`] (what we send), [`Event`] (what Google
//! answers) and the [`Tag`] in `extendedProperties.private` that marks ours
//! (<https://developers.google.com/workspace/calendar/api/guides/extended-properties>).

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};

/// The private extended property every event of ours carries, with the value [`TAG_VALUE`]:
/// what `privateExtendedProperty=wfmSync=v1` lists.
pub const TAG_KEY: &str = "wfmSync";
/// The value of [`TAG_KEY`].
pub const TAG_VALUE: &str = "v1";
/// The private extended property holding the shift id.
pub const SHIFT_KEY: &str = "wfmShiftId";
/// The private extended property holding the content hash of our last write.
pub const HASH_KEY: &str = "wfmHash";
/// The private extended property holding the shift's categories (Google events have none),
/// joined by `\u{1f}`.
pub const CATEGORIES_KEY: &str = "wfmCategories";

/// Our tag: the shift id and the hash of the content we wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The WFM shift id.
    pub shift_id: String,
    /// The content hash at the time of our last write (16 hex digits).
    pub hash: String,
}

/// An event to insert, or to write over one of ours (every field absolute, so a retried
/// PATCH is harmless).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// The client-chosen id ([`event_id`](crate::event_id)); only sent on insert.
    pub id: Option<String>,
    /// The title (`summary`).
    pub summary: String,
    /// Plain-text `description`.
    pub description: String,
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant.
    pub end: DateTime<Utc>,
    /// The zone the event is displayed in (`None`: UTC). Only the display; the instants stay.
    pub time_zone: Option<Tz>,
    /// Location.
    pub location: Option<String>,
    /// `transparency: transparent` (the event does not block time) instead of `opaque`.
    pub transparent: bool,
    /// Categories, kept in [`CATEGORIES_KEY`].
    pub categories: Vec<String>,
    /// Our tag, written as private extended properties.
    pub tag: Option<Tag>,
}

impl NewEvent {
    /// The JSON body: for an insert (`id` included) or a PATCH (without it). Both set
    /// `status: confirmed`, which is also what restores a deleted (`cancelled`) event of ours.
    pub fn to_json(&self, for_insert: bool) -> Value {
        let zone = self.time_zone.unwrap_or(Tz::UTC);
        let at = |t: DateTime<Utc>| {
            json!({
                "dateTime": t.with_timezone(&zone).to_rfc3339_opts(SecondsFormat::Secs, true),
                "timeZone": zone.name(),
            })
        };
        let mut body = json!({
            "summary": self.summary,
            "description": self.description,
            "location": self.location.clone().unwrap_or_default(),
            "start": at(self.start),
            "end": at(self.end),
            "transparency": if self.transparent { "transparent" } else { "opaque" },
            "status": "confirmed",
            "reminders": {"useDefault": false, "overrides": []},
        });
        if let Some(tag) = &self.tag {
            body["extendedProperties"] = json!({"private": {
                TAG_KEY: TAG_VALUE,
                SHIFT_KEY: tag.shift_id,
                HASH_KEY: tag.hash,
                CATEGORIES_KEY: self.categories.join("\u{1f}"),
            }});
        }
        if for_insert && let Some(id) = &self.id {
            body["id"] = Value::String(id.clone());
        }
        body
    }
}

/// An event as Google answered it. A deleted one (`status: cancelled`) may carry nothing but
/// its id, as incremental lists send them.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Event {
    /// The event id.
    pub id: String,
    /// `confirmed`, `tentative` or `cancelled` (deleted).
    pub status: String,
    /// The title.
    pub summary: String,
    /// The description (line endings normalised to `\n`, trimmed).
    pub description: String,
    /// Start instant (`None` for all-day events and bare deleted entries).
    pub start: Option<DateTime<Utc>>,
    /// End instant.
    pub end: Option<DateTime<Utc>>,
    /// Location (`None` when empty).
    pub location: Option<String>,
    /// `transparency: transparent`.
    pub transparent: bool,
    /// Categories from [`CATEGORIES_KEY`].
    pub categories: Vec<String>,
    /// Our tag, when the event carries it.
    pub tag: Option<Tag>,
}

impl Event {
    /// Reads an event object; `None` when it has no id.
    pub fn from_json(v: &Value) -> Option<Self> {
        let instant = |key: &str| {
            v.get(key)?
                .get("dateTime")?
                .as_str()
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                .map(|t| t.with_timezone(&Utc))
        };
        let private = &v["extendedProperties"]["private"];
        let tag = (private[TAG_KEY].as_str() == Some(TAG_VALUE))
            .then(|| {
                Some(Tag {
                    shift_id: private[SHIFT_KEY]
                        .as_str()
                        .filter(|s| !s.is_empty())?
                        .to_owned(),
                    hash: private[HASH_KEY].as_str().unwrap_or_default().to_owned(),
                })
            })
            .flatten();
        Some(Event {
            id: v.get("id")?.as_str()?.to_owned(),
            status: v["status"].as_str().unwrap_or("confirmed").to_owned(),
            summary: v["summary"].as_str().unwrap_or_default().to_owned(),
            description: calendar_sync::normalise_text(
                v["description"].as_str().unwrap_or_default(),
            ),
            start: instant("start"),
            end: instant("end"),
            location: v["location"]
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            transparent: v["transparency"].as_str() == Some("transparent"),
            categories: private[CATEGORIES_KEY]
                .as_str()
                .filter(|s| !s.is_empty())
                .map(|s| s.split('\u{1f}').map(str::to_owned).collect())
                .unwrap_or_default(),
            tag,
        })
    }

    /// Whether the event is deleted (`status: cancelled`): it keeps its id, and is never one
    /// of the live events of a calendar.
    pub fn is_cancelled(&self) -> bool {
        self.status == "cancelled"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn round_trip_keeps_instants_tag_and_categories() {
        let e = NewEvent {
            id: Some("abcde12345".into()),
            summary: "Queue".into(),
            description: "a\r\nb ".into(),
            start: Utc.with_ymd_and_hms(2026, 3, 29, 0, 30, 0).unwrap(),
            end: Utc.with_ymd_and_hms(2026, 3, 29, 8, 30, 0).unwrap(),
            time_zone: Some(chrono_tz::Europe::Paris),
            location: None,
            transparent: true,
            categories: vec!["WFM shift".into(), "Support".into()],
            tag: Some(Tag {
                shift_id: "s|1".into(),
                hash: "00ff".into(),
            }),
        };
        let json = e.to_json(true);
        assert_eq!(json["start"]["timeZone"], "Europe/Paris");
        assert_eq!(json["start"]["dateTime"], "2026-03-29T01:30:00+01:00");
        assert_eq!(json["end"]["dateTime"], "2026-03-29T10:30:00+02:00");
        assert!(e.to_json(false).get("id").is_none());
        let back = Event::from_json(&json).unwrap();
        assert_eq!((back.start, back.end), (Some(e.start), Some(e.end)));
        assert_eq!(back.tag, e.tag);
        assert_eq!(back.categories, e.categories);
        assert_eq!(back.description, "a\nb");
        assert!(back.transparent && !back.is_cancelled());
    }

    #[test]
    fn a_bare_cancelled_entry_reads_as_cancelled_without_times() {
        let e = Event::from_json(&json!({"id": "abcde", "status": "cancelled"})).unwrap();
        assert!(e.is_cancelled());
        assert_eq!((e.start, e.tag), (None, None));
        assert!(Event::from_json(&json!({"status": "confirmed"})).is_none());
    }
}
