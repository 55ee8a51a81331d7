//! The mass-deactivation guard on a truncated export, and bad rows reported one by one while
//! the good rows are applied.

mod common;

use common::*;
use cxone_wfm::roster::{RowProblem, parse_csv, parse_json};
use cxone_wfm::{Engine, Guard, SyncError};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guard_trips_on_a_truncated_roster_and_writes_nothing() {
    let w = world().await;
    for i in 0..1_000 {
        w.wfm.insert_user(server_user(i, &format!("Last{i}"), true));
    }
    // The export holds 10% of the people.
    let mut csv = HEADER.to_owned();
    for i in 0..100 {
        csv.push_str(&roster_line(i));
    }
    let rows = parse_csv(&csv).unwrap();
    let engine = Engine::new(w.client(&w.server.uri()));
    let err = engine.sync(rows.clone(), role_map()).await.unwrap_err();
    let SyncError::Guard(tripped) = err else {
        panic!("expected the guard, got {err}")
    };
    assert_eq!(
        (tripped.planned, tripped.limit, tripped.active),
        (900, 100, 1_000)
    );
    assert!(tripped.to_string().contains("max_deactivations"));
    assert_eq!(w.wfm.stats().writes, 0, "nothing was written");

    // A dry run with the limit raised on purpose shows the plan and still writes nothing.
    let dry = Engine::new(w.client(&w.server.uri()))
        .guard(Guard::default().max_deactivations(900))
        .dry_run(true)
        .sync(rows.clone(), role_map())
        .await
        .unwrap();
    assert_eq!(dry.counts.deactivated, 900);
    assert_eq!(dry.plan.as_ref().unwrap().deactivations.len(), 900);
    assert_eq!(w.wfm.stats().writes, 0);

    // Raised on purpose, it runs: deactivation, never a delete.
    let report = Engine::new(w.client(&w.server.uri()))
        .guard(Guard::default().max_deactivations(900))
        .sync(rows, role_map())
        .await
        .unwrap();
    assert_eq!(report.counts.deactivated, 900);
    assert_eq!(w.wfm.users().len(), 1_000);
    assert_eq!(w.wfm.user("E00999").unwrap()["isActive"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rows_are_reported_one_by_one_and_good_rows_applied() {
    let w = world().await;
    let long_id = "X".repeat(300);
    let mut csv = HEADER.to_owned();
    csv.push_str(&roster_line(1));
    csv.push_str("B1,Bad,Email,not-an-email,America/Chicago,T1,,,\n");
    csv.push_str("B2,Offset,Zone,b2@example.com,GMT-06:00,T1,,,\n");
    csv.push_str("B3,Dup,One,b3a@example.com,America/Chicago,T1,,,\n");
    csv.push_str("B3,Dup,Two,b3b@example.com,America/Chicago,T1,,,\n");
    csv.push_str(&format!(
        "{long_id},Long,Id,long@example.com,America/Chicago,T1,,,\n"
    ));
    csv.push_str("../x,Path,Id,path@example.com,America/Chicago,T1,,,\n");
    csv.push_str("B4,Unknown,Role,b4@example.com,America/Chicago,GONE,,,\n");
    csv.push_str("B5,Windows,Zone,b5@example.com,Central Standard Time,T2,\"Billing:Novice;Tech: Support:Expert\",,E00001\n");
    csv.push_str(&roster_line(2));
    let rows = parse_csv(&csv).unwrap();
    let rules = role_map()
        .fallback_role("role_unmapped")
        .fallback_timezone("Etc/UTC");
    let report = Engine::new(w.client(&w.server.uri()))
        .sync(rows, rules)
        .await
        .unwrap();

    let rejected: Vec<(usize, &RowProblem)> = report
        .rejected
        .iter()
        .map(|r| (r.line, &r.problem))
        .collect();
    assert_eq!(rejected.len(), 5, "{rejected:#?}");
    assert!(matches!(rejected[0], (3, RowProblem::InvalidEmail { .. })));
    assert!(
        matches!(rejected[1], (5, RowProblem::DuplicateExternalId { lines }) if lines == &[5, 6])
    );
    assert!(matches!(
        rejected[2],
        (6, RowProblem::DuplicateExternalId { .. })
    ));
    assert!(matches!(
        rejected[3],
        (7, RowProblem::ExternalIdTooLong { length: 300 })
    ));
    assert!(matches!(rejected[4], (8, RowProblem::UnsafeExternalId)));
    let flagged: Vec<(usize, &RowProblem)> = report
        .flagged
        .iter()
        .map(|r| (r.line, &r.problem))
        .collect();
    assert_eq!(flagged.len(), 2, "{flagged:#?}");
    assert!(
        matches!(flagged[0], (4, RowProblem::AmbiguousTimezone { given, fallback }) if given == "GMT-06:00" && fallback == "Etc/UTC")
    );
    assert!(
        matches!(flagged[1], (9, RowProblem::UnknownRole { role, fallback: Some(f) }) if role == "role_retired" && f == "role_unmapped")
    );

    // The good and the flagged rows were applied; the refused ones were not sent.
    assert_eq!(report.counts.created, 5);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(!report.all_applied());
    assert_eq!(
        w.wfm.stats().bad_requests,
        0,
        "an unknown role never cost a 400"
    );
    assert_eq!(w.wfm.user("B2").unwrap()["timezone"], "Etc/UTC");
    assert_eq!(w.wfm.user("B4").unwrap()["roles"][0], "role_unmapped");
    let b5 = w.wfm.user("B5").unwrap();
    assert_eq!(b5["timezone"], "America/Chicago");
    assert_eq!(b5["skills"][1]["skillName"], "Tech: Support");
    assert_eq!(b5["managerExternalId"], "E00001");
    for refused in ["B1", "B3", "../x", long_id.as_str()] {
        assert!(w.wfm.user(refused).is_none(), "{refused} was sent");
    }
    // The report is JSON with a reason per row.
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["rejected"][0]["reason"], "invalid_email");
    assert_eq!(json["flagged"][0]["reason"], "ambiguous_timezone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_rows_protect_their_users_from_deactivation() {
    let w = world().await;
    w.wfm.insert_user(server_user(7, "Last7", true));
    // E00007's row has a typo in the e-mail: refused, but not treated as a leaver.
    let json = r#"[{"externalId": "E00007", "firstName": "First7", "lastName": "Last7",
        "email": "e7@@example.com", "timezone": "America/Chicago", "jobCode": "T2",
        "skills": [{"skillName": "Billing", "proficiency": "Advanced"}]}]"#;
    let rows = parse_json(json).unwrap();
    let report = Engine::new(w.client(&w.server.uri()))
        .sync(rows, role_map())
        .await
        .unwrap();
    assert_eq!(report.counts.rejected, 1);
    assert_eq!(report.counts.deactivated, 0);
    assert_eq!(w.wfm.user("E00007").unwrap()["isActive"], true);
}

#[tokio::test]
async fn an_unknown_fallback_role_stops_the_run() {
    let w = world().await;
    let rows = parse_csv(&format!("{HEADER}{}", roster_line(1))).unwrap();
    let err = Engine::new(w.client(&w.server.uri()))
        .sync(rows, role_map().fallback_role("role_nope"))
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::UnknownFallbackRole(r) if r == "role_nope"));
}
