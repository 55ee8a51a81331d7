//! The permission preflight: before a run, which of the operations a program will call are
//! permitted in which divisions, and which agents each gap blocks.
//!
//! Genesys grants permissions through roles, per division, and checks a schedule write against
//! the division of each agent's management unit: a role granted in one division gives a 403 for
//! the agents of another, at agent 6,000 of 10,000. The preflight reads, for one business unit,
//! its management units (1 request), each unit's agents (1 request per unit), the divisions
//! where the OAuth client holds each permission (`divisionspermitted/paged/me`, 1 request per
//! permission and page) and the division names (1 request per 100 divisions). The number of
//! reads grows with management units and permissions, never with agents, and nothing is written.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use futures::TryStreamExt;
use wfm_auth::providers::GenesysCloud;
use wfm_auth::{Grants, ScopeSet};

use crate::client::{Client, PermittedDivisions};
use crate::endpoints::{self, Endpoint, Permissions};
use crate::error::Error;
use crate::scopes::{AuthorizationReadonly, WorkforceManagementReadonly};

/// An operation a program will call on the agents of a business unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Operation {
    /// Read agent schedules (search): `wfm:schedule:view` or `wfm:publishedSchedule:view`.
    ReadSchedules,
    /// Update an existing week schedule through the upload flow: `wfm:schedule:edit`.
    UpdateSchedule,
    /// Import a new week schedule through the upload flow: `wfm:schedule:add`.
    ImportSchedule,
}

impl Operation {
    /// Every operation the preflight knows.
    pub const ALL: &'static [Operation] = &[
        Operation::ReadSchedules,
        Operation::UpdateSchedule,
        Operation::ImportSchedule,
    ];

    /// The endpoints the operation calls.
    pub fn endpoints(self) -> &'static [Endpoint] {
        match self {
            Operation::ReadSchedules => &[endpoints::BU_AGENT_SCHEDULES_SEARCH],
            Operation::UpdateSchedule => &[
                endpoints::SCHEDULE_UPDATE_UPLOAD_URL,
                endpoints::SCHEDULE_UPDATE,
            ],
            Operation::ImportSchedule => &[
                endpoints::SCHEDULE_IMPORT_UPLOAD_URL,
                endpoints::SCHEDULE_IMPORT,
            ],
        }
    }

    /// The permissions checked in each agent's division (those of its main endpoint).
    pub fn permissions(self) -> Permissions {
        let eps = self.endpoints();
        eps[eps.len() - 1].permissions
    }

    /// A short name (`update schedule`).
    pub fn name(self) -> &'static str {
        match self {
            Operation::ReadSchedules => "read schedules",
            Operation::UpdateSchedule => "update schedule",
            Operation::ImportSchedule => "import schedule",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One division's answer for one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DivisionCheck {
    /// The division id.
    pub division_id: String,
    /// Its name, when the org's division list has it.
    pub division_name: Option<String>,
    /// Whether the operation's permissions are held there.
    pub granted: bool,
    /// The management units of the business unit in that division.
    pub management_units: Vec<String>,
    /// Their agents (user ids, sorted).
    pub agents: Vec<String>,
}

/// One operation's answer, per division of the business unit's management units.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OperationCheck {
    /// The operation.
    pub operation: Operation,
    /// What it requires in each agent's division.
    pub permissions: Permissions,
    /// Per division, sorted by division id.
    pub divisions: Vec<DivisionCheck>,
}

/// What the preflight found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// The business unit checked.
    pub business_unit_id: String,
    /// One entry per operation asked about.
    pub operations: Vec<OperationCheck>,
    /// Management units whose agents could not be read (403), with the error's text.
    pub unreadable_management_units: Vec<(String, String)>,
    /// Lists the preflight read (a paged list counts once, whatever its pages).
    pub requests: usize,
}

/// A permission missing in a division, and the agents it blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap<'a> {
    /// The operation.
    pub operation: Operation,
    /// What it requires.
    pub permissions: Permissions,
    /// Where it is missing.
    pub division: &'a DivisionCheck,
}

