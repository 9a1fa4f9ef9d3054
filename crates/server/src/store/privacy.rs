//! The applicant's consent to the privacy notice, one per application (`privacy_consents`).

use onething_core::api::PrivacyConsent;

use super::Conn;

/// Records the consent a submission carried.
///
/// # Errors
/// The database fails.
pub async fn record(
    conn: &mut Conn,
    application_id: &str,
    consent: &PrivacyConsent,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO privacy_consents (application_id, version, agreed_at, sensitive, recorded_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(application_id)
    .bind(&consent.version)
    .bind(&consent.agreed_at)
    .bind(i64::from(consent.sensitive))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The consent recorded with an application, if it carried one.
///
/// # Errors
/// The database fails.
pub async fn get(conn: &mut Conn, application_id: &str) -> sqlx::Result<Option<PrivacyConsent>> {
    let row: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT version, agreed_at, sensitive FROM privacy_consents WHERE application_id = $1",
    )
    .bind(application_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(version, agreed_at, sensitive)| PrivacyConsent {
        version,
        agreed_at,
        sensitive: sensitive != 0,
    }))
}
