//! Time zones as rosters spell them: IANA names kept, Windows names and fixed offsets mapped to
//! an IANA name only where one zone is meant, anything else flagged.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::OnceLock;

use chrono::{Offset, TimeZone, Utc};
use chrono_tz::Tz;
use windows_timezones::WindowsTimezone;

/// How a roster's time zone was read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ZoneReading {
    /// An IANA name of the tz database, kept as given.
    Iana(String),
    /// A Windows zone name or an offset mapped to the one IANA zone it stands for.
    Mapped {
        /// What the roster said.
        given: String,
        /// The IANA zone used.
        iana: String,
    },
    /// An offset such as `GMT-06:00` that several zones with different rules share
    /// (`America/Chicago` keeps daylight saving time, `America/Regina` does not).
    Ambiguous(String),
    /// Not a time zone this reader knows.
    Unknown(String),
}

/// Reads a roster's time zone: an IANA name (`America/Chicago`), a Windows zone name
/// (`Central Standard Time`, any case) or a Windows zone's display name
/// (`(UTC-06:00) Central Time (US & Canada)`), mapped to the zone the Unicode CLDR
/// `windowsZones` table gives it for territory `001` (the data of the `windows-timezones`
/// crate), or an offset (`GMT-06:00`, `UTC+05:45`, `+08:45`). An offset is mapped only when a
/// single Windows zone ever uses it, and uses it all year (`+05:45` is Nepal only), or when it
/// is zero (`Etc/UTC`); most offsets are shared by zones with different daylight-saving rules
/// and are [`ZoneReading::Ambiguous`]; an offset no zone uses is [`ZoneReading::Unknown`].
///
/// ```
/// use cxone_wfm::timezone::{read_zone, ZoneReading};
/// assert_eq!(read_zone("America/Chicago"), ZoneReading::Iana("America/Chicago".into()));
/// assert!(matches!(read_zone("Central Standard Time"), ZoneReading::Mapped { iana, .. } if iana == "America/Chicago"));
/// assert!(matches!(read_zone("(UTC-06:00) Saskatchewan"), ZoneReading::Mapped { iana, .. } if iana == "America/Regina"));
/// assert!(matches!(read_zone("GMT+05:45"), ZoneReading::Mapped { iana, .. } if iana == "Asia/Katmandu"));
/// assert_eq!(read_zone("GMT-06:00"), ZoneReading::Ambiguous("GMT-06:00".into()));
/// assert_eq!(read_zone("Mars/Olympus"), ZoneReading::Unknown("Mars/Olympus".into()));
/// ```
pub fn read_zone(given: &str) -> ZoneReading {
    let t = given.trim();
    if is_iana(t) {
        return ZoneReading::Iana(t.to_owned());
    }
    let mapped = |iana: Tz| ZoneReading::Mapped {
        given: t.to_owned(),
        iana: iana.name().to_owned(),
    };
    if let Some(tz) = windows_zone(t) {
        return mapped(tz);
    }
    if let Some(minutes) = parse_offset(t) {
        if minutes == 0 {
            return mapped(Tz::Etc__UTC);
        }
        return match offset_zone(minutes) {
            OffsetUse::One(tz) => mapped(tz),
            OffsetUse::Shared => ZoneReading::Ambiguous(t.to_owned()),
            OffsetUse::Unused => ZoneReading::Unknown(t.to_owned()),
        };
    }
    ZoneReading::Unknown(t.to_owned())
}

/// Whether `name` is a zone of the tz database (as `chrono-tz` carries it).
pub fn is_iana(name: &str) -> bool {
    Tz::from_str(name).is_ok()
}

/// Minutes east of UTC in `GMT-06:00`, `UTC+5:45`, `+08:45`, `GMT+3`, `UTC`.
fn parse_offset(s: &str) -> Option<i32> {
    let upper = s.to_ascii_uppercase();
    let rest = upper
        .strip_prefix("GMT")
        .or_else(|| upper.strip_prefix("UTC"))
        .unwrap_or(&upper)
        .trim();
    if rest.is_empty() {
        return (upper == "GMT" || upper == "UTC").then_some(0);
    }
    let (sign, digits) = match rest.as_bytes()[0] {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 => digits.split_at(2),
        None => (digits, "0"),
    };
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if !(0..=14).contains(&h) || !(0..60).contains(&m) || h.to_string().len() > 2 {
        return None;
    }
    Some(sign * (h * 60 + m))
}

/// Every Windows zone CLDR lists, once each.
fn windows_zones() -> &'static [WindowsTimezone] {
    static ZONES: OnceLock<Vec<WindowsTimezone>> = OnceLock::new();
    ZONES.get_or_init(|| {
        let mut zones: Vec<WindowsTimezone> = Vec::new();
        for tz in chrono_tz::TZ_VARIANTS {
            if let Ok(w) = WindowsTimezone::try_from(tz)
                && !zones.contains(&w)
            {
                zones.push(w);
            }
        }
        zones
    })
}

