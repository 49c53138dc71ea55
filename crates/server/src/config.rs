//! Configuration: command-line flags, each with a `SWITCHBOARD_*` environment variable.
//! `.env.example` at the repository root lists them all with their defaults.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::{ExposeSecret, SecretString};
use switchboard_core::mail::Mailer;
use switchboard_domain::admin::Role;
use url::Url;

use crate::client_address::TrustedProxies;

#[derive(Debug, Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Self-hosted web messenger with OpenID Connect sign-in"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Apply pending migrations, then serve the console and the messenger (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage console admins.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage API tokens for `/api/v2`.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage the key that seals stored secrets.
    #[command(subcommand)]
    Secrets(SecretsCommand),
    /// Configuration as code: integrations, messenger configurations and deployments as YAML.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum ConfigCommand {
    /// Print everything as YAML: integrations (secrets only as the references a file set them
    /// from), messenger configurations with their draft and published versions, deployments.
    Export,
    /// Make the database match FILE (`-` reads stdin) and print the plan. Secrets in the file
    /// are references, `{env: VARIABLE}` or `{file: PATH}`. Nothing is written when any part
    /// of the file is wrong.
    Apply {
        file: std::path::PathBuf,
        /// Print what would change, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum AdminCommand {
    /// Create an admin. The password is read from stdin when it is not a terminal
    /// (`echo "$PASSWORD" | switchboard admin create ...`); otherwise one is generated and
    /// printed once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, value_enum, default_value_t = RoleArg::Admin)]
        role: RoleArg,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum TokenCommand {
    /// Create an API token and print it once. Tokens are viewers unless `--role admin`.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, value_enum, default_value_t = RoleArg::Viewer)]
        role: RoleArg,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum SecretsCommand {
    /// Seal every stored secret with a new key. With a key file, writes a fresh key to it;
    /// with `SWITCHBOARD_SECRET_KEY`, re-seals with the first key listed there (put the new key
    /// first, keep the old one after a comma, run this, then drop the old one).
    RotateKey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Admin,
    Viewer,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Admin => Role::Admin,
            RoleArg::Viewer => Role::Viewer,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Database to use: `sqlite://path?mode=rwc` (one instance) or `postgres://user@host/db`
    /// (any number of instances behind one base URL).
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_DATABASE_URL",
        default_value = "sqlite://data/switchboard.db?mode=rwc",
        hide_env_values = true
    )]
    pub database_url: String,

    /// Address and port to listen on.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_ADDR",
        default_value = "127.0.0.1:3000"
    )]
    pub addr: SocketAddr,

    /// Public URL visitors, admins and identity providers use to reach this server (scheme,
    /// host and port, no path). Defaults to `http://` + the listen address.
    #[arg(long, global = true, env = "SWITCHBOARD_BASE_URL")]
    pub base_url: Option<Url>,

    /// Folder of the built site (wasm bundle, stylesheet, public files), as written by
    /// cargo-leptos. cargo-leptos sets this variable itself when it runs the server.
    #[arg(
        long,
        global = true,
        env = "LEPTOS_SITE_ROOT",
        default_value = "target/site"
    )]
    pub site_root: PathBuf,

    /// The key that seals stored secrets (client secrets, provider API tokens): 32 bytes in
    /// base64 (`openssl rand -base64 32`). Several keys separated by commas during a rotation,
    /// the newest first. When unset, the key file below is used.
    #[arg(long, global = true, env = "SWITCHBOARD_SECRET_KEY", hide_env_values = true, value_parser = secret)]
    pub secret_key: Option<SecretString>,

    /// The key file used when SWITCHBOARD_SECRET_KEY is unset; generated with mode 0600 on
    /// first start. Back it up: without it, sealed secrets cannot be read.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_SECRET_KEY_FILE",
        default_value = "data/secret.key"
    )]
    pub secret_key_file: PathBuf,

    /// Allow http:// discovery and JWKS URIs on this machine (127.0.0.1, ::1, localhost).
    /// For development and tests with a local provider only; never in production.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_ALLOW_INSECURE_LOCALHOST",
        default_value = "false",
        value_parser = flag,
        action = clap::ArgAction::Set
    )]
    pub allow_insecure_localhost: bool,

    /// Reverse proxies in front of this server, as CIDR ranges or addresses separated by
    /// commas (`10.0.0.0/8,192.0.2.10`). Only requests from these peers have their
    /// `X-Forwarded-For` / `Forwarded` headers read, so rate limits count the real client.
    /// Empty (the default) trusts no one.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_TRUSTED_PROXIES",
        default_value = "",
        value_parser = TrustedProxies::parse
    )]
    pub trusted_proxies: TrustedProxies,

    /// Days the sign-in log keeps each attempt (1 to 3650).
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_SIGN_IN_LOG_RETENTION_DAYS",
        default_value_t = 90,
        value_parser = clap::value_parser!(u32).range(1..=3650)
    )]
    pub sign_in_log_retention_days: u32,

    /// Days the audit log keeps each event (1 to 3650).
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_AUDIT_LOG_RETENTION_DAYS",
        default_value_t = 365,
        value_parser = clap::value_parser!(u32).range(1..=3650)
    )]
    pub audit_log_retention_days: u32,

    /// Microsoft Graph's address, for Entra ID group look-ups when a user has too many groups
    /// for the token; set it for a national cloud (`https://graph.microsoft.us`).
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_MICROSOFT_GRAPH_URL",
        default_value = switchboard_core::relying_party::MICROSOFT_GRAPH,
        value_parser = https_url
    )]
    pub microsoft_graph_url: url::Url,

    /// Messenger event streams one client address may hold open on this instance (an
    /// office behind one address holds one per open messenger tab).
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_STREAMS_PER_ADDRESS",
        default_value_t = 100,
        value_parser = clap::value_parser!(u32).range(1..=1_000_000)
    )]
    pub streams_per_address: u32,

    /// Messenger event streams one messenger session may hold open on this instance (one per
    /// open tab of the page).
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_STREAMS_PER_SESSION",
        default_value_t = 5,
        value_parser = clap::value_parser!(u32).range(1..=1_000_000)
    )]
    pub streams_per_session: u32,

    /// The SMTP server for replies by email to signed-in visitors (with an email their
    /// provider vouches for) who wrote while no agent was online: `smtp://host:25`,
    /// `smtp://user:password@host:587?tls=required` (STARTTLS) or `smtps://user:password@host`.
    /// Unset, nothing is sent and the messenger promises no email.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_SMTP_URL",
        hide_env_values = true
    )]
    pub smtp_url: Option<SecretString>,

    /// The sender of those emails; `switchboard@` the base URL's host when unset.
    #[arg(long, global = true, env = "SWITCHBOARD_SMTP_FROM")]
    pub smtp_from: Option<String>,

    /// A folder for the files sent in conversations; unset, they are kept in the database.
    /// Several instances must share it.
    #[arg(long, global = true, env = "SWITCHBOARD_ATTACHMENTS_DIR")]
    pub attachments_dir: Option<PathBuf>,
}

