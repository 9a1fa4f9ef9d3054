//! Operations' figures in the Prometheus text format (exposition format 0.0.4), served behind
//! the admin token at `GET /api/admin/metrics`: requests by route template, method and status,
//! their latency as a histogram by route, uploads completed and bytes received, submissions,
//! and the Server-Sent Event streams open now. Routes are templates (`/api/uploads/{id}`),
//! never the values in a path, so nothing personal reaches a metrics store.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Default)]
struct Histogram {
    /// Cumulative counts per bucket of [`BUCKETS`].
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The figures of a running server, shared by every handler.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    uploads_completed: AtomicU64,
    upload_bytes: AtomicU64,
    submissions: AtomicU64,
    sse_open: AtomicI64,
    outbox_depth: AtomicI64,
    retention_cases: AtomicU64,
    orphan_files: AtomicU64,
}

impl Metrics {
    /// Counts one answered request.
    pub fn request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        *self
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((route.to_owned(), method.to_owned(), status))
            .or_default() += 1;
        let mut latency = self.latency.lock().unwrap_or_else(PoisonError::into_inner);
        let h = latency.entry(route.to_owned()).or_default();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                h.buckets[i] += 1;
            }
        }
        h.count += 1;
        h.sum += seconds;
    }

    /// Counts a completed upload.
    pub fn upload_completed(&self) {
        self.uploads_completed.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts bytes of uploads received (and kept).
    pub fn upload_bytes(&self, n: u64) {
        self.upload_bytes.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts an accepted submission.
    pub fn submission(&self) {
        self.submissions.fetch_add(1, Ordering::Relaxed);
    }

    /// How many notices wait in the outbox (set by the notification sender).
    pub fn set_outbox_depth(&self, n: i64) {
        self.outbox_depth.store(n, Ordering::Relaxed);
    }

    /// Counts what a sweep deleted under retention: cases whose personal data went, orphaned
    /// files.
    pub fn retention(&self, cases: u64, orphans: u64) {
        self.retention_cases.fetch_add(cases, Ordering::Relaxed);
        self.orphan_files.fetch_add(orphans, Ordering::Relaxed);
    }

    /// An event stream opened; it counts until the returned guard is dropped.
    pub fn stream_opened(self: &Arc<Self>) -> StreamGuard {
        self.sse_open.fetch_add(1, Ordering::Relaxed);
        StreamGuard(Arc::clone(self))
    }

    /// Everything, in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP onething_http_requests_total Requests answered, by route template, method and status.\n\
             # TYPE onething_http_requests_total counter\n",
        );
        for ((route, method, status), n) in self
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(
                out,
                "onething_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                escape(route),
                escape(method)
            );
        }
        out.push_str(
            "# HELP onething_http_request_duration_seconds Time to answer, by route template.\n\
             # TYPE onething_http_request_duration_seconds histogram\n",
        );
        for (route, h) in self
            .latency
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let route = escape(route);
            for (bound, n) in BUCKETS.iter().zip(h.buckets) {
                let _ = writeln!(
                    out,
                    "onething_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "onething_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
                 onething_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\n\
                 onething_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count, h.sum, h.count
            );
        }
        let simple = [
            (
                "onething_uploads_completed_total",
                "counter",
                "Uploads completed and stored.",
                self.uploads_completed.load(Ordering::Relaxed).to_string(),
            ),
            (
                "onething_upload_bytes_total",
                "counter",
                "Bytes of uploads received and kept.",
                self.upload_bytes.load(Ordering::Relaxed).to_string(),
            ),
            (
                "onething_submissions_total",
                "counter",
                "Applications accepted.",
                self.submissions.load(Ordering::Relaxed).to_string(),
            ),
            (
                "onething_sse_connections",
                "gauge",
                "Server-Sent Event streams open now.",
                self.sse_open.load(Ordering::Relaxed).to_string(),
            ),
            (
                "onething_notification_outbox_depth",
                "gauge",
                "Notices waiting to be sent (new or being retried).",
                self.outbox_depth.load(Ordering::Relaxed).to_string(),
            ),
            (
                "onething_retention_cases_total",
                "counter",
                "Finished cases whose personal data was deleted after the retention period.",
                self.retention_cases.load(Ordering::Relaxed).to_string(),
            ),
            (
                "onething_orphan_files_deleted_total",
                "counter",
                "Files no upload named, deleted by the sweep.",
                self.orphan_files.load(Ordering::Relaxed).to_string(),
            ),
        ];
        for (name, kind, help, value) in simple {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        }
        out
    }
}

/// Label values escaped as the text format asks (backslash, quote, newline).
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Counts an open event stream while it lives.
#[derive(Debug)]
pub struct StreamGuard(Arc<Metrics>);

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.sse_open.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The middleware: counts each request under its route template once answered.
pub async fn track(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "-".to_owned(), |p| p.as_str().to_owned());
    let start = Instant::now();
    let res = next.run(req).await;
    metrics.request(
        &route,
        &method,
        res.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_format_has_counters_histograms_and_gauges() {
        let m = Arc::new(Metrics::default());
        m.request("/api/uploads/{id}", "PATCH", 204, 0.02);
        m.request("/api/uploads/{id}", "PATCH", 204, 3.0);
        m.upload_completed();
        m.upload_bytes(1234);
        m.submission();
        let stream = m.stream_opened();
        let text = m.render();
        for line in [
            "onething_http_requests_total{route=\"/api/uploads/{id}\",method=\"PATCH\",status=\"204\"} 2",
            "onething_http_request_duration_seconds_bucket{route=\"/api/uploads/{id}\",le=\"0.025\"} 1",
            "onething_http_request_duration_seconds_bucket{route=\"/api/uploads/{id}\",le=\"5\"} 2",
            "onething_http_request_duration_seconds_bucket{route=\"/api/uploads/{id}\",le=\"+Inf\"} 2",
            "onething_http_request_duration_seconds_count{route=\"/api/uploads/{id}\"} 2",
            "onething_uploads_completed_total 1",
            "onething_upload_bytes_total 1234",
            "onething_submissions_total 1",
            "onething_sse_connections 1",
            "# TYPE onething_http_request_duration_seconds histogram",
        ] {
            assert!(text.lines().any(|l| l == line), "{line}\n{text}");
        }
        drop(stream);
        assert!(m.render().contains("onething_sse_connections 0"));
        assert_eq!(escape("a\"b\\c"), "a\\\"b\\\\c");
    }
}
