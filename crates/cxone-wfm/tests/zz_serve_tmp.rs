//! temp
mod common;
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
/// serve
async fn serve() {
    let w = common::world().await;
    let w2 = w.wfm.clone().with_roles([
        ("wfm_role_tier1_agent", "T1"),
        ("wfm_role_tier2_agent", "T2"),
        ("wfm_role_team_lead", "Lead"),
        ("wfm_role_unmapped", "Unmapped"),
    ]);
    w2.insert_user(serde_json::json!({"externalId":"CRM_EMP_OLD","firstName":"Left","lastName":"Company","email":"old@example.com","timezone":"Etc/UTC","isActive":true,"roles":["wfm_role_tier1_agent"]}));
    std::fs::write("/tmp/cxone_uri", w.server.uri()).unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(40)).await;
    std::fs::write(
        "/tmp/cxone_state.json",
        serde_json::to_string_pretty(&w2.users()).unwrap(),
    )
    .unwrap();
}
