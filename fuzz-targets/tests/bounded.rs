//! The bounded fuzz run that CI does, with no nightly and no cargo-fuzz:
//! each target gets its regression inputs (`tests/regressions/<target>/`),
//! its seed corpus (`fuzz/corpus/<target>/`) and a few thousand
//! deterministic mutations of the seeds. A panic, or an input that takes
//! longer than [`INPUT_DEADLINE`], fails the test; the input is written to
//! the target directory with the command that keeps it as a regression.
//!
//! `FUZZ_MUTATIONS=<n>` changes the number of mutations per target,
//! `FUZZ_SEED=<n>` the mutator's seed (both are printed).

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use fuzz_targets::TARGETS;

/// The longest one input may take (a debug build on a loaded machine).
const INPUT_DEADLINE: Duration = Duration::from_secs(20);
/// Mutations per target by default; the bridge, which starts a runtime and
/// an adapter for each input, gets a third.
const MUTATIONS: usize = 3000;
const DEFAULT_SEED: u64 = 0x5eed_c0ff_ee15_900d;

/// Tokens that parsers of these formats treat specially.
const TOKENS: &[&[u8]] = &[
    b"{{",
    b"}}",
    b"{{ws:echo}}",
    b"\\u0000",
    b"\0",
    b"\r\n\r\n",
    b"\r\n",
    b"\n",
    b"\r",
    b"\"",
    b"'",
    b": ",
    b"- ",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"&a ",
    b"*a",
    b"!!binary ",
    b"!!str ",
    b"? ",
    b"|",
    b">",
    b"#",
    b"%",
    b"%ff",
    b"%c3%28",
    b"%00",
    b"/",
    b"=",
    b"?",
    b"1e309",
    b"-1",
    b"0",
    b"18446744073709551616",
    b"65536",
    b"null",
    b"true",
    b"~",
    b"\xc3\xa9",
    b"\xe2\x82\xac",
    b"\xff",
    b"\\",
    b"\t",
    b"id",
    b"event",
    b"op",
    b"call",
    b"then",
    b"within",
    b"\"id\":1,",
    b"connectSocket",
    b"Sec-WebSocket-Key: ",
    b"Upgrade: websocket",
    b"/s/x/",
    b"fault/",
    b"send-on-open/binary/",
    b"close-on-open/",
    b"=",
];

/// A xorshift64* generator: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One to four stacked mutations of `input`, splicing from `others`.
fn mutate(rng: &mut Rng, input: &[u8], others: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let len = out.len();
        let at = rng.below(len + 1);
        match rng.below(9) {
            // Flip one bit.
            0 if len > 0 => out[at.min(len - 1)] ^= 1 << rng.below(8),
            // Overwrite a byte with an ASCII or high byte.
            1 if len > 0 => out[at.min(len - 1)] = rng.next() as u8,
            // Delete a range.
            2 if len > 0 => {
                let end = (at + 1 + rng.below(16)).min(len);
                out.drain(at.min(len - 1)..end);
            }
            // Truncate.
            3 => out.truncate(at),
            // Duplicate a range.
            4 if len > 0 => {
                let start = rng.below(len);
                let end = (start + 1 + rng.below(64)).min(len);
                let chunk = out[start..end].to_vec();
                out.splice(at..at, chunk);
            }
            // Splice in a piece of another seed.
            5 if !others.is_empty() => {
                let other = &others[rng.below(others.len())];
                if !other.is_empty() {
                    let start = rng.below(other.len());
                    let end = (start + 1 + rng.below(128)).min(other.len());
                    out.splice(at..at, other[start..end].iter().copied());
                }
            }
            // A long run of one byte or token.
            6 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                let times = [64, 300, 1000, 5000][rng.below(4)];
                let run: Vec<u8> = token
                    .iter()
                    .copied()
                    .cycle()
                    .take(token.len() * times)
                    .collect();
                out.splice(at..at, run);
            }
            // Insert an interesting token.
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())];
                out.splice(at..at, token.iter().copied());
            }
        }
    }
    out
}

/// The files of a folder, sorted by name; none when it does not exist.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.expect("a readable folder entry").path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, bytes)
        })
        .collect()
}

