//! China's working-day calendar: the State Council's yearly holiday arrangement (放假调休) as data,
//! and working-day arithmetic that honours it.
//!
//! Each year is one file, `services/calendar/<year>.toml`, transcribed from that year's notice
//! (国务院办公厅关于<year>年部分节假日安排的通知, 国办发明电〔…〕…号). The files are compiled in
//! (`build.rs` lists them) and read by the small parser below rather than by the `toml` crate,
//! which the SPA's wasm does not carry. A year without a file is never guessed: its working days
//! fall back to Monday–Friday and every date computed across it is marked *estimated*, so the
//! person is told the holidays are not counted.

use serde::{Deserialize, Serialize};

use super::date::Date;

include!(concat!(env!("OUT_DIR"), "/calendar_files.rs"));

/// One item of a notice: a span of days off and the weekend days worked instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    /// The notice's name for it (春节, 国庆节、中秋节 …).
    pub name: String,
    /// The first day off.
    pub first: Date,
    /// The last day off (inclusive).
    pub last: Date,
    /// Weekend days that are working days (调休上班).
    pub work: Vec<Date>,
}

/// One year's arrangement, as its notice publishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearArrangement {
    /// The calendar year.
    pub year: i32,
    /// The notice's document number (国办发明电〔2025〕7号).
    pub notice: String,
    /// The notice's date.
    pub published: Date,
    /// The holidays, in the notice's order.
    pub holidays: Vec<Holiday>,
}

/// What kind of day a date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// Monday–Friday with no holiday.
    Weekday,
    /// Saturday or Sunday with no make-up work.
    Weekend,
    /// A day off of the notice (whatever the weekday).
    Holiday,
    /// A weekend day worked instead of a holiday (调休上班).
    MakeUpWorkday,
}

impl DayKind {
    /// Whether offices are open.
    pub fn is_working(self) -> bool {
        matches!(self, DayKind::Weekday | DayKind::MakeUpWorkday)
    }
}

/// A date counted in working days, and whether it is only an estimate: some day it counts over
/// lies in a year whose holiday arrangement is not in the calendar (weekends only were skipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkingDue {
    /// The date (`YYYY-MM-DD`).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
    /// True when public holidays could not be counted (no published arrangement for a year
    /// crossed): show it as an estimate ("预计（未含节假日安排）").
    pub estimated: bool,
}

/// Why a calendar file was refused: the line (1-based) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarError {
    /// The line, 0 for the file as a whole.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for CalendarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for CalendarError {}

/// A `[[holiday]]` table as read, before its checks.
#[derive(Default)]
struct RawHoliday {
    line: usize,
    name: Option<String>,
    first: Option<Date>,
    last: Option<Date>,
    work: Option<Vec<Date>>,
}

/// The parsed value of one `key = value` line.
enum Value<'a> {
    Str(&'a str),
    Int(i64),
    List(Vec<&'a str>),
}

/// Reads one year's file. The format is the TOML subset the files use: comments, `key = value`
/// with a string, an integer or a one-line array of strings, and `[[holiday]]` tables. Checks
/// what a transcription slip would break: every date inside the file's year, `first` ≤ `last`,
/// make-up days on a weekend and outside every holiday, holidays in order without overlap.
///
/// # Errors
/// The first problem found, with its line.
pub fn parse_year(text: &str) -> Result<YearArrangement, CalendarError> {
    let mut year = None;
    let mut notice = None;
    let mut published = None;
    let mut raw: Vec<RawHoliday> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let err = |m: &str| CalendarError {
            line: n,
            message: m.to_owned(),
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "[[holiday]]" {
            raw.push(RawHoliday {
                line: n,
                ..RawHoliday::default()
            });
            continue;
        }
        let (key, rest) = line
            .split_once('=')
            .ok_or_else(|| err("expected `key = value` or [[holiday]]"))?;
        let value = parse_value(rest.trim()).ok_or_else(|| err("unreadable value"))?;
        let date = |s: &str| Date::parse(s).ok_or_else(|| err("expected a date as YYYY-MM-DD"));
        match (raw.last_mut(), key.trim(), value) {
            (None, "year", Value::Int(y)) => {
                year = Some(i32::try_from(y).map_err(|_| err("year out of range"))?);
            }
            (None, "notice", Value::Str(s)) if !s.is_empty() => notice = Some(s.to_owned()),
            (None, "published", Value::Str(s)) => published = Some(date(s)?),
            (Some(h), "name", Value::Str(s)) if !s.is_empty() => h.name = Some(s.to_owned()),
            (Some(h), "first", Value::Str(s)) => h.first = Some(date(s)?),
            (Some(h), "last", Value::Str(s)) => h.last = Some(date(s)?),
            (Some(h), "work", Value::List(l)) => {
                h.work = Some(l.into_iter().map(date).collect::<Result<_, _>>()?);
            }
            (_, k, _) => return Err(err(&format!("unexpected key or value: {k}"))),
        }
    }
    let whole = |m: &str| CalendarError {
        line: 0,
        message: m.to_owned(),
    };
    let year = year.ok_or_else(|| whole("`year` is missing"))?;
    let notice = notice.ok_or_else(|| whole("`notice` is missing"))?;
    let published = published.ok_or_else(|| whole("`published` is missing"))?;
    let mut holidays: Vec<Holiday> = Vec::with_capacity(raw.len());
    for RawHoliday {
        line,
        name,
        first,
        last,
        work,
    } in raw
    {
        let err = |m: &str| CalendarError {
            line,
            message: m.to_owned(),
        };
        let (Some(name), Some(first), Some(last), Some(work)) = (name, first, last, work) else {
            return Err(err("a holiday needs name, first, last and work"));
        };
        if first.year != year || last.year != year || work.iter().any(|d| d.year != year) {
            return Err(err("a date outside the file's year"));
        }
        if first > last {
            return Err(err("`first` is after `last`"));
        }
        if holidays.last().is_some_and(|p| p.last >= first) {
            return Err(err("holidays out of order or overlapping"));
        }
        if work.iter().any(|d| d.weekday() < 5) {
            return Err(err(
                "a make-up working day that is not a Saturday or Sunday",
            ));
        }
        holidays.push(Holiday {
            name,
            first,
            last,
            work,
        });
    }
    let all_work = holidays.iter().flat_map(|h| &h.work);
    if let Some(d) = all_work
        .clone()
        .find(|d| holidays.iter().any(|h| (h.first..=h.last).contains(d)))
    {
        return Err(whole(&format!("{d} is both a day off and a working day")));
    }
    Ok(YearArrangement {
        year,
        notice,
        published,
        holidays,
    })
}

/// `"text"` (no escapes), an integer, or `["a", "b"]`; a trailing `# comment` is allowed.
fn parse_value(s: &str) -> Option<Value<'_>> {
    let uncomment = |rest: &str| {
        let rest = rest.trim();
        rest.is_empty() || rest.starts_with('#')
    };
    if let Some(body) = s.strip_prefix('"') {
        let end = body.find('"')?;
        return uncomment(&body[end + 1..]).then(|| Value::Str(&body[..end]));
    }
    if let Some(body) = s.strip_prefix('[') {
        let end = body.find(']')?;
        if !uncomment(&body[end + 1..]) {
            return None;
        }
        let inner = body[..end].trim();
        if inner.is_empty() {
            return Some(Value::List(Vec::new()));
        }
        return inner
            .split(',')
            .map(|x| {
                let x = x.trim();
                x.strip_prefix('"')?.strip_suffix('"')
            })
            .collect::<Option<Vec<_>>>()
            .map(Value::List);
    }
    s.split('#').next()?.trim().parse().ok().map(Value::Int)
}

