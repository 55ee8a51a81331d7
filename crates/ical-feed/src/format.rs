//! Fixed-width formatting of RFC 5545 DATE-TIME, UTC-OFFSET and DURATION values.
//! Hand-written digit pushing: the writer calls these for every event, so no `format!` here.

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};

/// Appends `20260329T010000Z` (FORM #2, UTC; RFC 5545 §3.3.5).
pub(crate) fn push_utc(out: &mut String, at: &DateTime<Utc>) {
    push_naive(out, &at.naive_utc());
    out.push('Z');
}

/// Appends `20260329T030000` (FORM #1/#3 body: local time, no `Z`).
pub(crate) fn push_naive(out: &mut String, at: &NaiveDateTime) {
    // Shift validation keeps years in 0001..=9999, so four digits always suffice.
    push_digits(out, at.year().unsigned_abs(), 4);
    push_digits(out, at.month(), 2);
    push_digits(out, at.day(), 2);
    out.push('T');
    push_digits(out, at.hour(), 2);
    push_digits(out, at.minute(), 2);
    push_digits(out, at.second(), 2);
}

/// Appends a UTC offset in seconds as `+HHMM` or `+HHMMSS` (RFC 5545 §3.3.14). Zero is `+0000`:
/// the grammar forbids `-0000`.
pub(crate) fn push_utc_offset(out: &mut String, seconds: i32) {
    out.push(if seconds < 0 { '-' } else { '+' });
    let s = seconds.unsigned_abs();
    push_digits(out, s / 3600, 2);
    push_digits(out, (s / 60) % 60, 2);
    if !s.is_multiple_of(60) {
        push_digits(out, s % 60, 2);
    }
}

/// Appends a positive duration in whole seconds (RFC 5545 §3.3.6), e.g. `PT1H`, `PT15M`,
/// `P1D`, `P1DT1H0M5S`. The grammar allows a second count only after a minute count, and a
/// minute count only after an hour count or alone, so zeros are written where it requires them.
pub(crate) fn push_duration(out: &mut String, seconds: u64) {
    out.push('P');
    let days = seconds / 86_400;
    let rest = seconds % 86_400;
    if days > 0 {
        push_u64(out, days);
        out.push('D');
    }
    if rest == 0 {
        if days == 0 {
            out.push_str("T0S");
        }
        return;
    }
    let (h, m, s) = (rest / 3600, (rest / 60) % 60, rest % 60);
    out.push('T');
    if h > 0 {
        push_u64(out, h);
        out.push('H');
    }
    if m > 0 || (h > 0 && s > 0) {
        push_u64(out, m);
        out.push('M');
    }
    if s > 0 {
        push_u64(out, s);
        out.push('S');
    }
}

fn push_digits(out: &mut String, value: u32, width: u32) {
    let mut div = 10u32.pow(width - 1);
    while div > 0 {
        out.push(char::from(b'0' + ((value / div) % 10) as u8));
        div /= 10;
    }
}

pub(crate) fn push_u64(out: &mut String, value: u64) {
    let mut digits = [0u8; 20];
    let mut n = value;
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn s(f: impl FnOnce(&mut String)) -> String {
        let mut out = String::new();
        f(&mut out);
        out
    }

    #[test]
    fn utc_date_time() {
        let t = Utc.with_ymd_and_hms(2026, 3, 29, 1, 2, 3).unwrap();
        assert_eq!(s(|o| push_utc(o, &t)), "20260329T010203Z");
        let t = Utc.with_ymd_and_hms(1, 1, 2, 0, 0, 0).unwrap();
        assert_eq!(s(|o| push_utc(o, &t)), "00010102T000000Z");
    }

    #[test]
    fn offsets() {
        assert_eq!(s(|o| push_utc_offset(o, 0)), "+0000");
        assert_eq!(s(|o| push_utc_offset(o, 7200)), "+0200");
        assert_eq!(s(|o| push_utc_offset(o, -21600)), "-0600");
        assert_eq!(s(|o| push_utc_offset(o, 19800)), "+0530");
        assert_eq!(s(|o| push_utc_offset(o, 561)), "+000921");
        assert_eq!(s(|o| push_utc_offset(o, -(3600 + 61))), "-010101");
    }

    #[test]
    fn durations() {
        assert_eq!(s(|o| push_duration(o, 3600)), "PT1H");
        assert_eq!(s(|o| push_duration(o, 900)), "PT15M");
        assert_eq!(s(|o| push_duration(o, 86_400)), "P1D");
        assert_eq!(s(|o| push_duration(o, 90_000)), "P1DT1H");
        assert_eq!(s(|o| push_duration(o, 3605)), "PT1H0M5S");
        assert_eq!(s(|o| push_duration(o, 65)), "PT1M5S");
        assert_eq!(s(|o| push_duration(o, 5)), "PT5S");
        assert_eq!(s(|o| push_duration(o, 0)), "PT0S");
        assert_eq!(s(|o| push_duration(o, 1_000_000)), "P11DT13H46M40S");
    }
}
