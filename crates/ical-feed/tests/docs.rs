//! The crate's front page and its guide: they open with what the crate is, and point at nothing
//! outside the repository.

use std::path::Path;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_front_page_opens_with_a_sentence_then_a_runnable_example() {
    let lib = read("src/lib.rs");
    let docs: Vec<&str> = lib
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| l.trim_start_matches("//!").trim())
        .collect();
    let first = docs[0];
    assert!(
        !first.is_empty() && !first.starts_with("```"),
        "the front page must open with prose, not {first:?}"
    );
    let first_paragraph: String = docs
        .iter()
        .take_while(|l| !l.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        first_paragraph.contains("ical-feed") && first_paragraph.ends_with('.'),
        "the first paragraph says what the crate is: {first_paragraph:?}"
    );
    let first_fence = docs
        .iter()
        .position(|l| l.starts_with("```"))
        .expect("a code example");
    assert_eq!(
        docs[first_fence], "```",
        "the first example is a plain (compiled and run) doctest"
    );
    let prose_before = docs[..first_fence].iter().filter(|l| !l.is_empty()).count();
    assert!(
        prose_before <= 4,
        "the example comes right after the opening sentence ({prose_before} lines before it)"
    );
}

#[test]
fn the_guide_points_at_nothing_outside_the_repository() {
    let guide = read("../../docs/ical-feed.md");
    for forbidden in ["shared/", "research/", "guides/001", "/work/", "file://"] {
        assert!(
            !guide.contains(forbidden),
            "docs/ical-feed.md mentions {forbidden:?}"
        );
    }
    // Every relative link resolves inside the repository.
    let docs_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    for (i, _) in guide.match_indices("](") {
        let target = &guide[i + 2..];
        let target = &target[..target.find(')').unwrap_or(target.len())];
        if target.starts_with("http://")
            || target.starts_with("https://")
            || target.starts_with('#')
        {
            continue;
        }
        let file = target.split('#').next().unwrap_or(target);
        assert!(
            docs_dir.join(file).exists(),
            "docs/ical-feed.md links to {target:?}, which is not in the repository"
        );
    }
}
