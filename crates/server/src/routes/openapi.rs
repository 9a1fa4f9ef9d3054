//! The contract as OpenAPI 3.1, generated from the handlers' annotations and the types of
//! `onething_core::api`; served at `/api/openapi.json` and committed as `docs/openapi.json`
//! (a test fails when the two differ).

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    admin, applications, assisted, consents, department, drafts, health, messages, oidc, privacy,
    public, receipt, services, session, uploads, wechat, withdrawals,
};
use onething_core::api;

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "OneThing API",
        description = "The contract between the OneThing SPA and its backend: sessions, drafts, tus 1.0 uploads, exactly-once submission, tracking and consent requests. Every error is `{code, message, fields}` with a stable `code` (see the ErrorCode schema). Times are RFC 3339 UTC.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    paths(
        health::get_health,
        health::get_live,
        health::get_ready,
        services::list_services,
        services::get_service,
        privacy::get_privacy,
        session::create_session,
        session::get_session,
        session::delete_session,
        session::create_dev_ticket,
        oidc::start,
        oidc::callback,
        wechat::jssdk_config,
        drafts::create_draft,
        drafts::list_drafts,
        drafts::get_draft,
        drafts::update_draft,
        drafts::delete_draft,
        uploads::options_uploads,
        uploads::create_upload,
        uploads::head_upload,
        uploads::patch_upload,
        uploads::delete_upload,
        uploads::post_with_override,
        uploads::get_upload,
        applications::create_application,
        applications::list_applications,
        applications::get_application,
        applications::get_submission,
        receipt::get_receipt_qr,
        applications::application_events,
        applications::answer_supplement,
        applications::rate_application,
        applications::withdraw_application,
        withdrawals::request_item_withdrawal,
        public::list_published,
        public::rate_published,
        consents::get_consent,
        consents::answer_consent,
        assisted::create_dev_agent_ticket,
        assisted::list_cases,
        assisted::start_case,
        assisted::get_case,
        assisted::submit_case,
        assisted::get_qr,
        assisted::get_confirmation,
        assisted::answer_confirmation,
        admin::create_agent,
        messages::list_messages,
        messages::read_message,
        messages::read_all_messages,
        admin::list_all,
        admin::get_one,
        admin::move_item,
        admin::rotate_key,
        admin::list_departments,
        admin::create_department_token,
        admin::list_audit,
        admin::get_metrics,
        admin::reload_services,
        department::get_department,
        department::list_queue,
        department::get_case,
        department::get_file,
        department::move_item,
        department::answer_withdrawal,
        department::add_follow_up,
        get_openapi,
    ),
    components(schemas(api::ErrorCode, api::ApiErrorBody, api::FieldProblem, api::PrivacyConsent)),
    modifiers(&Security, &CommonErrors),
    tags(
        (name = "catalogue", description = "Service definitions"),
        (name = "session", description = "Sign-in with a platform ticket; cookie or bearer token"),
        (name = "development", description = "DEVELOPMENT ONLY: the fake platform's ticket issuer (`--dev-tickets`)"),
        (name = "drafts", description = "Save and return, with optimistic concurrency (ETag / If-Match)"),
        (name = "uploads", description = "tus 1.0.0: creation, creation-with-upload, termination, expiration, checksum (sha1, sha256)"),
        (name = "applications", description = "Submission exactly once (Idempotency-Key) and tracking"),
        (name = "messages", description = "The message centre: the caller's notices (补正, consent requests and answers, 容缺 deadlines, results ready) and their unread count"),
        (name = "assisted", description = "帮办代办: an agent (staff account with the agent role) fills an application for a named citizen and submits it for confirmation; the citizen confirms or refuses on their own phone, or the agent submits on the citizen's signed paper authority"),
        (name = "public", description = "What anyone reads without signing in: the 亮晒 list of resolved problems, published de-identified with the applicant's consent, and the public's rating of each (a session)"),
        (name = "consents", description = "The other person's side of a consent request for their e-licence: only they may answer, once"),
        (name = "admin", description = "Operators' side, behind the admin token: every case, moves, department tokens, the audit log, key rotation"),
        (name = "department", description = "A department receives the cases: its queue, each case as its sub-item receives it, the materials' files, its moves; behind a department token"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The session token from `POST /api/session`"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "The same token as an HttpOnly cookie (Path=/api)",
            ))),
        );
        components.add_security_scheme(
            "admin",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The admin token (`--admin-token`)"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "department",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A department token, issued by `POST /api/admin/departments/tokens`",
                    ))
                    .build(),
            ),
        );
    }
}

