use std::collections::BTreeSet;

use proptest::prelude::*;

use super::*;

fn d(s: &str) -> Date {
    Date::parse(s).expect(s)
}

/// The notices' lists, written out day by day independently of the data files: the days off,
/// and the weekend days worked instead.
struct Notice {
    year: i32,
    number: &'static str,
    off: &'static [(&'static str, &'static str)],
    work: &'static [&'static str],
}

const NOTICES: &[Notice] = &[
    // 国办发明电〔2024〕12号
    Notice {
        year: 2025,
        number: "国办发明电〔2024〕12号",
        off: &[
            ("01-01", "01-01"),
            ("01-28", "02-04"),
            ("04-04", "04-06"),
            ("05-01", "05-05"),
            ("05-31", "06-02"),
            ("10-01", "10-08"),
        ],
        work: &["01-26", "02-08", "04-27", "09-28", "10-11"],
    },
    // 国办发明电〔2025〕7号
    Notice {
        year: 2026,
        number: "国办发明电〔2025〕7号",
        off: &[
            ("01-01", "01-03"),
            ("02-15", "02-23"),
            ("04-04", "04-06"),
            ("05-01", "05-05"),
            ("06-19", "06-21"),
            ("09-25", "09-27"),
            ("10-01", "10-07"),
        ],
        work: &["01-04", "02-14", "02-28", "05-09", "09-20", "10-10"],
    },
];

fn notice_sets(n: &Notice) -> (BTreeSet<Date>, BTreeSet<Date>) {
    let at = |md: &str| d(&format!("{}-{md}", n.year));
    let mut off = BTreeSet::new();
    for (a, b) in n.off {
        let mut x = at(a);
        while x <= at(b) {
            off.insert(x);
            x = x.add_days(1);
        }
    }
    (off, n.work.iter().map(|w| at(w)).collect())
}

/// Working or not by the notices alone; `None` outside their years.
fn by_notice(x: Date) -> Option<bool> {
    let n = NOTICES.iter().find(|n| n.year == x.year)?;
    let (off, work) = notice_sets(n);
    Some(!off.contains(&x) && (work.contains(&x) || x.weekday() < 5))
}

#[test]
fn every_day_of_each_year_matches_its_notice() {
    for n in NOTICES {
        let y = Calendar::china()
            .year(n.year)
            .unwrap_or_else(|| panic!("{} is in the calendar", n.year));
        assert_eq!(y.notice, n.number);
        let (off, work) = notice_sets(n);
        let mut x = d(&format!("{}-01-01", n.year));
        let mut days = 0;
        while x.year == n.year {
            let (kind, known) = Calendar::china().day(x);
            assert!(known, "{x}");
            let expected = if off.contains(&x) {
                DayKind::Holiday
            } else if work.contains(&x) {
                DayKind::MakeUpWorkday
            } else if x.weekday() >= 5 {
                DayKind::Weekend
            } else {
                DayKind::Weekday
            };
            assert_eq!(kind, expected, "{x}");
            days += 1;
            x = x.add_days(1);
        }
        assert_eq!(days, 365);
    }
}

#[test]
fn the_notices_totals_hold() {
    // 2025: 28 days off by arrangement in total (1 + 8 + 3 + 5 + 3 + 8), five make-up days;
    // 2026: 33 (3 + 9 + 3 + 5 + 3 + 3 + 7), six make-up days.
    for (year, off, work) in [(2025, 28, 5), (2026, 33, 6)] {
        let y = Calendar::china().year(year).expect("year");
        let total: i64 = y
            .holidays
            .iter()
            .map(|h| h.last.to_days() - h.first.to_days() + 1)
            .sum();
        assert_eq!(total, off, "{year}");
        assert_eq!(y.holidays.iter().map(|h| h.work.len()).sum::<usize>(), work);
    }
}

#[test]
fn spring_festival_scenarios() {
    // 2026: Friday 13 Feb; Saturday 14 Feb is worked; 15–23 Feb are off.
    let from = d("2026-02-13");
    assert_eq!(from.add_working_days(1), d("2026-02-14"));
    assert_eq!(from.add_working_days(2), d("2026-02-24"));
    assert_eq!(from.add_working_days(4), d("2026-02-26"));
    // … and Saturday 28 Feb is worked too.
    assert_eq!(from.add_working_days(6), d("2026-02-28"));
    assert_eq!(from.add_working_days(7), d("2026-03-02"));
    // 2025: Friday 24 Jan; Sunday 26 Jan is worked; 28 Jan – 4 Feb are off.
    let from = d("2025-01-24");
    assert_eq!(from.add_working_days(1), d("2025-01-26"));
    assert_eq!(from.add_working_days(2), d("2025-01-27"));
    assert_eq!(from.add_working_days(3), d("2025-02-05"));
    // The seed's 4 working days for the newborn bundle, submitted on New Year's Eve's eve.
    let due = d("2026-02-13").working_days_after(4);
    assert_eq!(
        due,
        WorkingDue {
            date: d("2026-02-26"),
            estimated: false
        }
    );
}

