//! Property tests of the writer with arbitrary Unicode: every physical line is at most 75
//! octets and ends in CRLF, the output is UTF-8, and unfolding plus unescaping (our `read`
//! module) gives back the input after CR normalisation.

mod common;

use chrono::{Duration, TimeZone, Utc};
use ical_feed::read;
use ical_feed::text::{escape_text, fold_line, normalize_param_value, normalize_text};
use ical_feed::{CalendarMeta, FeedPlan, FeedWriter, Shift, WriterOptions};
use proptest::prelude::*;

/// Strings biased toward what breaks generators: specials, controls, multi-octet characters.
fn nasty_text() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        "\\",
        ";",
        ",",
        ":",
        "\"",
        "\r",
        "\n",
        "\r\n",
        "\t",
        "\0",
        "\u{7f}",
        "^",
        "n",
        "'",
        "é",
        "日本",
        "😀",
        "👩🏽‍💻",
        "ש",
        "\u{2028}",
    ]);
    prop_oneof![
        any::<String>(),
        prop::collection::vec(
            prop_oneof![
                special.prop_map(str::to_owned),
                any::<char>().prop_map(String::from)
            ],
            0..200
        )
        .prop_map(|parts| parts.concat()),
    ]
}

fn check_physical_lines(bytes: &[u8]) -> Result<(), TestCaseError> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| TestCaseError::fail(format!("not UTF-8: {e}")))?;
    prop_assert!(text.ends_with("\r\n"));
    for line in text[..text.len() - 2].split("\r\n") {
        prop_assert!(line.len() <= 75, "{} octets: {:?}", line.len(), line);
        prop_assert!(!line.contains('\r') && !line.contains('\n'));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn shift_text_round_trips(summary in nasty_text(), description in nasty_text(), location in nasty_text(), local in any::<bool>()) {
        let start = Utc.with_ymd_and_hms(2026, 3, 28, 21, 0, 0).unwrap();
        let shift = Shift::builder("p-1", "agent", start, start + Duration::hours(8), start)
            .summary(summary.clone())
            .description(description.clone())
            .location(location.clone())
            .timezone(chrono_tz::Europe::Paris)
            .build()
            .unwrap();
        let meta = CalendarMeta::new("-//p//p//EN", "n").unwrap();
        let domain = ical_feed::UidDomain::new("example.com").unwrap();
        let options = if local {
            WriterOptions::local(domain, FeedPlan::from_shifts([&shift]))
        } else {
            WriterOptions::utc(domain)
        };
        let mut w = FeedWriter::new(Vec::new(), &meta, options).unwrap();
        w.write_shift(&shift).unwrap();
        let bytes = w.finish().unwrap();
        check_physical_lines(&bytes)?;

        let cal = read::parse(std::str::from_utf8(&bytes).unwrap()).unwrap();
        let ev = cal.components_named("VEVENT").next().unwrap();
        let text_of = |name: &str| ev.property(name).map(|p| p.text());
        if summary.is_empty() {
            prop_assert_eq!(text_of("SUMMARY"), None);
        } else {
            prop_assert_eq!(text_of("SUMMARY"), Some(normalize_text(&summary)));
        }
        prop_assert_eq!(text_of("DESCRIPTION"), Some(normalize_text(&description)));
        prop_assert_eq!(text_of("LOCATION"), Some(normalize_text(&location)));
    }

    #[test]
    fn fold_then_unfold_is_identity(line in nasty_text()) {
        let content = format!("X:{}", escape_text(&line));
        let folded = fold_line(&content);
        check_physical_lines(folded.as_bytes())?;
        let unfolded: Vec<_> = read::unfold(&folded).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(unfolded.len(), 1);
        prop_assert_eq!(unfolded[0].1.as_ref(), content.as_str());
        prop_assert_eq!(read::unescape_text(&content[2..]), normalize_text(&line));
    }

    #[test]
    fn categories_and_params_round_trip(cats in prop::collection::vec(nasty_text(), 1..5), cn in nasty_text()) {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
        let shift = Shift::builder("c", "a", start, start + Duration::hours(1), start)
            .categories(cats.clone())
            .agent_name(cn.clone())
            .build()
            .unwrap();
        let meta = CalendarMeta::new("p", "n").unwrap();
        let text = ical_feed::render_to_string(&meta, WriterOptions::utc(ical_feed::UidDomain::new("e.com").unwrap()), [&shift]).unwrap();
        check_physical_lines(text.as_bytes())?;
        let cal = read::parse(&text).unwrap();
        let ev = &cal.components[0];
        let expected: Vec<String> = shift.categories().iter().map(|c| normalize_text(c)).collect();
        let read_back: Vec<String> = ev.properties_named("CATEGORIES").flat_map(|p| p.text_list()).collect();
        prop_assert_eq!(read_back, expected);
        let agent = ev.property("X-WFM-AGENT").unwrap();
        let cn_expected = normalize_param_value(&cn);
        prop_assert_eq!(agent.param("CN"), Some(cn_expected.as_str()));
        prop_assert_eq!(agent.text(), "a");
    }
}

#[test]
fn render_twice_gives_identical_bytes_for_the_fixture() {
    for mode in [ical_feed::json::TzMode::Utc, ical_feed::json::TzMode::Local] {
        let render = || {
            ical_feed::json::write_feed(
                &common::fixture("shifts.json"),
                &common::meta(),
                &common::domain(),
                mode,
                Vec::new(),
            )
            .unwrap()
        };
        let (a, b) = (render(), render());
        assert_eq!(a, b, "{mode:?}");
        assert!(a.len() > 5000);
        common::lint(&a);
    }
}
