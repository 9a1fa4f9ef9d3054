//! An open Server-Sent Event stream across replicas. A citizen follows a case
//! (`GET /api/applications/{id}/events`) through nginx while the department side moves its
//! sub-items (through nginx too, with the admin token). Before some moves the replica holding
//! the stream (found by each replica's `onething_sse_connections`) is killed (SIGKILL), the move
//! is made while the stream is down, and the replica restarted after. The reader reconnects as
//! a browser's `EventSource` does (with `Last-Event-ID`); the server answers every connection
//! with the whole case now (`id:` is its revision), so a change made while the stream was down
//! arrives on the new connection. Every move must be seen, at its revision, with the sub-item
//! in its new state.

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{Ipv4Addr, TcpStream};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use onething_client::{Blocking, Client};
use onething_core::api::{AdminTransition, ApplicationDetail, SubItemStatus};

use super::{ADMIN_TOKEN, Cluster, Counts, Rng};
use crate::util::{Error, project_root};

/// How long a move may take to reach the stream (kill, reconnection and all).
const SEEN_LIMIT: Duration = Duration::from_secs(30);
/// How long the reader waits before connecting again (a browser's `EventSource` waits about
/// as long by default).
const RECONNECT_PAUSE: Duration = Duration::from_millis(300);

/// What the reader saw: each event's revision and its sub-items' states.
#[derive(Default)]
struct Seen {
    events: Vec<(u64, Vec<(String, SubItemStatus)>)>,
}

/// Connections to the stream: opened (answered `200`), and tried.
#[derive(Default)]
struct Connects {
    opened: AtomicU64,
    tried: AtomicU64,
}

/// Reads the stream of case `id` through nginx until `stop`, connecting again whenever the
/// connection ends or is refused (nginx's `502` while no replica answers).
fn read_stream(
    port: u16,
    (id, token): (&str, &str),
    seen: &Mutex<Seen>,
    stop: &AtomicBool,
    connects: &Connects,
) {
    let mut last_id: Option<String> = None;
    while !stop.load(Ordering::Relaxed) {
        connects.tried.fetch_add(1, Ordering::Relaxed);
        let _ = read_once(
            port,
            (id, token),
            &mut last_id,
            seen,
            (stop, &connects.opened),
        );
        std::thread::sleep(RECONNECT_PAUSE);
    }
}

/// One connection: HTTP/1.0, so nginx sends the stream as it comes and ends it by closing.
fn read_once(
    port: u16,
    (id, token): (&str, &str),
    last_id: &mut Option<String>,
    seen: &Mutex<Seen>,
    (stop, opened): (&AtomicBool, &AtomicU64),
) -> Result<(), Error> {
    let mut s = TcpStream::connect((Ipv4Addr::LOCALHOST, port))?;
    // Short, so `stop` is looked at; a timeout is not the end of the stream.
    s.set_read_timeout(Some(Duration::from_millis(200)))?;
    let mut request = format!(
        "GET /api/applications/{id}/events HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: Bearer {token}\r\n"
    );
    if let Some(last) = last_id {
        let _ = write!(request, "Last-Event-ID: {last}\r\n");
    }
    request.push_str("\r\n");
    s.write_all(request.as_bytes())?;
    let mut reader = BufReader::new(s);
    let mut line = Vec::new();
    let (mut in_body, mut status_ok) = (false, false);
    let (mut event_id, mut data) = (None::<String>, String::new());
    while !stop.load(Ordering::Relaxed) {
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => return Ok(()),
            Ok(_) if line.ends_with(b"\n") => {}
            Ok(_) => continue,
            // A timeout: what was read so far stays in `line`.
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(e) => return Err(e.into()),
        }
        let text = String::from_utf8_lossy(&line)
            .trim_end_matches(['\r', '\n'])
            .to_owned();
        line.clear();
        if !in_body {
            if text.starts_with("HTTP/") {
                status_ok = text.split(' ').nth(1) == Some("200");
            } else if text.is_empty() {
                if !status_ok {
                    return Err("the stream was refused".into());
                }
                opened.fetch_add(1, Ordering::Relaxed);
                in_body = true;
            }
            continue;
        }
        if let Some(v) = text.strip_prefix("id:") {
            event_id = Some(v.trim().to_owned());
        } else if let Some(v) = text.strip_prefix("data:") {
            data.push_str(v.strip_prefix(' ').unwrap_or(v));
        } else if text.is_empty() && !data.is_empty() {
            // The end of an event (a blank line after a keep-alive comment has no data).
            let detail: ApplicationDetail = serde_json::from_str(&data)?;
            data.clear();
            if let Some(e) = event_id.take() {
                *last_id = Some(e);
            }
            let states = detail
                .items
                .iter()
                .map(|i| (i.sub_item_id.clone(), i.status))
                .collect();
            if let Ok(mut s) = seen.lock() {
                s.events.push((detail.revision, states));
            }
        }
    }
    Ok(())
}

