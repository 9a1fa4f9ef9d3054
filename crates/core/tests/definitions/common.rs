//! Helpers for the definition scenarios: loading, JSON merge patches, and the record of which
//! decisions the scenarios took which way.

use std::collections::BTreeMap;
use std::path::Path;

use onething_core::{
    Application, Date, FieldError, Projection, ServiceDefinition, check_submission, decisions,
};
use serde_json::Value;

/// The fixed "today" of every scenario.
pub fn today() -> Date {
    Date::parse("2026-11-28").expect("date")
}

/// Loads `services/<id>.toml`.
pub fn load(id: &str) -> ServiceDefinition {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../services/{id}.toml"));
    let src = std::fs::read_to_string(&path).expect("read");
    ServiceDefinition::from_toml(&format!("{id}.toml"), &src).unwrap_or_else(|e| panic!("{e}"))
}

/// JSON merge patch (RFC 7386): objects merge, `null` removes a key, anything else replaces.
pub fn merge(mut base: Value, patch: &Value) -> Value {
    merge_into(&mut base, patch);
    base
}

fn merge_into(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    b.remove(k);
                } else {
                    merge_into(b.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

/// The codes and paths of errors, for compact assertions.
pub fn codes(errors: &[FieldError]) -> Vec<(String, String)> {
    errors
        .iter()
        .map(|e| (e.code.clone(), e.path.clone()))
        .collect()
}

/// Runs scenarios against one definition and records every decision they take.
pub struct Scenarios {
    pub def: ServiceDefinition,
    base: Value,
    seen: BTreeMap<String, (bool, bool)>,
}

impl Scenarios {
    pub fn new(id: &str, base: Value) -> Self {
        Self::with_definition(load(id), base)
    }

    pub fn with_definition(def: ServiceDefinition, base: Value) -> Self {
        let seen = def
            .decision_points()
            .into_iter()
            .map(|p| (p, (false, false)))
            .collect();
        let s = Scenarios { def, base, seen };
        s.valid(&serde_json::json!({}), "the base scenario");
        s
    }

    /// The base application with `patch` applied.
    pub fn app(&self, patch: &Value) -> Application {
        serde_json::from_value(merge(self.base.clone(), patch)).expect("application JSON")
    }

    /// Checks the patched application, recording its decisions.
    pub fn run(&mut self, patch: &Value) -> Result<Projection, Vec<FieldError>> {
        let app = self.app(patch);
        for (path, v) in decisions(&self.def, &app, today()) {
            let e = self
                .seen
                .get_mut(&path)
                .unwrap_or_else(|| panic!("unknown decision {path}"));
            if v {
                e.0 = true;
            } else {
                e.1 = true;
            }
        }
        check_submission(&self.def, &app, today())
    }

    /// The patched application is valid.
    #[track_caller]
    pub fn valid(&self, patch: &Value, why: &str) -> Projection {
        let app = self.app(patch);
        check_submission(&self.def, &app, today())
            .unwrap_or_else(|e| panic!("{why}: {:?}", codes(&e)))
    }

    /// Records and expects a valid application.
    #[track_caller]
    pub fn ok(&mut self, patch: &Value, why: &str) -> Projection {
        self.run(patch)
            .unwrap_or_else(|e| panic!("{why}: {:?}", codes(&e)))
    }

    /// Records and expects exactly these errors.
    #[track_caller]
    pub fn fails(&mut self, patch: &Value, expected: &[(&str, &str)], why: &str) {
        let errors = self.run(patch).err().unwrap_or_default();
        let got = codes(&errors);
        let want: Vec<(String, String)> = expected
            .iter()
            .map(|(c, p)| ((*c).to_owned(), (*p).to_owned()))
            .collect();
        assert_eq!(got, want, "{why}");
    }

    /// Every decision point was taken both ways by some scenario.
    #[track_caller]
    pub fn assert_every_decision_both_ways(&self) {
        let missing: Vec<String> = self
            .seen
            .iter()
            .filter(|(_, (t, f))| !(*t && *f))
            .map(|(p, (t, f))| format!("{p} (true: {t}, false: {f})"))
            .collect();
        assert!(
            missing.is_empty(),
            "{}: not exercised both ways:\n{}",
            self.def.id,
            missing.join("\n")
        );
    }
}