/// Parses `SWITCHBOARD_ALLOW_INSECURE_LOCALHOST` leniently: 1/true/yes/on.
fn flag(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "" | "0" | "false" | "no" | "off" => Ok(false),
        other => Err(format!("expected true or false, got {other:?}")),
    }
}

fn secret(value: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(value.to_owned()))
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("SWITCHBOARD_BASE_URL must start with http:// or https:// (got {0})")]
    BaseUrlScheme(String),
    #[error("SWITCHBOARD_BASE_URL must be an origin with no path, query or fragment (got {0})")]
    BaseUrlPath(String),
    #[error("{0}")]
    Smtp(String),
}

impl Config {
    /// How long the logs keep their entries.
    pub fn retention(&self) -> switchboard_core::retention::Retention {
        switchboard_core::retention::Retention {
            sign_in_log: chrono::Duration::days(self.sign_in_log_retention_days.into()),
            audit_log: chrono::Duration::days(self.audit_log_retention_days.into()),
        }
    }

    /// The mailer `SWITCHBOARD_SMTP_URL` and `SWITCHBOARD_SMTP_FROM` describe, if any.
    pub fn mailer(&self) -> Result<Option<Mailer>, ConfigError> {
        let Some(url) = &self.smtp_url else {
            return Ok(None);
        };
        let from = match &self.smtp_from {
            Some(from) => from.clone(),
            None => {
                let base = Url::parse(&self.base_url()?).ok();
                let host = base.as_ref().and_then(Url::host_str).unwrap_or("localhost");
                format!("switchboard@{host}")
            }
        };
        Mailer::new(url.expose_secret(), &from)
            .map(Some)
            .map_err(ConfigError::Smtp)
    }

    /// The public base URL without a trailing slash, e.g. `https://chat.example.com`.
    pub fn base_url(&self) -> Result<String, ConfigError> {
        let Some(url) = &self.base_url else {
            return Ok(format!("http://{}", self.addr));
        };
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ConfigError::BaseUrlScheme(url.to_string()));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(ConfigError::BaseUrlPath(url.to_string()));
        }
        Ok(url.as_str().trim_end_matches('/').to_owned())
    }
}

