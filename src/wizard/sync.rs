//! Save and return on another device: when signed in, the draft also lives on the server (the
//! drafts API, with versions). Opening the wizard takes the newer copy; a draft changed on two
//! devices is never silently overwritten: the person sees the conflict and chooses.

use leptos::prelude::*;

use super::draft::{Remote, Saved};
use crate::api::{self, FetchError};

/// Another device's copy that differs from this one's unsent changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    /// Their draft.
    pub theirs: Saved,
    /// Their version.
    pub version: u64,
    /// The server's draft id.
    pub id: String,
    /// When they wrote it (RFC 3339).
    pub updated_at: String,
}

fn signed_in() -> bool {
    api::session::token().is_some() && web_sys::window().is_none_or(|w| w.navigator().on_line())
}

type ServerDraft = api::ServerDraft<Saved>;

fn adopt(d: ServerDraft) -> Saved {
    let mut saved = d.data;
    saved.remote = Some(Remote {
        id: d.id,
        version: d.version,
        pending: false,
    });
    saved
}

fn conflict(d: ServerDraft) -> Conflict {
    let (id, version, updated_at) = (d.id.clone(), d.version, d.updated_at.clone());
    Conflict {
        theirs: adopt(d),
        version,
        id,
        updated_at,
    }
}

/// Reconciles the device's draft under `key` with the server's copy of it, before the wizard
/// opens: the copy to start from, and the conflict to show, if any. Without a session or
/// network: the device's copy. A draft not yet on the server from this device is matched by
/// its key (one adopted from another device: `service~<server id>`); the first draft of a
/// service (`key` = the service id) that this device does not have takes the newest server
/// draft of that service no other draft here holds (save here, return on another device).
pub async fn reconcile(key: &str, local: Option<Saved>) -> (Option<Saved>, Option<Conflict>) {
    if !signed_in() {
        return (local, None);
    }
    let Ok(list) = api::list_drafts::<Saved>().await else {
        return (local, None);
    };
    let service = super::draft::service_of(key);
    let theirs = match (&local, key.split_once('~')) {
        (Some(l), _) => l
            .remote
            .as_ref()
            .and_then(|r| list.into_iter().find(|d| d.id == r.id)),
        (None, Some((_, suffix))) => list
            .into_iter()
            .find(|d| d.id == suffix && d.service_id == service),
        (None, None) => {
            let held: Vec<String> = super::draft::all_local()
                .await
                .into_iter()
                .filter_map(|(_, s)| s.remote.map(|r| r.id))
                .collect();
            list.into_iter()
                .find(|d| d.service_id == service && !held.contains(&d.id))
        }
    };
    match (local, theirs) {
        (Some(mut l), None) => {
            // Gone on the server (sent from elsewhere, expired, consent withdrawn), or never
            // there: the next change after consent makes a new one.
            l.remote = None;
            (Some(l), None)
        }
        (None, None) => (None, None),
        (None, Some(t)) => (Some(adopt(t)), None),
        (Some(l), Some(t)) => match &l.remote {
            Some(r) if t.version <= r.version => (Some(l), None),
            Some(r) if !r.pending => (Some(adopt(t)), None),
            _ if t.data.app == l.app => (Some(adopt(t)), None),
            _ => (Some(l), Some(conflict(t))),
        },
    }
}

/// Sends the device's draft to the server when signed in: creates it the first time, then
/// writes over the version last seen. Returns the new remote state (unchanged when offline or
/// the server did not answer: the next change tries again).
///
/// # Errors
/// The [`Conflict`] when another device wrote in between.
pub async fn push(key: &str, saved: &Saved) -> Result<Option<Remote>, Conflict> {
    let service = super::draft::service_of(key);
    // Nothing of the draft leaves the device before the person agreed to the privacy notice.
    if !signed_in() || saved.consent.is_none() {
        return Ok(saved.remote.clone());
    }
    // The server's copy needs no pointer to itself.
    let data = Saved {
        remote: None,
        ..saved.clone()
    };
    let mut written = write(service, saved, &data).await?;
    // The session ended while the person was filling in (it expired, or was ended elsewhere):
    // sign in again (`crate::session::ensure`: the host platform, the URL's ticket, the
    // development issuer or the provider's page, which brings the person back to this step)
    // and write once more. The draft stays on the device whatever happens.
    if matches!(written, Err(FetchError::Api { status: 401, .. }))
        && crate::session::ensure().await.is_ok()
    {
        written = write(service, saved, &data).await?;
    }
    Ok(match written {
        Ok(d) => Some(Remote {
            id: d.id,
            version: d.version,
            pending: false,
        }),
        Err(_) => saved.remote.clone(),
    })
}

/// One write of `data`: over the version last seen, or a new draft; `Err` is the conflict.
async fn write(
    service: &str,
    saved: &Saved,
    data: &Saved,
) -> Result<Result<ServerDraft, FetchError>, Conflict> {
    Ok(match &saved.remote {
        Some(r) => match api::update_draft(&r.id, r.version, data).await {
            Err(FetchError::Api { status: 409, .. }) => {
                return match api::get_draft::<Saved>(&r.id).await {
                    Ok(d) => Err(conflict(d)),
                    Err(e) => Ok(Err(e)),
                };
            }
            Err(FetchError::Api { status: 404, .. }) => api::create_draft(service, data).await,
            other => other,
        },
        None => api::create_draft(service, data).await,
    })
}

/// The conflict on screen, provided by the wizard.
pub type ConflictSignal = RwSignal<Option<Conflict>>;
