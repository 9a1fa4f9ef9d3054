//! The materials (一套材料): one card per material the selected sub-items need, asked once however
//! many need it, each offering the ways the definition allows: upload a photo, use my e-licence
//! (with consent), accept a commitment, supply it later (容缺), or bring it to the window.

use leptos::prelude::*;
use onething_core::Text;
use onething_core::definition::{Material, Satisfier, ServiceDefinition};
use onething_core::engine::{Answers, MaterialChoice, MaterialNeed, chosen_delivery, deliveries};
use wasm_bindgen::JsCast;

use super::{back_url, continue_when_valid, guard};
use crate::components::{BackLink, BottomBar, ErrorSummary, FormState, ProgressBar, title_from};
use crate::dom::focus_heading;
use crate::i18n::{t, tr, with_n};
use crate::prefs::locale;
use crate::wizard::fields::PhotoPicker;
use crate::wizard::{Step, Wizard};

/// The materials page.
#[component]
pub fn MaterialsPage() -> impl IntoView {
    let step = Step::Materials;
    guard(&step);
    let w = expect_context::<Wizard>();
    let form = FormState::provide();
    title_from(|m| m.materials_title);
    focus_heading();
    let summary = NodeRef::new();
    let errors = Signal::derive(move || {
        if !form.attempted.get() {
            return Vec::new();
        }
        let l = locale();
        w.eval.with(|e| {
            e.errors
                .iter()
                .filter_map(|err| {
                    let id = err.path.strip_prefix("materials.")?;
                    let title = w.def.with_value(|d| {
                        d.materials
                            .iter()
                            .find(|m| m.id == id)
                            .map(|m| m.title.get(l).to_owned())
                    })?;
                    let msg = w.def.with_value(|d| d.error_text(&err.code, l).to_owned());
                    Some((format!("material-{id}"), format!("{title}：{msg}")))
                })
                .collect()
        })
    });
    let on_continue = continue_when_valid(step.clone(), form, errors, summary);
    let needs = Memo::new(move |_| w.eval.with(|e| e.materials.clone()));
    let delivery = Memo::new(move |_| {
        let selected = w.eval.with(|e| e.selected.clone());
        w.app.with(|a| {
            w.def
                .with_value(|d| delivery_notes(d, &selected, &a.answers))
        })
    });
    view! {
        <BackLink href=back_url(&step) />
        <ErrorSummary errors node_ref=summary />
        <h1>{tr(|m| m.materials_title)}</h1>
        <p class="lead">{tr(|m| m.materials_lead)}</p>
        {move || delivery.get().map(|(chosen, notes)| view! { <DeliveryNotes chosen notes /> })}
        {move || needs
            .get()
            .into_iter()
            .filter_map(|need| {
                let material = w.def.with_value(|d| d.material(&need.id).cloned())?;
                Some(view! { <MaterialCard material need /> })
            })
            .collect_view()}
        <BottomBar label=Signal::derive(move || t().continue_) on_press=on_continue />
    }
}

/// The way the person chose to receive the results (its option label) and the sub-items that
/// cannot take it, each with what happens instead; `None` when every one can.
fn delivery_notes(
    def: &ServiceDefinition,
    selected: &[String],
    answers: &Answers,
) -> Option<(Text, Vec<(Text, Text)>)> {
    let fact = def.fact(def.delivery_fact.as_deref()?)?;
    let chosen = chosen_delivery(def, answers)?;
    let label = fact.option(chosen.as_str())?.label.clone();
    let notes: Vec<(Text, Text)> = deliveries(def, selected, answers)
        .into_iter()
        .filter_map(|d| Some((def.sub_item(&d.sub_item)?.title.clone(), d.instead?)))
        .collect();
    (!notes.is_empty()).then_some((label, notes))
}