#[test]
fn national_day_scenarios() {
    // 2026: Wednesday 30 Sep; 1–7 Oct off; Saturday 10 Oct worked.
    let from = d("2026-09-30");
    assert_eq!(from.add_working_days(1), d("2026-10-08"));
    assert_eq!(from.add_working_days(3), d("2026-10-10"));
    assert_eq!(from.add_working_days(4), d("2026-10-12"));
    // Friday 18 Sep: Sunday 20 Sep is worked; 25–27 Sep is 中秋节 (a Friday off).
    let from = d("2026-09-18");
    assert_eq!(from.add_working_days(1), d("2026-09-20"));
    assert_eq!(from.add_working_days(5), d("2026-09-24"));
    assert_eq!(from.add_working_days(6), d("2026-09-28"));
    // 2025: Friday 26 Sep; Sunday 28 Sep worked; 1–8 Oct off; Saturday 11 Oct worked.
    let from = d("2025-09-26");
    assert_eq!(from.add_working_days(1), d("2025-09-28"));
    assert_eq!(from.add_working_days(3), d("2025-09-30"));
    assert_eq!(from.add_working_days(4), d("2025-10-09"));
    assert_eq!(from.add_working_days(6), d("2025-10-11"));
    assert_eq!(from.add_working_days(0), from);
}

#[test]
fn a_year_without_a_notice_is_estimated_never_silent() {
    // No arrangement is invented for a year whose notice is not in the calendar.
    let last = Calendar::china().years().last().expect("a year").year;
    let next = last + 1;
    let eve = Date::new(last, 12, 30).expect("date");
    let due = eve.working_days_after(10);
    assert!(due.estimated, "{due:?}");
    // Counting only inside known years is exact.
    assert!(!d("2026-03-02").working_days_after(20).estimated);
    // Weekends are still skipped in an unknown year.
    let (kind, known) = Calendar::china().day(Date::new(next, 1, 2).expect("date"));
    assert!(!known);
    assert_eq!(
        kind.is_working(),
        Date::new(next, 1, 2).expect("date").weekday() < 5
    );
    assert!(d("2024-12-20").working_days_after(3).estimated);
    // Zero working days crosses nothing.
    assert!(
        !Date::new(next, 6, 1)
            .expect("date")
            .working_days_after(0)
            .estimated
    );
}

#[test]
fn every_file_parses_and_is_named_after_its_year() {
    assert!(!YEAR_FILES.is_empty());
    for (name, data) in YEAR_FILES {
        // Read the file itself, so a problem is reported at its line in the file.
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../services/calendar")
            .join(name);
        let text = &std::fs::read_to_string(&path).expect("read the calendar file");
        let y = parse_year(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            parse_year(data).as_ref(),
            Ok(&y),
            "{name}: the embedded data"
        );
        assert_eq!(*name, format!("{}.toml", y.year));
        assert!(
            y.published < Date::new(y.year, 1, 1).expect("date"),
            "published before the year"
        );
        // The files are real TOML too (the parser reads a subset): the same content either way.
        let v: toml::Table = toml::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(v["year"].as_integer(), Some(i64::from(y.year)));
        assert_eq!(v["notice"].as_str(), Some(y.notice.as_str()));
        let hs = v["holiday"].as_array().expect("holidays");
        assert_eq!(hs.len(), y.holidays.len());
        for (t, h) in hs.iter().zip(&y.holidays) {
            assert_eq!(t["name"].as_str(), Some(h.name.as_str()));
            assert_eq!(t["first"].as_str(), Some(h.first.to_string().as_str()));
            assert_eq!(t["last"].as_str(), Some(h.last.to_string().as_str()));
            let work: Vec<String> = t["work"]
                .as_array()
                .expect("work")
                .iter()
                .map(|w| w.as_str().expect("date").to_owned())
                .collect();
            let mine: Vec<String> = h.work.iter().map(ToString::to_string).collect();
            assert_eq!(work, mine);
        }
    }
}

#[test]
fn transcription_slips_are_refused_with_their_line() {
    let good = "year = 2030\nnotice = \"n\"\npublished = \"2029-11-01\"\n\n[[holiday]]\nname = \"x\"\nfirst = \"2030-01-01\"\nlast = \"2030-01-01\"\nwork = []  # none\n";
    assert!(parse_year(good).is_ok());
    for (bad, line) in [
        (
            good.replace("last = \"2030-01-01\"", "last = \"2029-12-31\""),
            5,
        ),
        (good.replace("work = []", "work = [\"2030-01-02\"]"), 5), // a Wednesday
        (good.replace("work = []", "work = [\"2030-01-05\", 3]"), 9),
        (
            good.replace("first = \"2030-01-01\"", "first = \"2030-02-30\""),
            7,
        ),
        (good.replace("name = \"x\"\n", ""), 5),
        (good.replace("year = 2030", "yaer = 2030"), 1),
        (good.replace("notice = \"n\"\n", ""), 0),
        (
            format!(
                "{good}\n[[holiday]]\nname = \"y\"\nfirst = \"2030-01-01\"\nlast = \"2030-01-02\"\nwork = []\n"
            ),
            11,
        ),
    ] {
        let e = parse_year(&bad).expect_err(&bad);
        assert_eq!(e.line, line, "{bad}: {e}");
    }
    let both = good
        .replace("last = \"2030-01-01\"", "last = \"2030-01-06\"")
        .replace("work = []", "work = [\"2030-01-05\"]");
    assert_eq!(parse_year(&both).expect_err("both").line, 0);
}

proptest! {
    /// Counting `n` working days agrees with a naive count over the notices' own lists, lands on
    /// a working day, and is exact inside the published years.
    #[test]
    fn working_days_agree_with_the_notices(start in 0i64..700, n in 0u32..40) {
        let from = d("2025-01-01").add_days(start);
        let due = from.working_days_after(n);
        let mut x = from;
        let mut left = n;
        while left > 0 {
            x = x.add_days(1);
            if by_notice(x).unwrap_or(x.weekday() < 5) {
                left -= 1;
            }
        }
        prop_assert_eq!(due.date, x);
        prop_assert_eq!(due.estimated, x.year > 2026);
        if n > 0 {
            prop_assert!(Calendar::china().day(due.date).0.is_working());
        }
    }
}
