//! The public's 好差评 of a published entry: five levels as radio buttons in a fieldset (arrow
//! keys move, the legend names the entry) and an optional reason from the list (no free
//! text), once per account. Signed out, a button signs in first; the answer is announced.

use leptos::prelude::*;
use onething_core::api::{ErrorCode, PublicationRating, PublicationRatingReason as Reason};

use crate::api::{self, Code, FetchError};
use crate::i18n::{t, tr, with_n};

fn level(l: u8) -> &'static str {
    let t = t();
    [t.rate_1, t.rate_2, t.rate_3, t.rate_4, t.rate_5][usize::from(l.clamp(1, 5) - 1)]
}

fn reason_text(r: Reason) -> &'static str {
    let t = t();
    match r {
        Reason::Solved => t.pub_reason_solved,
        Reason::Quick => t.pub_reason_quick,
        Reason::Generalised => t.pub_reason_generalised,
        Reason::Unclear => t.pub_reason_unclear,
        Reason::Slow => t.pub_reason_slow,
        Reason::NotSolved => t.pub_reason_not_solved,
    }
}

/// The rating control of entry `id`: sign in, the form, or thanks with the score given.
#[component]
pub fn RateEntry(
    /// The entry's public id.
    id: String,
    /// The id of the entry's heading (the form's accessible name).
    heading: String,
    /// The entry's rating count and total, updated by a rating.
    counts: RwSignal<(u32, u32)>,
) -> impl IntoView {
    let signed_in = RwSignal::new(crate::api::session::token().is_some());
    let rated = RwSignal::new(None::<u8>);
    let score = RwSignal::new(0_u8);
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<&'static str>);
    let sign_in = move |_| {
        // The texts of the current language, read here: the task below runs outside the
        // component's owner, where the language's context is not found.
        let texts = t();
        leptos::task::spawn_local(async move {
            match crate::session::ensure().await {
                Ok(_) => signed_in.set(true),
                Err(e) => error.set(Some(e.message(texts))),
            }
        });
    };
    let send = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let s = score.get_untracked();
            if s == 0 {
                error.set(Some(t().pub_rate_missing));
                return;
            }
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            error.set(None);
            let body = PublicationRating {
                score: s,
                reason: reason.with_untracked(|r| Reason::parse(r)),
            };
            let id = id.clone();
            let texts = t();
            leptos::task::spawn_local(async move {
                match api::published::rate(&id, &body).await {
                    Ok(r) => {
                        counts.set((r.entry.rating_count, r.entry.rating_total));
                        rated.set(Some(r.score));
                    }
                    Err(FetchError::Api {
                        code: Code::Known(ErrorCode::PublicationAlreadyRated),
                        ..
                    }) => error.set(Some(texts.pub_already_rated)),
                    Err(e) => error.set(Some(e.message(texts))),
                }
                busy.set(false);
            });
        }
    };
    let heading_of_button = heading.clone();
    let name = format!("score-{id}");
    let reason_id = format!("reason-{id}");
    let form = move || {
        let (name, reason_id, send) = (name.clone(), reason_id.clone(), send.clone());
        view! {
            <form class="rating published-rating" on:submit=send aria-labelledby=heading.clone()>
                <fieldset class="field rate-row">
                    <legend class="label">{tr(|m| m.pub_rate_heading)}</legend>
                    <div class="rate-levels">
                        {(1..=5u8).map(|l| view! {
                            <label class="option">
                                <input type="radio" name=name.clone() value=l.to_string()
                                    on:change=move |_| score.set(l) />
                                <span>{move || level(l)}</span>
                            </label>
                        }).collect_view()}
                    </div>
                </fieldset>
                <label class="label" for=reason_id.clone()>{tr(|m| m.pub_rate_reason)}</label>
                <select id=reason_id on:change=move |ev| reason.set(event_target_value(&ev))>
                    <option value="">{tr(|m| m.pub_rate_reason_none)}</option>
                    {Reason::ALL.map(|r| view! { <option value=r.as_str()>{move || reason_text(r)}</option> }).collect_view()}
                </select>
                <p><button type="submit" class="button primary" aria-disabled=move || busy.get().to_string()>{tr(|m| m.rating_submit)}</button></p>
            </form>
        }
    };
    view! {
        {move || match (rated.get(), signed_in.get()) {
            (Some(s), _) => view! { <p class="notice rated" role="status">{with_n(t().pub_rated, s)}</p> }.into_any(),
            (None, true) => form().into_any(),
            (None, false) => view! {
                <p><button type="button" class="button secondary" on:click=sign_in
                    aria-describedby=heading_of_button.clone()>{tr(|m| m.pub_rate_sign_in)}</button></p>
            }.into_any(),
        }}
        {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
    }
}
