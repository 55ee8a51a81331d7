//! Zendesk users export → desired SCIM users: reads what Zendesk's `GET /api/v2/users` returns
//! and maps each row, reporting bad rows (missing or invalid email, unknown role) instead of failing.
//!
//! Field names and meanings follow Zendesk's Users API reference,
//! <https://developer.zendesk.com/api-reference/ticketing/users/users/> ("JSON format").
//!
//! **Who is provisioned, and whether they can sign in** (checked in this order):
//!
//! | Zendesk | decision |
//! |---|---|
//! | `shared: true` or `shared_agent: true` (a user or agent of *another* Zendesk instance, seen through ticket sharing) | skipped, with the reason: provision them from their own instance |
//! | `role` `end-user` (a customer) | skipped, unless [`Options::include_end_users`] (`userType` `EndUser`) |
//! | `role` `agent` | provisioned; `userType` from `role_type`: none or `0` (custom role) → `Agent`, `1` → `LightAgent`, `2` or `3` (chat agent, chat contributor) → `ChatAgent`; `chat_only: true` without `role_type` → `ChatAgent` |
//! | `role` `admin` | provisioned; `role_type` none or `4` → `Admin`, `5` → `BillingAdmin` |
//! | `role` and `role_type` that contradict each other (an agent with `role_type` 4, an admin with 1, an end-user with any), an unknown `role` or `role_type` | the row fails: access is not guessed |
//! | `active: false` (Zendesk: "false if the user has been deleted") | `active: false`, with a warning: an existing SCIM user is deactivated, a missing one is created inactive |
//! | `suspended: true` (cannot sign in) | `active: false`, with a warning, whatever `active` says |
//! | `restricted_agent`, `custom_role_id`, `ticket_restriction`, `moderator`, `only_private_comments` | read for the decisions above only; not mapped: a SCIM User has no ticket-access or forum-moderation attribute, so give those rights in the target platform's roles |
//!
//! **Attributes**:
//!
//! | Zendesk | SCIM User | notes |
//! |---|---|---|
//! | `external_id`, else `id` | `externalId` | the idempotency key |
//! | `email` | `userName`, `emails[type eq "work"]` (primary) | required; must look like an address |
//! | `name` | `displayName`; `name.givenName` = all but the last word, `name.familyName` = the last word | one word: `givenName` only; none: the email |
//! | `role`, `role_type`, `chat_only` | `userType` | see above |
//! | `active`, `suspended` | `active` | `true` only when the user is neither deleted nor suspended (absent fields: not) |
//! | `iana_time_zone`, else `time_zone` | `timezone` (IANA) | Zendesk's Rails names (`Paris`, `Eastern Time (US & Canada)`) are translated; an unknown one is left out with a warning |
//! | `phone` | `phoneNumbers[type eq "work"]` | compared on digits only |

use serde::Deserialize;
use serde_json::Value;

use super::{DesiredUser, Row};

/// How rows are mapped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Provision Zendesk `end-user` rows too (as `userType` `EndUser`); by default they are
    /// skipped, since end-users are customers, not agents.
    pub include_end_users: bool,
}

/// Why an export file could not be read at all (bad rows are not this: they are reported).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot read the Zendesk export: {0}; expected the JSON of GET /api/v2/users (an object with a \"users\" array) or a JSON array of users"
)]
pub struct ExportError(String);

/// The rows of a Zendesk users export: the body of `GET /api/v2/users` (`{"users": [...]}`,
/// possibly several pages concatenated into one array) or a bare JSON array.
pub fn read_export(bytes: &[u8]) -> Result<Vec<Value>, ExportError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| ExportError(e.to_string()))?;
    match value {
        Value::Array(rows) => Ok(rows),
        Value::Object(mut map) => match map.remove("users") {
            Some(Value::Array(rows)) => Ok(rows),
            Some(_) => Err(ExportError("\"users\" is not an array".to_owned())),
            None => Err(ExportError("the object has no \"users\" array".to_owned())),
        },
        _ => Err(ExportError(
            "the document is neither an object nor an array".to_owned(),
        )),
    }
}

