//! An address: the region cascade (province → city → county, GB/T 2260 codes) and the detail
//! line. The full table (`regions.json`, about 3,400 divisions) is a separate static file,
//! fetched the first time an address is on screen and kept by the service worker; the first
//! load never carries it. Until it arrives (or when it cannot be had) the core's small table
//! serves (every province, Zhejiang's cities, Huzhou's counties). The value is the chain of
//! codes; a division is shown by its name (in English, the core's English name where it has
//! one, else the published Chinese one). Where the table has no lower level, the cascade
//! stops and the detail line carries the rest.

use std::cell::RefCell;
use std::sync::Arc;

use leptos::prelude::*;
use onething_core::Locale;
use onething_core::engine::{Address, AnswerValue};
use onething_core::value::regions::{Division, RegionTable};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::components::FormState;
use crate::i18n::{t, tr};
use crate::prefs::locale;
use crate::wizard::{FieldPath, Wizard};

/// Where the full table stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Regions {
    /// Not asked for yet, or on its way.
    Loading,
    /// Loaded.
    Full(Arc<RegionTable>),
    /// It could not be had (offline before it was ever cached): the small table serves.
    Unavailable,
}

thread_local! {
    static STATE: RefCell<Option<ArcRwSignal<Regions>>> = const { RefCell::new(None) };
}

/// The full table's state, fetching it the first time this is called.
pub fn regions() -> ArcRwSignal<Regions> {
    STATE.with(|s| {
        if let Some(signal) = s.borrow().as_ref() {
            return signal.clone();
        }
        let signal = ArcRwSignal::new(Regions::Loading);
        *s.borrow_mut() = Some(signal.clone());
        let target = signal.clone();
        leptos::task::spawn_local(async move {
            target.set(match fetch_table().await {
                Some(table) => Regions::Full(Arc::new(table)),
                None => Regions::Unavailable,
            });
        });
        signal
    })
}

/// `regions.json` beside `index.html`, read with the browser's JSON parser.
async fn fetch_table() -> Option<RegionTable> {
    let window = web_sys::window()?;
    let url = web_sys::Url::new_with_base("regions.json", &crate::config::base_url()).ok()?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&url.href()))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    if !response.ok() {
        return None;
    }
    let json = JsFuture::from(response.json().ok()?).await.ok()?;
    let get = |v: &wasm_bindgen::JsValue, k: &str| js_sys::Reflect::get(v, &k.into()).ok();
    let edition = get(&json, "edition")?.as_string()?;
    let mut divisions = Vec::new();
    let mut stack = vec![(None::<String>, get(&json, "tree")?)];
    while let Some((parent, nodes)) = stack.pop() {
        for node in js_sys::Array::from(&nodes).iter() {
            let node = js_sys::Array::from(&node);
            let code = node.get(0).as_string()?;
            let name = node.get(1).as_string()?;
            let kids = node.get(2);
            if js_sys::Array::is_array(&kids) {
                stack.push((Some(code.clone()), kids));
            }
            divisions.push(Division {
                code,
                name,
                parent: parent.clone(),
            });
        }
    }
    RegionTable::from_divisions(edition, divisions).ok()
}

/// A division's name in `l`: the full table's when loaded, else the core's small table's, else
/// the code itself. Reactive: a name shown by code alone becomes the name when the table
/// arrives.
pub fn region_name(code: &str, l: Locale) -> String {
    let english = onething_core::regions::region(code).map(|r| r.name(l).to_owned());
    if l == Locale::En
        && let Some(name) = english.clone()
    {
        return name;
    }
    match regions().get() {
        Regions::Full(table) => table.get(code).map(|d| d.name.clone()),
        _ => None,
    }
    .or(english)
    .unwrap_or_else(|| code.to_owned())
}

/// The choices under `parent` (`None`: the province-level divisions): (code, name).
fn choices(state: &Regions, parent: Option<&str>, l: Locale) -> Vec<(String, String)> {
    match state {
        Regions::Full(table) => table
            .children(parent)
            .map(|d| {
                let name = match (l, onething_core::regions::region(&d.code)) {
                    (Locale::En, Some(r)) => r.en.to_owned(),
                    _ => d.name.clone(),
                };
                (d.code.clone(), name)
            })
            .collect(),
        _ => onething_core::regions::children(parent)
            .map(|r| (r.code.to_owned(), r.name(l).to_owned()))
            .collect(),
    }
}

