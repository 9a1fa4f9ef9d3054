//! The shipped definitions in `services/`: each loads, and scenario by scenario every decision
//! it contains — each condition and each cross-field rule — is exercised both ways.

#![cfg(feature = "toml")]

mod common;
mod doc_example;
mod enterprise_issue;
mod film_shooting;
mod newborn;
mod ship_subsidy;
mod shop_opening;
mod utility_connection;
mod youth_rural;

use std::path::Path;

use onething_core::{ServiceDefinition, reduction};

#[test]
fn every_shipped_definition_loads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../services");
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("services dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|x| x == "toml") {
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            let src = std::fs::read_to_string(&path).expect("read");
            let def = ServiceDefinition::from_toml(&name, &src).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                format!("{}.toml", def.id),
                name,
                "a file is named after its id"
            );
            // The SPA receives definitions as JSON: they must survive the trip.
            let json = serde_json::to_string(&def).expect("to JSON");
            let back: ServiceDefinition = serde_json::from_str(&json).expect("from JSON");
            assert_eq!(back, def, "{name} round-trips through JSON");
            let r = reduction(&def);
            assert!(r.materials_after <= r.material_requests_before, "{name}");
            assert!(
                r.time_limit_days_after <= r.time_limit_days_before,
                "{name}"
            );
            ids.push(def.id);
        }
    }
    ids.sort();
    assert_eq!(
        ids,
        [
            "enterprise-issue",
            "film-shooting",
            "newborn",
            "ship-subsidy",
            "shop-opening",
            "utility-connection",
            "youth-rural"
        ]
    );
}

/// Each definition's basic valid application, written to `services/examples/<id>.json` for the
/// browser test that walks every definition through the wizard. The files must equal the
/// scenarios' bases (regenerate with `UPDATE_EXAMPLES=1 cargo test -p onething-core --features
/// toml --test definitions`), and each must pass the engine on the scenarios' day.
#[test]
fn wizard_examples_are_the_scenarios_valid_bases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../services/examples");
    let bases = [
        ("newborn", newborn::base()),
        ("shop-opening", shop_opening::base()),
        ("utility-connection", utility_connection::base()),
        ("film-shooting", film_shooting::base()),
        ("youth-rural", youth_rural::base()),
        ("ship-subsidy", ship_subsidy::base()),
        ("enterprise-issue", enterprise_issue::base()),
    ];
    for (id, base) in bases {
        let path = dir.join(format!("{id}.json"));
        let text = serde_json::to_string_pretty(&base).expect("json") + "\n";
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
        let source = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../services/{id}.toml")),
        )
        .expect("definition");
        let def = ServiceDefinition::from_toml(id, &source).expect("loads");
        let app: onething_core::Application = serde_json::from_value(base).expect("an application");
        if let Err(errors) = onething_core::check_submission(&def, &app, common::today()) {
            panic!("{id}: the example is not valid: {errors:?}");
        }
    }
}