/// One user as Zendesk's API returns it (the fields the mapping reads).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ZendeskUser {
    /// Zendesk's numeric id.
    #[serde(default)]
    pub id: Option<Value>,
    /// Full name.
    #[serde(default)]
    pub name: Option<String>,
    /// Primary email.
    #[serde(default)]
    pub email: Option<String>,
    /// `end-user`, `agent` or `admin`.
    #[serde(default)]
    pub role: Option<String>,
    /// The kind of agent or admin: `0` custom agent, `1` light agent, `2` chat agent, `3` chat
    /// agent added as a contributor, `4` admin, `5` billing admin; null for end-users.
    #[serde(default)]
    pub role_type: Option<i64>,
    /// The custom role of an agent (Enterprise plans).
    #[serde(default)]
    pub custom_role_id: Option<u64>,
    /// A chat-only agent.
    #[serde(default)]
    pub chat_only: Option<bool>,
    /// `false` if the user has been deleted.
    #[serde(default)]
    pub active: Option<bool>,
    /// The user is suspended: cannot sign in.
    #[serde(default)]
    pub suspended: Option<bool>,
    /// The user is shared from a different Zendesk instance (ticket sharing).
    #[serde(default)]
    pub shared: Option<bool>,
    /// The user is a shared agent from a different Zendesk instance (ticket sharing).
    #[serde(default)]
    pub shared_agent: Option<bool>,
    /// The agent has restrictions (`false` for admins and unrestricted agents). Not mapped.
    #[serde(default)]
    pub restricted_agent: Option<bool>,
    /// The user may moderate Help Center community content. Not mapped.
    #[serde(default)]
    pub moderator: Option<bool>,
    /// Rails time zone name (`Paris`).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// IANA time zone (`Europe/Paris`), when the export has it.
    #[serde(default)]
    pub iana_time_zone: Option<String>,
    /// Phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// The id in the customer's own system.
    #[serde(default)]
    pub external_id: Option<String>,
}

impl ZendeskUser {
    /// The Zendesk id as text.
    pub fn id_text(&self) -> Option<String> {
        match &self.id {
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            _ => None,
        }
    }
}

/// Map one row of the export.
pub fn map_row(row: &Value, options: &Options) -> Row {
    let raw_id = row.get("id").and_then(|v| match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    });
    let user: ZendeskUser = match serde_json::from_value(row.clone()) {
        Ok(u) => u,
        Err(e) => {
            return Row::Invalid {
                source_id: raw_id,
                reason: format!("the row is not a Zendesk user object: {e}"),
            };
        }
    };
    map_user(&user, options)
}

