//! The reconcile engine: [`Engine::sync`] reads the server's roles and users through a
//! [`Backend`], validates the roster, plans, checks the [`Guard`], applies with bounded
//! concurrency and reports.
//!
//! The write rules, which keep eventual consistency and lost answers from making duplicates:
//!
//! - an update is an optimistic `PUT`; a 404 is believed only after a `GET` confirms the user is
//!   absent (then a `POST`); a `GET` that finds the user means the 404 was transient, and the
//!   `PUT` is repeated after a pause;
//! - a `POST` answered 409 turns into a `PUT` of every field; a `PUT` that then answers 404 is
//!   repeated after a pause (the user exists: the server said so);
//! - a `POST` whose outcome is unknown (connection lost after sending, 5xx) is checked with a
//!   `GET` before it is sent again; a `POST` answered 429 is sent again once its `Retry-After`
//!   has elapsed. Meanwhile no other call of the run reaches the server either: wfm-http's
//!   transport holds its whole platform until a `Retry-After` it received elapses, whether or
//!   not it repeats the request itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use wfm_auth::{ErrorMetadata, Grants, ScopeSet};
use wfm_http::{BoxFuture, Stats};

use crate::client::{Client, UserStream};
use crate::error::Error;
use crate::model::{Role, User, UserChanges};
use crate::plan::{Guard, GuardTripped, Plan, plan};
use crate::roster::{RosterRow, RowIssue, Rules};
use crate::scopes::{NiceCxone, RolesRead, UsersRead, UsersWrite};

/// Reads and writes single users: what the write rules need.
pub trait UserStore: Send + Sync {
    /// The user, or `None` when the server says it does not exist.
    fn get_user<'a>(&'a self, external_id: &'a str) -> BoxFuture<'a, Result<Option<User>, Error>>;
    /// A partial update; a missing user is an error whose `is_not_found()` is true.
    fn update_user<'a>(&'a self, changes: &'a UserChanges) -> BoxFuture<'a, Result<(), Error>>;
    /// A create; an existing user is an error whose `is_conflict()` is true.
    fn create_user<'a>(&'a self, user: &'a User) -> BoxFuture<'a, Result<(), Error>>;
}

/// Where a sync reads and writes users: the WFM contract's [`Client`], or another user API of
/// the same tenant.
pub trait Backend: UserStore {
    /// Every user, active and inactive.
    fn list_users(&self) -> UserStream<'_>;
    /// The roles users may carry, or `None` when the backend cannot list them (roles are then
    /// sent unchecked).
    fn list_roles(&self) -> BoxFuture<'_, Result<Option<Vec<Role>>, Error>>;
    /// The roster user as this backend can hold it (fields it cannot carry removed), so that
    /// the plan does not see a difference it could never fix. The default keeps everything.
    fn normalize(&self, user: &User) -> User {
        user.clone()
    }
    /// What the backend's platform has sent so far, retries and 429s inside the transport
    /// included (`wfm_http::Platform::stats`), or `None` when the backend cannot tell; the
    /// [`Report`] counts the difference over a run. The default is `None`: the report then
    /// counts what the engine sees.
    fn stats(&self) -> Option<Stats> {
        None
    }
}

impl<S> UserStore for Client<S>
where
    S: ScopeSet<NiceCxone> + Grants<UsersRead> + Grants<UsersWrite>,
{
    fn get_user<'a>(&'a self, external_id: &'a str) -> BoxFuture<'a, Result<Option<User>, Error>> {
        Client::get_user(self, external_id)
    }
    fn update_user<'a>(&'a self, changes: &'a UserChanges) -> BoxFuture<'a, Result<(), Error>> {
        Client::update_user(self, changes)
    }
    fn create_user<'a>(&'a self, user: &'a User) -> BoxFuture<'a, Result<(), Error>> {
        Client::create_user(self, user)
    }
}

impl<S> Backend for Client<S>
where
    S: ScopeSet<NiceCxone> + Grants<UsersRead> + Grants<UsersWrite> + Grants<RolesRead>,
{
    fn list_users(&self) -> UserStream<'_> {
        self.users(None)
    }
    fn list_roles(&self) -> BoxFuture<'_, Result<Option<Vec<Role>>, Error>> {
        Box::pin(async move { self.roles().await.map(Some) })
    }
    fn stats(&self) -> Option<Stats> {
        Some(self.transport().stats())
    }
}

