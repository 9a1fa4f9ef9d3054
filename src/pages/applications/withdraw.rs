//! 撤回: the person withdraws the case, with a reason, while no department has accepted any of
//! its sub-items. The server decides; the page only offers the form while the case looks
//! withdrawable and shows the server's refusal in words.

use leptos::prelude::*;
use onething_core::api::{
    ApplicationDetail, ApplicationStatus, ErrorCode, SubItemStatus, WITHDRAW_REASON_MAX,
};

use super::live;
use crate::api::{self, Code, FetchError};
use crate::i18n::t;

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
                Err(FetchError::Api {
                    code: Code::Known(ErrorCode::WithdrawNotAllowed),
                    ..
                }) => error.set(Some(t().withdraw_not_allowed)),
                Err(FetchError::Api {
                    code: Code::Known(ErrorCode::WithdrawReasonInvalid),
                    ..
                }) => error.set(Some(t().withdraw_reason_missing)),
                Err(e) => error.set(Some(e.message(t()))),
            }
            let _ = busy.try_set(false);
        });
    };
    view! {
        <details class="withdraw summary-card">
            <summary class="details-title">{move || t().withdraw_heading}</summary>
            <form class="withdraw-form" on:submit=submit>
                <p class="hint">{move || t().withdraw_intro}</p>
                <label class="label" for="withdraw-reason">{move || t().withdraw_reason}</label>
                <p class="hint" id="withdraw-reason-hint">{move || t().withdraw_reason_hint}</p>
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
