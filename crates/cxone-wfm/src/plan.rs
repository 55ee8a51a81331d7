//! [`plan`]: what a sync will do, computed without I/O from the roster and the server's users,
//! and the mass-deactivation [`Guard`].

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::model::{User, UserChanges};

/// What a sync will send, in the order it sends it: creates, updates and reactivations, then,
/// as a phase of its own, deactivations. Never a delete.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Users absent from the server: `POST`.
    pub creates: Vec<User>,
    /// Active users whose fields differ: `PUT` of those fields only.
    pub updates: Vec<UserChanges>,
    /// Inactive users back in the roster: `PUT` with `isActive: true` and the fields that differ.
    pub reactivations: Vec<UserChanges>,
    /// Active users absent from the roster: `PUT {"isActive": false}`.
    pub deactivations: Vec<String>,
    /// Users that already match: nothing is sent.
    pub unchanged: usize,
    /// Active users on the server before the sync.
    pub active_before: usize,
}

impl Plan {
    /// How many writes the plan sends.
    pub fn writes(&self) -> usize {
        self.creates.len()
            + self.updates.len()
            + self.reactivations.len()
            + self.deactivations.len()
    }
}

/// Compares the users the roster wants (`desired`, all active) with the server's users
/// (`current`, active and inactive) and says what to send. Users in `present` (every
/// `externalId` of the export, refused rows included) are never deactivated. Pure: no I/O.
///
/// ```
/// use std::collections::HashSet;
/// use cxone_wfm::{plan, User};
/// let ada = User::new("E1", "Ada", "Lovelace", "ada@example.com", "Europe/London");
/// let mut renamed = ada.clone();
/// renamed.last_name = "King".into();
/// let leaver = User::new("E9", "Old", "Timer", "old@example.com", "Etc/UTC");
/// let present: HashSet<String> = ["E1".to_owned()].into();
/// let plan = plan(&[renamed], &[ada, leaver], &present);
/// assert_eq!(plan.updates[0].fields(), ["lastName"]);
/// assert_eq!(plan.deactivations, ["E9"]);
/// ```
pub fn plan(desired: &[User], current: &[User], present: &HashSet<String>) -> Plan {
    let by_id: HashMap<&str, &User> = current
        .iter()
        .map(|u| (u.external_id.as_str(), u))
        .collect();
    let mut plan = Plan {
        active_before: current.iter().filter(|u| u.is_active).count(),
        ..Plan::default()
    };
    let mut wanted: HashSet<&str> = HashSet::with_capacity(desired.len());
    for want in desired {
        wanted.insert(want.external_id.as_str());
        match by_id.get(want.external_id.as_str()) {
            None => plan.creates.push(want.clone()),
            Some(have) => match UserChanges::between(have, want) {
                None => plan.unchanged += 1,
                Some(changes) if !have.is_active => plan.reactivations.push(changes),
                Some(changes) => plan.updates.push(changes),
            },
        }
    }
    plan.deactivations = current
        .iter()
        .filter(|u| u.is_active)
        .map(|u| u.external_id.as_str())
        .filter(|id| !wanted.contains(id) && !present.contains(*id))
        .map(str::to_owned)
        .collect();
    plan
}

/// The mass-deactivation guard: a run that would deactivate more than the limit stops before
/// any deactivation, unless the limit is raised on purpose.
///
/// Default limit: the larger of 50 users and 10% of the active users (a truncated export must
/// not deactivate the whole organisation); [`max_deactivations`](Self::max_deactivations)
/// replaces it.
///
/// ```
/// use cxone_wfm::Guard;
/// assert_eq!(Guard::default().limit(1000), 100);
/// assert_eq!(Guard::default().limit(200), 50);
/// assert_eq!(Guard::default().max_deactivations(5000).limit(1000), 5000);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Guard {
    max: Option<usize>,
}

impl Guard {
    /// Replaces the default limit with `n`.
    pub fn max_deactivations(mut self, n: usize) -> Self {
        self.max = Some(n);
        self
    }

    /// The most deactivations allowed when `active` users are active.
    pub fn limit(&self, active: usize) -> usize {
        self.max.unwrap_or_else(|| 50.max(active / 10))
    }

    /// `Err` with the figures when `plan` deactivates more than the limit.
    pub fn check(&self, plan: &Plan) -> Result<(), GuardTripped> {
        let limit = self.limit(plan.active_before);
        let planned = plan.deactivations.len();
        if planned > limit {
            return Err(GuardTripped {
                planned,
                limit,
                active: plan.active_before,
            });
        }
        Ok(())
    }
}

/// The plan deactivates more users than the [`Guard`] allows; nothing was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, thiserror::Error)]
#[error(
    "the sync would deactivate {planned} of {active} active users, more than the limit of {limit}: check that the roster is complete, or raise the limit (max_deactivations) if this is intended"
)]
pub struct GuardTripped {
    /// Deactivations the plan holds.
    pub planned: usize,
    /// The limit in force.
    pub limit: usize,
    /// Active users on the server.
    pub active: usize,
}
