//! The reference implementation served over the adapter protocol: JSON Lines
//! on stdin (requests) and stdout (responses and events), logs on stderr.
//! Glue over [`reference_impl::serve_stdio`].
//!
//! `--mutant NAME` runs a deliberately non-conforming variant (see
//! [`reference_impl::Mutant`]); `--list-mutants` prints every name, the
//! behaviour.md rule it breaks and what it gets wrong, one a line,
//! tab-separated. `--variant RULE=OPTION` (repeatable) takes another
//! conforming option of an [impl-defined] rule (see
//! [`reference_impl::Variant`]); `--list-variants` prints every one.
//! `--profile NAME` serves another edition of the API (`alipay-2022-09`,
//! the default, `alipay-current`, `wechat`); a `hello` that names a
//! profile overrides it. `--instances N` sets how many independent
//! instances of the implementation the process holds (the `instances` of
//! its `hello` result; default [`reference_impl::DEFAULT_INSTANCES`]): a
//! runner runs up to N scenarios at once over it, each request naming its
//! instance. `--instances 1` serves one, with no `instances` in the
//! `hello` result, as before instances existed.

use reference_impl::{
    serve_stdio, Behaviour, Mutant, Profile, Variant, Variants, DEFAULT_INSTANCES,
};

const USAGE: &str = "usage: reference-adapter [--profile NAME] [--mutant NAME] \
                     [--variant RULE=OPTION]... [--instances N] \
                     | --list-mutants | --list-variants | --help\n\
                     --instances N: independent instances of the implementation in this \
                     process, each request naming its own with `instance` (default 64; \
                     1 serves one, as adapters without instances do); every instance \
                     runs the profile, variants and mutant given";

/// What to serve: the behaviour of every instance, and how many there are.
struct Serve {
    behaviour: Behaviour,
    instances: u32,
}

/// What to run, from the command line; exits on `--list-mutants`,
/// `--list-variants`, `--help` (status 0) and on a bad argument (status 2).
fn parse_args() -> Serve {
    let mut args = std::env::args().skip(1);
    let mut instances = DEFAULT_INSTANCES;
    let mut mutant = None;
    let mut variants = Vec::new();
    let mut profile = Profile::default();
    while let Some(arg) = args.next() {
        let (flag, value) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        match flag.as_str() {
            "--list-mutants" => {
                for m in Mutant::every() {
                    println!("{}\t{}\t{}", m.name(), m.rule(), m.summary());
                }
                std::process::exit(0);
            }
            "--list-variants" => {
                for v in Variant::ALL {
                    println!("{v}");
                }
                std::process::exit(0);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            "--mutant" => {
                let Some(name) = value.or_else(|| args.next()) else {
                    usage_error("`--mutant` needs a NAME");
                };
                match name.parse::<Mutant>() {
                    Ok(m) => mutant = Some(m),
                    Err(e) => usage_error(&e.to_string()),
                }
            }
            "--profile" => {
                let Some(name) = value.or_else(|| args.next()) else {
                    usage_error("`--profile` needs a NAME");
                };
                match name.parse::<Profile>() {
                    Ok(p) => profile = p,
                    Err(e) => usage_error(&e.to_string()),
                }
            }
            "--instances" => {
                let Some(text) = value.or_else(|| args.next()) else {
                    usage_error("`--instances` needs a number N (1 or more)");
                };
                match text.parse::<u32>() {
                    Ok(n) if n >= 1 => instances = n,
                    _ => usage_error(&format!(
                        "`--instances` needs a number N (1 or more), not `{text}`"
                    )),
                }
            }
            "--variant" => {
                let Some(text) = value.or_else(|| args.next()) else {
                    usage_error("`--variant` needs RULE=OPTION");
                };
                match text.parse::<Variant>() {
                    Ok(v) => variants.push(v),
                    Err(e) => usage_error(&e.to_string()),
                }
            }
            other => usage_error(&format!("unexpected argument `{other}`")),
        }
    }
    match Variants::new(variants) {
        Ok(variants) => Serve {
            behaviour: Behaviour {
                mutant,
                variants,
                profile,
            },
            instances,
        },
        Err(e) => usage_error(&e.to_string()),
    }
}

fn usage_error(text: &str) -> ! {
    eprintln!("reference-adapter: {text}\n{USAGE}");
    std::process::exit(2);
}

#[tokio::main]
async fn main() {
    let Serve {
        behaviour,
        instances,
    } = parse_args();
    if let Some(mutant) = behaviour.mutant {
        eprintln!(
            "reference-adapter: running mutant `{mutant}`: {} (breaks {})",
            mutant.summary(),
            mutant.rule()
        );
    }
    if !behaviour.profile.is_default() {
        eprintln!("reference-adapter: serving profile {}", behaviour.profile);
    }
    if !behaviour.variants.is_empty() {
        eprintln!("reference-adapter: running variants {}", behaviour.variants);
    }
    if let Err(e) = serve_stdio(behaviour, instances).await {
        eprintln!("reference-adapter: stdout is closed: {e}");
        std::process::exit(1);
    }
    // stdin may still be blocked in a read: exit rather than wait for it.
    std::process::exit(0);
}
