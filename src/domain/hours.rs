//! Business hours of a department: an IANA time zone, a weekly schedule of open intervals per
//! weekday (local times) and holidays (local dates closed all day). Outside them the bot tells a
//! customer whose message opens a ticket when agents are back.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike, Utc, Weekday};

/// The most open intervals on one weekday.
pub const MAX_INTERVALS_PER_DAY: usize = 6;
/// The most holidays a department may list.
pub const MAX_HOLIDAYS: usize = 400;

/// Business hours as stored and as the API shows them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessHours {
    /// An IANA time zone name, such as `Europe/Berlin`.
    pub time_zone: String,
    /// Open intervals per weekday, as `["09:00", "17:00"]` pairs of local times (`24:00` may end
    /// a day); a missing weekday is closed.
    #[serde(default)]
    pub weekly: Weekly,
    /// Local dates closed all day (`YYYY-MM-DD`).
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
}

/// Open intervals per weekday.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weekly {
    #[serde(default)]
    pub mon: Vec<[String; 2]>,
    #[serde(default)]
    pub tue: Vec<[String; 2]>,
    #[serde(default)]
    pub wed: Vec<[String; 2]>,
    #[serde(default)]
    pub thu: Vec<[String; 2]>,
    #[serde(default)]
    pub fri: Vec<[String; 2]>,
    #[serde(default)]
    pub sat: Vec<[String; 2]>,
    #[serde(default)]
    pub sun: Vec<[String; 2]>,
}

impl Weekly {
    fn day(&self, day: Weekday) -> &[[String; 2]] {
        match day {
            Weekday::Mon => &self.mon,
            Weekday::Tue => &self.tue,
            Weekday::Wed => &self.wed,
            Weekday::Thu => &self.thu,
            Weekday::Fri => &self.fri,
            Weekday::Sat => &self.sat,
            Weekday::Sun => &self.sun,
        }
    }

    fn days_mut(&mut self) -> [&mut Vec<[String; 2]>; 7] {
        [
            &mut self.mon,
            &mut self.tue,
            &mut self.wed,
            &mut self.thu,
            &mut self.fri,
            &mut self.sat,
            &mut self.sun,
        ]
    }
}

/// When a closed department opens again, in its own time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reopening {
    /// The local date and time it opens.
    pub at: chrono::NaiveDateTime,
    /// The time zone's name.
    pub time_zone: String,
    /// Whether that is more than six days ahead (then the date is worth naming).
    pub far: bool,
}

impl Reopening {
    /// "Mon 09:00 (Europe/Berlin)", with the date when it is a week or more away; weekday names
    /// in `language` (English, or Russian for `ru`).
    pub fn describe(&self, language: Option<&str>) -> String {
        let index = self.at.weekday().num_days_from_monday() as usize;
        let day = if language.is_some_and(|l| l.starts_with("ru")) {
            ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"][index]
        } else {
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][index]
        };
        let date = if self.far {
            format!(" {}", self.at.format("%Y-%m-%d"))
        } else {
            String::new()
        };
        format!(
            "{day}{date} {} ({})",
            self.at.format("%H:%M"),
            self.time_zone
        )
    }
}

impl BusinessHours {
    /// Checks and normalizes hours typed by an admin: a known time zone, `HH:MM` times with each
    /// interval's start before its end and no overlaps, at most 6 intervals a day, at least one
    /// in the week, at most 400 holidays (sorted, duplicates dropped).
    pub fn checked(mut self) -> Result<Self, String> {
        let name = self.time_zone.trim().to_owned();
        if name.is_empty() || name.len() > 64 || jiff::tz::TimeZone::get(&name).is_err() {
            return Err(format!(
                "business_hours.time_zone: {:?} is not a known IANA time zone",
                self.time_zone
            ));
        }
        self.time_zone = name;
        let mut any = false;
        for day in self.weekly.days_mut() {
            if day.len() > MAX_INTERVALS_PER_DAY {
                return Err("business_hours.weekly: at most 6 intervals a day".to_owned());
            }
            let mut spans = Vec::with_capacity(day.len());
            for [from, to] in day.iter() {
                let start = minutes(from, false)?;
                let end = minutes(to, true)?;
                if start >= end {
                    return Err(format!(
                        "business_hours.weekly: the interval {from}-{to} ends before it starts"
                    ));
                }
                spans.push((start, end));
            }
            spans.sort_unstable();
            if spans.windows(2).any(|w| w[0].1 > w[1].0) {
                return Err("business_hours.weekly: intervals of a day overlap".to_owned());
            }
            any |= !spans.is_empty();
            *day = spans
                .into_iter()
                .map(|(a, b)| [clock_text(a), clock_text(b)])
                .collect();
        }
        if !any {
            return Err("business_hours.weekly: open at least one interval in the week".to_owned());
        }
        if self.holidays.len() > MAX_HOLIDAYS {
            return Err("business_hours.holidays: at most 400 dates".to_owned());
        }
        self.holidays.sort_unstable();
        self.holidays.dedup();
        Ok(self)
    }

