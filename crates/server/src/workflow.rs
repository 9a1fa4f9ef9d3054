//! The sub-item state machine of a case, as pure functions: which moves a department may make,
//! what a sub-item waits for, what the whole case's state is. No store and no state:
//! [`crate::tracking`] runs these rules against the store, and the store derives a case's
//! status with them. Statuses are stored under their wire names, the ones serde gives them
//! ([`onething_core::wire`]).
//!
//! ```text
//! received ─▶ accepted ─▶ in_progress ─▶ completed ─▶ delivered
//!    │           │             │
//!    ├───────────┴─────────────┴──▶ rejected
//!    └───────────┴─────────────┴──▶ supplement_requested ─(answered)─▶ back where it was
//!                                         └──▶ rejected
//! ```
//! Before any sub-item is accepted the citizen may withdraw the case (撤回): every sub-item
//! becomes `withdrawn`, which is final.
//!
//! A definition may give a sub-item tracking stages within `in_progress` (联合踏勘 → 协同接入 →
//! 联合验收) and an outcome recorded on completion; a result that is not delivered (a
//! connection, a payment) ends at `completed`. [`crate::tracking`] checks those moves against
//! the definition; the demo follows them with [`next_move`].
//!
//! A sub-item with `depends_on` cannot start (`in_progress`) or finish until each dependency
//! in the same case is completed or delivered: 医保 waits for 户口.

use onething_core::SubItem;
use onething_core::api::{AdminTransition, ApplicationStatus, SubItemStatus};
use onething_core::engine::{Date, sample_record, stages_missing};

/// Whether a department may move a sub-item from `from` to `to`.
pub fn allowed(from: SubItemStatus, to: SubItemStatus) -> bool {
    use SubItemStatus::{
        Accepted, Completed, Delivered, InProgress, Received, Rejected, SupplementRequested,
    };
    matches!(
        (from, to),
        (Received, Accepted | Rejected | SupplementRequested)
            | (Accepted, InProgress | Rejected | SupplementRequested)
            | (InProgress, Completed | Rejected | SupplementRequested)
            | (Completed, Delivered)
            | (SupplementRequested, Rejected)
    )
}

/// The next step of the happy path (for the demo timer).
pub fn next_step(from: SubItemStatus) -> Option<SubItemStatus> {
    match from {
        SubItemStatus::Received => Some(SubItemStatus::Accepted),
        SubItemStatus::Accepted => Some(SubItemStatus::InProgress),
        SubItemStatus::InProgress => Some(SubItemStatus::Completed),
        SubItemStatus::Completed => Some(SubItemStatus::Delivered),
        _ => None,
    }
}

/// The demo's next move of a sub-item whose definition is `sub`: the happy path, through the
/// definition's required stages while in progress (each with a sample record), completing with
/// a sample of its outcome's record, and delivering only a result that is delivered. The
/// delivery itself is added by the caller.
pub fn next_move(
    sub: Option<&SubItem>,
    from: SubItemStatus,
    reached: &[String],
    today: Date,
) -> Option<AdminTransition> {
    let Some(sub) = sub else {
        return next_step(from).map(AdminTransition::to);
    };
    let entering = matches!(from, SubItemStatus::Accepted | SubItemStatus::InProgress);
    if entering
        && let Some(stage) = stages_missing(sub, reached)
            .first()
            .and_then(|s| sub.stage(s))
    {
        return Some(AdminTransition {
            stage: Some(stage.id.clone()),
            record: sample_record(&stage.record, today),
            ..AdminTransition::to(SubItemStatus::InProgress)
        });
    }
    match next_step(from)? {
        SubItemStatus::Delivered if !sub.delivers() => None,
        SubItemStatus::Completed => Some(AdminTransition {
            record: sub
                .outcome
                .as_ref()
                .map(|o| sample_record(&o.record, today))
                .unwrap_or_default(),
            ..AdminTransition::to(SubItemStatus::Completed)
        }),
        to => Some(AdminTransition::to(to)),
    }
}

/// Whether moving to `to` needs the dependencies done.
pub fn needs_dependencies(to: SubItemStatus) -> bool {
    matches!(
        to,
        SubItemStatus::InProgress | SubItemStatus::Completed | SubItemStatus::Delivered
    )
}

/// The dependencies (present in this case) whose result is not there yet.
pub fn waiting_for(depends_on: &[String], items: &[(String, SubItemStatus)]) -> Vec<String> {
    depends_on
        .iter()
        .filter(|d| items.iter().any(|(id, s)| id == *d && !s.is_done()))
        .cloned()
        .collect()
}

