//! Provisioning for directory migrations: desired users (mapped from a Zendesk export by
//! [`zendesk`]) upserted idempotently by `externalId`, with a [`Report`] of what happened per row.
//!
//! For each row the [`Provisioner`] searches `externalId eq "<id>"`, then creates the user when
//! none exists, replaces it (PUT with `If-Match`) only when a managed attribute differs, and
//! leaves it alone otherwise, so a second run over the same input changes nothing. Bad rows are
//! reported, not fatal; a refused credential (401, 403) or a dead connection stops the run.
//!
//! ```no_run
//! use std::sync::Arc;
//! use wfm_auth::StaticToken;
//! use wfm_scim::provision::{Provisioner, zendesk};
//! use wfm_scim::{Client, Flavor};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder(Flavor::GenesysCloud, "https://api.mypurecloud.de")
//!     .token_provider(Arc::new(StaticToken::new("a-token")))
//!     .build()?;
//! let rows = zendesk::read_export(&std::fs::read("zendesk_users.json")?)?;
//! let report = Provisioner::new(client).dry_run(true).run_zendesk(rows, &zendesk::Options::default()).await;
//! println!("{}", serde_json::to_string_pretty(&report)?);
//! # Ok(()) }
//! ```

pub mod cli;
pub mod zendesk;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::StreamExt;
use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::Error;
use crate::filter::AttrPath;
use crate::resource::{MultiValue, Name, Resource, USER_SCHEMA, User};

/// The attributes of a user that provisioning manages; everything else on the server is left
/// as it is (and is not compared).
///
/// `phone`, `timezone` and `user_type` are managed only when set: a row without a phone does not
/// remove the phone a user has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredUser {
    /// The key: `externalId`.
    pub external_id: String,
    /// `userName` (compared case-insensitively, as SCIM's `caseExact: false` says).
    pub user_name: String,
    /// `displayName`.
    pub display_name: String,
    /// `name.givenName`.
    pub given_name: Option<String>,
    /// `name.familyName`.
    pub family_name: Option<String>,
    /// The primary email (compared case-insensitively).
    pub email: String,
    /// The work phone (compared on its digits, as servers reformat numbers).
    pub phone: Option<String>,
    /// `timezone` (IANA).
    pub timezone: Option<String>,
    /// `active`.
    pub active: bool,
    /// `userType`.
    pub user_type: Option<String>,
}

impl DesiredUser {
    /// A new SCIM User carrying these attributes.
    pub fn to_user(&self) -> User {
        let mut user = User {
            schemas: vec![USER_SCHEMA.to_owned()],
            ..User::default()
        };
        self.apply_to(&mut user);
        user
    }

