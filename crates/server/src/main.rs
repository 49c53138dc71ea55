//! `switchboard`: serve the console and messenger, or run a maintenance command.

use std::process::ExitCode;

use clap::Parser;
use switchboard_core::Services;
use switchboard_server::config::{Cli, Command, Config, unknown_variables};
use switchboard_server::{AppState, routes, shutdown};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn")),
        )
        .init();
    let cli = Cli::parse();
    for name in unknown_variables(std::env::vars().map(|(name, _)| name)) {
        tracing::warn!(variable = %name, "unknown SWITCHBOARD_ variable ignored (typo?)");
    }
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cli.config).await,
        Command::Migrate => migrate(cli.config).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

type Failure = Box<dyn std::error::Error>;

async fn open_database(config: &Config) -> Result<switchboard_db::DatabaseConnection, Failure> {
    let db = switchboard_db::connect(&config.database_url)
        .await
        .map_err(|error| format!("cannot open the database: {error}"))?;
    switchboard_db::migrate(&db)
        .await
        .map_err(|error| format!("cannot apply migrations: {error}"))?;
    Ok(db)
}

async fn migrate(config: Config) -> Result<(), Failure> {
    let db = open_database(&config).await?;
    db.close().await.ok();
    tracing::info!("migrations applied");
    Ok(())
}

async fn serve(config: Config) -> Result<(), Failure> {
    let base_url = config.base_url()?;
    let db = open_database(&config).await?;
    let state = AppState {
        services: Services::new(db.clone()),
        leptos: routes::leptos_options(&config),
    };
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", config.addr))?;
    tracing::info!(addr = %listener.local_addr()?, %base_url, "Switchboard is listening");
    axum::serve(listener, routes::router(state))
        .with_graceful_shutdown(shutdown::signal())
        .await?;
    db.close().await.ok();
    tracing::info!("stopped");
    Ok(())
}
