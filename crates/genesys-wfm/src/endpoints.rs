//! Every operation this crate calls, as data: method, path template and the permissions Genesys
//! requires (the spec's `x-inin-requires-permissions`, as the official SDK docs render it, e.g.
//! <https://github.com/MyPureCloud/platform-client-sdk-python/blob/master/build/docs/WorkforceManagementApi.md>).
//!
//! The client builds each request from these constants, the permission preflight reads their
//! permissions, and a test checks every path against the official SDK package.

use std::fmt;

use wfm_http::{Method, RequestBuilder, Transport};

/// Whether all of a set of permissions are required, or any one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Requirement {
    /// Every permission is required (`Requires ALL permissions`).
    All,
    /// Any one of the permissions is enough (`Requires ANY permissions`).
    Any,
}

/// The permissions an operation requires.
///
/// ```
/// use genesys_wfm::endpoints::{Permissions, SCHEDULE_UPDATE};
/// assert_eq!(SCHEDULE_UPDATE.permissions, Permissions::any(&["wfm:schedule:edit"]));
/// assert!(Permissions::NONE.is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Permissions {
    /// All or any.
    pub requirement: Requirement,
    /// The permission names (`domain:entity:action`).
    pub names: &'static [&'static str],
}

impl Permissions {
    /// No permission required ("Requires no permissions").
    pub const NONE: Permissions = Permissions {
        requirement: Requirement::All,
        names: &[],
    };

    /// Any one of `names`.
    pub const fn any(names: &'static [&'static str]) -> Self {
        Self {
            requirement: Requirement::Any,
            names,
        }
    }

    /// All of `names`.
    pub const fn all(names: &'static [&'static str]) -> Self {
        Self {
            requirement: Requirement::All,
            names,
        }
    }

    /// Whether nothing is required.
    pub const fn is_none(&self) -> bool {
        self.names.is_empty()
    }

    /// Whether holding `held` satisfies the requirement.
    pub fn satisfied_by(&self, held: impl Fn(&str) -> bool) -> bool {
        match self.requirement {
            Requirement::All => self.names.iter().all(|n| held(n)),
            Requirement::Any => self.names.is_empty() || self.names.iter().any(|n| held(n)),
        }
    }
}

impl fmt::Display for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.names.is_empty() {
            return f.write_str("no permission");
        }
        let joiner = match self.requirement {
            Requirement::All => " and ",
            Requirement::Any => " or ",
        };
        f.write_str(&self.names.join(joiner))
    }
}

/// One operation of the Genesys Cloud Platform API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// A short name (the official SDKs' method name).
    pub name: &'static str,
    /// The HTTP method, as text (`GET`).
    pub method: &'static str,
    /// The path template, as in the spec (`/api/v2/workforcemanagement/businessunits/{businessUnitId}`).
    pub path: &'static str,
    /// What the caller must hold.
    pub permissions: Permissions,
}

