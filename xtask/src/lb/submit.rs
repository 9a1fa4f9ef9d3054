//! Exactly-once submissions across replicas: clients submit through nginx, each submission
//! with its own account and `Idempotency-Key`, while one replica at a time is killed (SIGKILL)
//! at random moments and restarted. A client retries as the SPA's outbox does
//! (`src/wizard/outbox.rs`, `transient`): on no answer, `401`, `408`, `409` (the key in flight on
//! another replica, until its lease lapses) and `5xx`, always with the same key. Then the
//! database is counted: every account must hold exactly the one application its client was told
//! of (lost = 0, duplicate = 0).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use onething_client::{Blocking, Client};

use super::{Cluster, Counts, Rng};
use crate::util::{Error, project_root};

/// Concurrent clients.
const CLIENTS: usize = 3;
/// How long one submission may be retried: above the idempotency lease's takeover (10 s of
/// silence from the replica that held the key) with room for a restart.
const RETRY_LIMIT: Duration = Duration::from_secs(45);

/// What the clients went through.
#[derive(Default)]
struct Counters {
    attempts: AtomicU64,
    transport: AtomicU64,
    in_flight: AtomicU64,
    server_errors: AtomicU64,
    replays: AtomicU64,
}

/// What a client was told about one submission.
enum Told {
    Created(String),
    Refused(u16),
    Unknown,
}

/// Whether the SPA's outbox would send again after this failure.
fn transient(e: &onething_client::Error) -> bool {
    match e.status() {
        None => true,
        Some(s) => matches!(s.as_u16(), 401 | 408 | 409) || s.is_server_error(),
    }
}

/// Submits until a definitive answer or [`RETRY_LIMIT`], the same key every time.
fn submit_until_answered(
    rt: &Blocking,
    api: &Client,
    application: &serde_json::Value,
    key: &str,
    counters: &Counters,
) -> Told {
    let started = Instant::now();
    let mut pause = Duration::from_millis(100);
    while started.elapsed() < RETRY_LIMIT {
        counters.attempts.fetch_add(1, Ordering::Relaxed);
        match rt.run(api.submit(application, key)) {
            Ok(s) => {
                if s.replayed {
                    counters.replays.fetch_add(1, Ordering::Relaxed);
                }
                return Told::Created(s.created.id);
            }
            Err(e) if transient(&e) => {
                match e.status().map(|s| s.as_u16()) {
                    None => counters.transport.fetch_add(1, Ordering::Relaxed),
                    Some(409) => counters.in_flight.fetch_add(1, Ordering::Relaxed),
                    Some(_) => counters.server_errors.fetch_add(1, Ordering::Relaxed),
                };
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_secs(1));
            }
            Err(e) => return Told::Refused(e.status().map_or(0, |s| s.as_u16())),
        }
    }
    Told::Unknown
}