/// Whether the citizen may still withdraw the case: no department has accepted (or decided)
/// any sub-item. Each item is given with where a 补正 returns to: a supplement asked before
/// acceptance does not stand in the way, one asked later does.
pub fn may_withdraw(items: &[(SubItemStatus, Option<SubItemStatus>)]) -> bool {
    !items.is_empty()
        && items.iter().all(|(status, resume)| match status {
            SubItemStatus::Received => true,
            SubItemStatus::SupplementRequested => {
                matches!(resume, None | Some(SubItemStatus::Received))
            }
            _ => false,
        })
}

/// The case's state from its sub-items'.
pub fn application_status(items: &[SubItemStatus]) -> ApplicationStatus {
    if !items.is_empty() && items.iter().all(|s| *s == SubItemStatus::Withdrawn) {
        ApplicationStatus::Withdrawn
    } else if items.contains(&SubItemStatus::SupplementRequested) {
        ApplicationStatus::ActionRequired
    } else if items
        .iter()
        .all(|s| s.is_final() || *s == SubItemStatus::Completed)
    {
        ApplicationStatus::Completed
    } else {
        ApplicationStatus::InProgress
    }
}

/// Whether the case may be rated (好差评 comes after the case is done).
pub fn may_rate(items: &[SubItemStatus]) -> bool {
    !items.is_empty() && application_status(items) == ApplicationStatus::Completed
}

#[cfg(test)]
mod tests {
    use super::*;
    use SubItemStatus::*;

    const ALL: [SubItemStatus; 8] = [
        Received,
        Accepted,
        InProgress,
        Completed,
        Delivered,
        Rejected,
        SupplementRequested,
        Withdrawn,
    ];

    #[test]
    fn every_pair_of_states_is_allowed_or_forbidden_as_drawn() {
        let allowed_pairs = [
            (Received, Accepted),
            (Received, Rejected),
            (Received, SupplementRequested),
            (Accepted, InProgress),
            (Accepted, Rejected),
            (Accepted, SupplementRequested),
            (InProgress, Completed),
            (InProgress, Rejected),
            (InProgress, SupplementRequested),
            (Completed, Delivered),
            (SupplementRequested, Rejected),
        ];
        for from in ALL {
            for to in ALL {
                assert_eq!(
                    allowed(from, to),
                    allowed_pairs.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }

    #[test]
    fn dependants_wait_until_the_dependency_is_done() {
        let items = vec![
            ("household".to_owned(), InProgress),
            ("insurance".to_owned(), Received),
        ];
        assert_eq!(
            waiting_for(&["household".into(), "absent".into()], &items),
            vec!["household".to_owned()]
        );
        let done = vec![("household".to_owned(), Completed)];
        assert!(waiting_for(&["household".into()], &done).is_empty());
    }

    #[test]
    fn the_case_state_follows_its_items() {
        assert_eq!(
            application_status(&[Completed, InProgress]),
            ApplicationStatus::InProgress
        );
        assert_eq!(
            application_status(&[Completed, SupplementRequested]),
            ApplicationStatus::ActionRequired
        );
        assert_eq!(
            application_status(&[Delivered, Rejected, Completed]),
            ApplicationStatus::Completed
        );
        assert!(may_rate(&[Delivered, Completed]));
        assert!(!may_rate(&[Delivered, Accepted]));
        assert_eq!(
            application_status(&[Withdrawn, Withdrawn]),
            ApplicationStatus::Withdrawn
        );
        assert!(!may_rate(&[Withdrawn]));
    }

    #[test]
    fn a_case_is_withdrawn_only_before_any_acceptance() {
        assert!(may_withdraw(&[(Received, None), (Received, None)]));
        assert!(may_withdraw(&[
            (Received, None),
            (SupplementRequested, Some(Received))
        ]));
        assert!(!may_withdraw(&[(Received, None), (Accepted, None)]));
        assert!(!may_withdraw(&[(SupplementRequested, Some(Accepted))]));
        assert!(!may_withdraw(&[(Received, None), (Rejected, None)]));
        assert!(!may_withdraw(&[(Withdrawn, None)]));
        assert!(!may_withdraw(&[]));
        // No department move leads out of a withdrawal.
        for to in ALL {
            assert!(!allowed(Withdrawn, to));
        }
    }
}
