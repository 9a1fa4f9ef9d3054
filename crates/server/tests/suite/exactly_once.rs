//! Exactly-once submission, measured: many clients submit through the fault proxy (resets,
//! cuts, lost responses, stalls, latency) while the server is killed (`SIGKILL`) and restarted now and
//! then; each client retries with the same `Idempotency-Key` until it gets an answer. A checker
//! then compares what every client was told with what the database holds:
//! lost = 0, duplicate = 0, unexpected = 0. "Outcome unknown to the client but present" is
//! counted and reported.
//!
//! `ONETHING_SOAK_SUBMISSIONS` and `ONETHING_SOAK_SUBMIT_KILLS` raise the counts (the soak).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::common;
use crate::common::live::{self, LiveServer};
use crate::common::proxy::{Fault, FaultProxy, Plan};
use crate::common::{Rng, env_count};
use axum::http::StatusCode;
use tokio::sync::Mutex;

/// A distinct valid Chinese name per submission: the checker finds each one in the database.
fn name(i: u64) -> String {
    const SURNAMES: [char; 10] = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];
    const GIVEN: [char; 20] = [
        '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '春', '夏', '秋', '冬', '东',
        '南', '西', '北', '山', '水',
    ];
    let mut s = String::new();
    s.push(SURNAMES[(i % 10) as usize]);
    let mut n = i / 10;
    for _ in 0..3 {
        s.push(GIVEN[(n % 20) as usize]);
        n /= 20;
    }
    s
}

/// What a client ended up being told about one submission.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Told {
    /// 201 with this application id.
    Created(String),
    /// A definitive refusal (4xx other than "in flight").
    Refused(u16, String),
    /// Never a definitive answer within the retry budget.
    Unknown,
}

#[derive(Default)]
struct Counters {
    attempts: AtomicU64,
    transport_failures: AtomicU64,
    in_flight: AtomicU64,
    replays: AtomicU64,
    server_errors: AtomicU64,
}

/// A random plan for one request: mostly fine (with some latency), else a fault somewhere in
/// the request's bytes, or the response lost.
fn random_plan(rng: &mut Rng, request_bytes: u64) -> Plan {
    let latency = Duration::from_millis(rng.below(30));
    let fault = match rng.below(100) {
        0..=54 => Fault::None,
        55..=66 => Fault::ResetAfter(rng.below(request_bytes)),
        67..=78 => Fault::CloseAfter(rng.below(request_bytes)),
        79..=94 => Fault::DropResponses,
        _ => Fault::StallAfter(rng.below(request_bytes), Duration::from_secs(3)),
    };
    Plan {
        latency,
        bandwidth: None,
        fault,
    }
}

