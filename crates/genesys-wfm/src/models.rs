//! Typed models of the Genesys Cloud answers and requests this crate uses. Each is a subset of
//! the official model named in its docs (fields this crate does not read are left out, and
//! unknown fields are never an error); every field and JSON name is checked against the official
//! SDK package by a test.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What the model table holds for each model: the official model's name and our JSON fields.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct ModelInfo {
    /// Our type's name.
    pub rust: &'static str,
    /// The official model (`BusinessUnitListItem`).
    pub sdk: &'static str,
    /// The JSON names of our fields.
    pub fields: &'static [&'static str],
    /// Their Rust types, as written.
    pub types: &'static [&'static str],
}

/// A JSON `null` reads as the field's default, as a missing field does: a model never fails on
/// a `null` where it expects a list or a value.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

macro_rules! models {
    ($(
        @sdk $sdk:literal
        $(#[$meta:meta])*
        pub struct $Name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty = $json:literal, )*
        }
    )+) => {
        $(
            $(#[$meta])*
            #[doc = ""]
            #[doc = concat!("Official model: `", $sdk, "`.")]
            #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
            #[serde(default)]
            #[non_exhaustive]
            pub struct $Name {
                $(
                    $(#[$fmeta])*
                    #[serde(rename = $json, deserialize_with = "null_as_default")]
                    pub $field: $ty,
                )*
            }
        )+

        /// Every model of this crate, for the test against the official SDK package.
        #[doc(hidden)]
        pub const MODELS: &[ModelInfo] = &[$(
            ModelInfo { rust: stringify!($Name), sdk: $sdk, fields: &[$($json),*], types: &[$(stringify!($ty)),*] }
        ),+];
    };
}

/// A calendar link (`calendarUrl`): whoever holds it reads the user's schedule, so `Debug`
/// shows only its origin. Read it with [`CalendarLink::expose`].
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CalendarLink(String);

impl CalendarLink {
    /// The link itself. Hand it only to the calendar client that subscribes to it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for CalendarLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let origin = wfm_http::Url::parse(&self.0)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        write!(f, "CalendarLink({origin}/[redacted])")
    }
}