/// How a write ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Applied {
    /// The user was created.
    Created,
    /// The user existed and was updated.
    Updated,
    /// The user was to be deactivated but no longer exists: nothing to do.
    Gone,
}

/// Counters of the calls the engine made (shared by concurrent writes).
#[derive(Debug, Default)]
pub(crate) struct Tally {
    /// Calls made (each may have been retried inside the transport).
    calls: AtomicU64,
    /// Retries inside the transport of calls that failed in the end.
    failed_retries: AtomicU64,
    /// 429s the engine saw (not those the transport absorbed).
    rate_limited: AtomicU64,
    /// Calls the write rules repeated or turned into another call.
    repeats: AtomicU64,
    confirmations: AtomicU64,
}

impl Tally {
    fn call<T>(&self, result: &Result<T, Error>) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = result {
            let extra = u64::from(e.attempts().saturating_sub(1));
            self.failed_retries.fetch_add(extra, Ordering::Relaxed);
            if e.is_rate_limited() {
                self.rate_limited.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn again(&self) {
        self.repeats.fetch_add(1, Ordering::Relaxed);
    }

    /// Fills the report's call counts: from the platform's counters over the run when the
    /// backend has them, else from what the engine saw.
    fn fill(&self, report: &mut Report, platform: Option<Stats>) {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let repeats = load(&self.repeats);
        report.confirmations = load(&self.confirmations);
        match platform {
            Some(s) => {
                report.requests = s.requests();
                report.retries = s.retries() + repeats;
                report.rate_limited = s.throttled();
                report.token_refreshes = s.token_refreshes();
            }
            None => {
                report.requests = load(&self.calls);
                report.retries = load(&self.failed_retries) + repeats;
                report.rate_limited = load(&self.rate_limited);
                report.token_refreshes = 0;
            }
        }
    }
}

/// The longest `Retry-After` the engine waits for before repeating a `POST` (the transport's
/// default cap).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(180);

/// Rounds of the write rules before a user's write is given up.
const ROUNDS: u32 = 8;

fn pause(round: u32) -> Duration {
    Duration::from_millis(25u64 << round.min(6))
}

/// PUT `changes`; on 404 confirm with GET; create `full` if absent (deactivations pass `None`).
pub(crate) async fn update_or_create<B: UserStore + ?Sized>(
    store: &B,
    changes: &UserChanges,
    full: Option<&User>,
    tally: &Tally,
) -> Result<Applied, Error> {
    let id = changes.external_id.as_str();
    let mut round = 0;
    loop {
        let put = store.update_user(changes).await;
        tally.call(&put);
        match put {
            Ok(()) => return Ok(Applied::Updated),
            Err(e) if e.is_not_found() && round < ROUNDS => {}
            Err(e) => return Err(e),
        }
        let got = store.get_user(id).await;
        tally.call(&got);
        tally.confirmations.fetch_add(1, Ordering::Relaxed);
        match got? {
            Some(_) => {
                tracing::debug!(
                    external_id = id,
                    "PUT answered 404 but GET finds the user; retrying the PUT"
                );
                tokio::time::sleep(pause(round)).await;
                tally.again();
                round += 1;
            }
            None => {
                let Some(user) = full else {
                    return Ok(Applied::Gone);
                };
                return create_or_update(store, user, tally).await;
            }
        }
    }
}

/// POST `user`; a 409 turns into a PUT of every field; an unknown outcome is checked with GET.
pub(crate) async fn create_or_update<B: UserStore + ?Sized>(
    store: &B,
    user: &User,
    tally: &Tally,
) -> Result<Applied, Error> {
    let id = user.external_id.as_str();
    let mut round = 0;
    loop {
        let post = store.create_user(user).await;
        tally.call(&post);
        let err = match post {
            Ok(()) => return Ok(Applied::Created),
            Err(e) => e,
        };
        if round >= ROUNDS {
            return Err(err);
        }
        round += 1;
        tally.again();
        if err.is_conflict() {
            return put_existing(store, user, tally).await;
        } else if err.is_rate_limited() {
            // A 429 was not applied; post again once its Retry-After has elapsed (the transport
            // does not repeat a POST, but it holds its platform until then, so no other call
            // starts meanwhile), not after a wait longer than the transport's for a PUT.
            match err.retry_after() {
                Some(wait) if wait > MAX_RETRY_AFTER => return Err(err),
                Some(wait) => tokio::time::sleep(wait).await,
                None => tokio::time::sleep(pause(round)).await,
            }
        } else if err.outcome_unknown() {
            let got = store.get_user(id).await;
            tally.call(&got);
            tally.confirmations.fetch_add(1, Ordering::Relaxed);
            match got? {
                Some(have) => {
                    // The lost POST was applied (or someone else created the user).
                    if let Some(changes) = UserChanges::between(&have, user) {
                        let put = store.update_user(&changes).await;
                        tally.call(&put);
                        put?;
                    }
                    return Ok(Applied::Created);
                }
                None => tokio::time::sleep(pause(round)).await,
            }
        } else {
            return Err(err);
        }
    }
}

/// The server said the user exists (409): PUT every field, repeating a 404 after a pause.
async fn put_existing<B: UserStore + ?Sized>(
    store: &B,
    user: &User,
    tally: &Tally,
) -> Result<Applied, Error> {
    let changes = UserChanges::all_of(user);
    let mut round = 0;
    loop {
        let put = store.update_user(&changes).await;
        tally.call(&put);
        match put {
            Ok(()) => return Ok(Applied::Created),
            Err(e) if e.is_not_found() && round < ROUNDS => {
                tokio::time::sleep(pause(round)).await;
                tally.again();
                round += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// What a sync does with each planned write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// `POST` a new user.
    Create,
    /// `PUT` the fields that differ.
    Update,
    /// `PUT` an inactive user back to active.
    Reactivate,
    /// `PUT {"isActive": false}`.
    Deactivate,
}

/// The phases of a sync, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Phase {
    /// Reading `/roles` and the server's users.
    Reading,
    /// Creates, updates and reactivations.
    Upserts,
    /// Deactivations, after every upsert.
    Deactivations,
}

/// What a progress callback receives.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// A phase starts; `total` writes are in it (0 for [`Phase::Reading`]).
    Phase {
        /// The phase.
        phase: Phase,
        /// Writes in the phase.
        total: usize,
    },
    /// The plan is known.
    Planned {
        /// Creates.
        creates: usize,
        /// Updates.
        updates: usize,
        /// Reactivations.
        reactivations: usize,
        /// Deactivations.
        deactivations: usize,
        /// Users left alone.
        unchanged: usize,
    },
    /// One user's write ended.
    Applied {
        /// Writes ended so far in the run, this one included.
        done: usize,
        /// Writes in the run.
        total: usize,
        /// The user.
        external_id: String,
        /// What was done.
        action: Action,
        /// Whether it worked.
        ok: bool,
    },
}

/// A user's write that failed; the run went on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserError {
    /// The user.
    pub external_id: String,
    /// What was attempted.
    pub action: Action,
    /// The HTTP status, if the server answered.
    pub status: Option<u16>,
    /// The error, with the platform's message.
    pub message: String,
    /// What to do about it.
    pub advice: Option<&'static str>,
}

/// Counts per action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Users created.
    pub created: usize,
    /// Users updated.
    pub updated: usize,
    /// Users reactivated.
    pub reactivated: usize,
    /// Users deactivated.
    pub deactivated: usize,
    /// Users that already matched.
    pub unchanged: usize,
    /// Writes that failed (see [`Report::errors`]).
    pub failed: usize,
    /// Rows refused (see [`Report::rejected`]).
    pub rejected: usize,
    /// Rows sent with a fallback (see [`Report::flagged`]).
    pub flagged: usize,
}

/// What a sync did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Whether it was a dry run (nothing written; the counts are the plan's).
    pub dry_run: bool,
    /// Counts per action.
    pub counts: Counts,
    /// Rows refused, one by one, with why.
    pub rejected: Vec<RowIssue>,
    /// Rows sent with a fallback zone or role, to review.
    pub flagged: Vec<RowIssue>,
    /// Writes that failed, one by one.
    pub errors: Vec<UserError>,
    /// The plan (only for a dry run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    /// Wall-clock time of the run, in milliseconds.
    pub duration_ms: u64,
    /// Requests sent on the wire during the run, every attempt counted (from the backend's
    /// [`Backend::stats`]: the platform's counters, which also count whatever else shares the
    /// platform meanwhile; for a backend without them, the calls the engine made).
    pub requests: u64,
    /// Requests sent again: by the transport after a 429, a 5xx or a lost connection (whether
    /// the call then succeeded or not), and by the engine's write rules (a `PUT` repeated after
    /// a 404 a `GET` contradicted, a `POST` repeated after a 429 or a lost answer, a `POST`
    /// answered 409 turned into a `PUT`).
    pub retries: u64,
    /// 429 answers received, those the transport absorbed by retrying included.
    pub rate_limited: u64,
    /// Tokens fetched again after the API refused one (401), as when a token expires mid-run.
    pub token_refreshes: u64,
    /// GETs made to confirm a 404 or a lost create.
    pub confirmations: u64,
}

