//! 好差评: five levels on the five national indicators, with a comment (required, as the
//! reason, once any indicator is 不满意 or worse: a 差评), once per case and only when the
//! server says a rating is open. The departments' follow-up (整改, 回访) shows in the timeline.

use leptos::prelude::*;
use onething_core::api::{ApplicationDetail, ErrorCode, Rating, RatingScores};

use super::live;
use crate::api::{self, Code, FetchError};
use crate::i18n::{t, tr};

/// A 差评: some indicator at 不满意 or below (0 is not chosen yet).
fn low(scores: [u8; 5]) -> bool {
    scores.iter().any(|s| (1..=2).contains(s))
}

/// The indicators in the national order, with their field names.
const INDICATORS: [&str; 5] = [
    "overall",
    "efficiency",
    "guide_accuracy",
    "convenience",
    "usability",
];

fn indicator(i: usize) -> &'static str {
    let t = t();
    [
        t.rate_overall,
        t.rate_efficiency,
        t.rate_guide_accuracy,
        t.rate_convenience,
        t.rate_usability,
    ][i]
}

fn level(l: u8) -> &'static str {
    let t = t();
    [t.rate_1, t.rate_2, t.rate_3, t.rate_4, t.rate_5][usize::from(l.clamp(1, 5) - 1)]
}

/// The rating form while a rating is open, thanks once given.
#[component]
pub fn RatingSection(
    /// The case id.
    id: String,
    /// The live application.
    detail: RwSignal<ApplicationDetail>,
) -> impl IntoView {
    // 0: nothing to show, 1: the form, 2: rated. A memo, so the form is built once.
    let state = Memo::new(move |_| {
        detail.with(|d| match (d.rating.is_some(), d.can_rate) {
            (true, _) => 2u8,
            (false, true) => 1,
            (false, false) => 0,
        })
    });
    move || match state.get() {
        1 => view! { <RatingForm id=id.clone() detail /> }.into_any(),
        2 => {
            view! { <p class="notice rated" role="status">{tr(|m| m.rating_thanks)}</p> }.into_any()
        }
        _ => ().into_any(),
    }
}

/// The form: one row of five levels per indicator, a comment, and send.
#[component]
fn RatingForm(
    /// The case id.
    id: String,
    /// The live application, updated with the stored rating.
    detail: RwSignal<ApplicationDetail>,
) -> impl IntoView {
    let scores = RwSignal::new([0u8; 5]);
    let comment = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<&'static str>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let s = scores.get_untracked();
        if s.contains(&0) {
            error.set(Some(t().rating_incomplete));
            return;
        }
        // 差评 (a 1 or a 2): the reason is asked for, as the server requires.
        if low(s) && comment.with_untracked(|c| c.trim().is_empty()) {
            error.set(Some(t().rating_reason_missing));
            crate::dom::focus_later("rate-comment");
            return;
        }
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let c = comment.get_untracked().trim().to_owned();
        let rating = Rating {
            scores: RatingScores {
                overall: s[0],
                efficiency: s[1],
                guide_accuracy: s[2],
                convenience: s[3],
                usability: s[4],
            },
            comment: Some(c).filter(|c| !c.is_empty()),
            rated_at: None,
        };
        let id = id.clone();
        leptos::task::spawn_local(async move {
            match api::rate(&id, &rating).await {
                Ok(d) => live::apply(detail, d),
                Err(FetchError::Api {
                    code: Code::Known(ErrorCode::RatingReasonRequired),
                    ..
                }) => error.set(Some(t().rating_reason_missing)),
                Err(e) => error.set(Some(e.message(t()))),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="rating" on:submit=submit>
            <h2>{tr(|m| m.rating_heading)}</h2>
            <p class="hint">{tr(|m| m.rating_lead)}</p>
            {(0..5).map(|i| view! {
                <fieldset class="field rate-row">
                    <legend class="label">{move || indicator(i)}</legend>
                    <div class="rate-levels">
                        {(1..=5u8).map(|l| view! {
                            <label class="option">
                                <input type="radio" name=format!("rate-{}", INDICATORS[i]) value=l.to_string()
                                    on:change=move |_| scores.update(|s| s[i] = l) />
                                <span>{move || level(l)}</span>
                            </label>
                        }).collect_view()}
                    </div>
                </fieldset>
            }).collect_view()}
            <label class="label" for="rate-comment">
                {move || if low(scores.get()) { t().rating_reason } else { t().rating_comment }}
            </label>
            {move || low(scores.get()).then(|| view! {
                <p class="hint" id="rate-comment-hint">{t().rating_reason_hint}</p>
            })}
            <textarea id="rate-comment" maxlength="500" bind:value=comment
                aria-required=move || low(scores.get()).to_string()
                aria-describedby=move || low(scores.get()).then_some("rate-comment-hint")></textarea>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <button type="submit" class="button primary" aria-disabled=move || busy.get().to_string()>{tr(|m| m.rating_submit)}</button>
        </form>
    }
}
