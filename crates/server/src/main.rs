//! `onething-server`: parses configuration, opens the store and serves [`onething_server::app`],
//! or runs an `admin` subcommand against a running server (over HTTP).

use clap::Parser;
use onething_server::config::{Command, LogFormat};
use onething_server::{AppState, Config, app, maintenance};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let log = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Json => log.json().with_current_span(false).init(),
        // Colour only on a terminal: a log file or a collector gets plain text.
        LogFormat::Text => log
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
    }
    let result = match config.command.clone() {
        Some(Command::Admin(args)) => onething_server::admin_cli::run(&config, args).await,
        None => serve(config).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("onething-server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let state = AppState::open(&config).await?;
    let services = state.catalogue.all().len();
    if config.dev_tickets {
        tracing::warn!(
            "DEVELOPMENT ticket issuer enabled at POST /api/dev/tickets: never in production"
        );
    }
    maintenance::spawn(state.clone());
    onething_server::notify::spawn(state.clone());
    reload_on_hangup(&state)?;
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    // The test harness reads this exact line to learn the port when started with port 0.
    println!("onething-server listening on http://{addr}/ ({services} services)");
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

/// `SIGHUP` reloads the service definitions (as `POST /api/admin/services/reload` does); a
/// broken file is logged and the loaded definitions stay. Installed before the server says it
/// is listening, so a signal sent after that line is never lost.
#[cfg(unix)]
fn reload_on_hangup(state: &AppState) -> std::io::Result<()> {
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    let catalogue = state.catalogue.clone();
    tokio::spawn(async move {
        while hangup.recv().await.is_some() {
            let catalogue = catalogue.clone();
            let _ = tokio::task::spawn_blocking(move || {
                onething_server::catalogue::reload_and_log(&catalogue)
            })
            .await;
        }
    });
    Ok(())
}

#[cfg(not(unix))]
fn reload_on_hangup(_state: &AppState) -> std::io::Result<()> {
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
