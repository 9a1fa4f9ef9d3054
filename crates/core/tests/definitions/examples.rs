//! The example applications in `services/examples/<id>.json`: each definition's basic valid
//! application, used by the browser tests that walk every definition through the wizard, by the
//! server's tests and by the bench.
//!
//! An example is valid on the day it was written (`valid_on`, the scenarios' fixed "today").
//! Some of its dates only make sense relative to "today" (a baby born last week, a survey in
//! three days): those are listed in `moves_with_today`, and a reader moves exactly those by the
//! days between `valid_on` and its own today. Every other date stays: above all a birth date
//! that a resident ID number embeds (GB 11643), which would no longer match if it moved.
//!
//! The guard below moves every example to many days (today, tomorrow, in 400 days, leap days,
//! New Year's Eve) and checks each against the engine on that day, so a date that should move
//! but does not, or moves but should not, fails here in milliseconds instead of in a browser
//! weeks later.

use std::path::Path;

use onething_core::{Date, ServiceDefinition, check_submission};
use serde_json::{Value, json};

use crate::common;

/// Each one-thing's example: its base scenario and the dates that move with today, as paths
/// (`[]` stands for every element of a group).
fn examples() -> Vec<(&'static str, Value, &'static [&'static str])> {
    vec![
        (
            "newborn",
            crate::newborn::base(),
            &[
                "eligibility.birth_date",
                "answers.children[].birth_datetime",
                "answers.leave_start",
            ],
        ),
        (
            "shop-opening",
            crate::shop_opening::base(),
            &["answers.lease_end"],
        ),
        (
            "utility-connection",
            crate::utility_connection::base(),
            &["answers.survey_date"],
        ),
        (
            "film-shooting",
            crate::film_shooting::base(),
            &[
                "answers.shooting_start",
                "answers.shooting_end",
                "answers.locations[].date",
            ],
        ),
        (
            "youth-rural",
            crate::youth_rural::base(),
            &[
                "eligibility.birth_date",
                "answers.graduation_date",
                "answers.job_start",
            ],
        ),
        (
            "ship-subsidy",
            crate::ship_subsidy::base(),
            &["eligibility.delivery_date"],
        ),
        ("enterprise-issue", crate::enterprise_issue::base(), &[]),
    ]
}

/// Moves the date (`YYYY-MM-DD`) or date-time (`YYYY-MM-DDTHH:MM`) at each place `path` names
/// by `days`; returns how many it moved.
fn shift(value: &mut Value, path: &str, days: i64) -> usize {
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    let (key, every) = match head.strip_suffix("[]") {
        Some(k) => (k, true),
        None => (head, false),
    };
    let Some(child) = value.get_mut(key) else {
        return 0;
    };
    let targets: Vec<&mut Value> = if every {
        child
            .as_array_mut()
            .map(|a| a.iter_mut().collect())
            .unwrap_or_default()
    } else {
        vec![child]
    };
    let mut moved = 0;
    for t in targets {
        if let Some(rest) = rest {
            moved += shift(t, rest, days);
            continue;
        }
        let text = t.as_str().unwrap_or_default();
        let (date, time) = text.split_at(text.len().min(10));
        let date = Date::parse(date).unwrap_or_else(|| panic!("{path}: not a date: {text}"));
        *t = Value::String(format!("{}{time}", date.add_days(days)));
        moved += 1;
    }
    moved
}

/// An example file as stored: `services/examples/<id>.json`.
pub struct ExampleFile {
    /// The definition's id (the file's name).
    pub id: String,
    /// The application.
    pub application: Value,
    /// The dates that move with today.
    pub moves: Vec<String>,
    /// The day it is valid on as written.
    pub valid_on: Date,
}

/// Every example file, by id: written by the scenarios' bases above, or by hand for a definition
/// added without Rust (then it is the only source, and checked like the others).
pub fn example_files() -> Vec<ExampleFile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../services/examples");
    let mut out: Vec<ExampleFile> = std::fs::read_dir(&dir)
        .expect("examples dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let id = p.file_stem().expect("stem").to_string_lossy().into_owned();
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).expect("read"))
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let moves = v["moves_with_today"]
                .as_array()
                .unwrap_or_else(|| panic!("{id}: moves_with_today"))
                .iter()
                .map(|m| m.as_str().expect("a path").to_owned())
                .collect();
            let valid_on = v["valid_on"]
                .as_str()
                .and_then(Date::parse)
                .unwrap_or_else(|| panic!("{id}: valid_on"));
            assert_eq!(
                v["application"]["service_id"],
                id.as_str(),
                "{id}: service_id"
            );
            ExampleFile {
                id,
                application: v["application"].clone(),
                moves,
                valid_on,
            }
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The example `application` (valid on `valid_on`) as a person would fill it on `today`.
fn on_from(application: &Value, moves: &[&str], valid_on: Date, today: Date) -> Value {
    let days = today.to_days() - valid_on.to_days();
    let mut app = application.clone();
    for path in moves {
        assert!(
            shift(&mut app, path, days) > 0,
            "{path} names no date of the example"
        );
    }
    app
}

