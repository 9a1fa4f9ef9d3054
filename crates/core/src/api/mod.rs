//! Types that cross the HTTP API, shared by the server (which renders them) and the SPA (which
//! reads them). The contract's source of truth is this module plus `docs/` (`docs/api.md`, and
//! `docs/openapi.json`, generated from these types by the server).
//!
//! Times are RFC 3339 strings in UTC (`2026-11-28T01:02:03Z`). Ids are opaque strings.
//! With the `openapi` feature (the server's), every type also describes itself as a schema.
//!
//! One module per part of the API; every type is re-exported here, so its path is
//! `onething_core::api::…` whichever module defines it.

mod applications;
mod assisted;
mod catalogue;
mod consents;
mod departments;
mod drafts;
mod errors;
mod messages;
mod privacy;
mod published;
#[cfg(feature = "openapi")]
mod schema;
mod sessions;
mod uploads;

pub use applications::{
    AdminTransition, ApplicationCreated, ApplicationDetail, ApplicationStatus, ApplicationSummary,
    Consent, Delivery, DeliveryRequest, OutcomeRecord, Rating, RatingScores, StageEntry,
    SubItemStatus, SubItemTrack, Supplement, SupplementAnswer, TimelineEvent, TimelineKind,
    WITHDRAW_REASON_MAX, WithdrawRequest,
};
pub use assisted::{
    AgentRequest, AgentTicket, AssistedAnswer, AssistedCase, AssistedConfirmation,
    AssistedDecision, AssistedRecipient, AssistedStart, AssistedStatus, AssistedSubmit,
    mask_id_number, mask_middle, mask_name,
};
pub use catalogue::{Health, ServiceSummary, ServiceVersion, ServicesReloaded};
pub use consents::{
    CONSENT_ALPHABET, ConsentAnswer, ConsentDecision, ConsentRequest, ConsentStatus,
    normalize_consent_code,
};
pub use departments::{
    AuditEntry, AuditQuery, DepartmentCase, DepartmentInfo, DepartmentMaterial, DepartmentSubItem,
    DepartmentTokenCreated, DepartmentTokenRequest, FollowUp, FollowUpKind, ItemWithdrawal,
    ItemWithdrawalStatus, KeyRotation, MaterialFile, QueueEntry, QueuePage, QueueQuery,
    WithdrawalAnswer,
};
pub use drafts::{Draft, DraftCreate, DraftUpdate};
pub use errors::{ApiErrorBody, ErrorCode, FieldProblem};
pub use messages::{Message, MessageKind, MessageList};
pub use privacy::{PRIVACY_NOTICE_VERSION, PrivacyConsent, PrivacyFacts};
pub use published::{
    PUBLISHED_PAGE_SIZE, PublicationRated, PublicationRating, PublicationRatingReason,
    PublishedEntry, PublishedLine, PublishedPage, PublishedQuery,
};
#[cfg(feature = "openapi")]
pub use schema::TextSchema;
pub use sessions::{
    Account, DevTicket, DevTicketRequest, SessionCreated, SessionInfo, SessionRequest,
};
pub use uploads::UploadInfo;

pub use crate::definition::{DeliveryMethod, OutcomeKind};

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::wire;

    /// `as_str` and `parse` say what serde writes, for every variant.
    #[test]
    fn wire_names_are_the_serde_names() {
        fn round_trip<T>(as_str: fn(T) -> &'static str, parse: fn(&str) -> Option<T>)
        where
            T: Serialize + for<'de> Deserialize<'de> + Copy + PartialEq + std::fmt::Debug,
        {
            let names = wire::names::<T>();
            assert!(!names.is_empty());
            for name in names {
                let value = parse(name).expect(name);
                assert_eq!(as_str(value), *name);
                assert_eq!(serde_json::to_value(value).expect("json"), *name);
            }
            assert_eq!(parse("no_such_name"), None);
        }
        round_trip(ErrorCode::as_str, ErrorCode::parse);
        round_trip(SubItemStatus::as_str, SubItemStatus::parse);
        round_trip(ConsentStatus::as_str, |s| {
            Some(ConsentStatus::parse(s)).filter(|_| s != "no_such_name")
        });
        round_trip(DeliveryMethod::as_str, |s| wire::parse(s));
        round_trip(
            PublicationRatingReason::as_str,
            PublicationRatingReason::parse,
        );
        assert_eq!(ConsentStatus::parse("no_such_name"), ConsentStatus::Expired);
        assert_eq!(
            SubItemStatus::SupplementRequested.as_str(),
            "supplement_requested"
        );
        assert_eq!(DeliveryMethod::ELicence.as_str(), "e_licence");
    }
}