/// The errors any operation may answer besides its own, added to every operation so the
/// contract lists every status a client can get (checked by schemathesis in `cargo xtask
/// soak`): 401 where a session or the admin token is needed, 400 and 413 where there is a
/// body, 408 where the request timeout applies, 405 with `Allow` for another method, and 500.
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let error = |description: &str| -> RefOr<utoipa::openapi::Response> {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ApiErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        };
        for (path, item) in &mut doc.paths.paths {
            let is_stream = path.ends_with("/events");
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.head,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let has_body = op.request_body.is_some();
                let r = &mut op.responses.responses;
                let mut add = |status: &str, text: &str| {
                    r.entry(status.to_owned()).or_insert_with(|| error(text));
                };
                if secured {
                    add(
                        "401",
                        "`unauthenticated` (or `admin_unauthorized` on the admin API, `department_unauthorized` on the departments' API)",
                    );
                }
                if has_body {
                    add("400", "`invalid_body`: not the JSON this endpoint expects");
                    add("413", "`body_too_large`");
                }
                if !is_stream {
                    add("408", "`request_timeout`");
                }
                if path.starts_with("/api/uploads") {
                    add(
                        "412",
                        "`tus_version_unsupported`: `Tus-Resumable` is not `1.0.0`",
                    );
                }
                add(
                    "405",
                    "`route_not_found`: another method; `Allow` lists the right ones",
                );
                add(
                    "500",
                    "`internal`: a fault of the server (details are logged, never sent)",
                );
                for p in op.parameters.iter_mut().flatten() {
                    constrain_header(p);
                }
                if path.starts_with("/api/uploads") {
                    tus_body(op, path);
                }
                if path.ends_with("/files/{id}") {
                    binary_responses(op);
                }
                if path == "/api/applications"
                    && let Some(body) = op.request_body.as_mut()
                {
                    for content in body.content.values_mut() {
                        content.schema = Some(application_schema());
                    }
                }
            }
        }
    }
}

/// The shape of `onething_core::Application` (the engine's type, which carries no schema of
/// its own): what `serde` requires of a submission before the engine checks its rules.
fn application_schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
    let object = || ObjectBuilder::new().schema_type(SchemaType::Type(Type::Object));
    let string = || ObjectBuilder::new().schema_type(SchemaType::Type(Type::String));
    object()
        .property("service_id", string().min_length(Some(1)))
        .property("sub_items", ArrayBuilder::new().items(string()))
        .property("eligibility", object())
        .property("answers", object())
        .property(
            "materials",
            object().additional_properties(Some(utoipa::openapi::Schema::OneOf(
                material_choice_schema().build(),
            ))),
        )
        .required("service_id")
        .description(Some(
            "`onething_core::Application`; the service's definition decides what is valid",
        ))
        .into()
}

/// tus bodies are raw bytes (`application/offset+octet-stream`, tus 1.0 §PATCH), not the JSON
/// array of numbers a `Vec<u8>` would document; `POST` with `X-HTTP-Method-Override: PATCH`
/// carries the same body.
fn tus_body(op: &mut utoipa::openapi::path::Operation, path: &str) {
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type};
    use utoipa::openapi::{ContentBuilder, Required};
    let bytes = || {
        ContentBuilder::new()
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::String))
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))),
            ))
            .build()
    };
    if let Some(body) = op.request_body.as_mut() {
        for (media, content) in &mut body.content {
            if media == "application/offset+octet-stream" {
                *content = bytes();
            }
        }
    } else if path == "/api/uploads/{id}"
        && op
            .parameters
            .iter()
            .flatten()
            .any(|p| p.name == "X-HTTP-Method-Override")
    {
        op.request_body = Some(
            RequestBodyBuilder::new()
                .content("application/offset+octet-stream", bytes())
                .description(Some("For `PATCH`: the bytes at `Upload-Offset`"))
                .required(Some(Required::True))
                .build(),
        );
    }
}

