//! `/apply/:id/...`: the wizard. The shell loads the definition and the saved draft and
//! provides the [`Wizard`]; each step is its own route, so back and reload work.

mod check;
mod confirmation;
mod declaration;
mod eligibility;
mod materials;
mod privacy;
mod question;
mod sub_items;
mod tasks;

pub use check::{CheckPage, e_licence_way};
pub(crate) use check::{shown, supplied};
pub use confirmation::ConfirmationPage;
pub use declaration::DeclarationPage;
pub use eligibility::EligibilityPage;
pub use materials::MaterialsPage;
pub use sub_items::SubItemsPage;
pub use tasks::TasksPage;

use leptos::prelude::*;

use crate::api;
use crate::components::{LoadError, loaded};
use crate::i18n::{t, tr};
use crate::router::{self, use_router};
use crate::wizard::{Step, Wizard, draft, steps, sync};

/// The wizard's routes under `/apply/:id`.
#[derive(Clone, PartialEq, Eq)]
pub enum ApplyStep {
    /// `/apply/:id`: continue where the person left off.
    Index,
    /// `eligibility`
    Eligibility,
    /// `sub-items`
    SubItems,
    /// `tasks`
    Tasks,
    /// `page/:page`
    Page(String),
    /// `materials`
    Materials,
    /// `check`
    Check,
    /// `declaration`
    Declaration,
    /// `confirmation`
    Confirmation,
}

impl ApplyStep {
    /// The step of the path segments after `/apply/:id`; `None` when there is no such step.
    pub fn parse(rest: &[&str]) -> Option<Self> {
        Some(match rest {
            [] => ApplyStep::Index,
            ["eligibility"] => ApplyStep::Eligibility,
            ["sub-items"] => ApplyStep::SubItems,
            ["tasks"] => ApplyStep::Tasks,
            ["page", page] => ApplyStep::Page((*page).to_owned()),
            ["materials"] => ApplyStep::Materials,
            ["check"] => ApplyStep::Check,
            ["declaration"] => ApplyStep::Declaration,
            ["confirmation"] => ApplyStep::Confirmation,
            _ => return None,
        })
    }
}

/// Loads the definition, then renders the current step.
#[component]
pub fn ApplyShell(
    /// The draft's key from the URL: the service id (its first draft) or `service~suffix`
    /// (another draft of it, see [`draft`]).
    id: String,
) -> impl IntoView {
    // The definition and the saved draft (reconciled with the server's copy when signed in)
    // together: no step renders before the person's answers are back.
    let fetch = move || {
        let key = id.clone();
        async move {
            let def = api::get_service_for_wizard(draft::service_of(&key)).await?;
            let (saved, conflict) = sync::reconcile(&key, draft::load(&key).await).await;
            let account = crate::session::current().await;
            Ok((def, key, saved, conflict, account))
        }
    };
    loaded(
        fetch,
        |t| t.services_loading,
        |answer, on_retry| match answer {
            Ok((def, key, saved, conflict, account)) => {
                let w = Wizard::new(def, key, saved, conflict);
                provide_context(w);
                // Questions about the signed-in person start filled in from the account (the
                // person can still change them); what was already answered is kept.
                // An agent's case (帮办代办) prefills the citizen, never the agent's own account.
                match crate::pages::assisted::prefill_for(&w.key()) {
                    crate::pages::assisted::Prefill::Citizen(citizen) => {
                        if let Some(p) = citizen {
                            w.prefill(&p);
                        }
                    }
                    crate::pages::assisted::Prefill::Account => {
                        if let Some(a) = account {
                            w.prefill(&onething_core::engine::PrefillData::from(&a));
                        }
                    }
                }
                let uploads = w.uploads;
                leptos::task::spawn_local(async move { uploads.restore().await });
                let key = w.key();
                on_cleanup(move || crate::upload::Uploads::suspend(&key));
                view! { <ApplyBody /> }.into_any()
            }
            Err(error) => view! { <LoadError error on_retry /> }.into_any(),
        },
    )
}

