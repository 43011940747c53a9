//! The reference implementation served over the adapter protocol: JSON Lines
//! on stdin (requests) and stdout (responses and events), logs on stderr.
//! Glue over [`reference_impl::serve_stdio`].
//!
//! `--mutant NAME` runs a deliberately non-conforming variant (see
//! [`reference_impl::Mutant`]); `--list-mutants` prints every name, the
//! behaviour.md rule it breaks and what it gets wrong, one a line,
//! tab-separated.

use reference_impl::{serve_stdio, Mutant};

const USAGE: &str = "usage: reference-adapter [--mutant NAME | --list-mutants | --help]";

/// The mutant to run, from the command line; exits on `--list-mutants`,
/// `--help` (status 0) and on a bad argument (status 2).
fn parse_args() -> Option<Mutant> {
    let mut args = std::env::args().skip(1);
    let mut mutant = None;
    while let Some(arg) = args.next() {
        let name = match arg.as_str() {
            "--list-mutants" => {
                for m in Mutant::ALL {
                    println!("{}\t{}\t{}", m.name(), m.rule(), m.summary());
                }
                std::process::exit(0);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            "--mutant" => args.next(),
            other => match other.strip_prefix("--mutant=") {
                Some(name) => Some(name.to_owned()),
                None => usage_error(&format!("unexpected argument `{other}`")),
            },
        };
        let Some(name) = name else {
            usage_error("`--mutant` needs a NAME");
        };
        match name.parse::<Mutant>() {
            Ok(m) => mutant = Some(m),
            Err(e) => usage_error(&e.to_string()),
        }
    }
    mutant
}

fn usage_error(text: &str) -> ! {
    eprintln!("reference-adapter: {text}\n{USAGE}");
    std::process::exit(2);
}

#[tokio::main]
async fn main() {
    let mutant = parse_args();
    if let Some(mutant) = mutant {
        eprintln!(
            "reference-adapter: running mutant `{mutant}`: {} (breaks {})",
            mutant.summary(),
            mutant.rule()
        );
    }
    if let Err(e) = serve_stdio(mutant).await {
        eprintln!("reference-adapter: stdout is closed: {e}");
        std::process::exit(1);
    }
    // stdin may still be blocked in a read: exit rather than wait for it.
    std::process::exit(0);
}
