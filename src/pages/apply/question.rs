//! A question page generated from the definition: one topic per page, its visible questions,
//! inline validation once a field is left, and the error summary on Continue.
//!
//! A question page once built is kept while the wizard is open ([`KeptPages`]): going back and
//! forth between pages shows a kept page again instead of building its views again. A page off
//! the screen stays in the document, hidden by `content-visibility: hidden` (`data-away`): the
//! browser skips it (no layout, no paint, out of the accessibility tree, the tab order and
//! find-in-page) but keeps its layout, so showing it again does not lay its text out afresh. An
//! engine without the property hides it with `display: none`. A kept page stays live (its
//! questions follow the answers and the language) but acts on the document (title, focus, the
//! guard) only while it is shown ([`crate::components::PageShown`]); what looks for "the page's
//! heading" looks for the one not away.
//!
//! The page Continue goes to is built ahead, hidden the same way, once the browser is idle after
//! a step shows: a first visit then shows a page already built. Building a page changes nothing
//! in the answers (a group's empty items are added when its page shows).

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::tachys::view::{Mountable, Render, any_view::AnyViewState};
use onething_core::definition::FactKind;

use super::{back_url, continue_when_valid, guard};
use crate::components::{
    BackLink, BottomBar, ErrorSummary, FormState, PageShown, page_shown, set_title,
};
use crate::dom::focus_heading;
use crate::i18n::t;
use crate::prefs::locale;
use crate::wizard::fields::{Field, GroupField, fill_minimum};
use crate::wizard::{FieldPath, Section, Step, Wizard, summary_entries};

/// How many question pages are kept, the most recently shown first: a definition's topics, with
/// room to spare; one left longest ago is dropped beyond that.
const KEPT_PAGES: usize = 12;

/// A question page built once and kept.
struct Kept {
    page: String,
    owner: Owner,
    /// The page's views, mounted in `holder` once; kept alive with it.
    _views: AnyViewState,
    /// The page's element, put in the document when first shown (or built ahead) and hidden
    /// (`data-away`) while another step shows; taken out only when the page is dropped.
    holder: web_sys::Element,
    shown: RwSignal<bool>,
}

/// The route `/apply/:id/page/:page`: the question pages of this wizard, `page` the one to show
/// (none while another step shows). Each is built the first time it is shown, or before: `ahead`,
/// the page Continue goes to from the step on screen, is built hidden once the browser is idle,
/// while the person reads (a first visit then costs what a return does). Each is kept (its
/// reactive owner a child of this one, so they go when the wizard goes).
#[component]
pub fn KeptPages(
    /// The question page on screen, if any.
    page: Memo<Option<String>>,
    /// The question page after the step on screen, if it is one.
    ahead: Memo<Option<String>>,
) -> impl IntoView {
    let slot = NodeRef::<leptos::html::Div>::new();
    let parent = Owner::current();
    let kept: Rc<RefCell<Vec<Kept>>> = Rc::default();
    // Shows the page on screen; then, once the browser is idle, builds the page ahead (one such
    // build waits at a time, and builds what is ahead when it runs).
    let waiting = Rc::new(std::cell::Cell::new(false));
    Effect::new(move || {
        let (Some(pages), Some(owner)) = (slot.get(), parent.as_ref()) else {
            return;
        };
        let (page, next) = (page.get(), ahead.get());
        untrack(|| show(&mut kept.borrow_mut(), &pages, page, owner));
        if next.is_none() || waiting.replace(true) {
            return;
        }
        let (kept, parent, waiting) = (Rc::clone(&kept), parent.clone(), Rc::clone(&waiting));
        crate::dom::when_idle(move || {
            waiting.set(false);
            // The wizard may have gone meanwhile (its memo disposed, the slot out of the page).
            let (Some(Some(page)), Some(slot), Some(parent)) =
                (ahead.try_get_untracked(), slot.get_untracked(), parent)
            else {
                return;
            };
            if slot.is_connected() {
                build_ahead(&mut kept.borrow_mut(), &slot, page, &parent);
            }
        });
    });
    view! { <div class="question-pages" node_ref=slot></div> }
}

/// Builds `page` (its holder not yet in the document), as it is before it is first shown.
fn build(page: String, parent: &Owner) -> Option<Kept> {
    let holder = web_sys::window()?.document()?.create_element("div").ok()?;
    let owner = parent.child();
    let (mut views, shown) = owner.with(|| {
        let shown = RwSignal::new(false);
        provide_context(PageShown(shown));
        let view = view! { <PageBody page_id=page.clone() /> }.into_any();
        (view.build(), shown)
    });
    views.mount(&holder, None);
    Some(Kept {
        page,
        owner,
        _views: views,
        holder,
        shown,
    })
}

/// Keeps the first [`KEPT_PAGES`] of `kept`, dropping the others.
fn keep_at_most(kept: &mut Vec<Kept>) {
    for dropped in kept.drain(KEPT_PAGES.min(kept.len())..) {
        dropped.holder.remove();
        dropped.owner.cleanup();
    }
}

