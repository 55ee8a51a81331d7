//! Locates (building it when missing) an example binary of the root package, so that tests run
//! the very program a user runs with `cargo run --example NAME`.
//!
//! `cargo test` and `cargo nextest run` on the workspace build the examples before the tests, and
//! put them in `<target>/<profile>/examples/`. When only one crate was built (`-p ical-feed`), the
//! example is built once with the same cargo, target directory and profile.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The path of the example `name`, built first when missing.
#[allow(dead_code)] // not every test binary that includes this module uses it
pub fn example_binary(name: &str) -> PathBuf {
    binary(name, false)
}

/// The path of the example `name`, built (or found up to date by cargo) first, so that a test
/// run by itself (`cargo test --test NAME`, which does not build examples) never runs a binary
/// older than the source.
#[allow(dead_code)] // not every test binary that includes this module uses it
pub fn fresh_example_binary(name: &str) -> PathBuf {
    binary(name, true)
}

fn binary(name: &str, always_build: bool) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    // <target>/<profile>/deps/<this test> -> <target>/<profile>/examples/<name>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test binary sits in <target>/<profile>/deps");
    let binary = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if always_build || !binary.exists() {
        let target_dir = profile_dir.parent().expect("<target> above <profile>");
        let manifest = workspace_root().join("Cargo.toml");
        let mut build = Command::new(env!("CARGO"));
        build
            .args([
                "build",
                "--quiet",
                "--all-features",
                "--example",
                name,
                "--manifest-path",
            ])
            .arg(manifest)
            .env("CARGO_TARGET_DIR", target_dir);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            build.arg("--release");
        }
        let status = build.status().expect("cargo runs");
        assert!(
            status.success(),
            "building the {name} example failed ({status})"
        );
    }
    assert!(binary.exists(), "no example binary at {}", binary.display());
    binary
}

/// The workspace root: the directory of the first `Cargo.toml` with `[workspace]` above the
/// crate under test.
pub fn workspace_root() -> PathBuf {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        let manifest = dir.join("Cargo.toml");
        if std::fs::read_to_string(&manifest).is_ok_and(|m| m.contains("[workspace]")) {
            return dir;
        }
        assert!(
            dir.pop(),
            "no workspace Cargo.toml above {}",
            env!("CARGO_MANIFEST_DIR")
        );
    }
}
