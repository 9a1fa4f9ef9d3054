//! Component tests in headless Chromium (wasm-bindgen-test): components mounted into a real DOM.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use onething::components::SubItemList;
use onething::prefs::{ElderPref, LocalePref};
use onething_core::{Locale, SubItem, Text};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn text(zh: &str, en: &str) -> Text {
    Text {
        zh: zh.into(),
        en: en.into(),
    }
}

fn items() -> Vec<SubItem> {
    vec![
        SubItem {
            id: "household_registration".into(),
            title: text("户口登记", "Household registration"),
            department: text("公安局", "Public Security Bureau"),
            time_limit_days: 3,
            optional: false,
            description: None,
            enabled_if: None,
            depends_on: Vec::new(),
            facts: Vec::new(),
            handled_in: None,
        },
        SubItem {
            id: "maternity_benefit".into(),
            title: text("生育津贴申领", "Maternity benefit"),
            department: text("医疗保障局", "Medical Security Bureau"),
            time_limit_days: 5,
            optional: true,
            description: None,
            enabled_if: None,
            depends_on: Vec::new(),
            facts: Vec::new(),
            handled_in: None,
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
