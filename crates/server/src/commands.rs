//! The maintenance commands of the binary: `admin create`, `token create`,
//! `secrets rotate-key`, `config export` and `config apply`. They print their result for the
//! operator (stdout), not to the log.

use std::io::{IsTerminal, Read};

use secrecy::{ExposeSecret, SecretString};
use switchboard_core::config_as_code::{self, Format, SecretReader};
use switchboard_core::secrets::{KeySource, Keyring};
use switchboard_core::{Error, Services, Store, admins, api_tokens, integrations};
use switchboard_db::DatabaseConnection;
use switchboard_domain::admin::Role;

/// A command's failure, already worded for the operator.
pub type Failure = Box<dyn std::error::Error>;

fn explain(error: Error) -> Failure {
    match error {
        Error::Invalid(fields) => fields
            .iter()
            .map(|field| field.message.as_str())
            .collect::<Vec<_>>()
            .join(" ")
            .into(),
        other => other.to_string().into(),
    }
}

/// Creates an admin with the password from `stdin`, or a generated one printed once.
pub async fn create_admin(
    db: &DatabaseConnection,
    email: &str,
    role: Role,
    stdin: &mut impl Read,
    stdin_is_terminal: bool,
) -> Result<String, Failure> {
    let mut typed = String::new();
    if !stdin_is_terminal {
        stdin.read_to_string(&mut typed)?;
    }
    let typed = typed.trim_end_matches(['\r', '\n']);
    let (password, generated) = if typed.is_empty() {
        (admins::generate_password(), true)
    } else {
        (SecretString::from(typed.to_owned()), false)
    };
    let admin = admins::create(db, email, &password, role, "cli")
        .await
        .map_err(explain)?;
    let mut report = format!("Created {} {}.", admin.role, admin.name);
    if generated {
        report.push_str(&format!(
            "\nPassword (shown once, store it now): {}",
            password.expose_secret()
        ));
    }
    Ok(report)
}

/// Reads stdin for [`create_admin`] the way the binary does.
pub async fn create_admin_from_stdin(
    db: &DatabaseConnection,
    email: &str,
    role: Role,
) -> Result<String, Failure> {
    let stdin = std::io::stdin();
    let is_terminal = stdin.is_terminal();
    create_admin(db, email, role, &mut stdin.lock(), is_terminal).await
}

pub async fn create_token(
    db: &DatabaseConnection,
    name: &str,
    role: Role,
) -> Result<String, Failure> {
    let (summary, token) = api_tokens::create(db, name, role, "cli")
        .await
        .map_err(explain)?;
    Ok(format!(
        "Created {} token {:?}. Send it as `Authorization: Bearer <token>`; it is shown once:\n{}",
        summary.role,
        summary.name,
        token.expose_secret()
    ))
}

/// Re-seals every stored secret under a new key; see `SecretsCommand::RotateKey`.
pub async fn rotate_key(db: &DatabaseConnection, keyring: Keyring) -> Result<String, Failure> {
    match keyring.source().clone() {
        KeySource::File(path) => {
            // The file holds old and new keys until every value is re-sealed, so a crash in
            // between loses nothing; then the old key goes.
            let rotated = keyring.with_new_key();
            rotated.write_file(&path, false)?;
            let count = integrations::reseal_credentials(db, &rotated)
                .await
                .map_err(explain)?;
            let current = rotated.without_old_keys();
            current.write_file(&path, false)?;
            Ok(format!(
                "New key {} written to {}; {count} stored secret(s) re-sealed; old keys removed.",
                current.current_key_id(),
                path.display()
            ))
        }
        KeySource::Environment => {
            let count = integrations::reseal_credentials(db, &keyring)
                .await
                .map_err(explain)?;
            let old = keyring.key_ids().len() - 1;
            Ok(format!(
                "{count} stored secret(s) re-sealed with key {}, the first in SWITCHBOARD_SECRET_KEY.{}",
                keyring.current_key_id(),
                if old > 0 {
                    " The other keys listed there can now be removed."
                } else {
                    " To rotate, put a new key first in SWITCHBOARD_SECRET_KEY, followed by a comma and the current key, and run this again."
                }
            ))
        }
    }
}

/// The whole configuration as YAML.
pub async fn export_config(store: &impl Store) -> Result<String, Failure> {
    let document = config_as_code::export(store).await.map_err(explain)?;
    Ok(config_as_code::to_yaml(&document).trim_end().to_owned())
}

/// Applies the file at `path` (`-`: stdin) and reports the plan. Its secret references are
/// read from this process's environment and files.
pub async fn apply_config(
    services: &Services,
    path: &std::path::Path,
    dry_run: bool,
) -> Result<String, Failure> {
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        text
    } else {
        std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read {}: {error}", path.display()))?
    };
    let format = match path.extension().and_then(|extension| extension.to_str()) {
        Some("json") => Format::Json,
        _ => Format::Yaml,
    };
    let refused = |fields: Vec<switchboard_domain::FieldError>| -> Failure {
        let lines: Vec<String> = fields
            .iter()
            .map(|field| match field.field.as_str() {
                "" => format!("  {}", field.message),
                key => format!("  {key}: {}", field.message),
            })
            .collect();
        format!(
            "{} was not applied; nothing was written:\n{}",
            path.display(),
            lines.join("\n")
        )
        .into()
    };
    let document = config_as_code::parse(&text, format).map_err(refused)?;
    let environment = |name: &str| std::env::var(name).ok();
    let secrets = SecretReader::operator(&environment);
    let by = config_as_code::operator();
    match config_as_code::apply(services, &document, &secrets, dry_run, &by).await {
        Ok(plan) => Ok(plan.to_string()),
        Err(Error::Invalid(fields)) => Err(refused(fields)),
        Err(other) => Err(explain(other)),
    }
}
