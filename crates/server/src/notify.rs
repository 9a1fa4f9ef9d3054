//! Notices that find the person: the sender of the notification outbox (`notifications`, see
//! [`crate::store::notifications`]) and the 容缺 deadline warnings the sweeper adds.
//!
//! A notice is written in the transaction of the event it reports, under a unique event key,
//! so each event is noticed once. The task here sends what is unsent, oldest first, and marks a
//! notice sent only after the sender accepted it; a failure is retried with exponential backoff
//! (`--notify-retry-secs`, doubling, at most an hour), and a restart carries on from the table.
//! Should the process die between a sender's acceptance and the mark, the notice goes again on
//! start with the same `Idempotency-Key` (its event key), so the receiver can drop the repeat.
//!
//! Two senders: the log (default) and an HTTP endpoint (`--notify-url`: a platform's message
//! service or an SMS gateway's adapter), which receives a JSON `POST` per notice. The body names
//! the kind, the case number, the service and a short text in zh-CN and en, and the recipient by
//! account id and platform subject; never an ID number, a name, a phone number or a
//! department's free text.

use std::time::Duration;

use onething_core::api::{MessageKind, SubItemStatus};
use onething_core::{Date, ServiceDefinition, Text};
use serde::Serialize;

use crate::catalogue::Catalogue;
use crate::clock::rfc3339;
use crate::store::notifications::{self as store, NoticeRow};
use crate::{AppState, Result};

/// How often the outbox is looked at when nothing wakes the sender.
const POLL: Duration = Duration::from_secs(1);
/// The longest wait between two attempts.
const MAX_BACKOFF_SECS: i64 = 3600;
/// Notices sent per round.
const BATCH: u32 = 50;

/// What an HTTP sender receives (`POST`, `application/json`, header `Idempotency-Key` = the
/// event key).
#[derive(Debug, Clone, Serialize)]
pub struct Outgoing {
    /// Unique per event: a receiver drops a repeat.
    pub event_key: String,
    /// What it is about (the message centre's kinds).
    pub kind: MessageKind,
    /// 办件编号.
    pub case_number: Option<String>,
    /// The one-thing.
    pub service_id: Option<String>,
    /// Its name.
    pub service_name: Option<Text>,
    /// The notice.
    pub text: Text,
    /// Whom it is for.
    pub recipient: Recipient,
    /// When the event happened (RFC 3339).
    pub created_at: String,
}

/// The addressee: the platform knows the person by `subject`.
#[derive(Debug, Clone, Serialize)]
pub struct Recipient {
    /// The account at this server.
    pub account_id: String,
    /// The app platform's user id.
    pub subject: String,
}

/// The ways a notice can leave.
#[derive(Debug, Clone)]
pub enum Sender {
    /// Written to the server's log (the default, for development and for deployments that
    /// collect notices from the log).
    Log,
    /// `POST`ed as JSON to a URL, with an optional credential header.
    Http {
        /// The endpoint.
        url: String,
        /// `Name: value`, e.g. the gateway's key.
        header: Option<(String, String)>,
    },
}

impl Sender {
    /// The sender the configuration asks for.
    pub fn from_config(config: &crate::Config) -> Sender {
        match config.notify_url.clone() {
            None => Sender::Log,
            Some(url) => Sender::Http {
                url,
                header: config.notify_header.as_deref().and_then(|h| {
                    let (k, v) = h.split_once(':')?;
                    Some((k.trim().to_owned(), v.trim().to_owned()))
                }),
            },
        }
    }

