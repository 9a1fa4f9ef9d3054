//! `/api/consents/{code}`: the other person's side of a consent request. The applicant's
//! submission asked for an e-licence that belongs to someone else (the father's ID card); that
//! person signs in, opens the request by its code, sees who asks, for what, which departments
//! and for how long, and approves or declines it, once. Only the account whose ID number the
//! applicant entered can see or answer it (anyone else: 404); the applicant gets 403.

use axum::Json;
use axum::extract::{Path, State};
use onething_core::api::{ApiErrorBody, ConsentAnswer, ConsentRequest};

use crate::auth::Caller;
use crate::clock::rfc3339;
use crate::error::JsonBody;
use crate::store::applications as db;
use crate::{ApiError, AppState, Result, store, tracking};

/// What the holder is asked, from the stored request and the service's definition.
async fn view(state: &AppState, caller: &Caller, code: &str) -> Result<ConsentRequest> {
    let mut conn = state.db.acquire().await?;
    let row = tracking::consent_for(state, &mut conn, caller, code).await?;
    let service_id = db::service_id(&mut conn, &row.application_id)
        .await?
        .unwrap_or_default();
    let case_number = db::detail(
        &mut conn,
        &state.keys,
        &row.application_id,
        None,
        state.clock.now(),
    )
    .await?
    .map(|d| d.case_number)
    .unwrap_or_default();
    let def = state
        .catalogue
        .get(&service_id)
        .ok_or_else(|| ApiError::internal("the case's service is no longer loaded"))?;
    let material = def
        .material(&row.material_id)
        .ok_or_else(|| ApiError::internal("the consent's material is no longer defined"))?;
    let requester = store::accounts::get(&state.db, &state.keys, &row.requester_id)
        .await?
        .map(|a| mask_name(&a.name))
        .unwrap_or_default();
    let departments = def
        .sub_items
        .iter()
        .filter(|s| material.sub_items.contains(&s.id))
        .map(|s| s.department.clone())
        .fold(Vec::new(), |mut v, d| {
            if !v.contains(&d) {
                v.push(d);
            }
            v
        });
    Ok(ConsentRequest {
        code: row.code.clone(),
        status: row.status_at(state.clock.now()),
        requester_name: requester,
        service_id,
        service_title: def.title.clone(),
        case_number,
        material_id: row.material_id.clone(),
        material_title: material.title.clone(),
        purpose: material
            .e_licence
            .as_ref()
            .map_or_else(|| material.title.clone(), |e| e.consent.clone()),
        departments,
        holder_role: row.role(),
        valid_days: u16::try_from(row.valid_days).unwrap_or(u16::MAX),
        expires_at: rfc3339(row.expires_at),
        answered_at: row.answered_at.map(rfc3339),
        valid_until: row.valid_until().map(rfc3339),
    })
}

/// A name with all but its first character masked (`陈倩` → `陈*`): enough for the other
/// parent to recognise who asks, no more.
fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| {
        std::iter::once(first).chain(chars.map(|_| '*')).collect()
    })
}

/// A consent request addressed to the caller.
#[utoipa::path(get, path = "/api/consents/{code}", tag = "consents",
    security(("bearer" = []), ("cookie" = [])),
    params(("code" = String, Path, description = "The shared code (8 characters; case, spaces and dashes ignored)")),
    responses(
        (status = 200, body = ConsentRequest),
        (status = 403, description = "`consent_own_request`: the applicant opened their own request", body = ApiErrorBody),
        (status = 404, description = "`consent_not_found` (also when it is addressed to someone else)", body = ApiErrorBody),
    ))]
pub async fn get_consent(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<ConsentRequest>> {
    Ok(Json(view(&state, &caller, &code).await?))
}

/// Approves or declines a consent request addressed to the caller, once.
#[utoipa::path(post, path = "/api/consents/{code}", tag = "consents",
    security(("bearer" = []), ("cookie" = [])),
    params(("code" = String, Path, description = "The shared code")),
    request_body = ConsentAnswer,
    responses(
        (status = 200, description = "Answered; the request now", body = ConsentRequest),
        (status = 403, description = "`consent_own_request`", body = ApiErrorBody),
        (status = 404, description = "`consent_not_found`", body = ApiErrorBody),
        (status = 409, description = "`consent_already_answered`", body = ApiErrorBody),
        (status = 410, description = "`consent_expired`", body = ApiErrorBody),
    ))]
pub async fn answer_consent(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    JsonBody(answer): JsonBody<ConsentAnswer>,
) -> Result<Json<ConsentRequest>> {
    tracking::answer_consent(&state, &caller, &code, answer.decision).await?;
    Ok(Json(view(&state, &caller, &code).await?))
}

#[cfg(test)]
mod tests {
    use super::mask_name;

    #[test]
    fn names_are_masked_after_the_first_character() {
        assert_eq!(mask_name("陈倩"), "陈*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name(""), "");
    }
}