models! {
    @sdk "CalendarUrlResponse"
    /// The current user's calendar link, as `POST` or `GET .../calendar/url/ics` answers.
    pub struct CalendarUrlResponse {
        /// The link to an RFC 5545 feed of the user's published schedule.
        pub calendar_url: CalendarLink = "calendarUrl",
    }

    @sdk "NamedEntity"
    /// An entity reference with a name (an org, a division as `tokens/me` names it).
    pub struct NamedEntity {
        /// The id.
        pub id: String = "id",
        /// The name.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub name: Option<String> = "name",
    }

    @sdk "DivisionReference"
    /// A reference to an entity by id (a division of a business or management unit).
    pub struct DivisionReference {
        /// The division id. Its name comes from [`Client::divisions`](crate::Client::divisions).
        pub id: String = "id",
    }

    @sdk "UserReference"
    /// A reference to a user by id.
    pub struct UserReference {
        /// The user id.
        pub id: String = "id",
    }

    @sdk "TokenInfo"
    /// What `GET /api/v2/tokens/me` says about the token.
    pub struct TokenInfo {
        /// The org the token acts in.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub organization: Option<NamedEntity> = "organization",
        /// The org the token was issued in (differs for a trusted-org token).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub home_organization: Option<NamedEntity> = "homeOrganization",
        /// The scopes of a user grant (empty for client credentials).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub authorized_scope: Vec<String> = "authorizedScope",
        /// The OAuth client (note the JSON key `OAuthClient`).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub oauth_client: Option<OAuthClient> = "OAuthClient",
    }

    @sdk "OrgOAuthClient"
    /// The OAuth client a token was issued to.
    pub struct OAuthClient {
        /// The client id.
        pub id: String = "id",
        /// The client's name.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub name: Option<String> = "name",
        /// `CLIENT-CREDENTIALS`, `CODE`, `TOKEN`, `SAML2-BEARER`, `PASSWORD`.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub authorized_grant_type: Option<String> = "authorizedGrantType",
        /// Scopes (user grants only).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub scope: Vec<String> = "scope",
    }

    @sdk "BusinessUnitListItem"
    /// A business unit as listed.
    pub struct BusinessUnitListItem {
        /// The id.
        pub id: String = "id",
        /// The name.
        pub name: String = "name",
        /// Whether the caller may use the feature asked for in the listing.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub authorized: Option<bool> = "authorized",
        /// Its division.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub division: Option<DivisionReference> = "division",
    }

    @sdk "BusinessUnitListing"
    /// `{"entities": [...]}` of business units.
    pub struct BusinessUnitListing {
        /// The business units.
        pub entities: Vec<BusinessUnitListItem> = "entities",
    }

    @sdk "BusinessUnitResponse"
    /// A business unit, with its settings when asked for (`expand=settings`).
    pub struct BusinessUnit {
        /// The id.
        pub id: String = "id",
        /// The name.
        pub name: String = "name",
        /// Settings (time zone, start day of the week).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub settings: Option<BusinessUnitSettings> = "settings",
        /// Its division.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub division: Option<DivisionReference> = "division",
    }

    @sdk "BusinessUnitSettingsResponse"
    /// A business unit's settings (the subset this crate reads).
    pub struct BusinessUnitSettings {
        /// `Monday` ... `Sunday`: the day schedule weeks start on.
        pub start_day_of_week: String = "startDayOfWeek",
        /// The IANA time zone (`Europe/Berlin`).
        pub time_zone: String = "timeZone",
    }

    @sdk "ManagementUnit"
    /// A management unit.
    pub struct ManagementUnit {
        /// The id.
        pub id: String = "id",
        /// The name.
        pub name: String = "name",
        /// Its division: the division its agents' schedules are checked in.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub division: Option<DivisionReference> = "division",
    }

    @sdk "ManagementUnitListing"
    /// `{"entities": [...]}` of management units.
    pub struct ManagementUnitListing {
        /// The management units.
        pub entities: Vec<ManagementUnit> = "entities",
    }

    @sdk "WfmUserEntityListing"
    /// `{"entities": [...]}` of users.
    pub struct UserListing {
        /// The users.
        pub entities: Vec<UserReference> = "entities",
    }

    @sdk "AuthzDivision"
    /// A division.
    pub struct Division {
        /// The id.
        pub id: String = "id",
        /// The name.
        pub name: String = "name",
        /// Whether it is the org's home division.
        pub home_division: bool = "homeDivision",
    }

    @sdk "AuthzDivisionEntityListing"
    /// A page of divisions.
    pub struct DivisionListing {
        /// The divisions of this page.
        pub entities: Vec<Division> = "entities",
        /// The page number (1-based).
        pub page_number: u64 = "pageNumber",
        /// How many pages there are.
        pub page_count: u64 = "pageCount",
    }

    @sdk "DivsPermittedEntityListing"
    /// A page of the divisions where the caller holds a permission.
    pub struct PermittedDivisionListing {
        /// The divisions of this page.
        pub entities: Vec<Division> = "entities",
        /// The page number (1-based).
        pub page_number: u64 = "pageNumber",
        /// How many pages there are.
        pub page_count: u64 = "pageCount",
        /// The permission is held in every division (present and future).
        pub all_divs_permitted: bool = "allDivsPermitted",
    }

    @sdk "WfmVersionedEntityMetadata"
    /// Who changed an entity, when, and its version.
    pub struct VersionMetadata {
        /// The version, sent back on update.
        pub version: i64 = "version",
        /// When it last changed.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub date_modified: Option<DateTime<Utc>> = "dateModified",
    }

    @sdk "BuScheduleListItem"
    /// A business unit schedule as listed.
    pub struct ScheduleListItem {
        /// The schedule id.
        pub id: String = "id",
        /// The first day of its first week.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub week_date: Option<NaiveDate> = "weekDate",
        /// How many weeks it covers.
        pub week_count: u32 = "weekCount",
        /// The description.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub description: Option<String> = "description",
        /// Whether it is published.
        pub published: bool = "published",
        /// Version and modification date.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub metadata: Option<VersionMetadata> = "metadata",
    }

    @sdk "BuScheduleListing"
    /// `{"entities": [...]}` of schedules.
    pub struct ScheduleListing {
        /// The schedules.
        pub entities: Vec<ScheduleListItem> = "entities",
    }

    @sdk "BuScheduleMetadata"
    /// A business unit schedule's metadata.
    pub struct ScheduleMetadata {
        /// The schedule id.
        pub id: String = "id",
        /// The first day of its first week.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub week_date: Option<NaiveDate> = "weekDate",
        /// How many weeks it covers.
        pub week_count: u32 = "weekCount",
        /// The description.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub description: Option<String> = "description",
        /// Whether it is published.
        pub published: bool = "published",
        /// Version and modification date.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub metadata: Option<VersionMetadata> = "metadata",
    }

    @sdk "BuSearchAgentSchedulesRequest"
    /// The body of an agent schedule search.
    pub struct AgentScheduleSearch {
        /// Start of the range.
        pub start_date: DateTime<Utc> = "startDate",
        /// End of the range.
        pub end_date: DateTime<Utc> = "endDate",
        /// The users to read (all of the unit's when empty).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub user_ids: Vec<String> = "userIds",
    }

    @sdk "BuAsyncAgentSchedulesSearchResponse"
    /// The answer of a search: a result inline, a `downloadUrl`, or `Processing`.
    pub struct AsyncSearchResponse {
        /// `Processing`, `Complete`, `Canceled` or `Error`.
        pub status: String = "status",
        /// The operation id (for a notification or support).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub operation_id: Option<String> = "operationId",
        /// The result, when it is small enough and complete.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub result: Option<AgentSchedules> = "result",
        /// Where to download the result (another origin, pre-signed).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub download_url: Option<String> = "downloadUrl",
    }

    @sdk "BuAgentSchedulesSearchResponse"
    /// The agent schedules found, whichever way they arrived.
    pub struct AgentSchedules {
        /// One entry per agent.
        pub agent_schedules: Vec<AgentSchedule> = "agentSchedules",
        /// The business unit's time zone.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub business_unit_time_zone: Option<String> = "businessUnitTimeZone",
        /// The published schedules the shifts come from.
        pub published_schedules: Vec<PublishedScheduleReference> = "publishedSchedules",
    }

    @sdk "BuAgentSchedulePublishedScheduleReference"
    /// A published schedule a search result refers to.
    pub struct PublishedScheduleReference {
        /// The schedule id.
        pub id: String = "id",
        /// Its week date.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub week_date: Option<NaiveDate> = "weekDate",
        /// Its week count.
        pub week_count: u32 = "weekCount",
    }

    @sdk "BuAgentScheduleSearchResponse"
    /// One agent's schedule in a search result.
    pub struct AgentSchedule {
        /// The agent.
        pub user: UserReference = "user",
        /// The agent's shifts.
        pub shifts: Vec<Shift> = "shifts",
        /// Full-day time off.
        pub full_day_time_off_markers: Vec<FullDayTimeOffMarker> = "fullDayTimeOffMarkers",
    }

    @sdk "BuAgentScheduleShift"
    /// A shift.
    pub struct Shift {
        /// The shift id.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub id: Option<String> = "id",
        /// Its start.
        pub start_date: DateTime<Utc> = "startDate",
        /// Its length.
        pub length_minutes: u32 = "lengthMinutes",
        /// Its activities.
        pub activities: Vec<Activity> = "activities",
        /// The schedule it belongs to.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub schedule: Option<ScheduleReference> = "schedule",
    }

    @sdk "BuScheduleReference"
    /// A reference to a business unit schedule.
    pub struct ScheduleReference {
        /// The schedule id.
        pub id: String = "id",
        /// Its week date.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub week_date: Option<NaiveDate> = "weekDate",
    }

    @sdk "BuAgentScheduleActivity"
    /// An activity of a shift.
    pub struct Activity {
        /// Its start.
        pub start_date: DateTime<Utc> = "startDate",
        /// Its length.
        pub length_minutes: u32 = "lengthMinutes",
        /// Its description.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub description: Option<String> = "description",
        /// The activity code.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub activity_code_id: Option<String> = "activityCodeId",
        /// Whether it is paid.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub paid: Option<bool> = "paid",
    }

    @sdk "BuFullDayTimeOffMarker"
    /// A full day of time off.
    pub struct FullDayTimeOffMarker {
        /// The day, in the business unit's time zone.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub business_unit_date: Option<NaiveDate> = "businessUnitDate",
        /// Its length.
        pub length_minutes: u32 = "lengthMinutes",
        /// Its description.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub description: Option<String> = "description",
        /// The activity code.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub activity_code_id: Option<String> = "activityCodeId",
    }

    @sdk "UploadUrlRequestBody"
    /// The body asking for an upload URL.
    pub struct UploadUrlRequest {
        /// The length of what will be uploaded (the gzip-compressed body).
        pub content_length_bytes: u64 = "contentLengthBytes",
    }

    @sdk "ImportScheduleUploadResponse"
    /// Where to upload a schedule import, and with which headers.
    pub struct ImportUploadUrl {
        /// The key to process the upload with.
        pub upload_key: String = "uploadKey",
        /// The pre-signed URL (another origin: no token is sent there).
        pub url: String = "url",
        /// The headers the upload must carry, exactly.
        pub headers: BTreeMap<String, String> = "headers",
    }

    @sdk "UpdateScheduleUploadResponse"
    /// Where to upload a schedule update, and with which headers.
    pub struct UpdateUploadUrl {
        /// The key to process the upload with.
        pub upload_key: String = "uploadKey",
        /// The pre-signed URL (another origin: no token is sent there).
        pub url: String = "url",
        /// The headers the upload must carry, exactly.
        pub headers: BTreeMap<String, String> = "headers",
    }

    @sdk "WfmProcessUploadRequest"
    /// Process an uploaded import.
    pub struct ProcessImportRequest {
        /// The upload key.
        pub upload_key: String = "uploadKey",
    }

    @sdk "ProcessScheduleUpdateUploadRequest"
    /// Process an uploaded update.
    pub struct ProcessUpdateRequest {
        /// The upload key.
        pub upload_key: String = "uploadKey",
    }

    @sdk "ScheduleUploadProcessingResponse"
    /// The answer to processing an import.
    pub struct ImportProcessingResponse {
        /// `Processing`, `Complete`, `Canceled` or `Error`.
        pub status: String = "status",
        /// The operation id, matched against notifications.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub operation_id: Option<String> = "operationId",
        /// The schedule, when complete.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub result: Option<ScheduleMetadata> = "result",
    }

    @sdk "BuAsyncScheduleResponse"
    /// The answer to processing an update.
    pub struct UpdateProcessingResponse {
        /// `Processing`, `Complete`, `Canceled` or `Error`.
        pub status: String = "status",
        /// The operation id, matched against notifications.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub operation_id: Option<String> = "operationId",
        /// The schedule, when complete.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub result: Option<ScheduleMetadata> = "result",
    }

    @sdk "ImportScheduleUploadSchema"
    /// The uploaded body of a schedule import (a new schedule for a week).
    pub struct ImportScheduleUpload {
        /// The schedule's description.
        pub description: String = "description",
        /// How many weeks it covers.
        pub week_count: u32 = "weekCount",
        /// Whether to publish it.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub published: Option<bool> = "published",
        /// The agents' schedules.
        pub agent_schedules: Vec<ImportAgentSchedule> = "agentSchedules",
    }

    @sdk "BuImportAgentScheduleUploadSchema"
    /// One agent's schedule in an import.
    pub struct ImportAgentSchedule {
        /// The agent.
        pub user_id: String = "userId",
        /// The shifts.
        pub shifts: Vec<ShiftRequest> = "shifts",
        /// Full days of time off.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub full_day_time_off_markers: Vec<FullDayTimeOffMarker> = "fullDayTimeOffMarkers",
    }

    @sdk "BuAgentScheduleShiftRequest"
    /// A shift to import.
    pub struct ShiftRequest {
        /// Its start.
        pub start_date: DateTime<Utc> = "startDate",
        /// Its length.
        pub length_minutes: u32 = "lengthMinutes",
        /// Its activities.
        pub activities: Vec<Activity> = "activities",
    }

    @sdk "UpdateScheduleUploadSchema"
    /// The uploaded body of a schedule update.
    pub struct UpdateScheduleUpload {
        /// A new description, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub description: Option<String> = "description",
        /// Publish or unpublish, if set.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub published: Option<bool> = "published",
        /// The agents whose schedules change.
        pub agent_schedules: Vec<UpdateAgentSchedule> = "agentSchedules",
        /// The schedule's version, as read (a stale one is refused).
        pub metadata: VersionMetadata = "metadata",
    }

    @sdk "BuUpdateAgentScheduleUploadSchema"
    /// One agent's schedule in an update.
    pub struct UpdateAgentSchedule {
        /// The agent.
        pub user_id: String = "userId",
        /// The shifts.
        pub shifts: Vec<UpdateShift> = "shifts",
        /// Full days of time off.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub full_day_time_off_markers: Vec<FullDayTimeOffMarker> = "fullDayTimeOffMarkers",
        /// The agent schedule's version, as read.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub metadata: Option<VersionMetadata> = "metadata",
    }

    @sdk "BuUpdateAgentScheduleShift"
    /// A shift in an update.
    pub struct UpdateShift {
        /// The shift id, for an existing shift.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub id: Option<String> = "id",
        /// Its start.
        pub start_date: DateTime<Utc> = "startDate",
        /// Its length.
        pub length_minutes: u32 = "lengthMinutes",
        /// Its activities.
        pub activities: Vec<Activity> = "activities",
        /// Delete this shift.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub delete: Option<bool> = "delete",
    }

    @sdk "Channel"
    /// A notification channel.
    pub struct Channel {
        /// The channel id.
        pub id: String = "id",
        /// The websocket URL to connect to.
        pub connect_uri: String = "connectUri",
    }

    @sdk "ChannelTopic"
    /// A topic subscribed to.
    pub struct ChannelTopic {
        /// The topic.
        pub id: String = "id",
        /// `Permitted` or `Rejected`.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub state: Option<String> = "state",
        /// Why it was rejected.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub rejection_reason: Option<String> = "rejectionReason",
        /// The permissions missing for it.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub missing_permissions: Vec<String> = "missingPermissions",
    }

    @sdk "ChannelTopicEntityListing"
    /// The topics of a channel.
    pub struct ChannelTopicListing {
        /// The topics.
        pub entities: Vec<ChannelTopic> = "entities",
    }

    @sdk "WfmBuScheduleTopicBuScheduleNotification"
    /// An event of the `v2.workforcemanagement.businessunits.{id}.schedules` topic.
    pub struct ScheduleNotification {
        /// `Processing`, `Complete`, `Canceled` or `Error`.
        pub status: String = "status",
        /// The operation it reports on.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub operation_id: Option<String> = "operationId",
        /// `Update`, `Import`, `Copy` or `Delete`.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub event_type: Option<String> = "eventType",
        /// The schedule, when complete.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub result: Option<NotifiedSchedule> = "result",
    }

    @sdk "WfmBuScheduleTopicBuScheduleMetadata"
    /// The schedule a notification reports on.
    pub struct NotifiedSchedule {
        /// The schedule id.
        pub id: String = "id",
        /// How many weeks it covers.
        pub week_count: u32 = "weekCount",
        /// Its description.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub description: Option<String> = "description",
        /// Whether it is published.
        pub published: bool = "published",
        /// Its new version.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub metadata: Option<NotifiedVersion> = "metadata",
    }

    @sdk "WfmBuScheduleTopicWfmVersionedEntityMetadata"
    /// A notified schedule's version.
    pub struct NotifiedVersion {
        /// The version.
        pub version: i64 = "version",
        /// When it changed.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub date_modified: Option<DateTime<Utc>> = "dateModified",
    }

    @sdk "BusinessUnitActivityCode"
    /// An activity code of a business unit.
    pub struct ActivityCode {
        /// The id (`activityCodeId` in shifts).
        pub id: String = "id",
        /// The name.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub name: Option<String> = "name",
        /// Whether it can be used.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub active: Option<bool> = "active",
        /// `OnQueueWork`, `Break`, `Meal`, `TimeOff`, ...
        #[serde(skip_serializing_if = "Option::is_none")]
        pub category: Option<String> = "category",
    }

    @sdk "BusinessUnitActivityCodeListing"
    /// Activity codes, inline or behind a `downloadUrl`.
    pub struct ActivityCodeListing {
        /// The codes, when inline.
        pub entities: Vec<ActivityCode> = "entities",
        /// Where to download them otherwise.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub download_url: Option<String> = "downloadUrl",
    }

    @sdk "BuQueryAgentSchedulesRequest"
    /// The body of an agent schedules query.
    pub struct AgentScheduleQuery {
        /// The management unit whose agents to read.
        pub management_unit_id: String = "managementUnitId",
        /// Only these agents (all of the unit's when empty).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub user_ids: Vec<String> = "userIds",
    }

    @sdk "BuAsyncAgentSchedulesQueryResponse"
    /// The answer of a query: inline, `downloadUrl` or `Processing`.
    pub struct AsyncQueryResponse {
        /// `Processing`, `Complete`, `Canceled` or `Error`.
        pub status: String = "status",
        /// The operation id.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub operation_id: Option<String> = "operationId",
        /// The result, when inline.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub result: Option<QueriedAgentSchedules> = "result",
        /// Where to download the result otherwise.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub download_url: Option<String> = "downloadUrl",
    }

    @sdk "BuAgentSchedulesQueryResponse"
    /// Agent schedules of one schedule and management unit, with their versions.
    pub struct QueriedAgentSchedules {
        /// One entry per agent.
        pub agent_schedules: Vec<QueriedAgentSchedule> = "agentSchedules",
        /// The business unit's time zone.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub business_unit_time_zone: Option<String> = "businessUnitTimeZone",
    }

    @sdk "BuAgentScheduleQueryResponse"
    /// One agent's schedule, with its version (sent back on update).
    pub struct QueriedAgentSchedule {
        /// The agent.
        pub user: UserReference = "user",
        /// The shifts.
        pub shifts: Vec<Shift> = "shifts",
        /// The version.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub metadata: Option<VersionMetadata> = "metadata",
    }

    @sdk "ManagementUnitReference"
    /// A reference to a management unit.
    pub struct ManagementUnitReference {
        /// The management unit id.
        pub id: String = "id",
    }

    @sdk "BusinessUnitReference"
    /// A reference to a business unit.
    pub struct BusinessUnitReference {
        /// The business unit id.
        pub id: String = "id",
    }

    @sdk "AgentManagementUnitReference"
    /// The management and business unit an agent belongs to.
    pub struct AgentManagementUnit {
        /// The agent.
        pub user: UserReference = "user",
        /// Its management unit.
        pub management_unit: ManagementUnitReference = "managementUnit",
        /// Its business unit.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub business_unit: Option<BusinessUnitReference> = "businessUnit",
    }

    @sdk "UserScheduleAdherence"
    /// An agent's real-time adherence (the subset this crate reads).
    pub struct UserScheduleAdherence {
        /// The agent.
        pub user: UserReference = "user",
        /// Its management unit.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub management_unit: Option<ManagementUnitReference> = "managementUnit",
        /// `OnQueueWork`, `Break`, ... as scheduled.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub scheduled_activity_category: Option<String> = "scheduledActivityCategory",
        /// The agent's presence.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub system_presence: Option<String> = "systemPresence",
        /// The agent's routing status.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub routing_status: Option<String> = "routingStatus",
        /// `InAdherence`, `OutOfAdherence`, `Unscheduled`, `Unknown`, `Ignored`.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub adherence_state: Option<String> = "adherenceState",
        /// `Positive`, `Negative`, `Neutral`, `Unknown`.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub impact: Option<String> = "impact",
        /// When the adherence state last changed.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub time_of_adherence_change: Option<DateTime<Utc>> = "timeOfAdherenceChange",
    }

    @sdk "CreateAdminTimeOffRequest"
    /// Time off to create for agents (full days, or partial days with durations).
    pub struct NewTimeOff {
        /// `PENDING` or `APPROVED`.
        pub status: String = "status",
        /// The agents.
        pub users: Vec<UserReference> = "users",
        /// The time-off activity code.
        pub activity_code_id: String = "activityCodeId",
        /// Notes.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub notes: Option<String> = "notes",
        /// Full days (`YYYY-MM-DD`, in the management unit's time zone).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub full_day_management_unit_dates: Vec<String> = "fullDayManagementUnitDates",
        /// Partial days: their starts.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub partial_day_start_date_times: Vec<DateTime<Utc>> = "partialDayStartDateTimes",
        /// Minutes per day.
        pub daily_duration_minutes: u32 = "dailyDurationMinutes",
        /// Whether it is paid.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub paid: Option<bool> = "paid",
    }

    @sdk "TimeOffRequestResponse"
    /// A time-off request.
    pub struct TimeOffRequest {
        /// The id.
        pub id: String = "id",
        /// The agent.
        pub user: UserReference = "user",
        /// Whether it covers full days.
        pub is_full_day_request: bool = "isFullDayRequest",
        /// The activity code.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub activity_code_id: Option<String> = "activityCodeId",
        /// `PENDING`, `APPROVED`, `DENIED`, `CANCELED`.
        pub status: String = "status",
        /// Full days.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub full_day_management_unit_dates: Vec<String> = "fullDayManagementUnitDates",
        /// Partial days' starts.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub partial_day_start_date_times: Vec<DateTime<Utc>> = "partialDayStartDateTimes",
        /// Minutes per day.
        pub daily_duration_minutes: u32 = "dailyDurationMinutes",
        /// Notes.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub notes: Option<String> = "notes",
        /// The version, sent back on update.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub metadata: Option<VersionMetadata> = "metadata",
    }

    @sdk "TimeOffRequestList"
    /// The requests a create made (one per agent).
    pub struct TimeOffRequestList {
        /// The requests.
        pub time_off_requests: Vec<TimeOffRequest> = "timeOffRequests",
    }

    @sdk "DateRange"
    /// A range of dates (`YYYY-MM-DD`).
    pub struct DateRange {
        /// The first day.
        pub start_date: String = "startDate",
        /// The last day.
        pub end_date: String = "endDate",
    }

    @sdk "TimeOffRequestQueryBody"
    /// What to look for in a time-off query.
    pub struct TimeOffQuery {
        /// Only these agents.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub user_ids: Vec<String> = "userIds",
        /// Only these statuses.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub statuses: Vec<String> = "statuses",
        /// Only in this range.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub date_range: Option<DateRange> = "dateRange",
    }

    @sdk "TimeOffRequestListItem"
    /// A time-off request as a query lists it.
    pub struct TimeOffRequestListItem {
        /// The id.
        pub id: String = "id",
        /// The agent.
        pub user: UserReference = "user",
        /// `PENDING`, `APPROVED`, `DENIED`, `CANCELED`.
        pub status: String = "status",
        /// The activity code.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub activity_code_id: Option<String> = "activityCodeId",
        /// Full days.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub full_day_management_unit_dates: Vec<String> = "fullDayManagementUnitDates",
        /// The version.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub metadata: Option<VersionMetadata> = "metadata",
    }

    @sdk "TimeOffRequestListing"
    /// Time-off requests, inline or behind a `downloadUrl`.
    pub struct TimeOffRequestListing {
        /// The requests, when inline.
        pub entities: Vec<TimeOffRequestListItem> = "entities",
        /// Where to download them otherwise.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub download_url: Option<String> = "downloadUrl",
    }

    @sdk "AdminTimeOffRequestPatch"
    /// A change to a time-off request; send its version as read.
    pub struct TimeOffPatch {
        /// A new status (`APPROVED`, `DENIED`, `CANCELED`, `PENDING`).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub status: Option<String> = "status",
        /// New notes.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub notes: Option<String> = "notes",
        /// The version, as read.
        pub metadata: VersionMetadata = "metadata",
    }

    @sdk "SetTimeOffIntegrationStatusRequest"
    /// The integration status to set.
    pub struct IntegrationStatusRequest {
        /// `Processing`, `Error`, `AutomaticallyComplete`, `ManuallyComplete`.
        pub integration_status: String = "integrationStatus",
    }

    @sdk "TimeOffRequestReference"
    /// A reference to a time-off request.
    pub struct TimeOffRequestReference {
        /// The id.
        pub id: String = "id",
    }

    @sdk "UserTimeOffIntegrationStatusResponse"
    /// A time-off request's integration status.
    pub struct IntegrationStatus {
        /// The request.
        pub time_off_request: TimeOffRequestReference = "timeOffRequest",
        /// The status.
        pub integration_status: String = "integrationStatus",
        /// The agent.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub user: Option<UserReference> = "user",
    }
}

impl AgentScheduleSearch {
    /// A search of `[start, end)` for `user_ids` (every agent of the unit when empty).
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>, user_ids: Vec<String>) -> Self {
        Self {
            start_date: start,
            end_date: end,
            user_ids,
        }
    }
}
