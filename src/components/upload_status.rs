//! The state of a photo's upload in words: the status line under a photo, in the wizard's
//! materials and in a supplement request's answer.

use crate::i18n::{t, with_n};
use crate::upload::{Failure, Status};

/// The translated state of an upload (what the status line says).
pub fn status_text(status: &Status) -> String {
    let m = t();
    match status {
        Status::Preparing => m.photo_preparing.to_owned(),
        Status::Waiting => m.photo_waiting.to_owned(),
        Status::Sending { .. } => with_n(
            m.photo_sending_percent,
            usize::from(status.percent().unwrap_or(0)),
        ),
        Status::Paused => m.photo_paused.to_owned(),
        Status::Offline => m.photo_offline.to_owned(),
        Status::Failed(f) => format!("{}{}", m.photo_failed, failure_text(*f)),
        Status::Done => m.photo_done.to_owned(),
    }
}

fn failure_text(f: Failure) -> &'static str {
    let m = t();
    match f {
        Failure::TooLarge => m.upload_too_large,
        Failure::Rejected => m.upload_rejected,
        Failure::Unreachable => m.upload_unreachable,
        Failure::SignedOut => m.session_required,
        Failure::Unreadable => m.upload_unreadable,
    }
}
