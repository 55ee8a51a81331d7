//! The one-way sync engine, WFM shifts to calendar events, generic over a [`CalendarBackend`]:
//! Microsoft Graph (`calendar-graph`) and Google Calendar (`calendar-google`) implement it and
//! hold only what differs.
//!
//! ```
//! use std::collections::HashMap;
//! use calendar_sync::{by_mailbox, desired, ConflictPolicy};
//!
//! // The `ics_feed` example's shift JSON; the mailbox is the agent id (or a mapped address).
//! let shifts = ical_feed::json::shifts_from_json(r#"[{"id": "s1", "agent": "jane@example.com",
//!   "start": "2026-03-30T08:00:00+02:00", "end": "2026-03-30T16:00:00+02:00",
//!   "timezone": "Europe/Paris", "summary": "Day desk", "last_modified": "2026-03-01T10:00:00Z"}]"#)?;
//! let by_mb = by_mailbox(shifts, &HashMap::new());
//! let shift = &by_mb["jane@example.com"][0];
//! let want = desired("jane@example.com", shift, ConflictPolicy::Keep, "").unwrap().unwrap();
//! // A person's own events are never hidden: ours show as tentative by default.
//! assert_eq!(want.content.show_as, "tentative");
//! assert_eq!(want.hash, want.content.hash());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Per mailbox: our tagged events are listed, compared with the shifts, and only the
//! difference is written. Only events carrying our tag are ever changed or deleted: a person's
//! own event is never touched, even an exact copy of a shift (the one exception is
//! [`ConflictPolicy::Override`], an explicit opt-in whose risk its documentation states). Our event edited by a person is
//! detected by its content hash and written back once; nothing flows back into WFM.
#![forbid(unsafe_code)]

pub mod cli;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use futures::StreamExt;
use futures::future::BoxFuture;
use ical_feed::{Shift, Status};
use sha2::{Digest, Sha256};

use wfm_auth::ErrorMetadata;

/// The category every event of ours carries, so that people can filter them in their calendar.
pub const TAG_CATEGORY: &str = "WFM shift";

/// Text as compared by [`Content::hash`]: `\r\n` as `\n`, trimmed.
pub fn normalise_text(s: &str) -> String {
    s.replace("\r\n", "\n").trim().to_owned()
}

/// A shift that cannot be mirrored as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The time zone is neither an IANA zone nor one the backend can name (Microsoft Graph maps
    /// IANA zones to Windows zones through CLDR windowsZones).
    #[error(
        "unknown time zone {zone:?}: give an IANA zone name such as `Europe/Paris` (it is mapped to a Windows zone through CLDR windowsZones)"
    )]
    UnknownTimeZone {
        /// The zone as given.
        zone: String,
    },
    /// The shift input could not be read.
    #[error("invalid shift input: {0}")]
    Shifts(String),
    /// A batch the service would refuse: empty, too many requests, or ids that are not unique.
    #[error("invalid batch: {0}")]
    Batch(String),
}

impl ErrorMetadata for InputError {
    fn is_retryable(&self) -> bool {
        false
    }
    fn advice(&self) -> Option<&'static str> {
        Some("fix the shift input and run again")
    }
}

/// The content of an event as both sides see it; its hash decides whether to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    /// Title.
    pub subject: String,
    /// Plain-text body (compared with `\r\n` as `\n`, trimmed).
    pub body: String,
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant.
    pub end: DateTime<Utc>,
    /// Location, if any.
    pub location: Option<String>,
    /// Free/busy as the backend names it (`busy`, `tentative`, ...).
    pub show_as: String,
    /// Categories (compared as a set).
    pub categories: Vec<String>,
}