impl Endpoint {
    /// A request for this endpoint on a transport whose base is the `/api/v2/` root, with the
    /// template's `{params}` replaced, in order, by `params` (each one path segment,
    /// percent-encoded by the transport).
    pub(crate) fn request(&self, transport: &Transport, params: &[&str]) -> RequestBuilder {
        let rest = self.path.strip_prefix("/api/v2/").unwrap_or(self.path);
        let mut next = params.iter();
        let segments: Vec<&str> = rest
            .split('/')
            .map(|s| {
                if s.starts_with('{') {
                    next.next().copied().unwrap_or("")
                } else {
                    s
                }
            })
            .collect();
        debug_assert!(
            next.next().is_none(),
            "too many parameters for {}",
            self.path
        );
        let method = Method::from_bytes(self.method.as_bytes()).unwrap_or(Method::GET);
        transport.request(method, &segments)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// The endpoints that act for the calling user (their ICS calendar link): a client-credentials
/// token has no user, so a permission check of such a client leaves them out.
pub const USER_GRANT_ONLY: &[Endpoint] = &[CALENDAR_URL, CALENDAR_URL_CREATE, CALENDAR_URL_DISABLE];

macro_rules! endpoints {
    ($( $(#[$meta:meta])* $NAME:ident = ($sdk:literal, $method:literal, $path:expr, $perms:expr); )+) => {
        $(
            $(#[$meta])*
            pub const $NAME: Endpoint = Endpoint { name: $sdk, method: $method, path: $path, permissions: $perms };
        )+
        /// Every endpoint this crate calls.
        pub const ALL: &[Endpoint] = &[$($NAME),+];
    };
}

/// `GET /api/v2/workforcemanagement/businessunits/{businessUnitId}` requires any of these.
const BU_VIEW: &[&str] = &[
    "wfm:activityCode:add",
    "wfm:activityCode:delete",
    "wfm:activityCode:edit",
    "wfm:activityCode:view",
    "wfm:agent:edit",
    "wfm:agentSchedule:view",
    "wfm:agentTimeOffRequest:submit",
    "wfm:agent:view",
    "wfm:businessUnit:add",
    "wfm:businessUnit:delete",
    "wfm:businessUnit:edit",
    "wfm:businessUnit:view",
    "wfm:historicalAdherence:view",
    "wfm:shrinkage:view",
    "wfm:intraday:view",
    "wfm:managementUnit:add",
    "wfm:managementUnit:delete",
    "wfm:managementUnit:edit",
    "wfm:managementUnit:view",
    "wfm:publishedSchedule:view",
    "wfm:realtimeAdherence:view",
    "wfm:schedule:add",
    "wfm:schedule:delete",
    "wfm:schedule:edit",
    "wfm:schedule:generate",
    "wfm:schedule:view",
    "wfm:serviceGoalTemplate:add",
    "wfm:serviceGoalTemplate:delete",
    "wfm:serviceGoalTemplate:edit",
    "wfm:serviceGoalTemplate:view",
    "wfm:planningGroup:add",
    "wfm:planningGroup:delete",
    "wfm:planningGroup:edit",
    "wfm:planningGroup:view",
    "wfm:shiftTradeRequest:edit",
    "wfm:shiftTradeRequest:view",
    "wfm:agentShiftTradeRequest:participate",
    "wfm:shortTermForecast:add",
    "wfm:shortTermForecast:delete",
    "wfm:shortTermForecast:edit",
    "wfm:shortTermForecast:view",
    "wfm:staffingGroup:add",
    "wfm:staffingGroup:delete",
    "wfm:staffingGroup:edit",
    "wfm:staffingGroup:view",
    "wfm:timeOffRequest:add",
    "wfm:timeOffRequest:edit",
    "wfm:timeOffRequest:view",
    "wfm:timeOffLimit:add",
    "wfm:timeOffLimit:delete",
    "wfm:timeOffLimit:edit",
    "wfm:timeOffLimit:view",
    "wfm:timeOffPlan:add",
    "wfm:timeOffPlan:delete",
    "wfm:timeOffPlan:edit",
    "wfm:timeOffPlan:view",
    "wfm:timeOffRequest:add",
    "wfm:timeOffRequest:edit",
    "wfm:timeOffRequest:view",
    "wfm:workPlan:add",
    "wfm:workPlan:delete",
    "wfm:workPlan:edit",
    "wfm:workPlan:view",
    "wfm:workPlanRotation:add",
    "wfm:workPlanRotation:delete",
    "wfm:workPlanRotation:edit",
    "wfm:workPlanRotation:view",
    "coaching:appointment:add",
    "coaching:appointment:edit",
    "learning:assignment:add",
    "learning:assignment:reschedule",
];

/// `GET /api/v2/workforcemanagement/businessunits/{businessUnitId}/activitycodes` requires any of these.
const ACTIVITY_CODES_VIEW: &[&str] = &[
    "wfm:agentSchedule:view",
    "wfm:agentTimeOffRequest:submit",
    "wfm:activityCode:add",
    "wfm:activityCode:delete",
    "wfm:activityCode:edit",
    "wfm:activityCode:view",
    "wfm:agent:edit",
    "wfm:agent:view",
    "wfm:businessUnit:add",
    "wfm:businessUnit:delete",
    "wfm:businessUnit:edit",
    "wfm:businessUnit:view",
    "wfm:historicalAdherence:view",
    "wfm:shrinkage:view",
    "wfm:intraday:view",
    "wfm:managementUnit:add",
    "wfm:managementUnit:delete",
    "wfm:managementUnit:edit",
    "wfm:managementUnit:view",
    "wfm:realtimeAdherence:view",
    "wfm:schedule:add",
    "wfm:schedule:delete",
    "wfm:schedule:edit",
    "wfm:schedule:generate",
    "wfm:schedule:view",
    "wfm:publishedSchedule:view",
    "wfm:serviceGoalTemplate:add",
    "wfm:serviceGoalTemplate:delete",
    "wfm:serviceGoalTemplate:edit",
    "wfm:serviceGoalTemplate:view",
    "wfm:planningGroup:add",
    "wfm:planningGroup:delete",
    "wfm:planningGroup:edit",
    "wfm:planningGroup:view",
    "wfm:shiftTradeRequest:edit",
    "wfm:shiftTradeRequest:view",
    "wfm:shortTermForecast:add",
    "wfm:shortTermForecast:delete",
    "wfm:shortTermForecast:edit",
    "wfm:shortTermForecast:view",
    "wfm:timeOffLimit:add",
    "wfm:timeOffLimit:delete",
    "wfm:timeOffLimit:edit",
    "wfm:timeOffLimit:view",
    "wfm:timeOffPlan:add",
    "wfm:timeOffPlan:delete",
    "wfm:timeOffPlan:edit",
    "wfm:timeOffPlan:view",
    "wfm:timeOffRequest:add",
    "wfm:timeOffRequest:edit",
    "wfm:timeOffRequest:view",
    "wfm:workPlan:add",
    "wfm:workPlan:delete",
    "wfm:workPlan:edit",
    "wfm:workPlan:view",
    "wfm:workPlanRotation:add",
    "wfm:workPlanRotation:delete",
    "wfm:workPlanRotation:edit",
    "wfm:workPlanRotation:view",
];

/// Reading schedules: `wfm:schedule:view` or `wfm:publishedSchedule:view`.
const SCHEDULE_VIEW: &[&str] = &["wfm:schedule:view", "wfm:publishedSchedule:view"];

endpoints! {
    /// `GET /api/v2/tokens/me`: what the token is (org, OAuth client). Requires no permission.
    TOKENS_ME = ("get_tokens_me", "GET", "/api/v2/tokens/me", Permissions::NONE);
    /// `GET /api/v2/authorization/divisions`: the org's divisions (paged). Requires no permission.
    DIVISIONS = ("get_authorization_divisions", "GET", "/api/v2/authorization/divisions", Permissions::NONE);
    /// `GET /api/v2/authorization/divisionspermitted/paged/me`: the divisions where the caller
    /// holds a permission (paged). Requires no permission.
    DIVISIONS_PERMITTED_ME = ("get_authorization_divisionspermitted_paged_me", "GET", "/api/v2/authorization/divisionspermitted/paged/me", Permissions::NONE);
    /// `GET /api/v2/workforcemanagement/businessunits`. Requires no permission.
    BUSINESS_UNITS = ("get_workforcemanagement_businessunits", "GET", "/api/v2/workforcemanagement/businessunits", Permissions::NONE);
    /// `GET /api/v2/workforcemanagement/businessunits/{businessUnitId}`: any of seventy
    /// WFM, coaching and learning permissions (any WFM role has one).
    BUSINESS_UNIT = ("get_workforcemanagement_businessunit", "GET", "/api/v2/workforcemanagement/businessunits/{businessUnitId}", Permissions::any(BU_VIEW));
    /// `GET /api/v2/workforcemanagement/businessunits/{businessUnitId}/managementunits`. Requires no permission.
    MANAGEMENT_UNITS = ("get_workforcemanagement_businessunit_managementunits", "GET", "/api/v2/workforcemanagement/businessunits/{businessUnitId}/managementunits", Permissions::NONE);
    /// `GET /api/v2/workforcemanagement/managementunits/{managementUnitId}/users`.
    MANAGEMENT_UNIT_USERS = ("get_workforcemanagement_managementunit_users", "GET", "/api/v2/workforcemanagement/managementunits/{managementUnitId}/users", Permissions::any(&[
        "wfm:agent:view",
        "wfm:historicalAdherence:view",
        "wfm:publishedSchedule:view",
        "wfm:realtimeAdherence:view",
        "wfm:schedule:view",
        "wfm:staffingGroup:view",
        "wfm:timeOffRequest:view",
        "wfm:workPlanRotation:view",
        "wfm:workPlan:view",
    ]));
    /// `GET /api/v2/workforcemanagement/businessunits/{businessUnitId}/weeks/{weekId}/schedules`.
    WEEK_SCHEDULES = ("get_workforcemanagement_businessunit_week_schedules", "GET", "/api/v2/workforcemanagement/businessunits/{businessUnitId}/weeks/{weekId}/schedules", Permissions::any(SCHEDULE_VIEW));
    /// `GET /api/v2/workforcemanagement/businessunits/{businessUnitId}/weeks/{weekId}/schedules/{scheduleId}`.
    WEEK_SCHEDULE = ("get_workforcemanagement_businessunit_week_schedule", "GET", "/api/v2/workforcemanagement/businessunits/{businessUnitId}/weeks/{weekId}/schedules/{scheduleId}", Permissions::any(SCHEDULE_VIEW));
    /// `POST /api/v2/workforcemanagement/businessunits/{businessUnitId}/agentschedules/search`.
    BU_AGENT_SCHEDULES_SEARCH = ("post_workforcemanagement_businessunit_agentschedules_search", "POST", "/api/v2/workforcemanagement/businessunits/{businessUnitId}/agentschedules/search", Permissions::any(SCHEDULE_VIEW));
    /// `POST /api/v2/workforcemanagement/managementunits/{managementUnitId}/agentschedules/search`.
    MU_AGENT_SCHEDULES_SEARCH = ("post_workforcemanagement_managementunit_agentschedules_search", "POST", "/api/v2/workforcemanagement/managementunits/{managementUnitId}/agentschedules/search", Permissions::any(&["wfm:publishedSchedule:view", "wfm:schedule:view"]));
    /// `GET /api/v2/workforcemanagement/businessunits/{businessUnitId}/activitycodes`: any of
    /// 59 WFM permissions.
    ACTIVITY_CODES = ("get_workforcemanagement_businessunit_activitycodes", "GET", "/api/v2/workforcemanagement/businessunits/{businessUnitId}/activitycodes", Permissions::any(ACTIVITY_CODES_VIEW));
    /// `POST .../weeks/{weekId}/schedules/{scheduleId}/agentschedules/query`: each agent's
    /// schedule and `metadata.version` in one management unit.
    AGENT_SCHEDULES_QUERY = ("post_workforcemanagement_businessunit_week_schedule_agentschedules_query", "POST", "/api/v2/workforcemanagement/businessunits/{businessUnitId}/weeks/{weekId}/schedules/{scheduleId}/agentschedules/query", Permissions::any(SCHEDULE_VIEW));
    /// `GET /api/v2/workforcemanagement/agents/{agentId}/managementunit`: an agent's management
    /// and business unit.
    AGENT_MANAGEMENT_UNIT = ("get_workforcemanagement_agent_managementunit", "GET", "/api/v2/workforcemanagement/agents/{agentId}/managementunit", Permissions::any(&[
        "wfm:agent:view",
        "wfm:publishedSchedule:view",
        "wfm:schedule:view",
        "coaching:appointment:add",
        "coaching:appointment:edit",
        "learning:assignment:add",
        "learning:assignment:reschedule",
    ]));
    /// `GET /api/v2/workforcemanagement/adherence?userId=`: real-time adherence of at most 100
    /// users a call.
    ADHERENCE = ("get_workforcemanagement_adherence", "GET", "/api/v2/workforcemanagement/adherence", Permissions::any(&["wfm:realtimeAdherence:view"]));
    /// `POST /api/v2/workforcemanagement/managementunits/{managementUnitId}/timeoffrequests`:
    /// time off for agents, as an administrator.
    TIME_OFF_CREATE = ("post_workforcemanagement_managementunit_timeoffrequests", "POST", "/api/v2/workforcemanagement/managementunits/{managementUnitId}/timeoffrequests", Permissions::any(&["wfm:timeOffRequest:add"]));
    /// `POST .../managementunits/{managementUnitId}/timeoffrequests/query`.
    TIME_OFF_QUERY = ("post_workforcemanagement_managementunit_timeoffrequests_query", "POST", "/api/v2/workforcemanagement/managementunits/{managementUnitId}/timeoffrequests/query", Permissions::any(&["wfm:timeOffRequest:view"]));
    /// `PATCH .../managementunits/{managementUnitId}/users/{userId}/timeoffrequests/{timeOffRequestId}`.
    TIME_OFF_UPDATE = ("patch_workforcemanagement_managementunit_user_timeoffrequest", "PATCH", "/api/v2/workforcemanagement/managementunits/{managementUnitId}/users/{userId}/timeoffrequests/{timeOffRequestId}", Permissions::any(&["wfm:timeOffRequest:edit"]));
    /// `PATCH .../managementunits/{managementUnitId}/timeoffrequests/{timeOffRequestId}/users/{userId}/integrationstatus`.
    TIME_OFF_INTEGRATION_STATUS = ("patch_workforcemanagement_managementunit_timeoffrequest_user_integrationstatus", "PATCH", "/api/v2/workforcemanagement/managementunits/{managementUnitId}/timeoffrequests/{timeOffRequestId}/users/{userId}/integrationstatus", Permissions::any(&["wfm:timeOffRequest:edit"]));
    /// `POST .../weeks/{weekId}/schedules/{scheduleId}/update/uploadurl` (the first step of the upload flow).
    SCHEDULE_UPDATE_UPLOAD_URL = ("post_workforcemanagement_businessunit_week_schedule_update_uploadurl", "POST", "/api/v2/workforcemanagement/businessunits/{businessUnitId}/weeks/{weekId}/schedules/{scheduleId}/update/uploadurl", Permissions::any(&["wfm:schedule:edit"]));
    /// `POST .../weeks/{weekId}/schedules/{scheduleId}/update` (the last step of the upload flow).
    SCHEDULE_UPDATE = ("post_workforcemanagement_businessunit_week_schedule_update", "POST", "/api/v2/workforcemanagement/businessunits/{businessUnitId}/weeks/{weekId}/schedules/{scheduleId}/update", Permissions::any(&["wfm:schedule:edit"]));
    /// `POST .../weeks/{weekId}/schedules/import/uploadurl` (the first step of the upload flow).
    SCHEDULE_IMPORT_UPLOAD_URL = ("post_workforcemanagement_businessunit_week_schedules_import_uploadurl", "POST", "/api/v2/workforcemanagement/businessunits/{businessUnitId}/weeks/{weekId}/schedules/import/uploadurl", Permissions::any(&["wfm:schedule:add"]));
    /// `POST .../weeks/{weekId}/schedules/import` (the last step of the upload flow).
    SCHEDULE_IMPORT = ("post_workforcemanagement_businessunit_week_schedules_import", "POST", "/api/v2/workforcemanagement/businessunits/{businessUnitId}/weeks/{weekId}/schedules/import", Permissions::any(&["wfm:schedule:add"]));
    /// `POST /api/v2/notifications/channels`: a notification channel (a websocket URL).
    /// Requires no permission.
    NOTIFICATION_CHANNELS = ("post_notifications_channels", "POST", "/api/v2/notifications/channels", Permissions::NONE);
    /// `PUT /api/v2/notifications/channels/{channelId}/subscriptions`: the channel's topics.
    /// Requires no permission (each topic checks its own).
    CHANNEL_SUBSCRIPTIONS = ("put_notifications_channel_subscriptions", "PUT", "/api/v2/notifications/channels/{channelId}/subscriptions", Permissions::NONE);
    /// `GET /api/v2/workforcemanagement/calendar/url/ics`: the current user's calendar link.
    /// A user grant only (client credentials have no current user).
    CALENDAR_URL = ("get_workforcemanagement_calendar_url_ics", "GET", "/api/v2/workforcemanagement/calendar/url/ics", Permissions::all(&["wfm:agentSchedule:sync"]));
    /// `POST /api/v2/workforcemanagement/calendar/url/ics`: make the current user's calendar
    /// link (or return the existing one).
    CALENDAR_URL_CREATE = ("post_workforcemanagement_calendar_url_ics", "POST", "/api/v2/workforcemanagement/calendar/url/ics", Permissions::all(&["wfm:agentSchedule:sync"]));
    /// `DELETE /api/v2/workforcemanagement/calendar/url/ics`: disable the current user's link.
    CALENDAR_URL_DISABLE = ("delete_workforcemanagement_calendar_url_ics", "DELETE", "/api/v2/workforcemanagement/calendar/url/ics", Permissions::all(&["wfm:agentSchedule:sync"]));
    /// `GET /api/v2/workforcemanagement/calendar/data/ics?calendarId=`: the feed behind a
    /// calendar link. No authentication: the link is the credential.
    CALENDAR_DATA = ("get_workforcemanagement_calendar_data_ics", "GET", "/api/v2/workforcemanagement/calendar/data/ics", Permissions::NONE);
}