/// What the wizard shows around and in its current step, the [`Wizard`] provided.
#[component]
fn ApplyBody() -> impl IntoView {
    view! {
        <crate::pages::assisted::AssistedBanner />
        <StepTracker />
        <ConflictNotice />
        <DefinitionChangedNotice />
        <StorageNotice />
        <SessionNotice />
        <privacy::PrivacyNotice />
        <TasksLink />
        <StepOutlet />
    }
}

/// The wizard's first step (`/apply/<id>/eligibility`) as a person who has not started it sees
/// it, for the build to prerender (`src/bin/onething-prerender.rs`): a deep link shows it
/// before the whole app has arrived, which then takes it over (`src/takeover.js`).
#[cfg(not(target_arch = "wasm32"))]
pub fn entry_page(
    def: onething_core::ServiceDefinition,
    today: onething_core::value::Date,
) -> AnyView {
    router::provide_at(&entry_path(&def.id));
    let key = def.id.clone();
    provide_context(Wizard::new_on(def, key, None, None, today));
    view! { <ApplyBody /> }.into_any()
}

/// The path of a one-thing's first step, prerendered by the build.
pub fn entry_path(id: &str) -> String {
    format!("/apply/{id}/eligibility")
}

/// The current step's page; a step is re-created only when the step changes, a question page
/// kept once built.
#[component]
fn StepOutlet() -> impl IntoView {
    let r = use_router();
    let step = Memo::new(move |_| {
        let segs = router::segments(&r.path());
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        // Only `/apply/:id/...` reaches the shell; while the app leaves it, nothing renders.
        match segs.as_slice() {
            ["apply", _, rest @ ..] => ApplyStep::parse(rest),
            _ => None,
        }
    });
    // Question pages are kept once built (`question::KeptPages`); the other steps are built
    // for each visit.
    let page = Memo::new(move |_| match step.get() {
        Some(ApplyStep::Page(p)) => Some(p),
        _ => None,
    });
    // The question page Continue goes to from here, built ahead while the person reads.
    let w = expect_context::<Wizard>();
    let ahead = Memo::new(move |_| {
        let here = match step.get()? {
            ApplyStep::SubItems => Step::SubItems,
            ApplyStep::Page(p) => Step::Page(p),
            _ => return None,
        };
        match w.eval.with(|e| steps::next(e, &here))? {
            Step::Page(p) => Some(p),
            _ => None,
        }
    });
    let other = move || match step.get()? {
        ApplyStep::Page(_) => None,
        ApplyStep::Index => Some(view! { <ApplyIndex /> }.into_any()),
        ApplyStep::Eligibility => Some(view! { <EligibilityPage /> }.into_any()),
        ApplyStep::SubItems => Some(view! { <SubItemsPage /> }.into_any()),
        ApplyStep::Tasks => Some(view! { <TasksPage /> }.into_any()),
        ApplyStep::Materials => Some(view! { <MaterialsPage /> }.into_any()),
        ApplyStep::Check => Some(view! { <CheckPage /> }.into_any()),
        ApplyStep::Declaration => Some(view! { <DeclarationPage /> }.into_any()),
        ApplyStep::Confirmation => Some(view! { <ConfirmationPage /> }.into_any()),
    };
    view! {
        <question::KeptPages page ahead />
        {other}
    }
}

/// Keeps the step on screen in the draft, so re-opening the service continues there.
#[component]
fn StepTracker() -> impl IntoView {
    let w = expect_context::<Wizard>();
    let r = use_router();
    Effect::new(move || {
        let path = r.path();
        // Not the index (`/apply/:id`, where a started draft asks to continue or start anew).
        if path.starts_with("/apply/")
            && !path.ends_with("/confirmation")
            && path.trim_end_matches('/') != format!("/apply/{}", w.key())
            && w.step.get_untracked().as_deref() != Some(&path)
        {
            w.step.set(Some(path));
        }
    });
}

