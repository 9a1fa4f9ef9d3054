//! Check your answers: everything the application will send, grouped as the person gave it —
//! the situation (情形) answers, the chosen sub-items, every visible answer by page, and each
//! material with how it is supplied (photo thumbnails, e-licence, commitment, later, at the
//! window) — each group with a Change link that returns to its step and, from there, back here.
//! Values read as a person reads them: dates in the language's form, choices by their labels,
//! ID and card numbers masked, lists with the language's separator.

use leptos::prelude::*;
use onething_core::definition::{Fact, FactKind, Material};
use onething_core::engine::{AnswerValue, MaterialChoice};
use onething_core::{Locale, date_text};

use super::{back_url, guard, next_fn};
use crate::components::{BackLink, BottomBar, title_from};
use crate::dom::{after_paint, focus_heading};
use crate::i18n::{messages, t, tr, with_n};
use crate::prefs::locale;
use crate::wizard::fields::mask;
use crate::wizard::{Step, Wizard};

/// How many answers the check page shows with its first paint: the groups until their rows
/// reach this many (at least one group), more than a phone's first screen holds. The groups
/// after them are built once that paint is on the screen: laying every answer out before it
/// made going to the check page the slowest step of the journey.
const FIRST_ROWS: usize = 12;

/// One group of the check page: its heading, its Change link and its rows.
struct Group {
    title: String,
    href: String,
    rows: Vec<Row>,
}

/// One answer: the label, the value as read, and the photos' previews (object URLs, with
/// their text alternatives) for a material supplied by photo.
struct Row {
    label: String,
    value: String,
    photos: Vec<(String, String)>,
}

impl Row {
    fn text(label: String, value: String) -> Self {
        Row {
            label,
            value,
            photos: Vec::new(),
        }
    }
}

/// The check-answers page.
#[component]
pub fn CheckPage() -> impl IntoView {
    let step = Step::Check;
    guard(&step);
    let w = expect_context::<Wizard>();
    title_from(|m| m.check_title);
    focus_heading();
    // The groups below the first screen once the page is painted (and its heading focused,
    // which was asked for first). The block then runs again: the first groups are rebuilt in
    // place (the same nodes, their texts compared) and the others added. A first version with
    // two blocks over a memo of the groups did not compute the first ones twice, but its wasm
    // was 642 B larger (brotli).
    let rest = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        after_paint().await;
        rest.try_set(true);
    });
    let next = next_fn(step.clone());
    let on_continue = Callback::new(move |()| next());
    view! {
        <BackLink href=back_url(&step) />
        <h1>{tr(|m| m.check_title)}</h1>
        {move || {
            let all = rest.get();
            let mut groups = groups(&w, locale());
            if !all {
                groups.truncate(first_screen(&groups));
            }
            view! {
                <div class="summary-cards" aria-busy=(!all).then_some("true")>
                    {groups.into_iter().map(card).collect_view()}
                </div>
            }
        }}
        <Amounts w />
        <BottomBar label=Signal::derive(move || t().continue_) on_press=on_continue />
    }
}

/// How many of `groups` the first paint shows (see [`FIRST_ROWS`]).
fn first_screen(groups: &[Group]) -> usize {
    let mut rows = 0;
    groups
        .iter()
        .take_while(|g| {
            let more = rows < FIRST_ROWS;
            rows += g.rows.len();
            more
        })
        .count()
}

/// One group's card: its heading, its Change link (which comes back here) and its rows.
fn card(g: Group) -> impl IntoView {
    let change_label = format!("{} {}", t().change, g.title);
    view! {
        <section class="summary-card">
            <div class="summary-head">
                <h2>{g.title}</h2>
                <a href=crate::router::href(&format!("{}?return=check", g.href)) class="change-link" aria-label=change_label>
                    {tr(|m| m.change)}
                </a>
            </div>
            <dl class="summary-list">
                {g.rows.into_iter().map(|r| view! {
                    <dt>{r.label}</dt>
                    <dd>
                        {r.value}
                        {(!r.photos.is_empty()).then(|| view! {
                            <span class="thumbs">
                                {r.photos.into_iter().map(|(src, alt)| view! { <img class="thumb" src=src alt=alt /> }).collect_view()}
                            </span>
                        })}
                    </dd>
                }).collect_view()}
            </dl>
        </section>
    }
}

