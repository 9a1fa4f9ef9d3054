//! The fuzz targets of `fuzz/` on the stable toolchain: each target's body (shared with the
//! cargo-fuzz entries) runs on random inputs and on mutations of a seed corpus (the shipped
//! service definitions, `fuzz/seeds/`) for a bounded time. A panic is a failure; the input
//! that caused it is written to `target/fuzz-crashes/` to replay.
//!
//! `ONETHING_FUZZ_SECS` (per target, default 2) makes the run longer: `cargo xtask soak` gives
//! each target a minute. `ONETHING_FUZZ_SEED` replays a run.

#[path = "../../../../fuzz/targets/condition.rs"]
mod condition;
#[path = "../../../../fuzz/targets/definition.rs"]
mod definition;
#[path = "../../../../fuzz/targets/media.rs"]
mod media;
#[path = "../../../../fuzz/targets/tus_headers.rs"]
mod tus_headers;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::{Rng, env_count, jpeg};

/// Tokens that steer mutations into the grammars' interesting corners.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b",",
    b":",
    b"=",
    b"\n",
    b" ",
    b"-",
    b"0",
    b"9999999999999999999999",
    b"1e308",
    b"null",
    b"true",
    b"\\u0000",
    b"[[",
    b"{\"all\":[",
    b"{\"not\":",
    b"\"compare\"",
    b"\"today\":{\"years\":",
    b"[[pages]]",
    b"[[facts]]",
    b"when = ",
    b"type = \"date\"",
    b"\xff",
    b"sha256 ",
    b"sha1 ",
    b"====",
    b"filename ",
    b"AAAA",
    "汉".as_bytes(),
    b"\t",
    b"\xFF\xD8\xFF",
    b"\xFF\xDA",
    b"\xFF\xD9",
    b"\xFF\xE1",
    b"Exif\0\0MM\0\x2A",
    b"IHDR",
    b"IEND",
    b"ftypmif1",
    b"ispe",
    b"/JavaScript",
    b"<script",
];

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], input: &mut Vec<u8>) {
    for _ in 0..=rng.index(8) {
        let len = input.len();
        match rng.index(7) {
            0 if len > 0 => {
                let i = rng.index(len);
                input[i] ^= 1 << rng.index(8);
            }
            1 => {
                let i = rng.index(len + 1);
                input.insert(i, u8::try_from(rng.index(256)).unwrap_or(0));
            }
            2 if len > 0 => {
                let a = rng.index(len);
                let b = (a + rng.index(16)).min(len);
                input.drain(a..b);
            }
            3 if len > 0 => {
                let a = rng.index(len);
                let b = (a + rng.index(64)).min(len);
                let copy = input[a..b].to_vec();
                let at = rng.index(len + 1);
                input.splice(at..at, copy);
            }
            4 => {
                let t = TOKENS[rng.index(TOKENS.len())];
                let at = rng.index(len + 1);
                input.splice(at..at, t.iter().copied());
            }
            5 if !seeds.is_empty() => {
                let other = &seeds[rng.index(seeds.len())];
                if !other.is_empty() {
                    let a = rng.index(other.len());
                    let b = (a + rng.index(256)).min(other.len());
                    let at = rng.index(len + 1);
                    input.splice(at..at, other[a..b].iter().copied());
                }
            }
            _ if len > 0 => {
                let at = rng.index(len);
                input.truncate(at.max(1));
            }
            _ => {}
        }
    }
    input.truncate(256 * 1024);
}

/// The files of `dir` whose extension is one of `exts`, in name order.
fn read_dir(dir: &Path, exts: &[&str]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if p.extension().is_some_and(|e| exts.iter().any(|x| e == *x)) {
                out.push(std::fs::read(&p).expect("seed"));
            }
        }
    }
    out
}

/// Runs `target` for `budget`; returns how many inputs it ran.
fn fuzz(name: &str, target: fn(&[u8]), seeds: &[Vec<u8>], budget: Duration) -> u64 {
    let seed = env_count("ONETHING_FUZZ_SEED", 0x0E7);
    let mut rng = Rng(seed ^ name.len() as u64);
    let start = Instant::now();
    let mut runs = 0u64;
    // The seeds themselves first: they must pass as they are.
    let mut queue: Vec<Vec<u8>> = seeds.to_vec();
    // Quiet panics: a crash is reported once, with its input, below.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut crash = None;
    while start.elapsed() < budget || !queue.is_empty() {
        let input = if let Some(s) = queue.pop() {
            s
        } else if seeds.is_empty() || rng.index(10) == 0 {
            let n = rng.index(64);
            (0..n)
                .map(|_| u8::try_from(rng.index(256)).unwrap_or(0))
                .collect()
        } else {
            let mut m = seeds[rng.index(seeds.len())].clone();
            mutate(&mut rng, seeds, &mut m);
            m
        };
        runs += 1;
        if let Err(e) = std::panic::catch_unwind(|| target(&input)) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            crash = Some((input, msg));
            break;
        }
    }
    std::panic::set_hook(hook);
    if let Some((input, msg)) = crash {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/fuzz-crashes");
        std::fs::create_dir_all(&dir).expect("crash dir");
        let path = dir.join(format!("{name}-{runs}"));
        std::fs::write(&path, &input).expect("write crash");
        panic!(
            "{name}: input {runs} panicked ({msg}); saved to {}",
            path.display()
        );
    }
    runs
}

fn budget() -> Duration {
    Duration::from_secs_f64(
        std::env::var("ONETHING_FUZZ_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(2.0),
    )
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn fuzz_definition_parser() {
    let mut seeds = read_dir(&root().join("services"), &["toml"]);
    seeds.extend(read_dir(
        &root().join("crates/server/tests/fixtures"),
        &["toml"],
    ));
    assert!(seeds.len() >= 7, "the shipped definitions are the seeds");
    let runs = fuzz("definition", definition::run, &seeds, budget());
    println!("figure: fuzz definition parser: {runs} inputs, 0 crashes");
}

#[test]
fn fuzz_condition_evaluator() {
    let seeds = read_dir(&root().join("fuzz/seeds/condition"), &["json"]);
    assert!(!seeds.is_empty());
    let runs = fuzz("condition", condition::run, &seeds, budget());
    println!("figure: fuzz condition evaluator: {runs} inputs, 0 crashes");
}

#[test]
fn fuzz_tus_headers() {
    let seeds = read_dir(&root().join("fuzz/seeds/tus_headers"), &["txt"]);
    assert!(!seeds.is_empty());
    let runs = fuzz("tus_headers", tus_headers::run, &seeds, budget());
    println!("figure: fuzz tus headers: {runs} inputs, 0 crashes");
}

#[test]
fn fuzz_media_readers() {
    let mut seeds = read_dir(
        &root().join("fuzz/seeds/media"),
        &["jpg", "png", "heic", "pdf"],
    );
    assert!(seeds.len() >= 4, "a seed of each accepted type");
    // The photo the other tests upload, with EXIF and a comment to strip.
    seeds.push(jpeg(40, 30));
    let runs = fuzz("media", media::run, &seeds, budget());
    println!("figure: fuzz media readers: {runs} inputs, 0 crashes");
}
