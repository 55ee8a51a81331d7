//! Content-line encoding of RFC 5545: TEXT escaping, parameter-value quoting, 75-octet folding.
//! Every function appends to a caller-owned `String`, so the feed writer reuses its buffers.
//!
//! ```
//! use ical_feed::text;
//!
//! assert_eq!(text::escape_text("a,b;c\\d\r\ne"), "a\\,b\\;c\\\\d\\ne");
//! assert_eq!(text::quote_param_value("Doe, Jane"), "\"Doe, Jane\"");
//! let folded = text::fold_line(&"x".repeat(80));
//! assert_eq!(folded, format!("{}\r\n {}\r\n", "x".repeat(75), "x".repeat(5)));
//! ```

/// Longest physical line in octets, excluding its CRLF (RFC 5545 §3.1). The leading space of a
/// continuation line counts, so a continuation line carries at most 74 octets of content.
pub const MAX_LINE_OCTETS: usize = 75;

/// What [`escape_text_into`] does with each byte: `0` copy, `1` drop, `2..` escape.
const KEEP: u8 = 0;
const DROP: u8 = 1;
const BACKSLASH: u8 = 2;
const SEMICOLON: u8 = 3;
const COMMA: u8 = 4;
const NEWLINE: u8 = 5;
const CR: u8 = 6;

/// Byte classes for TEXT values. Only ASCII bytes are special, so runs between them are copied as
/// whole `&str` slices and never split a UTF-8 sequence.
static TEXT_CLASS: [u8; 256] = {
    let mut table = [KEEP; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = DROP;
        b += 1;
    }
    table[0x7f] = DROP;
    table[b'\t' as usize] = KEEP;
    table[b'\n' as usize] = NEWLINE;
    table[b'\r' as usize] = CR;
    table[b'\\' as usize] = BACKSLASH;
    table[b';' as usize] = SEMICOLON;
    table[b',' as usize] = COMMA;
    table
};

/// Appends `value` to `out` escaped as an RFC 5545 TEXT value (§3.3.11).
///
/// Backslash, semicolon and comma get a backslash; a line break (LF, CRLF or a lone CR) becomes
/// `\n`; other control characters (U+0000–U+001F except TAB, and U+007F) are dropped, since
/// `TSAFE-CHAR` excludes them and RFC 5545 has no escape for them. COLON is not escaped.
pub fn escape_text_into(out: &mut String, value: &str) {
    let bytes = value.as_bytes();
    let mut run_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let class = TEXT_CLASS[bytes[i] as usize];
        if class == KEEP {
            i += 1;
            continue;
        }
        out.push_str(&value[run_start..i]);
        match class {
            BACKSLASH => out.push_str("\\\\"),
            SEMICOLON => out.push_str("\\;"),
            COMMA => out.push_str("\\,"),
            NEWLINE => out.push_str("\\n"),
            CR => {
                out.push_str("\\n");
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
        run_start = i;
    }
    out.push_str(&value[run_start..]);
}

/// Returns `value` escaped as an RFC 5545 TEXT value; see [`escape_text_into`].
pub fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    escape_text_into(&mut out, value);
    out
}

/// Returns what a TEXT value reads back as after escaping and unescaping: CRLF and lone CR
/// become LF, other control characters except TAB are removed. The round-trip property is
/// `unescape(escape(s)) == normalize_text(s)`.
pub fn normalize_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\t' => out.push(c),
            c if is_ascii_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `value` to `out` as a property parameter value (RFC 5545 §3.2).
///
/// A value that is not a plain ASCII token (letters, digits, `-`, `_`, `.`, `/`, `+`) is written
/// as a DQUOTE-quoted string: RFC 5545 requires it around COLON, SEMICOLON and COMMA, and
/// Python `icalendar` trims or cuts unquoted values at whitespace. RFC 5545 has no escape inside
/// parameter values, so what cannot be written is removed:
///
/// - DQUOTE, which parameter values "MUST NOT contain", and control characters other than TAB
///   (line breaks included);
/// - a backslash followed by `\`, `;`, `,` or `:`, or ending the value: Python `icalendar` and
///   `ical.js` read such pairs as escapes although RFC 5545 defines none (a value-final
///   backslash even makes `icalendar` misread the property value);
/// - a caret followed by `n`, `N`, `^` or `'`: RFC 6868 readers (`icalendar`, `ical.js`) decode
///   those pairs, RFC 5545 readers (`vobject`) do not.
///
/// Everything else, non-ASCII included, is kept as is, and every parser reads it back the same.
pub fn push_param_value(out: &mut String, value: &str) {
    let clean = !value
        .bytes()
        .any(|b| matches!(b, b'"' | b'\\' | b'^') || (b != b'\t' && is_ascii_control_byte(b)));
    if clean {
        push_quoted_if_needed(out, value);
    } else {
        let kept: String = param_chars(value).into_iter().collect();
        push_quoted_if_needed(out, &kept);
    }
}

