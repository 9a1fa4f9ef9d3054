//! A fault-injecting TCP proxy for tests: it sits between a client and the server and, per
//! connection, adds latency, caps bandwidth, closes or resets the connection after N bytes from
//! the client, stalls it, or swallows everything the server sends back (the request arrives,
//! the response is lost). Each accepted connection takes the next queued [`Plan`], or the
//! default one. The upstream can be changed while it runs (a restarted server has a new port).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What goes wrong on one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    /// Nothing (only the plan's latency and bandwidth).
    #[default]
    None,
    /// After this many client-to-server bytes, close both sides (FIN).
    CloseAfter(u64),
    /// After this many client-to-server bytes, reset both sides (RST).
    ResetAfter(u64),
    /// After this many client-to-server bytes, forward nothing more from the client and hold
    /// the connection open for the duration, then close it.
    StallAfter(u64, Duration),
    /// Forward the client's bytes, drop every byte the server sends back; close the client
    /// side once the server has closed its side.
    DropResponses,
}

/// How one connection behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Plan {
    /// Added before forwarding each chunk, in both directions.
    pub latency: Duration,
    /// Bytes per second in each direction; `None` is unlimited.
    pub bandwidth: Option<u64>,
    /// The fault.
    pub fault: Fault,
}

impl Plan {
    /// A plan with just this fault.
    pub fn fault(fault: Fault) -> Self {
        Plan {
            fault,
            ..Plan::default()
        }
    }
}

#[derive(Default)]
struct Shared {
    upstream: Mutex<Option<SocketAddr>>,
    queue: Mutex<VecDeque<Plan>>,
    default: Mutex<Plan>,
    faults: AtomicU64,
}

/// A running proxy; stops (and drops its connections) when dropped.
pub struct FaultProxy {
    /// Where clients connect.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl FaultProxy {
    /// Starts a proxy on a free loopback port in front of `upstream`.
    pub async fn start(upstream: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy address");
        let shared = Arc::new(Shared::default());
        *lock(&shared.upstream) = Some(upstream);
        let s = shared.clone();
        let accept = tokio::spawn(async move {
            // Each connection task ends by itself (EOF, fault, or its bounded stall).
            while let Ok((client, _)) = listener.accept().await {
                let plan = lock(&s.queue).pop_front().unwrap_or(*lock(&s.default));
                let upstream = *lock(&s.upstream);
                if plan.fault != Fault::None {
                    s.faults.fetch_add(1, Ordering::Relaxed);
                }
                let Some(upstream) = upstream else { continue };
                tokio::spawn(connection(client, upstream, plan));
            }
        });
        FaultProxy {
            addr,
            shared,
            accept,
        }
    }

    /// Points the proxy at another upstream (new connections only).
    pub fn set_upstream(&self, upstream: SocketAddr) {
        *lock(&self.shared.upstream) = Some(upstream);
    }

    /// The plan of connections with nothing queued.
    pub fn set_default(&self, plan: Plan) {
        *lock(&self.shared.default) = plan;
    }

    /// Queues a plan for the next accepted connection.
    pub fn push(&self, plan: Plan) {
        lock(&self.shared.queue).push_back(plan);
    }

    /// Forgets queued plans.
    pub fn clear(&self) {
        lock(&self.shared.queue).clear();
    }

    /// Connections that were given a fault.
    pub fn faults(&self) -> u64 {
        self.shared.faults.load(Ordering::Relaxed)
    }
}

async fn drain(r: &mut OwnedReadHalf) {
    let mut buf = vec![0u8; 16 * 1024];
    while matches!(r.read(&mut buf).await, Ok(n) if n > 0) {}
}

/// How a direction's pump ended.
enum End {
    /// Its source closed: half-close the sink and let the other direction finish.
    Eof,
    /// The fault fired or an error happened: end the whole connection now.
    Kill,
}

async fn connection(client: TcpStream, upstream: SocketAddr, plan: Plan) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return; // The client sees its connection closed, as with a server that is down.
    };
    if matches!(plan.fault, Fault::ResetAfter(_)) {
        // SO_LINGER 0: closing sends RST instead of FIN (on both sides).
        let _ = client.set_zero_linger();
        let _ = server.set_zero_linger();
    }
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    {
        let up = pump(&mut cr, &mut sw, plan, true);
        let down = pump(&mut sr, &mut cw, plan, false);
        tokio::pin!(up, down);
        tokio::select! {
            end = &mut up => if matches!(end, End::Eof) { down.await; },
            end = &mut down => if matches!(end, End::Eof) { up.await; },
        }
    }
    if matches!(plan.fault, Fault::CloseAfter(_)) {
        // A clean cut: FIN both ways, then read and discard until the peers close (bounded),
        // since closing a socket with unread bytes makes the kernel send RST instead.
        let _ = cw.shutdown().await;
        let _ = sw.shutdown().await;
        let _ = tokio::time::timeout(Duration::from_secs(5), async {
            tokio::join!(drain(&mut cr), drain(&mut sr))
        })
        .await;
    }
    // Whole sockets, not halves: a dropped write half sends FIN first, and a reset must
    // arrive as a reset (with linger 0, closing sends only RST).
    if let (Ok(client), Ok(server)) = (cr.reunite(cw), sr.reunite(sw)) {
        drop(client);
        drop(server);
    }
}

async fn pump(from: &mut OwnedReadHalf, to: &mut OwnedWriteHalf, plan: Plan, upward: bool) -> End {
    let mut buf = vec![0u8; 16 * 1024];
    let mut sent: u64 = 0;
    let limit = match plan.fault {
        Fault::CloseAfter(n) | Fault::ResetAfter(n) | Fault::StallAfter(n, _) if upward => Some(n),
        _ => None,
    };
    let swallow = !upward && plan.fault == Fault::DropResponses;
    // Small reads under a bandwidth cap, so the cap is smooth rather than bursty.
    let read_max = plan.bandwidth.map_or(buf.len(), |bw| {
        usize::try_from(bw / 20)
            .unwrap_or(buf.len())
            .clamp(1, buf.len())
    });
    loop {
        let n = match from.read(&mut buf[..read_max]).await {
            Ok(0) => {
                let _ = to.shutdown().await;
                return End::Eof;
            }
            Ok(n) => n,
            Err(_) => return End::Kill,
        };
        if swallow {
            continue;
        }
        let mut chunk = &buf[..n];
        let mut fire = false;
        if let Some(limit) = limit {
            let room = usize::try_from(limit.saturating_sub(sent)).unwrap_or(usize::MAX);
            if chunk.len() >= room {
                chunk = &chunk[..room];
                fire = true;
            }
        }
        if !plan.latency.is_zero() {
            tokio::time::sleep(plan.latency).await;
        }
        if let Some(bw) = plan.bandwidth {
            let nanos = (chunk.len() as u64).saturating_mul(1_000_000_000) / bw.max(1);
            tokio::time::sleep(Duration::from_nanos(nanos)).await;
        }
        if !chunk.is_empty() && to.write_all(chunk).await.is_err() {
            return End::Kill;
        }
        sent += chunk.len() as u64;
        if fire {
            if let Fault::StallAfter(_, hold) = plan.fault {
                tokio::time::sleep(hold).await;
            }
            return End::Kill;
        }
    }
}
