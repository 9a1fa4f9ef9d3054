//! When each sub-item is expected to finish and when a deferred material (容缺) is due, in
//! working days of China's calendar ([`crate::value::calendar`]). The SPA shows these dates and
//! the server writes them into its 补正 requests: one computation for both.

use std::collections::BTreeMap;

use crate::definition::ServiceDefinition;
use crate::value::{Date, WorkingDue};

use super::model::DeferredMaterial;

/// Each selected item's expected completion: its time limit in working days, counted from when
/// all it depends on are expected to finish (definitions list items in handling order), so items
/// without dependencies run in parallel from `from`. A date is *estimated* when it counts over a
/// year without a published holiday arrangement.
pub fn expected_dates(
    def: &ServiceDefinition,
    ids: &[&str],
    from: Date,
) -> BTreeMap<String, WorkingDue> {
    let mut done: BTreeMap<String, WorkingDue> = BTreeMap::new();
    for s in def
        .sub_items
        .iter()
        .filter(|s| ids.contains(&s.id.as_str()))
    {
        let start = s
            .depends_on
            .iter()
            .filter_map(|d| done.get(d))
            .max_by_key(|w| w.date)
            .copied()
            .unwrap_or(WorkingDue {
                date: from,
                estimated: false,
            });
        let mut due = start.date.working_days_after(u32::from(s.time_limit_days));
        due.estimated |= start.estimated;
        done.insert(s.id.clone(), due);
    }
    done
}

/// When the whole bundle is expected to finish: the latest of its sub-items' dates (parallel
/// branches take the longest, a chain adds up), estimated when any of them is. `None` for no
/// sub-items.
pub fn bundle_expected(dates: &BTreeMap<String, WorkingDue>) -> Option<WorkingDue> {
    let latest = dates.values().max_by_key(|w| w.date)?;
    Some(WorkingDue {
        date: latest.date,
        estimated: dates.values().any(|w| w.estimated),
    })
}

impl DeferredMaterial {
    /// The last day to supply it, counted in working days from the submission's date.
    pub fn due(&self, submitted: Date) -> WorkingDue {
        submitted.working_days_after(u32::from(self.due_days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEF: &str = r#"
id = "x"
title = { zh = "测试", en = "Test" }
summary = { zh = "测试", en = "Test" }

[[sub_items]]
id = "a"
title = { zh = "甲", en = "A" }
department = { zh = "部门", en = "Dept" }
time_limit_days = 1
facts = []

[[sub_items]]
id = "b"
title = { zh = "乙", en = "B" }
department = { zh = "部门", en = "Dept" }
time_limit_days = 1
depends_on = ["a"]
facts = []

[[sub_items]]
id = "c"
title = { zh = "丙", en = "C" }
department = { zh = "部门", en = "Dept" }
time_limit_days = 4
facts = []
"#;

    fn def() -> ServiceDefinition {
        let def: ServiceDefinition = toml::from_str(DEF).expect("parses");
        def.check().expect("checks");
        def
    }

    fn d(s: &str) -> Date {
        Date::parse(s).expect(s)
    }

    #[test]
    fn dependants_are_expected_after_what_they_wait_for_across_the_holidays() {
        let def = def();
        // Wednesday 2026-09-30, before 国庆: 1–7 Oct off, Saturday 10 Oct worked.
        let dates = expected_dates(&def, &["a", "b", "c"], d("2026-09-30"));
        assert_eq!(dates["a"].date, d("2026-10-08"));
        assert_eq!(dates["b"].date, d("2026-10-09"));
        // Parallel with a: four working days from the same start.
        assert_eq!(dates["c"].date, d("2026-10-12"));
        assert!(dates.values().all(|w| !w.estimated));
        // The bundle: the longer of the branch a → b (2 days) and c (4 days).
        assert_eq!(bundle_expected(&dates), Some(dates["c"]));
        let chain = expected_dates(&def, &["a", "b"], d("2026-09-30"));
        assert_eq!(
            bundle_expected(&chain).map(|w| w.date),
            Some(d("2026-10-09"))
        );
        assert_eq!(bundle_expected(&BTreeMap::new()), None);
    }

    #[test]
    fn an_unknown_year_marks_the_date_and_its_dependants_estimated() {
        let def = def();
        let last = crate::value::Calendar::china()
            .years()
            .last()
            .expect("a year")
            .year;
        let eve = Date::new(last, 12, 31).expect("date");
        let dates = expected_dates(&def, &["a", "b"], eve);
        assert!(dates["a"].estimated && dates["b"].estimated);
        assert!(bundle_expected(&dates).is_some_and(|w| w.estimated));
        let m = DeferredMaterial {
            material: "m".into(),
            due_days: 5,
            sub_items: vec!["a".into()],
        };
        assert!(m.due(eve).estimated);
        assert_eq!(m.due(d("2026-02-13")).date, d("2026-02-27"));
    }
}
