//! Installs the tools the build and tests need, idempotently: each is checked first and skipped
//! when the right version is present. Only package registries are used (crates, npm, Debian).

use std::path::Path;
use std::process::Command;

use crate::util::{Error, cmd, project_root, run_quiet, tool_path};

/// Trunk's newest release that builds with our Rust (0.22 needs a newer rustc).
const TRUNK_VERSION: &str = "0.21.14";

/// A small CJK font (Debian `fonts-wqy-microhei`).
const CJK_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

/// geckodriver, Firefox's WebDriver server, from the crate registry (Debian does not package
/// it), pinned; tested with Debian's Firefox ESR 153.
const GECKODRIVER_VERSION: &str = "0.37.1";

/// What the other engines' main flows need (`tests/e2e/engines.test.mjs`): `WebKitWebDriver`
/// and `MiniBrowser` (Debian `webkit2gtk-driver`, which pulls `libwebkit2gtk-4.1-0` with
/// `MiniBrowser`), a virtual display, as `MiniBrowser` has no headless mode (`xvfb`), and
/// Firefox ESR. Also Python 3, whose sqlite3 module lets `offline.test.mjs` read the digest the
/// server computed of an upload (stored files are sealed at rest).
const ENGINE_FILES: [&str; 4] = [
    "/usr/bin/WebKitWebDriver",
    "/usr/bin/Xvfb",
    "/usr/bin/firefox-esr",
    "/usr/bin/python3",
];
const ENGINE_PACKAGES: [&str; 4] = ["webkit2gtk-driver", "xvfb", "firefox-esr", "python3"];

/// What a command needs installed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Building the SPA.
    Build,
    /// Building and testing in a browser.
    Test,
}

/// The first line a tool prints for `--version`, or `None` when it is missing.
fn version_of(program: &str) -> Option<String> {
    let out = Command::new(program)
        .arg("--version")
        .env("PATH", tool_path())
        .output()
        .ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_owned()
    })
}

/// The exact wasm-bindgen version in `Cargo.lock`: the CLI must equal the crate.
pub fn wasm_bindgen_version() -> Result<String, Error> {
    let lock = std::fs::read_to_string(project_root().join("Cargo.lock"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_owned());
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

/// Installs whatever is missing for `needs`.
pub fn ensure(needs: Needs) -> Result<(), Error> {
    let root = project_root();
    let targets = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()?;
    if !String::from_utf8_lossy(&targets.stdout)
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        println!("setup: adding the wasm32-unknown-unknown target");
        run_quiet(cmd("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }

    if version_of("trunk").as_deref() != Some(&format!("trunk {TRUNK_VERSION}")) {
        println!("setup: installing trunk {TRUNK_VERSION} (several minutes, once)");
        run_quiet(cmd("cargo").args(["install", "--locked", "trunk", "--version", TRUNK_VERSION]))?;
    }

    let wb = wasm_bindgen_version()?;
    if version_of("wasm-bindgen").as_deref() != Some(&format!("wasm-bindgen {wb}")) {
        // `--locked` fails: a version locked by wasm-bindgen-cli is missing from the registry.
        println!("setup: installing wasm-bindgen-cli {wb} (a few minutes, once)");
        run_quiet(cmd("cargo").args(["install", "--force", "wasm-bindgen-cli", "--version", &wb]))?;
    }

    if !npm_tools_present(&root) {
        println!("setup: installing npm tools (binaryen's wasm-opt, playwright-core)");
        run_quiet(
            cmd("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&root),
        )?;
    }

    // Chromium for the browser tests, and a CJK font so screenshots show Chinese text (a
    // person's phone has one; a bare Debian does not); WebKit and Firefox for the main flows.
    let browser_present = ["/usr/bin/chromium", "/usr/bin/chromedriver", CJK_FONT]
        .iter()
        .all(|p| Path::new(p).exists());
    let engines_present = ENGINE_FILES.iter().all(|p| Path::new(p).exists());
    if needs == Needs::Test && !(browser_present && engines_present) {
        println!(
            "setup: installing Chromium, WebKitGTK, Firefox ESR, their WebDriver servers, Xvfb \
             and a CJK font from Debian"
        );
        let sudo = !is_root();
        let apt = |args: &[&str]| {
            let mut c = if sudo { cmd("sudo") } else { cmd("apt-get") };
            if sudo {
                c.arg("apt-get");
            }
            c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
            c
        };
        run_quiet(&mut apt(&["update", "-q"]))?;
        let mut packages = vec!["chromium", "chromium-driver", "fonts-wqy-microhei"];
        packages.extend(ENGINE_PACKAGES);
        let mut install = apt(&["install", "-y", "-q", "--no-install-recommends"]);
        run_quiet(install.args(&packages))?;
    }
    if needs == Needs::Test
        && version_of("geckodriver")
            .is_none_or(|v| !v.starts_with(&format!("geckodriver {GECKODRIVER_VERSION}")))
    {
        println!("setup: installing geckodriver {GECKODRIVER_VERSION} (a few minutes, once)");
        run_quiet(cmd("cargo").args([
            "install",
            "--locked",
            "geckodriver",
            "--version",
            GECKODRIVER_VERSION,
        ]))?;
    }

    // Trunk builds offline: every crate must already be in cargo's cache.
    run_quiet(cmd("cargo").args(["fetch", "--quiet"]).current_dir(&root))?;
    Ok(())
}

/// Every devDependency of `package.json` is installed at exactly its pinned version.
fn npm_tools_present(root: &Path) -> bool {
    let Ok(manifest) = std::fs::read_to_string(root.join("package.json")) else {
        return false;
    };
    let Ok(manifest) = serde_json::from_str::<serde_json::Value>(&manifest) else {
        return false;
    };
    let Some(deps) = manifest["devDependencies"].as_object() else {
        return false;
    };
    deps.iter().all(|(name, want)| {
        let installed =
            std::fs::read_to_string(root.join("node_modules").join(name).join("package.json"))
                .ok()
                .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok());
        installed.is_some_and(|p| p["version"] == *want)
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
