//! Personal data at rest: a real server's SQLite file, its WAL and its files directory hold no
//! ID number, phone number or photo bytes in the clear; the data reads back the same, also
//! after `rotate-key`; and with the wrong master key the server refuses to start and changes
//! nothing.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use onething_core::api::{DevTicketRequest, DraftCreate};
use onething_server::{AppState, Config, store};
use tokio::process::Command;

use crate::common::live::{ADMIN, LiveServer};
use crate::common::{self, Rng};

const ID_NUMBER: &str = "330502199203150023";
const PHONE: &str = "13800138000";
const OTHER_ID: &str = "330502199001010030";
const OTHER_NAME: &str = "李建国";

/// Every file under `dir`.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// The directories that hold a live server's data: its data directory and, on PostgreSQL, its
/// database's files in the cluster (after a checkpoint, so what was written is in them).
async fn stored_dirs(data: &Path) -> Vec<PathBuf> {
    use sqlx::Connection as _;
    let mut dirs = vec![data.to_path_buf()];
    if let Some(url) = common::database_for(data).await {
        let mut conn = sqlx::PgConnection::connect(&url).await.expect("database");
        sqlx::query("CHECKPOINT")
            .execute(&mut conn)
            .await
            .expect("CHECKPOINT");
        let (cluster, oid): (String, String) = sqlx::query_as(
            "SELECT current_setting('data_directory'), oid::text FROM pg_database
             WHERE datname = current_database()",
        )
        .fetch_one(&mut conn)
        .await
        .expect("the database's directory");
        dirs.push(PathBuf::from(cluster).join("base").join(oid));
    }
    dirs
}

/// Where each needle occurs in the data's directories: `(file, needle index)`.
fn scan(dirs: &[PathBuf], needles: &[Vec<u8>]) -> (usize, Vec<(String, usize)>) {
    let files: Vec<PathBuf> = dirs.iter().flat_map(|d| files_under(d)).collect();
    let mut hits = Vec::new();
    for f in &files {
        let bytes = std::fs::read(f).unwrap_or_default();
        for (i, n) in needles.iter().enumerate() {
            if bytes.windows(n.len()).any(|w| w == n.as_slice()) {
                hits.push((f.display().to_string(), i));
            }
        }
    }
    (files.len(), hits)
}

/// A JPEG whose scan data is 64 bytes nobody else has (no `0xFF`, so no marker inside).
fn photo(rng: &mut Rng) -> (Vec<u8>, Vec<u8>) {
    let mut jpeg = common::jpeg(40, 30);
    let marker: Vec<u8> = (0..64)
        .map(|_| u8::try_from(rng.below(0xFE)).expect("byte"))
        .collect();
    let at = jpeg
        .windows(64)
        .position(|w| w.iter().all(|b| *b == 0x55))
        .expect("scan data");
    jpeg[at..at + 64].copy_from_slice(&marker);
    (jpeg, marker)
}

