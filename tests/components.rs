//! Component tests in headless Chromium (wasm-bindgen-test): components mounted into a real DOM.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use onething::boot::SubItemHead;
use onething::components::SubItemList;
use onething::prefs::{ElderPref, LocalePref};
use onething_core::{Locale, Text};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn text(zh: &str, en: &str) -> Text {
    Text {
        zh: zh.into(),
        en: en.into(),
    }
}

fn items() -> Vec<SubItemHead> {
    vec![
        SubItemHead {
            id: "household_registration".into(),
            title: text("户口登记", "Household registration"),
            department: text("公安局", "Public Security Bureau"),
            time_limit_days: 3,
            optional: false,
        },
        SubItemHead {
            id: "maternity_benefit".into(),
            title: text("生育津贴申领", "Maternity benefit"),
            department: text("医疗保障局", "Medical Security Bureau"),
            time_limit_days: 5,
            optional: true,
        },
    ]
}

fn container() -> web_sys::HtmlElement {
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .expect("document");
    let el = doc
        .create_element("div")
        .expect("div")
        .dyn_into::<web_sys::HtmlElement>()
        .expect("html element");
    doc.body().expect("body").append_child(&el).expect("append");
    el
}

#[wasm_bindgen_test]
async fn sub_item_list_follows_the_language_switch() {
    let el = container();
    let locale = RwSignal::new(Locale::ZhCn);
    let mount_el = el.clone();
    leptos::mount::mount_to(mount_el, move || {
        provide_context(LocalePref(locale));
        provide_context(ElderPref(RwSignal::new(false)));
        view! { <SubItemList items=items() /> }
    })
    .forget();
    leptos::task::tick().await;

    let rows = el.query_selector_all("li.sub-item").expect("query");
    assert_eq!(rows.length(), 2, "one row per sub-item");
    let first = el.text_content().unwrap_or_default();
    assert!(first.contains("户口登记"), "{first}");
    assert!(first.contains("3 个工作日内办结"), "{first}");
    let badges = el.query_selector_all(".badge").expect("query");
    assert_eq!(badges.length(), 1, "only the optional item has a badge");

    locale.set(Locale::En);
    leptos::task::tick().await;
    let english = el.text_content().unwrap_or_default();
    assert!(english.contains("Household registration"), "{english}");
    assert!(english.contains("Done within 5 working days"), "{english}");
    assert!(english.contains("Optional"), "{english}");
    assert!(
        !english.contains("户口登记"),
        "no Chinese left after switching: {english}"
    );
}

/// Every one-thing's definition and example file, as (name, TOML, example JSON).
const SERVICES: [(&str, &str, &str); 7] = [
    (
        "newborn",
        include_str!("../services/newborn.toml"),
        include_str!("../services/examples/newborn.json"),
    ),
    (
        "enterprise-issue",
        include_str!("../services/enterprise-issue.toml"),
        include_str!("../services/examples/enterprise-issue.json"),
    ),
    (
        "film-shooting",
        include_str!("../services/film-shooting.toml"),
        include_str!("../services/examples/film-shooting.json"),
    ),
    (
        "ship-subsidy",
        include_str!("../services/ship-subsidy.toml"),
        include_str!("../services/examples/ship-subsidy.json"),
    ),
    (
        "shop-opening",
        include_str!("../services/shop-opening.toml"),
        include_str!("../services/examples/shop-opening.json"),
    ),
    (
        "utility-connection",
        include_str!("../services/utility-connection.toml"),
        include_str!("../services/examples/utility-connection.json"),
    ),
    (
        "youth-rural",
        include_str!("../services/youth-rural.toml"),
        include_str!("../services/examples/youth-rural.json"),
    ),
];

/// The SPA's JSON (the browser's `JSON.parse` + its own deserializer) reads every definition
/// and example application exactly as the server's `serde_json` writes and reads them, and
/// what it writes reads back the same.
#[wasm_bindgen_test]
fn json_reads_and_writes_like_serde_json() {
    use onething_core::ServiceDefinition;
    use onething_core::engine::Application;
    for (name, toml, example) in SERVICES {
        let def = ServiceDefinition::from_toml(name, toml).expect(name);
        let text = serde_json::to_string(&def).expect(name);
        let read: ServiceDefinition = onething::json::from_str(&text).expect(name);
        assert!(read == def, "{name}: definition differs");
        // The file wraps the application with its dates (`services/examples/README.md`).
        let file: serde_json::Value = serde_json::from_str(example).expect(name);
        let example = serde_json::to_string(&file["application"]).expect(name);
        let app: Application = serde_json::from_str(&example).expect(name);
        let read: Application = onething::json::from_str(&example).expect(name);
        assert!(read == app, "{name}: application differs");
        let written = onething::json::to_string(&app).expect(name);
        let back: Application = serde_json::from_str(&written).expect(name);
        assert!(back == app, "{name}: written application differs");
    }
}

/// Malformed or mistyped JSON is an error, never a panic or a half-read value.
#[wasm_bindgen_test]
fn json_rejects_what_is_not_the_type() {
    use onething_core::ServiceDefinition;
    use onething_core::api::ApiErrorBody;
    use onething_core::engine::Application;
    assert!(onething::json::from_str::<Application>("{").is_err());
    assert!(onething::json::from_str::<Application>("[]").is_err());
    assert!(onething::json::from_str::<ServiceDefinition>(r#"{"id":"x","unknown":1}"#).is_err());
    assert!(onething::json::from_str::<ApiErrorBody>(r#"{"code":3}"#).is_err());
    let body: ApiErrorBody =
        onething::json::from_str(r#"{"code":"service_not_found","message":"m","fields":[]}"#)
            .expect("error body");
    assert_eq!(body.code, "service_not_found");
}
