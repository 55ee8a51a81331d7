//! The `cxone_user_sync` command line (`cxone_wfm::cli`) against the sandbox: exit codes,
//! the JSON report, progress lines, and a second run that writes nothing (feature `cli`).
#![cfg(feature = "cli")]

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use cxone_wfm::cli::indicatif::{ProgressDrawTarget, TermLike};
use cxone_wfm::cli::{EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, ProgressOut, run};

struct Files {
    dir: std::path::PathBuf,
}

impl Files {
    fn new(name: &str, roster: &str, roles: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("cxone-cli-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("roster.csv"), roster).unwrap();
        std::fs::write(dir.join("roles.json"), roles).unwrap();
        Self { dir }
    }
    fn path(&self, f: &str) -> String {
        self.dir.join(f).display().to_string()
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const ROLES: &str = r#"{"T1": "role_t1", "T2": "role_t2"}"#;

fn args(w: &World, files: &Files, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "--base-url",
        &w.server.uri(),
        "--client-id",
        "sync-client",
        "--roster",
        &files.path("roster.csv"),
        "--role-map",
        &files.path("roles.json"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

fn lines() -> (Arc<Mutex<Vec<String>>>, ProgressOut) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    (
        seen,
        ProgressOut::lines(move |l: &str| sink.lock().unwrap().push(l.to_owned())),
    )
}

/// A terminal that keeps what is written to it.
#[derive(Debug, Default, Clone)]
struct Screen(Arc<Mutex<String>>);

impl TermLike for Screen {
    fn width(&self) -> u16 {
        100
    }
    fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        let mut screen = self.0.lock().unwrap();
        screen.push_str(s);
        screen.push('\n');
        Ok(())
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.0.lock().unwrap().push_str(s);
        Ok(())
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.0.lock().unwrap().push('\r');
        Ok(())
    }
    fn flush(&self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_clean_roster_exits_0_and_a_second_run_writes_nothing() {
    let w = world().await;
    w.wfm.insert_user(server_user(0, "Old", true));
    let roster: String = format!("{HEADER}{}{}", roster_line(0), roster_line(1));
    let files = Files::new("clean", &roster, ROLES);
    let (seen, sink) = lines();
    let out = run(args(&w, &files, &[]), Some("sync-secret".into()), sink).await;
    assert_eq!(out.exit_code, EXIT_OK, "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["counts"]["created"], 1);
    assert_eq!(report["counts"]["updated"], 1);
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.iter()
            .any(|l| l.starts_with("plan: 1 to create, 1 to update")),
        "{seen:?}"
    );
    assert!(seen.iter().any(|l| l == "applied 2/2"), "{seen:?}");
    // The token request was the guide's form: client credentials, id and secret in the body.
    let issued = &w.tokens.issued()[0];
    assert_eq!(issued.grant_type.as_deref(), Some("client_credentials"));
    assert!(issued.form.contains("client_secret=sync-secret") && issued.authorization.is_none());

    let writes = w.wfm.stats().writes;
    let (_, sink) = lines();
    let again = run(
        args(
            &w,
            &files,
            &["--client-secret", "sync-secret", "--max-rate", "100"],
        ),
        None,
        sink,
    )
    .await;
    assert_eq!(again.exit_code, EXIT_OK, "{again:?}");
    assert_eq!(w.wfm.stats().writes, writes);
}

#[tokio::test]
async fn bad_rows_exit_1_with_the_rows_in_the_report() {
    let w = world().await;
    let roster = format!(
        "{HEADER}{}E9,Bad,Mail,nope,America/Chicago,T1,,,\nE8,Odd,Zone,e8@example.com,GMT-06:00,T1,,,\n",
        roster_line(1)
    );
    let files = Files::new("bad", &roster, ROLES);
    let (_, sink) = lines();
    let out = run(
        args(&w, &files, &["--fallback-timezone", "America/Chicago"]),
        Some("s".into()),
        sink,
    )
    .await;
    assert_eq!(out.exit_code, EXIT_SOME_FAILED, "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["rejected"][0]["externalId"], "E9");
    assert_eq!(report["flagged"][0]["reason"], "ambiguous_timezone");
    assert_eq!(report["counts"]["created"], 2);
    assert_eq!(w.wfm.user("E8").unwrap()["timezone"], "America/Chicago");
}

#[tokio::test]
async fn a_tripped_guard_and_bad_arguments_exit_2() {
    let w = world().await;
    for i in 0..100 {
        w.wfm.insert_user(server_user(i, &format!("Last{i}"), true));
    }
    let files = Files::new("guard", &format!("{HEADER}{}", roster_line(0)), ROLES);
    let (_, sink) = lines();
    let out = run(args(&w, &files, &[]), Some("s".into()), sink).await;
    assert_eq!(out.exit_code, EXIT_USAGE, "{out:?}");
    assert!(
        out.stderr.contains("would deactivate 99 of 100"),
        "{}",
        out.stderr
    );
    assert_eq!(w.wfm.stats().writes, 0);

    // --dry-run --max-deactivations 99: the plan, nothing written.
    let (_, sink) = lines();
    let dry = run(
        args(&w, &files, &["--dry-run", "--max-deactivations", "99"]),
        Some("s".into()),
        sink,
    )
    .await;
    assert_eq!(dry.exit_code, EXIT_OK, "{dry:?}");
    let report: serde_json::Value = serde_json::from_str(&dry.stdout).unwrap();
    assert_eq!(
        report["plan"]["deactivations"].as_array().unwrap().len(),
        99
    );
    assert_eq!(w.wfm.stats().writes, 0);

    for bad in [
        vec!["--base-url", "http://x"],
        vec!["--max-deactivations", "many"],
        vec!["--max-rate", "0"],
        vec!["--fallback-timezone", "GMT-06:00"],
        vec!["--wat", "1"],
    ] {
        let (_, sink) = lines();
        let mut a = args(&w, &files, &[]);
        if bad[0] == "--base-url" {
            a = vec!["--base-url".into(), "http://x".into()];
        } else {
            a.extend(bad.iter().map(|s| s.to_string()));
        }
        let out = run(a, Some("s".into()), sink).await;
        assert_eq!(out.exit_code, EXIT_USAGE, "{bad:?}: {out:?}");
        assert!(out.stderr.contains("usage:"), "{}", out.stderr);
    }
    let (_, sink) = lines();
    let no_secret = run(args(&w, &files, &[]), None, sink).await;
    assert_eq!(no_secret.exit_code, EXIT_USAGE);
    assert!(no_secret.stderr.contains("CXONE_CLIENT_SECRET"));
}

#[tokio::test]
async fn a_token_without_the_roles_scope_is_refused_before_any_call() {
    let w = world().await;
    // The guide's own sample response grants only the two user scopes.
    w.tokens.grant_scope(Some("wfm.users.write wfm.users.read"));
    let files = Files::new("scope", &format!("{HEADER}{}", roster_line(0)), ROLES);
    let (_, sink) = lines();
    let out = run(args(&w, &files, &[]), Some("s".into()), sink).await;
    assert_eq!(out.exit_code, EXIT_SOME_FAILED, "{out:?}");
    assert!(out.stderr.contains("wfm.roles.read"), "{}", out.stderr);
    assert_eq!(w.wfm.stats().requests, 0);
}

#[tokio::test]
async fn on_a_terminal_progress_is_an_indicatif_bar() {
    let w = world().await;
    w.wfm.insert_user(server_user(0, "Old", true));
    let roster: String = format!("{HEADER}{}{}", roster_line(0), roster_line(1));
    let files = Files::new("bar", &roster, ROLES);
    let screen = Screen::default();
    let target = ProgressDrawTarget::term_like(Box::new(screen.clone()));
    let out = run(
        args(&w, &files, &[]),
        Some("s".into()),
        ProgressOut::bar(target),
    )
    .await;
    assert_eq!(out.exit_code, EXIT_OK, "{out:?}");
    let drawn = screen.0.lock().unwrap().clone();
    // The plan printed above the bar, and the bar left at its end: 30 cells full, 2 of 2.
    assert!(
        drawn.contains("plan: 1 to create, 1 to update"),
        "{drawn:?}"
    );
    let last_frame = drawn.rsplit('\r').next().unwrap();
    assert!(
        last_frame.contains(&format!("[{}] 2/2", "#".repeat(30))),
        "{drawn:?}"
    );
    // No plain progress lines on a terminal.
    assert!(!drawn.contains("applied "), "{drawn:?}");
}

#[tokio::test]
async fn the_example_data_syncs_against_the_stand_in() {
    let w = world().await;
    let wfm = w.wfm.clone().with_roles([
        ("wfm_role_tier1_agent", "Tier 1"),
        ("wfm_role_tier2_agent", "Tier 2"),
        ("wfm_role_team_lead", "Team lead"),
        ("wfm_role_unmapped", "Unmapped"),
    ]);
    let data = format!("{}/../../examples/data/cxone", env!("CARGO_MANIFEST_DIR"));
    let run_with = |roster: &str| {
        let a: Vec<String> = [
            "--base-url",
            &w.server.uri(),
            "--client-id",
            "sync-client",
            "--roster",
            &format!("{data}/{roster}"),
            "--role-map",
            &format!("{data}/roles.json"),
            "--fallback-role",
            "wfm_role_unmapped",
            "--fallback-timezone",
            "America/Chicago",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        run(a, Some("sync-secret".into()), ProgressOut::hidden())
    };
    let out = run_with("roster.csv").await;
    // One row is refused (its e-mail), so the exit code says some rows were not applied.
    assert_eq!(out.exit_code, EXIT_SOME_FAILED, "{out:?}");
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["counts"]["created"], 5, "{report}");
    assert_eq!(report["rejected"][0]["reason"], "invalid_email");
    let flagged: Vec<&str> = report["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["reason"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, ["ambiguous_timezone", "unmapped_job_code"]);
    // The Windows zone name was mapped, the offset got the fallback zone.
    assert_eq!(
        wfm.user("CRM_EMP_998878").unwrap()["timezone"],
        "America/Chicago"
    );
    assert_eq!(
        wfm.user("CRM_EMP_998882").unwrap()["roles"][0],
        "wfm_role_unmapped"
    );

    // The JSON roster holds two of the same people, unchanged: nothing to write for them, and
    // the three others created above are deactivated (under the guard's floor of 50).
    let writes = wfm.stats().writes;
    let json = run_with("roster.json").await;
    assert_eq!(json.exit_code, EXIT_OK, "{json:?}");
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["counts"]["unchanged"], 2, "{report}");
    assert_eq!(report["counts"]["deactivated"], 3, "{report}");
    assert_eq!(wfm.stats().writes, writes + 3);
}
