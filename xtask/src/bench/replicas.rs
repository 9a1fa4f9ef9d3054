//! The bench's figures of the scaled-out layout: submissions per second and tus upload
//! throughput for 1, 2 and 3 replicas of the server's optimised build behind nginx, on one
//! PostgreSQL with its durability on (`fsync`, as deployed) and files in the S3-compatible store
//! (moto), beside a single server on SQLite with files in its folder, and one replica on
//! PostgreSQL with files in its folder (what the S3 store itself costs). The same load for every
//! layout, through the typed client.
//!
//! Everything runs on this machine: the clients, nginx, the replicas, PostgreSQL and moto share
//! its cores, so the figures are bounded by the CPU, not by a replica; more replicas cannot go
//! faster here, and the point of the table is that they cost little while they survive a
//! replica's loss (`cargo xtask lb`). moto is a Python mock of S3: its throughput is far below
//! a real store's (`MinIO`, Ceph, a cloud's object storage).

use std::time::Instant;

use onething_client::{Blocking, Client};
use onething_core::api::DevTicketRequest;

use super::api::{UPLOAD_CHUNK, jpeg_like};
use super::metrics::{Metric, Unit};
use crate::lb::{Cluster, Files, Layout};
use crate::server::{Build, Server};
use crate::util::{Error, project_root};

/// Concurrent uploading clients, and 20 MiB uploads each.
const UPLOAD_CLIENTS: usize = 4;
const UPLOADS_EACH: usize = 2;
const UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// What the table says about the machine.
pub(super) fn machine_note() -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    format!(
        "replicas: all on this machine ({cores} cores, shared by the clients, nginx, every replica, PostgreSQL and moto): the figures are CPU-bound, so more replicas cannot be faster here; they show what a replica costs, not how far the layout scales"
    )
}

/// Aggregate tus throughput: [`UPLOAD_CLIENTS`] clients at once, each sending
/// [`UPLOADS_EACH`] uploads of 20 MiB in 5 MiB `PATCH` requests; MiB/s over the whole run.
#[allow(clippy::cast_precision_loss)]
fn upload_throughput(url: &str) -> Result<f64, Error> {
    let file = jpeg_like(UPLOAD_BYTES);
    let started = Instant::now();
    std::thread::scope(|scope| -> Result<(), Error> {
        let workers: Vec<_> = (0..UPLOAD_CLIENTS)
            .map(|_| {
                let file = &file;
                scope.spawn(move || -> Result<(), String> {
                    let rt = Blocking::new().map_err(|e| e.to_string())?;
                    let anonymous = Client::new(url).map_err(|e| e.to_string())?;
                    let token = rt
                        .run(anonymous.dev_session(&DevTicketRequest::default()))
                        .map_err(|e| e.to_string())?
                        .token;
                    let api = anonymous.with_bearer(&token);
                    for _ in 0..UPLOADS_EACH {
                        let created = rt
                            .run(api.create_upload(UPLOAD_BYTES as u64, &[]))
                            .map_err(|e| format!("tus creation: {e}"))?;
                        let mut offset = 0;
                        for chunk in file.chunks(UPLOAD_CHUNK) {
                            offset = rt
                                .run(api.patch_upload(&created.id, offset, chunk.to_vec()))
                                .map_err(|e| format!("PATCH at {offset}: {e}"))?;
                        }
                        if offset != UPLOAD_BYTES as u64 {
                            return Err(format!("the upload ended at {offset}"));
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        for w in workers {
            w.join().map_err(|_| "an upload client panicked")??;
        }
        Ok(())
    })?;
    let mib = (UPLOAD_CLIENTS * UPLOADS_EACH * UPLOAD_BYTES) as f64 / (1024.0 * 1024.0);
    Ok(mib / started.elapsed().as_secs_f64())
}

/// Submissions per second and tus throughput of the server at `url`, named `layout`.
fn measure(url: &str, layout: &str) -> Result<Vec<Metric>, Error> {
    let submissions = super::api::submissions_per_sec(url, &project_root())?;
    let tus = upload_throughput(url)?;
    println!("  {layout}: {submissions:.0} submissions/s, tus {tus:.0} MiB/s");
    Ok(vec![
        Metric::new(
            format!("scale: submissions/s, {layout}"),
            Unit::PerSec,
            vec![submissions],
            None,
        ),
        Metric::new(
            format!(
                "scale: tus MiB/s ({UPLOAD_CLIENTS} clients × {UPLOADS_EACH} × 20 MiB), {layout}"
            ),
            Unit::MibPerSec,
            vec![tus],
            None,
        ),
    ])
}

/// Every layout, one after another (each started fresh and stopped); the optimised server must
/// be built.
///
/// # Errors
/// A layout cannot be started, or a measurement fails.
pub(super) fn all() -> Result<Vec<Metric>, Error> {
    let mut metrics = Vec::new();
    println!("{}", machine_note());
    let out_dir = project_root().join("target/bench");
    std::fs::create_dir_all(&out_dir)?;
    {
        let server = Server::launch(
            Build::Release,
            "bench-sqlite",
            &out_dir.join("scale-server.log"),
        )
        .env("RUST_LOG", "warn")
        .start()?;
        metrics.extend(measure(&server.url, "SQLite, 1 server, local files")?);
    }
    let layouts = [
        (
            1,
            Files::Local,
            "PostgreSQL, nginx + 1 replica, local files",
        ),
        (1, Files::S3, "PostgreSQL, nginx + 1 replica, S3 (moto)"),
        (2, Files::S3, "PostgreSQL, nginx + 2 replicas, S3 (moto)"),
        (3, Files::S3, "PostgreSQL, nginx + 3 replicas, S3 (moto)"),
    ];
    for (replicas, files, name) in layouts {
        let cluster = Cluster::start(&Layout {
            replicas,
            build: Build::Release,
            files,
            durable: true,
            name: "bench",
        })?;
        let measured = measure(&cluster.url, name);
        cluster.stop(measured.is_err());
        metrics.extend(measured?);
    }
    Ok(metrics)
}
