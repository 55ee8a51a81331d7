//! Renders the same shifts with `ical-feed`, `ics` 0.5 and `icalendar` 0.17, side by side in
//! one run: time per render, the ratios, and peak live heap bytes during each render.
//!
//! ```text
//! cargo bench -p ical-feed --bench render            # 100,000 shifts
//! cargo bench -p ical-feed --bench render -- 20000   # another count
//! ```
//!
//! Every implementation starts from the same `Vec<Shift>` and writes into `io::sink()`, so no
//! one pays for holding the output; building the other crates' event objects is part of their
//! render, as it is for their users. `ics` needs its text escaped by the caller
//! (`ics::escape_text`), which is done so that its output is valid. The heap is measured by a
//! counting global allocator (`peak_alloc`): peak live bytes above what was live before the
//! render. Ours is also measured at a tenth of the count, to show it stays flat.

use chrono::{DateTime, Duration, TimeZone, Utc};
use ical_feed::{CalendarMeta, FeedPlan, FeedWriter, Shift, Status, UidDomain, WriterOptions};
use peak_alloc::PeakAlloc;
use std::hint::black_box;
use std::io::{self, Write};
use std::time::Instant;

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

const RUNS: usize = 3;
const PRODID: &str = "-//Example Corp//Shifts//EN";
const NAME: &str = "Team A; shifts";

/// Counts the bytes written, to check every implementation wrote a comparable feed.
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn shifts(n: usize) -> Vec<Shift> {
    let base = Utc.with_ymd_and_hms(2026, 1, 5, 6, 0, 0).unwrap();
    let zones = [chrono_tz::Europe::Paris, chrono_tz::America::Chicago];
    (0..n)
        .map(|i| {
            let start = base + Duration::minutes(37 * i as i64);
            Shift::builder(format!("shift-{i}"), format!("agent-{}", i % 500), start, start + Duration::hours(8), base)
                .agent_name(format!("Agent {}, Team {}", i % 500, i % 7))
                .summary(format!("Phones – queue {}; priority {}", i % 13, i % 3))
                .description(format!(
                    "Shift {i}: answer calls, escalate to tier 2 (see \\\\wiki\\runbook), log breaks; lunch 12:00-12:30.\nBring headset 🎧."
                ))
                .location("Paris, site B; floor 3")
                .categories(["Phones", "Tier 1"])
                .status(if i % 10 == 0 { Status::Cancelled } else { Status::Confirmed })
                .sequence((i % 4) as u32)
                .timezone(zones[i % 2])
                .build()
                .expect("valid shift")
        })
        .collect()
}

fn meta() -> CalendarMeta {
    CalendarMeta::new(PRODID, NAME).unwrap()
}

fn domain() -> UidDomain {
    UidDomain::new("wfm.example.com").unwrap()
}

fn ours_utc(shifts: &[Shift], out: &mut dyn Write) -> u64 {
    let mut w = FeedWriter::new(out, &meta(), WriterOptions::utc(domain())).unwrap();
    w.write_all(shifts).unwrap();
    w.events_written()
}