/// Builds `page` hidden, if it is not kept yet: in the document and away, as a page left is, so
/// showing it is an attribute removed. (Letting the browser lay it out ahead too, hidden by
/// `visibility: hidden` with no height instead, made no difference that could be measured.)
fn build_ahead(kept: &mut Vec<Kept>, slot: &web_sys::Element, page: String, parent: &Owner) {
    if kept.iter().any(|k| k.page == page) {
        return;
    }
    let Some(entry) = build(page, parent) else {
        return;
    };
    let _ = entry.holder.set_attribute("data-away", "");
    let _ = slot.append_child(&entry.holder);
    // After the page on screen, which stays the first.
    let at = usize::from(kept.first().is_some_and(|k| k.shown.get_untracked()));
    kept.insert(at, entry);
    keep_at_most(kept);
}

/// Hides the shown page and shows `page`, built now if it is not kept.
fn show(kept: &mut Vec<Kept>, slot: &web_sys::Element, page: Option<String>, parent: &Owner) {
    if let Some(first) = kept.first_mut()
        && first.shown.get_untracked()
    {
        if Some(&first.page) == page.as_ref() {
            return;
        }
        // Left with a field focused (the browser's back button): the field hears its blur, so
        // it comes back as a field that was left (an ID number masked again, for one).
        if let Some(active) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
            .filter(|e| {
                slot.contains(Some(e)) && e.matches("input, select, textarea").unwrap_or(false)
            })
        {
            let _ = active.blur();
        }
        let _ = first.holder.set_attribute("data-away", "");
        first.shown.set(false);
    }
    let Some(page) = page else {
        return;
    };
    let entry = if let Some(i) = kept.iter().position(|k| k.page == page) {
        kept.remove(i)
    } else {
        let Some(entry) = build(page, parent) else {
            return;
        };
        entry
    };
    if entry.holder.parent_node().is_some() {
        let _ = entry.holder.remove_attribute("data-away");
    } else {
        let _ = slot.append_child(&entry.holder);
    }
    entry.shown.set(true);
    kept.insert(0, entry);
    keep_at_most(kept);
}

/// One page's questions.
#[component]
fn PageBody(
    /// The page id.
    page_id: String,
) -> impl IntoView {
    let step = Step::Page(page_id.clone());
    let w = expect_context::<Wizard>();
    let form = FormState::provide();
    let shown = page_shown();
    let page = w.def.with_value(|d| d.page(&page_id).cloned());
    let pid = page_id.clone();
    let visible = Memo::new(move |_| {
        w.eval.with(|e| {
            e.pages
                .iter()
                .find(|p| p.id == pid)
                .map(|p| p.facts.clone())
                .unwrap_or_default()
        })
    });
    // Each time the page is shown: the guard and the heading's focus, as when a page was built
    // for every visit; and while it shows, its title in the current language. Each time it is
    // hidden, a fresh start for its errors: none stay in the document unseen, and none come
    // back with it (a page is only changed while shown).
    let arrived = step.clone();
    let title = page.as_ref().map(|p| p.title.clone());
    Effect::new(move |before: Option<bool>| {
        let now = shown.get();
        if now {
            if before != Some(true) {
                guard(&arrived);
                focus_heading();
                // Its groups get their empty items now (see `GroupField`): not at its build,
                // which may come ahead of the step.
                w.def.with_value(|d| {
                    for fact in d.facts.iter().filter(|f| f.kind == FactKind::Group) {
                        if visible.with_untracked(|v| v.contains(&fact.id)) {
                            fill_minimum(&w, fact, &FieldPath::fact(Section::Answers, &fact.id));
                        }
                    }
                });
            }
            if let Some(title) = &title {
                set_title(title.get(locale()));
            }
        } else if before == Some(true) {
            form.reset();
        }
        now
    });
    let summary = NodeRef::new();
    let Some(page) = page else {
        return view! { <crate::pages::NotFound /> }.into_any();
    };
    let errors = Signal::derive(move || {
        if !form.attempted.get() {
            return Vec::new();
        }
        let facts = visible.get();
        summary_entries(&w, |p| {
            p.section == Section::Answers && facts.contains(&p.fact)
        })
    });
    // Kept pages: where Back goes follows the answers (a page before this one may come or go).
    let back = {
        let step = step.clone();
        Signal::derive(move || back_url(&step))
    };
    let on_continue = continue_when_valid(step.clone(), form, errors, summary);
    let (title, intro) = (page.title.clone(), page.intro.clone());
    view! {
        <BackLink href=back />
        <ErrorSummary errors node_ref=summary />
        <h1>{move || title.get(locale()).to_owned()}</h1>
        {intro.map(|i| view! { <p class="lead">{move || i.get(locale()).to_owned()}</p> })}
        <form novalidate on:submit=|ev| ev.prevent_default()>
            {move || {
                visible
                    .get()
                    .into_iter()
                    .filter_map(|id| w.def.with_value(|d| d.facts.iter().find(|f| f.id == id).cloned()))
                    .map(|fact| {
                        let path = FieldPath::fact(Section::Answers, &fact.id);
                        if fact.kind == FactKind::Group {
                            view! { <GroupField fact path /> }.into_any()
                        } else {
                            view! { <Field fact path /> }.into_any()
                        }
                    })
                    .collect_view()
            }}
        </form>
        <BottomBar label=Signal::derive(move || t().continue_) on_press=on_continue />
    }
    .into_any()
}
