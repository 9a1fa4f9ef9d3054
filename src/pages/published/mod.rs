//! `/published` (`?service=` to show one one-thing's): 亮晒, the public list of resolved
//! problems. An enterprise's problem, once solved and only when the enterprise consented, is
//! published de-identified: the kind of problem (the definition's choices, by their labels),
//! the department's text for the public and the date; never the enterprise's own words. Read
//! without signing in, newest first, 20 at a time ("show more" follows the list's cursor); each
//! entry with its ratings and the rating control ([`rating`]), which asks to sign in.

mod rating;

use leptos::prelude::*;
use onething_core::api::{PublishedEntry, PublishedPage as Page};

use crate::api;
use crate::components::{LoadError, loaded, title_from};
use crate::i18n::{t, tr, with_n};
use crate::pages::applications::pair;
use crate::prefs::locale;

/// The average of `total` over `count` with one decimal (`4.5`), in integers.
fn average(total: u32, count: u32) -> String {
    let tenths = (u64::from(total) * 10 + u64::from(count) / 2) / u64::from(count.max(1));
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// The ratings in words: none yet, or how many and their average.
pub(super) fn ratings_text(count: u32, total: u32) -> String {
    if count == 0 {
        t().pub_no_ratings.to_owned()
    } else {
        pair(t().pub_ratings, &count.to_string(), &average(total, count))
    }
}

/// `/published`: the list.
#[component]
pub fn PublishedPage() -> impl IntoView {
    title_from(|m| m.pub_title);
    let service = crate::router::use_router().query_untracked("service");
    let filtered = service.is_some();
    let fetch = move || {
        let service = service.clone();
        async move { api::published::list(service.as_deref(), None).await }
    };
    view! {
        <h1>{tr(|m| m.pub_title)}</h1>
        <p class="lead">{tr(|m| m.pub_intro)}</p>
        {filtered.then(|| view! {
            <p><a href=crate::router::href("/published") class="back-link">{tr(|m| m.pub_show_all)}</a></p>
        })}
        {loaded(fetch, |t| t.pub_loading, |answer, on_retry| match answer {
            Ok(page) => view! { <Entries page /> }.into_any(),
            Err(error) => view! { <LoadError error on_retry /> }.into_any(),
        })}
    }
}

/// One page of entries, then "show more" while the list goes on; the next page, once loaded,
/// is a block of its own below (the entries above are never rendered again, and no keyed list is
/// needed).
#[component]
fn Entries(
    /// This page.
    page: Page,
    /// How many entries the pages above hold.
    #[prop(default = 0)]
    before: usize,
) -> AnyView {
    let shown = before + page.entries.len();
    let cursor = page.next_cursor;
    let has_more = cursor.is_some();
    let next_page = RwSignal::new(None::<Page>);
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let more = move |_| {
        let Some(cursor) = cursor.clone() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let service = crate::router::use_router().query_untracked("service");
        leptos::task::spawn_local(async move {
            match api::published::list(service.as_deref(), Some(&cursor)).await {
                Ok(p) => next_page.set(Some(p)),
                Err(_) => failed.set(true),
            }
            busy.set(false);
        });
    };
    view! {
        {(shown == 0).then(|| view! { <p>{tr(|m| m.pub_none)}</p> })}
        <ul class="messages published">
            {page.entries.into_iter().map(|entry| view! { <Entry entry /> }).collect_view()}
        </ul>
        {move || match next_page.get() {
            Some(p) => view! { <Entries page=p before=shown /> }.into_any(),
            None => view! {
                {(shown > 0).then(|| view! { <p class="messages-status" role="status">{move || with_n(t().pub_shown, shown)}</p> })}
                {move || failed.get().then(|| view! {
                    <p class="notice notice-error" role="alert">{t().load_failed_network}</p>
                })}
                {has_more.then(|| view! {
                    <p><button type="button" class="button secondary" on:click=more.clone()
                        aria-disabled=move || busy.get().to_string()>{tr(|m| m.pub_more)}</button></p>
                })}
            }.into_any(),
        }}
    }
    .into_any()
}

/// One entry: the one-thing, the date, the choices by label, the department's text, the
/// ratings and the rating control.
#[component]
fn Entry(
    /// The entry.
    entry: PublishedEntry,
) -> impl IntoView {
    let PublishedEntry {
        id,
        service_title,
        published_on,
        facts,
        outcome,
        rating_count,
        rating_total,
        ..
    } = entry;
    let heading = format!("pub-{id}");
    let counts = RwSignal::new((rating_count, rating_total));
    let lines: Vec<_> = facts.into_iter().chain(outcome).collect();
    let (entry_id, labelled_by, heading_id) = (id.clone(), heading.clone(), heading.clone());
    view! {
        <li class="message published-entry" data-entry=entry_id>
            <article aria-labelledby=labelled_by>
                <h2 class="message-title" id=heading_id>{move || service_title.get(locale()).to_owned()}</h2>
                <p class="message-meta">
                    {move || with_n(t().pub_published_on, onething_core::date_text(&published_on, locale()).unwrap_or_else(|| published_on.clone()))}
                </p>
                {lines.into_iter().map(|l| view! {
                    <p class="message-text">
                        {move || pair(t().label_value, l.label.get(locale()), l.value.get(locale()))}
                    </p>
                }).collect_view()}
                <p class="message-meta published-ratings">{move || { let (c, s) = counts.get(); ratings_text(c, s) }}</p>
                <rating::RateEntry id heading counts />
            </article>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::average;

    #[test]
    fn the_average_has_one_decimal_rounded() {
        assert_eq!(average(9, 2), "4.5");
        assert_eq!(average(13, 3), "4.3");
        assert_eq!(average(14, 3), "4.7");
        assert_eq!(average(5, 1), "5.0");
        assert_eq!(average(0, 0), "0.0");
    }
}
