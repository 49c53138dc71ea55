//! Admin accounts, sessions, API tokens and sealed credentials, on SQLite and PostgreSQL.

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait};
use secrecy::{ExposeSecret, SecretString};
use switchboard_core::admin_sessions::{self, SessionPolicy};
use switchboard_core::admins::{self, Principal, PrincipalKind};
use switchboard_core::secrets::Keyring;
use switchboard_core::{Error, api_tokens, integrations};
use switchboard_db::entities::{admin, admin_session, api_token, integration};
use switchboard_db::test_on_each_engine;
use switchboard_db::testing::integration_row;
use switchboard_domain::admin::Role;
use uuid::Uuid;

test_on_each_engine!(
    admins_are_created_with_checked_unique_emails,
    sessions_end_when_idle_or_too_old,
    api_tokens_are_stored_as_digests_and_revocable,
    credentials_are_sealed_and_survive_key_rotation,
);

fn password(text: &str) -> SecretString {
    SecretString::from(text.to_owned())
}

async fn admin(db: &DatabaseConnection, role: Role) -> Principal {
    let email = format!("{}@example.com", Uuid::new_v4().simple());
    admins::create(
        db,
        &email,
        &password("correct horse battery staple"),
        role,
        "test",
    )
    .await
    .unwrap()
}

async fn admins_are_created_with_checked_unique_emails(db: &DatabaseConnection) {
    let ada = admins::create(
        db,
        " Ada@Example.com",
        &password("long enough pass"),
        Role::Admin,
        "cli",
    )
    .await
    .unwrap();
    assert_eq!(ada.name, "ada@example.com");
    let stored = admin::Entity::find_by_id(ada.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.password_hash.starts_with("$argon2id$"));
    assert!(admins::verify_password(
        &stored.password_hash,
        &password("long enough pass")
    ));

    let Err(Error::Invalid(fields)) = admins::create(
        db,
        "ada@example.com",
        &password("long enough pass"),
        Role::Viewer,
        "cli",
    )
    .await
    else {
        panic!("a second admin with the same email was accepted");
    };
    assert_eq!(fields[0].field, "email");
    let Err(Error::Invalid(fields)) =
        admins::create(db, "not-an-email", &password("short"), Role::Admin, "cli").await
    else {
        panic!("bad input was accepted");
    };
    let named: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(named, ["email", "password"], "both problems at once");
}

async fn sessions_end_when_idle_or_too_old(db: &DatabaseConnection) {
    let ada = admin(db, Role::Admin).await;
    let policy = SessionPolicy {
        idle: Duration::minutes(30),
        absolute: Duration::hours(2),
    };
    let session = admin_sessions::start(db, ada.id, policy).await.unwrap();
    let now = Utc::now();
    let found = admin_sessions::resolve(db, &session.token, policy, now)
        .await
        .unwrap();
    assert_eq!(found.map(|p| p.id), Some(ada.id));

    // Idle: nothing for longer than the idle limit ends it, and the row goes.
    let idle = admin_sessions::resolve(db, &session.token, policy, now + Duration::minutes(31))
        .await
        .unwrap();
    assert!(idle.is_none());
    assert!(
        admin_session::Entity::find()
            .all(db)
            .await
            .unwrap()
            .is_empty()
    );

    // Absolute: even a busy session ends when it is too old.
    let session = admin_sessions::start(db, ada.id, policy).await.unwrap();
    let mut at = Utc::now();
    while at < session.expires_at - Duration::minutes(20) {
        at += Duration::minutes(20);
        let busy = admin_sessions::resolve(db, &session.token, policy, at)
            .await
            .unwrap();
        assert!(busy.is_some(), "still valid at {at}");
    }
    let expired = admin_sessions::resolve(db, &session.token, policy, session.expires_at)
        .await
        .unwrap();
    assert!(expired.is_none());

    // The table never holds the cookie value.
    let session = admin_sessions::start(db, ada.id, policy).await.unwrap();
    let rows = admin_session::Entity::find().all(db).await.unwrap();
    assert!(
        rows.iter()
            .all(|row| row.id_hash != session.token.expose_secret())
    );
    let unknown = password("made-up-session-token");
    assert!(
        admin_sessions::resolve(db, &unknown, policy, Utc::now())
            .await
            .unwrap()
            .is_none()
    );
}

async fn api_tokens_are_stored_as_digests_and_revocable(db: &DatabaseConnection) {
    let ada = admin(db, Role::Admin).await;
    let (summary, token) = api_tokens::create(db, "deploy script", Role::Viewer, &ada.name)
        .await
        .unwrap();
    assert!(token.expose_secret().starts_with(api_tokens::PREFIX));
    let row = api_token::Entity::find_by_id(summary.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(row.token_hash, token.expose_secret());
    assert!(!row.token_hash.contains(&token.expose_secret()[4..]));

    let found = api_tokens::authenticate(db, &token, Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.kind, PrincipalKind::ApiToken);
    assert_eq!(found.role, Role::Viewer);
    assert_eq!(found.name, "token:deploy script");

    assert!(matches!(
        api_tokens::create(db, "deploy script", Role::Admin, &ada.name).await,
        Err(Error::Invalid(_))
    ));
    let viewer = admin(db, Role::Viewer).await;
    assert!(matches!(
        api_tokens::revoke(db, summary.id, &viewer).await,
        Err(Error::Forbidden)
    ));
    api_tokens::revoke(db, summary.id, &ada).await.unwrap();
    assert!(
        api_tokens::authenticate(db, &token, Utc::now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(api_tokens::list(db).await.unwrap().is_empty());
}

async fn credentials_are_sealed_and_survive_key_rotation(db: &DatabaseConnection) {
    let ada = admin(db, Role::Admin).await;
    let row = integration_row("Okta").insert(db).await.unwrap();
    let keyring = Keyring::generate();
    let credentials = || integrations::NewCredentials {
        client_id: "client".into(),
        client_secret: password("client-secret-4f8a9c"),
        okta_api_token: Some(password("okta-token-77aa")),
    };
    let viewer = admin(db, Role::Viewer).await;
    assert!(matches!(
        integrations::set_credentials(db, &keyring, row.id, &credentials(), &viewer).await,
        Err(Error::Forbidden)
    ));
    integrations::set_credentials(db, &keyring, row.id, &credentials(), &ada)
        .await
        .unwrap();
    let stored = integration::Entity::find_by_id(row.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let sealed = stored.client_secret_sealed.clone().unwrap();
    assert!(!String::from_utf8_lossy(&sealed).contains("client-secret-4f8a9c"));
    let token = stored.okta_api_token_sealed.clone().unwrap();
    assert!(!String::from_utf8_lossy(&token).contains("okta-token-77aa"));

    let rotated = keyring.with_new_key();
    assert_eq!(
        integrations::reseal_credentials(db, &rotated)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        integrations::reseal_credentials(db, &rotated)
            .await
            .unwrap(),
        0,
        "idempotent"
    );
    let current = rotated.without_old_keys();
    let stored = integration::Entity::find_by_id(row.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let opened = integrations::open_client_secret(&current, &stored)
        .unwrap()
        .unwrap();
    assert_eq!(opened.expose_secret(), "client-secret-4f8a9c");
}
