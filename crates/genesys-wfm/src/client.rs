//! The Genesys Cloud WFM [`Client`]: one method per endpoint, each bounded by the scope it needs
//! and documenting the permissions Genesys checks.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use futures::{Stream, TryStreamExt};
use serde::de::DeserializeOwned;
use wfm_auth::providers::GenesysCloud;
use wfm_auth::{Grants, RolesDecide, ScopeSet};
use wfm_http::{BoxFuture, Method, Page, Platform, RequestBuilder, Transport, Url, paginate};

use crate::endpoints::{self, Endpoint};
use crate::error::Error;
use crate::models::{
    ActivityCode, ActivityCodeListing, AgentManagementUnit, AgentScheduleQuery,
    AgentScheduleSearch, AgentSchedules, BusinessUnit, BusinessUnitListItem, BusinessUnitListing,
    CalendarLink, CalendarUrlResponse, Division, DivisionListing, ImportProcessingResponse,
    ImportScheduleUpload, ImportUploadUrl, IntegrationStatus, IntegrationStatusRequest,
    ManagementUnit, ManagementUnitListing, NewTimeOff, PermittedDivisionListing,
    ProcessImportRequest, ProcessUpdateRequest, QueriedAgentSchedules, ScheduleListItem,
    ScheduleListing, ScheduleMetadata, TimeOffPatch, TimeOffQuery, TimeOffRequest,
    TimeOffRequestList, TimeOffRequestListItem, TimeOffRequestListing, TokenInfo,
    UpdateProcessingResponse, UpdateScheduleUpload, UpdateUploadUrl, UploadUrlRequest, UserListing,
    UserScheduleAdherence,
};
use crate::region::{Environment, IntoEnvironment};
use crate::scopes::{AuthorizationReadonly, WorkforceManagement, WorkforceManagementReadonly};

/// The most users one real-time adherence call takes ("Min 1, Max of 100 userIds").
pub const ADHERENCE_BATCH: usize = 100;

/// A stream of items read one page at a time.
pub type ItemStream<'a, T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send + 'a>>;

/// Asked when a search answers `Processing`: given the operation id, it may return the
/// `downloadUrl` of the result (for example from a notification channel of a user grant).
pub type ProcessingHook =
    Arc<dyn Fn(&str) -> BoxFuture<'static, Option<Url>> + Send + Sync + 'static>;

/// What a client does when an agent schedule search answers `Processing`.
///
/// A `Processing` result is delivered on the per-user notification topic
/// `v2.workforcemanagement.users.{userId}.schedules.search`, which a client-credentials token (no
/// user) cannot subscribe to. So by default the client asks the caller's hook, if any, then sends
/// the same search again after `delay`, up to `retries` times.
#[derive(Clone)]
pub struct SearchPolicy {
    retries: u32,
    delay: Duration,
    hook: Option<ProcessingHook>,
}

impl Default for SearchPolicy {
    fn default() -> Self {
        Self {
            retries: 5,
            delay: Duration::from_secs(2),
            hook: None,
        }
    }
}

impl fmt::Debug for SearchPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchPolicy")
            .field("retries", &self.retries)
            .field("delay", &self.delay)
            .field("hook", &self.hook.is_some())
            .finish()
    }
}

impl SearchPolicy {
    /// How many times a `Processing` search is sent again (default 5).
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }
    /// The wait before each new attempt (default 2 s).
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
    /// A hook asked for the result's `downloadUrl` when a search answers `Processing`.
    pub fn on_processing(mut self, hook: ProcessingHook) -> Self {
        self.hook = Some(hook);
        self
    }
}

/// The divisions where the caller holds a permission.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PermittedDivisions {
    /// The permission asked about.
    pub permission: String,
    /// It is held in every division.
    pub all: bool,
    /// The divisions listed.
    pub divisions: Vec<Division>,
}

impl PermittedDivisions {
    /// Whether the permission is held in `division_id`.
    pub fn includes(&self, division_id: &str) -> bool {
        self.all || self.divisions.iter().any(|d| d.id == division_id)
    }
}