/// A move through nginx, sent again when no answer came (as a department's client would);
/// a `409` after a lost answer is the move already made, read back from the case.
fn make_move(
    rt: &Blocking,
    admin: &Client,
    case: &str,
    (sub, to): (&str, SubItemStatus),
) -> Result<u64, Error> {
    let started = Instant::now();
    let mut tried = false;
    loop {
        let transition = AdminTransition {
            note: Some("lb".to_owned()),
            ..AdminTransition::to(to)
        };
        match rt.run(admin.admin_move(case, sub, &transition)) {
            Ok(d) => return Ok(d.revision),
            Err(e) if tried && e.status().is_some_and(|s| s.as_u16() == 409) => {
                let d = rt.run(admin.admin_application(case))?;
                if d.items
                    .iter()
                    .any(|i| i.sub_item_id == sub && i.status == to)
                {
                    return Ok(d.revision);
                }
                return Err(format!("moving {sub} to {to:?}: {e}").into());
            }
            Err(e) if e.status().is_none_or(|s| s.is_server_error()) => {
                if started.elapsed() > SEEN_LIMIT {
                    return Err(format!("moving {sub} to {to:?}: {e}").into());
                }
                tried = true;
                std::thread::sleep(Duration::from_millis(200));
            }
            Err(e) => return Err(format!("moving {sub} to {to:?}: {e}").into()),
        }
    }
}