/// An RFC 3339 instant as the device's local date and time (`2026-11-28 14:05`).
fn local_time(rfc3339: &str) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if d.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    let two = |n: u32| format!("{n:02}");
    format!(
        "{}-{}-{} {}:{}",
        d.get_full_year(),
        two(d.get_month() + 1),
        two(d.get_date()),
        two(d.get_hours()),
        two(d.get_minutes())
    )
}

/// A draft changed on two devices: say so and let the person choose which copy to keep.
#[component]
fn ConflictNotice() -> impl IntoView {
    let w = expect_context::<Wizard>();
    move || {
        let c = w.conflict.get()?;
        let when = local_time(&c.updated_at);
        crate::dom::focus_later("draft-conflict");
        Some(view! {
            <div class="notice notice-warning" id="draft-conflict" tabindex="-1" role="alert">
                <p>{t().draft_conflict.replace("{when}", &when)}</p>
                <div class="notice-actions">
                    <button type="button" class="button secondary" on:click=move |_| w.use_theirs()>{t().draft_use_theirs}</button>
                    <button type="button" class="button secondary" on:click=move |_| w.keep_mine()>{t().draft_keep_mine}</button>
                </div>
            </div>
        })
    }
}

/// The draft was started under an earlier version of the service's definition: one sentence
/// says the form changed and that what still applies was kept (the wizard resumes at the first
/// step that needs the person).
#[component]
fn DefinitionChangedNotice() -> impl IntoView {
    let changed = use_context::<crate::wizard::draft::DefinitionChanged>().is_some_and(|c| c.0);
    changed.then(|| {
        view! { <p class="notice notice-warning" id="definition-changed" role="status">{tr(|m| m.draft_definition_changed)}</p> }
    })
}

/// Whether the answers are saved on this device: a quiet line while all is well, a warning when
/// the device cannot keep the draft (private mode, storage full), so the person knows not to
/// close the app.
#[component]
fn StorageNotice() -> impl IntoView {
    let w = expect_context::<Wizard>();
    let health = crate::storage::health();
    move || {
        let text = match health.get() {
            crate::storage::Health::Saved => {
                let unsaved = w.unsaved.get();
                let text = if unsaved {
                    t().draft_saving
                } else {
                    t().draft_saved
                };
                let state = if unsaved { "saving" } else { "saved" };
                // The build's prerendered first step keeps the line's place but does not say
                // it: nothing is saved until the app has taken the page over.
                let prerendered = cfg!(not(target_arch = "wasm32")).then_some("visibility:hidden");
                return view! { <p class="save-state" data-state=state style=prerendered>{text}</p> }.into_any();
            }
            crate::storage::Health::Unavailable => t().storage_unavailable,
            crate::storage::Health::Full => t().storage_full,
        };
        view! { <p class="notice notice-warning" role="status">{text}</p> }.into_any()
    }
}

/// The session ended mid-way and could not be renewed by itself: the answers are kept on the
/// device; signing in again (or reopening the service from the app platform, which gives a new
/// ticket) carries on at the same step.
#[component]
fn SessionNotice() -> impl IntoView {
    let lost = crate::session::lost();
    move || {
        lost.get().then(|| {
            view! {
                <div class="notice notice-warning" id="session-lost" role="alert">
                    <p>{t().session_lost}</p>
                    <button type="button" class="button secondary" on:click=|_| {
                        leptos::task::spawn_local(async { let _ = crate::session::ensure().await; });
                    }>{t().session_sign_in_again}</button>
                </div>
            }
        })
    }
}

