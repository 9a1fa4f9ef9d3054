//! 撤回: the person withdraws the case, with a reason, while no department has accepted any of
//! its sub-items. The server decides; the page only offers the form while the case looks
//! withdrawable and shows the server's refusal in words.

use leptos::prelude::*;
use onething_core::api::{
    ApplicationDetail, ApplicationStatus, ErrorCode, SubItemStatus, TimelineKind,
    WITHDRAW_REASON_MAX,
};

use super::live;
use crate::api::{self, Code, FetchError};
use crate::i18n::{t, tr};

/// Whether the form is offered: no sub-item has moved past what happens before acceptance.
/// (A 补正 asked after acceptance also reads as open here; the server refuses it then.)
pub fn offered(d: &ApplicationDetail) -> bool {
    d.status != ApplicationStatus::Withdrawn
        && !d.items.is_empty()
        && d.items.iter().all(|i| {
            matches!(
                i.status,
                SubItemStatus::Received | SubItemStatus::SupplementRequested
            )
        })
}

/// A reason the server takes: 1 to 200 characters once trimmed.
pub fn reason_ok(reason: &str) -> bool {
    let n = reason.trim().chars().count();
    (1..=WITHDRAW_REASON_MAX).contains(&n)
}

/// What a refused withdrawal says: the form's own refusal (`not_allowed`, `text`), a reason the
/// server found empty, or the general message of the failure.
fn refusal(e: &FetchError, not_allowed: ErrorCode, text: &'static str) -> &'static str {
    match e {
        FetchError::Api {
            code: Code::Known(c),
            ..
        } if *c == not_allowed => text,
        FetchError::Api {
            code: Code::Known(ErrorCode::WithdrawReasonInvalid),
            ..
        } => t().withdraw_reason_missing,
        e => e.message(t()),
    }
}

/// The collapsed withdraw form, while the case may be withdrawn.
#[component]
pub fn WithdrawSection(
    /// The case id.
    id: String,
    /// The live application.
    detail: RwSignal<ApplicationDetail>,
) -> impl IntoView {
    let shown = Memo::new(move |_| detail.with(offered));
    move || {
        shown
            .get()
            .then(|| view! { <WithdrawForm id=id.clone() detail /> })
    }
}

#[component]
fn WithdrawForm(
    /// The case id.
    id: String,
    /// The live application, replaced by the withdrawn one.
    detail: RwSignal<ApplicationDetail>,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<&'static str>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let r = reason.get_untracked();
        if !reason_ok(&r) {
            error.set(Some(t().withdraw_reason_missing));
            crate::dom::focus_later("withdraw-reason");
            return;
        }
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let id = id.clone();
        leptos::task::spawn_local(async move {
            match api::withdraw(&id, r.trim()).await {
                Ok(d) => live::apply(detail, d),
                Err(e) => {
                    error.try_set(Some(refusal(
                        &e,
                        ErrorCode::WithdrawNotAllowed,
                        t().withdraw_not_allowed,
                    )));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    view! {
        <details class="withdraw summary-card">
            <summary class="details-title">{tr(|m| m.withdraw_heading)}</summary>
            <form class="withdraw-form" on:submit=submit>
                <p class="hint">{tr(|m| m.withdraw_intro)}</p>
                <label class="label" for="withdraw-reason">{tr(|m| m.withdraw_reason)}</label>
                <p class="hint" id="withdraw-reason-hint">{tr(|m| m.withdraw_reason_hint)}</p>
                <textarea id="withdraw-reason" maxlength=WITHDRAW_REASON_MAX.to_string()
                    aria-describedby="withdraw-reason-hint" aria-required="true" bind:value=reason></textarea>
                {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                <button type="submit" class="button secondary" aria-disabled=move || busy.get().to_string()>
                    {move || if busy.get() { t().withdraw_sending } else { t().withdraw_button }}
                </button>
            </form>
        </details>
    }
}

/// The sub-items one may ask a department to withdraw: still open (not decided, done or
/// withdrawn) and without a request waiting for its answer (the timeline's latest word on it).
pub fn askable(d: &ApplicationDetail) -> Vec<String> {
    d.items
        .iter()
        .filter(|i| {
            matches!(
                i.status,
                SubItemStatus::Received
                    | SubItemStatus::Accepted
                    | SubItemStatus::InProgress
                    | SubItemStatus::SupplementRequested
            )
        })
        .filter(|i| {
            let latest = d.timeline.iter().rev().find(|e| {
                e.sub_item_id.as_deref() == Some(i.sub_item_id.as_str())
                    && matches!(
                        e.kind,
                        TimelineKind::WithdrawalRequested
                            | TimelineKind::WithdrawalApproved
                            | TimelineKind::WithdrawalDeclined
                    )
            });
            latest.is_none_or(|e| e.kind != TimelineKind::WithdrawalRequested)
        })
        .map(|i| i.sub_item_id.clone())
        .collect()
}

/// Once a department has accepted part of the case: ask the department of one sub-item to
/// withdraw it, with a reason. The department answers; the timeline shows both.
#[component]
pub fn ItemWithdrawSection(
    /// The case id.
    id: String,
    /// The live application.
    detail: RwSignal<ApplicationDetail>,
    /// Its service definition (the sub-items' names).
    def: StoredValue<onething_core::ServiceDefinition>,
) -> impl IntoView {
    let shown = Memo::new(move |_| {
        detail.with(|d| {
            d.status != ApplicationStatus::Withdrawn && !offered(d) && !askable(d).is_empty()
        })
    });
    move || {
        shown
            .get()
            .then(|| view! { <ItemWithdrawForm id=id.clone() detail def /> })
    }
}

#[component]
fn ItemWithdrawForm(
    /// The case id.
    id: String,
    /// The live application, replaced by the answer.
    detail: RwSignal<ApplicationDetail>,
    /// Its service definition.
    def: StoredValue<onething_core::ServiceDefinition>,
) -> impl IntoView {
    let choices = Memo::new(move |_| detail.with(askable));
    let item = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<&'static str>);
    let sent = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen = item.get_untracked();
        if !choices.with_untracked(|c| c.contains(&chosen)) {
            error.set(Some(t().item_withdraw_choose));
            crate::dom::focus_later("item-withdraw-item");
            return;
        }
        let r = reason.get_untracked();
        if !reason_ok(&r) {
            error.set(Some(t().withdraw_reason_missing));
            crate::dom::focus_later("item-withdraw-reason");
            return;
        }
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let id = id.clone();
        leptos::task::spawn_local(async move {
            match api::withdraw_item(&id, &chosen, r.trim()).await {
                Ok(d) => {
                    live::apply(detail, d);
                    reason.set(String::new());
                    item.set(String::new());
                    sent.set(true);
                }
                Err(e) => {
                    error.try_set(Some(refusal(
                        &e,
                        ErrorCode::ItemWithdrawNotAllowed,
                        t().item_withdraw_not_allowed,
                    )));
                }
            }
            let _ = busy.try_set(false);
        });
    };
    view! {
        <details class="withdraw item-withdraw summary-card">
            <summary class="details-title">{tr(|m| m.item_withdraw_heading)}</summary>
            <form class="withdraw-form" on:submit=submit>
                <p class="hint">{tr(|m| m.item_withdraw_intro)}</p>
                {move || sent.get().then(|| view! { <p class="notice" role="status">{t().item_withdraw_sent}</p> })}
                <label class="label" for="item-withdraw-item">{tr(|m| m.item_withdraw_item)}</label>
                <select id="item-withdraw-item" aria-required="true" prop:value=move || item.get()
                    on:change=move |ev| item.set(event_target_value(&ev))>
                    <option value="">{tr(|m| m.item_withdraw_pick)}</option>
                    {move || choices.get().into_iter().map(|sub| {
                        let label = def.with_value(|d| super::items::title(d, &sub));
                        view! { <option value=sub>{label}</option> }
                    }).collect_view()}
                </select>
                <label class="label" for="item-withdraw-reason">{tr(|m| m.withdraw_reason)}</label>
                <p class="hint" id="item-withdraw-reason-hint">{tr(|m| m.withdraw_reason_hint)}</p>
                <textarea id="item-withdraw-reason" maxlength=WITHDRAW_REASON_MAX.to_string()
                    aria-describedby="item-withdraw-reason-hint" aria-required="true" bind:value=reason></textarea>
                {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                <button type="submit" class="button secondary" aria-disabled=move || busy.get().to_string()>
                    {move || if busy.get() { t().item_withdraw_sending } else { t().item_withdraw_button }}
                </button>
            </form>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_one_to_two_hundred_characters() {
        assert!(!reason_ok("   "));
        assert!(reason_ok(" 填错了 "));
        assert!(reason_ok(&"很".repeat(200)));
        assert!(!reason_ok(&"很".repeat(201)));
    }
}