fn env_number(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .parse()
            .unwrap_or_else(|e| panic!("{name}={value:?}: {e}")),
    )
}

/// Where a failing input is kept.
fn failure_path(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    );
    target.join("fuzz-failures").join(name)
}

/// Runs the named target on its regressions, seeds and mutations, in a
/// worker thread, and fails on a panic or a slow input.
fn run(name: &str) {
    let (_, target) = *TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no target named {name}"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let regressions = files(&root.join("tests/regressions").join(name));
    let seeds = files(&root.join("../fuzz/corpus").join(name));
    assert!(!seeds.is_empty(), "no seed corpus in fuzz/corpus/{name}/");
    let seed = env_number("FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let mutations = env_number("FUZZ_MUTATIONS").map_or(MUTATIONS, |n| n as usize);
    let mutations = if name == "adapter_bridge" {
        mutations / 3
    } else {
        mutations
    };

    // The input being run, for the report when it panics or hangs.
    let current: Arc<Mutex<(String, Vec<u8>)>> = Arc::default();
    let (done_tx, done) = mpsc::channel();
    let worker_current = Arc::clone(&current);
    let started = Instant::now();
    let worker = std::thread::spawn(move || {
        let set = |label: String, bytes: &[u8]| {
            *worker_current.lock().unwrap() = (label, bytes.to_vec());
        };
        let mut ran = 0usize;
        for (path, bytes) in regressions.iter().chain(&seeds) {
            set(path.display().to_string(), bytes);
            target(bytes);
            let _ = done_tx.send(());
            ran += 1;
        }
        let corpus: Vec<Vec<u8>> = seeds.iter().map(|(_, b)| b.clone()).collect();
        let mut rng = Rng(seed | 1);
        for i in 0..mutations {
            let base = &corpus[rng.below(corpus.len())];
            let input = mutate(&mut rng, base, &corpus);
            set(format!("mutation {i} (FUZZ_SEED={seed})"), &input);
            target(&input);
            let _ = done_tx.send(());
            ran += 1;
        }
        ran
    });
    // Each finished input resets the deadline.
    loop {
        match done.recv_timeout(INPUT_DEADLINE) {
            Ok(()) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let (label, bytes) = current.lock().unwrap().clone();
                let kept = keep(name, "slow", &bytes);
                panic!("{name}: {label} took longer than {INPUT_DEADLINE:?}; input kept as {kept}");
            }
        }
    }
    match worker.join() {
        Ok(ran) => eprintln!(
            "{name}: {ran} inputs ({mutations} mutations, FUZZ_SEED={seed}) in {:.2?}, no failure",
            started.elapsed()
        ),
        Err(_) => {
            let (label, bytes) = current.lock().unwrap_or_else(|e| e.into_inner()).clone();
            let kept = keep(name, "crash", &bytes);
            panic!(
                "{name}: {label} panicked (message above); input kept as {kept}\n\
                 keep it as a regression: cp {kept} fuzz-targets/tests/regressions/{name}/"
            );
        }
    }
}

/// Writes a failing input next to the build and returns its path.
fn keep(name: &str, kind: &str, bytes: &[u8]) -> String {
    let dir = failure_path(name);
    let _ = std::fs::create_dir_all(&dir);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let path = dir.join(format!("{kind}-{hash:016x}"));
    let _ = std::fs::write(&path, bytes);
    path.display().to_string()
}

#[test]
fn the_scenario_loader_only_returns_scenarios_or_load_errors() {
    run("scenario");
}

#[test]
fn the_runner_decodes_or_refuses_any_adapter_line() {
    run("adapter_line");
}

#[test]
fn a_parsed_request_survives_a_json_round_trip() {
    run("adapter_request");
}

#[test]
fn the_reference_bridge_ends_and_writes_only_valid_lines() {
    run("adapter_bridge");
}

#[test]
fn the_mock_server_parses_or_refuses_any_request_head() {
    run("handshake");
}

#[test]
fn the_mock_server_routes_or_refuses_any_path() {
    run("route");
}

#[test]
fn every_target_has_a_test_here() {
    let source = include_str!("bounded.rs");
    for (name, _) in TARGETS {
        assert!(
            source.contains(&format!("run(\"{name}\")")),
            "no test runs {name}"
        );
    }
}
