//! `mock-server`: runs the mock server until SIGINT or SIGTERM.

use std::path::PathBuf;

use adapter_protocol::error_chain;
use clap::Parser;
use mock_server::{MockServer, Options};

/// A controllable WebSocket server for the my.connectSocket conformance suite.
///
/// Prints one JSON line describing its endpoints, then serves until SIGINT
/// or SIGTERM.
#[derive(Debug, Parser)]
#[command(name = "mock-server", version)]
struct Cli {
    /// Port of the control API (default: ephemeral).
    #[arg(long, default_value_t = 0)]
    control_port: u16,
    /// Port of the ws listener (default: ephemeral).
    #[arg(long, default_value_t = 0)]
    ws_port: u16,
    /// Where to write the test CA's PEM (default: a file in a new temporary
    /// directory, removed at exit).
    #[arg(long)]
    ca_out: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mock-server: {}", error_chain(&*e));
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let (ca_out, temp_dir) = match cli.ca_out {
        Some(p) => (p, None),
        None => {
            let dir = std::env::temp_dir().join(format!("mock-server-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            (dir.join("ca.pem"), Some(dir))
        }
    };
    let options = Options {
        control: true,
        control_port: cli.control_port,
        ws_port: cli.ws_port,
        ca_out: Some(ca_out),
        ..Options::default()
    };
    let server = MockServer::start(options).await?;
    println!("{}", serde_json::to_string(server.endpoints())?);
    wait_for_signal().await?;
    server.shutdown().await;
    if let Some(dir) = temp_dir {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(())
}

#[cfg(unix)]
async fn wait_for_signal() -> std::io::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r,
        _ = term.recv() => Ok(()),
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() -> std::io::Result<()> {
    tokio::signal::ctrl_c().await
}
