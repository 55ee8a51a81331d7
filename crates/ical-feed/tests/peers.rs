//! Cross-parses our feeds with real third-party parsers (Python `icalendar` and `vobject`, npm
//! `ical.js`) and compares what each read, field by field, with the shifts written.
//!
//! The feeds are the `ics_feed` example's output for `examples/data/shifts.json` (the example is
//! a thin CLI over `ical_feed::json::write_feed`; `example_cli.rs` checks that the built binary
//! prints exactly these bytes). In local mode each parser computes instants from TZID and the
//! feed's own VTIMEZONE; they must equal the input's UTC instants, DST changes included.

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::{NAME, PEERS, Peer, domain, fixture, iso, lint, meta};
use ical_feed::json::{TzMode, shifts_from_json, write_feed};
use ical_feed::text::{escape_text, normalize_param_value, normalize_text};
use ical_feed::{FeedPlan, Shift, Status, WriterOptions, render_to_string};
use serde_json::{Value, json};

/// Shifts of the fixture that local mode writes in UTC although they have a timezone: they
/// start or end inside a repeated hour (fall-back night).
const REPEATED_HOUR: [&str; 4] = [
    "paris-repeated-hour-first",
    "paris-repeated-hour-second",
    "chicago-repeated-hour-first",
    "chicago-repeated-hour-second",
];

fn render_fixture(mode: TzMode) -> Vec<u8> {
    write_feed(
        &fixture("shifts.json"),
        &meta(),
        &domain(),
        mode,
        Vec::new(),
    )
    .expect("the fixture renders")
}

/// What a peer should report for a text property we wrote.
fn text_value(s: &str) -> Value {
    json!(normalize_text(s))
}

/// Compares a peer's reading of a feed with the shifts written.
fn compare(
    peer: &Peer,
    got: &Value,
    shifts: &[Shift],
    expect_tzid: impl Fn(&Shift) -> Option<String>,
    name: &str,
) {
    let who = peer.label;
    let events = got["events"]
        .as_array()
        .unwrap_or_else(|| panic!("{who}: no events array: {got}"));
    assert_eq!(events.len(), shifts.len(), "{who}: event count");
    assert_eq!(got["errors"], json!([]), "{who}: parser recorded errors");
    assert_eq!(got["version_property"], "2.0", "{who}");
    assert_eq!(got["prodid"], ical_feed::DEFAULT_PRODID, "{who}");
    assert_eq!(got["refresh_interval"], "PT1H", "{who}");
    assert_eq!(got["x_published_ttl"], "PT1H", "{who}");
    let expected_name = if peer.unknown_props_raw {
        escape_text(name)
    } else {
        name.to_owned()
    };
    assert_eq!(got["name"], json!(expected_name), "{who}: NAME");
    assert_eq!(
        got["x_wr_calname"],
        json!(expected_name),
        "{who}: X-WR-CALNAME"
    );

    let d = domain();
    for (ev, shift) in events.iter().zip(shifts) {
        let id = shift.id();
        let ctx = format!("{who}, shift {id:?}");
        assert_eq!(ev["uid"], json!(d.uid_for(id)), "{ctx}: UID");
        assert_eq!(
            ev["start"],
            json!(iso(shift.start())),
            "{ctx}: start instant"
        );
        assert_eq!(ev["end"], json!(iso(shift.end())), "{ctx}: end instant");
        if peer.has_tzdb {
            assert_eq!(
                ev["start_tzdb"],
                json!(iso(shift.start())),
                "{ctx}: start via system tzdb"
            );
            assert_eq!(
                ev["end_tzdb"],
                json!(iso(shift.end())),
                "{ctx}: end via system tzdb"
            );
        }
        let tzid = expect_tzid(shift);
        assert_eq!(ev["start_tzid"], json!(tzid), "{ctx}: DTSTART TZID");
        assert_eq!(ev["end_tzid"], json!(tzid), "{ctx}: DTEND TZID");
        assert_eq!(
            ev["dtstamp"],
            json!(iso(shift.last_modified())),
            "{ctx}: DTSTAMP"
        );
        assert_eq!(
            ev["last_modified"],
            json!(iso(shift.last_modified())),
            "{ctx}: LAST-MODIFIED"
        );
        let summary = if shift.summary().is_empty() {
            Value::Null
        } else {
            text_value(shift.summary())
        };
        assert_eq!(ev["summary"], summary, "{ctx}: SUMMARY");
        assert_eq!(
            ev["description"],
            shift.description().map_or(Value::Null, text_value),
            "{ctx}: DESCRIPTION"
        );
        assert_eq!(
            ev["location"],
            shift.location().map_or(Value::Null, text_value),
            "{ctx}: LOCATION"
        );
        let cats: Vec<String> = shift
            .categories()
            .iter()
            .map(|c| normalize_text(c))
            .collect();
        assert_eq!(ev["categories"], json!(cats), "{ctx}: CATEGORIES");
        assert_eq!(
            ev["status"],
            json!(shift.status().as_str()),
            "{ctx}: STATUS"
        );
        assert_eq!(ev["sequence"], json!(shift.sequence()), "{ctx}: SEQUENCE");
        let agent = if peer.unknown_props_raw {
            escape_text(shift.agent_id())
        } else {
            normalize_text(shift.agent_id())
        };
        assert_eq!(ev["agent"], json!(agent), "{ctx}: X-WFM-AGENT");
        assert_eq!(
            ev["agent_cn"],
            json!(shift.agent_name().map(normalize_param_value)),
            "{ctx}: CN"
        );
    }
}