/// The amounts the definition computes from the answers (a subsidy claimed), with the rule in
/// words: shown before submission, never typed.
#[component]
fn Amounts(
    /// The wizard.
    w: Wizard,
) -> impl IntoView {
    let rows = move || {
        let l = locale();
        w.app.with(|a| {
            w.def.with_value(|d| {
                onething_core::engine::amounts(d, a, crate::wizard::today())
                    .into_iter()
                    .filter_map(|c| {
                        let def = d.amounts.iter().find(|x| x.id == c.id)?;
                        let value = c.value.map_or_else(
                            || t().amount_pending.to_owned(),
                            |n| {
                                format!("{} {}", onething_core::engine::grouped(n), def.unit.get(l))
                            },
                        );
                        Some((
                            c.id,
                            def.label.get(l).to_owned(),
                            value,
                            def.help.as_ref().map(|h| h.get(l).to_owned()),
                        ))
                    })
                    .collect::<Vec<_>>()
            })
        })
    };
    move || {
        let rows = rows();
        (!rows.is_empty()).then(|| {
            view! {
                <section class="summary-card amounts">
                    <h2>{t().amounts_heading}</h2>
                    <p class="hint">{t().amounts_intro}</p>
                    <dl class="summary-list">
                        {rows.into_iter().map(|(id, label, value, help)| view! {
                            <dt>{label}</dt>
                            <dd data-amount=id><strong class="amount">{value}</strong>
                                {help.map(|h| view! { <span class="hint amount-rule">{h}</span> })}
                            </dd>
                        }).collect_view()}
                    </dl>
                </section>
            }
        })
    }
}

/// Everything the application will send, in the groups the page shows.
fn groups(w: &Wizard, l: Locale) -> Vec<Group> {
    let m = messages(l);
    w.eval.with(|e| {
        w.app.with(|a| {
            w.def.with_value(|d| {
                let mut groups = Vec::new();
                let situation: Vec<Row> = e
                    .questions
                    .iter()
                    .filter_map(|q| d.eligibility.questions.iter().find(|x| &x.id == q))
                    .map(|q| {
                        Row::text(
                            q.label.get(l).to_owned(),
                            shown(q, a.eligibility.get(&q.id), l),
                        )
                    })
                    .collect();
                if !situation.is_empty() {
                    groups.push(Group {
                        title: m.check_situation.to_owned(),
                        href: w.url(&Step::Eligibility),
                        rows: situation,
                    });
                }
                groups.push(Group {
                    title: m.check_sub_items.to_owned(),
                    href: w.url(&Step::SubItems),
                    rows: e
                        .selected
                        .iter()
                        .filter_map(|id| d.sub_item(id))
                        .map(|s| {
                            Row::text(s.title.get(l).to_owned(), s.department.get(l).to_owned())
                        })
                        .collect(),
                });
                groups.extend(e.pages.iter().filter(|p| p.visible).filter_map(|p| {
                    let page = d.page(&p.id)?;
                    Some(Group {
                        title: page.title.get(l).to_owned(),
                        href: w.url(&Step::Page(p.id.clone())),
                        rows: p
                            .facts
                            .iter()
                            .filter_map(|f| d.facts.iter().find(|x| &x.id == f))
                            .flat_map(|f| rows_of(f, a.answers.get(&f.id), l))
                            .collect(),
                    })
                }));
                if !e.materials.is_empty() {
                    groups.push(Group {
                        title: m.materials_title.to_owned(),
                        href: w.url(&Step::Materials),
                        rows: e
                            .materials
                            .iter()
                            .filter_map(|need| d.material(&need.id))
                            .map(|mat| {
                                let choice = a.materials.get(&mat.id);
                                let mut row = Row::text(
                                    mat.title.get(l).to_owned(),
                                    supplied(mat, choice, l),
                                );
                                if let Some(MaterialChoice::Upload { upload_ids }) = choice {
                                    row.photos = previews(w, mat, upload_ids.len(), l);
                                }
                                row
                            })
                            .collect(),
                    });
                }
                groups
            })
        })
    })
}

/// How a material will be supplied, in words.
pub(crate) fn supplied(mat: &Material, choice: Option<&MaterialChoice>, l: Locale) -> String {
    let m = messages(l);
    match choice {
        None => m.not_answered.to_owned(),
        Some(MaterialChoice::Upload { upload_ids }) => {
            let n = upload_ids.iter().filter(|u| !u.is_empty()).count();
            crate::i18n::count(m.check_photos_one, m.check_photos, n)
        }
        Some(MaterialChoice::ELicence { .. }) => e_licence_way(mat, l),
        Some(MaterialChoice::Commitment { .. }) => m.check_committed.to_owned(),
        Some(MaterialChoice::Deferred) => mat.deferred_days.map_or_else(
            || m.satisfier_deferred.to_owned(),
            |n| with_n(m.deferred_due, n),
        ),
        Some(MaterialChoice::AtWindow) => m.at_window_note.to_owned(),
    }
}