    /// Sends one notice: `Ok` once the other side accepted it (2xx).
    ///
    /// # Errors
    /// Why not, without the notice's content.
    pub async fn send(&self, n: &Outgoing) -> std::result::Result<(), String> {
        match self {
            Sender::Log => {
                tracing::info!(
                    event = %n.event_key,
                    kind = n.kind.as_str(),
                    case = n.case_number.as_deref().unwrap_or("-"),
                    recipient = %n.recipient.account_id,
                    text = %n.text.zh,
                    "notice"
                );
                Ok(())
            }
            Sender::Http { url, header } => {
                let mut req = crate::platform::http()
                    .post(url)
                    .timeout(Duration::from_secs(10))
                    .header("Idempotency-Key", &n.event_key)
                    .json(n);
                if let Some((k, v)) = header {
                    req = req.header(k.as_str(), v.as_str());
                }
                let res = req.send().await.map_err(|e| {
                    if e.is_timeout() {
                        "timed out".to_owned()
                    } else {
                        "not reachable".to_owned()
                    }
                })?;
                if res.status().is_success() {
                    Ok(())
                } else {
                    Err(format!("answered {}", res.status().as_u16()))
                }
            }
        }
    }
}

fn title<'a>(
    def: Option<&'a ServiceDefinition>,
    pick: impl Fn(&'a ServiceDefinition) -> Option<&'a Text>,
    fallback: &str,
) -> Text {
    def.and_then(pick).cloned().unwrap_or_else(|| Text {
        zh: fallback.to_owned(),
        en: fallback.to_owned(),
    })
}

/// The days left of a deadline notice, from its event key (`deadline:<id>:<days>`).
fn days_left(event_key: &str) -> Option<u32> {
    event_key
        .strip_prefix("deadline:")?
        .rsplit(':')
        .next()?
        .parse()
        .ok()
}

/// The short text of a notice in both languages, from the definitions: service, sub-item and
/// material names, the case number and dates only.
pub fn text(catalogue: &Catalogue, n: &NoticeRow) -> Text {
    let def = n.service_id.as_deref().and_then(|s| catalogue.get(s));
    let service = title(
        def,
        |d| Some(&d.title),
        n.service_id.as_deref().unwrap_or(""),
    );
    let case = n.case_number.clone().unwrap_or_default();
    let sub = n.sub_item_id.as_deref().unwrap_or("");
    let sub = title(def, |d| d.sub_item(sub).map(|s| &s.title), sub);
    let material = n.material_id.as_deref().unwrap_or("");
    let material = title(def, |d| d.material(material).map(|m| &m.title), material);
    let kind = MessageKind::parse(&n.kind);
    let (zh, en) = match kind {
        Some(MessageKind::SupplementRequested) => (
            format!(
                "您的办件 {case}（{}）需要补正：{}。请打开办件查看要求并补交。",
                service.zh, sub.zh
            ),
            format!(
                "Your case {case} ({}) needs more from you for {}. Open the case to see what is asked.",
                service.en, sub.en
            ),
        ),
        Some(MessageKind::ConsentRequested) => (
            format!(
                "办件 {case}（{}）已请对方授权调取「{}」电子证照。请把授权码或链接告诉对方。",
                service.zh, material.zh
            ),
            format!(
                "Case {case} ({}): the other person was asked to approve fetching the e-licence \"{}\". Give them the code or the link.",
                service.en, material.en
            ),
        ),
        Some(MessageKind::ConsentApproved) => (
            format!(
                "办件 {case}（{}）：对方已同意调取「{}」电子证照。",
                service.zh, material.zh
            ),
            format!(
                "Case {case} ({}): the other person approved fetching the e-licence \"{}\".",
                service.en, material.en
            ),
        ),
        Some(MessageKind::ConsentDeclined) => (
            format!(
                "办件 {case}（{}）：对方未同意调取「{}」电子证照，请上传照片补正。",
                service.zh, material.zh
            ),
            format!(
                "Case {case} ({}): the other person declined fetching \"{}\". Please upload a photo instead.",
                service.en, material.en
            ),
        ),
        Some(MessageKind::ConsentExpired) => (
            format!(
                "办件 {case}（{}）：「{}」的授权请求已过期，请上传照片补正。",
                service.zh, material.zh
            ),
            format!(
                "Case {case} ({}): nobody approved fetching \"{}\" in time. Please upload a photo instead.",
                service.en, material.en
            ),
        ),
        Some(MessageKind::DeadlineApproaching) => {
            let due = n.due_on.clone().unwrap_or_default();
            let days = days_left(&n.event_key).unwrap_or(1);
            let en_days = if days == 1 {
                "1 working day".to_owned()
            } else {
                format!("{days} working days")
            };
            (
                format!(
                    "办件 {case}（{}）：容缺材料「{}」须在 {due} 前补交，还剩 {days} 个工作日。",
                    service.zh, material.zh
                ),
                format!(
                    "Case {case} ({}): the deferred document \"{}\" is due by {due}, {en_days} left.",
                    service.en, material.en
                ),
            )
        }
        Some(MessageKind::ResultReady) => (
            format!(
                "办件 {case}（{}）：{}已办结，请查看结果领取方式。",
                service.zh, sub.zh
            ),
            format!(
                "Case {case} ({}): {} is done. See how its result reaches you.",
                service.en, sub.en
            ),
        ),
        Some(k) => aftercare_text(k, &n.event_key, &case, &service, &sub, &material),
        None => (
            format!("办件 {case} 有新进展。"),
            format!("Case {case} has news."),
        ),
    };
    Text { zh, en }
}