impl Content {
    /// 16 hex digits of SHA-256 over the fields, instants compared as instants.
    pub fn hash(&self) -> String {
        let mut cats: Vec<&str> = self.categories.iter().map(String::as_str).collect();
        cats.sort_unstable();
        cats.dedup();
        let mut h = Sha256::new();
        for part in [
            self.subject.as_str(),
            normalise_text(&self.body).as_str(),
            &self.start.timestamp().to_string(),
            &self.end.timestamp().to_string(),
            self.location.as_deref().unwrap_or(""),
            &self.show_as,
            &cats.join("\u{1f}"),
        ] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        h.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// One event the engine wants in a mailbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Desired {
    /// The shift it mirrors.
    pub shift_id: String,
    /// What the event shows.
    pub content: Content,
    /// [`Content::hash`] of `content`, written into the tag.
    pub hash: String,
    /// The zone it is displayed in (`None`: UTC).
    pub time_zone: Option<Tz>,
    /// An idempotency key for the create (Graph's `transactionId`), different per run.
    pub transaction_id: String,
}

/// One of our tagged events, as the backend found it.
#[derive(Debug, Clone, PartialEq)]
pub struct OurEvent {
    /// The backend's event id.
    pub id: String,
    /// The shift id in our tag.
    pub shift_id: String,
    /// The hash in our tag: what we wrote last.
    pub written_hash: String,
    /// What the event shows now.
    pub observed: Content,
}

/// What the engine needs of a calendar service. Every method acts on one mailbox and must
/// count against that mailbox's limits.
pub trait CalendarBackend: Send + Sync {
    /// The backend's error.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Checks that the backend can write `event` (for example that it can name its time
    /// zone); called for every wanted event before anything is sent. The default accepts all.
    fn validate(&self, event: &Desired) -> Result<(), InputError> {
        let _ = event;
        Ok(())
    }

    /// Checks credentials before any write (a token's permissions); no calendar request.
    fn preflight(&self) -> BoxFuture<'_, Result<(), Self::Error>>;
    /// Every event of the mailbox that carries our tag.
    fn list_ours<'a>(
        &'a self,
        mailbox: &'a str,
    ) -> BoxFuture<'a, Result<Vec<OurEvent>, Self::Error>>;
    /// Creates the event with our tag; must be idempotent under retries.
    fn create<'a>(
        &'a self,
        mailbox: &'a str,
        event: &'a Desired,
    ) -> BoxFuture<'a, Result<(), Self::Error>>;
    /// Writes the event (and our tag) over one of ours.
    fn update<'a>(
        &'a self,
        mailbox: &'a str,
        id: &'a str,
        event: &'a Desired,
    ) -> BoxFuture<'a, Result<(), Self::Error>>;
    /// Whether [`list_window`](Self::list_window) is implemented, which
    /// [`ConflictPolicy::Override`] needs. The default: no.
    fn can_list_window(&self) -> bool {
        false
    }

    /// Every event of the mailbox that overlaps `[from, to)`, ours included (the engine tells
    /// them apart by id). Used only by [`ConflictPolicy::Override`]; the default answers none.
    fn list_window<'a>(
        &'a self,
        mailbox: &'a str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<Vec<OtherEvent>, Self::Error>> {
        let _ = (mailbox, from, to);
        Box::pin(async { Ok(Vec::new()) })
    }

    /// Deletes one of ours (already gone counts as done). With [`ConflictPolicy::Override`] it
    /// also deletes the person's overlapping events, by the ids [`list_window`](Self::list_window)
    /// gave.
    fn delete<'a>(
        &'a self,
        mailbox: &'a str,
        id: &'a str,
    ) -> BoxFuture<'a, Result<(), Self::Error>>;

    /// Applies the writes of one mailbox and answers one result per write, in order. The
    /// default sends them one by one, 4 at a time; a backend may batch them instead.
    fn apply<'a>(
        &'a self,
        mailbox: &'a str,
        writes: &'a [Write],
    ) -> BoxFuture<'a, Vec<Result<(), Self::Error>>> {
        Box::pin(
            futures::stream::iter(writes)
                .map(move |w| match w {
                    Write::Create(d) => self.create(mailbox, d),
                    Write::Update(id, d) => self.update(mailbox, id, d),
                    Write::Delete(id, _) => self.delete(mailbox, id),
                })
                .buffered(4)
                .collect(),
        )
    }
}