/// Map one Zendesk user.
pub fn map_user(user: &ZendeskUser, options: &Options) -> Row {
    let source_id = user.id_text();
    let invalid = |reason: String| Row::Invalid {
        source_id: source_id.clone(),
        reason,
    };

    if user.shared_agent == Some(true) || user.shared == Some(true) {
        let what = if user.shared_agent == Some(true) {
            "a shared agent"
        } else {
            "a shared user"
        };
        return Row::Skip {
            source_id,
            reason: format!(
                "{what} of another Zendesk instance (ticket sharing), not a member of this one; provision them from their own instance's export"
            ),
        };
    }

    let role = user.role.as_deref().map(str::trim);
    let user_type = match (role, user.role_type) {
        (Some("end-user"), _) if !options.include_end_users => {
            return Row::Skip {
                source_id,
                reason: "Zendesk end-user (a customer, not an agent); set include_end_users to provision end-users".to_owned(),
            };
        }
        (Some("end-user"), None) => "EndUser",
        (Some("agent"), None) if user.chat_only == Some(true) => "ChatAgent",
        (Some("agent"), None | Some(0)) => "Agent",
        (Some("agent"), Some(1)) => "LightAgent",
        (Some("agent"), Some(2 | 3)) => "ChatAgent",
        (Some("admin"), None | Some(4)) => "Admin",
        (Some("admin"), Some(5)) => "BillingAdmin",
        (Some(role @ ("end-user" | "agent" | "admin")), Some(t @ 0..=5)) => {
            return invalid(format!(
                "role {role:?} contradicts role_type {t} ({}); fix the user in Zendesk and export again",
                role_type_name(t)
            ));
        }
        (Some("end-user" | "agent" | "admin"), Some(t)) => {
            return invalid(format!(
                "unknown Zendesk role_type {t}; expected 0 (custom agent), 1 (light agent), 2 or 3 (chat agent), 4 (admin) or 5 (billing admin)"
            ));
        }
        (Some(other), _) => {
            return invalid(format!(
                "unknown Zendesk role {other:?}; expected agent, admin or end-user (light, chat and custom-role agents are role \"agent\" with a role_type)"
            ));
        }
        (None, _) => return invalid("no role; expected agent, admin or end-user".to_owned()),
    };

    let email = match user.email.as_deref().map(str::trim) {
        None | Some("") => {
            return invalid(
                "no email: a SCIM userName needs one; add it in Zendesk and export again"
                    .to_owned(),
            );
        }
        Some(e) if !looks_like_email(e) => {
            return invalid(format!(
                "invalid email {e:?}: fix it in Zendesk and export again"
            ));
        }
        Some(e) => e.to_owned(),
    };

    let external_id = match (user.external_id.as_deref().map(str::trim), &source_id) {
        (Some(x), _) if !x.is_empty() => x.to_owned(),
        (_, Some(id)) => id.clone(),
        (_, None) => {
            return invalid(
                "neither external_id nor id: the row cannot be matched on a later run".to_owned(),
            );
        }
    };

    let display_name = user
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&email)
        .to_owned();
    let (given_name, family_name) = match user
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        None => (None, None),
        Some(name) => match name.rsplit_once(char::is_whitespace) {
            Some((given, family)) => (Some(given.trim().to_owned()), Some(family.to_owned())),
            None => (Some(name.to_owned()), None),
        },
    };

    let mut warnings = Vec::new();
    let deleted = user.active == Some(false);
    let suspended = user.suspended == Some(true);
    if deleted {
        warnings.push(
            "deleted in Zendesk (active: false): provisioned inactive, so the user cannot sign in"
                .to_owned(),
        );
    } else if suspended {
        warnings.push(
            "suspended in Zendesk: provisioned inactive, so the user cannot sign in".to_owned(),
        );
    }

    let timezone = match (user.iana_time_zone.as_deref(), user.time_zone.as_deref()) {
        (Some(iana), _) if !iana.trim().is_empty() => Some(iana.trim().to_owned()),
        (_, Some(tz)) if !tz.trim().is_empty() => {
            let tz = tz.trim();
            let mapped = iana_of_rails(tz)
                .map(str::to_owned)
                .or_else(|| tz.contains('/').then(|| tz.to_owned()));
            if mapped.is_none() {
                warnings.push(format!(
                    "time zone {tz:?} is not a known Zendesk/Rails or IANA name; timezone left out"
                ));
            }
            mapped
        }
        _ => None,
    };

    let phone = user
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned);

    Row::Provision {
        source_id,
        user: Box::new(DesiredUser {
            external_id,
            user_name: email.clone(),
            display_name,
            given_name,
            family_name,
            email,
            phone,
            timezone,
            active: !deleted && !suspended,
            user_type: Some(user_type.to_owned()),
        }),
        warnings,
    }
}

/// Zendesk's name of a `role_type`.
fn role_type_name(t: i64) -> &'static str {
    match t {
        0 => "custom agent",
        1 => "light agent",
        2 => "chat agent",
        3 => "chat agent added as a contributor",
        4 => "admin",
        5 => "billing admin",
        _ => "unknown",
    }
}

/// A plausibility check, not RFC 5322: one `@`, a non-empty local part, a dotted domain, no
/// spaces or quotes, at most 254 characters.
fn looks_like_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    e.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !e.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | ',' | ';')
        })
}

/// The IANA zone of a Rails (`ActiveSupport::TimeZone`) name, which Zendesk's `time_zone` uses.
pub fn iana_of_rails(name: &str) -> Option<&'static str> {
    RAILS_ZONES
        .iter()
        .find(|(rails, _)| rails.eq_ignore_ascii_case(name))
        .map(|(_, iana)| *iana)
}

