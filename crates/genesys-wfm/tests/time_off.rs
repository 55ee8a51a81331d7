//! Time-off requests against the Genesys stand-in: create, query, update, integration status.

mod common;

use chrono::{TimeZone, Utc};
use genesys_wfm::models::{NewTimeOff, TimeOffPatch, TimeOffQuery, UserReference, VersionMetadata};

fn full_day(users: &[&str]) -> NewTimeOff {
    let mut t = NewTimeOff::default();
    t.status = "APPROVED".into();
    t.users = users
        .iter()
        .map(|u| {
            let mut r = UserReference::default();
            r.id = (*u).to_owned();
            r
        })
        .collect();
    t.activity_code_id = "2".into();
    t.full_day_management_unit_dates = vec!["2026-03-05".into()];
    t.daily_duration_minutes = 480;
    t.notes = Some("Holiday".into());
    t
}

#[tokio::test]
async fn create_query_update_and_integration_status() {
    let w = common::world().await;
    common::populate(&w.org, 2);
    for p in [
        "wfm:timeOffRequest:add",
        "wfm:timeOffRequest:view",
        "wfm:timeOffRequest:edit",
    ] {
        w.org.grant_everywhere(p);
    }
    let created = w
        .client
        .create_time_off("mu-berlin", &full_day(&["berlin-0", "berlin-1"]))
        .await
        .unwrap();
    assert_eq!(created.len(), 2);
    assert!(created[0].is_full_day_request);
    assert_eq!(created[0].status, "APPROVED");

    let mut partial = full_day(&["berlin-0"]);
    partial.status = "PENDING".into();
    partial.full_day_management_unit_dates.clear();
    partial.partial_day_start_date_times =
        vec![Utc.with_ymd_and_hms(2026, 3, 6, 12, 0, 0).unwrap()];
    partial.daily_duration_minutes = 120;
    let pending = w
        .client
        .create_time_off("mu-berlin", &partial)
        .await
        .unwrap()
        .remove(0);
    assert!(!pending.is_full_day_request);

    let mut query = TimeOffQuery::default();
    query.statuses = vec!["PENDING".into()];
    let found = w.client.query_time_off("mu-berlin", &query).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, pending.id);

    let mut patch = TimeOffPatch::default();
    patch.status = Some("DENIED".into());
    patch.metadata = VersionMetadata::default();
    patch.metadata.version = 1;
    let denied = w
        .client
        .update_time_off("mu-berlin", "berlin-0", &pending.id, &patch)
        .await
        .unwrap();
    assert_eq!(denied.status, "DENIED");
    assert_eq!(denied.metadata.unwrap().version, 2);
    // The same version again is stale: 409.
    let stale = w
        .client
        .update_time_off("mu-berlin", "berlin-0", &pending.id, &patch)
        .await
        .unwrap_err();
    assert_eq!(wfm_auth::ErrorMetadata::status(&stale), Some(409));

    let status = w
        .client
        .set_time_off_integration_status(
            "mu-berlin",
            &created[0].id,
            "berlin-0",
            "ManuallyComplete",
        )
        .await
        .unwrap();
    assert_eq!(status.integration_status, "ManuallyComplete");
    assert_eq!(status.time_off_request.id, created[0].id);
}

#[tokio::test]
async fn creating_time_off_in_an_unpermitted_division_is_a_typed_403() {
    let w = common::world().await;
    common::populate(&w.org, 1);
    w.org.grant("wfm:timeOffRequest:add", "div-berlin");
    let err = w
        .client
        .create_time_off("mu-lisbon", &full_day(&["lisbon-0"]))
        .await
        .unwrap_err();
    assert_eq!(
        err.missing_permissions().unwrap().permissions(),
        ["wfm:timeOffRequest:add"]
    );
    assert!(w.org.time_off_requests().is_empty());
}