/// An event of a mailbox as [`CalendarBackend::list_window`] sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherEvent {
    /// The backend's event id.
    pub id: String,
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant.
    pub end: DateTime<Utc>,
    /// Whether the event shows the person as free (such events never conflict).
    pub free: bool,
}

/// One write the engine decided on. Exhaustive on purpose: every backend handles every write.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Create the event of a shift.
    Create(Desired),
    /// Write over our event (its id) with a shift's content.
    Update(String, Desired),
    /// Delete our event (its id; the shift id it carried).
    Delete(String, String),
}

impl Write {
    /// The shift the write is about.
    pub fn shift_id(&self) -> &str {
        match self {
            Write::Create(d) | Write::Update(_, d) => &d.shift_id,
            Write::Delete(_, s) => s,
        }
    }
}

/// What to do about a person's own events that overlap a shift. With [`Keep`](Self::Keep) and
/// [`Busy`](Self::Busy) their events are never changed; [`Override`](Self::Override) is the one,
/// explicit exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ConflictPolicy {
    /// Add ours beside theirs, shown as `tentative`, so it never hides their plans on free/busy.
    #[default]
    Keep,
    /// Add ours shown as `busy` (`tentative` for a tentative shift): a shift is working time.
    Busy,
    /// Add ours shown as `busy`, then **delete every event of the person's that overlaps a
    /// shift** (except events shown as `free`, and never one of ours). An explicit opt-in, for
    /// tenants whose policy is that the schedule owns working hours.
    ///
    /// The risk: the deleted events are the person's own (a doctor's appointment, a meeting
    /// someone else organised, which is then declined for them). Outlook moves them to Deleted
    /// Items and Google marks them `cancelled`, so they can be recovered for a while, but the
    /// sync never restores them, and a shift moved by mistake deletes whatever it lands on.
    /// The report counts them (`displaced`) and [`SyncOptions::dry_run`] lists how many would
    /// go. Displacement runs per mailbox only after all of that mailbox's own writes succeeded,
    /// and only on backends that can list a mailbox's events in a window
    /// ([`CalendarBackend::can_list_window`]); elsewhere the run stops before any request with
    /// [`SyncError::OverrideUnsupported`].
    Override,
}

/// A progress callback.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Options of a sync run.
#[derive(Clone, Default)]
pub struct SyncOptions {
    /// How existing and wanted events conflict with a person's events.
    pub conflict: ConflictPolicy,
    /// Compute and report the plan, write nothing.
    pub dry_run: bool,
    /// Only our events starting in `[from, to)` that match no shift are deleted; `None`: all.
    pub window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Mailboxes synced at once (default 32). Each mailbox's own limit is the transport's.
    pub mailbox_concurrency: usize,
    /// Mixed into create idempotency keys so that keys of different runs differ.
    pub run_id: String,
    /// Called as mailboxes finish.
    pub progress: Option<ProgressFn>,
}

impl fmt::Debug for SyncOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncOptions")
            .field("conflict", &self.conflict)
            .field("dry_run", &self.dry_run)
            .field("window", &self.window)
            .field("mailbox_concurrency", &self.mailbox_concurrency)
            .finish_non_exhaustive()
    }
}

/// A progress event.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// A mailbox is done.
    MailboxDone {
        /// The mailbox.
        mailbox: String,
        /// Its counts.
        counts: Counts,
    },
}