/// A Genesys Cloud WFM client for one org, generic over the scope set `S` of its grant
/// (default [`RolesDecide`]: client credentials, where roles and divisions decide).
///
/// Made from the org's [`Platform<S>`](wfm_http::Platform), whose token cache checks the same
/// `S`, and whose budget (about 300 requests a minute per token) it shares with the org's other
/// clients (for example `wfm_scim::Client`). Cheap to clone.
///
/// Each method names its scope in its bound and its permissions in its docs (constants in
/// [`endpoints`](crate::endpoints)). A client-credentials token has no scopes, so on
/// `Client<RolesDecide>` every method compiles; what it may do is decided by the OAuth client's
/// roles, per division. Check them before a run with [`preflight`](crate::preflight).
///
/// ```no_run
/// use genesys_wfm::{Client, Region};
/// use wfm_auth::{ClientCredentials, RolesDecide};
/// use wfm_http::{Platform, RateLimit};
///
/// # async fn demo() -> Result<(), genesys_wfm::Error> {
/// let region = Region::EuCentral1.environment();
/// let platform = Platform::<RolesDecide>::builder()
///     .credentials(ClientCredentials::new(region.token_url().as_str(), "id", "secret"))
///     .rate_limit(RateLimit::per_minute(300))
///     .build()?;
/// let client = Client::new(&platform, region)?;
/// for bu in client.business_units().await? {
///     println!("{} {}", bu.id, bu.name);
/// }
/// # Ok(()) }
/// ```
///
/// A read-only user grant cannot call a method that needs more, and the compiler says so:
///
/// ```compile_fail,E0277
/// use genesys_wfm::scopes::WorkforceManagementReadonly;
/// # async fn demo(platform: wfm_http::Platform<WorkforceManagementReadonly>) -> Result<(), genesys_wfm::Error> {
/// let client = genesys_wfm::Client::new(&platform, genesys_wfm::Region::UsEast1)?;
/// client.divisions(); // needs authorization:readonly
/// # Ok(()) }
/// ```
///
/// nor can it write:
///
/// ```compile_fail,E0277
/// use genesys_wfm::scopes::WorkforceManagementReadonly;
/// # async fn demo(platform: wfm_http::Platform<WorkforceManagementReadonly>, update: genesys_wfm::models::UpdateScheduleUpload) -> Result<(), genesys_wfm::Error> {
/// let client = genesys_wfm::Client::new(&platform, genesys_wfm::Region::UsEast1)?;
/// let week = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
/// client.update_schedule("bu", week, "schedule", &update).await?; // needs workforce-management
/// # Ok(()) }
/// ```
pub struct Client<S: ScopeSet<GenesysCloud> = RolesDecide> {
    transport: Transport,
    env: Arc<Environment>,
    search: SearchPolicy,
    scopes: PhantomData<fn() -> S>,
}

impl<S: ScopeSet<GenesysCloud>> Clone for Client<S> {
    fn clone(&self) -> Self {
        Self {
            transport: self.transport.clone(),
            env: Arc::clone(&self.env),
            search: self.search.clone(),
            scopes: PhantomData,
        }
    }
}

impl<S: ScopeSet<GenesysCloud>> fmt::Debug for Client<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("environment", &self.env.to_string())
            .field("search", &self.search)
            .finish_non_exhaustive()
    }
}

impl<S: ScopeSet<GenesysCloud>> Client<S> {
    /// A client of the org at `environment` (a [`Region`](crate::Region), an
    /// [`Environment`], a region name or an API base URL such as `http://127.0.0.1:PORT`) on
    /// `platform` (its tokens, budget and breaker).
    pub fn new(platform: &Platform<S>, environment: impl IntoEnvironment) -> Result<Self, Error> {
        let env = environment.into_environment()?;
        let transport = platform.transport(env.api_v2_url())?;
        Ok(Self {
            transport,
            env: Arc::new(env),
            search: SearchPolicy::default(),
            scopes: PhantomData,
        })
    }

    /// The same client with another [`SearchPolicy`].
    pub fn with_search_policy(mut self, policy: SearchPolicy) -> Self {
        self.search = policy;
        self
    }

    /// The org's environment (API and login URLs).
    pub fn environment(&self) -> &Environment {
        &self.env
    }

