//! What a push writes, the pull reads: the Genesys stand-in applies a completed import or update
//! to its schedules (with its own gunzip, no decoder given), and applies nothing it refuses.

mod common;

use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use genesys_wfm::models::{
    Activity, AgentScheduleQuery, ImportAgentSchedule, ImportScheduleUpload, ShiftRequest,
    UpdateAgentSchedule, UpdateScheduleUpload, UpdateShift, VersionMetadata,
};
use genesys_wfm::notifications::ScheduleEvents;
use genesys_wfm::{pull, push};
use serde_json::Value;
use wfm_auth::ErrorMetadata;
use wfm_sandbox::genesys::Completion;

const INPUT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/data/genesys/schedule.json"
);

/// The `dateModified` the stand-in gives a schedule it changed.
const MODIFIED: &str = "2026-03-01T12:00:00Z";

/// Two agents per division, a shift each on 2026-03-02 in the published `sched-1` (version 7),
/// the activity codes, and every permission but `wfm:schedule:edit` outside `edit_in`.
async fn world(edit_in: Option<&str>) -> common::World {
    let w = common::world().await;
    common::populate(&w.org, 2);
    w.org.add_activity_code("bu-1", "0", "Phones");
    w.org.add_activity_code("bu-1", "1", "Lunch");
    for p in [
        "wfm:businessUnit:view",
        "wfm:agent:view",
        "wfm:schedule:view",
        "wfm:schedule:add",
    ] {
        w.org.grant_everywhere(p);
    }
    match edit_in {
        Some(division) => w.org.grant("wfm:schedule:edit", division),
        None => w.org.grant_everywhere("wfm:schedule:edit"),
    }
    w
}