    /// The managed attributes of `user` that differ from these (`[]` when the user is up to date).
    pub fn differences(&self, user: &User) -> Vec<&'static str> {
        let mut diff = Vec::new();
        let name = user.name.as_ref();
        if user.external_id.as_deref() != Some(self.external_id.as_str()) {
            diff.push("externalId");
        }
        if !user
            .user_name
            .as_deref()
            .is_some_and(|u| u.eq_ignore_ascii_case(&self.user_name))
        {
            diff.push("userName");
        }
        if user.display_name.as_deref() != Some(self.display_name.as_str()) {
            diff.push("displayName");
        }
        if name.and_then(|n| n.given_name.as_deref()) != self.given_name.as_deref() {
            diff.push("name.givenName");
        }
        if name.and_then(|n| n.family_name.as_deref()) != self.family_name.as_deref() {
            diff.push("name.familyName");
        }
        if !user
            .primary_email()
            .is_some_and(|e| e.eq_ignore_ascii_case(&self.email))
        {
            diff.push("emails");
        }
        if let Some(phone) = &self.phone
            && work_or_first(&user.phone_numbers)
                .and_then(|i| user.phone_numbers[i].value.as_deref())
                .map(digits)
                != Some(digits(phone))
        {
            diff.push("phoneNumbers");
        }
        if self.timezone.is_some() && user.timezone != self.timezone {
            diff.push("timezone");
        }
        if user.active != Some(self.active) {
            diff.push("active");
        }
        if self.user_type.is_some() && user.user_type != self.user_type {
            diff.push("userType");
        }
        diff
    }

    /// Write these attributes into `user`, keeping all others (other emails, extensions, ...).
    pub fn apply_to(&self, user: &mut User) {
        user.external_id = Some(self.external_id.clone());
        user.user_name = Some(self.user_name.clone());
        user.display_name = Some(self.display_name.clone());
        let name = user.name.get_or_insert_with(Name::default);
        name.given_name.clone_from(&self.given_name);
        name.family_name.clone_from(&self.family_name);
        let idx = user
            .emails
            .iter()
            .position(|e| e.primary == Some(true))
            .or((!user.emails.is_empty()).then_some(0));
        match idx {
            Some(i) => user.emails[i].value = Some(self.email.clone()),
            None => user
                .emails
                .push(MultiValue::new(&self.email).with_type("work").primary()),
        }
        if let Some(phone) = &self.phone {
            match work_or_first(&user.phone_numbers) {
                Some(i) => user.phone_numbers[i].value = Some(phone.clone()),
                None => user
                    .phone_numbers
                    .push(MultiValue::new(phone).with_type("work")),
            }
        }
        if self.timezone.is_some() {
            user.timezone.clone_from(&self.timezone);
        }
        user.active = Some(self.active);
        if self.user_type.is_some() {
            user.user_type.clone_from(&self.user_type);
        }
    }
}

/// One input row: what it maps to, or why it cannot be provisioned.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// Provision this user.
    Provision {
        /// The source's id (Zendesk `id`), for the report.
        source_id: Option<String>,
        /// The target state.
        user: Box<DesiredUser>,
        /// Notes on the mapping (for example an unknown time zone left out).
        warnings: Vec<String>,
    },
    /// Deliberately not provisioned (for example a Zendesk end-user).
    Skip {
        /// The source's id.
        source_id: Option<String>,
        /// Why.
        reason: String,
    },
    /// Invalid (missing or bad email, unknown role, ...).
    Invalid {
        /// The source's id, if readable.
        source_id: Option<String>,
        /// What is wrong and how to fix it.
        reason: String,
    },
}

/// What a run did. Serialized as the example prints it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Whether nothing was written (counts say what would have been done).
    pub dry_run: bool,
    /// Rows in the input.
    pub total: usize,
    /// Users created.
    pub created: usize,
    /// Users replaced because a managed attribute differed.
    pub updated: usize,
    /// Users already up to date.
    pub unchanged: usize,
    /// Rows deliberately not provisioned.
    pub skipped: Vec<RowNote>,
    /// Rows that failed, with the reason (not the row that stopped the run: see `aborted`).
    pub failed: Vec<RowError>,
    /// Rows provisioned with a remark (an attribute left out, ...).
    pub warnings: Vec<RowNote>,
    /// The created and updated users.
    pub changes: Vec<RowChange>,
    /// Why the run stopped early, if it did (401, 403, connection lost), naming the row whose
    /// failure stopped it; that row is reported here only, not under `failed`. Rows after it
    /// were not processed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aborted: Option<String>,
    /// Rows not processed because the run stopped early.
    #[serde(default)]
    pub not_processed: usize,
}

impl Report {
    /// Whether every row was processed and none failed.
    pub fn is_clean(&self) -> bool {
        self.failed.is_empty() && self.aborted.is_none()
    }

    /// How many rows the report accounts for: each row ends in exactly one outcome (created,
    /// updated, unchanged, skipped, failed, the row that stopped the run, not processed), so
    /// this equals [`total`](Self::total).
    pub fn accounted(&self) -> usize {
        self.created
            + self.updated
            + self.unchanged
            + self.skipped.len()
            + self.failed.len()
            + usize::from(self.aborted.is_some())
            + self.not_processed
    }
}