/// `ActiveSupport::TimeZone::MAPPING` (Rails 7), plus `UTC`.
const RAILS_ZONES: &[(&str, &str)] = &[
    ("International Date Line West", "Etc/GMT+12"),
    ("Midway Island", "Pacific/Midway"),
    ("American Samoa", "Pacific/Pago_Pago"),
    ("Hawaii", "Pacific/Honolulu"),
    ("Alaska", "America/Juneau"),
    ("Pacific Time (US & Canada)", "America/Los_Angeles"),
    ("Tijuana", "America/Tijuana"),
    ("Mountain Time (US & Canada)", "America/Denver"),
    ("Arizona", "America/Phoenix"),
    ("Chihuahua", "America/Chihuahua"),
    ("Mazatlan", "America/Mazatlan"),
    ("Central Time (US & Canada)", "America/Chicago"),
    ("Saskatchewan", "America/Regina"),
    ("Guadalajara", "America/Mexico_City"),
    ("Mexico City", "America/Mexico_City"),
    ("Monterrey", "America/Monterrey"),
    ("Central America", "America/Guatemala"),
    ("Eastern Time (US & Canada)", "America/New_York"),
    ("Indiana (East)", "America/Indiana/Indianapolis"),
    ("Bogota", "America/Bogota"),
    ("Lima", "America/Lima"),
    ("Quito", "America/Lima"),
    ("Atlantic Time (Canada)", "America/Halifax"),
    ("Caracas", "America/Caracas"),
    ("La Paz", "America/La_Paz"),
    ("Santiago", "America/Santiago"),
    ("Newfoundland", "America/St_Johns"),
    ("Brasilia", "America/Sao_Paulo"),
    ("Buenos Aires", "America/Argentina/Buenos_Aires"),
    ("Montevideo", "America/Montevideo"),
    ("Georgetown", "America/Guyana"),
    ("Puerto Rico", "America/Puerto_Rico"),
    ("Greenland", "America/Godthab"),
    ("Mid-Atlantic", "Atlantic/South_Georgia"),
    ("Azores", "Atlantic/Azores"),
    ("Cape Verde Is.", "Atlantic/Cape_Verde"),
    ("Dublin", "Europe/Dublin"),
    ("Edinburgh", "Europe/London"),
    ("Lisbon", "Europe/Lisbon"),
    ("London", "Europe/London"),
    ("Casablanca", "Africa/Casablanca"),
    ("Monrovia", "Africa/Monrovia"),
    ("UTC", "Etc/UTC"),
    ("Belgrade", "Europe/Belgrade"),
    ("Bratislava", "Europe/Bratislava"),
    ("Budapest", "Europe/Budapest"),
    ("Ljubljana", "Europe/Ljubljana"),
    ("Prague", "Europe/Prague"),
    ("Sarajevo", "Europe/Sarajevo"),
    ("Skopje", "Europe/Skopje"),
    ("Warsaw", "Europe/Warsaw"),
    ("Zagreb", "Europe/Zagreb"),
    ("Brussels", "Europe/Brussels"),
    ("Copenhagen", "Europe/Copenhagen"),
    ("Madrid", "Europe/Madrid"),
    ("Paris", "Europe/Paris"),
    ("Amsterdam", "Europe/Amsterdam"),
    ("Berlin", "Europe/Berlin"),
    ("Bern", "Europe/Zurich"),
    ("Zurich", "Europe/Zurich"),
    ("Rome", "Europe/Rome"),
    ("Stockholm", "Europe/Stockholm"),
    ("Vienna", "Europe/Vienna"),
    ("West Central Africa", "Africa/Algiers"),
    ("Bucharest", "Europe/Bucharest"),
    ("Cairo", "Africa/Cairo"),
    ("Helsinki", "Europe/Helsinki"),
    ("Kyiv", "Europe/Kiev"),
    ("Kyev", "Europe/Kiev"),
    ("Riga", "Europe/Riga"),
    ("Sofia", "Europe/Sofia"),
    ("Tallinn", "Europe/Tallinn"),
    ("Vilnius", "Europe/Vilnius"),
    ("Athens", "Europe/Athens"),
    ("Istanbul", "Europe/Istanbul"),
    ("Minsk", "Europe/Minsk"),
    ("Jerusalem", "Asia/Jerusalem"),
    ("Harare", "Africa/Harare"),
    ("Pretoria", "Africa/Johannesburg"),
    ("Kaliningrad", "Europe/Kaliningrad"),
    ("Moscow", "Europe/Moscow"),
    ("St. Petersburg", "Europe/Moscow"),
    ("Volgograd", "Europe/Volgograd"),
    ("Samara", "Europe/Samara"),
    ("Kuwait", "Asia/Kuwait"),
    ("Riyadh", "Asia/Riyadh"),
    ("Nairobi", "Africa/Nairobi"),
    ("Baghdad", "Asia/Baghdad"),
    ("Tehran", "Asia/Tehran"),
    ("Abu Dhabi", "Asia/Muscat"),
    ("Muscat", "Asia/Muscat"),
    ("Baku", "Asia/Baku"),
    ("Tbilisi", "Asia/Tbilisi"),
    ("Yerevan", "Asia/Yerevan"),
    ("Kabul", "Asia/Kabul"),
    ("Ekaterinburg", "Asia/Yekaterinburg"),
    ("Islamabad", "Asia/Karachi"),
    ("Karachi", "Asia/Karachi"),
    ("Tashkent", "Asia/Tashkent"),
    ("Chennai", "Asia/Kolkata"),
    ("Kolkata", "Asia/Kolkata"),
    ("Mumbai", "Asia/Kolkata"),
    ("New Delhi", "Asia/Kolkata"),
    ("Kathmandu", "Asia/Kathmandu"),
    ("Astana", "Asia/Dhaka"),
    ("Dhaka", "Asia/Dhaka"),
    ("Sri Jayawardenepura", "Asia/Colombo"),
    ("Almaty", "Asia/Almaty"),
    ("Novosibirsk", "Asia/Novosibirsk"),
    ("Rangoon", "Asia/Rangoon"),
    ("Bangkok", "Asia/Bangkok"),
    ("Hanoi", "Asia/Bangkok"),
    ("Jakarta", "Asia/Jakarta"),
    ("Krasnoyarsk", "Asia/Krasnoyarsk"),
    ("Beijing", "Asia/Shanghai"),
    ("Chongqing", "Asia/Chongqing"),
    ("Hong Kong", "Asia/Hong_Kong"),
    ("Urumqi", "Asia/Urumqi"),
    ("Kuala Lumpur", "Asia/Kuala_Lumpur"),
    ("Singapore", "Asia/Singapore"),
    ("Taipei", "Asia/Taipei"),
    ("Perth", "Australia/Perth"),
    ("Irkutsk", "Asia/Irkutsk"),
    ("Ulaanbaatar", "Asia/Ulaanbaatar"),
    ("Seoul", "Asia/Seoul"),
    ("Osaka", "Asia/Tokyo"),
    ("Sapporo", "Asia/Tokyo"),
    ("Tokyo", "Asia/Tokyo"),
    ("Yakutsk", "Asia/Yakutsk"),
    ("Darwin", "Australia/Darwin"),
    ("Adelaide", "Australia/Adelaide"),
    ("Canberra", "Australia/Melbourne"),
    ("Melbourne", "Australia/Melbourne"),
    ("Sydney", "Australia/Sydney"),
    ("Brisbane", "Australia/Brisbane"),
    ("Hobart", "Australia/Hobart"),
    ("Vladivostok", "Asia/Vladivostok"),
    ("Guam", "Pacific/Guam"),
    ("Port Moresby", "Pacific/Port_Moresby"),
    ("Magadan", "Asia/Magadan"),
    ("Srednekolymsk", "Asia/Srednekolymsk"),
    ("Solomon Is.", "Pacific/Guadalcanal"),
    ("New Caledonia", "Pacific/Noumea"),
    ("Fiji", "Pacific/Fiji"),
    ("Kamchatka", "Asia/Kamchatka"),
    ("Marshall Is.", "Pacific/Majuro"),
    ("Auckland", "Pacific/Auckland"),
    ("Wellington", "Pacific/Auckland"),
    ("Nuku'alofa", "Pacific/Tongatapu"),
    ("Tokelau Is.", "Pacific/Fakaofo"),
    ("Chatham Is.", "Pacific/Chatham"),
    ("Samoa", "Pacific/Apia"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn provision(row: Value) -> (DesiredUser, Vec<String>) {
        match map_row(&row, &Options::default()) {
            Row::Provision { user, warnings, .. } => (*user, warnings),
            other => panic!("expected a user, got {other:?}"),
        }
    }

    #[test]
    fn maps_a_zendesk_agent() {
        let (u, w) = provision(
            json!({"id": 35436, "name": "Johnny Agent Smith", "email": "johnny@example.com",
            "role": "agent", "active": true, "time_zone": "Copenhagen", "phone": "+15551234567",
            "external_id": null, "url": "https://x.zendesk.com/api/v2/users/35436.json"}),
        );
        assert_eq!(u.external_id, "35436");
        assert_eq!(u.user_name, "johnny@example.com");
        assert_eq!(u.given_name.as_deref(), Some("Johnny Agent"));
        assert_eq!(u.family_name.as_deref(), Some("Smith"));
        assert_eq!(u.timezone.as_deref(), Some("Europe/Copenhagen"));
        assert_eq!(u.user_type.as_deref(), Some("Agent"));
        assert!(w.is_empty());
    }

    #[test]
    fn prefers_external_id_and_iana_zone() {
        let (u, _) = provision(
            json!({"id": 1, "name": "Cher", "email": "cher@example.com", "role": "admin",
            "active": false, "time_zone": "Paris", "iana_time_zone": "Europe/Paris", "external_id": "HR-7"}),
        );
        assert_eq!(u.external_id, "HR-7");
        assert_eq!(
            (u.given_name.as_deref(), u.family_name.as_deref()),
            (Some("Cher"), None)
        );
        assert_eq!(u.timezone.as_deref(), Some("Europe/Paris"));
        assert!(!u.active);
    }

    #[test]
    fn unknown_zone_is_a_warning_not_an_error() {
        let (u, w) = provision(
            json!({"id": 2, "email": "a@b.co", "role": "agent", "time_zone": "Atlantis"}),
        );
        assert_eq!(u.timezone, None);
        assert_eq!(u.display_name, "a@b.co");
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn bad_rows_are_reported() {
        let opts = Options::default();
        for (row, expect) in [
            (
                json!({"id": 3, "name": "No Mail", "role": "agent"}),
                "no email",
            ),
            (
                json!({"id": 4, "email": "not-an-email", "role": "agent"}),
                "invalid email",
            ),
            (
                json!({"id": 5, "email": "a@b.co", "role": "superuser"}),
                "unknown Zendesk role",
            ),
            (
                json!({"id": 6, "email": 17, "role": "agent"}),
                "not a Zendesk user object",
            ),
            (
                json!({"email": "a@b.co", "role": "agent"}),
                "neither external_id nor id",
            ),
        ] {
            match map_row(&row, &opts) {
                Row::Invalid { reason, .. } => assert!(reason.contains(expect), "{reason}"),
                other => panic!("{row}: expected invalid, got {other:?}"),
            }
        }
        assert!(matches!(
            map_row(
                &json!({"id": 7, "email": "c@d.co", "role": "end-user"}),
                &opts
            ),
            Row::Skip { .. }
        ));
        let with_end_users = Options {
            include_end_users: true,
        };
        assert!(matches!(
            map_row(
                &json!({"id": 7, "email": "c@d.co", "role": "end-user"}),
                &with_end_users
            ),
            Row::Provision { .. }
        ));
    }

    fn agent(extra: Value) -> Value {
        let mut row = json!({"id": 10, "name": "Sam Agent", "email": "sam@example.com",
            "role": "agent", "active": true, "suspended": false, "shared": false,
            "shared_agent": false});
        for (k, v) in extra.as_object().unwrap() {
            row[k] = v.clone();
        }
        row
    }

    fn skip_reason(row: Value, options: &Options) -> String {
        match map_row(&row, options) {
            Row::Skip { reason, .. } => reason,
            other => panic!("{row}: expected a skip, got {other:?}"),
        }
    }

    fn invalid_reason(row: Value) -> String {
        match map_row(&row, &Options::default()) {
            Row::Invalid { reason, .. } => reason,
            other => panic!("{row}: expected an invalid row, got {other:?}"),
        }
    }

    #[test]
    fn a_suspended_agent_is_provisioned_inactive() {
        let (u, w) = provision(agent(json!({"suspended": true})));
        assert!(!u.active, "a suspended agent must not be able to sign in");
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("suspended in Zendesk"), "{w:?}");
        let (u, w) = provision(agent(json!({"suspended": true, "role": "admin"})));
        assert!(!u.active);
        assert_eq!(u.user_type.as_deref(), Some("Admin"));
        assert!(w[0].contains("suspended"), "{w:?}");
    }

    #[test]
    fn a_deleted_agent_is_provisioned_inactive() {
        let (u, w) = provision(agent(json!({"active": false})));
        assert!(!u.active);
        assert!(w[0].contains("deleted in Zendesk"), "{w:?}");
        // Deleted and suspended: one warning, the stronger reason.
        let (u, w) = provision(agent(json!({"active": false, "suspended": true})));
        assert!(!u.active);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("deleted"), "{w:?}");
    }

    #[test]
    fn an_active_unsuspended_agent_is_active() {
        let (u, w) = provision(agent(json!({})));
        assert!(u.active);
        assert!(w.is_empty(), "{w:?}");
        // Fields absent, as in older exports: active.
        let (u, _) = provision(json!({"id": 11, "email": "x@example.com", "role": "agent"}));
        assert!(u.active);
    }

    #[test]
    fn shared_users_of_another_instance_are_skipped() {
        let opts = Options::default();
        let reason = skip_reason(agent(json!({"shared_agent": true})), &opts);
        assert!(
            reason.contains("shared agent of another Zendesk instance"),
            "{reason}"
        );
        let reason = skip_reason(agent(json!({"shared": true})), &opts);
        assert!(
            reason.contains("shared user of another Zendesk instance"),
            "{reason}"
        );
        // Even with end-users included, and whatever the role.
        let all = Options {
            include_end_users: true,
        };
        let reason = skip_reason(agent(json!({"shared": true, "role": "end-user"})), &all);
        assert!(reason.contains("another Zendesk instance"), "{reason}");
        let reason = skip_reason(agent(json!({"shared_agent": true, "role": "admin"})), &all);
        assert!(reason.contains("shared agent"), "{reason}");
    }

    #[test]
    fn end_users_are_skipped_unless_included() {
        let reason = skip_reason(agent(json!({"role": "end-user"})), &Options::default());
        assert!(reason.contains("end-user"), "{reason}");
        let all = Options {
            include_end_users: true,
        };
        match map_row(&agent(json!({"role": "end-user", "suspended": true})), &all) {
            Row::Provision { user, .. } => {
                assert_eq!(user.user_type.as_deref(), Some("EndUser"));
                assert!(!user.active);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn role_type_decides_the_user_type() {
        for (extra, expect) in [
            (json!({}), "Agent"),
            (json!({"role_type": null}), "Agent"),
            (json!({"role_type": 0, "custom_role_id": 360001}), "Agent"),
            (json!({"role_type": 1}), "LightAgent"),
            (json!({"role_type": 2}), "ChatAgent"),
            (json!({"role_type": 3}), "ChatAgent"),
            (json!({"chat_only": true}), "ChatAgent"),
            (json!({"role": "admin"}), "Admin"),
            (json!({"role": "admin", "role_type": 4}), "Admin"),
            (json!({"role": "admin", "role_type": 5}), "BillingAdmin"),
            // Restrictions and moderation do not change who is provisioned or how.
            (
                json!({"restricted_agent": true, "moderator": true, "role_type": 0}),
                "Agent",
            ),
            (json!({"restricted_agent": false, "role": "admin"}), "Admin"),
        ] {
            let row = agent(extra.clone());
            let (u, w) = provision(row);
            assert_eq!(u.user_type.as_deref(), Some(expect), "{extra}");
            assert!(u.active, "{extra}");
            assert!(w.is_empty(), "{extra}: {w:?}");
        }
    }

    #[test]
    fn contradictory_or_unknown_roles_fail_the_row() {
        for (extra, expect) in [
            (json!({"role_type": 4}), "contradicts role_type 4 (admin)"),
            (json!({"role_type": 5}), "contradicts role_type 5"),
            (
                json!({"role": "admin", "role_type": 1}),
                "contradicts role_type 1 (light agent)",
            ),
            (json!({"role_type": 9}), "unknown Zendesk role_type 9"),
            (json!({"role_type": -1}), "unknown Zendesk role_type -1"),
            (json!({"role": "light-agent"}), "role_type"),
            (json!({"suspended": "yes"}), "not a Zendesk user object"),
            (json!({"shared_agent": 1}), "not a Zendesk user object"),
        ] {
            let reason = invalid_reason(agent(extra.clone()));
            assert!(reason.contains(expect), "{extra}: {reason}");
        }
        let all = Options {
            include_end_users: true,
        };
        match map_row(&agent(json!({"role": "end-user", "role_type": 1})), &all) {
            Row::Invalid { reason, .. } => assert!(reason.contains("contradicts"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_both_export_shapes() {
        assert_eq!(
            read_export(br#"{"users":[{"id":1}],"next_page":null,"count":1}"#)
                .unwrap()
                .len(),
            1
        );
        assert_eq!(read_export(br#"[{"id":1},{"id":2}]"#).unwrap().len(), 2);
        assert!(read_export(b"{}").is_err());
        assert!(read_export(b"nope").is_err());
    }
}