/// Counts of one mailbox or of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Events created.
    pub created: u64,
    /// Events written over (a moved shift, or a person's edit corrected).
    pub updated: u64,
    /// Events deleted (removed or cancelled shifts, duplicates of ours).
    pub deleted: u64,
    /// Shifts whose event was already right.
    pub unchanged: u64,
    /// Operations that failed.
    pub failed: u64,
    /// A person's own events deleted because they overlapped a shift: only ever non-zero with
    /// [`ConflictPolicy::Override`] (in a dry run: how many would be).
    pub displaced: u64,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.created += o.created;
        self.updated += o.updated;
        self.deleted += o.deleted;
        self.unchanged += o.unchanged;
        self.failed += o.failed;
        self.displaced += o.displaced;
    }
}

/// One failed operation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Failure {
    /// The mailbox.
    pub mailbox: String,
    /// The shift, when the failure is about one.
    pub shift_id: Option<String>,
    /// The error's message.
    pub error: String,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    /// Mailboxes synced.
    pub mailboxes: u64,
    /// Totals.
    #[serde(flatten)]
    pub counts: Counts,
    /// Calendar operations made (lists, creates, updates, deletes), not HTTP attempts.
    pub requests: u64,
    /// What failed.
    pub failures: Vec<Failure>,
}

/// Shifts grouped by mailbox: the agent id, or its entry in `mailbox_map` (agent id → UPN).
pub fn by_mailbox(
    shifts: Vec<Shift>,
    mailbox_map: &HashMap<String, String>,
) -> BTreeMap<String, Vec<Shift>> {
    let mut out: BTreeMap<String, Vec<Shift>> = BTreeMap::new();
    for s in shifts {
        let mb = mailbox_map
            .get(s.agent_id())
            .cloned()
            .unwrap_or_else(|| s.agent_id().to_owned());
        out.entry(mb).or_default().push(s);
    }
    out
}

/// The event a shift should have, or `None` for a cancelled shift.
pub fn desired(
    mailbox: &str,
    shift: &Shift,
    policy: ConflictPolicy,
    run_id: &str,
) -> Result<Option<Desired>, InputError> {
    let time_zone = shift.timezone();
    if shift.status() == Status::Cancelled {
        return Ok(None);
    }
    let show_as = match (policy, shift.status()) {
        (ConflictPolicy::Keep, _) | (_, Status::Tentative) => "tentative",
        _ => "busy",
    };
    let mut categories = vec![TAG_CATEGORY.to_owned()];
    for c in shift.categories() {
        if !categories.contains(c) {
            categories.push(c.clone());
        }
    }
    let content = Content {
        subject: shift.summary().to_owned(),
        body: shift.description().unwrap_or_default().to_owned(),
        start: shift.start(),
        end: shift.end(),
        location: shift.location().map(str::to_owned),
        show_as: show_as.to_owned(),
        categories,
    };
    let hash = content.hash();
    let key: String = Sha256::digest(format!("{mailbox}\0{}\0{hash}\0{run_id}", shift.id()))[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Some(Desired {
        shift_id: shift.id().to_owned(),
        content,
        hash,
        time_zone,
        transaction_id: key,
    }))
}

