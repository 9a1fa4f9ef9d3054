//! The detail's sub-item rows and timeline, and the plain rules they show: translated states,
//! expected dates in working days after what each item waits for, and how a result was
//! delivered (the courier and tracking number, the window and pickup code, or the e-licence).

use leptos::prelude::*;
use onething_core::api::{
    ApplicationDetail, Delivery, DeliveryMethod, SubItemStatus, TimelineKind,
};
use onething_core::engine::Date;
use onething_core::{ServiceDefinition, Text};

use crate::i18n::{count, t, with_n};
use crate::prefs::locale;

/// The translated state of a sub-item.
pub fn item_status(s: SubItemStatus) -> &'static str {
    let t = t();
    match s {
        SubItemStatus::Received => t.item_received,
        SubItemStatus::Accepted => t.item_accepted,
        SubItemStatus::InProgress => t.item_in_progress,
        SubItemStatus::Completed => t.item_completed,
        SubItemStatus::Delivered => t.item_delivered,
        SubItemStatus::Rejected => t.item_rejected,
        SubItemStatus::SupplementRequested => t.item_supplement,
        SubItemStatus::Withdrawn => t.item_withdrawn,
    }
}

/// A sub-item's name in the current language (its id when the definition lacks it).
pub fn title(def: &ServiceDefinition, id: &str) -> String {
    def.sub_item(id)
        .map_or_else(|| id.to_owned(), |s| s.title.get(locale()).to_owned())
}

/// How a result was delivered, as the department recorded it.
#[component]
fn DeliveryNote(
    /// The record.
    d: Delivery,
) -> impl IntoView {
    let tr = |x: &Option<Text>| {
        x.as_ref()
            .map(|x| x.get(locale()).to_owned())
            .unwrap_or_default()
    };
    match d.method {
        DeliveryMethod::Mail => {
            let courier = d.courier.clone().unwrap_or_else(|| t().delivery_courier_missing.to_owned());
            let line = super::pair(t().delivery_mail, &courier, d.tracking_number.as_deref().unwrap_or_default());
            view! { <p class="parcel delivery-mail">{line}</p> }.into_any()
        }
        DeliveryMethod::Window => view! {
            <div class="delivery delivery-window">
                <p><strong>{t().delivery_window}</strong></p>
                <p>{t().delivery_pickup_code}<strong class="pickup-code">{d.pickup_code.clone()}</strong></p>
                <p>{with_n(t().delivery_window_office, tr(&d.office))}</p>
                <p>{with_n(t().delivery_window_address, tr(&d.address))}</p>
                <p>{with_n(t().delivery_window_hours, tr(&d.hours))}</p>
            </div>
        }
        .into_any(),
        DeliveryMethod::ELicence => view! {
            <div class="delivery delivery-e-licence">
                <p><strong>{t().delivery_e_licence}</strong></p>
                {d.where_to_find.is_some().then(|| view! { <p>{with_n(t().delivery_e_licence_where, tr(&d.where_to_find))}</p> })}
            </div>
        }
        .into_any(),
    }
}

/// One row per sub-item: state, department, time limit, expected date, what it waits for, and
/// the parcel once mailed.
#[component]
pub fn ItemRows(
    /// The live application.
    detail: RwSignal<ApplicationDetail>,
    /// Its service definition.
    def: StoredValue<ServiceDefinition>,
) -> impl IntoView {
    move || {
        let _ = locale();
        detail.with(|d| {
            def.with_value(|def| {
                let from = Date::parse(&super::local(&d.submitted_at, false)).unwrap_or(Date::from_days(0));
                let ids: Vec<&str> = d.items.iter().map(|i| i.sub_item_id.as_str()).collect();
                let dates = crate::wizard::expected_dates(def, &ids, from);
                d.items
                    .iter()
                    .map(|i| {
                        let s = def.sub_item(&i.sub_item_id);
                        let dept = s.map(|s| s.department.get(locale()).to_owned());
                        let days = s.map_or(0, |s| usize::from(s.time_limit_days));
                        let open = !i.status.is_done() && !i.status.is_final();
                        let due = dates.get(&i.sub_item_id).filter(|_| open).map(|x| with_n(if x.estimated { t().expected_by_estimated } else { t().expected_by }, x.date));
                        let waits = (!i.waiting_for.is_empty()).then(|| {
                            let names: Vec<String> = i.waiting_for.iter().map(|w| title(def, w)).collect();
                            with_n(t().item_waiting_for, names.join(t().list_sep))
                        });
                        let delivery = i.delivery.clone();
                        let progress = s.cloned().map(|sub| (sub, i.clone()));
                        view! {
                            <li class="sub-item" data-item=i.sub_item_id.clone()>
                                <div class="sub-item-head">
                                    <span class="sub-item-title">{title(def, &i.sub_item_id)}</span>
                                    <span class=format!("status item-{}", i.status.as_str())>{item_status(i.status)}</span>
                                </div>
                                <p class="sub-item-meta">{dept}</p>
                                <p class="sub-item-meta">{count(t().time_limit_one, t().time_limit, days)}</p>
                                {due.map(|x| view! { <p class="sub-item-meta">{x}</p> })}
                                {waits.map(|x| view! { <p class="sub-item-deps waiting">{x}</p> })}
                                {progress.map(|(sub, item)| view! { <super::stages::StagesAndOutcome sub item /> })}
                                {delivery.map(|d| view! { <DeliveryNote d /> })}
                            </li>
                        }
                    })
                    .collect_view()
            })
        })
    }
}