fn fixture_shifts() -> Vec<Shift> {
    shifts_from_json(&fixture("shifts.json")).expect("the fixture is valid")
}

#[test]
fn fixture_covers_what_the_issue_lists() {
    let shifts = fixture_shifts();
    let has = |f: &dyn Fn(&Shift) -> bool| shifts.iter().any(f);
    let straddles = |zone: &str, change: chrono::DateTime<Utc>| {
        shifts.iter().any(|s| {
            s.timezone().map(|t| t.name()) == Some(zone) && s.start() < change && change < s.end()
        })
    };
    assert!(straddles(
        "Europe/Paris",
        Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap()
    ));
    assert!(straddles(
        "Europe/Paris",
        Utc.with_ymd_and_hms(2026, 10, 25, 1, 0, 0).unwrap()
    ));
    assert!(straddles(
        "America/Chicago",
        Utc.with_ymd_and_hms(2026, 3, 8, 8, 0, 0).unwrap()
    ));
    assert!(straddles(
        "America/Chicago",
        Utc.with_ymd_and_hms(2026, 11, 1, 7, 0, 0).unwrap()
    ));
    let text = |s: &Shift| {
        format!(
            "{}{}{}",
            s.summary(),
            s.description().unwrap_or(""),
            s.location().unwrap_or("")
        )
    };
    assert!(
        has(&|s| text(s).chars().any(|c| c as u32 >= 0x1F300)),
        "emoji"
    );
    assert!(
        has(&|s| text(s)
            .chars()
            .any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))),
        "CJK"
    );
    assert!(
        has(&|s| text(s)
            .chars()
            .any(|c| ('\u{0590}'..='\u{06FF}').contains(&c))),
        "RTL"
    );
    assert!(
        has(&|s| s.description().is_some_and(|d| d.len() > 1000)),
        "long description"
    );
    for special in [',', ';', '\\'] {
        assert!(has(&|s| text(s).contains(special)), "{special}");
    }
    assert!(
        shifts
            .iter()
            .filter(|s| s.status() == Status::Cancelled)
            .count()
            >= 2,
        "cancelled shifts"
    );
}

#[test]
fn utc_feed_is_read_back_by_every_peer() {
    let ics = render_fixture(TzMode::Utc);
    lint(&ics);
    let shifts = fixture_shifts();
    for peer in &PEERS {
        let got = peer.parse(&ics);
        assert_eq!(
            got["timezones"],
            json!([]),
            "{}: no VTIMEZONE in UTC mode",
            peer.label
        );
        compare(peer, &got, &shifts, |_| None, NAME);
    }
}

#[test]
fn local_feed_instants_from_vtimezone_equal_input_instants() {
    let ics = render_fixture(TzMode::Local);
    lint(&ics);
    let shifts = fixture_shifts();
    let zones: Vec<&str> = FeedPlan::from_shifts(&shifts)
        .zones()
        .map(|z| z.tz.name())
        .collect();
    assert_eq!(zones, ["America/Chicago", "Asia/Kolkata", "Europe/Paris"]);
    let expect_tzid = |s: &Shift| match s.timezone() {
        Some(tz) if !REPEATED_HOUR.contains(&s.id()) => Some(tz.name().to_owned()),
        _ => None,
    };
    for peer in &PEERS {
        let got = peer.parse(&ics);
        assert_eq!(
            got["timezones"],
            json!(zones),
            "{}: one VTIMEZONE per zone",
            peer.label
        );
        compare(peer, &got, &shifts, expect_tzid, NAME);
    }
}