impl fmt::Display for Gap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.division;
        let name = d.division_name.as_deref().unwrap_or("(unknown name)");
        write!(
            f,
            "{}: the OAuth client lacks {} in division {name} ({}), which blocks {} agent(s) of management unit(s) {}; fix: grant a role with {} to the OAuth client in division {name}",
            self.operation,
            self.permissions,
            d.division_id,
            d.agents.len(),
            d.management_units.join(", "),
            self.permissions,
        )
    }
}

impl Report {
    /// Every gap: an operation whose permissions are missing in a division with agents.
    pub fn missing(&self) -> impl Iterator<Item = Gap<'_>> {
        self.operations.iter().flat_map(|op| {
            op.divisions.iter().filter(|d| !d.granted).map(|d| Gap {
                operation: op.operation,
                permissions: op.permissions,
                division: d,
            })
        })
    }

    /// Whether every operation is permitted for every agent (and every unit was readable).
    pub fn is_ok(&self) -> bool {
        self.missing().next().is_none() && self.unreadable_management_units.is_empty()
    }

    /// The agents `operation` cannot reach, sorted.
    pub fn blocked_agents(&self, operation: Operation) -> BTreeSet<&str> {
        self.missing()
            .filter(|g| g.operation == operation)
            .flat_map(|g| g.division.agents.iter().map(String::as_str))
            .collect()
    }
}

/// Runs the preflight for `operations` on the agents of `business_unit_id`.
///
/// Scopes: [`WorkforceManagementReadonly`] and [`AuthorizationReadonly`] (no permission beyond
/// reading the management units' agents).
pub async fn run<S>(
    client: &Client<S>,
    business_unit_id: &str,
    operations: &[Operation],
) -> Result<Report, Error>
where
    S: ScopeSet<GenesysCloud> + Grants<WorkforceManagementReadonly> + Grants<AuthorizationReadonly>,
{
    let mut requests = 1;
    let units = client.management_units(business_unit_id).await?;
    // division id -> (management unit ids, agents)
    let mut by_division: BTreeMap<String, (Vec<String>, BTreeSet<String>)> = BTreeMap::new();
    let mut unreadable = Vec::new();
    for unit in &units {
        let division = unit
            .division
            .as_ref()
            .map(|d| d.id.clone())
            .unwrap_or_default();
        requests += 1;
        let agents = match client.management_unit_users(&unit.id).await {
            Ok(agents) => agents,
            Err(Error::MissingPermissions(m)) => {
                unreadable.push((unit.id.clone(), m.to_string()));
                Vec::new()
            }
            Err(e) => return Err(e),
        };
        let entry = by_division.entry(division).or_default();
        entry.0.push(unit.id.clone());
        entry.1.extend(agents);
    }

    let mut permitted: BTreeMap<&'static str, PermittedDivisions> = BTreeMap::new();
    for op in operations {
        for name in op.permissions().names {
            if !permitted.contains_key(name) {
                requests += 1;
                permitted.insert(name, client.permitted_divisions(name).await?);
            }
        }
    }

    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for p in permitted.values() {
        for d in &p.divisions {
            names.insert(d.id.clone(), d.name.clone());
        }
    }
    if by_division.keys().any(|id| !names.contains_key(id)) {
        requests += 1;
        let all: Vec<_> = client.divisions().try_collect().await?;
        for d in all {
            names.insert(d.id, d.name);
        }
    }

    let operations = operations
        .iter()
        .map(|&operation| {
            let permissions = operation.permissions();
            let divisions = by_division
                .iter()
                .map(|(id, (units, agents))| DivisionCheck {
                    division_id: id.clone(),
                    division_name: names.get(id).cloned(),
                    granted: permissions
                        .satisfied_by(|p| permitted.get(p).is_some_and(|d| d.includes(id))),
                    management_units: units.clone(),
                    agents: agents.iter().cloned().collect(),
                })
                .collect();
            OperationCheck {
                operation,
                permissions,
                divisions,
            }
        })
        .collect();
    Ok(Report {
        business_unit_id: business_unit_id.to_owned(),
        operations,
        unreadable_management_units: unreadable,
        requests,
    })
}
