//! The router and the context every page shares (language, elder mode).

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::TopBar;
use crate::i18n::t;
use crate::pages::{Home, NotFound, ServicePage};

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    crate::prefs::provide();
    view! {
        <Router>
            <a class="skip-link" href="#main">{move || t().skip_to_content}</a>
            <TopBar />
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/services/:id") view=ServicePage />
                </Routes>
            </main>
        </Router>
    }
}
