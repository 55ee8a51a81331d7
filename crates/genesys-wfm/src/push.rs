//! The `genesys_schedule_push` example's logic: a week of agent schedules, in Genesys' own
//! shape, validated, checked against the OAuth client's permissions per division, then written
//! through the upload flow (update when the week has a schedule, import otherwise) and completed
//! on the notification channel. Kept in the library so that tests run it.
//!
//! ```text
//! genesys_schedule_push (--region REGION | --base-url URL [--login-url URL])
//!     --client-id ID --client-secret SECRET --business-unit BU --week YYYY-MM-DD
//!     --input schedule.json [--dry-run] [--skip-unpermitted] [--timeout SECONDS]
//! ```
//!
//! Input: `{"description"?, "agentSchedules": [{"userId", "shifts": [{"startDate",
//! "lengthMinutes", "activities": [{"startDate", "lengthMinutes", "activityCodeId",
//! "description"}]}], "fullDayTimeOffMarkers"?}]}`.
//!
//! Before any write, the input is validated (exit 2 naming the agent or shift, nothing written):
//! malformed JSON, an unknown user (in no management unit of the business unit), an unknown
//! activity code, an activity outside its shift, overlapping shifts, a shift starting outside the
//! 7 days from the week date in the business unit's time zone. Then the permission preflight:
//! agents in divisions where the OAuth client lacks `wfm:schedule:edit` (update) or
//! `wfm:schedule:add` (import) stop the run (exit 2, naming the permission, the division and
//! every blocked agent, and the fix), or with `--skip-unpermitted` are left out and listed.
//!
//! The report on stdout: `{"flow", "scheduleId", "operationId", "status", "agents", "shifts",
//! "skipped": [{"userId", "permission", "divisionId", "divisionName"}], "requests", "retries"}`
//! (`requests`: the API calls this program made, pages counted; `retries`: the attempts the
//! transport sent again, from `wfm_http::Platform::stats`). Exit 0 complete with nothing skipped, 1 on `Error`,
//! `Canceled`, a timeout or skipped agents, 2 bad arguments, bad input or a failed preflight,
//! 3 the org could not be read. `--dry-run`: reads, validation and preflight only.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, Duration as Span, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::{Value, json};
use wfm_auth::{ErrorMetadata, RolesDecide};

use crate::cli::{CONNECTION_FLAGS, Connection, Flags};
use crate::client::Client;
use crate::doctor::Outcome;
use crate::error::Error;
use crate::models::{
    Activity, AgentScheduleQuery, FullDayTimeOffMarker, ImportAgentSchedule, ImportScheduleUpload,
    ShiftRequest, UpdateAgentSchedule, UpdateScheduleUpload, UpdateShift, VersionMetadata,
};
use crate::notifications::ScheduleEvents;
use crate::preflight::{self, Operation};

const USAGE: &str = "usage: genesys_schedule_push (--region REGION | --base-url URL [--login-url URL]) --client-id ID --client-secret SECRET --business-unit BU --week YYYY-MM-DD --input schedule.json [--dry-run] [--skip-unpermitted] [--timeout SECONDS]";