/// The texts of the notices after submission: a withdrawal answered, a rating followed up, and
/// a consent request to its holder (`text`'s other kinds).
fn aftercare_text(
    kind: MessageKind,
    event_key: &str,
    case: &str,
    service: &Text,
    sub: &Text,
    material: &Text,
) -> (String, String) {
    match kind {
        MessageKind::WithdrawalAnswered => {
            if event_key.ends_with(":approved") {
                (
                    format!(
                        "办件 {case}（{}）：部门已同意撤回「{}」。",
                        service.zh, sub.zh
                    ),
                    format!(
                        "Case {case} ({}): the department agreed to withdraw {}.",
                        service.en, sub.en
                    ),
                )
            } else {
                (
                    format!(
                        "办件 {case}（{}）：部门未同意撤回「{}」，将继续办理。请打开办件查看原因。",
                        service.zh, sub.zh
                    ),
                    format!(
                        "Case {case} ({}): the department goes on with {}. Open the case to see why.",
                        service.en, sub.en
                    ),
                )
            }
        }
        MessageKind::RatingFollowUp => {
            let (zh, en) = if event_key.contains(":revisit:") {
                ("回访", "called back about")
            } else {
                ("整改", "put right what you rated in")
            };
            (
                format!(
                    "办件 {case}（{}）：部门已就您对「{}」的评价进行{zh}，请打开办件查看。",
                    service.zh, sub.zh
                ),
                format!(
                    "Case {case} ({}): the department {en} {}. Open the case to read it.",
                    service.en, sub.en
                ),
            )
        }
        MessageKind::ConsentAsked => (
            format!(
                "办件 {case}（{}）的申请人请您授权调取您的「{}」电子证照。请打开授权页面查看并答复。",
                service.zh, material.zh
            ),
            format!(
                "The applicant of case {case} ({}) asks you to approve fetching your e-licence \"{}\". Open the consent page to see the request and answer it.",
                service.en, material.en
            ),
        ),
        _ => (
            format!("办件 {case} 有新进展。"),
            format!("Case {case} has news."),
        ),
    }
}

/// The notice as a sender receives it.
pub fn outgoing(catalogue: &Catalogue, n: &NoticeRow) -> Outgoing {
    let def = n.service_id.as_deref().and_then(|s| catalogue.get(s));
    Outgoing {
        event_key: n.event_key.clone(),
        kind: MessageKind::parse(&n.kind).unwrap_or(MessageKind::ResultReady),
        case_number: n.case_number.clone(),
        service_id: n.service_id.clone(),
        service_name: def.map(|d| d.title.clone()),
        text: text(catalogue, n),
        recipient: Recipient {
            account_id: n.account_id.clone(),
            subject: n.subject.clone(),
        },
        created_at: rfc3339(n.created_at),
    }
}

/// The wait before attempt `attempts + 1`: the first retry after `base` seconds, then
/// doubling, at most an hour.
pub fn backoff(base: u64, attempts: i64) -> i64 {
    let base = i64::try_from(base.max(1)).unwrap_or(MAX_BACKOFF_SECS);
    let shift = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    base.saturating_mul(1_i64 << shift).min(MAX_BACKOFF_SECS)
}

