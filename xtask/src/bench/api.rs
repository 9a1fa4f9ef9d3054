//! The bench's figures of the API itself, through the typed client (`onething-client`) on
//! loopback: tus upload throughput against plain disk writes, and submissions per second with
//! the engine's validation.

use std::fs::File;
use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use onething_client::{Blocking, Client};
use onething_core::api::DevTicketRequest;

use super::metrics::{Goal, Metric, Unit};
use crate::server::Server;
use crate::util::Error;

/// The upload measured: 20 MiB, sent as tus `PATCH` requests of 5 MiB on one keep-alive
/// connection.
const UPLOAD_BYTES: usize = 20 * 1024 * 1024;
pub(super) const UPLOAD_CHUNK: usize = 5 * 1024 * 1024;
/// Uploads measured.
pub(super) const UPLOAD_RUNS: usize = 5;
/// Uploads measured by `bench --only uploads`: more, as it measures nothing else.
pub(super) const UPLOAD_ONLY_RUNS: usize = 10;
/// Concurrent clients of the submission load, and submissions each (bounded: 4 × 50).
pub(super) const SUBMIT_CLIENTS: usize = 4;
pub(super) const SUBMIT_EACH: usize = 50;

/// A client of the server at `url` signed in as a new person (a development ticket), with a
/// connection pool of its own, and the runtime its calls run on.
fn signed_in(url: &str) -> Result<(Blocking, Client), Error> {
    let rt = Blocking::new()?;
    let anonymous = Client::new(url)?;
    let session = rt.run(anonymous.dev_session(&DevTicketRequest::default()))?;
    let api = anonymous.with_bearer(&session.token);
    Ok((rt, api))
}

/// A structurally valid 4000×3000 baseline JPEG (ITU-T T.81 markers: SOI, APP0, SOF0, SOS, EOI)
/// padded to `len` bytes: enough for the server's completion path (sniff, pixel limit,
/// metadata strip, store) to run on it as on a photo.
pub(super) fn jpeg_like(len: usize) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8];
    b.extend_from_slice(&[0xFF, 0xE0, 0, 16]);
    b.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    // SOF0: length 11, precision 8, height 3000, width 4000, one component.
    b.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8]);
    b.extend_from_slice(&3000u16.to_be_bytes());
    b.extend_from_slice(&4000u16.to_be_bytes());
    b.extend_from_slice(&[1, 1, 0x11, 0]);
    // SOS: length 8, one component, spectral 0–63.
    b.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0]);
    b.resize(len - 2, 0x55);
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

/// Submissions per second with the engine's validation: `SUBMIT_CLIENTS` loopback clients, each
/// its own account and connection, each sending `SUBMIT_EACH` applications (the enterprise-issue
/// example: no uploads, no dates) with fresh Idempotency-Keys, one after another.
#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
pub(super) fn submissions(server: &Server, root: &Path) -> Result<Vec<Metric>, Error> {
    let (per_sec, latencies) = submit_load(&server.url, root)?;
    let mut sorted = latencies.clone();
    sorted.sort_by(f64::total_cmp);
    let p99 = sorted[((sorted.len() as f64) * 0.99).ceil() as usize - 1];
    Ok(vec![
        Metric::new(
            "submissions per second, 4 clients, engine-validated",
            Unit::PerSec,
            vec![per_sec],
            None,
        ),
        Metric::new("submission latency", Unit::Ms, latencies, None),
        Metric::new("submission latency p99", Unit::Ms, vec![p99], None),
    ])
}

/// The submission load of [`submissions`] against the server (or balancer) at `url`: its
/// submissions per second.
pub(super) fn submissions_per_sec(url: &str, root: &Path) -> Result<f64, Error> {
    Ok(submit_load(url, root)?.0)
}

