//! The route table and the context every page shares (language, elder mode, the host bridge).

use leptos::prelude::*;

use crate::components::{Footer, TopBar};
use crate::i18n::tr;
use crate::pages::apply::{ApplyShell, ApplyStep};
use crate::pages::{
    AccessibilityPage, ApplicationPage, ApplicationsPage, ConsentEntry, ConsentPage, Home,
    NotFound, ServicePage,
};
use crate::router;

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    crate::prefs::provide();
    crate::host::provide();
    // The deployment's sub-path (`/` or e.g. `/onething`), from the document's base URL.
    let r = router::provide(&crate::config::base_path());
    // A page is re-created only when the route (or its parameter) changes: moving between the
    // wizard's steps keeps the apply shell and its loaded definition.
    let page = Memo::new(move |_| Page::parse(&r.path()));
    view! {
        <crate::host::HostReporter />
        <a class="skip-link" href="#main">{tr(|m| m.skip_to_content)}</a>
        <TopBar />
        <main id="main" tabindex="-1">
            {move || match page.get() {
                Page::Home => view! { <Home /> }.into_any(),
                Page::Service(id) => view! { <ServicePage id /> }.into_any(),
                Page::Applications => view! { <ApplicationsPage /> }.into_any(),
                Page::Application(id) => view! { <ApplicationPage id /> }.into_any(),
                Page::Apply(id) => view! { <ApplyShell id /> }.into_any(),
                Page::ConsentEntry => view! { <ConsentEntry /> }.into_any(),
                Page::Agent => view! { <crate::pages::assisted::AgentPage /> }.into_any(),
                Page::AssistedCase(id) => view! { <crate::pages::assisted::AssistedCasePage id /> }.into_any(),
                Page::AssistedConfirmEntry => view! { <crate::pages::assisted::ConfirmEntry /> }.into_any(),
                Page::AssistedConfirm(code) => view! { <crate::pages::assisted::ConfirmPage code /> }.into_any(),
                Page::Consent(code) => view! { <ConsentPage code /> }.into_any(),
                Page::Accessibility => view! { <AccessibilityPage /> }.into_any(),
                Page::Drafts => view! { <crate::pages::DraftsPage /> }.into_any(),
                Page::Receipt(id) => view! { <crate::pages::ReceiptPage id /> }.into_any(),
                Page::Messages => view! { <crate::pages::MessagesPage /> }.into_any(),
                Page::Published => view! { <crate::pages::PublishedPage /> }.into_any(),
                Page::NotFound => view! { <NotFound /> }.into_any(),
            }}
        </main>
        <Footer />
    }
}

/// The app's routes, by path under the base.
#[derive(Clone, PartialEq, Eq)]
pub enum Page {
    /// `/`: the catalogue.
    Home,
    /// `/services/:id`: a one-thing's landing page.
    Service(String),
    /// `/applications`: my applications.
    Applications,
    /// `/applications/:id`: one case, live.
    Application(String),
    /// `/apply/:id/...`: the wizard, at one of its [`ApplyStep`]s.
    Apply(String),
    /// `/consents`: typing a consent code.
    ConsentEntry,
    /// `/consents/:code`: the other person answers a consent request.
    Consent(String),
    /// `/assisted`: the agent's desk (帮办代办).
    Agent,
    /// `/assisted/cases/:id`: one of the agent's cases.
    AssistedCase(String),
    /// `/assisted/confirm`: the citizen types the confirmation code.
    AssistedConfirmEntry,
    /// `/assisted/confirm/:code`: the citizen confirms or refuses what an agent filled.
    AssistedConfirm(String),
    /// `/accessibility`: the accessibility statement.
    Accessibility,
    /// `/drafts`: my drafts, each to continue or discard.
    Drafts,
    /// `/applications/:id/receipt`: a case's printable receipt.
    Receipt(String),
    /// `/messages`: the message centre.
    Messages,
    /// `/published`: 亮晒, the public list of resolved problems.
    Published,
    /// Anything else.
    NotFound,
}

impl Page {
    /// The route of `path`.
    pub fn parse(path: &str) -> Self {
        let segs = router::segments(path);
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        match segs.as_slice() {
            [] => Page::Home,
            ["services", id] => Page::Service((*id).to_owned()),
            ["applications"] => Page::Applications,
            ["applications", id] => Page::Application((*id).to_owned()),
            ["consents"] => Page::ConsentEntry,
            ["consents", code] => Page::Consent((*code).to_owned()),
            ["assisted"] => Page::Agent,
            ["assisted", "cases", id] => Page::AssistedCase((*id).to_owned()),
            ["assisted", "confirm"] => Page::AssistedConfirmEntry,
            ["assisted", "confirm", code] => Page::AssistedConfirm((*code).to_owned()),
            ["accessibility"] => Page::Accessibility,
            ["drafts"] => Page::Drafts,
            ["applications", id, "receipt"] => Page::Receipt((*id).to_owned()),
            ["messages"] => Page::Messages,
            ["published"] => Page::Published,
            ["apply", id, rest @ ..] if ApplyStep::parse(rest).is_some() => {
                Page::Apply((*id).to_owned())
            }
            _ => Page::NotFound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Page;

    #[test]
    fn every_route_parses() {
        assert!(Page::parse("/") == Page::Home);
        assert!(Page::parse("/services/newborn") == Page::Service("newborn".into()));
        assert!(Page::parse("/applications/") == Page::Applications);
        assert!(Page::parse("/applications/c1") == Page::Application("c1".into()));
        assert!(Page::parse("/consents") == Page::ConsentEntry);
        assert!(Page::parse("/accessibility") == Page::Accessibility);
        assert!(Page::parse("/messages") == Page::Messages);
        assert!(Page::parse("/published") == Page::Published);
        assert!(Page::parse("/consents/K7QM2XPD") == Page::Consent("K7QM2XPD".into()));
        assert!(Page::parse("/assisted") == Page::Agent);
        assert!(Page::parse("/assisted/cases/c1") == Page::AssistedCase("c1".into()));
        assert!(Page::parse("/assisted/confirm") == Page::AssistedConfirmEntry);
        assert!(
            Page::parse("/assisted/confirm/K7QM2XPD") == Page::AssistedConfirm("K7QM2XPD".into())
        );
        for step in [
            "",
            "/eligibility",
            "/sub-items",
            "/tasks",
            "/page/baby",
            "/materials",
        ] {
            assert!(Page::parse(&format!("/apply/newborn{step}")) == Page::Apply("newborn".into()));
        }
        for step in ["/check", "/declaration", "/confirmation"] {
            assert!(Page::parse(&format!("/apply/newborn{step}")) == Page::Apply("newborn".into()));
        }
    }

    #[test]
    fn each_draft_my_drafts_and_a_receipt_have_their_routes() {
        assert!(
            Page::parse("/apply/newborn~3f9a01c2/page/baby")
                == Page::Apply("newborn~3f9a01c2".into())
        );
        assert!(Page::parse("/drafts") == Page::Drafts);
        assert!(Page::parse("/applications/c1/receipt") == Page::Receipt("c1".into()));
    }

    #[test]
    fn unknown_paths_are_not_found() {
        for path in [
            "/nope",
            "/services",
            "/apply/newborn/page",
            "/apply/newborn/bogus",
            "/services/a/b",
        ] {
            assert!(Page::parse(path) == Page::NotFound, "{path}");
        }
    }
}