/// Waits until the replica holding the stream is known (at most 10 s).
fn holder(cluster: &Cluster) -> Option<usize> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if let Some(n) = cluster
            .replicas
            .iter()
            .position(|r| r.is_up() && r.open_streams().unwrap_or(0) > 0)
        {
            return Some(n);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

/// The run; returns its figure and whether it held.
#[allow(
    clippy::too_many_lines,
    reason = "the run and its checker, read top to bottom"
)]
pub(super) fn follow(cluster: &mut Cluster, counts: Counts) -> Result<(String, bool), Error> {
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(
        project_root().join("services/examples/enterprise-issue.json"),
    )?)?;
    let application = file["application"].clone();
    let rt = Blocking::new()?;
    let admin = Client::new(&cluster.url)?.with_bearer(ADMIN_TOKEN);
    let mut rng = Rng(counts.seed ^ 0x11FE);
    let started = Instant::now();
    let (mut expected, mut seen_count, mut kills) = (0u64, 0u64, 0u64);
    let (mut reconnects, mut tries) = (0u64, 0u64);
    let mut slowest = Duration::ZERO;
    let mut problems = Vec::new();
    for case in 0..counts.live_cases {
        let (citizen, token) = cluster.citizen(&rt)?;
        let created = rt
            .run(citizen.submit(
                &application,
                &format!("lb-live-{}-{case}", std::process::id()),
            ))?
            .created;
        let subs: Vec<String> = rt
            .run(citizen.application(&created.id))?
            .items
            .into_iter()
            .map(|i| i.sub_item_id)
            .collect();
        // Three changes per sub-item, each allowed without stages or records.
        let moves: Vec<(String, SubItemStatus)> = subs
            .iter()
            .flat_map(|s| {
                [
                    SubItemStatus::Accepted,
                    SubItemStatus::SupplementRequested,
                    SubItemStatus::Rejected,
                ]
                .map(|to| (s.clone(), to))
            })
            .collect();
        // Which moves come right after a kill: `live_kills` of them, never the first.
        let mut kill_before = vec![false; moves.len()];
        let mut chosen = 0;
        while chosen < counts.live_kills.min(moves.len() - 1) {
            let at = 1 + usize::try_from(rng.below(moves.len() as u64 - 1))?;
            if !kill_before[at] {
                kill_before[at] = true;
                chosen += 1;
            }
        }
        let seen = Mutex::new(Seen::default());
        let (stop, connects) = (AtomicBool::new(false), Connects::default());
        let port = cluster.listen;
        let outcome = std::thread::scope(|scope| -> Result<(), Error> {
            let (id, token, seen, stop, connects) = (&created.id, &token, &seen, &stop, &connects);
            scope.spawn(move || read_stream(port, (id, token), seen, stop, connects));
            let result = (|| -> Result<(), Error> {
                // The stream's first event: the case as submitted.
                wait_seen(seen, |_| true)?;
                for (m, (sub, to)) in moves.iter().enumerate() {
                    let mut victim = None;
                    if kill_before[m] {
                        let n = holder(cluster).ok_or("no replica holds the stream")?;
                        cluster.replicas[n].kill();
                        kills += 1;
                        victim = Some(n);
                    }
                    let revision = make_move(&rt, &admin, id, (sub, *to))?;
                    expected += 1;
                    let t = Instant::now();
                    if let Some(n) = victim {
                        cluster.replicas[n].start()?;
                    }
                    let arrived = wait_seen(seen, |(rev, states)| {
                        *rev >= revision && states.iter().any(|(s, st)| s == sub && st == to)
                    });
                    match arrived {
                        Ok(()) => {
                            seen_count += 1;
                            slowest = slowest.max(t.elapsed());
                        }
                        Err(e) => problems.push(format!("case {case}, {sub} → {to:?}: {e}")),
                    }
                }
                Ok(())
            })();
            stop.store(true, Ordering::Relaxed);
            result
        });
        reconnects += connects.opened.load(Ordering::Relaxed).saturating_sub(1);
        tries += connects.tried.load(Ordering::Relaxed).saturating_sub(1);
        outcome?;
        // Revisions only grow on the stream (a stale replica never answers an older case).
        let seen = seen.into_inner().map_err(|_| "the reader panicked")?;
        if seen.events.windows(2).any(|w| w[1].0 < w[0].0) {
            problems.push(format!(
                "case {case}: a revision went backwards on the stream"
            ));
        }
    }
    for p in &problems {
        eprintln!("lb: {p}");
    }
    let held = problems.is_empty() && seen_count == expected && reconnects >= kills;
    let figure = format!(
        "live events: {} cases followed over one SSE stream each, the stream's replica SIGKILLed {kills} times: reconnected {reconnects} times ({tries} tries, with Last-Event-ID), {seen_count}/{expected} status changes seen (slowest {:.1} s after its move) ({:.1} s)",
        counts.live_cases,
        slowest.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    Ok((figure, held))
}

/// Waits (at most [`SEEN_LIMIT`]) for an event that `matches`.
fn wait_seen(
    seen: &Mutex<Seen>,
    matches: impl Fn(&(u64, Vec<(String, SubItemStatus)>)) -> bool,
) -> Result<(), Error> {
    let started = Instant::now();
    loop {
        if seen
            .lock()
            .map_err(|_| "the reader panicked")?
            .events
            .iter()
            .any(&matches)
        {
            return Ok(());
        }
        if started.elapsed() > SEEN_LIMIT {
            return Err(format!("not seen on the stream in {} s", SEEN_LIMIT.as_secs()).into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
