#!/usr/bin/env bash
# Runs every test of the workspace on a fresh machine, without root and without installing
# anything outside the checkout (apart from the MSRV toolchain through rustup, see below):
#
#   1. checks the prerequisites and says what to install when one is missing;
#   2. installs the Python test peers (scim2-server, icalendar, vobject; pinned in
#      tests/peers/requirements.txt) into a virtual environment it owns, target/test-peers/venv,
#      re-used while requirements.txt is unchanged, and puts its bin/ first on PATH so the tests'
#      `scim2-server` and `python3` are the venv's;
#   3. installs the npm test peer (ical.js, pinned in tests/peers/package-lock.json) into
#      tests/peers/node_modules;
#   4. cargo fmt --check; the library crates built with the MSRV toolchain (`cargo +MSRV check`);
#      the doc tests (README included); clippy and rustdoc with warnings denied;
#   5. the unit, integration and compile-fail tests: `cargo nextest run` when cargo-nextest is
#      installed, else `cargo test`. Its summary is the last line of the log.
#
# Exits non-zero on the first failure. Each step prints `==> name` when it starts and
# `==> name (N s)` when it ends.
#
# Environment knobs:
#   WFM_PYTHON=PATH        the Python used to create the venv (default: python3 on PATH)
#   WFM_TEST_RUNNER=cargo  use `cargo test` even when cargo-nextest is installed
#   WFM_MSRV_CHECK=skip    skip the MSRV step; =required makes a missing MSRV toolchain an error
#                          (CI sets it); default: install it with rustup if possible, else skip
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

START=$SECONDS
STEP=""
STEP_START=$SECONDS
step() {
    STEP=$1
    STEP_START=$SECONDS
    echo
    echo "==> $STEP"
}
step_done() { echo "==> $STEP ($((SECONDS - STEP_START)) s)"; }
trap 'rc=$?; [ -n "$STEP" ] && echo "==> FAILED: $STEP ($((SECONDS - STEP_START)) s, exit code $rc)" >&2' ERR
die() {
    echo "error: $*" >&2
    exit 2
}

MSRV=$(sed -n 's/^rust-version *= *"\([0-9.]*\)".*/\1/p' Cargo.toml | head -n 1)
[ -n "$MSRV" ] || die "no rust-version in Cargo.toml"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
# One full run rebuilds little in place, so incremental-compilation state (gigabytes in
# target/) buys nothing here; set CARGO_INCREMENTAL=1 to keep it anyway.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
PEERS_DIR=$TARGET_DIR/test-peers
VENV=$PEERS_DIR/venv

# ---------------------------------------------------------------------------------------------
step "prerequisites"
command -v cargo >/dev/null || die "cargo is not on PATH: install Rust $MSRV or newer with rustup (https://rustup.rs)"
echo "    $(cargo --version)"
echo "    $(rustc --version)"
cargo fmt --version >/dev/null 2>&1 || die "rustfmt is missing: rustup component add rustfmt"
cargo clippy --version >/dev/null 2>&1 || die "clippy is missing: rustup component add clippy"
echo "    $(cargo fmt --version), $(cargo clippy --version)"
CC_BIN=${CC:-cc}
command -v "$CC_BIN" >/dev/null ||
    die "no C compiler ('$CC_BIN'): the TLS crypto (aws-lc-sys) is C. Debian/Ubuntu: apt-get install build-essential; Fedora: dnf install gcc; macOS: xcode-select --install"
echo "    C compiler: $(command -v "$CC_BIN")"
PY=${WFM_PYTHON:-python3}
command -v "$PY" >/dev/null || die "'$PY' is not on PATH: install Python 3.11 or newer (the test peers need it)"
"$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' ||
    die "$("$PY" --version 2>&1) is too old: the test peers (scim2-server 0.8.3) need Python 3.11 or newer; set WFM_PYTHON to one"
echo "    Python: $(command -v "$PY") ($("$PY" --version 2>&1))"
command -v node >/dev/null || die "node is not on PATH: install Node.js 20 or newer (the ical.js test peer needs it)"
command -v npm >/dev/null || die "npm is not on PATH: install npm (Debian/Ubuntu: apt-get install npm)"
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
[ "$NODE_MAJOR" -ge 20 ] || die "node $(node --version) is too old: install Node.js 20 or newer"
echo "    Node: $(node --version), npm $(npm --version)"
RUNNER=cargo-test
if [ "${WFM_TEST_RUNNER:-}" != cargo ] && cargo nextest --version >/dev/null 2>&1; then
    RUNNER=nextest
    echo "    test runner: $(cargo nextest --version 2>/dev/null | head -n 1)"
else
    echo "    test runner: cargo test (cargo-nextest is optional and used when installed)"
fi
step_done

# ---------------------------------------------------------------------------------------------
step "Python test peers (venv: ${VENV#"$ROOT"/})"
REQ=tests/peers/requirements.txt
STAMP_WANT="$(sha256sum "$REQ" | cut -d' ' -f1) $("$PY" -c 'import sys; print(sys.version.split()[0], sys.executable)')"
if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.wfm-stamp" 2>/dev/null)" = "$STAMP_WANT" ]; then
    echo "    re-used: $REQ has not changed since the venv was made"
