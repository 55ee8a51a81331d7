//! The `genesys_schedule_pull` example's logic: the published shifts of a business unit in a
//! range, written as the JSON array the `ics_feed` example reads. Kept in the library so that
//! tests run it.
//!
//! ```text
//! genesys_schedule_pull (--region REGION | --base-url URL [--login-url URL])
//!     --client-id ID --client-secret SECRET --business-unit BU
//!     --start RFC3339 --end RFC3339 [--users ID,ID]
//! ```
//!
//! Each shift becomes `{"id", "agent", "start", "end", "last_modified", "summary"}`: `id` the
//! shift id, `agent` the user id, `end` the start plus the shift's length, `last_modified` the
//! `dateModified` of the week schedule the shift belongs to (one read per schedule, not per
//! shift), `summary` the shift's distinct activity descriptions. Shifts are sorted by start,
//! agent and id, so the bytes are the same however Genesys answered the search (inline,
//! `downloadUrl` or `Processing`). Exit codes: 0 written, 2 bad arguments, 3 the org could not
//! be read.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};
use wfm_auth::ErrorMetadata;

use crate::cli::{CONNECTION_FLAGS, Connection, Flags};
use crate::doctor::Outcome;
use crate::error::Error;
use crate::models::{AgentScheduleSearch, AgentSchedules};

const USAGE: &str = "usage: genesys_schedule_pull (--region REGION | --base-url URL [--login-url URL]) --client-id ID --client-secret SECRET --business-unit BU --start RFC3339 --end RFC3339 [--users ID,ID]";

/// Runs the pull with `args` (without the program name); `env` reads environment variables.
pub async fn run(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Outcome {
    let fail = |code: i32, message: String| Outcome {
        stdout: String::new(),
        stderr: message,
        exit_code: code,
    };
    let mut valued = CONNECTION_FLAGS.to_vec();
    valued.extend(["--business-unit", "--start", "--end", "--users"]);
    let parsed = Flags::parse(args, &valued, &[]).and_then(|flags| {
        let connection = Connection::from_flags(&flags, &env)?;
        let bu = flags
            .value("--business-unit")
            .ok_or("--business-unit is required")?
            .to_owned();
        let time = |name: &str| -> Result<DateTime<Utc>, String> {
            let text = flags.value(name).ok_or(format!("{name} is required"))?;
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| format!("{name} {text:?} is not RFC 3339: {e}"))
        };
        let (start, end) = (time("--start")?, time("--end")?);
        if end <= start {
            return Err("--end must be after --start".to_owned());
        }
        let users: Vec<String> = flags
            .value("--users")
            .map(|u| {
                u.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Ok((connection, bu, AgentScheduleSearch::new(start, end, users)))
    });
    let (connection, bu, search) = match parsed {
        Ok(p) => p,
        Err(message) => return fail(2, format!("{message}\n{USAGE}")),
    };
    let result = async {
        let client = connection.client()?;
        let found = client.search_agent_schedules(&bu, &search).await?;
        let mut modified = BTreeMap::new();
        for s in &found.published_schedules {
            if let Some(week) = s.week_date
                && !modified.contains_key(&s.id)
            {
                let meta = client.week_schedule(&bu, week, &s.id).await?;
                modified.insert(s.id.clone(), meta.metadata.and_then(|m| m.date_modified));
            }
        }
        for a in &found.agent_schedules {
            for shift in &a.shifts {
                if let Some(s) = &shift.schedule
                    && !modified.contains_key(&s.id)
                    && let Some(week) = s.week_date
                {
                    let meta = client.week_schedule(&bu, week, &s.id).await?;
                    modified.insert(s.id.clone(), meta.metadata.and_then(|m| m.date_modified));
                }
            }
        }
        Ok::<_, Error>(shifts_json(&found, &modified))
    }
    .await;
    match result {
        Ok(shifts) => Outcome {
            stdout: serde_json::to_string_pretty(&shifts).unwrap_or_default(),
            stderr: String::new(),
            exit_code: 0,
        },
        Err(e) => fail(
            3,
            match e.advice() {
                Some(advice) => format!("error: {e}\nwhat to do: {advice}"),
                None => format!("error: {e}"),
            },
        ),
    }
}

/// The shifts of `found` in the `ics_feed` input format, sorted.
pub fn shifts_json(
    found: &AgentSchedules,
    modified: &BTreeMap<String, Option<DateTime<Utc>>>,
) -> Value {
    let time = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut shifts: Vec<(DateTime<Utc>, String, String, Value)> = Vec::new();
    for agent in &found.agent_schedules {
        for shift in &agent.shifts {
            let start = shift.start_date;
            let end = start + Duration::minutes(i64::from(shift.length_minutes));
            let id = shift
                .id
                .clone()
                .unwrap_or_else(|| format!("{}-{}", agent.user.id, time(start)));
            let last_modified = shift
                .schedule
                .as_ref()
                .and_then(|s| modified.get(&s.id).copied().flatten())
                .unwrap_or(start);
            let mut summary: Vec<&str> = Vec::new();
            for a in &shift.activities {
                if let Some(d) = a.description.as_deref().filter(|d| !d.is_empty())
                    && !summary.contains(&d)
                {
                    summary.push(d);
                }
            }
            let mut value = json!({
                "id": id,
                "agent": agent.user.id,
                "start": time(start),
                "end": time(end),
                "last_modified": time(last_modified),
            });
            if !summary.is_empty() {
                value["summary"] = Value::String(summary.join(", "));
            }
            shifts.push((start, agent.user.id.clone(), id, value));
        }
    }
    shifts.sort_by(|a, b| (a.0, &a.1, &a.2).cmp(&(b.0, &b.1, &b.2)));
    Value::Array(shifts.into_iter().map(|s| s.3).collect())
}