/// A downloaded file is raw bytes of its type, not the JSON array a `Vec<u8>` would document.
fn binary_responses(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type};
    if let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") {
        for content in ok.content.values_mut() {
            content.schema = Some(
                ObjectBuilder::new()
                    .schema_type(SchemaType::Type(Type::String))
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                    .into(),
            );
        }
    }
}

/// `onething_core::MaterialChoice`: how one material is provided, tagged by `kind`.
fn material_choice_schema() -> utoipa::openapi::schema::OneOfBuilder {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, SchemaType, Type};
    let variant =
        |kind: &str, field: Option<(&str, utoipa::openapi::RefOr<utoipa::openapi::Schema>)>| {
            let mut o = ObjectBuilder::new()
                .schema_type(SchemaType::Type(Type::Object))
                .property(
                    "kind",
                    ObjectBuilder::new()
                        .schema_type(SchemaType::Type(Type::String))
                        .enum_values(Some([kind])),
                )
                .required("kind");
            if let Some((name, schema)) = field {
                o = o.property(name, schema).required(name);
            }
            o
        };
    let boolean = || {
        ObjectBuilder::new()
            .schema_type(SchemaType::Type(Type::Boolean))
            .into()
    };
    let ids = ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(SchemaType::Type(Type::String)))
        .into();
    OneOfBuilder::new()
        .item(variant("upload", Some(("upload_ids", ids))))
        .item(variant("e_licence", Some(("consent", boolean()))))
        .item(variant("commitment", Some(("accepted", boolean()))))
        .item(variant("deferred", None))
        .item(variant("at_window", None))
}

/// What the server checks of a header, in the schema: a client (or a schema-driven tester)
/// reading the contract learns the exact values instead of "any string".
fn constrain_header(p: &mut utoipa::openapi::path::Parameter) {
    use utoipa::openapi::schema::{SchemaType, Type};
    use utoipa::openapi::{RefOr, Schema};
    let string = |build: fn(utoipa::openapi::ObjectBuilder) -> utoipa::openapi::ObjectBuilder| {
        RefOr::T(Schema::Object(
            build(
                utoipa::openapi::ObjectBuilder::new().schema_type(SchemaType::Type(Type::String)),
            )
            .build(),
        ))
    };
    let schema = match p.name.as_str() {
        "Tus-Resumable" => string(|b| b.enum_values(Some(["1.0.0"]))),
        "X-HTTP-Method-Override" => string(|b| b.enum_values(Some(["PATCH", "HEAD", "DELETE"]))),
        "Idempotency-Key" => string(|b| {
            b.min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some("^[!-~]([ -~]*[!-~])?$"))
        }),
        // An algorithm and a base64 digest (a digest of the wrong length answers 460).
        "Upload-Checksum" => string(|b| b.pattern(Some("^(sha1|sha256) ([A-Za-z0-9+/]{4})+$"))),
        "If-Match" => string(|b| b.pattern(Some(r#"^(\*|(W/)?"[0-9]+")$"#))),
        _ => return,
    };
    p.schema = Some(schema);
}

/// The document as pretty JSON with a trailing newline (the committed file's form).
pub fn document() -> String {
    let mut s = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "catalogue",
    responses((status = 200, description = "OpenAPI 3.1", content_type = "application/json")))]
#[allow(clippy::unused_async)] // axum handlers are async
pub async fn get_openapi() -> Json<serde_json::Value> {
    Json(serde_json::to_value(ApiDoc::openapi()).unwrap_or_default())
}