/// A failed row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// 1-based position in the input.
    pub row: usize,
    /// The source's id (Zendesk `id`).
    pub id: Option<String>,
    /// The `externalId`, if the row got that far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// What went wrong and what to do.
    pub reason: String,
}

/// A remark on a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowNote {
    /// 1-based position in the input.
    pub row: usize,
    /// The source's id.
    pub id: Option<String>,
    /// The remark.
    pub note: String,
}

/// A user created or updated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowChange {
    /// 1-based position in the input.
    pub row: usize,
    /// The `externalId`.
    pub external_id: String,
    /// `created` or `updated` (`would create` / `would update` in a dry run).
    pub action: String,
    /// The SCIM `id` (absent in a dry-run create).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scim_id: Option<String>,
    /// The managed attributes that differed (updates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
}

/// Runs an idempotent upsert of desired users against a SCIM service provider.
#[derive(Debug, Clone)]
pub struct Provisioner {
    client: Client,
    dry_run: bool,
    concurrency: usize,
    fixed_token: bool,
}

enum Outcome {
    Created(Option<String>),
    Updated(Option<String>, Vec<&'static str>),
    Unchanged,
}

/// Why a row failed: a reason of its own, or a call that failed (which may stop the run).
enum Failure {
    Row(String),
    Call(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Call(e)
    }
}

impl Failure {
    fn row(reason: String) -> Self {
        Failure::Row(reason)
    }

