//! `switchboard`: serve the console and messenger, or run a maintenance command.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use secrecy::ExposeSecret;
use switchboard_core::retention::{self, Retention};
use switchboard_core::secrets::Keyring;
use switchboard_core::{Services, Settings, first_admin};
use switchboard_server::commands::{self, Failure};
use switchboard_server::config::{
    AdminCommand, Cli, Command, Config, ConfigCommand, SecretsCommand, TokenCommand,
    unknown_variables,
};
use switchboard_server::{
    AppParts, AppState, WebSettings, compression, messenger, routes, shutdown,
};

// Serving is allocation-heavy (headers, bodies, futures): mimalloc serves small allocations from
// per-thread pages, where glibc's malloc showed up as an eighth of the CPU under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn")),
        )
        // stdout carries what commands print (an export's YAML, a token); the log never mixes in.
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    for name in unknown_variables(std::env::vars().map(|(name, _)| name)) {
        tracing::warn!(variable = %name, "unknown SWITCHBOARD_ variable ignored (typo?)");
    }
    let config = cli.config;
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => migrate(config).await,
        Command::Admin(AdminCommand::Create { email, role }) => {
            report(&config, |db| async move {
                commands::create_admin_from_stdin(&db, &email, role.into()).await
            })
            .await
        }
        Command::Token(TokenCommand::Create { name, role }) => {
            report(&config, |db| async move {
                commands::create_token(&db, &name, role.into()).await
            })
            .await
        }
        Command::Secrets(SecretsCommand::RotateKey) => match load_keyring(&config) {
            Ok(keyring) => {
                report(&config, |db| async move {
                    commands::rotate_key(&db, keyring).await
                })
                .await
            }
            Err(error) => Err(error),
        },
        Command::Config(ConfigCommand::Export) => {
            report(
                &config,
                |db| async move { commands::export_config(&db).await },
            )
            .await
        }
        Command::Config(ConfigCommand::Apply { file, dry_run }) => {
            match load_keyring(&config).and_then(|keyring| Ok((keyring, settings(&config)?))) {
                Ok((keyring, settings)) => {
                    report(&config, |db| async move {
                        let services = Services::new(db, keyring, settings);
                        commands::apply_config(&services, &file, dry_run).await
                    })
                    .await
                }
                Err(error) => Err(error),
            }
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

async fn open_database(config: &Config) -> Result<switchboard_db::DatabaseConnection, Failure> {
    let db = switchboard_db::connect(&config.database_url)
        .await
        .map_err(|error| format!("cannot open the database: {error}"))?;
    switchboard_db::migrate(&db)
        .await
        .map_err(|error| format!("cannot apply migrations: {error}"))?;
    Ok(db)
}

fn load_keyring(config: &Config) -> Result<Keyring, Failure> {
    Ok(Keyring::load(
        config.secret_key.as_ref(),
        &config.secret_key_file,
    )?)
}

/// Runs a command on the database and prints its report.
async fn report<F, Fut>(config: &Config, command: F) -> Result<(), Failure>
where
    F: FnOnce(switchboard_db::DatabaseConnection) -> Fut,
    Fut: Future<Output = Result<String, Failure>>,
{
    let db = open_database(config).await?;
    let outcome = command(db.clone()).await;
    db.close().await.ok();
    println!("{}", outcome?);
    Ok(())
}

async fn migrate(config: Config) -> Result<(), Failure> {
    let db = open_database(&config).await?;
    db.close().await.ok();
    tracing::info!("migrations applied");
    Ok(())
}

/// What the use cases need to know of the configuration.
fn settings(config: &Config) -> Result<Settings, Failure> {
    Ok(Settings {
        allow_insecure_localhost: config.allow_insecure_localhost,
        retention: config.retention(),
        microsoft_graph_url: Some(config.microsoft_graph_url.clone()),
        mailer: config.mailer()?,
        attachments_dir: config.attachments_dir.clone(),
        ..Settings::default()
    })
}

/// Runs one of the site folder's precompression steps and logs what it did: the server
/// serves either way (a file without siblings goes out as it is).
fn tend_site(
    site: &std::path::Path,
    step: fn(&std::path::Path) -> std::io::Result<usize>,
    (done, failed): (&str, &str),
) {
    if !site.exists() {
        return;
    }
    match step(site) {
        Ok(0) => {}
        Ok(count) => tracing::info!(count, site = %site.display(), "{done}"),
        Err(error) => tracing::warn!(%error, site = %site.display(), "{failed}"),
    }
}

async fn serve(config: Config) -> Result<(), Failure> {
    let base_url = config.base_url()?;
    if config.allow_insecure_localhost {
        tracing::warn!(
            "SWITCHBOARD_ALLOW_INSECURE_LOCALHOST is on: http providers on loopback are accepted"
        );
    }
    let keyring = load_keyring(&config)?;
    let settings = settings(&config)?;
    let db = open_database(&config).await?;
    if let Some(token) = first_admin::issue_setup_token(&db).await? {
        // The one place this link appears: whoever can read the server's log owns the server.
        tracing::warn!(
            "No admin exists yet. Create the first one at {base_url}/setup?token={}",
            token.expose_secret()
        );
    }
    let state = AppState::new(AppParts {
        services: Services::new(db.clone(), keyring, settings),
        leptos: routes::leptos_options(&config),
        web: Arc::new(
            WebSettings::new(base_url.clone()).with_trusted_proxies(config.trusted_proxies.clone()),
        ),
        messenger: Arc::new(messenger::Runtime::new(
            config.streams_per_session as usize,
            config.streams_per_address as usize,
        )),
        console_streams: Arc::default(),
        stopping: tokio_util::sync::CancellationToken::new(),
    });
    // In the background: a slow provider must not hold up serving.
    tokio::spawn(declare_provider(state.services.clone()));
    tokio::spawn(prune_logs(db.clone(), config.retention()));
    let site = std::path::PathBuf::from(state.leptos.site_root.as_ref());
    // Before the first request: a rebuilt wasm must not go out as the last build's bytes.
    tend_site(
        &site,
        compression::forget_stale_siblings,
        (
            "deleted stale precompressed files",
            "cannot check the site's precompressed files",
        ),
    );
    // A thread of its own: a shutdown must not wait for it (a file is only ever put in place
    // whole, so stopping halfway leaves nothing half-written).
    std::thread::spawn(move || {
        tend_site(
            &site,
            compression::precompress_dir,
            (
                "precompressed the site's files",
                "cannot precompress the site's files",
            ),
        )
    });
    // Messages posted by other instances reach this one's event streams (PostgreSQL only).
    state.services.delivery().listen(state.services.db());
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", config.addr))?;
    tracing::info!(addr = %listener.local_addr()?, %base_url, "Switchboard is listening");
    let stopping = state.stopping.clone();
    axum::serve(
        listener,
        routes::router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown::signal(stopping))
    .await?;
    db.close().await.ok();
    tracing::info!("stopped");
    Ok(())
}

/// The provider the environment declares (`IDP_*`), made to match; whatever goes wrong is
/// logged and the server serves on without it.
async fn declare_provider(services: Services) {
    use switchboard_core::integrations::declared::{self, Outcome};
    let declaration = match switchboard_server::declared::from_env(|name| std::env::var(name).ok())
    {
        Ok(Some(declaration)) => declaration,
        Ok(None) => return,
        Err(error) => {
            tracing::error!("the IDP_* variables are incomplete, no provider declared: {error}");
            return;
        }
    };
    match declared::declare(&services, &declaration).await {
        Ok((outcome, integration)) => {
            let blockers = integration.activation_blockers();
            let failing: Vec<String> = integration
                .last_check
                .iter()
                .flat_map(|check| &check.items)
                .filter(|item| item.outcome == switchboard_domain::integration::CheckOutcome::Fail)
                .map(|item| item.message.clone())
                .collect();
            match outcome {
                Outcome::Unchanged => {
                    tracing::info!(integration = %integration.id, "declared provider unchanged")
                }
                Outcome::Created => {
                    tracing::info!(integration = %integration.id, "declared provider created")
                }
                Outcome::Updated(what) => {
                    tracing::info!(integration = %integration.id, changed = ?what, "declared provider updated")
                }
            }
            if !blockers.is_empty() {
                tracing::warn!(
                    integration = %integration.id,
                    needs = ?blockers,
                    failing = ?failing,
                    "the declared provider is not active"
                );
            }
        }
        Err(error) => tracing::error!(%error, "cannot declare the provider from IDP_*"),
    }
}

/// Deletes log entries past their retention now and then every hour. Every instance does it;
/// the deletes are idempotent.
async fn prune_logs(db: switchboard_db::DatabaseConnection, retention: Retention) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match retention::prune(&db, retention, chrono::Utc::now()).await {
            Ok(pruned) if pruned.sign_in_attempts + pruned.audit_events > 0 => tracing::info!(
                sign_in_attempts = pruned.sign_in_attempts,
                audit_events = pruned.audit_events,
                "deleted log entries past their retention"
            ),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "cannot prune the logs"),
        }
    }
}