fn connection(w: &common::World) -> Vec<String> {
    [
        "--base-url",
        &w.server.uri(),
        "--client-id",
        "id",
        "--client-secret",
        "secret",
        "--business-unit",
        "bu-1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// genesys-wfm's pull of the week starting `monday`: the shifts as the `ics_feed` input.
async fn pull_week(w: &common::World, monday: &str) -> Vec<Value> {
    let start = NaiveDate::parse_from_str(monday, "%Y-%m-%d").unwrap();
    let end = start + chrono::Duration::days(7);
    let mut args = connection(w);
    args.extend([
        "--start".to_owned(),
        format!("{start}T00:00:00Z"),
        "--end".to_owned(),
        format!("{end}T00:00:00Z"),
    ]);
    let out = pull::run(args, |_| None).await;
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

async fn push_week(w: &common::World, monday: &str) -> Value {
    let mut args = connection(w);
    args.extend(
        ["--week", monday, "--input", INPUT, "--timeout", "5"]
            .iter()
            .map(|s| s.to_string()),
    );
    let out = push::run(args, |_| None).await;
    assert_eq!(out.exit_code, 0, "{}{}", out.stdout, out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

/// The pulled shifts without their ids: (agent, start, end, last_modified, summary).
fn times(shifts: &[Value]) -> Vec<(String, String, String, String, String)> {
    shifts
        .iter()
        .map(|s| {
            let text = |k: &str| s[k].as_str().unwrap_or_default().to_owned();
            (
                text("agent"),
                text("start"),
                text("end"),
                text("last_modified"),
                text("summary"),
            )
        })
        .collect()
}

fn row(agent: &str, start: &str, end: &str, modified: &str, summary: &str) -> [String; 5] {
    [agent, start, end, modified, summary].map(str::to_owned)
}

fn rows(shifts: &[Value]) -> Vec<[String; 5]> {
    times(shifts)
        .into_iter()
        .map(|(a, s, e, m, d)| [a, s, e, m, d])
        .collect()
}

fn week() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

/// An update of `sched-1` at `version` giving each agent one shift on 2026-03-05 09:00-13:00.
fn update(agents: &[&str], version: i64) -> UpdateScheduleUpload {
    let start = Utc.with_ymd_and_hms(2026, 3, 5, 9, 0, 0).unwrap();
    let mut activity = Activity::default();
    activity.start_date = start;
    activity.length_minutes = 240;
    activity.activity_code_id = Some("0".into());
    activity.description = Some("Phones".into());
    let mut u = UpdateScheduleUpload::default();
    u.metadata = VersionMetadata::default();
    u.metadata.version = version;
    u.agent_schedules = agents
        .iter()
        .map(|agent| {
            let mut shift = UpdateShift::default();
            shift.start_date = start;
            shift.length_minutes = 240;
            shift.activities = vec![activity.clone()];
            let mut a = UpdateAgentSchedule::default();
            a.user_id = (*agent).to_owned();
            a.shifts = vec![shift];
            a
        })
        .collect();
    u
}

#[tokio::test]
async fn an_update_pushed_through_genesys_wfm_is_read_back_by_its_pull_with_the_new_shifts() {
    let w = world(None).await;
    let before = pull_week(&w, "2026-03-02").await;
    assert_eq!(before.len(), 4, "{before:#?}");

    let report = push_week(&w, "2026-03-02").await;
    assert_eq!(report["flow"], "update");
    assert_eq!(report["scheduleId"], "sched-1");
    assert_eq!(report["status"], "Complete");

    // The pushed agents' shifts replaced theirs; the others' are untouched.
    let after = pull_week(&w, "2026-03-02").await;
    assert_eq!(
        rows(&after),
        [
            row(
                "berlin-1",
                "2026-03-02T08:00:00Z",
                "2026-03-02T16:00:00Z",
                MODIFIED,
                "Work"
            ),
            row(
                "lisbon-1",
                "2026-03-02T08:00:00Z",
                "2026-03-02T16:00:00Z",
                MODIFIED,
                "Work"
            ),
            row(
                "berlin-0",
                "2026-03-03T07:00:00Z",
                "2026-03-03T15:00:00Z",
                MODIFIED,
                "Phones, Lunch"
            ),
            row(
                "lisbon-0",
                "2026-03-04T08:00:00Z",
                "2026-03-04T16:00:00Z",
                MODIFIED,
                "Phones"
            ),
        ]
    );
    let ids: Vec<&str> = after.iter().filter_map(|s| s["id"].as_str()).collect();
    assert!(!ids.contains(&"shift-berlin-0") && !ids.contains(&"shift-lisbon-0"));
    assert!(ids.contains(&"shift-berlin-1") && ids.contains(&"shift-lisbon-1"));
    let schedule = &w.org.schedules("bu-1", "2026-03-02")[0];
    assert_eq!(schedule["metadata"]["version"], 8);
    assert_eq!(schedule["description"], "Week 10, from the planner");
    assert_eq!(schedule["published"], true);

    // A second push reads the new versions (schedule 8, agents 2) and replaces again: the same
    // shifts, not twice as many.
    let again = push_week(&w, "2026-03-02").await;
    assert_eq!(again["status"], "Complete");
    assert_eq!(times(&pull_week(&w, "2026-03-02").await), times(&after));
    assert_eq!(
        w.org.schedules("bu-1", "2026-03-02")[0]["metadata"]["version"],
        9
    );
    assert_eq!(w.org.processed()[1]["metadata"]["version"], 8);
    assert_eq!(
        w.org.processed()[1]["agentSchedules"][0]["metadata"]["version"],
        2
    );
}

#[tokio::test]
async fn a_refused_or_failed_update_changes_nothing() {
    // `wfm:schedule:edit` only in Berlin.
    let w = world(Some("div-berlin")).await;
    let before = pull_week(&w, "2026-03-02").await;
    let stored = |agent: &str| w.org.shifts(agent);
    let berlin_0 = stored("berlin-0");
    let lisbon_0 = stored("lisbon-0");
    let unchanged = |label: &str, shifts: &[Value]| {
        assert_eq!(
            shifts,
            before.as_slice(),
            "{label}: the pull reads the same"
        );
        assert_eq!(stored("berlin-0"), berlin_0, "{label}");
        assert_eq!(stored("lisbon-0"), lisbon_0, "{label}");
        let schedule = &w.org.schedules("bu-1", "2026-03-02")[0];
        assert_eq!(schedule["metadata"]["version"], 7, "{label}");
        assert_eq!(
            schedule["metadata"]["dateModified"], "2026-02-27T10:00:00Z",
            "{label}"
        );
    };

    // A division without the permission: 403, for the Berlin agent of the upload too.
    let err = w
        .client
        .update_schedule(
            "bu-1",
            week(),
            "sched-1",
            &update(&["berlin-0", "lisbon-0"], 7),
        )
        .await
        .unwrap_err();
    assert_eq!(ErrorMetadata::status(&err), Some(403), "{err}");
    unchanged("403", &pull_week(&w, "2026-03-02").await);

    // A stale schedule version: 409.
    let err = w
        .client
        .update_schedule("bu-1", week(), "sched-1", &update(&["berlin-0"], 6))
        .await
        .unwrap_err();
    assert_eq!(ErrorMetadata::status(&err), Some(409), "{err}");
    unchanged("stale schedule version", &pull_week(&w, "2026-03-02").await);

    // A stale agent version: 409.
    let mut stale_agent = update(&["berlin-0"], 7);
    stale_agent.agent_schedules[0].metadata = Some(VersionMetadata::default());
    stale_agent.agent_schedules[0]
        .metadata
        .as_mut()
        .unwrap()
        .version = 5;
    let err = w
        .client
        .update_schedule("bu-1", week(), "sched-1", &stale_agent)
        .await
        .unwrap_err();
    assert_eq!(ErrorMetadata::status(&err), Some(409), "{err}");
    unchanged("stale agent version", &pull_week(&w, "2026-03-02").await);

    // An agent in no management unit of the business unit: 400, and the known agent next to it
    // keeps its shifts as well.
    let err = w
        .client
        .update_schedule(
            "bu-1",
            week(),
            "sched-1",
            &update(&["berlin-0", "ghost"], 7),
        )
        .await
        .unwrap_err();
    assert_eq!(ErrorMetadata::status(&err), Some(400), "{err}");
    assert!(err.to_string().contains("ghost"), "{err}");
    unchanged("unknown agent", &pull_week(&w, "2026-03-02").await);
    assert!(w.org.processed().is_empty());

    // Accepted, then the operation ends in `Error` or `Canceled`: nothing applied either.
    let mut events = ScheduleEvents::subscribe(&w.client, "bu-1").await.unwrap();
    for (completion, status) in [
        (Completion::Error, "Error"),
        (Completion::Canceled, "Canceled"),
    ] {
        w.org.complete_with(completion);
        let op = w
            .client
            .update_schedule("bu-1", week(), "sched-1", &update(&["berlin-0"], 7))
            .await
            .unwrap();
        let err = events
            .wait_for(op.operation_id.as_deref().unwrap(), Duration::from_secs(5))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, genesys_wfm::Error::Operation { status: s, .. } if s == status),
            "{err:?}"
        );
        unchanged(status, &pull_week(&w, "2026-03-02").await);
    }

    // The same update, completed, is applied.
    w.org.complete_with(Completion::Complete);
    let op = w
        .client
        .update_schedule("bu-1", week(), "sched-1", &update(&["berlin-0"], 7))
        .await
        .unwrap();
    events
        .wait_for(op.operation_id.as_deref().unwrap(), Duration::from_secs(5))
        .await
        .unwrap();
    let after = pull_week(&w, "2026-03-02").await;
    let berlin: Vec<&Value> = after.iter().filter(|s| s["agent"] == "berlin-0").collect();
    assert_eq!(berlin.len(), 1, "{after:#?}");
    assert_eq!(berlin[0]["start"], "2026-03-05T09:00:00Z");
    assert_eq!(after.len(), before.len());
}

#[tokio::test]
async fn an_import_creates_the_week_schedule_which_searches_read_once_published() {
    let w = world(None).await;
    let mut events = ScheduleEvents::subscribe(&w.client, "bu-1").await.unwrap();
    let next_week = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
    let mut shift = ShiftRequest::default();
    shift.start_date = Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap();
    shift.length_minutes = 300;
    let mut agent = ImportAgentSchedule::default();
    agent.user_id = "lisbon-1".into();
    agent.shifts = vec![shift];
    let mut import = ImportScheduleUpload::default();
    import.description = "Week 11".into();
    import.week_count = 1;
    import.agent_schedules = vec![agent];
    let op = w
        .client
        .import_schedule("bu-1", next_week, &import)
        .await
        .unwrap();
    let done = events
        .wait_for(op.operation_id.as_deref().unwrap(), Duration::from_secs(5))
        .await
        .unwrap();
    let id = done.result.unwrap().id;
    let schedules = w.org.schedules("bu-1", "2026-03-09");
    assert_eq!(schedules.len(), 1);
    assert_eq!(schedules[0]["id"], id.as_str());
    assert_eq!(schedules[0]["description"], "Week 11");
    assert_eq!(schedules[0]["published"], false);

    // Not published: the search (and so the pull) does not read it; the schedule's own agent
    // schedules query does.
    assert_eq!(pull_week(&w, "2026-03-09").await, Vec::<Value>::new());
    let mut query = AgentScheduleQuery::default();
    query.management_unit_id = "mu-lisbon".into();
    query.user_ids = vec!["lisbon-1".into()];
    let found = w
        .client
        .query_agent_schedules("bu-1", next_week, &id, &query)
        .await
        .unwrap();
    let lisbon_1 = found
        .agent_schedules
        .iter()
        .find(|a| a.user.id == "lisbon-1")
        .unwrap();
    assert_eq!(lisbon_1.shifts.len(), 1);

    // Published by an update (version 1, no agent changes): the pull reads it.
    let mut publish = UpdateScheduleUpload::default();
    publish.published = Some(true);
    publish.metadata = VersionMetadata::default();
    publish.metadata.version = 1;
    let op = w
        .client
        .update_schedule("bu-1", next_week, &id, &publish)
        .await
        .unwrap();
    events
        .wait_for(op.operation_id.as_deref().unwrap(), Duration::from_secs(5))
        .await
        .unwrap();
    let pulled = pull_week(&w, "2026-03-09").await;
    assert_eq!(
        rows(&pulled),
        [row(
            "lisbon-1",
            "2026-03-10T09:00:00Z",
            "2026-03-10T14:00:00Z",
            MODIFIED,
            ""
        )]
    );
    assert_eq!(
        w.org.schedules("bu-1", "2026-03-09")[0]["metadata"]["version"],
        2
    );
    // The earlier week is as it was.
    assert_eq!(pull_week(&w, "2026-03-02").await.len(), 4);
}