/// A material fetched as an e-licence, in words: whose, and who authorises it.
pub fn e_licence_way(mat: &Material, l: Locale) -> String {
    let m = messages(l);
    match mat.e_licence.as_ref().and_then(|e| e.holder.as_ref()) {
        Some(holder) => with_n(m.e_licence_holder_way, holder.role.get(l)),
        None => m.e_licence_way.to_owned(),
    }
}

/// The previews of a material's photos on this device, with their text alternatives
/// (`母亲居民身份证 人像面`); a photo uploaded on another device has none.
fn previews(w: &Wizard, mat: &Material, uploads: usize, l: Locale) -> Vec<(String, String)> {
    (0..uploads.max(mat.pages.len()))
        .filter_map(|i| {
            let src = w.uploads.photo(&mat.id, i)?.preview?;
            let page = mat
                .pages
                .get(i)
                .map_or(String::new(), |p| format!(" {}", p.get(l)));
            Some((src, format!("{}{page}", mat.title.get(l))))
        })
        .collect()
}

/// The (label, shown value) rows of one fact; a group gives one row per field of each item.
fn rows_of(fact: &Fact, value: Option<&AnswerValue>, l: Locale) -> Vec<Row> {
    match (fact.kind, value) {
        (FactKind::Group, Some(AnswerValue::Group(items))) => items
            .iter()
            .enumerate()
            .flat_map(|(i, item)| {
                fact.fields.iter().map(move |f| {
                    Row::text(
                        format!("{} {} · {}", fact.label.get(l), i + 1, f.label.get(l)),
                        shown(f, item.get(&f.id), l),
                    )
                })
            })
            .collect(),
        _ => vec![Row::text(
            fact.label.get(l).to_owned(),
            shown(fact, value, l),
        )],
    }
}

/// An answer as the person reads it: option labels, yes/no, dates in the language's form,
/// masked ID and card numbers, lists with the language's separator.
pub(crate) fn shown(fact: &Fact, value: Option<&AnswerValue>, l: Locale) -> String {
    let option = |id: &str| {
        fact.options
            .iter()
            .find(|o| o.id == id)
            .map_or_else(|| id.to_owned(), |o| o.label.get(l).to_owned())
    };
    let m = messages(l);
    match value {
        // An answer of no shape the form can produce counts as unanswered (the engine agrees).
        None | Some(AnswerValue::Null | AnswerValue::Unsupported(_)) => m.not_answered.to_owned(),
        Some(AnswerValue::Bool(b)) => (if *b { m.yes } else { m.no }).to_owned(),
        Some(AnswerValue::Integer(n)) => fact
            .unit
            .as_ref()
            .map_or_else(|| n.to_string(), |u| format!("{n} {}", u.get(l))),
        Some(AnswerValue::Text(s)) if matches!(fact.kind, FactKind::Choice) => option(s),
        Some(AnswerValue::Text(s))
            if matches!(fact.kind, FactKind::IdNumber | FactKind::BankCard) =>
        {
            mask(s)
        }
        Some(AnswerValue::Text(s)) if matches!(fact.kind, FactKind::Date | FactKind::DateTime) => {
            date_text(s, l).unwrap_or_else(|| s.clone())
        }
        Some(AnswerValue::Text(s)) => s.clone(),
        Some(AnswerValue::Choices(c)) => c
            .iter()
            .map(|x| option(x))
            .collect::<Vec<_>>()
            .join(m.list_sep),
        Some(AnswerValue::Address(a)) => {
            // Region names from the full GB/T 2260 table (the core's small one until it is
            // loaded); a code neither lists is shown as it is.
            let region: Vec<String> = a
                .region
                .iter()
                .map(|c| crate::wizard::fields::address::region_name(c, l))
                .collect();
            match l {
                // 浙江省湖州市吴兴区 某路 1 号: the regions run together, as written in Chinese.
                Locale::ZhCn => format!("{} {}", region.join(""), a.detail),
                Locale::En => format!(
                    "{}, {}",
                    a.detail,
                    region.into_iter().rev().collect::<Vec<_>>().join(", ")
                ),
            }
            .trim_matches([' ', ','])
            .to_owned()
        }
        Some(AnswerValue::Group(items)) => items.len().to_string(),
    }
}