impl Report {
    /// Whether every row was applied: no write failed and no row was refused.
    pub fn all_applied(&self) -> bool {
        self.counts.failed == 0 && self.counts.rejected == 0
    }
}

/// Why a sync stopped before writing anything.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The plan deactivates more users than the guard allows.
    #[error(transparent)]
    Guard(#[from] GuardTripped),
    /// The fallback role is not among the server's roles.
    #[error(
        "the fallback role {0:?} is not among the server's roles (GET /api/wfm/v2/roles): give an existing role id"
    )]
    UnknownFallbackRole(String),
    /// Reading the roles or the users failed.
    #[error("could not read the server's state: {0}")]
    Read(#[source] Error),
}

/// A progress callback.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// The reconcile engine over a [`Backend`].
///
/// ```no_run
/// use cxone_wfm::roster::{parse_csv, Rules};
/// use cxone_wfm::{Client, Engine};
/// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let rows = parse_csv(&std::fs::read_to_string("roster.csv")?)?;
/// let rules = Rules::from_role_map_json(&std::fs::read_to_string("roles.json")?)?
///     .fallback_role("wfm_role_unmapped");
/// let report = Engine::new(client)
///     .concurrency(8)
///     .on_progress(|p| eprintln!("{p:?}"))
///     .sync(rows, rules)
///     .await?;
/// println!("{}", serde_json::to_string_pretty(&report)?);
/// # Ok(()) }
/// ```
pub struct Engine<B> {
    backend: B,
    concurrency: usize,
    guard: Guard,
    dry_run: bool,
    progress: Option<ProgressFn>,
}