/// The CLDR territory-`001` zone of a Windows zone name or display name, in any case; `None`
/// when no Windows zone has this name, or when two with different zones share it.
fn windows_zone(name: &str) -> Option<Tz> {
    if let Ok(w) = WindowsTimezone::from_str(name) {
        return Some(Tz::from(w));
    }
    static BY_NAME: OnceLock<HashMap<String, Option<Tz>>> = OnceLock::new();
    let by_name = BY_NAME.get_or_init(|| {
        let mut map: HashMap<String, Option<Tz>> = HashMap::new();
        for &w in windows_zones() {
            let tz = Tz::from(w);
            for key in [w.name(), w.description()] {
                map.entry(key.to_lowercase())
                    .and_modify(|seen| {
                        if *seen != Some(tz) {
                            *seen = None;
                        }
                    })
                    .or_insert(Some(tz));
            }
        }
        map
    });
    by_name.get(&name.to_lowercase()).copied().flatten()
}

/// Who uses an offset among the Windows zones.
enum OffsetUse {
    /// One zone, all year.
    One(Tz),
    /// Several zones, or one only part of the year.
    Shared,
    /// No zone.
    Unused,
}

/// The UTC offsets (minutes) of `tz` at each month boundary of 2020–2035.
fn offsets(tz: Tz) -> Vec<i32> {
    (2020..2036)
        .flat_map(|y| (1..=12).map(move |m| (y, m)))
        .filter_map(|(y, m)| Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).single())
        .map(|t| t.with_timezone(&tz).offset().fix().local_minus_utc() / 60)
        .collect()
}

fn offset_zone(minutes: i32) -> OffsetUse {
    static BY_OFFSET: OnceLock<Vec<(Tz, Vec<i32>)>> = OnceLock::new();
    let zones = BY_OFFSET.get_or_init(|| {
        let mut zones: Vec<(Tz, Vec<i32>)> = Vec::new();
        for &w in windows_zones() {
            let tz = Tz::from(w);
            if !zones.iter().any(|(z, _)| *z == tz) {
                zones.push((tz, offsets(tz)));
            }
        }
        zones
    });
    let mut users = zones.iter().filter(|(_, o)| o.contains(&minutes));
    match (users.next(), users.next()) {
        (None, _) => OffsetUse::Unused,
        (Some((tz, o)), None) if o.iter().all(|m| *m == minutes) => OffsetUse::One(*tz),
        _ => OffsetUse::Shared,
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_names_come_from_cldr() {
        // Every Windows zone CLDR lists, by name and by display name, in any case.
        assert!(windows_zones().len() > 130, "{}", windows_zones().len());
        for &w in windows_zones() {
            let want = Tz::from(w);
            assert_eq!(windows_zone(w.name()), Some(want), "{}", w.name());
            assert_eq!(windows_zone(&w.name().to_uppercase()), Some(want));
            assert_eq!(
                windows_zone(w.description()),
                Some(want),
                "{}",
                w.description()
            );
            assert!(is_iana(want.name()), "{} -> {}", w.name(), want.name());
        }
        for (windows, iana) in [
            ("Central Standard Time", "America/Chicago"),
            ("Canada Central Standard Time", "America/Regina"),
            ("W. Europe Standard Time", "Europe/Berlin"),
            ("India Standard Time", "Asia/Calcutta"),
            ("Dateline Standard Time", "Etc/GMT+12"),
        ] {
            assert_eq!(
                read_zone(windows),
                ZoneReading::Mapped {
                    given: windows.into(),
                    iana: iana.into()
                }
            );
        }
        assert_eq!(windows_zone("Central"), None);
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("GMT-06:00"), Some(-360));
        assert_eq!(parse_offset("UTC+5:45"), Some(345));
        assert_eq!(parse_offset("+0845"), Some(525));
        assert_eq!(parse_offset("GMT+3"), Some(180));
        assert_eq!(parse_offset("GMT"), Some(0));
        assert_eq!(parse_offset("GMT+99"), None);
        assert_eq!(parse_offset("Central"), None);
        assert_eq!(
            read_zone("UTC+00:00"),
            ZoneReading::Mapped {
                given: "UTC+00:00".into(),
                iana: "Etc/UTC".into()
            }
        );
        for one in ["+05:45", "+08:45", "-09:30"] {
            assert!(
                matches!(read_zone(one), ZoneReading::Mapped { .. }),
                "{one}: {:?}",
                read_zone(one)
            );
        }
        // Shared by zones with different rules (or by one zone part of the year only).
        for shared in ["GMT-06:00", "GMT+01:00", "UTC-05:00", "+05:30", "+10:30"] {
            assert_eq!(read_zone(shared), ZoneReading::Ambiguous(shared.into()));
        }
        assert_eq!(read_zone("+03:17"), ZoneReading::Unknown("+03:17".into()));
    }
}