    /// None while open at `now`; otherwise when it opens again (None inside: not within the next
    /// ~14 months). Hours whose time zone this system does not know count as open.
    pub fn closed_at(&self, now: DateTime<Utc>) -> Option<Option<Reopening>> {
        let local = local_time(&self.time_zone, now)?;
        let today = local.date();
        let time = local.time().hour() * 60 + local.time().minute();
        if self.open_on(today).any(|(a, b)| a <= time && time < b) {
            return None;
        }
        let horizon = MAX_HOLIDAYS as u64 + 8;
        for ahead in 0..=horizon {
            let Some(date) = today.checked_add_days(chrono::Days::new(ahead)) else {
                break;
            };
            let next = self
                .open_on(date)
                .map(|(a, _)| a)
                .find(|a| ahead > 0 || *a > time);
            if let Some(start) = next {
                let at = date.and_time(NaiveTime::from_hms_opt(start / 60, start % 60, 0)?);
                return Some(Some(Reopening {
                    at,
                    time_zone: self.time_zone.clone(),
                    far: ahead > 6,
                }));
            }
        }
        Some(None)
    }

    /// The open intervals of a local date, in minutes of the day (none on a holiday).
    fn open_on(&self, date: NaiveDate) -> impl Iterator<Item = (u32, u32)> + '_ {
        let holiday = self.holidays.binary_search(&date).is_ok();
        let day = if holiday {
            &[][..]
        } else {
            self.weekly.day(date.weekday())
        };
        day.iter()
            .filter_map(|[a, b]| Some((minutes(a, false).ok()?, minutes(b, true).ok()?)))
    }
}

/// The local date and time of `now` in the time zone `name`; None when the zone is unknown.
fn local_time(name: &str, now: DateTime<Utc>) -> Option<chrono::NaiveDateTime> {
    let zone = jiff::tz::TimeZone::get(name).ok()?;
    let stamp = jiff::Timestamp::from_second(now.timestamp()).ok()?;
    let civil = zone.to_datetime(stamp);
    let date = NaiveDate::from_ymd_opt(
        i32::from(civil.year()),
        u32::try_from(civil.month()).ok()?,
        u32::try_from(civil.day()).ok()?,
    )?;
    let time = NaiveTime::from_hms_opt(
        u32::try_from(civil.hour()).ok()?,
        u32::try_from(civil.minute()).ok()?,
        u32::try_from(civil.second()).ok()?,
    )?;
    Some(date.and_time(time))
}

/// `HH:MM` as minutes of the day; `24:00` only as an end.
fn minutes(text: &str, end: bool) -> Result<u32, String> {
    let bad = || format!("business_hours.weekly: {text:?} is not a time of day (HH:MM)");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    match (h, m) {
        (24, 0) if end => Ok(24 * 60),
        (0..=23, 0..=59) => Ok(h * 60 + m),
        _ => Err(bad()),
    }
}

fn clock_text(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn tokyo_weekdays() -> BusinessHours {
        let nine_to_six = vec![["09:00".to_owned(), "18:00".to_owned()]];
        BusinessHours {
            time_zone: "Asia/Tokyo".to_owned(),
            weekly: Weekly {
                mon: nine_to_six.clone(),
                tue: nine_to_six.clone(),
                wed: nine_to_six.clone(),
                thu: nine_to_six.clone(),
                fri: nine_to_six,
                ..Weekly::default()
            },
            holidays: vec![NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()],
        }
        .checked()
        .unwrap()
    }

    #[test]
    fn a_utc_sunday_evening_is_monday_morning_in_tokyo() {
        let hours = tokyo_weekdays();
        // Sunday 2026-11-29 23:30 UTC is Monday 08:30 in Tokyo: closed until 09:00 that day.
        let now = Utc.with_ymd_and_hms(2026, 11, 29, 23, 30, 0).unwrap();
        let reopening = hours.closed_at(now).unwrap().unwrap();
        assert_eq!(reopening.describe(None), "Mon 09:00 (Asia/Tokyo)");
        // Monday 00:30 UTC is Monday 09:30 in Tokyo: open.
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 0, 30, 0).unwrap();
        assert_eq!(hours.closed_at(now), None);
    }

    #[test]
    fn a_holiday_is_skipped() {
        let hours = tokyo_weekdays();
        // Friday 2026-12-04 10:00 UTC is 19:00 in Tokyo; Monday the 7th is a holiday.
        let now = Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap();
        let reopening = hours.closed_at(now).unwrap().unwrap();
        assert_eq!(reopening.describe(Some("ru")), "Вт 09:00 (Asia/Tokyo)");
    }

    #[test]
    fn bad_hours_are_refused() {
        let mut hours = tokyo_weekdays();
        hours.time_zone = "Mars/Olympus".to_owned();
        assert!(hours.checked().is_err());
        let mut hours = tokyo_weekdays();
        hours.weekly.mon = vec![["10:00".to_owned(), "09:00".to_owned()]];
        assert!(hours.checked().is_err());
        let mut hours = tokyo_weekdays();
        hours.weekly.mon = vec![
            ["09:00".to_owned(), "12:00".to_owned()],
            ["11:00".to_owned(), "13:00".to_owned()],
        ];
        assert!(hours.checked().is_err());
        let mut hours = tokyo_weekdays();
        hours.weekly.tue = vec![["9:00".to_owned(), "24:01".to_owned()]];
        assert!(hours.checked().is_err());
    }
}
