//! Schedule import and update through the upload flow, completed on the notification websocket.

mod common;

use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use genesys_wfm::Error;
use genesys_wfm::models::{
    Activity, ImportAgentSchedule, ImportScheduleUpload, ShiftRequest, UpdateAgentSchedule,
    UpdateScheduleUpload, UpdateShift, VersionMetadata,
};
use genesys_wfm::notifications::ScheduleEvents;
use wfm_sandbox::genesys::Completion;

fn week() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

fn activity() -> Activity {
    let mut a = Activity::default();
    a.start_date = Utc.with_ymd_and_hms(2026, 3, 3, 9, 0, 0).unwrap();
    a.length_minutes = 240;
    a.activity_code_id = Some("0".into());
    a.description = Some("Phones".into());
    a
}

fn update(agents: &[&str], version: i64) -> UpdateScheduleUpload {
    let mut u = UpdateScheduleUpload::default();
    u.metadata = VersionMetadata::default();
    u.metadata.version = version;
    u.agent_schedules = agents
        .iter()
        .map(|agent| {
            let mut shift = UpdateShift::default();
            shift.start_date = Utc.with_ymd_and_hms(2026, 3, 3, 9, 0, 0).unwrap();
            shift.length_minutes = 240;
            shift.activities = vec![activity()];
            let mut a = UpdateAgentSchedule::default();
            a.user_id = (*agent).to_owned();
            a.shifts = vec![shift];
            a
        })
        .collect();
    u
}

async fn ready() -> common::World {
    let w = common::world().await;
    common::populate(&w.org, 2);
    for p in ["wfm:schedule:view", "wfm:schedule:edit", "wfm:schedule:add"] {
        w.org.grant_everywhere(p);
    }
    w
}

#[tokio::test]
async fn an_update_uploads_gzip_with_exactly_the_returned_headers_and_no_token_then_completes_by_operation_id()
 {
    let w = ready().await;
    let mut events = ScheduleEvents::subscribe(&w.client, "bu-1").await.unwrap();
    let op = w
        .client
        .update_schedule(
            "bu-1",
            week(),
            "sched-1",
            &update(&["berlin-0", "lisbon-1"], 7),
        )
        .await
        .unwrap();
    assert_eq!(op.status, "Processing");
    let operation_id = op.operation_id.unwrap();
    // Another operation's event comes first on the same topic; it is skipped.
    let done = events
        .wait_for(&operation_id, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(done.operation_id.as_deref(), Some(operation_id.as_str()));
    assert_eq!(done.event_type.as_deref(), Some("Update"));
    assert_eq!(done.result.unwrap().metadata.unwrap().version, 8);

    // The upload: one PUT to the storage origin, gzip, no Authorization header.
    let storage = w.org.download_requests();
    assert_eq!(storage.len(), 1);
    assert_eq!(storage[0].method, "PUT");
    assert!(!storage[0].had_authorization);
    let uploads = w.org.uploads();
    assert_eq!(uploads.len(), 1);
    let sent = uploads[0].json().expect("gzip-compressed JSON");
    assert_eq!(sent["metadata"]["version"], 7);
    assert_eq!(sent["agentSchedules"][1]["userId"], "lisbon-1");
    assert_eq!(
        sent["agentSchedules"][0]["shifts"][0]["activities"][0]["activityCodeId"],
        "0"
    );
    assert_eq!(w.org.processed().len(), 1);
    assert_eq!(
        w.org.schedules("bu-1", "2026-03-02")[0]["metadata"]["version"],
        8
    );
}

#[tokio::test]
async fn an_import_creates_the_week_schedule() {
    let w = ready().await;
    let mut events = ScheduleEvents::subscribe(&w.client, "bu-1").await.unwrap();
    let mut shift = ShiftRequest::default();
    shift.start_date = Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap();
    shift.length_minutes = 240;
    shift.activities = vec![activity()];
    let mut agent = ImportAgentSchedule::default();
    agent.user_id = "berlin-1".into();
    agent.shifts = vec![shift];
    let mut import = ImportScheduleUpload::default();
    import.description = "Imported by the WFM SDK".into();
    import.week_count = 1;
    import.agent_schedules = vec![agent];
    let next_week = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
    let op = w
        .client
        .import_schedule("bu-1", next_week, &import)
        .await
        .unwrap();
    let done = events
        .wait_for(op.operation_id.as_deref().unwrap(), Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(done.event_type.as_deref(), Some("Import"));
    assert_eq!(w.org.schedules("bu-1", "2026-03-09").len(), 1);
    assert_eq!(w.org.processed()[0]["weekCount"], 1);
    assert_eq!(
        w.org.processed()[0]["description"],
        "Imported by the WFM SDK"
    );
}

#[tokio::test]
async fn an_error_completion_is_a_typed_error_with_the_operation_id() {
    let w = ready().await;
    w.org.complete_with(Completion::Error);
    let mut events = ScheduleEvents::subscribe(&w.client, "bu-1").await.unwrap();
    let op = w
        .client
        .update_schedule("bu-1", week(), "sched-1", &update(&["berlin-0"], 7))
        .await
        .unwrap();
    let id = op.operation_id.unwrap();
    let err = events
        .wait_for(&id, Duration::from_secs(5))
        .await
        .unwrap_err();
    match &err {
        Error::Operation {
            operation_id,
            status,
            ..
        } => {
            assert_eq!(operation_id.as_deref(), Some(id.as_str()));
            assert_eq!(status, "Error");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains(&id), "{err}");
}

#[tokio::test]
async fn no_completion_in_time_is_a_timeout_and_canceled_is_an_error() {
    let w = ready().await;
    w.org.complete_with(Completion::Never);
    let mut events = ScheduleEvents::subscribe(&w.client, "bu-1").await.unwrap();
    let op = w
        .client
        .update_schedule("bu-1", week(), "sched-1", &update(&["berlin-0"], 7))
        .await
        .unwrap();
    let err = events
        .wait_for(
            op.operation_id.as_deref().unwrap(),
            Duration::from_millis(300),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Operation { status, .. } if status == "Timeout"),
        "{err:?}"
    );

    w.org.complete_with(Completion::Canceled);
    let op = w
        .client
        .update_schedule("bu-1", week(), "sched-1", &update(&["berlin-0"], 8))
        .await
        .unwrap();
    let err = events
        .wait_for(op.operation_id.as_deref().unwrap(), Duration::from_secs(5))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Operation { status, .. } if status == "Canceled"),
        "{err:?}"
    );
}

#[tokio::test]
async fn agents_in_a_division_without_schedule_edit_make_the_update_a_typed_403() {
    let w = common::world().await;
    common::populate(&w.org, 1);
    w.org.grant_everywhere("wfm:schedule:view");
    w.org.grant("wfm:schedule:edit", "div-berlin");
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
    assert_eq!(
        err.missing_permissions().unwrap().permissions(),
        ["wfm:schedule:edit"]
    );
}

#[tokio::test]
async fn a_stale_version_is_a_409() {
    let w = ready().await;
    let err = w
        .client
        .update_schedule("bu-1", week(), "sched-1", &update(&["berlin-0"], 6))
        .await
        .unwrap_err();
    assert_eq!(wfm_auth::ErrorMetadata::status(&err), Some(409));
}
