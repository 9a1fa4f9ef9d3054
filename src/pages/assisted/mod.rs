//! 帮办代办, assisted applications: an agent (window clerk, village agent), signed in with their
//! own staff account, starts a case for a named citizen (`/assisted`), fills the same wizard
//! under a draft of its own, marked 代办 on every step ([`AssistedBanner`]), and submits it for
//! the citizen's confirmation (`/assisted/cases/:id` shows the code and link to give them). The
//! citizen confirms or refuses on their own phone, signed in as themselves
//! (`/assisted/confirm/:code`, elder mode by default, one decision per screen).
//!
//! Which wizard draft belongs to which case is kept on the device (`localStorage`, cleared on
//! sign-out) as the case id and the citizen's masked name only; the server refuses an agent's
//! account that submits as itself, so a lost mark can never send an application in the wrong
//! name.

mod agent;
mod case;
mod confirm;
mod paper;

pub use agent::AgentPage;
pub use case::AssistedCasePage;
pub use confirm::{ConfirmEntry, ConfirmPage};
pub use paper::{PaperChoice, chosen as paper_chosen};

use std::cell::RefCell;

use leptos::prelude::*;
use onething_core::api::{AssistedCase, AssistedStatus, AssistedSubmit};
use onething_core::engine::{Application, PrefillData};

use crate::api::FetchError;
use crate::i18n::{Messages, t, tr};
use crate::wizard::Wizard;

const MARK_PREFIX: &str = "onething.assisted.";

/// A wizard draft that is an agent's case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// The assisted case's id.
    pub id: String,
    /// The citizen's name, masked (`陈*`).
    pub citizen: String,
}