/// Runs the submission load; returns the submissions per second and each one's latency (ms).
#[allow(clippy::cast_precision_loss)]
fn submit_load(url: &str, root: &Path) -> Result<(f64, Vec<f64>), Error> {
    // The example file wraps the application with its dates (`services/examples/README.md`);
    // enterprise-issue has none that move.
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(
        root.join("services/examples/enterprise-issue.json"),
    )?)?;
    let application = file["application"].clone();
    let started = Instant::now();
    let workers: Vec<_> = (0..SUBMIT_CLIENTS)
        .map(|w| {
            // Each client on its own thread: its own runtime, pool (one connection) and account.
            let (url, application) = (url.to_owned(), application.clone());
            std::thread::spawn(move || -> Result<Vec<f64>, String> {
                let (rt, api) = signed_in(&url).map_err(|e| e.to_string())?;
                let mut ms = Vec::with_capacity(SUBMIT_EACH);
                for i in 0..SUBMIT_EACH {
                    let key = format!("bench-{w}-{i}-{}", std::process::id());
                    let t = Instant::now();
                    let submitted = rt
                        .run(api.submit(&application, &key))
                        .map_err(|e| e.to_string())?;
                    // Every key is fresh: a replay would be a stored answer, not a submission.
                    if submitted.replayed {
                        return Err(format!("a fresh key {key} was answered as a replay"));
                    }
                    ms.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                Ok(ms)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.join().map_err(|_| "a client panicked")??);
    }
    let per_sec = latencies.len() as f64 / started.elapsed().as_secs_f64();
    Ok((per_sec, latencies))
}

/// Writes back what the machine's file systems hold unwritten (`sync`), so that each timed
/// write starts on a quiet disk: without it the disk reference, timed right after an upload,
/// paid for the write-back of that upload's files (the more the server wrote, the slower the
/// reference looked), and the ratio measured the server against its own aftermath.
fn settle_disk() -> Result<(), Error> {
    let status = std::process::Command::new("sync").status()?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("sync: {status}").into())
    }
}

/// tus 1.0 creation then `PATCH` requests of [`UPLOAD_CHUNK`] (each fsynced by the server), against
/// writing the same chunks to a file with `sync_data` after each, as the server does, each timed
/// on a settled disk ([`settle_disk`]). One
/// client, so every request goes over the same keep-alive connection of its pool; only the
/// `PATCH` requests are timed.
#[allow(clippy::cast_precision_loss)]
pub(super) fn upload(server: &Server, runs: usize) -> Result<Vec<Metric>, Error> {
    let file = jpeg_like(UPLOAD_BYTES);
    let mib = UPLOAD_BYTES as f64 / (1024.0 * 1024.0);
    let (rt, api) = signed_in(&server.url)?;
    let (mut tus, mut disk, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        let created = rt
            .run(api.create_upload(UPLOAD_BYTES as u64, &[]))
            .map_err(|e| format!("tus creation: {e}"))?;
        // The client takes each body by value: copied before the clock starts.
        let chunks: Vec<Vec<u8>> = file.chunks(UPLOAD_CHUNK).map(<[u8]>::to_vec).collect();
        settle_disk()?;
        let t = Instant::now();
        let mut offset = 0;
        for chunk in chunks {
            let end = offset + chunk.len() as u64;
            let answered = rt
                .run(api.patch_upload(&created.id, offset, chunk))
                .map_err(|e| format!("PATCH at {offset}: {e}"))?;
            if answered != end {
                return Err(format!("PATCH at {offset} answered Upload-Offset {answered}").into());
            }
            offset = end;
        }
        let tus_secs = t.elapsed().as_secs_f64();

        let target = server.data_dir().join(format!("bench-disk-{run}"));
        settle_disk()?;
        let t = Instant::now();
        {
            let mut f = File::create(&target)?;
            for chunk in file.chunks(UPLOAD_CHUNK) {
                f.write_all(chunk)?;
                f.sync_data()?;
            }
        }
        let disk_secs = t.elapsed().as_secs_f64();
        std::fs::remove_file(&target)?;
        tus.push(mib / tus_secs);
        disk.push(mib / disk_secs);
        ratio.push(100.0 * disk_secs / tus_secs);
    }
    Ok(vec![
        Metric::new(
            "server: tus upload 20 MiB, loopback (was 155 MiB/s)",
            Unit::MibPerSec,
            tus,
            None,
        ),
        Metric::new(
            "server: same bytes written to disk",
            Unit::MibPerSec,
            disk,
            None,
        ),
        Metric::new(
            "server: tus speed / disk speed (was 56 %)",
            Unit::Percent,
            ratio,
            Some(Goal::AtLeast(80.0)),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upload_file_is_a_jpeg_of_the_exact_length() {
        let b = jpeg_like(1 << 20);
        assert_eq!(b.len(), 1 << 20);
        assert!(b.starts_with(&[0xFF, 0xD8, 0xFF]) && b.ends_with(&[0xFF, 0xD9]));
    }
}
