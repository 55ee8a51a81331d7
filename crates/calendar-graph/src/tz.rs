//! IANA time zones to the Windows zone names Microsoft Graph expects, from the Unicode CLDR
//! `windowsZones` mapping (through the `windows-timezones` crate, generated from that data).
//!
//! Graph's `dateTimeTimeZone` takes a Windows zone name (and a fixed list of IANA names); see
//! <https://learn.microsoft.com/en-us/graph/api/resources/datetimetimezone>. A shift's instants
//! stay in UTC: the zone only chooses how the event is displayed, so daylight-saving time never
//! moves a shift.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};

use chrono::{DateTime, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use windows_timezones::WindowsTimezone;

use crate::error::InputError;

/// The Windows zone name for an IANA zone, such as `Romance Standard Time` for `Europe/Paris`.
///
/// Zones CLDR lists by name are looked up directly. A zone CLDR knows under another name (a
/// tz database link such as `Asia/Kolkata` for `Asia/Calcutta`) is matched to the CLDR zone
/// whose offsets agree with it at every month boundary from 2020 to 2035. A zone that matches
/// none is [`InputError::UnknownTimeZone`].
///
/// ```
/// use calendar_graph::tz::windows_zone;
/// assert_eq!(windows_zone("Europe/Paris")?, "Romance Standard Time");
/// assert_eq!(windows_zone("America/New_York")?, "Eastern Standard Time");
/// assert_eq!(windows_zone("Asia/Kolkata")?, "India Standard Time");
/// assert!(windows_zone("Mars/Olympus_Mons").is_err());
/// # Ok::<(), calendar_graph::InputError>(())
/// ```
pub fn windows_zone(iana: &str) -> Result<&'static str, InputError> {
    let tz = Tz::from_str(iana).map_err(|_| InputError::UnknownTimeZone {
        zone: iana.to_owned(),
    })?;
    windows_zone_of(tz)
}

/// [`windows_zone`] for a parsed zone.
pub fn windows_zone_of(tz: Tz) -> Result<&'static str, InputError> {
    if let Ok(w) = WindowsTimezone::try_from(tz) {
        return Ok(w.name());
    }
    static CACHE: OnceLock<Mutex<HashMap<Tz, Option<&'static str>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&tz) {
        return found.ok_or_else(|| InputError::UnknownTimeZone {
            zone: tz.name().to_owned(),
        });
    }
    let found = same_rules(tz);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(tz, found);
    found.ok_or_else(|| InputError::UnknownTimeZone {
        zone: tz.name().to_owned(),
    })
}

/// The CLDR zone whose UTC offsets equal `tz`'s at each month boundary of 2020–2035.
fn same_rules(tz: Tz) -> Option<&'static str> {
    let samples: Vec<DateTime<Utc>> = (2020..2036)
        .flat_map(|y| (1..=12).map(move |m| (y, m)))
        .filter_map(|(y, m)| Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).single())
        .collect();
    let offsets = |z: Tz| -> Vec<i32> {
        samples
            .iter()
            .map(|t| t.with_timezone(&z).offset().fix().local_minus_utc())
            .collect()
    };
    let want = offsets(tz);
    chrono_tz::TZ_VARIANTS
        .iter()
        .filter_map(|&candidate| WindowsTimezone::try_from(candidate).ok())
        .find(|w| offsets(Tz::from(*w)) == want)
        .map(|w| w.name())
}

/// An instant as Graph's `dateTimeTimeZone`: the wall-clock time in `windows` zone `tz`.
pub(crate) fn local_date_time(instant: DateTime<Utc>, tz: Tz) -> String {
    instant
        .with_timezone(&tz)
        .naive_local()
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// Reads a Graph `dateTimeTimeZone` back into an instant: `UTC` (what `Prefer:
/// outlook.timezone="UTC"` asks for), a Windows zone name, or an IANA name.
pub(crate) fn instant_of(date_time: &str, zone: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(date_time, "%Y-%m-%dT%H:%M:%S%.f").ok()?;
    if zone.eq_ignore_ascii_case("UTC") || zone.is_empty() {
        return Some(naive.and_utc());
    }
    let tz: Tz = match WindowsTimezone::from_str(zone) {
        Ok(w) => Tz::from(w),
        Err(_) => Tz::from_str(zone).ok()?,
    };
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dst_keeps_the_instant() {
        // 2026-03-29 is the spring-forward night in Paris.
        let start = Utc.with_ymd_and_hms(2026, 3, 29, 0, 30, 0).unwrap();
        let tz = Tz::Europe__Paris;
        let local = local_date_time(start, tz);
        assert_eq!(local, "2026-03-29T01:30:00");
        assert_eq!(
            instant_of(&local, windows_zone_of(tz).unwrap()),
            Some(start)
        );
        let after = Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap();
        assert_eq!(local_date_time(after, tz), "2026-03-29T03:30:00");
        assert_eq!(
            instant_of("2026-03-29T03:30:00", "Romance Standard Time"),
            Some(after)
        );
        assert_eq!(
            instant_of("2026-03-29T01:30:00.0000000", "UTC"),
            Some(Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap())
        );
    }

    #[test]
    fn unknown_zone_is_typed() {
        assert!(matches!(
            windows_zone("Europe/Atlantis"),
            Err(InputError::UnknownTimeZone { .. })
        ));
    }
}
