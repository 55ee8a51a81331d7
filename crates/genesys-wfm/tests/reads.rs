//! Read endpoints against the Genesys stand-in: typed models, paging, and the three shapes of a
//! schedule search answer giving one typed result.

mod common;

use chrono::{NaiveDate, TimeZone, Utc};
use futures::TryStreamExt;
use genesys_wfm::models::{AgentScheduleSearch, AgentSchedules};
use genesys_wfm::{Error, SearchPolicy};
use wfm_sandbox::genesys::SearchAnswer;

fn week_10() -> AgentScheduleSearch {
    AgentScheduleSearch::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 3, 9, 0, 0, 0).unwrap(),
        vec![],
    )
}

#[tokio::test]
async fn token_business_units_management_units_and_users() {
    let w = common::world().await;
    common::populate(&w.org, 2);
    w.org.grant_everywhere("wfm:schedule:view");

    let me = w.client.token_info().await.unwrap();
    assert_eq!(
        me.organization.unwrap().name.as_deref(),
        Some("Sandbox Org")
    );
    assert_eq!(me.oauth_client.unwrap().id, "client-1");

    let bus = w.client.business_units().await.unwrap();
    assert_eq!(bus.len(), 1);
    assert_eq!(bus[0].division.as_ref().unwrap().id, "div-berlin");
    let bu = w.client.business_unit("bu-1").await.unwrap();
    let settings = bu.settings.unwrap();
    assert_eq!(
        (
            settings.time_zone.as_str(),
            settings.start_day_of_week.as_str()
        ),
        ("Europe/Berlin", "Monday")
    );

    let mus = w.client.management_units("bu-1").await.unwrap();
    let divisions: Vec<_> = mus
        .iter()
        .map(|m| m.division.as_ref().unwrap().id.as_str())
        .collect();
    assert_eq!(divisions, ["div-berlin", "div-lisbon"]);
    assert_eq!(
        w.client.management_unit_users("mu-lisbon").await.unwrap(),
        ["lisbon-0", "lisbon-1"]
    );
}

#[tokio::test]
async fn divisions_and_permitted_divisions_are_read_page_by_page() {
    let w = common::world().await;
    for i in 0..230 {
        w.org
            .add_division(&format!("div-{i:03}"), &format!("Division {i}"));
    }
    for i in (0..230).step_by(2) {
        w.org.grant("wfm:schedule:edit", &format!("div-{i:03}"));
    }
    let all: Vec<_> = w.client.divisions().try_collect().await.unwrap();
    assert_eq!(all.len(), 230);
    assert_eq!(all[229].name, "Division 229");
    let pages = w
        .org
        .requests()
        .iter()
        .filter(|r| r.ends_with("/authorization/divisions"))
        .count();
    assert_eq!(pages, 3, "100 a page");

    let permitted = w
        .client
        .permitted_divisions("wfm:schedule:edit")
        .await
        .unwrap();
    assert!(!permitted.all);
    assert_eq!(permitted.divisions.len(), 115);
    assert!(permitted.includes("div-228") && !permitted.includes("div-229"));

    w.org.grant_everywhere("wfm:schedule:add");
    let everywhere = w
        .client
        .permitted_divisions("wfm:schedule:add")
        .await
        .unwrap();
    assert!(everywhere.all && everywhere.includes("div-anything"));
}

#[tokio::test]
async fn week_schedules_list_and_get_with_version_and_date_modified() {
    let w = common::world().await;
    common::populate(&w.org, 1);
    w.org.grant_everywhere("wfm:publishedSchedule:view");
    let week = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let list = w.client.week_schedules("bu-1", week).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].metadata.as_ref().unwrap().version, 7);
    let one = w
        .client
        .week_schedule("bu-1", week, "sched-1")
        .await
        .unwrap();
    assert_eq!(one.week_date, Some(week));
    assert_eq!(
        one.metadata.unwrap().date_modified.unwrap(),
        Utc.with_ymd_and_hms(2026, 2, 27, 10, 0, 0).unwrap()
    );
}

async fn search_with(answer: SearchAnswer) -> (AgentSchedules, AgentSchedules, common::World) {
    let w = common::world().await;
    common::populate(&w.org, 2);
    w.org.grant_everywhere("wfm:publishedSchedule:view");
    w.org.set_search_answer(answer);
    let client = w.client.clone().with_search_policy(common::quick_search());
    let bu = client
        .search_agent_schedules("bu-1", &week_10())
        .await
        .unwrap();
    w.org.set_search_answer(answer);
    let mu = client
        .search_management_unit_agent_schedules("mu-lisbon", &week_10())
        .await
        .unwrap();
    (bu, mu, w)
}