/// The calendar: the years with a published arrangement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    years: Vec<YearArrangement>,
}

impl Calendar {
    /// A calendar of the given years (later duplicates of a year are ignored).
    pub fn new(mut years: Vec<YearArrangement>) -> Self {
        years.sort_by_key(|y| y.year);
        years.dedup_by_key(|y| y.year);
        Calendar { years }
    }

    /// The compiled-in calendar (`services/calendar/*.toml`), read once. A file that does not
    /// parse is left out (its year then counts as estimated); the crate's tests refuse one.
    pub fn china() -> &'static Calendar {
        static CHINA: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();
        CHINA.get_or_init(|| {
            Calendar::new(
                YEAR_FILES
                    .iter()
                    .filter_map(|(_, text)| parse_year(text).ok())
                    .collect(),
            )
        })
    }

    /// The years with an arrangement, in order.
    pub fn years(&self) -> &[YearArrangement] {
        &self.years
    }

    /// The arrangement of `year`, if its notice is in the calendar.
    pub fn year(&self, year: i32) -> Option<&YearArrangement> {
        self.years
            .binary_search_by_key(&year, |y| y.year)
            .ok()
            .map(|i| &self.years[i])
    }

    /// What kind of day `d` is, and whether that is known (`false`: its year has no arrangement,
    /// so only the weekend was considered).
    pub fn day(&self, d: Date) -> (DayKind, bool) {
        let weekend = d.weekday() >= 5;
        let Some(y) = self.year(d.year) else {
            let kind = if weekend {
                DayKind::Weekend
            } else {
                DayKind::Weekday
            };
            return (kind, false);
        };
        let kind = if y.holidays.iter().any(|h| (h.first..=h.last).contains(&d)) {
            DayKind::Holiday
        } else if y.holidays.iter().any(|h| h.work.contains(&d)) {
            DayKind::MakeUpWorkday
        } else if weekend {
            DayKind::Weekend
        } else {
            DayKind::Weekday
        };
        (kind, true)
    }

    /// The `n`th working day after `from` (the day itself not counted; `n = 0` is `from`),
    /// estimated when any day counted over lies in a year without an arrangement.
    pub fn add_working_days(&self, from: Date, n: u32) -> WorkingDue {
        let mut date = from;
        let mut left = n;
        let mut estimated = false;
        while left > 0 {
            date = date.add_days(1);
            let (kind, known) = self.day(date);
            estimated |= !known;
            if kind.is_working() {
                left -= 1;
            }
        }
        WorkingDue { date, estimated }
    }
}

impl Date {
    /// The date `n` working days after this one in China's calendar (public holidays and 调休
    /// make-up days of the published arrangements counted), with whether it is an estimate.
    #[must_use]
    pub fn working_days_after(self, n: u32) -> WorkingDue {
        Calendar::china().add_working_days(self, n)
    }

    /// The date `n` working days after this one (see [`Date::working_days_after`], which also
    /// says whether the date is an estimate).
    #[must_use]
    pub fn add_working_days(self, n: u32) -> Self {
        self.working_days_after(n).date
    }
}

#[cfg(test)]
mod tests;