/// The region selects and the detail line of an address.
#[component]
pub fn AddressInput(
    /// Where its answer lives.
    path: FieldPath,
) -> impl IntoView {
    let w = expect_context::<Wizard>();
    let table = regions();
    let read = path.clone();
    let current = Memo::new(move |_| match w.app.with(|a| read.get(a).cloned()) {
        Some(AnswerValue::Address(a)) => a,
        _ => Address::default(),
    });
    let id = path.dom_id();
    let detail_path = path.clone();
    let state = table.clone();
    let status = move || match state.get() {
        Regions::Loading => Some(t().address_regions_loading),
        Regions::Unavailable => Some(t().address_regions_unavailable),
        Regions::Full(_) => None,
    };
    view! {
        <p class="hint region-status" role="status">{status}</p>
        {move || {
            // One select per level that has choices: the first, and each below a chosen one.
            let state = table.get();
            let region = current.with(|a| a.region.clone());
            (0..3)
                .filter_map(|level| {
                    let parent = if level == 0 { None } else { region.get(level - 1).cloned() };
                    if level > 0 && parent.is_none() {
                        return None;
                    }
                    let options = choices(&state, parent.as_deref(), locale());
                    let first = options.first()?.0.clone();
                    // A municipality's districts come right under it: named as districts.
                    let label = match level {
                        0 => t().address_province,
                        _ if first.ends_with("00") => t().address_city,
                        _ => t().address_county,
                    };
                    let select_id = if level == 0 { id.clone() } else { format!("{id}-{level}") };
                    let chosen = region.get(level).cloned().unwrap_or_default();
                    Some(view! {
                        <RegionSelect
                            id=select_id
                            label
                            level
                            options
                            chosen
                            path=path.clone()
                        />
                    })
                })
                .collect_view()
        }}
        <DetailLine path=detail_path />
    }
}

/// One level of the cascade.
#[component]
fn RegionSelect(
    /// The select's id.
    id: String,
    /// Its label.
    label: &'static str,
    /// 0 province, 1 city, 2 county.
    level: usize,
    /// (code, name) of the choices.
    options: Vec<(String, String)>,
    /// The chosen code (empty when none).
    chosen: String,
    /// Where the address lives.
    path: FieldPath,
) -> impl IntoView {
    let w = expect_context::<Wizard>();
    let form = expect_context::<FormState>();
    let key = path.to_engine();
    let on_change = move |ev: leptos::ev::Event| {
        let code = event_target_value(&ev);
        w.app.update(|a| {
            let mut addr = match path.get(a) {
                Some(AnswerValue::Address(x)) => x.clone(),
                _ => Address::default(),
            };
            // Changing a level clears the levels below it.
            addr.region.truncate(level);
            if !code.is_empty() {
                addr.region.push(code.clone());
            }
            path.set(a, AnswerValue::Address(addr));
        });
        form.touch(&key);
    };
    let none_chosen = chosen.is_empty();
    let for_id = id.clone();
    view! {
        <label class="sub-label" for=for_id>{label}</label>
        <select id=id on:change=on_change>
            <option value="" selected=none_chosen>{t().address_choose}</option>
            {options
                .into_iter()
                .map(|(code, name)| {
                    let selected = chosen == code;
                    view! { <option value=code selected=selected>{name}</option> }
                })
                .collect_view()}
        </select>
    }
}

/// The street, number, building and room.
#[component]
fn DetailLine(
    /// Where the address lives.
    path: FieldPath,
) -> impl IntoView {
    let w = expect_context::<Wizard>();
    let form = expect_context::<FormState>();
    let id = format!("{}-detail", path.dom_id());
    let (read, key) = (path.clone(), path.to_engine());
    let value = move || match w.app.with(|a| read.get(a).cloned()) {
        Some(AnswerValue::Address(a)) => a.detail,
        _ => String::new(),
    };
    let on_input = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        w.app.update(|a| {
            let mut addr = match path.get(a) {
                Some(AnswerValue::Address(x)) => x.clone(),
                _ => Address::default(),
            };
            addr.detail = v;
            path.set(a, AnswerValue::Address(addr));
        });
    };
    let for_id = id.clone();
    view! {
        <label class="sub-label" for=for_id>{tr(|m| m.address_detail)}</label>
        <input id=id type="text" autocomplete="street-address" prop:value=value on:input=on_input on:blur=move |_| form.touch(&key) />
    }
}