else
    # Debian and Ubuntu ship `venv` and `ensurepip` in a separate package; check before creating
    # anything, so the message says what to install instead of a traceback.
    if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
        PYVER=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
        die "$PY ($("$PY" --version 2>&1)) cannot create a virtual environment: its 'venv' or 'ensurepip' module is missing.
  Debian/Ubuntu: sudo apt-get install python3-venv   (or python$PYVER-venv)
  Fedora/RHEL:   sudo dnf install python3            (venv is part of it)
  or point WFM_PYTHON at another Python 3.11+ that has venv (pyenv, python.org, Homebrew)."
    fi
    rm -rf "$VENV"
    mkdir -p "$PEERS_DIR"
    echo "    creating the venv with $PY"
    "$PY" -m venv "$VENV" || {
        rm -rf "$VENV"
        die "'$PY -m venv' failed (see above). Debian/Ubuntu: sudo apt-get install python3-venv"
    }
    echo "    installing $(grep -v '^#' "$REQ" | tr '\n' ' ')"
    # PIP_USER=0: a user-level pip config asking for --user installs must not apply inside the venv.
    PIP_USER=0 "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
        --require-virtualenv -r "$REQ" || {
        rm -rf "$VENV"
        die "pip could not install $REQ into the venv (see above)"
    }
    echo "$STAMP_WANT" >"$VENV/.wfm-stamp"
fi
export VIRTUAL_ENV=$VENV
export PATH="$VENV/bin:$PATH"
hash -r
[ "$(command -v python3)" = "$VENV/bin/python3" ] || die "python3 does not resolve to the venv's"
command -v scim2-server >/dev/null || die "scim2-server is not in $VENV/bin after the install"
python3 -c 'import icalendar, vobject' || die "icalendar or vobject cannot be imported from the venv"
echo "    python3 -> $(command -v python3); scim2-server -> $(command -v scim2-server)"
step_done

# ---------------------------------------------------------------------------------------------
step "npm test peer (tests/peers/node_modules)"
NPM_STAMP=tests/peers/node_modules/.wfm-stamp
NPM_WANT=$(sha256sum tests/peers/package-lock.json | cut -d' ' -f1)
if [ -d tests/peers/node_modules/ical.js ] && [ "$(cat "$NPM_STAMP" 2>/dev/null)" = "$NPM_WANT" ]; then
    echo "    re-used: package-lock.json has not changed"
else
    (cd tests/peers && npm ci --no-audit --no-fund --loglevel=error)
    echo "$NPM_WANT" >"$NPM_STAMP"
fi
step_done

# ---------------------------------------------------------------------------------------------
step "cargo fmt --check"
cargo fmt --all -- --check
step_done

# ---------------------------------------------------------------------------------------------
step "library crates on the MSRV (cargo +$MSRV check --workspace --lib --all-features)"
MSRV_MODE=${WFM_MSRV_CHECK:-auto}
msrv_skip() {
    [ "$MSRV_MODE" = required ] && die "MSRV check required (WFM_MSRV_CHECK=required) but $1"
    echo "    SKIPPED: $1."
    echo "    To run it: rustup toolchain install $MSRV --profile minimal && cargo +$MSRV check --workspace --lib --all-features"
}
if [ "$MSRV_MODE" = skip ]; then
    echo "    SKIPPED (WFM_MSRV_CHECK=skip)"
elif ! command -v rustup >/dev/null; then
    msrv_skip "rustup is not installed, so the $MSRV toolchain cannot be selected"
else
    has_msrv() { rustup toolchain list 2>/dev/null | grep -q "^$MSRV[.-]"; }
    if ! has_msrv; then
        echo "    installing the $MSRV toolchain with rustup (minimal profile, in ~/.rustup; WFM_MSRV_CHECK=skip to skip)"
        rustup toolchain install "$MSRV" --profile minimal --no-self-update || true
    fi
    if has_msrv; then
        echo "    $(rustup run "$MSRV" rustc --version)"
        rustup run "$MSRV" cargo check --workspace --lib --all-features
    else
        msrv_skip "the $MSRV toolchain could not be installed"
    fi
fi
step_done

# ---------------------------------------------------------------------------------------------
step "doc tests, README examples included (cargo test --doc)"
cargo test --workspace --all-features --doc
step_done

# ---------------------------------------------------------------------------------------------
step "clippy, warnings denied"
cargo clippy --workspace --all-features --all-targets -- -D warnings
step_done

# ---------------------------------------------------------------------------------------------
step "rustdoc, warnings denied"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --all-features --no-deps
step_done

# ---------------------------------------------------------------------------------------------
echo
echo "==> all checks passed in $((SECONDS - START)) s; now the tests, whose summary closes the log"
if [ "$RUNNER" = nextest ]; then
    step "unit, integration and compile-fail tests (cargo nextest run)"
    cargo nextest run --workspace --all-features --no-fail-fast
else
    step "unit, integration and compile-fail tests (cargo test)"
    cargo test --workspace --all-features --no-fail-fast --lib --bins --tests
fi