/// Sends every notice that is due, now. Returns how many were sent.
///
/// # Errors
/// The database fails.
pub async fn deliver_due(state: &AppState, sender: &Sender) -> Result<usize> {
    let now = state.clock.now();
    let rows = store::due(&state.db, now, BATCH).await?;
    let mut sent = 0;
    for row in rows {
        let out = outgoing(&state.catalogue, &row);
        match sender.send(&out).await {
            Ok(()) => {
                store::mark_sent(&state.db, row.id, state.clock.now()).await?;
                sent += 1;
            }
            Err(why) => {
                let next =
                    state.clock.now() + backoff(state.config.notify_retry_secs, row.attempts);
                tracing::warn!(event = %row.event_key, attempts = row.attempts + 1, why, "notice not sent; will retry");
                store::mark_failed(&state.db, row.id, next, &why).await?;
            }
        }
    }
    state
        .metrics
        .set_outbox_depth(store::depth(&state.db).await?);
    Ok(sent)
}

/// Starts the sender: it sends when an event wakes it (see [`AppState::notify`]) and looks at
/// the outbox every second for retries that came due.
pub fn spawn(state: AppState) {
    let sender = Sender::from_config(&state.config);
    tokio::spawn(async move {
        loop {
            if let Err(e) = deliver_due(&state, &sender).await {
                tracing::error!(error = %e, "notification outbox failed");
            }
            tokio::select! {
                () = state.outbox_wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
            }
        }
    });
}

/// Working days from `today` (not counted) to `due` (counted), stopping at `cap`.
fn working_days_left(today: Date, due: Date, cap: u32) -> u32 {
    let calendar = onething_core::value::Calendar::china();
    let mut n = 0;
    let mut d = today;
    while d < due && n <= cap {
        d = d.add_days(1);
        if calendar.day(d).0.is_working() {
            n += 1;
        }
    }
    n
}

/// Which warning a deferred material's deadline calls for today: 3 (three working days or
/// fewer left), 1 (one or none: tomorrow or today is the last day), or none.
pub fn deadline_warning(today: Date, due: Date) -> Option<u32> {
    if due < today {
        return None;
    }
    match working_days_left(today, due, 3) {
        0 | 1 => Some(1),
        2 | 3 => Some(3),
        _ => None,
    }
}

/// The sweeper's part: a `deadline_approaching` notice for each open deferred-material request
/// 3 and 1 working days before its last day (the server's clock, China's calendar). Returns how
/// many notices were added.
///
/// # Errors
/// The database fails.
pub async fn warn_deadlines(state: &AppState) -> Result<usize> {
    let now = state.clock.now();
    let today = Date::from_days(state.clock.today_in_china());
    let mut added = 0;
    for (supplement, app, sub, material, due_on) in
        store::open_deadlines(&state.db, &today.to_string()).await?
    {
        let Some(due) = Date::parse(&due_on) else {
            continue;
        };
        let Some(days) = deadline_warning(today, due) else {
            continue;
        };
        let key = format!("deadline:{supplement}:{days}");
        let mut conn = state.db.acquire().await?;
        if store::enqueue_for_owner(
            &mut conn,
            &key,
            MessageKind::DeadlineApproaching,
            &app,
            Some(&sub),
            material.as_deref(),
            Some(&due_on),
            now,
        )
        .await?
        {
            added += 1;
        }
    }
    if added > 0 {
        state.outbox_wake.notify_one();
    }
    Ok(added)
}

/// The consent code of a holder's notice, from its event key (`consent:<code>:asked:<account>`).
pub fn asked_code(event_key: &str) -> Option<&str> {
    let rest = event_key.strip_prefix("consent:")?;
    let (code, tail) = rest.split_once(':')?;
    tail.starts_with("asked:").then_some(code)
}

