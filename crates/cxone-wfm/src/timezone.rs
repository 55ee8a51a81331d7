//! Time zones as rosters spell them: IANA names kept, Windows names and fixed offsets mapped to
//! an IANA name only where one zone is meant, anything else flagged.

use std::str::FromStr;

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
/// (`Central Standard Time`, mapped as the CLDR `windowsZones` table maps it for territory
/// `001`), or an offset (`GMT-06:00`, `UTC+05:45`, `+08:45`). An offset is mapped only when a
/// single zone uses it (`+05:45` is Nepal only), or when it is zero (`Etc/UTC`); most offsets
/// are shared by zones with different daylight-saving rules and are [`ZoneReading::Ambiguous`].
///
/// ```
/// use cxone_wfm::timezone::{read_zone, ZoneReading};
/// assert_eq!(read_zone("America/Chicago"), ZoneReading::Iana("America/Chicago".into()));
/// assert!(matches!(read_zone("Central Standard Time"), ZoneReading::Mapped { iana, .. } if iana == "America/Chicago"));
/// assert!(matches!(read_zone("GMT+05:45"), ZoneReading::Mapped { iana, .. } if iana == "Asia/Kathmandu"));
/// assert_eq!(read_zone("GMT-06:00"), ZoneReading::Ambiguous("GMT-06:00".into()));
/// assert_eq!(read_zone("Mars/Olympus"), ZoneReading::Unknown("Mars/Olympus".into()));
/// ```
pub fn read_zone(given: &str) -> ZoneReading {
    let t = given.trim();
    if is_iana(t) {
        return ZoneReading::Iana(t.to_owned());
    }
    let mapped = |iana: &str| ZoneReading::Mapped {
        given: t.to_owned(),
        iana: iana.to_owned(),
    };
    if let Some((_, iana)) = WINDOWS.iter().find(|(w, _)| w.eq_ignore_ascii_case(t)) {
        return mapped(iana);
    }
    if let Some(minutes) = parse_offset(t) {
        if minutes == 0 {
            return mapped("Etc/UTC");
        }
        if let Some((_, iana)) = SINGLE_ZONE_OFFSETS.iter().find(|(m, _)| *m == minutes) {
            return mapped(iana);
        }
        return ZoneReading::Ambiguous(t.to_owned());
    }
    ZoneReading::Unknown(t.to_owned())
}

/// Whether `name` is a zone of the tz database (as `chrono-tz` carries it).
pub fn is_iana(name: &str) -> bool {
    chrono_tz::Tz::from_str(name).is_ok()
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

/// Offsets (minutes east of UTC) that one zone of the tz database uses all year.
const SINGLE_ZONE_OFFSETS: &[(i32, &str)] = &[
    (345, "Asia/Kathmandu"),
    (525, "Australia/Eucla"),
    (-570, "Pacific/Marquesas"),
];

/// Windows zone names and the IANA zone the CLDR `windowsZones` table gives for territory
/// `001` (<https://github.com/unicode-org/cldr/blob/main/common/supplemental/windowsZones.xml>).
const WINDOWS: &[(&str, &str)] = &[
    ("Dateline Standard Time", "Etc/GMT+12"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Mountain Standard Time", "America/Denver"),
    ("Central America Standard Time", "America/Guatemala"),
    ("Central Standard Time", "America/Chicago"),
    ("Central Standard Time (Mexico)", "America/Mexico_City"),
    ("Canada Central Standard Time", "America/Regina"),
    ("SA Pacific Standard Time", "America/Bogota"),
    ("Eastern Standard Time", "America/New_York"),
    ("US Eastern Standard Time", "America/Indianapolis"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("Newfoundland Standard Time", "America/St_Johns"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("Argentina Standard Time", "America/Buenos_Aires"),
    ("UTC", "Etc/UTC"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("South Africa Standard Time", "Africa/Johannesburg"),
    ("Israel Standard Time", "Asia/Jerusalem"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("Pakistan Standard Time", "Asia/Karachi"),
    ("India Standard Time", "Asia/Calcutta"),
    ("Nepal Standard Time", "Asia/Katmandu"),
    ("SE Asia Standard Time", "Asia/Bangkok"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("E. Australia Standard Time", "Australia/Brisbane"),
    ("Cen. Australia Standard Time", "Australia/Adelaide"),
    ("W. Australia Standard Time", "Australia/Perth"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_targets_are_iana() {
        for (w, iana) in WINDOWS {
            assert!(is_iana(iana), "{w} -> {iana}");
        }
        for (_, iana) in SINGLE_ZONE_OFFSETS {
            assert!(is_iana(iana));
        }
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
        assert!(matches!(read_zone("GMT+01:00"), ZoneReading::Ambiguous(_)));
    }
}
