//! The server's integration tests, one binary: each module is one concern, and all of them
//! share [`common`] (a fresh store, requests through `app(state)`, sign-in, test files, the live
//! server and the fault proxy). One binary links the server once instead of once per file.
//!
//! - Through `app(state)`, no network: [`api`], [`uploads`], [`applications`], [`aftercare`], [`consents`],
//!   [`contract`], [`access`], [`hostile`], [`static_files`].
//! - A real server process, through the fault proxy, killed and restarted: [`faults`],
//!   [`exactly_once`], [`privacy`]; and driven by the admin CLI: [`admin_cli`].
//! - Files on the configured store (the local directory, or S3-compatible object storage with
//!   `ONETHING_OBJECT_STORE`, which `cargo xtask s3` runs against moto): [`object_store`].
//! - The fuzz targets of `fuzz/` on stable, for a bounded time: [`fuzz`].
//!
//! `cargo test -p onething-server --test suite <module>::` runs one of them.

mod common;

mod access;
mod admin_cli;
mod aftercare;
mod api;
mod applications;
mod assisted;
mod at_rest;
mod consents;
mod contract;
mod definitions;
mod departments;
mod exactly_once;
mod faults;
mod fuzz;
mod hostile;
mod live_resume;
mod notifications;
mod object_store;
mod operations;
mod platform;
mod privacy;
mod privacy_consent;
mod published;
mod receipt;
mod replicas;
mod retention;
mod stages;
mod static_files;
mod uploads;