#[allow(clippy::too_many_arguments)]
async fn submit_until_answered(
    proxy: &FaultProxy,
    rng: &Mutex<Rng>,
    counters: &Counters,
    token: &str,
    key: &str,
    body: &str,
    deadline: Duration,
) -> (Told, bool, bool) {
    // Whether some attempt ended without the client knowing what the server did.
    let mut unknown = false;
    let start = Instant::now();
    let mut backoff = Duration::from_millis(20);
    while start.elapsed() < deadline {
        let plan = random_plan(&mut *rng.lock().await, 400 + body.len() as u64);
        proxy.push(plan);
        counters.attempts.fetch_add(1, Ordering::Relaxed);
        // Raw, one request per connection: the proxy's plan is for the next connection, so
        // each fault must land on this request (the typed client reuses its connections).
        let r = live::request(
            proxy.addr,
            "POST",
            "/api/applications",
            &[
                ("authorization", format!("Bearer {token}")),
                ("content-type", "application/json".into()),
                ("idempotency-key", key.to_owned()),
            ],
            body.as_bytes(),
            Duration::from_secs(2),
        )
        .await;
        match r {
            Ok(r) if r.status == 201 => {
                let replayed = r.header("idempotent-replayed") == Some("true");
                if replayed {
                    counters.replays.fetch_add(1, Ordering::Relaxed);
                }
                let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
                let id = v["id"].as_str().expect("id").to_owned();
                return (Told::Created(id), unknown, replayed);
            }
            Ok(r) if r.status == 409 && r.code() == "idempotency_request_in_flight" => {
                counters.in_flight.fetch_add(1, Ordering::Relaxed);
            }
            // A timeout (408) says nothing about the outcome: retry.
            Ok(r) if r.status == 408 => unknown = true,
            Ok(r) if r.status >= 500 => {
                unknown = true;
                counters.server_errors.fetch_add(1, Ordering::Relaxed);
            }
            Ok(r) => return (Told::Refused(r.status, r.code()), unknown, false),
            Err(_) => {
                unknown = true;
                counters.transport_failures.fetch_add(1, Ordering::Relaxed);
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_millis(500));
    }
    (Told::Unknown, unknown, false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[expect(
    clippy::too_many_lines,
    reason = "the run and its checker, read top to bottom"
)]
async fn submissions_through_faults_and_kills_are_exactly_once() {
    let total = env_count("ONETHING_SOAK_SUBMISSIONS", 60);
    let kills_wanted = env_count("ONETHING_SOAK_SUBMIT_KILLS", 2);
    let clients = 4u64;
    let dir = tempfile::tempdir().expect("tempdir");
    let services = dir.path().join("services");
    common::services_into(&services);
    let server = LiveServer::start(
        &dir.path().join("data"),
        &services,
        &dir.path().join("server.log"),
        &[],
    )
    .await;
    let proxy = Arc::new(FaultProxy::start(server.addr).await);
    let mut accounts = Vec::new();
    for _ in 0..clients {
        let (api, token) = server.sign_in().await;
        let upload = api
            .upload(&common::jpeg(8, 6), 1 << 20, &[("filename", "photo.jpg")])
            .await
            .expect("upload");
        accounts.push((token, upload));
    }
    let server = Arc::new(Mutex::new(server));
    let rng = Arc::new(Mutex::new(Rng(env_count("ONETHING_SOAK_SEED", 7))));
    let counters = Arc::new(Counters::default());
    let done = Arc::new(AtomicBool::new(false));
    let kills = Arc::new(AtomicU64::new(0));

    // The killer: SIGKILL and restart at random moments while clients submit.
    let killer = {
        let (server, proxy, done, kills, rng) = (
            server.clone(),
            proxy.clone(),
            done.clone(),
            kills.clone(),
            rng.clone(),
        );
        // Spread the kills over the expected run (about 40 ms per submission and client).
        let spacing = Duration::from_millis((total / clients * 40 / (kills_wanted + 1)).max(200));
        tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) && kills.load(Ordering::Relaxed) < kills_wanted {
                let jitter = Duration::from_millis(rng.lock().await.below(200));
                tokio::time::sleep(spacing + jitter).await;
                if done.load(Ordering::Relaxed) {
                    break;
                }
                let mut s = server.lock().await;
                s.restart().await;
                proxy.set_upstream(s.addr);
                kills.fetch_add(1, Ordering::Relaxed);
            }
        })
    };

    let start = Instant::now();
    let mut tasks = Vec::new();
    for (c, (token, upload)) in accounts.iter().cloned().enumerate() {
        let (proxy, rng, counters) = (proxy.clone(), rng.clone(), counters.clone());
        let c = c as u64;
        tasks.push(tokio::spawn(async move {
            let mut told = Vec::new();
            let mut i = c;
            while i < total {
                let who = name(i);
                let mut body = common::application(&upload);
                body["answers"]["applicant_name"] = serde_json::Value::from(who.clone());
                let body = body.to_string();
                let key = format!("key-{c}-{i}-{}", rng.lock().await.next_u64());
                let (t, unknown, replayed) = submit_until_answered(
                    &proxy,
                    &rng,
                    &counters,
                    &token,
                    &key,
                    &body,
                    Duration::from_secs(30),
                )
                .await;
                told.push((who, (t, unknown, replayed)));
                i += clients;
            }
            told
        }));
    }
    let mut told: HashMap<String, (Told, bool, bool)> = HashMap::new();
    for t in tasks {
        told.extend(t.await.expect("client task"));
    }
    done.store(true, Ordering::Relaxed);
    killer.await.expect("killer");
    let elapsed = start.elapsed();

    // The checker: the database against what clients were told.
    let server = server.lock().await;
    let db = server.db().await;
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM applications")
        .fetch_all(&db)
        .await
        .expect("applications");
    // Bodies are sealed at rest: opened with the server's (development) master key.
    let keys = onething_server::crypto::Keys::load(None, None, &server.data, &["any".into()])
        .expect("the key file");
    let mut conn = db.acquire().await.expect("connection");
    let mut stored: HashMap<String, Vec<String>> = HashMap::new();
    for id in ids {
        let body = onething_server::store::applications::body(&mut conn, &keys, &id)
            .await
            .expect("opens")
            .expect("a body");
        let v: serde_json::Value = serde_json::from_str(&body).expect("stored body");
        let who = v["answers"]["applicant_name"]
            .as_str()
            .expect("name")
            .to_owned();
        stored.entry(who).or_default().push(id);
    }
    let (mut lost, mut duplicate, mut unexpected) = (0u64, 0u64, 0u64);
    let (mut created, mut refused, mut unknown_present, mut unknown_absent) = (0u64, 0, 0, 0);
    // Submissions with an attempt whose outcome the client did not learn (cut, reset, answer
    // lost, timeout): already present (the retry's answer was a replay) or not yet (the retry
    // created it).
    let (mut was_unknown_present, mut was_unknown_absent) = (0u64, 0u64);
    let mut problems = Vec::new();
    for (who, (t, was_unknown, replayed)) in &told {
        let ids = stored.get(who).cloned().unwrap_or_default();
        if *was_unknown {
            if *replayed {
                was_unknown_present += 1;
            } else {
                was_unknown_absent += 1;
            }
        }
        if ids.len() > 1 {
            duplicate += 1;
            problems.push(format!("{who}: stored {} times", ids.len()));
        }
        match t {
            Told::Created(id) => {
                created += 1;
                if ids.is_empty() {
                    lost += 1;
                    problems.push(format!("{who}: told {id}, not stored"));
                } else if !ids.contains(id) {
                    unexpected += 1;
                    problems.push(format!("{who}: told {id}, stored {ids:?}"));
                }
            }
            Told::Refused(status, code) => {
                refused += 1;
                if !ids.is_empty() {
                    unexpected += 1;
                    problems.push(format!("{who}: refused {status} {code}, yet stored"));
                }
            }
            Told::Unknown if ids.is_empty() => unknown_absent += 1,
            Told::Unknown => unknown_present += 1,
        }
    }
    for who in stored.keys() {
        if !told.contains_key(who) {
            unexpected += 1;
            problems.push(format!("{who}: stored, never submitted"));
        }
    }
    let c = &counters;
    println!(
        "figure: submissions: {} tried, lost {lost}, duplicate {duplicate}, unexpected {unexpected}; \
         created {created}, refused {refused}; outcome unknown to the client but present \
         {was_unknown_present} (answered by replay), unknown and absent {was_unknown_absent} \
         (created by the retry); \
         never answered: {unknown_present} present, {unknown_absent} absent; {} requests, \
         {} transport failures, {} replays, {} in-flight answers, {} server errors, \
         {} server kills ({:.1} s)",
        told.len(),
        c.attempts.load(Ordering::Relaxed),
        c.transport_failures.load(Ordering::Relaxed),
        c.replays.load(Ordering::Relaxed),
        c.in_flight.load(Ordering::Relaxed),
        c.server_errors.load(Ordering::Relaxed),
        kills.load(Ordering::Relaxed),
        elapsed.as_secs_f64()
    );
    assert_eq!(told.len() as u64, total);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!((lost, duplicate, unexpected), (0, 0, 0));
    assert_eq!(refused, 0, "every submission is valid");
    assert_eq!(
        unknown_absent + unknown_present,
        0,
        "every client got an answer"
    );
    assert_eq!(c.server_errors.load(Ordering::Relaxed), 0, "no 5xx");
}

