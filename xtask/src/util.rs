//! The bottom of xtask: the error type, the project root, the tool `PATH`, and running child
//! commands. Every other module may import it; it imports none of them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Any failure of a command, as text for the person at the terminal.
pub type Error = Box<dyn std::error::Error>;

/// The workspace root (xtask lives one level below it).
pub fn project_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map_or(manifest.clone(), PathBuf::from)
}

/// Cargo's home (`CARGO_HOME`, else `~/.cargo`).
pub fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default()
}

/// The directory cargo installs binaries into.
fn cargo_bin() -> PathBuf {
    cargo_home().join("bin")
}

/// `PATH` for child processes: npm's tools (wasm-opt 132) and cargo's binaries first, so that
/// an older system wasm-opt can never be picked by Trunk.
pub fn tool_path() -> std::ffi::OsString {
    let mut dirs = vec![project_root().join("node_modules/.bin"), cargo_bin()];
    if let Some(p) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

/// A command run in the project root with the tool `PATH`.
pub fn cmd(program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(project_root()).env("PATH", tool_path());
    c
}

/// Runs a command with its output shown; fails on a non-zero exit.
pub fn run_shown(c: &mut Command) -> Result<(), Error> {
    let status = c
        .status()
        .map_err(|e| format!("cannot start {}: {e}", c.get_program().display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", describe(c)).into())
    }
}

/// Runs a command quietly; its output is shown only when it fails.
pub fn run_quiet(c: &mut Command) -> Result<(), Error> {
    let out = c
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start {}: {e}", c.get_program().display()))?;
    if out.status.success() {
        Ok(())
    } else {
        eprint!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        Err(format!("{} failed ({})", describe(c), out.status).into())
    }
}

/// The command line, for error messages.
fn describe(c: &Command) -> String {
    let mut s = c.get_program().to_string_lossy().into_owned();
    for a in c.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Installs one pinned `PyPI` requirement (`name==version`) into a fresh virtualenv at `venv`,
/// announced by `who`: for the Python tools the tests start (moto, schemathesis), called when
/// the venv is missing or holds another version.
///
/// # Errors
/// No `python3` with `venv`, or the install fails.
pub fn pip_install_fresh(who: &str, venv: &Path, requirement: &str) -> Result<(), Error> {
    println!("{who}: installing {requirement} into {}", relative(venv));
    let _ = std::fs::remove_dir_all(venv);
    run_quiet(Command::new("python3").args(["-m", "venv"]).arg(venv))?;
    run_quiet(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(requirement),
    )
}

/// A path under the project's root, as the project names it (`target/s3/venv`).
fn relative(path: &Path) -> String {
    path.strip_prefix(project_root())
        .unwrap_or(path)
        .display()
        .to_string()
}
