//! The reference server as xtask starts it: where each build lives, the command that runs it
//! (`run`, in the foreground), and a [`Server`] on a free loopback port with a fresh data
//! directory, stopped by its PID when dropped (`bench`, `soak`).

use std::ffi::OsStr;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::util::{Error, cmd, project_root};

/// How long a started server may take to print where it listens.
const START_LIMIT: Duration = Duration::from_secs(30);

/// How long a stopped server may take to end by itself (`SIGTERM`: open connections are
/// finished) before it is killed.
const STOP_LIMIT: Duration = Duration::from_secs(10);

/// Which build of the server to start.
#[derive(Clone, Copy)]
pub enum Build {
    /// The `server` profile (`target/server/onething-server`), as deployed: `run` and `bench`.
    Release,
    /// The dev profile (`target/debug/onething-server`), the one the tests build.
    Debug,
}

impl Build {
    /// The server's executable of this build.
    pub fn binary(self) -> PathBuf {
        project_root().join(match self {
            Build::Release => "target/server/onething-server",
            Build::Debug => "target/debug/onething-server",
        })
    }
}

/// The server of `build` as a command in the project root (where its default `services/` and
/// `data/` are), with no flags yet.
pub fn command(build: Build) -> Command {
    cmd(&build.binary().to_string_lossy())
}

/// A server being configured: the flags and environment added to what [`Launch::start`] always
/// passes.
pub struct Launch {
    command: Command,
    name: &'static str,
    log: PathBuf,
}

impl Launch {
    /// Adds a flag or value.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    /// Sets an environment variable of the server.
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    /// Starts the server and waits until it says where it listens.
    ///
    /// # Errors
    /// The data directory or the log cannot be made, the server does not start, or it prints
    /// no address within [`START_LIMIT`] (then it is stopped; its log says why).
    pub fn start(mut self) -> Result<Server, Error> {
        let data =
            std::env::temp_dir().join(format!("onething-{}-{}", self.name, std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data)?;
        let log = std::fs::File::create(&self.log)?;
        let mut child = self
            .command
            .args(["--addr", "127.0.0.1:0", "--dev-tickets"])
            .arg("--data-dir")
            .arg(&data)
            .arg("--services-dir")
            .arg(project_root().join("services"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        let stdout = child.stdout.take().ok_or("no server stdout")?;
        let (tx, rx) = mpsc::channel();
        // Reads the address line, then keeps draining stdout so the server never blocks on it
        // (or fails writing to a closed pipe).
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let addr = rest.split('/').next().unwrap_or_default().to_owned();
                    let _ = tx.send(addr);
                }
            }
        });
        let mut server = Server {
            child,
            data,
            url: String::new(),
            addr: String::new(),
        };
        // On failure `server` is dropped here, which stops the process.
        let addr = rx.recv_timeout(START_LIMIT).map_err(|_| {
            let log = self.log.strip_prefix(project_root()).unwrap_or(&self.log);
            format!(
                "the server did not print its address within {} s (see {})",
                START_LIMIT.as_secs(),
                log.display()
            )
        })?;
        server.url = format!("http://{addr}/");
        server.addr = addr;
        Ok(server)
    }
}

/// The server on a free loopback port (`--addr 127.0.0.1:0`) with the development ticket
/// issuer on and a fresh data directory under the system's temporary directory; stopped by its
/// PID, and its data directory removed, when dropped.
pub struct Server {
    child: Child,
    data: PathBuf,
    /// `http://127.0.0.1:PORT/`
    pub url: String,
    /// `127.0.0.1:PORT`
    pub addr: String,
}

impl Server {
    /// A server of `build` to configure and [start](Launch::start). `name` tells its data
    /// directory from other commands' (`onething-<name>-<pid>`); its stderr (the log) goes to
    /// `log`.
    pub fn launch(build: Build, name: &'static str, log: &Path) -> Launch {
        Launch {
            command: command(build),
            name,
            log: log.to_owned(),
        }
    }

    /// As [`Server::launch`], with the server executable at `binary` (another build of it).
    pub fn launch_binary(binary: &Path, name: &'static str, log: &Path) -> Launch {
        Launch {
            command: cmd(&binary.to_string_lossy()),
            name,
            log: log.to_owned(),
        }
    }

    /// Its data directory (removed on drop).
    pub fn data_dir(&self) -> &Path {
        &self.data
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + STOP_LIMIT;
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}
