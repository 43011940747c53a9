//! `connectsocket-conformance`: the conformance suite on the command line
//! (`runner::cli`).

fn main() -> std::process::ExitCode {
    runner::cli::command::main()
}