fn local() -> Option<web_sys::Storage> {
    crate::dom::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The case of the wizard draft `key`, if it is an agent's.
pub fn marker(key: &str) -> Option<Marker> {
    let v = local()?.get_item(&format!("{MARK_PREFIX}{key}")).ok()??;
    let (id, citizen) = v.split_once('\t')?;
    Some(Marker {
        id: id.to_owned(),
        citizen: citizen.to_owned(),
    })
}

fn set_marker(key: &str, m: &Marker) {
    if let Some(s) = local() {
        let _ = s.set_item(
            &format!("{MARK_PREFIX}{key}"),
            &format!("{}\t{}", m.id, m.citizen),
        );
    }
}

/// Forgets that draft `key` is an agent's case (once it was submitted).
pub fn clear_marker(key: &str) {
    if let Some(s) = local() {
        let _ = s.remove_item(&format!("{MARK_PREFIX}{key}"));
    }
}

/// The wizard draft of a case: a draft of its own beside any other of the service's
/// (`newborn~a1b2c3d4`), so an agent helping several people never mixes their answers.
pub fn draft_key(service: &str, case_id: &str) -> String {
    use std::fmt::Write as _;
    let mut key = format!("{service}~a");
    for b in case_id.bytes().take(4) {
        let _ = write!(key, "{b:02x}");
    }
    key
}

thread_local! {
    /// The citizen's identity as the agent typed it, for the new draft's prefill: kept in
    /// memory only, never on the device.
    static PREFILL: RefCell<Option<(String, PrefillData)>> = const { RefCell::new(None) };
}

/// Records that the wizard draft for `case` is an agent's, with the citizen's identity to
/// prefill it with.
fn begin(case: &AssistedCase, name: &str, id_number: &str) -> String {
    let key = draft_key(&case.service_id, &case.id);
    set_marker(
        &key,
        &Marker {
            id: case.id.clone(),
            citizen: case.citizen_name.clone(),
        },
    );
    let data = PrefillData {
        name: Some(name.trim().to_owned()),
        id_number: Some(id_number.trim().to_ascii_uppercase()),
        mobile: None,
    };
    PREFILL.with(|p| *p.borrow_mut() = Some((key.clone(), data)));
    key
}

/// What a wizard draft prefills from.
pub enum Prefill {
    /// Not an agent's case: the signed-in account.
    Account,
    /// An agent's case: the citizen (once, right after the start), never the agent's account.
    Citizen(Option<PrefillData>),
}

/// What the wizard draft `key` prefills from.
pub fn prefill_for(key: &str) -> Prefill {
    if marker(key).is_none() {
        return Prefill::Account;
    }
    Prefill::Citizen(PREFILL.with(|p| {
        let mut p = p.borrow_mut();
        match p.as_ref() {
            Some((k, _)) if k == key => p.take().map(|(_, d)| d),
            _ => None,
        }
    }))
}

/// Submits the agent's case: for the citizen's confirmation, or on the paper authorisation
/// when the agent chose that path ([`PaperChoice`]). Once sent, the draft `key` is forgotten
/// on the device and the server.
///
/// # Errors
/// See [`FetchError`]; `upload_not_usable` when the paper path is chosen without its photo.
pub async fn submit_for_confirmation(
    key: &str,
    m: &Marker,
    app: Application,
) -> Result<AssistedCase, FetchError> {
    let paper_authorisation = match paper::way_for(&m.id) {
        paper::Way::Phone => None,
        paper::Way::Paper(up) => Some(up),
        paper::Way::PaperMissing => {
            return Err(FetchError::Api {
                status: 422,
                code: crate::api::Code::Known(onething_core::api::ErrorCode::UploadNotUsable),
            });
        }
    };
    let case = crate::api::assisted::submit(
        &m.id,
        &AssistedSubmit {
            application: app,
            paper_authorisation,
        },
    )
    .await?;
    crate::wizard::outbox::forget_draft(key).await;
    Ok(case)
}

/// 代办 on every step of an agent's case: for whom, and that the citizen confirms.
#[component]
pub fn AssistedBanner() -> impl IntoView {
    let w = expect_context::<Wizard>();
    marker(&w.key()).map(|m| {
        view! {
            <p class="assisted-banner" role="note">
                <span class="assisted-tag">{tr(|m| m.assisted_tag)}</span>
                {move || t().assisted_banner.replace("{n}", &m.citizen)}
            </p>
        }
    })
}

/// The translated status of an assisted case.
pub(crate) fn status_text(s: AssistedStatus, t: &'static Messages) -> &'static str {
    match s {
        AssistedStatus::Filling => t.assisted_status_filling,
        AssistedStatus::Pending => t.assisted_status_pending,
        AssistedStatus::Confirmed => t.assisted_status_confirmed,
        AssistedStatus::PaperAuthority => t.assisted_status_paper,
        AssistedStatus::Refused => t.assisted_status_refused,
        AssistedStatus::Expired => t.assisted_status_expired,
    }
}

/// Why, for a case that reached nobody (the agent follows up).
pub(crate) fn why_text(s: AssistedStatus, t: &'static Messages) -> Option<&'static str> {
    match s {
        AssistedStatus::Refused => Some(t.assisted_why_refused),
        AssistedStatus::Expired => Some(t.assisted_why_expired),
        AssistedStatus::PaperAuthority => Some(t.assisted_why_paper),
        _ => None,
    }
}

/// The translated explanation of an assisted-case error (the others: the generic ones).
pub(crate) fn error_text(e: &FetchError, t: &'static Messages) -> &'static str {
    use crate::api::Code;
    use onething_core::api::ErrorCode;
    match e {
        FetchError::Api {
            code: Code::Known(code),
            ..
        } => match code {
            ErrorCode::AgentRequired => t.assisted_err_agent_required,
            ErrorCode::AgentCannotApply => t.assisted_err_agent_cannot_apply,
            ErrorCode::AssistedNotFound => t.assisted_err_not_found,
            ErrorCode::AssistedOwnCase => t.assisted_err_own,
            ErrorCode::AssistedAlreadyAnswered => t.assisted_err_answered,
            ErrorCode::AssistedExpired => t.assisted_err_expired,
            ErrorCode::AssistedNotOpen => t.assisted_err_not_open,
            ErrorCode::AssistedApplicantMismatch => t.assisted_err_applicant,
            ErrorCode::AssistedCitizenInvalid => t.assisted_err_citizen,
            ErrorCode::ValidationFailed => t.assisted_err_validation,
            ErrorCode::UploadNotUsable => t.assisted_paper_missing,
            _ => e.message(t),
        },
        _ => e.message(t),
    }
}

#[cfg(test)]
mod tests {
    use super::draft_key;

    #[test]
    fn each_case_has_a_draft_of_its_own() {
        assert_eq!(draft_key("newborn", "AbCd-xyz"), "newborn~a41624364");
        assert_ne!(draft_key("newborn", "AbCd"), draft_key("newborn", "AbCe"));
        assert_eq!(
            crate::wizard::draft::service_of(&draft_key("newborn", "q")),
            "newborn"
        );
    }
}
