//! Runs the `quickstart` example binary, the README's main-job command, as a user would: with no
//! `WFM_*` variable it must run every step on the in-process stand-ins, without credentials and
//! without the network, exit 0 and print one table per step with the expected counts.
//!
//! "Without the network" is checked for real where the machine allows it: the binary runs in a
//! new user and network namespace (`unshare -rn`, no root needed) that has only a loopback
//! interface, brought up so that the stand-ins can listen on 127.0.0.1. Where user namespaces
//! are not allowed (some containers, hardened kernels), the test says so on its output and runs
//! the binary normally.

#[path = "support/examples.rs"]
mod examples;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Inside the namespace: bring loopback up, check that it is the only interface, then run the
/// binary (`$0`). Exit 97: loopback could not be brought up; 98: another interface is there.
const NETNS_SCRIPT: &str = r#"ip link set lo up || exit 97
if awk 'NR > 2 { sub(":", "", $1); print $1 }' /proc/net/dev | grep -qv '^lo$'; then exit 98; fi
exec "$0" "$@""#;

/// Whether `unshare -rn` works here; `Err` says why not.
fn network_namespace_available() -> Result<(), String> {
    let probe = Command::new("unshare")
        .args(["-rn", "sh", "-c", NETNS_SCRIPT, "true"])
        .output()
        .map_err(|e| format!("unshare cannot be run: {e}"))?;
    match probe.status.code() {
        Some(0) => Ok(()),
        Some(97) => Err("the loopback interface cannot be brought up (is `ip` installed?)".into()),
        Some(98) => Err("the new namespace has an interface other than lo".into()),
        _ => Err(format!(
            "unshare -rn failed ({}): {}",
            probe.status,
            String::from_utf8_lossy(&probe.stderr).trim()
        )),
    }
}