/// Before submission, never after: the sub-items whose result cannot come the way chosen.
#[component]
fn DeliveryNotes(
    /// The chosen way's label.
    chosen: Text,
    /// Each such sub-item's title and what happens instead.
    notes: Vec<(Text, Text)>,
) -> impl IntoView {
    view! {
        <section class="notice notice-warning" id="delivery-notes" aria-labelledby="delivery-notes-title">
            <h2 id="delivery-notes-title">{tr(|m| m.delivery_notes_title)}</h2>
            <p>{move || with_n(t().delivery_notes_lead, chosen.get(locale()))}</p>
            <ul>
                {notes
                    .into_iter()
                    .map(|(title, instead)| view! {
                        <li><strong>{move || title.get(locale()).to_owned()}</strong>{move || format!("：{}", instead.get(locale()))}</li>
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// One material and its ways of being provided.
#[component]
fn MaterialCard(
    /// The material.
    material: Material,
    /// What the engine says about it now (who needs it, allowed satisfiers).
    need: MaterialNeed,
) -> impl IntoView {
    let w = expect_context::<Wizard>();
    let form = expect_context::<FormState>();
    let mid = material.id.clone();
    let dom = format!("material-{mid}");
    let chosen = {
        let mid = mid.clone();
        move || {
            w.app
                .with(|a| a.materials.get(&mid).map(MaterialChoice::satisfier))
        }
    };
    let needed_by: Vec<onething_core::Text> = w.def.with_value(|d| {
        need.sub_items
            .iter()
            .filter_map(|s| {
                d.sub_items
                    .iter()
                    .find(|x| &x.id == s)
                    .map(|x| x.title.clone())
            })
            .collect()
    });
    let error = {
        let path = format!("materials.{mid}");
        Signal::derive(move || {
            if !form.attempted.get() {
                return None;
            }
            let code = w.eval.with(|e| {
                e.errors
                    .iter()
                    .find(|x| x.path == path)
                    .map(|x| x.code.clone())
            })?;
            Some(
                w.def
                    .with_value(|d| d.error_text(&code, locale()).to_owned()),
            )
        })
    };
    let (title, description) = (material.title.clone(), material.description.clone());
    let options = need
        .satisfiers
        .iter()
        .map(|s| {
            let s = *s;
            let set = {
                let mid = mid.clone();
                move |_| {
                    w.app.update(|a| {
                        let choice = match s {
                            // Photos taken before switching away are still on the device.
                            Satisfier::Upload => MaterialChoice::Upload { upload_ids: w.uploads.done_ids(&mid) },
                            Satisfier::ELicence => MaterialChoice::ELicence { consent: false },
                            Satisfier::Commitment => MaterialChoice::Commitment { accepted: false },
                            Satisfier::Deferred => MaterialChoice::Deferred,
                            Satisfier::AtWindow => MaterialChoice::AtWindow,
                        };
                        // Keep what was already given for the same way (photos, consent).
                        if a.materials.get(&mid).map(MaterialChoice::satisfier) != Some(s) {
                            a.materials.insert(mid.clone(), choice);
                        }
                    });
                }
            };
            let id = format!("{dom}-{}", satisfier_key(s));
            let is_chosen = {
                let c = chosen.clone();
                move || c() == Some(s)
            };
            let label = move || satisfier_label(s);
            let detail = {
                let is_chosen = is_chosen.clone();
                let material = material.clone();
                move || is_chosen().then(|| view! { <SatisfierDetail material=material.clone() satisfier=s /> })
            };
            let for_id = id.clone();
            view! {
                <label class="option" for=for_id>
                    <input type="radio" id=id name=dom.clone() prop:checked=is_chosen on:change=set />
                    <span>{label}</span>
                </label>
                {detail}
            }
        })
        .collect_view();
    view! {
        <fieldset class="material-card" id=format!("material-{}", material.id) class:has-error=move || error.with(Option::is_some)>
            <legend class="label">{move || title.get(locale()).to_owned()}</legend>
            {description.map(|d| view! { <p class="hint">{move || d.get(locale()).to_owned()}</p> })}
            <p class="needed-by">
                {move || {
                    let names: Vec<String> = needed_by.iter().map(|n| n.get(locale()).to_owned()).collect();
                    t().material_needed_by.replace("{items}", &names.join(t().list_sep))
                }}
            </p>
            {move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}
            {options}
        </fieldset>
    }
}

fn satisfier_key(s: Satisfier) -> &'static str {
    match s {
        Satisfier::Upload => "upload",
        Satisfier::ELicence => "e-licence",
        Satisfier::Commitment => "commitment",
        Satisfier::Deferred => "deferred",
        Satisfier::AtWindow => "at-window",
    }
}

fn satisfier_label(s: Satisfier) -> &'static str {
    let m = t();
    match s {
        Satisfier::Upload => m.satisfier_upload,
        Satisfier::ELicence => m.satisfier_e_licence,
        Satisfier::Commitment => m.satisfier_commitment,
        Satisfier::Deferred => m.satisfier_deferred,
        Satisfier::AtWindow => m.satisfier_at_window,
    }
}

/// What the chosen way asks for: photos, the consent, the commitment, the due date.
#[component]
fn SatisfierDetail(
    /// The material.
    material: Material,
    /// The chosen way.
    satisfier: Satisfier,
) -> impl IntoView {
    let w = expect_context::<Wizard>();
    let mid = material.id.clone();
    match satisfier {
        Satisfier::Upload => view! { <PhotoPages material /> }.into_any(),
        Satisfier::ELicence | Satisfier::Commitment => {
            let text = if satisfier == Satisfier::ELicence {
                material.e_licence.map(|e| e.consent).unwrap_or_default()
            } else {
                material.commitment.unwrap_or_default()
            };
            let id = format!("material-{mid}-agree");
            let for_id = id.clone();
            let (read, write) = (mid.clone(), mid);
            let checked = move || {
                w.app.with(|a| {
                    matches!(
                        a.materials.get(&read),
                        Some(
                            MaterialChoice::ELicence { consent: true }
                                | MaterialChoice::Commitment { accepted: true }
                        )
                    )
                })
            };
            let on_change = move |ev: leptos::ev::Event| {
                let on = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                    .is_some_and(|i| i.checked());
                w.app.update(|a| {
                    let choice = if satisfier == Satisfier::ELicence {
                        MaterialChoice::ELicence { consent: on }
                    } else {
                        MaterialChoice::Commitment { accepted: on }
                    };
                    a.materials.insert(write.clone(), choice);
                });
            };
            view! {
                <div class="satisfier-detail">
                    <p class="consent-text">{move || text.get(locale()).to_owned()}</p>
                    <label class="option" for=for_id>
                        <input type="checkbox" id=id prop:checked=checked on:change=on_change />
                        <span>{move || if satisfier == Satisfier::ELicence { t().e_licence_agree } else { t().commitment_agree }}</span>
                    </label>
                </div>
            }
            .into_any()
        }
        Satisfier::Deferred => {
            let days = usize::from(material.deferred_days.unwrap_or(0));
            view! { <p class="satisfier-detail">{move || with_n(t().deferred_due, days)}</p> }
                .into_any()
        }
        Satisfier::AtWindow => {
            view! { <p class="satisfier-detail">{tr(|m| m.at_window_note)}</p> }.into_any()
        }
    }
}

/// One photo slot per page of the material (ID card: photo side and emblem side); a material
/// without named pages takes one or more files, with a fresh slot after each one taken. Above
/// them, the material's progress over all its photos.
#[component]
fn PhotoPages(
    /// The material.
    material: Material,
) -> impl IntoView {
    let w = expect_context::<Wizard>();
    let uploads = w.uploads;
    let accept = material.accept.join(",");
    let named = material.pages.len();
    let mid = material.id.clone();
    let slots = {
        let mid = mid.clone();
        Memo::new(move |_| {
            if named > 0 {
                return named;
            }
            let mut taken = 0;
            while taken < onething_core::definition::MAX_UPLOADS_PER_MATERIAL
                && uploads.photo(&mid, taken).is_some()
            {
                taken += 1;
            }
            (taken + 1).min(onething_core::definition::MAX_UPLOADS_PER_MATERIAL)
        })
    };
    let title = material.title.clone();
    let progress = move || {
        let (sent, total) = uploads.material_progress(&mid)?;
        let n = crate::upload::state::percent(sent, total);
        let label = format!("{} {}", title.get(locale()), t().upload_progress);
        Some(view! { <ProgressBar percent=n label /> })
    };
    view! {
        {progress}
        {move || {
            (0..slots.get())
                .map(|i| {
                    let page = material.pages.get(i).map(|p| p.get(locale()).to_owned());
                    view! { <PhotoPicker material=material.id.clone() index=i page accept=accept.clone() /> }
                })
                .collect_view()
        }}
    }
}