    /// Whether the next rows are bound to fail the same way (401, 403, connection lost).
    fn is_fatal(&self) -> bool {
        matches!(self, Failure::Call(e) if e.is_fatal())
    }
}

impl Provisioner {
    /// A provisioner writing through `client`, one row at a time.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            dry_run: false,
            concurrency: 1,
            fixed_token: false,
        }
    }

    /// Say that the client's token is fixed (a `wfm_auth::StaticToken`, a `--token` argument),
    /// so a 401 is reported as a token that cannot be refreshed: get a new one. See
    /// [`Error::with_fixed_token`](crate::Error::with_fixed_token).
    #[must_use]
    pub fn fixed_token(mut self, fixed: bool) -> Self {
        self.fixed_token = fixed;
        self
    }

    /// Search but do not write: the report says what would be created and updated.
    #[must_use]
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Process up to `n` rows at once (default 1; the transport's rate limits still apply).
    #[must_use]
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Map the rows of a Zendesk users export and run them.
    pub async fn run_zendesk(
        &self,
        rows: Vec<serde_json::Value>,
        options: &zendesk::Options,
    ) -> Report {
        let rows = rows.iter().map(|r| zendesk::map_row(r, options)).collect();
        self.run(rows).await
    }

    /// Run `rows`, in order of input (up to the concurrency), and report.
    pub async fn run(&self, rows: Vec<Row>) -> Report {
        let mut report = Report {
            dry_run: self.dry_run,
            total: rows.len(),
            ..Report::default()
        };
        let mut work = Vec::new();
        let mut seen = std::collections::HashMap::<String, usize>::new();
        for (i, row) in rows.into_iter().enumerate() {
            let n = i + 1;
            match row {
                Row::Skip { source_id, reason } => report.skipped.push(RowNote {
                    row: n,
                    id: source_id,
                    note: reason,
                }),
                Row::Invalid { source_id, reason } => {
                    report.failed.push(RowError {
                        row: n,
                        id: source_id,
                        external_id: None,
                        reason,
                    });
                }
                Row::Provision {
                    source_id,
                    user,
                    warnings,
                } => {
                    if let Some(first) = seen.get(&user.external_id) {
                        report.failed.push(RowError {
                            row: n,
                            id: source_id,
                            external_id: Some(user.external_id.clone()),
                            reason: format!(
                                "externalId {:?} also appears on row {first}; each user must appear once in the input",
                                user.external_id
                            ),
                        });
                        continue;
                    }
                    seen.insert(user.external_id.clone(), n);
                    for w in warnings {
                        report.warnings.push(RowNote {
                            row: n,
                            id: source_id.clone(),
                            note: w,
                        });
                    }
                    work.push((n, source_id, user));
                }
            }
        }

        let stop = Arc::new(AtomicBool::new(false));
        let results: Vec<_> = futures::stream::iter(work)
            .map(|(n, source_id, user)| {
                let stop = Arc::clone(&stop);
                async move {
                    if stop.load(Ordering::SeqCst) {
                        return (n, source_id, user, None);
                    }
                    let result = self.upsert(&user).await;
                    if result.as_ref().is_err_and(Failure::is_fatal) {
                        stop.store(true, Ordering::SeqCst);
                    }
                    (n, source_id, user, Some(result))
                }
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await;

        let mut results = results;
        results.sort_by_key(|(n, ..)| *n);
        let (create, update) = if self.dry_run {
            ("would create", "would update")
        } else {
            ("created", "updated")
        };
        for (n, source_id, user, result) in results {
            let external_id = user.external_id.clone();
            match result {
                None => report.not_processed += 1,
                Some(Ok(Outcome::Unchanged)) => report.unchanged += 1,
                Some(Ok(Outcome::Created(scim_id))) => {
                    report.created += 1;
                    report.changes.push(RowChange {
                        row: n,
                        external_id,
                        action: create.into(),
                        scim_id,
                        attributes: vec![],
                    });
                }
                Some(Ok(Outcome::Updated(scim_id, attrs))) => {
                    report.updated += 1;
                    let attributes = attrs.into_iter().map(str::to_owned).collect();
                    report.changes.push(RowChange {
                        row: n,
                        external_id,
                        action: update.into(),
                        scim_id,
                        attributes,
                    });
                }
                Some(Err(failure)) => {
                    let fatal = failure.is_fatal();
                    let reason = match failure {
                        Failure::Row(reason) => reason,
                        Failure::Call(e) if self.fixed_token => e.with_fixed_token().to_string(),
                        Failure::Call(e) => e.to_string(),
                    };
                    // Each row ends in exactly one outcome: the row that stopped the run is
                    // reported in `aborted` only; rows failing alongside it (in flight at the
                    // same time) are listed under `failed`.
                    if fatal && report.aborted.is_none() {
                        let id = source_id
                            .as_deref()
                            .map(|id| format!(" (id {id})"))
                            .unwrap_or_default();
                        report.aborted = Some(format!("stopped at row {n}{id}: {reason}"));
                        continue;
                    }
                    report.failed.push(RowError {
                        row: n,
                        id: source_id,
                        external_id: Some(external_id),
                        reason,
                    });
                }
            }
        }
        report.failed.sort_by_key(|f| f.row);
        report
    }

    async fn upsert(&self, desired: &DesiredUser) -> Result<Outcome, Failure> {
        let by_external_id = AttrPath::parse("externalId").map_err(Error::from)?;
        let found = self
            .client
            .find_by::<User>(by_external_id, &desired.external_id, 2)
            .await?;
        let existing = match found.as_slice() {
            [] => return self.create(desired).await,
            [one] => one.clone(),
            many => {
                let ids: Vec<&str> = many.iter().filter_map(|u| u.id()).collect();
                return Err(Failure::row(format!(
                    "externalId {:?} is on {} users ({}); keep one and clear the externalId of the others",
                    desired.external_id,
                    many.len(),
                    ids.join(", ")
                )));
            }
        };
        let diff = desired.differences(&existing);
        if diff.is_empty() {
            return Ok(Outcome::Unchanged);
        }
        if self.dry_run {
            return Ok(Outcome::Updated(existing.id.clone(), diff));
        }
        let mut updated = existing.clone();
        desired.apply_to(&mut updated);
        match self.client.replace(&updated).await {
            Ok(u) => Ok(Outcome::Updated(u.id, diff)),
            Err(Error::VersionConflict(_)) => {
                // Changed between our read and our write: read again and reapply, once.
                let id = existing.id.clone().unwrap_or_default();
                let mut fresh: User = self.client.get(&id).await?;
                let diff = desired.differences(&fresh);
                if diff.is_empty() {
                    return Ok(Outcome::Unchanged);
                }
                desired.apply_to(&mut fresh);
                let u = self.client.replace(&fresh).await?;
                Ok(Outcome::Updated(u.id, diff))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn create(&self, desired: &DesiredUser) -> Result<Outcome, Failure> {
        if self.dry_run {
            // A create would fail if the userName is taken: say so now rather than on the real run.
            let holder = self.user_name_holder(&desired.user_name).await?;
            return match holder {
                Some(u) => Err(Failure::row(taken(desired, &u, None))),
                None => Ok(Outcome::Created(None)),
            };
        }
        match self.client.create(&desired.to_user()).await {
            Ok(u) => Ok(Outcome::Created(u.id)),
            Err(Error::Uniqueness(e)) => {
                let holder = self
                    .user_name_holder(&desired.user_name)
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                Err(Failure::row(taken(desired, &holder, Some(&e.to_string()))))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The user holding `user_name`, if any.
    async fn user_name_holder(&self, user_name: &str) -> Result<Option<User>, Failure> {
        let path = AttrPath::parse("userName").map_err(Error::from)?;
        Ok(self
            .client
            .find_by::<User>(path, user_name, 1)
            .await?
            .into_iter()
            .next())
    }
}

/// The reason of a row whose userName belongs to a user with another (or no) externalId.
fn taken(desired: &DesiredUser, holder: &User, answer: Option<&str>) -> String {
    let who = match &holder.id {
        Some(id) => format!(
            " (id {id}, externalId {})",
            holder
                .external_id
                .as_deref()
                .map(|x| format!("{x:?}"))
                .unwrap_or_else(|| "none".into())
        ),
        None => String::new(),
    };
    let answer = answer.map(|a| format!(" [{a}]")).unwrap_or_default();
    format!(
        "userName {:?} already belongs to another user{who}; set that user's externalId to {:?} to link it, \
         or change this row's email{answer}",
        desired.user_name, desired.external_id
    )
}

fn work_or_first(values: &[MultiValue]) -> Option<usize> {
    values
        .iter()
        .position(|v| v.kind.as_deref() == Some("work"))
        .or((!values.is_empty()).then_some(0))
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desired() -> DesiredUser {
        DesiredUser {
            external_id: "42".into(),
            user_name: "ada@example.com".into(),
            display_name: "Ada Lovelace".into(),
            given_name: Some("Ada".into()),
            family_name: Some("Lovelace".into()),
            email: "ada@example.com".into(),
            phone: Some("+44 20 7946 0000".into()),
            timezone: Some("Europe/London".into()),
            active: true,
            user_type: Some("Agent".into()),
        }
    }

    #[test]
    fn a_new_user_matches_its_desired_state() {
        let d = desired();
        assert!(d.differences(&d.to_user()).is_empty());
    }

    #[test]
    fn server_added_fields_do_not_count_and_apply_keeps_them() {
        let d = desired();
        let mut on_server = d.to_user();
        on_server.id = Some("abc".into());
        on_server.user_name = Some("ADA@example.com".into());
        on_server.phone_numbers[0].value = Some("+442079460000".into());
        on_server
            .emails
            .push(MultiValue::new("ada@home.example").with_type("home"));
        on_server.title = Some("Agent".into());
        on_server
            .extra
            .insert("x-server".into(), serde_json::json!(1));
        assert!(
            d.differences(&on_server).is_empty(),
            "{:?}",
            d.differences(&on_server)
        );

        let mut changed = d.clone();
        changed.email = "ada@new.example".into();
        changed.active = false;
        assert_eq!(changed.differences(&on_server), vec!["emails", "active"]);
        changed.apply_to(&mut on_server);
        assert!(changed.differences(&on_server).is_empty());
        assert_eq!(on_server.emails.len(), 2);
        assert_eq!(on_server.title.as_deref(), Some("Agent"));
        assert!(on_server.extra.contains_key("x-server"));
    }
}