impl<B: Backend> Engine<B> {
    /// An engine with 8 writes in flight, the default [`Guard`], and no progress callback.
    pub fn new(backend: B) -> Self {
        Self {
            backend,
            concurrency: 8,
            guard: Guard::default(),
            dry_run: false,
            progress: None,
        }
    }

    /// Writes in flight at once (at least 1). The platform's rate limit still applies.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// The mass-deactivation guard.
    pub fn guard(mut self, guard: Guard) -> Self {
        self.guard = guard;
        self
    }

    /// Plan only: read, validate, plan, check the guard, and report the plan; write nothing.
    pub fn dry_run(mut self, on: bool) -> Self {
        self.dry_run = on;
        self
    }

    /// Call `f` on every [`Progress`] event (from the tasks that apply writes: keep it quick).
    pub fn on_progress(mut self, f: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// The backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    fn emit(&self, p: Progress) {
        if let Some(f) = &self.progress {
            f(&p);
        }
    }

    /// Reads the roles and users, validates `rows` against `rules` (the server's roles become
    /// the known roles), plans, checks the guard, and applies: upserts first, deactivations
    /// after. A user's failed write is reported and the run goes on.
    pub async fn sync(&self, rows: Vec<RosterRow>, rules: Rules) -> Result<Report, SyncError> {
        let started = Instant::now();
        let stats_before = self.backend.stats();
        let tally = Tally::default();
        self.emit(Progress::Phase {
            phase: Phase::Reading,
            total: 0,
        });
        let roles = self.backend.list_roles().await;
        tally.call(&roles);
        let rules = match roles.map_err(SyncError::Read)? {
            Some(roles) => rules.known_roles(roles.into_iter().map(|r| r.id)),
            None => rules,
        };
        if let Some(f) = rules.fallback_role_id()
            && !rules.is_known_role(f)
        {
            return Err(SyncError::UnknownFallbackRole(f.to_owned()));
        }
        let mut roster = rules.validate(rows);
        for user in &mut roster.users {
            *user = self.backend.normalize(user);
        }
        let current: Vec<User> = self
            .backend
            .list_users()
            .try_collect()
            .await
            .map_err(SyncError::Read)?;
        tally.calls.fetch_add(1, Ordering::Relaxed);
        let plan = plan(&roster.users, &current, &roster.present);
        drop(current);
        self.emit(Progress::Planned {
            creates: plan.creates.len(),
            updates: plan.updates.len(),
            reactivations: plan.reactivations.len(),
            deactivations: plan.deactivations.len(),
            unchanged: plan.unchanged,
        });
        self.guard.check(&plan)?;
        let mut counts = Counts {
            unchanged: plan.unchanged,
            rejected: roster.rejected.len(),
            flagged: roster.flagged.len(),
            ..Counts::default()
        };
        let mut report = Report {
            dry_run: self.dry_run,
            counts,
            rejected: roster.rejected,
            flagged: roster.flagged,
            errors: Vec::new(),
            plan: None,
            duration_ms: 0,
            requests: 0,
            retries: 0,
            rate_limited: 0,
            token_refreshes: 0,
            confirmations: 0,
        };
        if self.dry_run {
            report.counts.created = plan.creates.len();
            report.counts.updated = plan.updates.len();
            report.counts.reactivated = plan.reactivations.len();
            report.counts.deactivated = plan.deactivations.len();
            report.plan = Some(plan);
        } else {
            let desired: std::collections::HashMap<&str, &User> = roster
                .users
                .iter()
                .map(|u| (u.external_id.as_str(), u))
                .collect();
            let total = plan.writes();
            let done = AtomicUsize::new(0);
            let mut upserts: Vec<Work<'_>> = Vec::new();
            upserts.extend(plan.creates.iter().map(Work::Create));
            upserts.extend(plan.updates.iter().map(|c| {
                Work::Put(
                    Action::Update,
                    c,
                    desired.get(c.external_id.as_str()).copied(),
                )
            }));
            upserts.extend(plan.reactivations.iter().map(|c| {
                Work::Put(
                    Action::Reactivate,
                    c,
                    desired.get(c.external_id.as_str()).copied(),
                )
            }));
            self.emit(Progress::Phase {
                phase: Phase::Upserts,
                total: upserts.len(),
            });
            let mut errors = self
                .run_phase(upserts, &tally, &done, total, &mut counts)
                .await;
            let deactivations: Vec<UserChanges> = plan
                .deactivations
                .iter()
                .map(UserChanges::deactivate)
                .collect();
            self.emit(Progress::Phase {
                phase: Phase::Deactivations,
                total: deactivations.len(),
            });
            let work = deactivations
                .iter()
                .map(|c| Work::Put(Action::Deactivate, c, None))
                .collect();
            errors.extend(
                self.run_phase(work, &tally, &done, total, &mut counts)
                    .await,
            );
            counts.failed = errors.len();
            report.counts = counts;
            report.errors = errors;
        }
        report.duration_ms = started.elapsed().as_millis() as u64;
        let over_run = match (stats_before, self.backend.stats()) {
            (Some(before), Some(after)) => Some(after.since(&before)),
            _ => None,
        };
        tally.fill(&mut report, over_run);
        Ok(report)
    }

