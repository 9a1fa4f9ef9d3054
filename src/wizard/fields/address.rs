//! An address: the region cascade (province → city → county, GB/T 2260 codes from the core's
//! region table) and the detail line. Where the table has no lower level, the cascade stops and
//! the detail line carries the rest.

use leptos::prelude::*;
use onething_core::engine::{Address, AnswerValue};
use onething_core::regions::children;

use crate::components::FormState;
use crate::i18n::t;
use crate::prefs::locale;
use crate::wizard::{FieldPath, Wizard};

/// The region selects and the detail line of an address.
#[component]
pub fn AddressInput(
    /// Where its answer lives.
    path: FieldPath,
) -> impl IntoView {
    let w = expect_context::<Wizard>();
    let read = path.clone();
    let current = Memo::new(move |_| match w.app.with(|a| read.get(a).cloned()) {
        Some(AnswerValue::Address(a)) => a,
        _ => Address::default(),
    });
    let id = path.dom_id();
    let detail_path = path.clone();
    view! {
        {move || {
            // One select per level that has choices: the first, and each below a chosen one.
            let region = current.with(|a| a.region.clone());
            let levels = [t().address_province, t().address_city, t().address_county];
            (0..3)
                .filter_map(|level| {
                    let parent = if level == 0 { None } else { region.get(level - 1).cloned() };
                    if level > 0 && parent.is_none() {
                        return None;
                    }
                    let options: Vec<_> = children(parent.as_deref()).collect();
                    if options.is_empty() {
                        return None;
                    }
                    let select_id = if level == 0 { id.clone() } else { format!("{id}-{level}") };
                    let chosen = region.get(level).cloned().unwrap_or_default();
                    Some(view! {
                        <RegionSelect
                            id=select_id
                            label=levels[level]
                            level
                            options=options.iter().map(|r| (r.code, r.name(locale()))).collect()
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
    options: Vec<(&'static str, &'static str)>,
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
                .map(|(code, name)| view! { <option value=code selected=chosen == code>{name}</option> })
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
        <label class="sub-label" for=for_id>{move || t().address_detail}</label>
        <input id=id type="text" autocomplete="street-address" prop:value=value on:input=on_input on:blur=move |_| form.touch(&key) />
    }
}
