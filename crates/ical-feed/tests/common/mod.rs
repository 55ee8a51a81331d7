//! Helpers shared by the integration tests: repository paths, fixtures, the real peer parsers
//! (Python `icalendar` and `vobject`, npm `ical.js`) and a byte-level RFC 5545 lint.
#![allow(dead_code)] // each test binary uses a different subset

use chrono::{DateTime, Utc};
use ical_feed::{CalendarMeta, DEFAULT_PRODID, UidDomain};
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The workspace root, two levels above this crate.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}

/// Contents of `examples/data/NAME`.
pub fn fixture(name: &str) -> String {
    let path = repo_root().join("examples/data").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The calendar name and domain the example-equivalent renders use.
pub const NAME: &str = "Shifts – Team; A, Paris";
pub const DOMAIN: &str = "wfm.example.com";

pub fn meta() -> CalendarMeta {
    CalendarMeta::new(DEFAULT_PRODID, NAME).unwrap()
}

pub fn domain() -> UidDomain {
    UidDomain::new(DOMAIN).unwrap()
}

pub fn iso(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A real third-party parser run as a subprocess.
#[derive(Debug, Clone, Copy)]
pub struct Peer {
    pub label: &'static str,
    program: &'static str,
    args: &'static [&'static str],
    /// Whether the parser leaves NAME, X-WR-CALNAME and X-WFM-AGENT escaped because it does
    /// not know their value type (Python icalendar 7.3 types them `vUnknown`; ical.js 2.2.1
    /// `unknown`). vobject 0.9.9 unescapes them.
    pub unknown_props_raw: bool,
    /// Whether the output also has `start_tzdb` / `end_tzdb`: the parser's own resolution of
    /// the TZID through the system tz database (Python icalendar only).
    pub has_tzdb: bool,
}

pub const PEERS: [Peer; 3] = [
    Peer {
        label: "python icalendar",
        program: "python3",
        args: &["tests/peers/ical_check.py", "--parser", "icalendar", "-"],
        unknown_props_raw: true,
        has_tzdb: true,
    },
    Peer {
        label: "python vobject",
        program: "python3",
        args: &["tests/peers/ical_check.py", "--parser", "vobject", "-"],
        unknown_props_raw: false,
        has_tzdb: false,
    },
    Peer {
        label: "ical.js",
        program: "node",
        args: &["tests/peers/ical_check.mjs", "-"],
        unknown_props_raw: true,
        has_tzdb: false,
    },
];

const INSTALL_HINT: &str = "the peer parsers are required, not optional: run `bash scripts/test.sh` (it installs them into target/test-peers/venv and tests/peers/node_modules), \
     or put a venv with tests/peers/requirements.txt first on PATH and run `(cd tests/peers && npm ci)`";

impl Peer {
    /// Feeds `ics` to the parser on stdin and returns the JSON it printed. Panics with a clear
    /// message if the parser is missing or rejects the feed.
    pub fn parse(&self, ics: &[u8]) -> Value {
        let mut child = Command::new(self.program)
            .args(self.args)
            .current_dir(repo_root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "{}: cannot start `{}` ({e}); {INSTALL_HINT}",
                    self.label, self.program
                )
            });
        let mut stdin = child.stdin.take().expect("piped stdin");
        let input = ics.to_vec();
        let feeder = std::thread::spawn(move || stdin.write_all(&input));
        let out = child.wait_with_output().expect("the peer process runs");
        feeder
            .join()
            .expect("stdin feeder")
            .expect("writing the feed to the peer");
        let stderr = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(0) => {}
            Some(3) => panic!(
                "{}: parser library missing: {stderr}{INSTALL_HINT}",
                self.label
            ),
            _ => panic!(
                "{} rejected the feed ({}): {stderr}",
                self.label, out.status
            ),
        }
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{}: output is not JSON ({e}): {}",
                self.label,
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }
}

/// Checks the physical form of a feed against RFC 5545 §3.1 and the rules generators get
/// wrong; returns the number of physical lines.
pub fn lint(ics: &[u8]) -> usize {
    let text = std::str::from_utf8(ics).expect("a feed is valid UTF-8");
    assert!(text.ends_with("\r\n"), "the last line must end in CRLF");
    let body = &text[..text.len() - 2];
    let mut count = 0;
    for (i, line) in body.split("\r\n").enumerate() {
        count += 1;
        assert!(
            !line.contains('\r') && !line.contains('\n'),
            "line {}: bare CR or LF: {line:?}",
            i + 1
        );
        assert!(
            line.len() <= 75,
            "line {}: {} octets: {line:?}",
            i + 1,
            line.len()
        );
        assert!(!line.is_empty(), "line {}: empty line", i + 1);
        assert!(
            !line
                .chars()
                .any(|c| (c < ' ' && c != '\t') || c == '\u{7f}'),
            "line {}: control character: {line:?}",
            i + 1
        );
    }
    let cal = ical_feed::read::parse(text).expect("our own reader parses the feed");
    assert_eq!(cal.name, "VCALENDAR");
    assert_eq!(cal.properties_named("VERSION").count(), 1);
    assert_eq!(cal.properties_named("PRODID").count(), 1);
    assert!(
        !cal.components.is_empty(),
        "at least one component (RFC 5545 §3.6)"
    );
    let zones: Vec<String> = cal
        .components_named("VTIMEZONE")
        .map(|z| z.property("TZID").expect("VTIMEZONE has TZID").text())
        .collect();
    for ev in cal.components_named("VEVENT") {
        for required in ["UID", "DTSTAMP", "DTSTART", "DTEND"] {
            assert_eq!(
                ev.properties_named(required).count(),
                1,
                "{required} exactly once"
            );
        }
        let uid = ev.property("UID").unwrap().value.clone();
        assert!(uid.is_ascii() && uid.len() <= 255, "UID {uid:?}");
        assert!(
            ev.property("DTSTAMP").unwrap().value.ends_with('Z'),
            "DTSTAMP in UTC"
        );
        let start = ev.property("DTSTART").unwrap();
        let end = ev.property("DTEND").unwrap();
        for p in [start, end] {
            match p.param("TZID") {
                Some(tzid) => {
                    assert!(!p.value.ends_with('Z'), "TZID on a UTC time: {p:?}");
                    assert!(
                        zones.iter().any(|z| z == tzid),
                        "TZID {tzid} without VTIMEZONE"
                    );
                }
                None => assert!(p.value.ends_with('Z'), "floating time: {p:?}"),
            }
        }
        assert_eq!(
            start.param("TZID"),
            end.param("TZID"),
            "DTSTART and DTEND in the same form"
        );
    }
    count
}