#[tokio::test]
async fn search_inline_download_url_and_processing_give_the_same_typed_result() {
    let (inline_bu, inline_mu, _) = search_with(SearchAnswer::Inline).await;
    assert_eq!(inline_bu.agent_schedules.len(), 4);
    assert_eq!(inline_mu.agent_schedules.len(), 2);
    let shift = &inline_bu.agent_schedules[0].shifts[0];
    assert_eq!(shift.length_minutes, 480);
    assert_eq!(shift.activities[0].activity_code_id.as_deref(), Some("0"));
    assert_eq!(
        inline_bu.business_unit_time_zone.as_deref(),
        Some("Europe/Berlin")
    );
    assert_eq!(inline_bu.published_schedules[0].id, "sched-1");

    let (download_bu, download_mu, w) = search_with(SearchAnswer::DownloadUrl).await;
    assert_eq!(download_bu, inline_bu);
    assert_eq!(download_mu, inline_mu);
    let downloads = w.org.download_requests();
    assert_eq!(downloads.len(), 2);
    assert!(
        downloads.iter().all(|d| !d.had_authorization),
        "no token to the other origin"
    );

    let (processing_bu, processing_mu, w) = search_with(SearchAnswer::ProcessingThen(2)).await;
    assert_eq!(processing_bu, inline_bu);
    assert_eq!(processing_mu, inline_mu);
    let searches = w
        .org
        .requests()
        .iter()
        .filter(|r| r.ends_with("/agentschedules/search"))
        .count();
    assert_eq!(
        searches, 6,
        "each search sent 3 times: 2 Processing, then Complete"
    );
}

#[tokio::test]
async fn a_search_still_processing_after_the_retries_is_a_typed_error_with_the_operation_id() {
    let w = common::world().await;
    common::populate(&w.org, 1);
    w.org.grant_everywhere("wfm:schedule:view");
    w.org.set_search_answer(SearchAnswer::ProcessingThen(10));
    let client = w
        .client
        .clone()
        .with_search_policy(common::quick_search().retries(1));
    let err = client
        .search_agent_schedules("bu-1", &week_10())
        .await
        .unwrap_err();
    match &err {
        Error::Operation {
            operation_id,
            status,
            ..
        } => {
            assert!(
                operation_id
                    .as_deref()
                    .unwrap()
                    .starts_with("sandbox-operation-")
            );
            assert_eq!(status, "Processing");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .contains("client-credentials token cannot use"),
        "{err}"
    );
}

#[tokio::test]
async fn a_processing_hook_can_supply_the_result() {
    let w = common::world().await;
    common::populate(&w.org, 1);
    w.org.grant_everywhere("wfm:schedule:view");
    // The hook (a notification listener in real life) hands over a pre-signed result URL.
    let mock = wfm_sandbox::wiremock::MockServer::start().await;
    wfm_sandbox::wiremock::Mock::given(wfm_sandbox::wiremock::matchers::path("/result"))
        .respond_with(
            wfm_sandbox::wiremock::ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"agentSchedules": [{"user": {"id": "x"}, "shifts": []}]}),
            ),
        )
        .mount(&mock)
        .await;
    let url = wfm_http::Url::parse(&format!("{}/result", mock.uri())).unwrap();
    let policy = SearchPolicy::default()
        .retries(0)
        .on_processing(std::sync::Arc::new(move |_op: &str| {
            let url = url.clone();
            Box::pin(async move { Some(url) })
        }));
    w.org.set_search_answer(SearchAnswer::ProcessingThen(1));
    let result = w
        .client
        .clone()
        .with_search_policy(policy)
        .search_agent_schedules("bu-1", &week_10())
        .await
        .unwrap();
    assert_eq!(result.agent_schedules[0].user.id, "x");
}

#[tokio::test]
async fn a_search_touching_an_unpermitted_division_is_a_typed_403() {
    let w = common::world().await;
    common::populate(&w.org, 1);
    w.org.grant("wfm:schedule:view", "div-berlin");
    let err = w
        .client
        .search_agent_schedules("bu-1", &week_10())
        .await
        .unwrap_err();
    assert_eq!(
        err.missing_permissions().unwrap().permissions(),
        ["wfm:schedule:view", "wfm:publishedSchedule:view"]
    );
}

#[tokio::test]
async fn an_agents_management_unit() {
    let w = common::world().await;
    common::populate(&w.org, 1);
    w.org.grant_everywhere("wfm:agent:view");
    let unit = w.client.agent_management_unit("lisbon-0").await.unwrap();
    assert_eq!(unit.management_unit.id, "mu-lisbon");
    assert_eq!(unit.business_unit.unwrap().id, "bu-1");
}

#[tokio::test]
async fn adherence_is_read_100_users_a_call() {
    let w = common::world().await;
    common::populate(&w.org, 125);
    w.org.grant_everywhere("wfm:realtimeAdherence:view");
    let ids: Vec<String> = (0..125)
        .flat_map(|i| [format!("berlin-{i}"), format!("lisbon-{i}")])
        .collect();
    let records = w.client.adherence(&ids).await.unwrap();
    assert_eq!(records.len(), 250);
    assert_eq!(records[249].user.id, "lisbon-124");
    assert_eq!(records[0].adherence_state.as_deref(), Some("InAdherence"));
    let calls = w
        .org
        .requests()
        .iter()
        .filter(|r| r.ends_with("/workforcemanagement/adherence"))
        .count();
    assert_eq!(calls, 3, "100 + 100 + 50");
    assert!(w.client.adherence(&[]).await.unwrap().is_empty());
}