/// A link to the task list from every step but the list itself and the confirmation.
#[component]
fn TasksLink() -> impl IntoView {
    let w = expect_context::<Wizard>();
    let r = use_router();
    let index = format!("/apply/{}", w.key());
    let shown = move || {
        let path = r.path();
        !(path.ends_with("/tasks")
            || path.ends_with("/confirmation")
            || path.trim_end_matches('/') == index)
    };
    let href = router::href(&format!("/apply/{}/tasks", w.key()));
    view! {
        <Show when=shown>
            <a href=href.clone() class="tasks-link">{tr(|m| m.tasks_link)}</a>
        </Show>
    }
}

/// `/apply/:id`: continues where the person left off; when this draft already has answers
/// (the person started the service again), asks first whether to continue it or start a new
/// application beside it ([`privacy::DraftChoice`]).
#[component]
pub fn ApplyIndex() -> impl IntoView {
    let w = expect_context::<Wizard>();
    // Started by the person: the first step answered (the account's prefill alone is not).
    let started = w
        .app
        .with_untracked(|a| !a.eligibility.is_empty() || !a.materials.is_empty());
    if started && use_router().query_untracked("continue").is_none() {
        return view! { <privacy::DraftChoice /> }.into_any();
    }
    use_router().navigate(&resume_url(&w), true);
    ().into_any()
}

/// The step the person was on when they left (its own guard sends them on when it can no
/// longer be reached), else the first incomplete one.
fn resume_url(w: &Wizard) -> String {
    let prefix = format!("/apply/{}/", w.key());
    w.step
        .get_untracked()
        .filter(|p| p.starts_with(&prefix))
        .unwrap_or_else(|| w.url(&w.eval.with_untracked(steps::first_incomplete)))
}

/// Sends the person to the first incomplete step when `step` is not reachable yet (a deep link
/// or a stale bookmark); returns whether the step may render.
pub fn guard(step: &Step) -> bool {
    let w = expect_context::<Wizard>();
    let ok = w.eval.with_untracked(|e| steps::reachable(e, step));
    if !ok {
        let target = w.url(&w.eval.with_untracked(steps::first_incomplete));
        let r = use_router();
        // Navigating while this route renders would replace it mid-render: do it right after.
        leptos::task::spawn_local(async move { r.navigate(&target, true) });
    }
    ok
}

/// A function that goes to the step after `step`, or back to the check page when the person
/// came from its Change link (`?return=check`). Made in the component body, where the router's
/// context is available, and called from event handlers.
pub fn next_fn(step: Step) -> impl Fn() + Clone + Send + Sync + 'static {
    let w = expect_context::<Wizard>();
    let r = use_router();
    move || {
        let back_to_check = r.query_untracked("return").as_deref() == Some("check");
        let next =
            if back_to_check && matches!(step, Step::Page(_) | Step::Materials | Step::SubItems) {
                Step::Check
            } else {
                w.eval
                    .with_untracked(|e| steps::next(e, &step))
                    .unwrap_or(Step::Check)
            };
        r.navigate(&w.url(&next), false);
    }
}

/// The Continue button of a page with fields: from then on every error shows; with none left it
/// goes to the next step, otherwise the error summary takes focus (GOV.UK pattern).
pub fn continue_when_valid(
    step: Step,
    form: crate::components::FormState,
    errors: Signal<Vec<(String, String)>>,
    summary: NodeRef<leptos::html::Div>,
) -> Callback<()> {
    let next = next_fn(step);
    Callback::new(move |()| {
        form.attempted.set(true);
        if errors.with_untracked(Vec::is_empty) {
            next();
        } else {
            crate::components::focus_summary(summary);
        }
    })
}

/// The URL of the step before `step` (the landing page before the first); read in a reactive
/// context, it follows the answers.
pub fn back_url(step: &Step) -> String {
    let w = expect_context::<Wizard>();
    w.eval
        .with(|e| steps::previous(e, step))
        .map_or_else(|| format!("/services/{}", w.service_id()), |s| w.url(&s))
}
