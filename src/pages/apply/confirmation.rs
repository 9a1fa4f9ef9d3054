//! The confirmation page: the case number (办件编号), the next thing the person must do (ask
//! the other parent to approve an e-licence, supply a document later, or nothing), and what
//! happens next for each sub-item with its expected date, counted in working days (China's
//! holiday calendar; marked as an estimate for a year without one) and after the items it waits
//! for, and how its result will arrive; and the receipt to print or save.

use leptos::prelude::*;
use onething_core::engine::{Date, WorkingDue};

use onething_core::api::{ConsentStatus, DeliveryMethod};

use crate::components::title_from;
use crate::dom::focus_heading;
use crate::i18n::{t, tr, with_n};
use crate::prefs::locale;
use crate::wizard::{Wizard, bundle_expected, draft, expected_dates};

/// The confirmation page.
#[component]
pub fn ConfirmationPage() -> impl IntoView {
    let w = expect_context::<Wizard>();
    title_from(|m| m.confirmation_title);
    focus_heading();
    let Some(receipt) = draft::receipt(&w.key()) else {
        return view! { <crate::pages::NotFound /> }.into_any();
    };
    let submitted = receipt
        .submitted_at
        .get(..10)
        .and_then(Date::parse)
        .unwrap_or(w.today);
    let ids: Vec<&str> = receipt.sub_items.iter().map(String::as_str).collect();
    let expected = w.def.with_value(|d| expected_dates(d, &ids, submitted));
    // The bundle as a whole: parallel branches take the longest, a chain adds up.
    let bundle = bundle_expected(&expected);
    let rows = w.def.with_value(|d| {
        d.sub_items
            .iter()
            .filter(|s| receipt.sub_items.contains(&s.id))
            .map(|s| {
                (
                    s.id.clone(),
                    s.title.clone(),
                    s.department.clone(),
                    expected.get(&s.id).copied().unwrap_or(WorkingDue {
                        date: submitted,
                        estimated: false,
                    }),
                    s.depends_on.clone(),
                )
            })
            .collect::<Vec<_>>()
    });
    let deferred = w.def.with_value(|d| {
        receipt
            .deferred
            .iter()
            .filter_map(|(m, days)| {
                d.materials.iter().find(|x| &x.id == m).map(|x| {
                    (
                        x.title.clone(),
                        submitted.working_days_after(u32::from(*days)),
                    )
                })
            })
            .collect::<Vec<_>>()
    });
    let case = receipt.case_number.clone();
    view! {
        <div class="panel-success" role="status">
            <h1>{tr(|m| m.confirmation_title)}</h1>
            <p>{tr(|m| m.case_number_label)}</p>
            <p class="case-number">{case}</p>
        </div>
        <NextAction id=receipt.id.clone() later=!deferred.is_empty() />
        <h2>{tr(|m| m.next_steps_heading)}</h2>
        {bundle.map(|b| view! {
            <p class="lead" id="bundle-expected">{move || with_n(if b.estimated { t().bundle_expected_by_estimated } else { t().bundle_expected_by }, b.date)}</p>
        })}
        <ol class="sub-items">
            {rows
                .into_iter()
                .map(|(id, title, dept, date, deps)| {
                    let waits = !deps.is_empty();
                    let way = receipt.deliveries.iter().find(|(s, _)| *s == id).map(|(_, m)| *m);
                    view! {
                        <li class="sub-item">
                            <span class="sub-item-title">{move || title.get(locale()).to_owned()}</span>
                            <p class="sub-item-meta">{move || dept.get(locale()).to_owned()}</p>
                            <p class="sub-item-meta">{move || with_n(if date.estimated { t().expected_by_estimated } else { t().expected_by }, date.date)}</p>
                            {waits.then(|| view! { <p class="sub-item-deps">{tr(|m| m.waits_for_dependencies)}</p> })}
                            {way.map(|m| view! { <p class="sub-item-meta arrival">{move || t().label_value.replace("{a}", t().arrival_label).replace("{b}", arrival(m))}</p> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        {(!deferred.is_empty()).then(|| view! {
            <h2>{tr(|m| m.deferred_heading)}</h2>
            <ul class="plain-list">
                {deferred
                    .into_iter()
                    .map(|(title, due)| view! { <li>{move || format!("{}：{}", title.get(locale()), with_n(if due.estimated { t().due_by_estimated } else { t().due_by }, due.date))}</li> })
                    .collect_view()}
            </ul>
        })}
        <a href=crate::router::href(&format!("/applications/{}", receipt.id)) class="button primary">{tr(|m| m.track_link)}</a>
        " "
        <a href=crate::router::href(&format!("/applications/{}/receipt", receipt.id)) class="button secondary" id="receipt-link">{tr(|m| m.receipt_link)}</a>
        " "
        <a href=crate::router::href("/") class="button secondary">{tr(|m| m.back_to_services)}</a>
        // Inside an app platform or a host page, finishing returns to the host.
        {crate::host::current().can_close().then(|| view! {
            " "
            <button type="button" class="button secondary" on:click=|_| { crate::host::current().close(); }>
                {tr(|m| m.close_app)}
            </button>
        })}
    }
    .into_any()
}

/// How a result arrives, in words.
fn arrival(m: DeliveryMethod) -> &'static str {
    match m {
        DeliveryMethod::Mail => t().arrival_mail,
        DeliveryMethod::Window => t().arrival_window,
        DeliveryMethod::ELicence => t().arrival_e_licence,
    }
}

/// The next thing the person must do: approve requests to send to another person (the case's
/// consent requests, read from the server), documents to supply later, or nothing for now.
#[component]
fn NextAction(
    /// The application id.
    id: String,
    /// Some materials are supplied later (listed further down).
    later: bool,
) -> impl IntoView {
    let w = expect_context::<Wizard>();
    // Asked once (offline: nothing to show but the rest).
    let consents = RwSignal::new(None::<Vec<onething_core::api::Consent>>);
    leptos::task::spawn_local(async move {
        let list = crate::api::get_application(&id)
            .await
            .map(|d| d.consents)
            .unwrap_or_default();
        consents.try_set(Some(list));
    });
    let pending = move || {
        consents
            .get()
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.status == ConsentStatus::Pending)
            .collect::<Vec<_>>()
    };
    view! {
        <section class="next-action" aria-labelledby="next-action-heading">
            <h2 id="next-action-heading">{tr(|m| m.next_action_heading)}</h2>
            {move || {
                let list = pending();
                let none = consents.get().is_some() && list.is_empty() && !later;
                view! {
                    {list.into_iter().map(|c| {
                        let material = w.def.with_value(|d| d.material(&c.material_id).map_or_else(|| c.material_id.clone(), |m| m.title.get(locale()).to_owned()));
                        let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
                        let link = format!("{origin}{}", crate::router::href(&format!("/consents/{}", c.code)));
                        let text = with_n(t().next_action_consent, material)
                            .replace("{a}", c.holder_role.get(locale()))
                            .replace("{b}", &c.holder_name)
                            .replace("{code}", &c.code);
                        view! {
                            <div class="notice notice-warning next-consent">
                                <p>{text}</p>
                                <p><a href=link.clone() class="consent-link">{link.clone()}</a></p>
                            </div>
                        }
                    }).collect_view()}
                    {later.then(|| view! { <p>{t().next_action_deferred}</p> })}
                    {none.then(|| view! { <p>{t().next_action_none}</p> })}
                }
            }}
        </section>
    }
}