fn needles(marker: &[u8]) -> Vec<Vec<u8>> {
    vec![
        ID_NUMBER.as_bytes().to_vec(),
        PHONE.as_bytes().to_vec(),
        // The other parent's, from the application's answers (and his consent request).
        OTHER_ID.as_bytes().to_vec(),
        OTHER_NAME.as_bytes().to_vec(),
        marker.to_vec(),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(clippy::too_many_lines, reason = "one scenario, read top to bottom")]
async fn personal_data_is_sealed_at_rest_reads_back_and_survives_rotation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let services = dir.path().join("services");
    common::services_into(&services);
    let data = dir.path().join("data");
    let mut server = LiveServer::start(&data, &services, &dir.path().join("server.log"), &[]).await;
    let url = format!("http://{}", server.addr);
    let anonymous = onething_client::Client::new(&url).expect("client");
    let session = anonymous
        .dev_session(&DevTicketRequest {
            id_number: Some(ID_NUMBER.into()),
            phone: Some(PHONE.into()),
            ..DevTicketRequest::default()
        })
        .await
        .expect("signed in");
    let api = anonymous.with_bearer(&session.token);
    let admin = anonymous.with_bearer(ADMIN);

    // A draft, uploads (finished ones for two materials, one left half-sent), a submission
    // with a consent request for the other parent's e-licence.
    let mut rng = Rng(20);
    let (jpeg, marker) = photo(&mut rng);
    let first_upload = api
        .upload(&jpeg, 16, &[("filename", "身份证.jpg")])
        .await
        .expect("upload");
    let marriage = api
        .upload(&jpeg, 1 << 20, &[("filename", "结婚证.jpg")])
        .await
        .expect("upload");
    let mut app = common::application(&first_upload);
    app["answers"]["other_name"] = serde_json::json!(OTHER_NAME);
    app["answers"]["other_id_number"] = serde_json::json!(OTHER_ID);
    app["materials"]["marriage_certificate"] =
        serde_json::json!({ "kind": "upload", "upload_ids": [marriage] });
    app["materials"]["other_id_card"] = serde_json::json!({ "kind": "e_licence", "consent": true });
    let half = api
        .create_upload(jpeg.len() as u64, &[("filename", "半张.jpg")])
        .await
        .expect("created");
    api.patch_upload(&half.id, 0, jpeg[..jpeg.len() - 2].to_vec())
        .await
        .expect("most of it");
    let draft = api
        .create_draft(&DraftCreate {
            service_id: "test-bundle".into(),
            data: app["answers"].clone(),
        })
        .await
        .expect("draft");
    let created = api
        .submit(&app, "at-rest-1")
        .await
        .expect("submitted")
        .created;

    let needles = needles(&marker);
    let (files, hits) = scan(&stored_dirs(&data).await, &needles);
    println!(
        "figure: at rest: {files} files scanned, {} hits",
        hits.len()
    );
    assert!(files >= 4, "database, WAL, blobs, partial: {files}");
    assert!(hits.is_empty(), "personal data in the clear: {hits:?}");
    // The control: what stays plain is found by the same scan (the case number).
    let (_, plain) = scan(
        &stored_dirs(&data).await,
        &[created.case_number.as_bytes().to_vec()],
    );
    assert!(!plain.is_empty(), "the scan finds plain text");

    // It reads back.
    let me = api.session().await.expect("session").account;
    assert_eq!(
        (me.id_number.as_str(), me.phone.as_str()),
        (ID_NUMBER, PHONE)
    );
    let back = api.draft(&draft.id).await.expect("draft back");
    assert_eq!(back.data, app["answers"]);
    let detail = api.application(&created.id).await.expect("case");
    let holders: Vec<&str> = detail
        .consents
        .iter()
        .map(|c| c.holder_name.as_str())
        .collect();
    assert_eq!(holders, vec![OTHER_NAME]);

    // Rotation while serving: a new key, every data key re-wrapped, the old key retired.
    let before = std::fs::read_to_string(data.join("master.key")).expect("dev key file");
    let rotation = admin.admin_rotate_key().await.expect("rotated");
    assert!(
        rotation.generated && rotation.rewrapped >= 5,
        "{rotation:?}"
    );
    assert_eq!(rotation.retired.len(), 1, "{rotation:?}");
    let after = std::fs::read_to_string(data.join("master.key")).expect("dev key file");
    assert_ne!(before, after);
    assert_eq!(
        api.session().await.expect("session").account.id_number,
        ID_NUMBER
    );
    assert_eq!(
        api.draft(&draft.id).await.expect("draft").data,
        app["answers"]
    );
    // The half-sent upload finishes after the rotation, under its own (re-wrapped) key.
    api.patch_upload(
        &half.id,
        jpeg.len() as u64 - 2,
        jpeg[jpeg.len() - 2..].to_vec(),
    )
    .await
    .expect("the rest");
    let (_, hits) = scan(&stored_dirs(&data).await, &needles);
    assert!(hits.is_empty(), "after rotation: {hits:?}");

    // The wrong key: refused at start with a clear message; nothing is lost.
    server.kill().await;
    let wrong = dir.path().join("wrong.key");
    std::fs::write(&wrong, "9q8Ni2yCGJz3B7oGmI7FI7wQ0P2eaZ1cFP8h0V1m+7w=\n").expect("wrong key");
    let database = common::database_for(&data).await;
    let out = tokio::time::timeout(
        Duration::from_secs(30),
        Command::new(env!("CARGO_BIN_EXE_onething-server"))
            .args(["--addr", "127.0.0.1:0", "--data-dir"])
            .arg(&data)
            .args(
                database
                    .iter()
                    .flat_map(|url| ["--database-url", url.as_str()]),
            )
            .arg("--services-dir")
            .arg(&services)
            .arg("--master-key-file")
            .arg(&wrong)
            .env_remove("ONETHING_MASTER_KEY")
            .stdin(Stdio::null())
            .output(),
    )
    .await
    .expect("it ends at once")
    .expect("it runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "started with the wrong key");
    assert!(stderr.contains("wrong master key"), "{stderr}");
    assert!(stderr.contains(&rotation.key_id), "names the key: {stderr}");
    assert_eq!(
        std::fs::read_to_string(data.join("master.key")).expect("kept"),
        after
    );

    // With the right key (the development key file) everything is there.
    server.restart().await;
    let api = onething_client::Client::new(&format!("http://{}", server.addr))
        .expect("client")
        .with_bearer(&session.token);
    assert_eq!(api.session().await.expect("session").account.phone, PHONE);
    server.kill().await;

    // The stored files open to the cleaned photo; the body to the answers.
    let mut config = Config::with_dirs(&data, &services);
    config.database_url = common::database_for(&data).await;
    let state = AppState::open(&config)
        .await
        .expect("opens with the key file");
    let up = store::uploads::get(&state.db, &state.keys, &first_upload, &me.id)
        .await
        .expect("db")
        .expect("upload");
    let (_, cleaned, _) =
        onething_server::media::process(jpeg.clone(), config.max_image_pixels).expect("clean");
    assert_eq!(state.read_upload(&up).await.expect("opens"), cleaned);
    let up = store::uploads::get(&state.db, &state.keys, &half.id, &me.id)
        .await
        .expect("db")
        .expect("upload");
    assert_eq!(state.read_upload(&up).await.expect("opens"), cleaned);
    let mut conn = state.db.acquire().await.expect("conn");
    let body = store::applications::body(&mut conn, &state.keys, &created.id)
        .await
        .expect("db")
        .expect("body");
    assert!(body.contains(OTHER_ID), "the other parent's ID number");
}

/// The consent holder's ID number is stored as neither itself nor its bare SHA-256 (an ID
/// number has few enough possible values to search a bare hash): an HMAC under the record's
/// data key. A row written before (a bare digest) is keyed by the sweep and still answers to
/// its holder only.
#[tokio::test]
async fn the_consent_holders_id_is_kept_as_a_keyed_digest_and_old_rows_are_keyed_in_place() {
    use axum::http::StatusCode;
    let c = common::ctx().await;
    let (applicant, _) = common::login_person(&c.state, "mother").await;
    let (holder, holder_id) = common::login_person(&c.state, "father").await;
    let (stranger, _) = common::login_person(&c.state, "stranger").await;
    let up = common::upload(&c.state, &applicant, &common::jpeg(10, 10)).await;
    let r = common::submit(
        &c.state,
        &applicant,
        "k1",
        &common::application_with_consent(&up, &holder_id),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let (code, stored): (String, String) =
        sqlx::query_as("SELECT code, holder_id_hash FROM consents")
            .fetch_one(&c.state.db)
            .await
            .expect("consent row");
    let bare = onething_server::clock::hash_secret(&holder_id.to_ascii_uppercase());
    assert!(stored.starts_with("h1:"), "{stored}");
    assert!(!stored.contains(&bare) && !stored.contains(&holder_id));
    let opens = async |token: &str| {
        common::get(&c.state, &format!("/api/consents/{code}"), Some(token))
            .await
            .status
    };
    assert_eq!(opens(&holder).await, StatusCode::OK);
    assert_eq!(opens(&stranger).await, StatusCode::NOT_FOUND);

    // A row as written before keyed digests: the bare SHA-256. It still answers to its holder,
    // and the sweep keys it in place, to the same value a fresh row gets.
    sqlx::query("UPDATE consents SET holder_id_hash = $1")
        .bind(&bare)
        .execute(&c.state.db)
        .await
        .expect("legacy row");
    assert_eq!(opens(&holder).await, StatusCode::OK);
    onething_server::maintenance::sweep(&c.state)
        .await
        .expect("sweep");
    let keyed: String = sqlx::query_scalar("SELECT holder_id_hash FROM consents")
        .fetch_one(&c.state.db)
        .await
        .expect("row");
    assert_eq!(keyed, stored);
    assert_eq!(opens(&holder).await, StatusCode::OK);
    assert_eq!(opens(&stranger).await, StatusCode::NOT_FOUND);
}