/// `SWITCHBOARD_*` variables set in `environment` that this program does not read.
pub fn unknown_variables(environment: impl IntoIterator<Item = String>) -> Vec<String> {
    // Every variable an option reads, from the options themselves.
    let known: Vec<String> = <Cli as clap::CommandFactory>::command()
        .get_arguments()
        .filter_map(|argument| argument.get_env())
        .map(|name| name.to_string_lossy().into_owned())
        .collect();
    environment
        .into_iter()
        .filter(|name| {
            name.starts_with("SWITCHBOARD_")
                && !known.iter().any(|known| known == name)
                // Secrets for configuration files applied over the REST API, named freely.
                && !name.starts_with(switchboard_core::config_as_code::API_PREFIX)
        })
        .collect()
}

/// An https URL (an address Switchboard calls with an app token).
fn https_url(value: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(value).map_err(|error| format!("not a URL: {error}"))?;
    if url.scheme() != "https" {
        return Err("use an https URL".into());
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("switchboard").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn serve_is_the_default_command_and_flags_work_after_it() {
        let cli = parse(&[]);
        assert_eq!(cli.command, None);
        let cli = parse(&["migrate", "--database-url", "postgres://localhost/x"]);
        assert_eq!(cli.command, Some(Command::Migrate));
        assert_eq!(cli.config.database_url, "postgres://localhost/x");
    }

    #[test]
    fn base_url_defaults_to_the_listen_address() {
        let cli = parse(&["--addr", "127.0.0.1:4100"]);
        assert_eq!(cli.config.base_url().unwrap(), "http://127.0.0.1:4100");
    }

    #[test]
    fn base_url_must_be_an_http_origin() {
        let ok = parse(&["--base-url", "https://chat.example.com/"]);
        assert_eq!(ok.config.base_url().unwrap(), "https://chat.example.com");
        let path = parse(&["--base-url", "https://example.com/chat"]);
        assert!(matches!(
            path.config.base_url(),
            Err(ConfigError::BaseUrlPath(_))
        ));
        let scheme = parse(&["--base-url", "ftp://example.com"]);
        assert!(matches!(
            scheme.config.base_url(),
            Err(ConfigError::BaseUrlScheme(_))
        ));
    }

    #[test]
    fn subcommands_parse_with_their_defaults() {
        let cli = parse(&["admin", "create", "--email", "ada@example.com"]);
        assert_eq!(
            cli.command,
            Some(Command::Admin(AdminCommand::Create {
                email: "ada@example.com".into(),
                role: RoleArg::Admin
            }))
        );
        let cli = parse(&["token", "create", "--name", "ci"]);
        assert_eq!(
            cli.command,
            Some(Command::Token(TokenCommand::Create {
                name: "ci".into(),
                role: RoleArg::Viewer
            }))
        );
        let cli = parse(&["secrets", "rotate-key"]);
        assert_eq!(
            cli.command,
            Some(Command::Secrets(SecretsCommand::RotateKey))
        );
    }

    #[test]
    fn log_retention_has_defaults_and_bounds() {
        let cli = parse(&[]);
        assert_eq!(
            cli.config.retention(),
            switchboard_core::retention::Retention::default()
        );
        let cli = parse(&["--sign-in-log-retention-days", "7"]);
        assert_eq!(cli.config.retention().sign_in_log.num_days(), 7);
        assert!(Cli::try_parse_from(["switchboard", "--audit-log-retention-days", "0"]).is_err());
    }

    #[test]
    fn trusted_proxies_are_read_as_a_list() {
        assert!(parse(&[]).config.trusted_proxies.is_empty());
        let cli = parse(&["--trusted-proxies", "10.0.0.0/8,192.0.2.10"]);
        assert!(
            cli.config
                .trusted_proxies
                .trusts("10.9.9.9".parse().unwrap())
        );
        assert!(
            cli.config
                .trusted_proxies
                .trusts("192.0.2.10".parse().unwrap())
        );
        let bad = Cli::try_parse_from(["switchboard", "--trusted-proxies", "10.0.0.0/33"]);
        assert!(bad.is_err());
    }

    #[test]
    fn the_secret_key_never_prints() {
        let cli = parse(&["--secret-key", "c2VjcmV0LWtleS12YWx1ZQ=="]);
        assert!(!format!("{cli:?}").contains("c2VjcmV0LWtleS12YWx1ZQ"));
    }

    #[test]
    fn unknown_switchboard_variables_are_reported() {
        let names = [
            "SWITCHBOARD_DATABSE_URL",
            "SWITCHBOARD_ADDR",
            "SWITCHBOARD_MICROSOFT_GRAPH_URL",
            "SWITCHBOARD_CONFIG_SECRET_OKTA",
            "HOME",
        ]
        .map(String::from);
        assert_eq!(unknown_variables(names), ["SWITCHBOARD_DATABSE_URL"]);
    }
}