/// Mirrors `shifts` (grouped by mailbox) into the backend. Every shift is checked first: an
/// input error (a zone CLDR cannot map) stops the run before anything is written. A backend
/// error in [`CalendarBackend::preflight`] stops it too; errors on one mailbox or one event
/// are counted in the report and the run goes on.
pub async fn sync<B: CalendarBackend>(
    backend: &B,
    shifts: &BTreeMap<String, Vec<Shift>>,
    options: &SyncOptions,
) -> Result<SyncReport, SyncError<B::Error>> {
    let mut plans: Vec<(&str, Vec<Desired>, HashSet<&str>)> = Vec::new();
    for (mailbox, list) in shifts {
        let mut want = Vec::new();
        let mut cancelled = HashSet::new();
        for s in list {
            match desired(mailbox, s, options.conflict, &options.run_id).map_err(|e| {
                SyncError::Input {
                    shift_id: s.id().to_owned(),
                    source: e,
                }
            })? {
                Some(d) => {
                    backend.validate(&d).map_err(|e| SyncError::Input {
                        shift_id: s.id().to_owned(),
                        source: e,
                    })?;
                    want.push(d)
                }
                None => {
                    cancelled.insert(s.id());
                }
            }
        }
        plans.push((mailbox.as_str(), want, cancelled));
    }
    if options.conflict == ConflictPolicy::Override && !backend.can_list_window() {
        return Err(SyncError::OverrideUnsupported);
    }
    backend.preflight().await.map_err(SyncError::Backend)?;
    let requests = AtomicU64::new(0);
    let concurrency = options.mailbox_concurrency.max(1);
    let results: Vec<(Counts, Vec<Failure>)> = futures::stream::iter(plans.iter())
        .map(|(mailbox, want, cancelled)| {
            sync_mailbox(backend, mailbox, want, cancelled, options, &requests)
        })
        .buffer_unordered(if options.mailbox_concurrency == 0 {
            32
        } else {
            concurrency
        })
        .collect()
        .await;
    let mut report = SyncReport {
        mailboxes: plans.len() as u64,
        ..SyncReport::default()
    };
    for (counts, failures) in results {
        report.counts.add(&counts);
        report.failures.extend(failures);
    }
    report.requests = requests.load(Ordering::Relaxed);
    Ok(report)
}