/// Regression: a submission cut by a crash left its key `in_flight`, and its client heard 409
/// "in flight" on every retry for two minutes after the restart. On SQLite nothing can be in
/// flight in a server that just started: the key is released at start. On PostgreSQL another
/// replica may be working on it: a starting replica frees nothing, and the key's lease expires.
#[tokio::test]
async fn a_key_in_flight_when_the_server_died_is_free_after_restart() {
    let ctx = common::ctx().await;
    let token = common::login(&ctx.state).await;
    let upload = common::upload(&ctx.state, &token, &common::jpeg(4, 3)).await;
    let body = common::application(&upload);
    // What a kill mid-request leaves: the key claimed, nothing written.
    let account: String = sqlx::query_scalar("SELECT account_id FROM uploads WHERE id = $1")
        .bind(&upload)
        .fetch_one(&ctx.state.db)
        .await
        .expect("account");
    sqlx::query(
        "INSERT INTO idempotency_keys (account_id, idem_key, request_hash, state, created_at)
         VALUES ($1, 'k-died', $2, 'in_flight', $3)",
    )
    .bind(&account)
    .bind(request_hash(&body))
    .bind(ctx.state.clock.now())
    .execute(&ctx.state.db)
    .await
    .expect("insert");
    let r = common::submit(&ctx.state, &token, "k-died", &body).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "idempotency_request_in_flight"),
        "the same server still sees it in flight"
    );
    // The restart: a new state on the same data directory.
    let config = (*ctx.state.config).clone();
    ctx.state.db.close().await;
    let state = onething_server::AppState::open(&config)
        .await
        .expect("reopens");
    if config.database_url.is_some() {
        let r = common::submit(&state, &token, "k-died", &body).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (StatusCode::CONFLICT, "idempotency_request_in_flight"),
            "a starting replica frees no other replica's work"
        );
        // Past the lease, the key is taken over.
        state.clock.set(state.clock.now() + 121);
    }
    let r = common::submit(&state, &token, "k-died", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
}

/// The server's request hash: SHA-256 of the body with object keys sorted at every level.
fn request_hash(v: &serde_json::Value) -> String {
    fn canonical(v: &serde_json::Value) -> String {
        use serde_json::Value;
        match v {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                let inner: Vec<String> = keys
                    .into_iter()
                    .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k])))
                    .collect();
                format!("{{{}}}", inner.join(","))
            }
            Value::Array(items) => {
                let inner: Vec<String> = items.iter().map(canonical).collect();
                format!("[{}]", inner.join(","))
            }
            other => other.to_string(),
        }
    }
    live::sha256_hex(canonical(v).as_bytes())
}
