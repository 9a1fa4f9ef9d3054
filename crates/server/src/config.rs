//! Configuration: command-line flags, each with an environment variable of the same meaning.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// How the reference server runs.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "onething-server",
    version,
    about = "OneThing reference API server"
)]
pub struct Config {
    /// Address to listen on. Port 0 picks a free port (the chosen address is printed).
    #[arg(long, env = "ONETHING_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Directory for the SQLite database and uploaded files; created when missing.
    #[arg(long, env = "ONETHING_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Directory of service definitions (`*.toml`).
    #[arg(long, env = "ONETHING_SERVICES_DIR", default_value = "services")]
    pub services_dir: PathBuf,
    /// Directory of the built SPA (Trunk's `dist`). Without it only the API is served.
    #[arg(long, env = "ONETHING_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
}