async fn sync_mailbox<B: CalendarBackend>(
    backend: &B,
    mailbox: &str,
    want: &[Desired],
    cancelled: &HashSet<&str>,
    options: &SyncOptions,
    requests: &AtomicU64,
) -> (Counts, Vec<Failure>) {
    let mut counts = Counts::default();
    let mut failures = Vec::new();
    requests.fetch_add(1, Ordering::Relaxed);
    let ours = match backend.list_ours(mailbox).await {
        Ok(o) => o,
        Err(e) => {
            counts.failed += 1;
            failures.push(Failure {
                mailbox: mailbox.to_owned(),
                shift_id: None,
                error: e.to_string(),
            });
            return (counts, failures);
        }
    };
    let mut existing: HashMap<&str, Vec<&OurEvent>> = HashMap::new();
    for e in &ours {
        existing.entry(e.shift_id.as_str()).or_default().push(e);
    }
    let wanted: HashMap<&str, &Desired> = want.iter().map(|d| (d.shift_id.as_str(), d)).collect();
    let in_window = |e: &OurEvent| match options.window {
        Some((from, to)) => e.observed.start >= from && e.observed.start < to,
        None => true,
    };
    let mut ops = Vec::new();
    for d in want {
        match existing.get(d.shift_id.as_str()) {
            None => ops.push(Write::Create(d.clone())),
            Some(found) => {
                // Keep the one that is already right, if any; the others are duplicates of ours.
                let keep = found
                    .iter()
                    .position(|e| e.written_hash == d.hash && e.observed.hash() == d.hash)
                    .unwrap_or(0);
                for (i, e) in found.iter().enumerate() {
                    if i == keep {
                        if e.written_hash == d.hash && e.observed.hash() == d.hash {
                            counts.unchanged += 1;
                        } else {
                            ops.push(Write::Update(e.id.clone(), d.clone()));
                        }
                    } else {
                        ops.push(Write::Delete(e.id.clone(), e.shift_id.clone()));
                    }
                }
            }
        }
    }
    for e in &ours {
        if !wanted.contains_key(e.shift_id.as_str())
            && (cancelled.contains(e.shift_id.as_str()) || in_window(e))
        {
            ops.push(Write::Delete(e.id.clone(), e.shift_id.clone()));
        }
    }
    // Override: the person's events that overlap a wanted shift, listed before our writes so
    // that none of ours (old or new) can be among them.
    let mut displace: Vec<String> = Vec::new();
    if options.conflict == ConflictPolicy::Override && !want.is_empty() {
        let from = want.iter().map(|d| d.content.start).min();
        let to = want.iter().map(|d| d.content.end).max();
        if let (Some(from), Some(to)) = (from, to) {
            requests.fetch_add(1, Ordering::Relaxed);
            match backend.list_window(mailbox, from, to).await {
                Ok(events) => {
                    let our_ids: HashSet<&str> = ours.iter().map(|e| e.id.as_str()).collect();
                    displace = events
                        .into_iter()
                        .filter(|e| !e.free && !our_ids.contains(e.id.as_str()))
                        .filter(|e| {
                            want.iter()
                                .any(|d| e.start < d.content.end && d.content.start < e.end)
                        })
                        .map(|e| e.id)
                        .collect();
                    displace.sort();
                    displace.dedup();
                }
                Err(e) => {
                    counts.failed += 1;
                    failures.push(Failure {
                        mailbox: mailbox.to_owned(),
                        shift_id: None,
                        error: format!("listing the mailbox's events to override: {e}"),
                    });
                }
            }
        }
    }
    let results: Vec<Option<String>> = if options.dry_run || ops.is_empty() {
        vec![None; ops.len()]
    } else {
        requests.fetch_add(ops.len() as u64, Ordering::Relaxed);
        backend
            .apply(mailbox, &ops)
            .await
            .into_iter()
            .map(|r| r.err().map(|e| e.to_string()))
            .collect()
    };
    let outcomes = ops.iter().zip(results).map(|(op, err)| {
        let kind = match op {
            Write::Create(_) => "created",
            Write::Update(..) => "updated",
            Write::Delete(..) => "deleted",
        };
        (kind, op.shift_id().to_owned(), err)
    });
    for (kind, shift_id, err) in outcomes {
        match err {
            Some(error) => {
                counts.failed += 1;
                failures.push(Failure {
                    mailbox: mailbox.to_owned(),
                    shift_id: Some(shift_id),
                    error,
                });
            }
            None => match kind {
                "created" => counts.created += 1,
                "updated" => counts.updated += 1,
                _ => counts.deleted += 1,
            },
        }
    }
    if options.dry_run {
        counts.displaced = displace.len() as u64;
    } else if failures.is_empty() && !displace.is_empty() {
        // Only once every write of ours in this mailbox has succeeded: a person never loses an
        // event to a shift that is not in their calendar.
        requests.fetch_add(displace.len() as u64, Ordering::Relaxed);
        let deleted: Vec<(String, Result<(), B::Error>)> = futures::stream::iter(displace)
            .map(|id| async move {
                let r = backend.delete(mailbox, &id).await;
                (id, r)
            })
            .buffered(4)
            .collect()
            .await;
        for (id, r) in deleted {
            match r {
                Ok(()) => counts.displaced += 1,
                Err(e) => {
                    counts.failed += 1;
                    failures.push(Failure {
                        mailbox: mailbox.to_owned(),
                        shift_id: None,
                        error: format!("deleting the overlapping event {id}: {e}"),
                    });
                }
            }
        }
    }
    if let Some(p) = &options.progress {
        p(&Progress::MailboxDone {
            mailbox: mailbox.to_owned(),
            counts,
        });
    }
    (counts, failures)
}

/// Why a run stopped before writing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError<E: std::error::Error + 'static> {
    /// A shift cannot be mirrored; nothing was written.
    #[error("shift {shift_id:?}: {source}")]
    Input {
        /// The shift.
        shift_id: String,
        /// Why.
        #[source]
        source: InputError,
    },
    /// The backend refused to start (credentials, permissions); nothing was written.
    #[error(transparent)]
    Backend(E),
    /// [`ConflictPolicy::Override`] was asked of a backend that cannot list a mailbox's
    /// events; nothing was sent.
    #[error(
        "the conflict policy `override` needs a backend that can list a mailbox's events in a window, and this one cannot; use `keep` or `busy`"
    )]
    OverrideUnsupported,
}
