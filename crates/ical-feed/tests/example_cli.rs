//! Runs the built `ics_feed` example (root package, `examples/ics_feed.rs`) as a subprocess:
//! bad input exits with code 2 and prints nothing on stdout; good input prints exactly the
//! bytes `ical_feed::json::write_feed` produces, which `peers.rs` checks with real parsers.
//!
//! `cargo test` / `cargo nextest run` on the workspace build examples before running tests, so
//! the binary is found next to this test's own directory. When only this crate was built
//! (`-p ical-feed`), the test builds the example once with the same cargo and target directory.

mod common;
#[path = "../../../tests/support/examples.rs"]
mod examples;

use common::{DOMAIN, NAME, domain, fixture, meta, repo_root};
use ical_feed::json::{TzMode, write_feed};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(examples::example_binary("ics_feed"))
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("the example runs")
}

fn data(name: &str) -> String {
    repo_root()
        .join("examples/data")
        .join(name)
        .display()
        .to_string()
}

fn assert_rejected(args: &[&str], stderr_has: &[&str]) {
    let out = run(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "args {args:?}: stderr {stderr}");
    assert!(
        out.stdout.is_empty(),
        "args {args:?}: partial output on stdout: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    for needle in stderr_has {
        assert!(
            stderr.contains(needle),
            "args {args:?}: stderr lacks {needle:?}: {stderr}"
        );
    }
}

#[test]
fn end_before_start_exits_2_naming_the_shift() {
    // The first shift of this file is valid: a streaming writer would already have printed it.
    let input = data("shifts_bad_end.json");
    assert_rejected(
        &["--input", &input, "--tz-mode", "local"],
        &[
            "shift #1 (id \"ends-before-it-starts\")",
            "is not after start",
        ],
    );
}

#[test]
fn unknown_timezone_exits_2_naming_the_shift() {
    let input = data("shifts_bad_timezone.json");
    assert_rejected(
        &["--input", &input],
        &[
            "shift #1 (id \"bad-zone\")",
            "unknown timezone \"Europe/Pariss\"",
        ],
    );
}

#[test]
fn malformed_json_exits_2() {
    let input = data("shifts_malformed.json");
    assert_rejected(&["--input", &input], &["malformed JSON at line"]);
}

#[test]
fn bad_arguments_exit_2() {
    let input = data("shifts.json");
    assert_rejected(&[], &["--input is required", "usage:"]);
    assert_rejected(
        &["--input", &input, "--tz-mode", "floating"],
        &["use `utc` or `local`"],
    );
    assert_rejected(
        &["--input", &input, "--domain", "not a domain"],
        &["UID domain"],
    );
    assert_rejected(
        &["--input", &input, "--name", ""],
        &["calendar name is empty"],
    );
    assert_rejected(
        &["--input", &input, "--colour", "red"],
        &["unknown argument"],
    );
    assert_rejected(&["--input"], &["--input needs a value"]);
    assert_rejected(&["--input", "/nonexistent/shifts.json"], &["cannot read"]);
}

#[test]
fn prints_exactly_the_library_feed() {
    let input = data("shifts.json");
    for (flag, mode) in [("utc", TzMode::Utc), ("local", TzMode::Local)] {
        let out = run(&[
            "--input",
            &input,
            "--name",
            NAME,
            "--tz-mode",
            flag,
            "--domain",
            DOMAIN,
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stderr.is_empty());
        let expected = write_feed(
            &fixture("shifts.json"),
            &meta(),
            &domain(),
            mode,
            Vec::new(),
        )
        .unwrap();
        assert!(
            out.stdout == expected,
            "the example's {flag} output differs from write_feed: rebuild the example (`cargo build --example ics_feed`) if it is stale"
        );
        common::lint(&out.stdout);
    }
    // defaults: UTC mode, name "Shifts", domain example.invalid
    let out = run(&["--input", &input]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\r\nNAME:Shifts\r\n")
            && text.contains("@example.invalid\r\n")
            && !text.contains("TZID")
    );
}