/// The description of an imported schedule when the input has none.
pub const DEFAULT_DESCRIPTION: &str = "Imported by genesys_schedule_push";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Input {
    description: Option<String>,
    agent_schedules: Vec<InputAgent>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InputAgent {
    user_id: String,
    #[serde(default)]
    shifts: Vec<InputShift>,
    #[serde(default)]
    full_day_time_off_markers: Vec<FullDayTimeOffMarker>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InputShift {
    start_date: DateTime<Utc>,
    length_minutes: u32,
    #[serde(default)]
    activities: Vec<Activity>,
}

struct Args {
    connection: Connection,
    business_unit: String,
    week: NaiveDate,
    input: String,
    dry_run: bool,
    skip_unpermitted: bool,
    timeout: Duration,
}

/// Runs the push with `args` (without the program name); `env` reads environment variables.
pub async fn run(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Outcome {
    let args = match parse(args, &env) {
        Ok(a) => a,
        Err(message) => return fail(2, format!("{message}\n{USAGE}")),
    };
    let input: Input = match serde_json::from_str(&args.input) {
        Ok(i) => i,
        Err(e) => {
            return fail(
                2,
                format!("the input is not a schedule in Genesys' shape: {e}"),
            );
        }
    };
    match push(&args, input).await {
        Ok(outcome) => outcome,
        Err(e) => fail(
            3,
            match e.advice() {
                Some(advice) => format!("error: {e}\nwhat to do: {advice}"),
                None => format!("error: {e}"),
            },
        ),
    }
}

fn fail(code: i32, message: String) -> Outcome {
    Outcome {
        stdout: String::new(),
        stderr: message,
        exit_code: code,
    }
}

fn parse(
    args: impl IntoIterator<Item = String>,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<Args, String> {
    let mut valued = CONNECTION_FLAGS.to_vec();
    valued.extend(["--business-unit", "--week", "--input", "--timeout"]);
    let flags = Flags::parse(args, &valued, &["--dry-run", "--skip-unpermitted"])?;
    let connection = Connection::from_flags(&flags, env)?;
    let business_unit = flags
        .value("--business-unit")
        .ok_or("--business-unit is required")?
        .to_owned();
    let week_text = flags.value("--week").ok_or("--week is required")?;
    let week = NaiveDate::parse_from_str(week_text, "%Y-%m-%d")
        .map_err(|e| format!("--week {week_text:?} is not YYYY-MM-DD: {e}"))?;
    let path = flags.value("--input").ok_or("--input is required")?;
    let input =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read --input {path}: {e}"))?;
    let timeout = match flags.value("--timeout") {
        Some(t) => Duration::from_secs(
            t.parse()
                .map_err(|_| format!("--timeout {t:?} is not a number of seconds"))?,
        ),
        None => Duration::from_secs(600),
    };
    Ok(Args {
        connection,
        business_unit,
        week,
        input,
        dry_run: flags.has("--dry-run"),
        skip_unpermitted: flags.has("--skip-unpermitted"),
        timeout,
    })
}

async fn push(args: &Args, mut input: Input) -> Result<Outcome, Error> {
    let client = args.connection.client()?;
    let bu = args.business_unit.as_str();
    let mut requests = 0usize;

    let unit = client.business_unit(bu).await?;
    let schedules = client.week_schedules(bu, args.week).await?;
    requests += 2;
    let existing = schedules
        .iter()
        .find(|s| s.published)
        .or_else(|| schedules.first())
        .cloned();
    let operation = if existing.is_some() {
        Operation::UpdateSchedule
    } else {
        Operation::ImportSchedule
    };
    let report = preflight::run(&client, bu, &[operation]).await?;
    requests += report.requests;
    let codes: BTreeSet<String> = client
        .activity_codes(bu)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    requests += 1;

    // Validation: nothing is written unless the whole input is sound.
    let known: BTreeSet<&str> = report
        .operations
        .iter()
        .flat_map(|op| op.divisions.iter())
        .flat_map(|d| d.agents.iter().map(String::as_str))
        .collect();
    let tz_name = unit
        .settings
        .as_ref()
        .map(|s| s.time_zone.as_str())
        .unwrap_or("UTC");
    let tz: Tz = tz_name.parse().unwrap_or(Tz::UTC);
    if let Err(message) = validate(&input, &known, &codes, args.week, tz) {
        return Ok(fail(
            2,
            format!("invalid schedule: {message}; nothing was written"),
        ));
    }

    // Preflight: the agents of the input in divisions without the permission.
    let permission = operation.permissions().to_string();
    let mut blocked: BTreeMap<&str, (&str, Option<&str>)> = BTreeMap::new();
    for gap in report.missing() {
        for agent in &gap.division.agents {
            blocked.insert(
                agent,
                (
                    gap.division.division_id.as_str(),
                    gap.division.division_name.as_deref(),
                ),
            );
        }
    }
    let blocked_in_input: Vec<(&str, &str, Option<&str>)> = input
        .agent_schedules
        .iter()
        .filter_map(|a| {
            blocked
                .get(a.user_id.as_str())
                .map(|(id, name)| (a.user_id.as_str(), *id, *name))
        })
        .collect();
    if !blocked_in_input.is_empty() && !args.skip_unpermitted {
        let mut by_division: BTreeMap<(&str, Option<&str>), Vec<&str>> = BTreeMap::new();
        for (agent, id, name) in &blocked_in_input {
            by_division.entry((id, *name)).or_default().push(agent);
        }
        let mut message = String::from("preflight failed, nothing was written:");
        for ((id, name), agents) in by_division {
            message.push_str(&format!(
                "\n  the OAuth client lacks {permission} in division {} ({id}), so these {} agent(s) cannot be written: {}; fix: grant a role with {permission} to the OAuth client in division {}, or run with --skip-unpermitted",
                name.unwrap_or("(unknown name)"),
                agents.len(),
                agents.join(", "),
                name.unwrap_or(id),
            ));
        }
        return Ok(fail(2, message));
    }
    let skipped: Vec<Value> = blocked_in_input
        .iter()
        .map(|(agent, id, name)| {
            json!({"userId": agent, "permission": permission, "divisionId": id, "divisionName": name})
        })
        .collect();
    let skipped_ids: BTreeSet<String> = blocked_in_input
        .iter()
        .map(|(a, _, _)| (*a).to_owned())
        .collect();
    input
        .agent_schedules
        .retain(|a| !skipped_ids.contains(&a.user_id));
    let agents = input.agent_schedules.len();
    let shifts: usize = input.agent_schedules.iter().map(|a| a.shifts.len()).sum();
    let flow = if existing.is_some() {
        "update"
    } else {
        "import"
    };
    let mut out = json!({
        "flow": flow,
        "scheduleId": existing.as_ref().map(|s| s.id.clone()),
        "operationId": null,
        "status": null,
        "agents": agents,
        "shifts": shifts,
        "skipped": skipped,
        "requests": requests,
        "retries": client.transport().stats().retries(),
    });
    if args.dry_run {
        out["status"] = json!("DryRun");
        return Ok(report_outcome(out, !skipped_ids.is_empty()));
    }
    if agents == 0 {
        out["status"] = json!("NothingToWrite");
        return Ok(report_outcome(out, !skipped_ids.is_empty()));
    }

    // Subscribe before the operation starts, so that its completion cannot be missed.
    let mut events = ScheduleEvents::subscribe(&client, bu).await?;
    requests += 2;
    let op = match &existing {
        Some(schedule) => {
            let update = update_body(
                &client,
                bu,
                args.week,
                schedule,
                &report,
                input,
                &mut requests,
            )
            .await?;
            requests += 3;
            client
                .update_schedule(bu, args.week, &schedule.id, &update)
                .await?
        }
        None => {
            let import = ImportScheduleUpload {
                description: input
                    .description
                    .clone()
                    .unwrap_or_else(|| DEFAULT_DESCRIPTION.to_owned()),
                week_count: 1,
                published: None,
                agent_schedules: input
                    .agent_schedules
                    .into_iter()
                    .map(|a| ImportAgentSchedule {
                        user_id: a.user_id,
                        shifts: a
                            .shifts
                            .into_iter()
                            .map(|s| ShiftRequest {
                                start_date: s.start_date,
                                length_minutes: s.length_minutes,
                                activities: s.activities,
                            })
                            .collect(),
                        full_day_time_off_markers: a.full_day_time_off_markers,
                    })
                    .collect(),
            };
            requests += 3;
            client.import_schedule(bu, args.week, &import).await?
        }
    };
    out["operationId"] = json!(op.operation_id);
    out["requests"] = json!(requests);
    out["retries"] = json!(client.transport().stats().retries());
    let status = if op.status == "Processing" {
        match op.operation_id.as_deref() {
            Some(id) => match events.wait_for(id, args.timeout).await {
                Ok(done) => {
                    if out["scheduleId"].is_null() {
                        out["scheduleId"] = json!(done.result.map(|r| r.id));
                    }
                    "Complete".to_owned()
                }
                Err(Error::Operation { status, .. }) => status,
                Err(e) => return Err(e),
            },
            None => "Processing".to_owned(),
        }
    } else {
        if out["scheduleId"].is_null() {
            out["scheduleId"] = json!(op.result.map(|r| r.id));
        }
        op.status
    };
    let complete = status == "Complete";
    out["status"] = json!(status);
    Ok(report_outcome(out, !complete || !skipped_ids.is_empty()))
}

fn report_outcome(report: Value, partial: bool) -> Outcome {
    Outcome {
        stdout: serde_json::to_string_pretty(&report).unwrap_or_default(),
        stderr: String::new(),
        exit_code: i32::from(partial),
    }
}

/// The update body: the schedule's version, and each agent's version from the agent schedules
/// query of its management unit (one query per unit involved).
async fn update_body(
    client: &Client<RolesDecide>,
    bu: &str,
    week: NaiveDate,
    schedule: &crate::models::ScheduleListItem,
    report: &preflight::Report,
    input: Input,
    requests: &mut usize,
) -> Result<UpdateScheduleUpload, Error> {
    let wanted: BTreeSet<&str> = input
        .agent_schedules
        .iter()
        .map(|a| a.user_id.as_str())
        .collect();
    let mut units: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(op) = report.operations.first() {
        for d in &op.divisions {
            for unit in &d.management_units {
                let members = client.management_unit_users(unit).await?;
                *requests += 1;
                let members: Vec<String> = members
                    .into_iter()
                    .filter(|m| wanted.contains(m.as_str()))
                    .collect();
                if !members.is_empty() {
                    units.insert(unit.clone(), members);
                }
            }
        }
    }
    let mut versions: BTreeMap<String, i64> = BTreeMap::new();
    for (unit, members) in units {
        let query = AgentScheduleQuery {
            management_unit_id: unit,
            user_ids: members,
        };
        let found = client
            .query_agent_schedules(bu, week, &schedule.id, &query)
            .await?;
        *requests += 1;
        for a in found.agent_schedules {
            if let Some(m) = a.metadata {
                versions.insert(a.user.id, m.version);
            }
        }
    }
    Ok(UpdateScheduleUpload {
        description: input.description,
        published: None,
        metadata: VersionMetadata {
            version: schedule.metadata.as_ref().map_or(0, |m| m.version),
            date_modified: None,
        },
        agent_schedules: input
            .agent_schedules
            .into_iter()
            .map(|a| UpdateAgentSchedule {
                metadata: versions.get(&a.user_id).map(|v| VersionMetadata {
                    version: *v,
                    date_modified: None,
                }),
                user_id: a.user_id,
                shifts: a
                    .shifts
                    .into_iter()
                    .map(|s| UpdateShift {
                        id: None,
                        start_date: s.start_date,
                        length_minutes: s.length_minutes,
                        activities: s.activities,
                        delete: None,
                    })
                    .collect(),
                full_day_time_off_markers: a.full_day_time_off_markers,
            })
            .collect(),
    })
}

/// Every check that needs no write; the first failure, naming the agent and the shift.
fn validate(
    input: &Input,
    known: &BTreeSet<&str>,
    codes: &BTreeSet<String>,
    week: NaiveDate,
    tz: Tz,
) -> Result<(), String> {
    let local_midnight = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists"))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    let week_start = local_midnight(week)
        .ok_or("the week date has no midnight in the business unit's time zone")?;
    let week_end = local_midnight(week + Span::days(7))
        .ok_or("the week's end has no midnight in the business unit's time zone")?;
    let mut seen = BTreeSet::new();
    for agent in &input.agent_schedules {
        let who = &agent.user_id;
        if !seen.insert(who.as_str()) {
            return Err(format!("agent {who} appears twice"));
        }
        if !known.contains(who.as_str()) {
            return Err(format!(
                "agent {who} is in no management unit of the business unit"
            ));
        }
        let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>, usize)> = Vec::new();
        for (i, shift) in agent.shifts.iter().enumerate() {
            let start = shift.start_date;
            let end = start + Span::minutes(i64::from(shift.length_minutes));
            let name = format!("agent {who}, shift {} (starting {start})", i + 1);
            if shift.length_minutes == 0 {
                return Err(format!("{name} has no length"));
            }
            if start < week_start || start >= week_end {
                return Err(format!(
                    "{name} starts outside the week of {week} in {tz} ({week_start} to {week_end})"
                ));
            }
            for (j, a) in shift.activities.iter().enumerate() {
                let a_end = a.start_date + Span::minutes(i64::from(a.length_minutes));
                if a.start_date < start || a_end > end {
                    return Err(format!(
                        "{name}: activity {} ({} to {a_end}) is outside the shift ({start} to {end})",
                        j + 1,
                        a.start_date
                    ));
                }
                if let Some(code) = &a.activity_code_id
                    && !codes.contains(code)
                {
                    return Err(format!(
                        "{name}: activity {} has the unknown activity code {code:?}",
                        j + 1
                    ));
                }
            }
            spans.push((start, end, i + 1));
        }
        spans.sort();
        for pair in spans.windows(2) {
            if pair[1].0 < pair[0].1 {
                return Err(format!(
                    "agent {who}: shifts {} and {} overlap ({} to {} and {} to {})",
                    pair[0].2, pair[1].2, pair[0].0, pair[0].1, pair[1].0, pair[1].1
                ));
            }
        }
    }
    Ok(())
}
