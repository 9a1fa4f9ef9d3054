//! The router and the context every page shares (language, elder mode, the host bridge).

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::components::TopBar;
use crate::i18n::t;
use crate::pages::apply::{
    ApplyIndex, ApplyShell, CheckPage, ConfirmationPage, DeclarationPage, EligibilityPage,
    MaterialsPage, QuestionPage, SubItemsPage, TasksPage,
};
use crate::pages::{ApplicationPage, ApplicationsPage, Home, NotFound, ServicePage};

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    crate::prefs::provide();
    crate::host::provide();
    view! {
        // The deployment's sub-path (`/` or e.g. `/onething`), from the document's base URL.
        <Router base=crate::config::base_path()>
            <crate::host::HostReporter />
            <a class="skip-link" href="#main">{move || t().skip_to_content}</a>
            <TopBar />
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/services/:id") view=ServicePage />
                    <Route path=path!("/applications") view=ApplicationsPage />
                    <Route path=path!("/applications/:id") view=ApplicationPage />
                    <ParentRoute path=path!("/apply/:id") view=ApplyShell>
                        <Route path=path!("") view=ApplyIndex />
                        <Route path=path!("eligibility") view=EligibilityPage />
                        <Route path=path!("sub-items") view=SubItemsPage />
                        <Route path=path!("tasks") view=TasksPage />
                        <Route path=path!("page/:page") view=QuestionPage />
                        <Route path=path!("materials") view=MaterialsPage />
                        <Route path=path!("check") view=CheckPage />
                        <Route path=path!("declaration") view=DeclarationPage />
                        <Route path=path!("confirmation") view=ConfirmationPage />
                    </ParentRoute>
                </Routes>
            </main>
        </Router>
    }
}