#[test]
fn empty_feed_is_valid_for_every_peer() {
    let ics = render_to_string(&meta(), WriterOptions::utc(domain()), [])
        .unwrap()
        .into_bytes();
    lint(&ics);
    for peer in &PEERS {
        let got = peer.parse(&ics);
        assert_eq!(got["events"], json!([]), "{}", peer.label);
        assert_eq!(got["timezones"], json!(["Etc/UTC"]), "{}", peer.label);
    }
}

#[test]
fn method_publish_is_read_by_every_peer() {
    let shifts = fixture_shifts();
    let meta = meta().with_method(ical_feed::Method::Publish);
    let ics = render_to_string(&meta, WriterOptions::utc(domain()), &shifts[..2])
        .unwrap()
        .into_bytes();
    for peer in &PEERS {
        assert_eq!(peer.parse(&ics)["method"], "PUBLISH", "{}", peer.label);
    }
}

/// Deterministic xorshift64*, so the generated text is the same in every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Text mixing every class of character that has tripped iCalendar generators.
    fn text(&mut self, max_chars: usize) -> String {
        const POOLS: [&[char]; 9] = [
            &[
                'a', 'Z', '0', ' ', ':', '"', '\'', '=', '/', '#', '^', 'n', 'N',
            ],
            &['\\', ';', ','],
            &['\r', '\n', '\t', '\0', '\u{7}', '\u{1b}', '\u{7f}'],
            &['é', 'ß', 'ñ', 'Ø', '\u{301}', '\u{a0}'],
            &['日', '本', '語', '中', '文', '한', '국'],
            &['ש', 'ל', 'ו', 'م', 'ر', 'ح', '\u{200f}', '\u{202e}'],
            &['😀', '🎧', '👩', '\u{1f3fd}', '\u{200d}', '💻', '🇫', '🇷'],
            &['\u{2028}', '\u{2029}', '\u{feff}', '\u{fffd}', '\u{85}'],
            &['\u{10ffff}', '\u{e000}', '\u{1d11e}'],
        ];
        let len = self.below(max_chars + 1);
        (0..len)
            .map(|_| {
                let pool = POOLS[self.below(POOLS.len())];
                pool[self.below(pool.len())]
            })
            .collect()
    }
}

#[test]
fn generated_unicode_round_trips_through_every_peer() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let base = Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).unwrap();
    let zones = [
        chrono_tz::Europe::Paris,
        chrono_tz::America::Chicago,
        chrono_tz::Asia::Tokyo,
    ];
    let shifts: Vec<Shift> = (0..80)
        .map(|i| {
            let start = base + Duration::hours(i * 37 + (rng.below(60) as i64));
            let mut b = Shift::builder(
                format!("gen-{i}"),
                format!("agent{}", rng.text(12)),
                start,
                start + Duration::minutes(30 + rng.below(600) as i64),
                base,
            )
            .summary(rng.text(40))
            .description(rng.text(400))
            .location(rng.text(60))
            .categories((0..rng.below(4)).map(|_| format!("c{}", rng.text(10))))
            .agent_name(format!("N{}", rng.text(20)))
            .sequence(rng.below(50) as u32)
            .timezone(zones[rng.below(3)]);
            if rng.below(5) == 0 {
                b = b.status(Status::Cancelled);
            }
            b.build().expect("generated shift is valid")
        })
        .collect();
    for local in [false, true] {
        let options = if local {
            WriterOptions::local(domain(), FeedPlan::from_shifts(&shifts))
        } else {
            WriterOptions::utc(domain())
        };
        let ics = render_to_string(&meta(), options, &shifts)
            .unwrap()
            .into_bytes();
        lint(&ics);
        let tzid = |s: &Shift| {
            if local {
                s.timezone().map(|t| t.name().to_owned())
            } else {
                None
            }
        };
        // No generated time falls in a repeated hour: January to mid-June.
        assert!(
            shifts
                .iter()
                .all(|s| s.end() < Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap())
        );
        for peer in &PEERS {
            compare(peer, &peer.parse(&ics), &shifts, tzid, NAME);
        }
    }
}
