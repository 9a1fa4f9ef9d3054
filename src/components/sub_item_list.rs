//! The departmental items (事项) a one-thing bundles: name, department, time limit, optional.

use leptos::prelude::*;

use crate::boot::SubItemHead;
use crate::i18n::{count, t, tr};
use crate::prefs::locale;

/// The list of sub-items, in the definition's order.
#[component]
pub fn SubItemList(
    /// The sub-items to show.
    items: Vec<SubItemHead>,
) -> impl IntoView {
    view! {
        <ol class="sub-items">
            {items
                .into_iter()
                .map(|item| {
                    let optional = item.optional;
                    let days = item.time_limit_days;
                    view! {
                        <li class="sub-item" data-id=item.id.clone()>
                            <div class="sub-item-head">
                                <span class="sub-item-title">
                                    {
                                        let title = item.title.clone();
                                        move || title.get(locale()).to_owned()
                                    }
                                </span>
                                <Show when=move || optional>
                                    <span class="badge">{tr(|m| m.optional_badge)}</span>
                                </Show>
                            </div>
                            <p class="sub-item-meta">
                                <span class="visually-hidden">{tr(|m| m.department_label)} ": "</span>
                                {
                                    let dept = item.department.clone();
                                    move || dept.get(locale()).to_owned()
                                }
                                " · "
                                {move || count(t().time_limit_one, t().time_limit, usize::from(days))}
                            </p>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