/// The run; returns its figure and whether it held.
#[allow(
    clippy::too_many_lines,
    reason = "the run and its checker, read top to bottom"
)]
pub(super) fn exactly_once(cluster: &mut Cluster, counts: Counts) -> Result<(String, bool), Error> {
    let total = counts.submissions;
    // The enterprise-issue example: no uploads, no dates that move with today.
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(
        project_root().join("services/examples/enterprise-issue.json"),
    )?)?;
    let application = file["application"].clone();
    // One account per submission, signed in before the faults: each must end with one case.
    // Kept as tokens: a client's pooled connections are driven by the runtime that opened
    // them, so each client thread makes its own.
    let rt = Blocking::new()?;
    let mut people = Vec::with_capacity(total);
    for _ in 0..total {
        let (api, token) = cluster.citizen(&rt)?;
        let account = rt.run(api.session())?.account.id;
        people.push((token, account));
    }
    drop(rt);
    let url = cluster.url.clone();
    let counters = Counters::default();
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    // Requests on their way now: the killer strikes while there is one.
    let sending = AtomicUsize::new(0);
    let told: Mutex<HashMap<String, Told>> = Mutex::new(HashMap::new());
    let mut rng = Rng(counts.seed ^ 0x5EED);
    let mut kills = 0;
    let started = Instant::now();
    let deadline = started + RETRY_LIMIT * u32::try_from(total).unwrap_or(u32::MAX);
    std::thread::scope(|scope| -> Result<(), Error> {
        for c in 0..CLIENTS {
            let (people, application, counters, next, finished, told, url, sending) = (
                &people,
                &application,
                &counters,
                &next,
                &finished,
                &told,
                &url,
                &sending,
            );
            scope.spawn(move || {
                let (Ok(rt), Ok(base)) = (Blocking::new(), Client::new(url)) else {
                    finished.fetch_add(1, Ordering::Relaxed);
                    return;
                };
                let mut pace = Rng(u64::try_from(c).unwrap_or(0) + 11);
                // Paced so the run lasts about a second per kill wanted (a kill and its restart
                // take about that), each pause between half and one and a half of the mean.
                let mean = (1000 * counts.submit_kills * CLIENTS / total.max(1)).max(20) as u64;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((token, account)) = people.get(i) else {
                        break;
                    };
                    let api = base.with_bearer(token);
                    let key = format!("lb-{}-{i}", std::process::id());
                    sending.fetch_add(1, Ordering::Relaxed);
                    let t = submit_until_answered(&rt, &api, application, &key, counters);
                    sending.fetch_sub(1, Ordering::Relaxed);
                    if let Ok(mut m) = told.lock() {
                        m.insert(account.clone(), t);
                    }
                    std::thread::sleep(Duration::from_millis(mean / 2 + pace.below(mean)));
                }
                finished.fetch_add(1, Ordering::Relaxed);
            });
        }
        // The killer, on this thread: while the clients run, a replica at a random moment
        // (150–600 ms apart, then 0–20 ms into a submission on its way), restarted 100–400 ms
        // later; never both down at once.
        while finished.load(Ordering::Relaxed) < CLIENTS && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(150 + rng.below(450)));
            if kills >= counts.submit_kills || finished.load(Ordering::Relaxed) == CLIENTS {
                continue;
            }
            let wait = Instant::now();
            while sending.load(Ordering::Relaxed) == 0 && wait.elapsed() < Duration::from_secs(2) {
                std::thread::sleep(Duration::from_millis(1));
            }
            std::thread::sleep(Duration::from_millis(rng.below(20)));
            let n = usize::try_from(rng.below(cluster.replicas.len() as u64))?;
            let victim = &mut cluster.replicas[n];
            victim.kill();
            kills += 1;
            std::thread::sleep(Duration::from_millis(100 + rng.below(300)));
            victim.start()?;
        }
        Ok(())
    })?;
    let elapsed = started.elapsed();

    // The checker: every application of these accounts, counted in the database.
    let rows = cluster.query("SELECT account_id || ' ' || id FROM applications")?;
    let mut stored: HashMap<&str, Vec<&str>> = HashMap::new();
    for line in rows.lines() {
        if let Some((account, id)) = line.split_once(' ') {
            stored.entry(account).or_default().push(id);
        }
    }
    let told = told.into_inner().map_err(|_| "a client panicked")?;
    let (mut lost, mut duplicate, mut unexpected, mut unknown, mut refused) = (0, 0, 0, 0, 0);
    let mut problems = Vec::new();
    for (_, account) in &people {
        let ids = stored.get(account.as_str()).cloned().unwrap_or_default();
        if ids.len() > 1 {
            duplicate += 1;
            problems.push(format!("account {account}: {} applications", ids.len()));
        }
        match told.get(account) {
            Some(Told::Created(id)) if ids.is_empty() => {
                lost += 1;
                problems.push(format!("account {account}: told {id}, nothing stored"));
            }
            Some(Told::Created(id)) if !ids.contains(&id.as_str()) => {
                unexpected += 1;
                problems.push(format!("account {account}: told {id}, stored {ids:?}"));
            }
            Some(Told::Created(_)) => {}
            Some(Told::Refused(status)) => {
                refused += 1;
                problems.push(format!("account {account}: refused ({status})"));
            }
            Some(Told::Unknown) | None => {
                unknown += 1;
                problems.push(format!(
                    "account {account}: no answer in {} s ({} stored)",
                    RETRY_LIMIT.as_secs(),
                    ids.len()
                ));
            }
        }
    }
    for p in problems.iter().take(10) {
        eprintln!("lb: {p}");
    }
    let c = &counters;
    let attempts = c.attempts.load(Ordering::Relaxed);
    let figure = format!(
        "submissions: {total} sent by {CLIENTS} clients, a replica SIGKILLed and restarted {kills} times: lost {lost}, duplicate {duplicate}, unexpected {unexpected}, refused {refused}, unanswered {unknown}; {attempts} requests ({} retries: {} without an answer, {} 409 in flight, {} 5xx; {} answered as replays) ({:.1} s)",
        attempts.saturating_sub(total as u64),
        c.transport.load(Ordering::Relaxed),
        c.in_flight.load(Ordering::Relaxed),
        c.server_errors.load(Ordering::Relaxed),
        c.replays.load(Ordering::Relaxed),
        elapsed.as_secs_f64()
    );
    Ok((figure, problems.is_empty()))
}
