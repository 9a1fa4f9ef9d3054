//! `/apply/:id/...`: the wizard. The shell loads the definition and the saved draft and
//! provides the [`Wizard`]; each step is its own route, so back and reload work.

mod check;
mod confirmation;
mod declaration;
mod eligibility;
mod materials;
mod question;
mod sub_items;
mod tasks;

pub use check::CheckPage;
pub use confirmation::ConfirmationPage;
pub use declaration::DeclarationPage;
pub use eligibility::EligibilityPage;
pub use materials::MaterialsPage;
pub use question::QuestionPage;
pub use sub_items::SubItemsPage;
pub use tasks::TasksPage;

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::api;
use crate::components::LoadError;
use crate::i18n::t;
use crate::wizard::{Step, Wizard, steps};

/// Loads the definition, then renders the current step.
#[component]
pub fn ApplyShell() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let service = LocalResource::new(move || {
        let id = id();
        async move { api::get_service(&id).await }
    });
    view! {
        <Suspense fallback=move || view! { <p class="loading" role="status">{move || t().services_loading}</p> }>
            {move || Suspend::new(async move {
                match service.await {
                    Ok(def) => {
                        provide_context(Wizard::new(def));
                        view! {
                            <TasksLink />
                            <Outlet />
                        }
                        .into_any()
                    }
                    Err(error) => {
                        let on_retry = Callback::new(move |()| service.refetch());
                        view! { <LoadError error on_retry /> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// A link to the task list from every step but the list itself and the confirmation.
#[component]
fn TasksLink() -> impl IntoView {
    let w = expect_context::<Wizard>();
    let location = leptos_router::hooks::use_location();
    let shown = move || {
        let path = location.pathname.get();
        !(path.ends_with("/tasks") || path.ends_with("/confirmation"))
    };
    let href = format!("/apply/{}/tasks", w.service_id());
    view! {
        <Show when=shown>
            <A href=crate::config::href(&href) attr:class="tasks-link">{move || t().tasks_link}</A>
        </Show>
    }
}

/// `/apply/:id`: continues where the person left off.
#[component]
pub fn ApplyIndex() -> impl IntoView {
    let w = expect_context::<Wizard>();
    let navigate = use_navigate();
    let target = w.url(&w.eval.with_untracked(steps::first_incomplete));
    navigate(
        &target,
        NavigateOptions {
            replace: true,
            ..NavigateOptions::default()
        },
    );
}

/// Sends the person to the first incomplete step when `step` is not reachable yet (a deep link
/// or a stale bookmark); returns whether the step may render.
pub fn guard(step: &Step) -> bool {
    let w = expect_context::<Wizard>();
    let ok = w.eval.with_untracked(|e| steps::reachable(e, step));
    if !ok {
        let target = w.url(&w.eval.with_untracked(steps::first_incomplete));
        let navigate = use_navigate();
        // Navigating while the router renders this route is not allowed: do it right after.
        leptos::task::spawn_local(async move {
            navigate(
                &target,
                NavigateOptions {
                    replace: true,
                    ..NavigateOptions::default()
                },
            );
        });
    }
    ok
}

/// A function that goes to the step after `step`, or back to the check page when the person
/// came from its Change link (`?return=check`). Made in the component body, where the router's
/// context is available, and called from event handlers.
pub fn next_fn(step: Step) -> impl Fn() + Clone + Send + Sync + 'static {
    let w = expect_context::<Wizard>();
    let navigate = use_navigate();
    let query = use_query_map();
    move || {
        let back_to_check = query.with_untracked(|q| q.get("return").as_deref() == Some("check"));
        let next =
            if back_to_check && matches!(step, Step::Page(_) | Step::Materials | Step::SubItems) {
                Step::Check
            } else {
                w.eval
                    .with_untracked(|e| steps::next(e, &step))
                    .unwrap_or(Step::Check)
            };
        navigate(&w.url(&next), NavigateOptions::default());
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

/// The URL of the step before `step` (the landing page before the first).
pub fn back_url(step: &Step) -> String {
    let w = expect_context::<Wizard>();
    w.eval
        .with_untracked(|e| steps::previous(e, step))
        .map_or_else(|| format!("/services/{}", w.service_id()), |s| w.url(&s))
}