/// Quotes a cleaned parameter value unless it is a plain ASCII token (letters, digits, `-`, `_`,
/// `.`, `/`, `+`, as TZIDs are). RFC 5545 requires quotes only around COLON, SEMICOLON and
/// COMMA, but Python `icalendar` trims or cuts unquoted values at whitespace, and quoting is
/// always allowed.
fn push_quoted_if_needed(out: &mut String, value: &str) {
    let token = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/' | b'+'));
    if token {
        out.push_str(value);
    } else {
        out.push('"');
        out.push_str(value);
        out.push('"');
    }
}

/// The characters [`push_param_value`] keeps of `value`. Removing one character can make a new
/// ambiguous pair of its neighbours (`\\^n` → `\\n`), so passes repeat until none is left;
/// each pass removes at least one character, so this ends. Only values that hold DQUOTE,
/// backslash, caret or a control character come here.
fn param_chars(value: &str) -> Vec<char> {
    let mut chars: Vec<char> = value
        .chars()
        .filter(|&c| c != '"' && (c == '\t' || !is_ascii_control(c)))
        .collect();
    loop {
        let before = chars.len();
        let mut kept = Vec::with_capacity(before);
        for (i, &c) in chars.iter().enumerate() {
            let next = chars.get(i + 1).copied();
            let ambiguous = match c {
                '\\' => matches!(next, None | Some('\\' | ';' | ',' | ':' | 'n' | 'N')),
                '^' => matches!(next, Some('n' | '^' | '\'')),
                _ => false,
            };
            if !ambiguous {
                kept.push(c);
            }
        }
        chars = kept;
        if chars.len() == before {
            return chars;
        }
    }
}

/// Returns what [`push_param_value`] keeps of `value`, without the quotes: what a parser reads
/// back from the parameter.
pub fn normalize_param_value(value: &str) -> String {
    param_chars(value).into_iter().collect()
}

/// Returns `value` as a property parameter value; see [`push_param_value`].
pub fn quote_param_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    push_param_value(&mut out, value);
    out
}

/// Appends the content line `line` (without line break) to `out`, folded so that no physical
/// line exceeds [`MAX_LINE_OCTETS`] octets, each physical line ending in CRLF.
///
/// Folds are placed on UTF-8 character boundaries only (RFC 5545 §3.1 warns against splitting a
/// multi-octet sequence); a continuation line starts with one SPACE, which counts toward its 75
/// octets.
pub fn fold_into(out: &mut String, line: &str) {
    if line.len() <= MAX_LINE_OCTETS {
        out.push_str(line);
        out.push_str("\r\n");
        return;
    }
    let mut rest = line;
    let mut limit = MAX_LINE_OCTETS;
    loop {
        if rest.len() <= limit {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = limit;
        // A UTF-8 sequence is at most 4 octets, so this backs off at most 3 times.
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        limit = MAX_LINE_OCTETS - 1;
    }
}

/// Returns `line` folded and terminated by CRLF; see [`fold_into`].
pub fn fold_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 24 + 2);
    fold_into(&mut out, line);
    out
}

/// `CONTROL` of RFC 5545 §3.1 plus HTAB: U+0000–U+001F and U+007F.
fn is_ascii_control(c: char) -> bool {
    c < ' ' || c == '\u{7f}'
}

