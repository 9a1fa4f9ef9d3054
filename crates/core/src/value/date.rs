//! Civil dates (proleptic Gregorian), with just the arithmetic the engine needs: parsing and
//! formatting `YYYY-MM-DD`, day and month offsets and ordering (working days: `calendar`).
//!
//! Written by hand rather than pulled from a date crate because the SPA's wasm size matters and
//! the engine needs a few dozen lines of it. "Today" is always passed in by the caller: reading a
//! clock here would panic on wasm32 and make rules untestable.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date without time zone (dates in Chinese administration are Beijing dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year (1–9999 when parsed).
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–28/29/30/31.
    pub day: u8,
}

/// Whether `year` is a Gregorian leap year: divisible by 4, except centuries not divisible by 400.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in `month` (1–12) of `year`; 0 for an invalid month.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A checked date: `None` when the month or day does not exist (e.g. 2023-02-29).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Self> {
        if (1..=9999).contains(&year) && day >= 1 && day <= days_in_month(year, month) {
            Some(Date { year, month, day })
        } else {
            None
        }
    }

    /// Parses exactly `YYYY-MM-DD` (ISO 8601 calendar date, extended format).
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = digits(&b[0..4])?;
        let month = digits(&b[5..7])?;
        let day = digits(&b[8..10])?;
        Date::new(
            i32::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    /// Parses the compact `YYYYMMDD` form used inside resident ID numbers (GB 11643-1999 §5.2.2).
    pub fn parse_compact(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 8 {
            return None;
        }
        Date::new(
            i32::try_from(digits(&b[0..4])?).ok()?,
            u8::try_from(digits(&b[4..6])?).ok()?,
            u8::try_from(digits(&b[6..8])?).ok()?,
        )
    }

    /// Days since 1970-01-01 (negative before). Howard Hinnant's `days_from_civil` algorithm.
    pub fn to_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01 (inverse of [`Date::to_days`]).
    pub fn from_days(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }

    /// This date moved by `days` (negative: earlier).
    #[must_use]
    pub fn add_days(self, days: i64) -> Self {
        Date::from_days(self.to_days() + days)
    }

    /// This date moved by `months`, the day clamped to the target month's length
    /// (2024-01-31 + 1 month = 2024-02-29; 2024-02-29 − 12 months = 2023-02-28).
    #[must_use]
    pub fn add_months(self, months: i32) -> Self {
        let total = self.year * 12 + i32::from(self.month) - 1 + months;
        let year = total.div_euclid(12);
        let month = u8::try_from(total.rem_euclid(12) + 1).unwrap_or(1);
        let day = self.day.min(days_in_month(year, month));
        Date { year, month, day }
    }

    /// Day of the week, 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
    pub fn weekday(self) -> u8 {
        u8::try_from((self.to_days() + 3).rem_euclid(7)).unwrap_or(0)
    }

    /// Whole years from `self` to `other` (an age): a birthday on 29 February counts on
    /// 28 February in common years, as `add_months` clamps.
    pub fn years_until(self, other: Date) -> i32 {
        let mut years = other.year - self.year;
        if years > 0 && self.add_months(years * 12) > other {
            years -= 1;
        }
        years
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s).ok_or("expected a date as YYYY-MM-DD")
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).ok_or_else(|| serde::de::Error::custom("expected a date as YYYY-MM-DD"))
    }
}

/// A date and a time of day to the minute, as `YYYY-MM-DDTHH:MM` (the value of an HTML
/// `datetime-local` input; seconds, when given, are accepted and ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    /// The calendar date.
    pub date: Date,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
}

impl DateTime {
    /// Parses `YYYY-MM-DDTHH:MM` or `YYYY-MM-DDTHH:MM:SS` (a space instead of `T` is accepted).
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if !(b.len() == 16 || b.len() == 19) || !(b[10] == b'T' || b[10] == b' ') || b[13] != b':' {
            return None;
        }
        let date = Date::parse(s.get(0..10)?)?;
        let hour = u8::try_from(digits(&b[11..13])?).ok()?;
        let minute = u8::try_from(digits(&b[14..16])?).ok()?;
        if b.len() == 19 && (b[16] != b':' || digits(&b[17..19])? > 59) {
            return None;
        }
        (hour < 24 && minute < 60).then_some(DateTime { date, hour, minute })
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}T{:02}:{:02}", self.date, self.hour, self.minute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).expect(s)
    }

    #[test]
    fn parse_and_format_round_trip() {
        for s in [
            "1970-01-01",
            "2000-02-29",
            "2024-12-31",
            "0001-01-01",
            "9999-12-31",
        ] {
            assert_eq!(d(s).to_string(), s);
        }
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "２０２４-01-01",
            "",
            "0000-01-01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn leap_years_follow_the_gregorian_rule() {
        assert!(is_leap_year(2000));
        assert!(is_leap_year(2024));
        assert!(!is_leap_year(1900));
        assert!(!is_leap_year(2023));
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
    }

    #[test]
    fn day_numbers_round_trip_and_know_the_epoch() {
        assert_eq!(d("1970-01-01").to_days(), 0);
        assert_eq!(d("2000-03-01").to_days(), 11_017);
        for n in (-800_000..800_000).step_by(997) {
            assert_eq!(Date::from_days(n).to_days(), n);
        }
        assert_eq!(d("2024-02-28").add_days(1), d("2024-02-29"));
        assert_eq!(d("2023-02-28").add_days(1), d("2023-03-01"));
        assert_eq!(d("2024-01-01").add_days(-1), d("2023-12-31"));
    }

    #[test]
    fn months_clamp_to_the_end_of_the_month() {
        assert_eq!(d("2024-01-31").add_months(1), d("2024-02-29"));
        assert_eq!(d("2024-02-29").add_months(-12), d("2023-02-28"));
        assert_eq!(d("2024-03-15").add_months(-6), d("2023-09-15"));
        assert_eq!(d("2024-11-30").add_months(3), d("2025-02-28"));
    }

    #[test]
    fn weekdays_count_from_the_epoch() {
        assert_eq!(d("1970-01-01").weekday(), 3); // Thursday
        assert_eq!(d("2026-11-28").weekday(), 5); // Saturday
    }

    #[test]
    fn ages_count_whole_years_and_leap_birthdays() {
        assert_eq!(d("2020-02-29").years_until(d("2021-02-27")), 0);
        assert_eq!(d("2020-02-29").years_until(d("2021-02-28")), 1);
        assert_eq!(d("1990-06-15").years_until(d("2026-06-14")), 35);
        assert_eq!(d("1990-06-15").years_until(d("2026-06-15")), 36);
    }

    #[test]
    fn date_times_parse_to_the_minute() {
        let t = DateTime::parse("2026-11-20T08:05").expect("valid");
        assert_eq!((t.hour, t.minute), (8, 5));
        assert_eq!(t.to_string(), "2026-11-20T08:05");
        assert!(DateTime::parse("2026-11-20 23:59:59").is_some());
        for bad in [
            "2026-11-20T24:00",
            "2026-11-20T10:60",
            "2026-11-20",
            "2026-02-30T10:00",
        ] {
            assert!(DateTime::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn serde_uses_the_iso_string() {
        let j = serde_json::to_string(&d("2026-01-05")).expect("ser");
        assert_eq!(j, "\"2026-01-05\"");
        assert_eq!(
            serde_json::from_str::<Date>(&j).expect("de"),
            d("2026-01-05")
        );
        assert!(serde_json::from_str::<Date>("\"2026-02-30\"").is_err());
    }
}
