//! A full admin session, then a search of everything left behind (the SQLite file and its WAL,
//! and every log line at the most verbose level) for the secrets that went through it.
//!
//! A test binary of its own: the log is captured with a thread's default subscriber, and the
//! other server tests, run in the same process, would race it for tracing's callsite interest.

#[allow(dead_code)]
#[path = "server/common/mod.rs"]
mod common;

use std::io::Cursor;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use chrono::Utc;
use common::{PASSWORD, TestApp};
use sea_orm::{ActiveModelTrait, EntityTrait};
use secrecy::SecretString;
use switchboard_core::integrations;
use switchboard_db::entities::integration;
use switchboard_db::testing::{TestDb, integration_row};
use switchboard_domain::admin::Role;
use switchboard_server::commands;
use uuid::Uuid;

/// Log output collected in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const CLIENT_SECRET: &str = "client-secret-9b2e71d4";
const OKTA_API_TOKEN: &str = "okta-api-token-00c8f1";

fn credentials() -> integrations::NewCredentials {
    integrations::NewCredentials {
        client_id: "switchboard".into(),
        client_secret: SecretString::from(CLIENT_SECRET.to_owned()),
        okta_api_token: Some(SecretString::from(OKTA_API_TOKEN.to_owned())),
    }
}
const WRONG_PASSWORD: &str = "wrong-password-5c0f3a";

async fn integration(db: &sea_orm::DatabaseConnection) -> integration::Model {
    integration_row("Okta").insert(db).await.unwrap()
}

#[tokio::test]
async fn rotate_key_replaces_the_key_file_and_reseals_every_secret() {
    use switchboard_core::secrets::Keyring;
    let db = TestDb::sqlite().await;
    let dir = std::env::temp_dir().join(format!("sb-rotate-{}", Uuid::new_v4().simple()));
    let key_file = dir.join("secret.key");
    let keyring = Keyring::load(None, &key_file).unwrap();
    let old_id = keyring.current_key_id().to_owned();
    let row = integration(&db.conn).await;
    let app = TestApp::new(&db.conn);
    app.admin("ada@example.com", Role::Admin).await;
    let ada = switchboard_core::admins::find_by_email(&db.conn, "ada@example.com")
        .await
        .unwrap()
        .unwrap();
    let by = switchboard_core::admins::Principal {
        id: ada.id,
        name: ada.email,
        role: Role::Admin,
        kind: switchboard_core::admins::PrincipalKind::Admin,
    };
    integrations::set_credentials(&db.conn, &keyring, row.id, &credentials(), &by)
        .await
        .unwrap();

    let report = commands::rotate_key(&db.conn, keyring).await.unwrap();
    assert!(report.contains("2 stored secret(s) re-sealed"), "{report}");
    let reloaded = Keyring::load(None, &key_file).unwrap();
    assert_eq!(
        reloaded.key_ids().len(),
        1,
        "the old key is gone from the file"
    );
    assert_ne!(reloaded.current_key_id(), old_id);
    let stored = integration::Entity::find_by_id(row.id)
        .one(&db.conn)
        .await
        .unwrap()
        .unwrap();
    let opened = integrations::open_client_secret(&reloaded, &stored)
        .unwrap()
        .unwrap();
    assert_eq!(secrecy::ExposeSecret::expose_secret(&opened), CLIENT_SECRET);
    std::fs::remove_dir_all(dir).ok();
    db.close().await;
}

#[tokio::test]
async fn no_password_or_secret_is_stored_or_logged_in_clear() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let db = TestDb::sqlite().await;
    let app = TestApp::new(&db.conn);
    let report = commands::create_admin(
        app.db(),
        "ada@example.com",
        Role::Admin,
        &mut Cursor::new(format!("{PASSWORD}\n")),
        false,
    )
    .await
    .unwrap();
    assert!(!report.contains(PASSWORD), "a typed password is not echoed");

    let refused = app
        .post_form(
            "/login",
            &[("email", "ada@example.com"), ("password", WRONG_PASSWORD)],
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let cookie = app.sign_in("ada@example.com").await;
    for page in ["/admin/integrations", "/admin/audit", "/admin/tokens"] {
        assert_eq!(app.get(page, Some(&cookie)).await.status, StatusCode::OK);
    }

    let row = integration(app.db()).await;
    let ada = switchboard_core::admins::find_by_email(app.db(), "ada@example.com")
        .await
        .unwrap()
        .unwrap();
    let principal = switchboard_core::admin_sessions::resolve(
        app.db(),
        &SecretString::from(cookie.split_once('=').unwrap().1.to_owned()),
        app.services.settings().sessions,
        Utc::now(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(principal.id, ada.id);
    integrations::set_credentials(
        app.db(),
        app.services.keyring(),
        row.id,
        &credentials(),
        &principal,
    )
    .await
    .unwrap();
    assert_eq!(
        app.post_form("/logout", &[], Some(&cookie)).await.status,
        StatusCode::SEE_OTHER
    );

    let path = db.sqlite_path().unwrap().to_owned();
    let mut stored = std::fs::read(&path).unwrap();
    stored.extend(std::fs::read(path.with_extension("db-wal")).unwrap_or_default());
    let logged = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("/login"), "the logs were captured");
    let session_value = cookie.split_once('=').unwrap().1;
    for secret in [
        PASSWORD,
        WRONG_PASSWORD,
        CLIENT_SECRET,
        OKTA_API_TOKEN,
        session_value,
    ] {
        assert!(
            !stored
                .windows(secret.len())
                .any(|window| window == secret.as_bytes()),
            "{secret:?} is in the database file"
        );
        assert!(!logged.contains(secret), "{secret:?} is in the logs");
    }
    db.close().await;
}