fn ours_local(shifts: &[Shift], out: &mut dyn Write) -> u64 {
    let plan = FeedPlan::from_shifts(shifts); // the cheap first pass, part of the cost
    let mut w = FeedWriter::new(out, &meta(), WriterOptions::local(domain(), plan)).unwrap();
    w.write_all(shifts).unwrap();
    w.events_written()
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn with_ics(shifts: &[Shift], out: &mut dyn Write) -> u64 {
    use ics::components::{Parameter, Property};
    use ics::properties::{
        Categories, Description, DtEnd, DtStart, LastModified, Location, Name, Sequence,
        Status as St, Summary,
    };
    use ics::{Event, ICalendar, escape_text};
    let mut cal = ICalendar::new("2.0", PRODID);
    cal.push(Name::new(escape_text(NAME)));
    cal.push(Property::new("X-WR-CALNAME", escape_text(NAME)));
    let mut refresh = Property::new("REFRESH-INTERVAL", "PT1H");
    refresh.add(Parameter::new("VALUE", "DURATION"));
    cal.push(refresh);
    cal.push(Property::new("X-PUBLISHED-TTL", "PT1H"));
    let d = domain();
    for s in shifts {
        let mut e = Event::new(d.uid_for(s.id()), stamp(s.last_modified()));
        e.push(DtStart::new(stamp(s.start())));
        e.push(DtEnd::new(stamp(s.end())));
        e.push(Sequence::new(s.sequence().to_string()));
        e.push(match s.status() {
            Status::Cancelled => St::cancelled(),
            Status::Tentative => St::tentative(),
            _ => St::confirmed(),
        });
        e.push(Summary::new(escape_text(s.summary().to_owned())));
        e.push(Description::new(escape_text(
            s.description().unwrap_or_default().to_owned(),
        )));
        e.push(Location::new(escape_text(
            s.location().unwrap_or_default().to_owned(),
        )));
        let cats: Vec<String> = s
            .categories()
            .iter()
            .map(|c| escape_text(c.clone()).into_owned())
            .collect();
        e.push(Categories::new(cats.join(",")));
        e.push(LastModified::new(stamp(s.last_modified())));
        let mut agent = Property::new("X-WFM-AGENT", escape_text(s.agent_id().to_owned()));
        agent.add(Parameter::new(
            "CN",
            format!("\"{}\"", s.agent_name().unwrap_or_default()),
        ));
        e.push(agent);
        cal.add_event(e);
    }
    cal.write(out).unwrap();
    shifts.len() as u64
}

fn with_icalendar(shifts: &[Shift], out: &mut dyn Write) -> u64 {
    use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Parameter, Property};
    let mut cal = Calendar::new();
    cal.append_property(Property::new("PRODID", PRODID));
    cal.name(NAME);
    cal.ttl(&Duration::hours(1));
    let d = domain();
    for s in shifts {
        let mut agent = Property::new("X-WFM-AGENT", s.agent_id());
        agent.append_parameter(Parameter::new("CN", s.agent_name().unwrap_or_default()));
        let event = Event::new()
            .uid(&d.uid_for(s.id()))
            .timestamp(s.last_modified())
            .starts(s.start())
            .ends(s.end())
            .sequence(s.sequence())
            .status(match s.status() {
                Status::Cancelled => EventStatus::Cancelled,
                Status::Tentative => EventStatus::Tentative,
                _ => EventStatus::Confirmed,
            })
            .summary(s.summary())
            .description(s.description().unwrap_or_default())
            .location(s.location().unwrap_or_default())
            .categories(s.categories())
            .last_modified(s.last_modified())
            .append_property(agent)
            .done();
        cal.push(event);
    }
    write!(out, "{cal}").unwrap();
    shifts.len() as u64
}

type Render = fn(&[Shift], &mut dyn Write) -> u64;

struct Measure {
    label: &'static str,
    shifts: usize,
    best_ms: f64,
    median_ms: f64,
    peak_bytes: usize,
    output_bytes: u64,
}

fn measure(label: &'static str, shifts: &[Shift], render: Render) -> Measure {
    // Warm-up, which also counts the output size.
    let mut counter = Counter(0);
    assert_eq!(render(shifts, &mut counter), shifts.len() as u64);
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            black_box(render(black_box(shifts), &mut io::sink()));
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    // Peak live heap bytes during one more render, above what was live before it.
    let before = HEAP.current_usage();
    HEAP.reset_peak_usage();
    black_box(render(shifts, &mut io::sink()));
    let peak_bytes = HEAP.peak_usage().saturating_sub(before);
    Measure {
        label,
        shifts: shifts.len(),
        best_ms: times[0],
        median_ms: times[times.len() / 2],
        peak_bytes,
        output_bytes: counter.0,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument is the shift count.
    let n: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map(|a| a.parse().expect("the argument is a shift count"))
        .unwrap_or(100_000);
    let small = shifts(n / 10);
    let all = shifts(n);
    println!(
        "ical-feed render benchmark: {n} shifts, {RUNS} timed runs each, output into io::sink()"
    );
    println!("(competitors: the ics 0.5.x and icalendar 0.17.x resolved in Cargo.lock)\n");

    let rows = [
        measure("ical-feed, UTC", &small, ours_utc),
        measure("ical-feed, UTC", &all, ours_utc),
        measure("ical-feed, local + VTIMEZONE", &small, ours_local),
        measure("ical-feed, local + VTIMEZONE", &all, ours_local),
        measure("ics", &all, with_ics),
        measure("icalendar", &all, with_icalendar),
    ];
    println!(
        "{:<30} {:>8} {:>10} {:>10} {:>14} {:>12}",
        "implementation", "shifts", "best ms", "median ms", "peak heap", "output"
    );
    for r in &rows {
        println!(
            "{:<30} {:>8} {:>10.1} {:>10.1} {:>11.1} KiB {:>9.1} MB",
            r.label,
            r.shifts,
            r.best_ms,
            r.median_ms,
            r.peak_bytes as f64 / 1024.0,
            r.output_bytes as f64 / 1e6
        );
    }
    let ours = &rows[1];
    println!();
    for other in &rows[4..] {
        println!(
            "{} / ical-feed (UTC), median time: {:.1}x; peak heap: {:.0}x",
            other.label,
            other.median_ms / ours.median_ms,
            other.peak_bytes as f64 / ours.peak_bytes.max(1) as f64
        );
    }
    println!(
        "ical-feed streaming peak heap: {:.1} KiB for {} shifts, {:.1} KiB for {} shifts",
        rows[0].peak_bytes as f64 / 1024.0,
        rows[0].shifts,
        rows[1].peak_bytes as f64 / 1024.0,
        rows[1].shifts
    );
}
