#!/usr/bin/env bash
# Runs every test of the workspace on a fresh machine: installs the third-party test peers
# (scim2-server, icalendar and vobject from PyPI; ical.js from npm), then the Rust test suites,
# the doc tests, clippy and rustdoc with warnings denied. Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> installing test peers"
python3 -m pip install --quiet --disable-pip-version-check -r tests/peers/requirements.txt
(cd tests/peers && npm ci --no-audit --no-fund --loglevel=error)
command -v scim2-server >/dev/null || { echo "scim2-server is not on PATH after pip install" >&2; exit 1; }
command -v cargo-nextest >/dev/null || cargo install --locked cargo-nextest

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> doc tests (README examples included)"
cargo test --workspace --all-features --doc

echo "==> clippy"
cargo clippy --workspace --all-features --all-targets -- -D warnings

echo "==> rustdoc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --all-features --no-deps

echo "==> unit, integration and compile-fail tests (last, so its summary closes the log)"
cargo nextest run --workspace --all-features --no-fail-fast