/// A fresh output directory for one run.
fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wfm-quickstart-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The quickstart's command with no `WFM_*` variable of the caller's environment, plus `vars`.
fn quickstart(out: &Path, vars: &[(&str, &str)], isolated: bool) -> Command {
    let binary = examples::fresh_example_binary("quickstart");
    let mut cmd = if isolated {
        let mut c = Command::new("unshare");
        c.args(["-rn", "sh", "-c", NETNS_SCRIPT]).arg(&binary);
        c
    } else {
        Command::new(&binary)
    };
    for (name, _) in std::env::vars() {
        if name.starts_with("WFM_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("WFM_QUICKSTART_OUT", out);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd
}

/// Runs the quickstart, isolated from the network when possible.
fn run(out: &Path, vars: &[(&str, &str)]) -> Output {
    let isolated = match network_namespace_available() {
        Ok(()) => {
            println!("network off: the quickstart runs in `unshare -rn` (loopback only)");
            true
        }
        Err(why) => {
            println!(
                "NOTE: no network namespace on this machine ({why}); the quickstart runs with the \
                 network available, so this run does not prove that it needs none"
            );
            false
        }
    };
    quickstart(out, vars, isolated)
        .output()
        .expect("the quickstart runs")
}

/// The summary's tables: step number -> (place, outcome -> count).
fn tables(stdout: &str) -> BTreeMap<u32, (String, BTreeMap<String, u64>)> {
    let mut out = BTreeMap::new();
    let mut current: Option<u32> = None;
    for line in stdout.lines() {
        if let Some((n, rest)) = line.split_once(". ")
            && let Ok(n) = n.parse::<u32>()
        {
            let place = rest
                .rsplit_once('[')
                .map(|(_, p)| p.trim_end_matches(']').to_owned())
                .unwrap_or_default();
            out.insert(n, (place, BTreeMap::new()));
            current = Some(n);
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if let (Some(n), [outcome, count, _]) = (current, cells.as_slice())
            && !outcome.is_empty()
            && let Ok(count) = count.parse::<u64>()
        {
            out.get_mut(&n)
                .expect("a step heading above")
                .1
                .insert((*outcome).to_owned(), count);
        }
    }
    out
}

fn expect(
    tables: &BTreeMap<u32, (String, BTreeMap<String, u64>)>,
    step: u32,
    place: &str,
    counts: &[(&str, u64)],
    stdout: &str,
) {
    let (got_place, got) = tables
        .get(&step)
        .unwrap_or_else(|| panic!("no table for step {step}:\n{stdout}"));
    assert_eq!(got_place, place, "step {step} ran elsewhere:\n{stdout}");
    for (outcome, count) in counts {
        assert_eq!(
            got.get(*outcome),
            Some(count),
            "step {step}, {outcome}:\n{stdout}"
        );
    }
}

#[test]
fn the_quickstart_runs_every_step_on_the_sandbox_without_network_or_credentials() {
    let out = out_dir("sandbox");
    let run = run(&out, &[]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(
        run.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );

    // Progress on stderr, each step saying where it runs.
    for step in 1..=6 {
        assert!(stderr.contains(&format!("[{step}/6]")), "{stderr}");
    }
    for prefix in [
        "WFM_SCIM",
        "WFM_CXONE",
        "WFM_GENESYS",
        "WFM_GRAPH",
        "WFM_GOOGLE",
    ] {
        assert!(
            stderr.contains(&format!("-- on the sandbox (no {prefix}_* variables set)")),
            "{stderr}"
        );
    }

    let t = tables(&stdout);
    expect(
        &t,
        1,
        "sandbox",
        &[
            ("created", 5),
            ("updated", 1),
            ("unchanged", 1),
            ("skipped", 2),
            ("refused", 3),
        ],
        &stdout,
    );
    expect(
        &t,
        2,
        "sandbox",
        &[
            ("created", 1),
            ("updated", 1),
            ("reactivated", 1),
            ("deactivated", 1),
            ("unchanged", 1),
            ("refused", 2),
            ("failed", 0),
        ],
        &stdout,
    );
    expect(
        &t,
        3,
        "sandbox",
        &[("updated", 2), ("refused", 0), ("pulled back", 2)],
        &stdout,
    );
    expect(
        &t,
        4,
        "sandbox",
        &[
            ("created", 2),
            ("updated", 0),
            ("deleted", 0),
            ("unchanged", 2),
            ("failed", 0),
            ("not ours", 1),
        ],
        &stdout,
    );
    expect(
        &t,
        5,
        "sandbox",
        &[
            ("created", 2),
            ("updated", 0),
            ("deleted", 0),
            ("unchanged", 2),
            ("failed", 0),
            ("not ours", 1),
        ],
        &stdout,
    );
    assert!(
        stdout.contains("2 delegated tokens for 2 calendars"),
        "{stdout}"
    );
    expect(
        &t,
        6,
        "local files",
        &[("created", 2), ("link", 1), ("verified", 1), ("refused", 2)],
        &stdout,
    );
    // Why rows were refused is on the table, not only how many.
    assert!(
        stdout.contains("invalid email \"typo.address@example\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("job code \"CRM_JOB_CODE_INTERN\" has no role in the role map"),
        "{stdout}"
    );
    assert!(stdout.contains("6 of 6 steps ran; 0 failed"), "{stdout}");

    // The feed and its link were written; the link's signature is on no output.
    let feed = std::fs::read_to_string(out.join("shifts.ics")).expect("the feed file");
    assert_eq!(feed.matches("BEGIN:VEVENT\r\n").count(), 2, "{feed}");
    assert!(feed.ends_with("END:VCALENDAR\r\n"));
    let link = std::fs::read_to_string(out.join("feed-link.txt")).expect("the link file");
    let signature = link
        .trim()
        .rsplit_once("sig=")
        .map(|(_, s)| s.to_owned())
        .expect("a signed link");
    assert!(signature.len() >= 40, "{link}");
    assert!(!stdout.contains(&signature) && !stderr.contains(&signature));
    assert!(stdout.contains("sig=<redacted>"), "{stdout}");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_step_with_some_of_its_variables_fails_naming_the_missing_ones_and_shows_no_secret() {
    let out = out_dir("partial");
    let secret = "quickstart-test-secret-value";
    let run = run(
        &out,
        &[
            ("WFM_GENESYS_REGION", "eu-central-1"),
            ("WFM_GENESYS_CLIENT_SECRET", secret),
        ],
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stdout}\n{stderr}");
    let t = tables(&stdout);
    // The other platforms still run on the sandbox.
    expect(&t, 1, "sandbox", &[("created", 5)], &stdout);
    expect(&t, 2, "sandbox", &[("created", 1)], &stdout);
    assert!(stdout.contains("3. Genesys Cloud"), "{stdout}");
    assert_eq!(t[&3].0, "FAILED", "{stdout}");
    assert!(
        stdout.contains("WFM_GENESYS_CLIENT_SECRET, WFM_GENESYS_REGION set but WFM_GENESYS_CLIENT_ID, WFM_GENESYS_BUSINESS_UNIT, WFM_GENESYS_WEEK missing"),
        "{stdout}"
    );
    // The steps that need its shifts say why they cannot run.
    assert!(
        stdout.contains("no shifts: the Genesys step did not run to completion"),
        "{stdout}"
    );
    assert!(stdout.contains("2 of 6 steps ran; 4 failed"), "{stdout}");
    assert!(!stdout.contains(secret) && !stderr.contains(secret));
    let _ = std::fs::remove_dir_all(&out);
}

/// A step whose variables are all set runs against that tenant (here: tenants the test starts
/// on 127.0.0.1, outside any namespace, so this run has the network), and the other steps stay
/// on the sandbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_whose_variables_are_set_runs_against_that_tenant() {
    use serde_json::json;
    use wfm_sandbox::TokenEndpoint;
    use wfm_sandbox::genesys::GenesysOrg;
    use wfm_sandbox::scim::{Flavor, ScimServiceProvider};
    use wfm_sandbox::wiremock::MockServer;

    // A SCIM server with a fixed token.
    let scim_server = MockServer::start().await;
    let scim = ScimServiceProvider::mount(&scim_server, Flavor::Generic)
        .await
        .require_fixed_token("scim-test-token-value");
    // A Genesys org with the schedule's agents, a published shift each (which the push replaces),
    // and the permissions.
    let genesys_server = MockServer::start().await;
    let tokens = TokenEndpoint::mount(&genesys_server, "/oauth/token").await;
    let org = GenesysOrg::mount(&genesys_server)
        .await
        .require_token(&tokens);
    org.add_division("div-1", "Europe");
    org.add_business_unit("bu-9", "Europe", "div-1", "Europe/Berlin", "Monday");
    org.add_management_unit("bu-9", "mu-1", "Agents", "div-1");
    for agent in ["berlin-0", "lisbon-0"] {
        org.add_agent("mu-1", agent);
        org.add_shift(
            agent,
            json!({"id": format!("shift-{agent}"), "startDate": "2026-03-05T08:00:00Z",
                   "lengthMinutes": 480, "activities": [{"startDate": "2026-03-05T08:00:00Z",
                   "lengthMinutes": 480, "activityCodeId": "0", "description": "Phones"}],
                   "schedule": {"id": "sched-9", "weekDate": "2026-03-02"}}),
        );
    }
    org.add_activity_code("bu-9", "0", "Phones");
    org.add_activity_code("bu-9", "1", "Lunch");
    org.add_schedule(
        "bu-9",
        "2026-03-02",
        json!({"id": "sched-9", "weekDate": "2026-03-02", "weekCount": 1, "published": true,
               "metadata": {"version": 3, "dateModified": "2026-02-27T10:00:00Z"}}),
    );
    for p in [
        "wfm:businessUnit:view",
        "wfm:agent:view",
        "wfm:schedule:view",
        "wfm:schedule:edit",
        "wfm:schedule:add",
    ] {
        org.grant_everywhere(p);
    }

    let out = out_dir("tenant");
    let scim_url = format!("{}/v2", scim_server.uri());
    let genesys_url = genesys_server.uri();
    let vars = [
        ("WFM_SCIM_URL", scim_url.as_str()),
        ("WFM_SCIM_TOKEN", "scim-test-token-value"),
        ("WFM_SCIM_FLAVOR", "generic"),
        ("WFM_GENESYS_BASE_URL", genesys_url.as_str()),
        ("WFM_GENESYS_CLIENT_ID", "client-id"),
        ("WFM_GENESYS_CLIENT_SECRET", "genesys-test-secret-value"),
        ("WFM_GENESYS_BUSINESS_UNIT", "bu-9"),
        ("WFM_GENESYS_WEEK", "2026-03-02"),
    ];
    let mut cmd = quickstart(&out, &vars, false);
    let run = tokio::task::spawn_blocking(move || cmd.output().expect("the quickstart runs"))
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stderr.contains("[1/6] SCIM: provision a Zendesk export -- on the real tenant"));
    let t = tables(&stdout);
    expect(
        &t,
        1,
        &format!("real tenant: {scim_url}"),
        &[("created", 7), ("updated", 0), ("refused", 3)],
        &stdout,
    );
    assert_eq!(scim.users().len(), 7);
    expect(&t, 2, "sandbox", &[("created", 1)], &stdout);
    expect(
        &t,
        3,
        &format!("real tenant: {genesys_url}"),
        &[("updated", 2), ("pulled back", 2)],
        &stdout,
    );
    assert!(
        org.writes()
            .iter()
            .any(|w| w.ends_with("/schedules/sched-9/update")),
        "{:?}",
        org.writes()
    );
    // The org applied the update to its own schedule (version 3, not the sandbox's 7): the
    // pushed shifts replaced the agents' shifts of 2026-03-05 there.
    let week = org.schedules("bu-9", "2026-03-02");
    assert_eq!(week[0]["metadata"]["version"], 4, "{week:?}");
    assert!(
        org.shifts("berlin-0")
            .iter()
            .all(|s| s["startDate"] != "2026-03-05T08:00:00Z"),
        "{:?}",
        org.shifts("berlin-0")
    );
    // The shifts pulled back from the org went on to the calendars and the feed.
    expect(&t, 4, "sandbox", &[("created", 2)], &stdout);
    let feed = std::fs::read_to_string(out.join("shifts.ics")).expect("the feed file");
    assert!(feed.contains("\r\nDTSTART:20260303T070000Z\r\n"), "{feed}");
    assert!(!feed.contains("\r\nDTSTART:20260305T080000Z\r\n"), "{feed}");
    for secret in ["scim-test-token-value", "genesys-test-secret-value"] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret));
    }
    let _ = std::fs::remove_dir_all(&out);
}
