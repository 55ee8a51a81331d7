//! The permission preflight: a role lacking `wfm:schedule:edit` in one division.

mod common;

use genesys_wfm::preflight::{self, Operation};

async fn lisbon_lacks_edit(agents_per_unit: usize) -> (preflight::Report, common::World) {
    let w = common::world().await;
    common::populate(&w.org, agents_per_unit);
    w.org.grant_everywhere("wfm:agent:view");
    w.org.grant_everywhere("wfm:schedule:view");
    w.org.grant("wfm:schedule:edit", "div-berlin");
    let report = preflight::run(
        &w.client,
        "bu-1",
        &[Operation::ReadSchedules, Operation::UpdateSchedule],
    )
    .await
    .unwrap();
    (report, w)
}

#[tokio::test]
async fn a_division_without_schedule_edit_is_reported_with_exactly_its_agents_and_nothing_is_written()
 {
    let (report, w) = lisbon_lacks_edit(3).await;
    assert!(!report.is_ok());
    let gaps: Vec<_> = report.missing().collect();
    assert_eq!(gaps.len(), 1, "{gaps:#?}");
    let gap = &gaps[0];
    assert_eq!(gap.operation, Operation::UpdateSchedule);
    assert_eq!(gap.division.division_id, "div-lisbon");
    assert_eq!(gap.division.division_name.as_deref(), Some("Lisbon"));
    assert_eq!(gap.division.management_units, ["mu-lisbon"]);
    assert_eq!(gap.division.agents, ["lisbon-0", "lisbon-1", "lisbon-2"]);
    assert_eq!(
        report
            .blocked_agents(Operation::UpdateSchedule)
            .into_iter()
            .collect::<Vec<_>>(),
        ["lisbon-0", "lisbon-1", "lisbon-2"]
    );
    assert!(report.blocked_agents(Operation::ReadSchedules).is_empty());
    let text = gap.to_string();
    assert!(
        text.contains("lacks wfm:schedule:edit in division Lisbon (div-lisbon)"),
        "{text}"
    );
    assert!(text.contains("blocks 3 agent(s)"), "{text}");
    assert!(
        text.contains("grant a role with wfm:schedule:edit to the OAuth client in division Lisbon"),
        "{text}"
    );
    // Berlin is granted for both operations.
    for op in &report.operations {
        let berlin = op
            .divisions
            .iter()
            .find(|d| d.division_id == "div-berlin")
            .unwrap();
        assert!(berlin.granted, "{:?}", op.operation);
        assert_eq!(berlin.agents.len(), 3);
    }
    assert_eq!(w.org.writes(), Vec::<String>::new());
    assert!(w.org.requests().iter().all(|r| r.starts_with("GET ")));
}

#[tokio::test]
async fn reads_grow_with_management_units_never_with_agents() {
    let (few, w_few) = lisbon_lacks_edit(2).await;
    let (many, w_many) = lisbon_lacks_edit(300).await;
    assert_eq!(few.missing().count(), many.missing().count());
    assert_eq!(many.blocked_agents(Operation::UpdateSchedule).len(), 300);
    assert_eq!(w_few.org.requests().len(), w_many.org.requests().len());
    // 1 management unit list + 2 user lists + 3 permissions (schedule:view, publishedSchedule:view,
    // schedule:edit), division names taken from the permitted lists.
    assert_eq!(
        w_many.org.requests().len(),
        6,
        "{:#?}",
        w_many.org.requests()
    );
}

#[tokio::test]
async fn a_fully_permitted_client_passes() {
    let w = common::world().await;
    common::populate(&w.org, 1);
    for p in [
        "wfm:agent:view",
        "wfm:schedule:view",
        "wfm:schedule:edit",
        "wfm:schedule:add",
    ] {
        w.org.grant_everywhere(p);
    }
    let report = preflight::run(&w.client, "bu-1", Operation::ALL)
        .await
        .unwrap();
    assert!(report.is_ok(), "{report:#?}");
}

#[tokio::test]
async fn a_unit_whose_agents_cannot_be_read_is_reported_not_fatal() {
    let w = common::world().await;
    common::populate(&w.org, 1);
    w.org.grant("wfm:schedule:view", "div-berlin");
    w.org.grant("wfm:schedule:edit", "div-berlin");
    let report = preflight::run(&w.client, "bu-1", &[Operation::UpdateSchedule])
        .await
        .unwrap();
    assert_eq!(report.unreadable_management_units.len(), 1);
    assert_eq!(report.unreadable_management_units[0].0, "mu-lisbon");
    assert!(!report.is_ok());
}