/// What happened, oldest first, with local times.
#[component]
pub fn Timeline(
    /// The live application.
    detail: RwSignal<ApplicationDetail>,
    /// Its service definition.
    def: StoredValue<ServiceDefinition>,
) -> impl IntoView {
    move || {
        let _ = locale();
        detail.with(|d| {
            def.with_value(|def| {
                d.timeline
                    .iter()
                    .enumerate()
                    .map(|(n, e)| {
                        let item = e.sub_item_id.as_deref().map(|i| title(def, i));
                        let consent = |template: &str| {
                            let m = e
                                .material_id
                                .as_deref()
                                .map(|m| super::consents::material_title(def, m));
                            with_n(template, m.unwrap_or_default())
                        };
                        let what = match (e.kind, e.status) {
                            (TimelineKind::Submitted, _) => t().tl_submitted.to_owned(),
                            (TimelineKind::StatusChanged, Some(s)) => item_status(s).to_owned(),
                            (
                                TimelineKind::SupplementRequested | TimelineKind::StatusChanged,
                                _,
                            ) => t().item_supplement.to_owned(),
                            (TimelineKind::SupplementAnswered, _) => t().tl_answered.to_owned(),
                            (TimelineKind::Rated, _) => t().tl_rated.to_owned(),
                            (TimelineKind::ConsentRequested, _) => {
                                consent(t().tl_consent_requested)
                            }
                            (TimelineKind::ConsentApproved, _) => consent(t().tl_consent_approved),
                            (TimelineKind::ConsentDeclined, _) => consent(t().tl_consent_declined),
                            (TimelineKind::ConsentExpired, _) => consent(t().tl_consent_expired),
                            (TimelineKind::Withdrawn, _) => t().tl_withdrawn.to_owned(),
                            (TimelineKind::WithdrawalRequested, _) => {
                                t().tl_withdrawal_requested.to_owned()
                            }
                            (TimelineKind::WithdrawalApproved, _) => {
                                t().tl_withdrawal_approved.to_owned()
                            }
                            (TimelineKind::WithdrawalDeclined, _) => {
                                t().tl_withdrawal_declined.to_owned()
                            }
                            (TimelineKind::Rectified, _) => t().tl_rectified.to_owned(),
                            (TimelineKind::Revisited, _) => t().tl_revisited.to_owned(),
                            // Which stage: the n-th such event of an item is its n-th stage entry.
                            (TimelineKind::StageEntered, _) => {
                                let nth = d.timeline[..n]
                                    .iter()
                                    .filter(|x| {
                                        x.kind == TimelineKind::StageEntered
                                            && x.sub_item_id == e.sub_item_id
                                    })
                                    .count();
                                let stage = e.sub_item_id.as_deref().and_then(|s| {
                                    let entry = d
                                        .items
                                        .iter()
                                        .find(|i| i.sub_item_id == s)?
                                        .stages
                                        .get(nth)?;
                                    def.sub_item(s)?.stage(&entry.stage).map(|x| text(&x.title))
                                });
                                with_n(t().tl_stage_entered, stage.unwrap_or_default())
                            }
                        };
                        let line = item.map_or_else(
                            || what.clone(),
                            |i| super::pair(t().label_value, &i, &what),
                        );
                        view! {
                            <li>
                                <span class="tl-time">{super::local(&e.at, true)}</span>
                                <span class="tl-what">{line}</span>
                                {e.note.clone().map(|n| view! { <span class="tl-note">{n}</span> })}
                            </li>
                        }
                    })
                    .collect_view()
            })
        })
    }
}

/// A `Text`'s current translation, for callers outside a view.
pub fn text(x: &Text) -> String {
    x.get(locale()).to_owned()
}