/// The example `application` (a scenario base, valid on the scenarios' day) on `today`.
fn on(application: &Value, moves: &[&str], today: Date) -> Value {
    on_from(application, moves, common::today(), today)
}

/// Today in China (UTC+8), as the server counts it.
fn real_today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    Date::from_days(i64::try_from((secs + 8 * 3600) / 86_400).expect("days"))
}

/// The days every example must be valid on: the day it was written, today and tomorrow, in 400
/// days, the next two 29 Februaries, the next New Year's Eve and New Year's Day, and the last day
/// of a 31-day month.
fn test_days() -> Vec<Date> {
    let today = real_today();
    let mut days = vec![
        common::today(),
        today,
        today.add_days(1),
        today.add_days(400),
    ];
    let mut leap = 0;
    let mut year = today.year;
    while leap < 2 {
        if let Some(d) = Date::new(year, 2, 29).filter(|d| *d >= today) {
            days.push(d);
            leap += 1;
        }
        year += 1;
    }
    let eve = Date::new(today.year, 12, 31).expect("date");
    days.extend([
        eve,
        eve.add_days(1),
        Date::new(today.year + 1, 8, 31).expect("date"),
    ]);
    days
}

fn definition(id: &str) -> ServiceDefinition {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../services/{id}.toml")),
    )
    .expect("definition");
    ServiceDefinition::from_toml(id, &source).expect("loads")
}

/// The files must equal the scenarios' bases with their day and moving dates (regenerate with
/// `UPDATE_EXAMPLES=1 cargo test -p onething-core --features toml --test definitions`).
#[test]
fn example_files_are_the_scenarios_bases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../services/examples");
    for (id, base, moves) in examples() {
        let file = json!({
            "valid_on": common::today().to_string(),
            "moves_with_today": moves,
            "application": base,
        });
        let path = dir.join(format!("{id}.json"));
        let text = serde_json::to_string_pretty(&file).expect("json") + "\n";
        if std::env::var_os("UPDATE_EXAMPLES").is_some() {
            std::fs::create_dir_all(&dir).expect("dir");
            std::fs::write(&path, &text).expect("write");
        }
        let stored = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            stored,
            text,
            "{} is stale: run with UPDATE_EXAMPLES=1",
            path.display()
        );
    }
}

/// Regression: the examples' dates once all moved with the calendar, the parents' birth dates
/// included, and on the first day after the examples were written every newborn submission
/// answered `id_birth_date_mismatch`. Each example file (hand-written ones included), moved to
/// each test day, passes the engine on that day.
#[test]
fn examples_stay_valid_on_any_day() {
    let days = test_days();
    for e in example_files() {
        let def = definition(&e.id);
        let id = &e.id;
        let moves: Vec<&str> = e.moves.iter().map(String::as_str).collect();
        for &day in &days {
            let app: onething_core::Application =
                serde_json::from_value(on_from(&e.application, &moves, e.valid_on, day))
                    .expect("an application");
            if let Err(errors) = check_submission(&def, &app, day) {
                panic!(
                    "{id} moved to {day} is not valid on that day: {:?}",
                    common::codes(&errors)
                );
            }
        }
    }
}

/// A date tied to an ID number stays where it is: the newborn's parents are as old on any day
/// as their ID cards say, never younger.
#[test]
fn dates_tied_to_an_id_number_do_not_move() {
    let (_, base, moves) = examples()
        .into_iter()
        .find(|(id, _, _)| *id == "newborn")
        .expect("newborn");
    let shifted = on(&base, moves, Date::parse("2029-02-28").expect("date"));
    for (date, id) in [
        ("mother_birth_date", "mother_id_number"),
        ("father_birth_date", "father_id_number"),
    ] {
        let birth = shifted["answers"][date]
            .as_str()
            .expect("date")
            .replace('-', "");
        let number = shifted["answers"][id].as_str().expect("id number");
        assert_eq!(&number[6..14], birth, "{date} agrees with {id}");
    }
    assert_eq!(shifted["eligibility"]["birth_date"], "2029-02-20");
    assert_eq!(
        shifted["answers"]["children"][0]["birth_datetime"],
        "2029-02-20T08:30"
    );
}

#[test]
fn shifting_moves_only_the_named_dates_and_keeps_the_time() {
    let mut v = json!({ "a": { "g": [{ "d": "2026-02-27T23:50" }, { "d": "2026-03-01" }] }, "b": "2026-01-01" });
    assert_eq!(shift(&mut v, "a.g[].d", 2), 2);
    assert_eq!(
        v,
        json!({ "a": { "g": [{ "d": "2026-03-01T23:50" }, { "d": "2026-03-03" }] }, "b": "2026-01-01" })
    );
    assert_eq!(shift(&mut v, "a.missing", 2), 0);
}