    /// The transport (its base is the `/api/v2/` root), for calls this client does not wrap.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// `GET /api/v2/tokens/me`: the token's org and OAuth client.
    ///
    /// Any scope; permissions: [`TOKENS_ME`](endpoints::TOKENS_ME) (none).
    pub fn token_info(&self) -> BoxFuture<'_, Result<TokenInfo, Error>> {
        Box::pin(self.json(endpoints::TOKENS_ME.request(&self.transport, &[])))
    }

    /// `GET /api/v2/workforcemanagement/calendar/url/ics`: the current user's calendar link, if
    /// one was made (a 404 otherwise). Genesys serves each user's published schedule as an
    /// RFC 5545 feed at that link.
    ///
    /// Needs a user grant: a client-credentials token has no current user. Scope:
    /// [`WorkforceManagementReadonly`]; permissions: [`CALENDAR_URL`](endpoints::CALENDAR_URL)
    /// (`wfm:agentSchedule:sync`).
    pub fn calendar_link(&self) -> BoxFuture<'_, Result<CalendarUrlResponse, Error>>
    where
        S: Grants<WorkforceManagementReadonly>,
    {
        Box::pin(self.json(endpoints::CALENDAR_URL.request(&self.transport, &[])))
    }

    /// `POST /api/v2/workforcemanagement/calendar/url/ics`: make the current user's calendar
    /// link, or return the existing one (so it is safe to repeat).
    ///
    /// Needs a user grant. Scope: [`WorkforceManagement`]; permissions:
    /// [`CALENDAR_URL_CREATE`](endpoints::CALENDAR_URL_CREATE) (`wfm:agentSchedule:sync`).
    pub fn create_calendar_link(&self) -> BoxFuture<'_, Result<CalendarUrlResponse, Error>>
    where
        S: Grants<WorkforceManagement>,
    {
        Box::pin(
            self.json(
                endpoints::CALENDAR_URL_CREATE
                    .request(&self.transport, &[])
                    .idempotent(),
            ),
        )
    }

    /// `DELETE /api/v2/workforcemanagement/calendar/url/ics`: disable the current user's link
    /// (a leaked link stops working).
    ///
    /// Needs a user grant. Scope: [`WorkforceManagement`]; permissions:
    /// [`CALENDAR_URL_DISABLE`](endpoints::CALENDAR_URL_DISABLE) (`wfm:agentSchedule:sync`).
    pub fn disable_calendar_link(&self) -> BoxFuture<'_, Result<(), Error>>
    where
        S: Grants<WorkforceManagement>,
    {
        Box::pin(async move {
            endpoints::CALENDAR_URL_DISABLE
                .request(&self.transport, &[])
                .send()
                .await
                .map_err(|e| self.err(e))?;
            Ok(())
        })
    }

    /// `GET .../calendar/data/ics?calendarId=`: the RFC 5545 feed behind a calendar link,
    /// fetched as given and without the bearer token (the link is the credential).
    ///
    /// Permissions: [`CALENDAR_DATA`](endpoints::CALENDAR_DATA) (none).
    pub fn calendar_feed<'a>(
        &'a self,
        link: &'a CalendarLink,
    ) -> BoxFuture<'a, Result<String, Error>> {
        Box::pin(async move {
            let url = Url::parse(link.expose()).map_err(|e| {
                Error::Http(wfm_http::Error::InvalidUrl(format!(
                    "the calendar link does not parse ({e})"
                )))
            })?;
            let response = self
                .transport
                .presigned(Method::GET, url)
                .header("accept", "text/calendar")
                .send()
                .await
                .map_err(|e| self.err(e))?;
            Ok(String::from_utf8_lossy(response.bytes()).into_owned())
        })
    }

    /// `GET /api/v2/authorization/divisions`: every division of the org, as a stream read 100
    /// at a time.
    ///
    /// Scope: [`AuthorizationReadonly`]; permissions: [`DIVISIONS`](endpoints::DIVISIONS) (none).
    pub fn divisions(&self) -> ItemStream<'_, Division>
    where
        S: Grants<AuthorizationReadonly>,
    {
        let stream = paginate(1u64, move |page| {
            let request = endpoints::DIVISIONS
                .request(&self.transport, &[])
                .query("pageSize", "100")
                .query("pageNumber", page.to_string());
            async move {
                let listing: DivisionListing = request.send_json().await?;
                Ok(Page::from_page_number(
                    listing.entities,
                    page,
                    listing.page_count,
                ))
            }
        });
        Box::pin(stream.map_err(|e| self.err(e)))
    }

    /// `GET /api/v2/authorization/divisionspermitted/paged/me?permission=`: the divisions where
    /// the caller holds `permission`, every page read (100 a page).
    ///
    /// Scope: [`AuthorizationReadonly`]; permissions:
    /// [`DIVISIONS_PERMITTED_ME`](endpoints::DIVISIONS_PERMITTED_ME) (none).
    pub fn permitted_divisions<'a>(
        &'a self,
        permission: &'a str,
    ) -> BoxFuture<'a, Result<PermittedDivisions, Error>>
    where
        S: Grants<AuthorizationReadonly>,
    {
        Box::pin(async move {
            let mut out = PermittedDivisions {
                permission: permission.to_owned(),
                ..PermittedDivisions::default()
            };
            let mut page = 1u64;
            loop {
                let request = endpoints::DIVISIONS_PERMITTED_ME
                    .request(&self.transport, &[])
                    .query("permission", permission)
                    .query("pageSize", "100")
                    .query("pageNumber", page.to_string());
                let listing: PermittedDivisionListing = self.json(request).await?;
                out.all |= listing.all_divs_permitted;
                let empty = listing.entities.is_empty();
                out.divisions.extend(listing.entities);
                if empty || page >= listing.page_count {
                    return Ok(out);
                }
                page += 1;
            }
        })
    }

    /// `GET /api/v2/workforcemanagement/businessunits`.
    ///
    /// Scope: [`WorkforceManagementReadonly`]; permissions:
    /// [`BUSINESS_UNITS`](endpoints::BUSINESS_UNITS) (none).
    pub fn business_units(&self) -> BoxFuture<'_, Result<Vec<BusinessUnitListItem>, Error>>
    where
        S: Grants<WorkforceManagementReadonly>,
    {
        Box::pin(async move {
            let listing: BusinessUnitListing = self
                .json(endpoints::BUSINESS_UNITS.request(&self.transport, &[]))
                .await?;
            Ok(listing.entities)
        })
    }

    /// `GET /api/v2/workforcemanagement/businessunits/{businessUnitId}?expand=settings`: the
    /// business unit with its time zone and start day.
    ///
    /// Scope: [`WorkforceManagementReadonly`]; permissions: any of
    /// [`BUSINESS_UNIT`](endpoints::BUSINESS_UNIT) (any `wfm:*:view` and more).
    pub fn business_unit<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<BusinessUnit, Error>>
    where
        S: Grants<WorkforceManagementReadonly>,
    {
        Box::pin(
            self.json(
                endpoints::BUSINESS_UNIT
                    .request(&self.transport, &[id])
                    .query("expand", "settings"),
            ),
        )
    }

    /// `GET /api/v2/workforcemanagement/businessunits/{businessUnitId}/managementunits`.
    ///
    /// Scope: [`WorkforceManagementReadonly`]; permissions:
    /// [`MANAGEMENT_UNITS`](endpoints::MANAGEMENT_UNITS) (none).
    pub fn management_units<'a>(
        &'a self,
        business_unit_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<ManagementUnit>, Error>>
    where
        S: Grants<WorkforceManagementReadonly>,
    {
        Box::pin(async move {
            let listing: ManagementUnitListing = self
                .json(endpoints::MANAGEMENT_UNITS.request(&self.transport, &[business_unit_id]))
                .await?;
            Ok(listing.entities)
        })
    }

    /// `GET /api/v2/workforcemanagement/managementunits/{managementUnitId}/users`: the ids of
    /// the management unit's agents.
    ///
    /// Scope: [`WorkforceManagementReadonly`]; permissions: any of
    /// [`MANAGEMENT_UNIT_USERS`](endpoints::MANAGEMENT_UNIT_USERS) (`wfm:agent:view`,
    /// `wfm:schedule:view`, ...).
    pub fn management_unit_users<'a>(
        &'a self,
        management_unit_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<String>, Error>>
    where
        S: Grants<WorkforceManagementReadonly>,
    {
        Box::pin(async move {
            let listing: UserListing = self
                .json(
                    endpoints::MANAGEMENT_UNIT_USERS
                        .request(&self.transport, &[management_unit_id]),
                )
                .await?;
            Ok(listing.entities.into_iter().map(|u| u.id).collect())
        })
    }

    /// `GET /api/v2/workforcemanagement/businessunits/{businessUnitId}/weeks/{weekId}/schedules`:
    /// the schedules of the week starting `week` (in the business unit's start day).
    ///
    /// Scope: [`WorkforceManagementReadonly`]; permissions: any of
    /// [`WEEK_SCHEDULES`](endpoints::WEEK_SCHEDULES) (`wfm:schedule:view`,
    /// `wfm:publishedSchedule:view`).
    pub fn week_schedules<'a>(
        &'a self,
        business_unit_id: &'a str,
        week: NaiveDate,
    ) -> BoxFuture<'a, Result<Vec<ScheduleListItem>, Error>>
    where
        S: Grants<WorkforceManagementReadonly>,
    {
        Box::pin(async move {
            let week = week.format("%Y-%m-%d").to_string();
            let listing: ScheduleListing = self
                .json(
                    endpoints::WEEK_SCHEDULES.request(&self.transport, &[business_unit_id, &week]),
                )
                .await?;
            Ok(listing.entities)
        })
    }

    /// `GET /api/v2/workforcemanagement/businessunits/{businessUnitId}/weeks/{weekId}/schedules/{scheduleId}`:
    /// a schedule's metadata (its `metadata.version` and `dateModified`).
    ///
    /// Scope: [`WorkforceManagementReadonly`]; permissions: any of
    /// [`WEEK_SCHEDULE`](endpoints::WEEK_SCHEDULE).
    pub fn week_schedule<'a>(
        &'a self,
        business_unit_id: &'a str,
        week: NaiveDate,
        schedule_id: &'a str,
    ) -> BoxFuture<'a, Result<ScheduleMetadata, Error>>
    where
        S: Grants<WorkforceManagementReadonly>,
    {
        Box::pin(async move {
            let week = week.format("%Y-%m-%d").to_string();
            self.json(
                endpoints::WEEK_SCHEDULE
                    .request(&self.transport, &[business_unit_id, &week, schedule_id]),
            )
            .await
        })
    }

    /// `POST /api/v2/workforcemanagement/businessunits/{businessUnitId}/agentschedules/search`:
    /// the published shifts of the agents in a range, the same typed result whether Genesys
    /// answers inline, with a `downloadUrl` (fetched without the token: it is pre-signed, on
    /// another origin), or `Processing` (see [`SearchPolicy`]).
    ///
    /// Scope: [`WorkforceManagementReadonly`]; permissions: any of
    /// [`BU_AGENT_SCHEDULES_SEARCH`](endpoints::BU_AGENT_SCHEDULES_SEARCH), in the divisions
    /// of the agents' management units.
    pub fn search_agent_schedules<'a>(
        &'a self,
        business_unit_id: &'a str,
        search: &'a AgentScheduleSearch,
    ) -> BoxFuture<'a, Result<AgentSchedules, Error>>
    where
        S: Grants<WorkforceManagementReadonly>,
    {
        Box::pin(self.search(
            endpoints::BU_AGENT_SCHEDULES_SEARCH,
            business_unit_id,
            search,
        ))
    }

    /// `POST /api/v2/workforcemanagement/managementunits/{managementUnitId}/agentschedules/search`:
    /// as [`search_agent_schedules`](Self::search_agent_schedules), for one management unit.
    ///
    /// Scope: [`WorkforceManagementReadonly`]; permissions: any of
    /// [`MU_AGENT_SCHEDULES_SEARCH`](endpoints::MU_AGENT_SCHEDULES_SEARCH).
    pub fn search_management_unit_agent_schedules<'a>(
        &'a self,
        management_unit_id: &'a str,
        search: &'a AgentScheduleSearch,
    ) -> BoxFuture<'a, Result<AgentSchedules, Error>>
    where
        S: Grants<WorkforceManagementReadonly>,
    {
        Box::pin(self.search(
            endpoints::MU_AGENT_SCHEDULES_SEARCH,
            management_unit_id,
            search,
        ))
    }

    /// `GET /api/v2/workforcemanagement/businessunits/{businessUnitId}/activitycodes`: the
    /// business unit's activity codes, whether Genesys answers inline or with a `downloadUrl`.
    ///
    /// Scope: [`WorkforceManagementReadonly`]; permissions: any of
    /// [`ACTIVITY_CODES`](endpoints::ACTIVITY_CODES).
    pub fn activity_codes<'a>(
        &'a self,
        business_unit_id: &'a str,
    ) -> BoxFuture<'a, Result<Vec<ActivityCode>, Error>>
    where
        S: Grants<WorkforceManagementReadonly>,
    {
        Box::pin(async move {
            self.inline_or_downloaded(
                endpoints::ACTIVITY_CODES.request(&self.transport, &[business_unit_id]),
                |l: ActivityCodeListing| (l.entities, l.download_url),
            )
            .await
        })
    }

    /// `POST .../weeks/{weekId}/schedules/{scheduleId}/agentschedules/query`: the agents of one
    /// management unit in a schedule, each with its `metadata.version` (what an update sends
    /// back). Inline, `downloadUrl` and `Processing` answers give the same result.
    ///
    /// Scope: [`WorkforceManagementReadonly`]; permissions: any of
    /// [`AGENT_SCHEDULES_QUERY`](endpoints::AGENT_SCHEDULES_QUERY).
    pub fn query_agent_schedules<'a>(
        &'a self,
        business_unit_id: &'a str,
        week: NaiveDate,
        schedule_id: &'a str,
        query: &'a AgentScheduleQuery,
    ) -> BoxFuture<'a, Result<QueriedAgentSchedules, Error>>
    where
        S: Grants<WorkforceManagementReadonly>,
    {
        Box::pin(async move {
            let week = week.format("%Y-%m-%d").to_string();
            self.asynchronous("agent schedules query", || {
                endpoints::AGENT_SCHEDULES_QUERY
                    .request(&self.transport, &[business_unit_id, &week, schedule_id])
                    .json(query)
            })
            .await
        })
    }

    /// `GET /api/v2/workforcemanagement/agents/{agentId}/managementunit`: the agent's
    /// management unit and business unit.
    ///
    /// Scope: [`WorkforceManagementReadonly`]; permissions: any of
    /// [`AGENT_MANAGEMENT_UNIT`](endpoints::AGENT_MANAGEMENT_UNIT).
    pub fn agent_management_unit<'a>(
        &'a self,
        agent_id: &'a str,
    ) -> BoxFuture<'a, Result<AgentManagementUnit, Error>>
    where
        S: Grants<WorkforceManagementReadonly>,
    {
        Box::pin(self.json(endpoints::AGENT_MANAGEMENT_UNIT.request(&self.transport, &[agent_id])))
    }

    /// `GET /api/v2/workforcemanagement/adherence?userId=`: the real-time adherence of
    /// `user_ids`, in calls of at most [`ADHERENCE_BATCH`] users (the API's maximum), their
    /// answers concatenated in order. No call for an empty list.
    ///
    /// Scope: [`WorkforceManagementReadonly`]; permissions:
    /// [`ADHERENCE`](endpoints::ADHERENCE) (`wfm:realtimeAdherence:view`).
    pub fn adherence<'a>(
        &'a self,
        user_ids: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<UserScheduleAdherence>, Error>>
    where
        S: Grants<WorkforceManagementReadonly>,
    {
        Box::pin(async move {
            let mut all = Vec::with_capacity(user_ids.len());
            for batch in user_ids.chunks(ADHERENCE_BATCH) {
                // The official SDKs send the ids comma-separated in one `userId` parameter.
                let page: Vec<UserScheduleAdherence> = self
                    .json(
                        endpoints::ADHERENCE
                            .request(&self.transport, &[])
                            .query("userId", batch.join(",")),
                    )
                    .await?;
                all.extend(page);
            }
            Ok(all)
        })
    }

    /// `POST .../managementunits/{managementUnitId}/timeoffrequests`: creates time off for the
    /// agents of `time_off` (one request per agent). Not retried by the transport (a repeated
    /// create would duplicate).
    ///
    /// Scope: [`WorkforceManagement`]; permissions: [`TIME_OFF_CREATE`](endpoints::TIME_OFF_CREATE)
    /// (`wfm:timeOffRequest:add`), in the management unit's division.
    pub fn create_time_off<'a>(
        &'a self,
        management_unit_id: &'a str,
        time_off: &'a NewTimeOff,
    ) -> BoxFuture<'a, Result<Vec<TimeOffRequest>, Error>>
    where
        S: Grants<WorkforceManagement>,
    {
        Box::pin(async move {
            let list: TimeOffRequestList = self
                .json(
                    endpoints::TIME_OFF_CREATE
                        .request(&self.transport, &[management_unit_id])
                        .json(time_off),
                )
                .await?;
            Ok(list.time_off_requests)
        })
    }

    /// `POST .../managementunits/{managementUnitId}/timeoffrequests/query`: the unit's time-off
    /// requests matching `query`, inline or from the `downloadUrl` (no token).
    ///
    /// Scope: [`WorkforceManagementReadonly`]; permissions:
    /// [`TIME_OFF_QUERY`](endpoints::TIME_OFF_QUERY) (`wfm:timeOffRequest:view`).
    pub fn query_time_off<'a>(
        &'a self,
        management_unit_id: &'a str,
        query: &'a TimeOffQuery,
    ) -> BoxFuture<'a, Result<Vec<TimeOffRequestListItem>, Error>>
    where
        S: Grants<WorkforceManagementReadonly>,
    {
        Box::pin(async move {
            self.inline_or_downloaded(
                endpoints::TIME_OFF_QUERY
                    .request(&self.transport, &[management_unit_id])
                    .json(query)
                    .idempotent(),
                |l: TimeOffRequestListing| (l.entities, l.download_url),
            )
            .await
        })
    }

    /// `PATCH .../managementunits/{managementUnitId}/users/{userId}/timeoffrequests/{timeOffRequestId}`:
    /// approves, denies or changes a request (a stale `metadata.version` is a 409).
    ///
    /// Scope: [`WorkforceManagement`]; permissions: [`TIME_OFF_UPDATE`](endpoints::TIME_OFF_UPDATE)
    /// (`wfm:timeOffRequest:edit`).
    pub fn update_time_off<'a>(
        &'a self,
        management_unit_id: &'a str,
        user_id: &'a str,
        time_off_request_id: &'a str,
        patch: &'a TimeOffPatch,
    ) -> BoxFuture<'a, Result<TimeOffRequest, Error>>
    where
        S: Grants<WorkforceManagement>,
    {
        Box::pin(
            self.json(
                endpoints::TIME_OFF_UPDATE
                    .request(
                        &self.transport,
                        &[management_unit_id, user_id, time_off_request_id],
                    )
                    .json(patch),
            ),
        )
    }

    /// `PATCH .../timeoffrequests/{timeOffRequestId}/users/{userId}/integrationstatus`: records
    /// how the request went in the caller's own system (payroll, HRIS).
    ///
    /// Scope: [`WorkforceManagement`]; permissions:
    /// [`TIME_OFF_INTEGRATION_STATUS`](endpoints::TIME_OFF_INTEGRATION_STATUS)
    /// (`wfm:timeOffRequest:edit`).
    pub fn set_time_off_integration_status<'a>(
        &'a self,
        management_unit_id: &'a str,
        time_off_request_id: &'a str,
        user_id: &'a str,
        status: &'a str,
    ) -> BoxFuture<'a, Result<IntegrationStatus, Error>>
    where
        S: Grants<WorkforceManagement>,
    {
        Box::pin(async move {
            let body = IntegrationStatusRequest {
                integration_status: status.to_owned(),
            };
            self.json(
                endpoints::TIME_OFF_INTEGRATION_STATUS
                    .request(
                        &self.transport,
                        &[management_unit_id, time_off_request_id, user_id],
                    )
                    .json(&body),
            )
            .await
        })
    }

    /// Imports a new schedule for the week starting `week` through the upload flow: an upload
    /// URL (`POST .../schedules/import/uploadurl`), the body gzip-compressed and `PUT` there
    /// with exactly the headers Genesys returned and no token (the URL is pre-signed, on another
    /// origin), then `POST .../schedules/import` with the upload key.
    ///
    /// The answer is often `Processing`: subscribe to the business unit's schedule topic
    /// **before** calling this ([`ScheduleEvents`](crate::notifications::ScheduleEvents)) and
    /// wait for the operation id.
    ///
    /// Scope: [`WorkforceManagement`]; permissions:
    /// [`SCHEDULE_IMPORT`](endpoints::SCHEDULE_IMPORT) (`wfm:schedule:add`), in the divisions
    /// of the agents' management units.
    pub fn import_schedule<'a>(
        &'a self,
        business_unit_id: &'a str,
        week: NaiveDate,
        schedule: &'a ImportScheduleUpload,
    ) -> BoxFuture<'a, Result<ScheduleOperation, Error>>
    where
        S: Grants<WorkforceManagement>,
    {
        Box::pin(async move {
            let week = week.format("%Y-%m-%d").to_string();
            let body = gzip_json(schedule)?;
            let target: ImportUploadUrl = self
                .json(
                    endpoints::SCHEDULE_IMPORT_UPLOAD_URL
                        .request(&self.transport, &[business_unit_id, &week])
                        .json(&UploadUrlRequest {
                            content_length_bytes: body.len() as u64,
                        })
                        // Asking for an upload URL again creates nothing: safe to repeat.
                        .idempotent(),
                )
                .await?;
            self.upload(&target.url, &target.headers, body).await?;
            let answer: ImportProcessingResponse = self
                .json(
                    endpoints::SCHEDULE_IMPORT
                        .request(&self.transport, &[business_unit_id, &week])
                        .json(&ProcessImportRequest {
                            upload_key: target.upload_key,
                        }),
                )
                .await?;
            Ok(ScheduleOperation {
                status: answer.status,
                operation_id: answer.operation_id,
                result: answer.result,
            })
        })
    }

    /// Updates an existing schedule through the upload flow: an upload URL (`POST
    /// .../schedules/{scheduleId}/update/uploadurl`), the body gzip-compressed and `PUT` there
    /// with exactly the headers returned and no token, then `POST .../update` with the upload
    /// key. Send the schedule's and each agent's `metadata.version` as read.
    ///
    /// Scope: [`WorkforceManagement`]; permissions:
    /// [`SCHEDULE_UPDATE`](endpoints::SCHEDULE_UPDATE) (`wfm:schedule:edit`), in the divisions
    /// of the agents' management units.
    pub fn update_schedule<'a>(
        &'a self,
        business_unit_id: &'a str,
        week: NaiveDate,
        schedule_id: &'a str,
        update: &'a UpdateScheduleUpload,
    ) -> BoxFuture<'a, Result<ScheduleOperation, Error>>
    where
        S: Grants<WorkforceManagement>,
    {
        Box::pin(async move {
            let week = week.format("%Y-%m-%d").to_string();
            let body = gzip_json(update)?;
            let target: UpdateUploadUrl = self
                .json(
                    endpoints::SCHEDULE_UPDATE_UPLOAD_URL
                        .request(&self.transport, &[business_unit_id, &week, schedule_id])
                        .json(&UploadUrlRequest {
                            content_length_bytes: body.len() as u64,
                        })
                        // Asking for an upload URL again creates nothing: safe to repeat.
                        .idempotent(),
                )
                .await?;
            self.upload(&target.url, &target.headers, body).await?;
            let answer: UpdateProcessingResponse = self
                .json(
                    endpoints::SCHEDULE_UPDATE
                        .request(&self.transport, &[business_unit_id, &week, schedule_id])
                        .json(&ProcessUpdateRequest {
                            upload_key: target.upload_key,
                        }),
                )
                .await?;
            Ok(ScheduleOperation {
                status: answer.status,
                operation_id: answer.operation_id,
                result: answer.result,
            })
        })
    }

    /// `PUT`s `body` to a pre-signed upload URL with exactly `headers` (no token).
    async fn upload(
        &self,
        url: &str,
        headers: &BTreeMap<String, String>,
        body: Vec<u8>,
    ) -> Result<(), Error> {
        let url = Url::parse(url).map_err(|e| {
            Error::Config(format!(
                "Genesys sent an upload URL that does not parse: {e}"
            ))
        })?;
        let content_type = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.as_str())
            .unwrap_or("application/json");
        let mut request = self
            .transport
            .presigned(Method::PUT, url)
            .body(body, content_type);
        for (name, value) in headers {
            if !name.eq_ignore_ascii_case("content-type") {
                request = request.header(name, value);
            }
        }
        request.send().await.map_err(|e| self.err(e))?;
        Ok(())
    }

    async fn search(
        &self,
        endpoint: Endpoint,
        unit: &str,
        search: &AgentScheduleSearch,
    ) -> Result<AgentSchedules, Error> {
        self.asynchronous("agent schedule search", || {
            endpoint.request(&self.transport, &[unit]).json(search)
        })
        .await
    }

    /// Sends a request whose answer is `{status, operationId, result, downloadUrl}` until it
    /// gives a result: inline, from the `downloadUrl` (no token), or after `Processing` (the
    /// [`SearchPolicy`]).
    async fn asynchronous<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        request: impl Fn() -> RequestBuilder,
    ) -> Result<T, Error> {
        let mut attempt = 0u32;
        loop {
            // A search or query changes nothing: safe to repeat.
            let answer: AsyncAnswer<T> = self.json(request().idempotent()).await?;
            match answer.status.as_str() {
                "Complete" => {
                    if let Some(result) = answer.result {
                        return Ok(result);
                    }
                    if let Some(url) = &answer.download_url {
                        return self.download(url).await;
                    }
                    return Err(Error::Operation {
                        operation,
                        operation_id: answer.operation_id,
                        status: answer.status,
                        detail: "Complete without a result or a downloadUrl".into(),
                    });
                }
                "Processing" => {
                    if let Some(url) = answer.download_url.as_deref() {
                        return self.download(url).await;
                    }
                    if let (Some(hook), Some(id)) = (&self.search.hook, &answer.operation_id)
                        && let Some(url) = hook(id).await
                    {
                        return self.download(url.as_str()).await;
                    }
                    if attempt >= self.search.retries {
                        return Err(Error::Operation {
                            operation,
                            operation_id: answer.operation_id,
                            status: answer.status,
                            detail: format!(
                                "still Processing after {} attempts; its result goes to a per-user notification topic a client-credentials token cannot use: ask for a shorter range or fewer users, or give a SearchPolicy hook",
                                attempt + 1
                            ),
                        });
                    }
                    attempt += 1;
                    tokio::time::sleep(self.search.delay).await;
                }
                _ => {
                    return Err(Error::Operation {
                        operation,
                        operation_id: answer.operation_id,
                        status: answer.status,
                        detail:
                            "Genesys gave no reason; retry, or quote the operation id to support"
                                .into(),
                    });
                }
            }
        }
    }

    /// Fetches a pre-signed result URL (no token sent) and decodes it.
    async fn download<T: DeserializeOwned>(&self, url: &str) -> Result<T, Error> {
        let url = Url::parse(url).map_err(|e| {
            Error::Config(format!(
                "Genesys sent a downloadUrl that does not parse: {e}"
            ))
        })?;
        self.json(self.transport.presigned(Method::GET, url)).await
    }

    /// A listing's entities: inline, or, when Genesys answered with none but a `downloadUrl`,
    /// the same listing downloaded from it (without the token). `parts` splits a listing into
    /// its entities and its `downloadUrl`.
    async fn inline_or_downloaded<L: DeserializeOwned, E>(
        &self,
        request: RequestBuilder,
        parts: fn(L) -> (Vec<E>, Option<String>),
    ) -> Result<Vec<E>, Error> {
        match parts(self.json(request).await?) {
            (entities, Some(url)) if entities.is_empty() => Ok(parts(self.download(&url).await?).0),
            (entities, _) => Ok(entities),
        }
    }

    async fn json<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T, Error> {
        request.send_json().await.map_err(|e| self.err(e))
    }

    fn err(&self, e: wfm_http::Error) -> Error {
        Error::from_http(e, self.env.login_url().host_str())
    }
}

/// The shape every asynchronous WFM answer shares.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct AsyncAnswer<T> {
    #[serde(default)]
    status: String,
    operation_id: Option<String>,
    result: Option<T>,
    download_url: Option<String>,
}

/// What a schedule import or update answered: `Complete` with the schedule, or `Processing`
/// (wait for the operation id on the notification channel), `Error` or `Canceled`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ScheduleOperation {
    /// `Processing`, `Complete`, `Canceled` or `Error`.
    pub status: String,
    /// The operation id, matched against notifications.
    pub operation_id: Option<String>,
    /// The schedule, when complete.
    pub result: Option<ScheduleMetadata>,
}

/// The JSON of `value`, gzip-compressed.
fn gzip_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    use std::io::Write as _;
    let json = serde_json::to_vec(value)
        .map_err(|e| Error::Config(format!("the schedule does not serialize: {e}")))?;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(&json)
        .and_then(|()| encoder.finish())
        .map_err(|e| Error::Config(format!("gzip failed: {e}")))
}