    async fn run_phase(
        &self,
        work: Vec<Work<'_>>,
        tally: &Tally,
        done: &AtomicUsize,
        total: usize,
        counts: &mut Counts,
    ) -> Vec<UserError> {
        let outcomes: Vec<(Action, String, Result<Applied, Error>)> = futures::stream::iter(work)
            .map(|w| async move {
                let (action, id, result) = match w {
                    Work::Create(user) => (
                        Action::Create,
                        &user.external_id,
                        create_or_update(&self.backend, user, tally).await,
                    ),
                    Work::Put(action, changes, full) => (
                        action,
                        &changes.external_id,
                        update_or_create(&self.backend, changes, full, tally).await,
                    ),
                };
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                self.emit(Progress::Applied {
                    done: n,
                    total,
                    external_id: id.clone(),
                    action,
                    ok: result.is_ok(),
                });
                (action, id.clone(), result)
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        let mut errors = Vec::new();
        for (action, external_id, result) in outcomes {
            match result {
                Ok(_) => match action {
                    Action::Create => counts.created += 1,
                    Action::Update => counts.updated += 1,
                    Action::Reactivate => counts.reactivated += 1,
                    Action::Deactivate => counts.deactivated += 1,
                },
                Err(e) => errors.push(UserError {
                    external_id,
                    action,
                    status: e.status(),
                    message: e.to_string(),
                    advice: ErrorMetadata::advice(&e),
                }),
            }
        }
        errors
    }
}

enum Work<'a> {
    Create(&'a User),
    Put(Action, &'a UserChanges, Option<&'a User>),
}