fn is_ascii_control_byte(b: u8) -> bool {
    b < 0x20 || b == 0x7f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn physical_lines(folded: &str) -> Vec<&str> {
        assert!(folded.ends_with("\r\n"), "missing final CRLF: {folded:?}");
        folded[..folded.len() - 2].split("\r\n").collect()
    }

    #[test]
    fn escapes_backslash_first_and_specials() {
        assert_eq!(escape_text("\\;"), "\\\\\\;");
        assert_eq!(escape_text("a\\nb"), "a\\\\nb");
        assert_eq!(escape_text("x,y;z"), "x\\,y\\;z");
    }

    #[test]
    fn colon_is_not_escaped() {
        assert_eq!(escape_text("Queue: Billing"), "Queue: Billing");
    }

    #[test]
    fn line_breaks_are_normalised() {
        assert_eq!(escape_text("a\r\nb"), "a\\nb");
        assert_eq!(escape_text("a\rb"), "a\\nb");
        assert_eq!(escape_text("a\nb"), "a\\nb");
        assert_eq!(escape_text("a\r\r\nb"), "a\\n\\nb");
        assert_eq!(escape_text("\r"), "\\n");
        assert_eq!(normalize_text("a\r\r\nb\r"), "a\n\nb\n");
    }

    #[test]
    fn control_characters_are_dropped_but_tab_kept() {
        assert_eq!(escape_text("a\u{0}b\u{7}c\u{1b}d\u{7f}e\tf"), "abcde\tf");
        assert_eq!(normalize_text("a\u{0}b\u{7f}\tc"), "ab\tc");
    }

    #[test]
    fn non_ascii_passes_through() {
        let s = "Équipe 日本 שלום 🎉";
        assert_eq!(escape_text(s), s);
    }

    #[test]
    fn param_values_are_quoted_when_needed() {
        assert_eq!(quote_param_value("Europe/Paris"), "Europe/Paris");
        assert_eq!(quote_param_value("Doe, Jane"), "\"Doe, Jane\"");
        assert_eq!(quote_param_value("a;b"), "\"a;b\"");
        assert_eq!(quote_param_value("mailto:x"), "\"mailto:x\"");
        assert_eq!(quote_param_value("say \"hi\""), "\"say hi\"");
        assert_eq!(quote_param_value("a\r\nb\tc"), "\"ab\tc\"");
        assert_eq!(quote_param_value(""), "\"\"");
        assert_eq!(quote_param_value("Etc/GMT+5"), "Etc/GMT+5");
        assert_eq!(
            quote_param_value("America/Port-au-Prince"),
            "America/Port-au-Prince"
        );
        assert_eq!(quote_param_value("Dupont Marie"), "\"Dupont Marie\"");
        assert_eq!(quote_param_value("山田"), "\"山田\"");
    }

    #[test]
    fn param_values_drop_what_parsers_read_differently() {
        assert_eq!(quote_param_value("DOMAIN\\user"), "\"DOMAIN\\user\"");
        assert_eq!(quote_param_value("a\\:b"), "\"a:b\"");
        assert_eq!(quote_param_value("a\\,b\\;c"), "\"a,b;c\"");
        assert_eq!(quote_param_value("a\\\\b"), "\"a\\b\"");
        assert_eq!(quote_param_value("trailing\\"), "trailing");
        assert_eq!(quote_param_value("q\\\"x"), "\"q\\x\"");
        assert_eq!(quote_param_value("x^ny^^z^'w^N"), "\"xny^z'w^N\"");
        assert_eq!(quote_param_value(" padded\t"), "\" padded\t\"");
        assert_eq!(quote_param_value("ends in space \\"), "\"ends in space \"");
        assert_eq!(quote_param_value("a\\nb\\Nc\\td"), "\"anbNc\\td\"");
        assert_eq!(quote_param_value("a\\^nb"), "anb");
        assert_eq!(quote_param_value("2^10 ^_^"), "\"2^10 ^_^\"");
        assert_eq!(normalize_param_value("a\\:b\""), "a:b");
        // the result never holds an ambiguous pair, whatever the input
        for input in [
            "\\\\\\,", "^^^^^n", "\\\"\\", "^\"n", "\\\u{1}:", "^\\n", "\\^^n", "\\^'\\",
        ] {
            let out = normalize_param_value(input);
            for pair in ["\\\\", "\\:", "\\,", "\\;", "\\n", "\\N"] {
                assert!(!out.contains(pair), "{input:?} -> {out:?}");
            }
            assert!(!out.ends_with('\\'), "{input:?} -> {out:?}");
            assert!(
                !out.contains("^n") && !out.contains("^^") && !out.contains("^'"),
                "{input:?} -> {out:?}"
            );
        }
    }

    #[test]
    fn exactly_75_octets_is_not_folded() {
        let line = "x".repeat(75);
        assert_eq!(fold_line(&line), format!("{line}\r\n"));
    }

    #[test]
    fn seventy_six_octets_fold_once() {
        let line = "x".repeat(76);
        assert_eq!(fold_line(&line), format!("{}\r\n x\r\n", "x".repeat(75)));
    }

    #[test]
    fn continuation_payload_is_74_octets() {
        let line = "y".repeat(75 + 74 + 74 + 1);
        let folded = fold_line(&line);
        let lines = physical_lines(&folded);
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0].len(), 75);
        assert_eq!(lines[1].len(), 75);
        assert_eq!(lines[2].len(), 75);
        assert_eq!(lines[3], " y");
    }

    #[test]
    fn four_byte_emoji_at_the_boundary_moves_to_next_line() {
        // 73 ASCII octets then a 4-octet emoji: octets 74..=77 would straddle the limit.
        let line = format!("{}😀tail", "a".repeat(73));
        let folded = fold_line(&line);
        let lines = physical_lines(&folded);
        assert_eq!(lines[0], "a".repeat(73));
        assert_eq!(lines[1], " 😀tail");
        // and an emoji that ends exactly at octet 75 stays on the first line
        let line = format!("{}😀tail", "a".repeat(71));
        let lines_owned = fold_line(&line);
        let lines = physical_lines(&lines_owned);
        assert_eq!(lines[0].len(), 75);
        assert!(lines[0].ends_with('😀'));
        assert_eq!(lines[1], " tail");
    }

    #[test]
    fn every_cut_of_multibyte_text_is_on_a_char_boundary() {
        for prefix in 0..8 {
            let line = format!("{}{}", "p".repeat(prefix), "日本語😀é".repeat(40));
            let folded = fold_line(&line);
            for l in physical_lines(&folded) {
                assert!(l.len() <= MAX_LINE_OCTETS, "{} octets", l.len());
            }
            let unfolded = folded.trim_end_matches("\r\n").replace("\r\n ", "");
            assert_eq!(unfolded, line);
        }
    }
}