/// Notices the account of consent requests that ask it (the other parent). A holder who had an
/// account when the request was made was found then, by the blind index of the accounts' ID
/// numbers, and noticed in the submission (`routes::applications`); one who signs up later is
/// matched here, when reading their messages, against the request's keyed digest. Either way
/// noticed once (`consent:<code>:asked:<account>`, also sent through the outbox). Returns how
/// many were added.
///
/// # Errors
/// The database fails, or a record does not open.
pub async fn notice_consents_asked(state: &AppState, account_id: &str) -> Result<usize> {
    let now = state.clock.now();
    let mut conn = state.db.acquire().await?;
    let candidates = store::unnoticed_consents(&mut conn, account_id, now).await?;
    if candidates.is_empty() {
        return Ok(0);
    }
    let Some(account) = crate::store::accounts::get(&state.db, &state.keys, account_id).await?
    else {
        return Ok(0);
    };
    if account.id_number.trim().is_empty() {
        return Ok(0);
    }
    let digest = crate::clock::hash_secret(&account.id_number.to_ascii_uppercase());
    let mut added = 0;
    for (code, application_id, material_id) in candidates {
        if !crate::store::consents::holder_matches(&mut conn, &state.keys, &code, &digest).await? {
            continue;
        }
        let key = format!("consent:{code}:asked:{account_id}");
        let notice = store::NewNotice {
            event_key: &key,
            account_id,
            kind: MessageKind::ConsentAsked,
            application_id: &application_id,
            sub_item_id: None,
            material_id: Some(&material_id),
            due_on: None,
        };
        if store::enqueue(&mut conn, &notice, now).await? {
            added += 1;
        }
    }
    if added > 0 {
        state.outbox_wake.notify_one();
    }
    Ok(added)
}

/// The event key and kind of a move that makes a result ready (`completed`, `delivered`).
pub fn result_key(application_id: &str, sub_item_id: &str, to: SubItemStatus) -> Option<String> {
    matches!(to, SubItemStatus::Completed | SubItemStatus::Delivered)
        .then(|| format!("result:{application_id}:{sub_item_id}:{}", to.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).expect("date")
    }

    #[test]
    fn backoff_doubles_from_the_base_up_to_an_hour() {
        assert_eq!(backoff(10, 0), 10);
        assert_eq!(backoff(10, 1), 20);
        assert_eq!(backoff(10, 3), 80);
        assert_eq!(backoff(10, 40), 3600);
        assert_eq!(backoff(0, 0), 1);
    }

    #[test]
    fn deadline_warnings_count_working_days_of_chinas_calendar() {
        // 2026-12-07 is a Monday; due Thursday 12-10: three working days left.
        assert_eq!(deadline_warning(d("2026-12-07"), d("2026-12-10")), Some(3));
        assert_eq!(deadline_warning(d("2026-12-07"), d("2026-12-11")), None);
        assert_eq!(deadline_warning(d("2026-12-09"), d("2026-12-10")), Some(1));
        assert_eq!(deadline_warning(d("2026-12-10"), d("2026-12-10")), Some(1));
        assert_eq!(deadline_warning(d("2026-12-11"), d("2026-12-10")), None);
        // Friday to the next Tuesday: the weekend does not count, two working days left.
        assert_eq!(deadline_warning(d("2026-12-04"), d("2026-12-08")), Some(3));
        // Over the National Day holiday (2025-10-01..08 off): from 09-30, 10-09 is one
        // working day away.
        assert_eq!(deadline_warning(d("2025-09-30"), d("2025-10-09")), Some(1));
    }

    #[test]
    fn the_days_left_come_from_the_event_key() {
        assert_eq!(days_left("deadline:abc:3"), Some(3));
        assert_eq!(days_left("deadline:abc:1"), Some(1));
        assert_eq!(days_left("supplement:abc"), None);
    }

    #[test]
    fn a_holders_notice_names_its_consent_code() {
        assert_eq!(asked_code("consent:K7QM2XPD:asked:acc1"), Some("K7QM2XPD"));
        assert_eq!(asked_code("consent:K7QM2XPD:requested"), None);
        assert_eq!(asked_code("supplement:abc"), None);
    }
}
