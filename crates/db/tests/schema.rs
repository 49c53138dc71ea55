//! The migrations build the same working schema on SQLite and PostgreSQL.

use chrono::Utc;
use std::collections::BTreeSet;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, QueryFilter, Set, Statement,
};
use sea_orm_migration::MigratorTrait;
use serde_json::json;
use switchboard_db::entities::{
    admin, audit_event, configuration, configuration_version, conversation, deployment,
    integration, message,
};
use switchboard_db::testing::TestDb;
use switchboard_db::{Migrator, test_on_each_engine};
use switchboard_domain::provider::ProviderKind;
use uuid::Uuid;

test_on_each_engine!(
    migrations_are_all_applied_and_idempotent,
    rows_round_trip_through_every_table,
    a_configuration_in_use_cannot_be_deleted,
    version_numbers_are_unique_per_configuration,
    admin_emails_are_unique,
    migrations_roll_back_cleanly,
    integrations_from_before_profiles_learn_their_provider,
    each_migration_only_adds,
);

async fn migrations_are_all_applied_and_idempotent(db: &DatabaseConnection) {
    assert!(
        Migrator::get_pending_migrations(db)
            .await
            .unwrap()
            .is_empty()
    );
    // Applying again (every start-up does) is a no-op, not an error.
    switchboard_db::migrate(db).await.unwrap();
    let applied = Migrator::get_applied_migrations(db).await.unwrap();
    assert_eq!(applied.len(), Migrator::migrations().len());
}

async fn new_integration(db: &DatabaseConnection) -> integration::Model {
    integration::ActiveModel {
        discovery_uri: Set(Some(
            "https://acme.okta.com/.well-known/openid-configuration".into(),
        )),
        client_id: Set(Some("0oa1".into())),
        client_secret_sealed: Set(Some(vec![1, 2, 3, 0, 255])),
        credentials_updated_at: Set(Some(Utc::now())),
        ..integration::ActiveModel::installed("Okta", ProviderKind::Okta, None)
    }
    .insert(db)
    .await
    .unwrap()
}

async fn new_configuration(db: &DatabaseConnection) -> configuration::Model {
    let now = Utc::now();
    configuration::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set("Support".into()),
        description: Set(String::new()),
        draft: Set(json!({"authentication": {"enabled": false}})),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .unwrap()
}

async fn new_deployment(db: &DatabaseConnection, configuration_id: Uuid) -> deployment::Model {
    let now = Utc::now();
    deployment::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set("Website".into()),
        description: Set(String::new()),
        configuration_id: Set(configuration_id),
        configuration_version: Set(None),
        allowed_domains: Set(json!(["example.com", "*.example.com"])),
        allow_all_domains: Set(false),
        status: Set("active".into()),
        created_at: Set(now),
        updated_at: Set(now),
        page_sign_in: Set(false),
        page_redirect_uris: Set(None),
    }
    .insert(db)
    .await
    .unwrap()
}

async fn new_version(
    db: &DatabaseConnection,
    configuration_id: Uuid,
    version: i32,
) -> Result<configuration_version::Model, sea_orm::DbErr> {
    configuration_version::ActiveModel {
        configuration_id: Set(configuration_id),
        version: Set(version),
        content: Set(json!({"appearance": {"launcherLabel": "Chat"}})),
        published_by: Set("ada@example.com".into()),
        published_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
}

async fn rows_round_trip_through_every_table(db: &DatabaseConnection) {
    let stored = new_integration(db).await;
    let read = integration::Entity::find_by_id(stored.id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.scopes, json!(["openid", "profile", "email"]));
    assert_eq!(read.client_secret_sealed, Some(vec![1, 2, 3, 0, 255]));
    // Timestamps survive at microsecond precision on both engines.
    assert_eq!(
        read.created_at.timestamp_micros(),
        stored.created_at.timestamp_micros()
    );

    let configuration = new_configuration(db).await;
    let first = new_version(db, configuration.id, 1).await.unwrap();
    let second = new_version(db, configuration.id, 2).await.unwrap();
    assert!(second.id > first.id, "version rows get increasing ids");

    let deployment = new_deployment(db, configuration.id).await;
    let now = Utc::now();
    let conversation = conversation::ActiveModel {
        id: Set(Uuid::new_v4()),
        deployment_id: Set(deployment.id),
        identity: Set(None),
        status: Set("open".into()),
        created_at: Set(now),
        last_activity_at: Set(now),
        agent_read_id: Set(0),
        person: Set(None),
        visitor_typing_at: Set(None),
        assignee_id: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let mut ids = Vec::new();
    for text in ["hello", "<b>not html</b>"] {
        let stored = message::ActiveModel {
            conversation_id: Set(conversation.id),
            author: Set("visitor".into()),
            text: Set(text.into()),
            created_at: Set(Utc::now()),
            authenticated: Set(false),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        ids.push(stored.id);
    }
    assert!(ids[1] > ids[0], "message ids are monotonic");
    let texts: Vec<_> = message::Entity::find()
        .filter(message::Column::ConversationId.eq(conversation.id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(texts, ["hello", "<b>not html</b>"]);

    let event = audit_event::ActiveModel {
        at: Set(Utc::now()),
        actor: Set("system".into()),
        action: Set("integration.create".into()),
        object_type: Set("integration".into()),
        object_id: Set(Some(stored.id.to_string())),
        changes: Set(json!(["name"])),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    assert!(event.id > 0);
}

async fn a_configuration_in_use_cannot_be_deleted(db: &DatabaseConnection) {
    let configuration = new_configuration(db).await;
    new_version(db, configuration.id, 1).await.unwrap();
    let deployment = new_deployment(db, configuration.id).await;

    let refused = configuration::Entity::delete_by_id(configuration.id)
        .exec(db)
        .await;
    assert!(refused.is_err(), "a deployment still points at it");

    deployment::Entity::delete_by_id(deployment.id)
        .exec(db)
        .await
        .unwrap();
    configuration::Entity::delete_by_id(configuration.id)
        .exec(db)
        .await
        .unwrap();
    let orphans = configuration_version::Entity::find()
        .filter(configuration_version::Column::ConfigurationId.eq(configuration.id))
        .all(db)
        .await
        .unwrap();
    assert!(orphans.is_empty(), "versions go with their configuration");
}

async fn version_numbers_are_unique_per_configuration(db: &DatabaseConnection) {
    let configuration = new_configuration(db).await;
    new_version(db, configuration.id, 1).await.unwrap();
    assert!(new_version(db, configuration.id, 1).await.is_err());
    let other = new_configuration(db).await;
    new_version(db, other.id, 1).await.unwrap();
}

async fn admin_emails_are_unique(db: &DatabaseConnection) {
    let insert = |email: &str| {
        let now = Utc::now();
        admin::ActiveModel {
            id: Set(Uuid::new_v4()),
            email: Set(email.into()),
            password_hash: Set("$argon2id$v=19$placeholder".into()),
            role: Set("admin".into()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
    };
    insert("ada@example.com").await.unwrap();
    assert!(insert("ada@example.com").await.is_err());
}

async fn migrations_roll_back_cleanly(db: &DatabaseConnection) {
    Migrator::down(db, None).await.unwrap();
    assert!(
        integration::Entity::find().all(db).await.is_err(),
        "tables are gone"
    );
    Migrator::up(db, None).await.unwrap();
    assert!(
        integration::Entity::find()
            .all(db)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Rows written before integrations stored their provider: those with an Okta API token or an
/// Okta host become Okta, the rest generic.
async fn integrations_from_before_profiles_learn_their_provider(db: &DatabaseConnection) {
    // Back to before m20261201_000006_providers (and the one after it).
    let applied = Migrator::get_applied_migrations(db).await.unwrap();
    let since = applied
        .iter()
        .rev()
        .position(|migration| migration.name() == "m20261201_000006_providers")
        .unwrap();
    Migrator::down(db, Some(since as u32 + 1)).await.unwrap();
    use integration::Column;
    use sea_orm::sea_query::Query;
    for (name, uri, token) in [
        (
            "okta-host",
            "https://acme.okta.com/oauth2/default/.well-known/openid-configuration",
            false,
        ),
        (
            "okta-emea",
            "https://acme.okta-emea.com/.well-known/openid-configuration",
            false,
        ),
        (
            "okta-token",
            "https://login.acme.com/.well-known/openid-configuration",
            true,
        ),
        (
            "generic",
            "https://sso.example.com/realms/a/.well-known/openid-configuration",
            false,
        ),
        (
            "lookalike",
            "https://okta.com.evil.example/.well-known/openid-configuration",
            false,
        ),
    ] {
        // The columns of that time: no `provider`.
        let insert = Query::insert()
            .into_table(integration::Entity)
            .columns([
                Column::Id,
                Column::Name,
                Column::Kind,
                Column::Status,
                Column::DiscoveryUri,
                Column::Scopes,
                Column::MaxRefreshTokenLifetimeSeconds,
                Column::AllowedGroups,
                Column::ClockSkewSeconds,
                Column::OktaApiTokenSealed,
                Column::CreatedAt,
                Column::UpdatedAt,
            ])
            .values_panic([
                Uuid::new_v4().into(),
                name.into(),
                "openid-connect-messenger".into(),
                "inactive".into(),
                uri.into(),
                json!([]).into(),
                3600i64.into(),
                json!([]).into(),
                60i32.into(),
                token.then(|| b"sealed".to_vec()).into(),
                Utc::now().into(),
                Utc::now().into(),
            ])
            .to_owned();
        db.execute(db.get_database_backend().build(&insert))
            .await
            .unwrap();
    }
    switchboard_db::migrate(db).await.unwrap();
    let mut providers: Vec<(String, String)> = integration::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.name, row.provider))
        .collect();
    providers.sort();
    let expected = [
        ("generic", "oidc"),
        ("lookalike", "oidc"),
        ("okta-emea", "okta"),
        ("okta-host", "okta"),
        ("okta-token", "okta"),
    ];
    assert_eq!(
        providers,
        expected.map(|(name, provider)| (name.to_owned(), provider.to_owned()))
    );
}

/// Every `table.column` of the schema.
async fn columns(db: &DatabaseConnection) -> BTreeSet<String> {
    let sql = match db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            "SELECT m.name || '.' || p.name AS col FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
        }
        _ => {
            "SELECT table_name || '.' || column_name AS col FROM information_schema.columns \
             WHERE table_schema = current_schema()"
        }
    };
    let rows = db
        .query_all(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
    rows.iter()
        .map(|row| row.try_get::<String>("", "col").unwrap())
        .collect()
}

/// The rolling-upgrade rule (docs/OPERATIONS.md): while older instances still serve, a
/// migration may only add tables and columns; dropping one waits for a later release, once no
/// running version reads it, and is then listed here.
async fn each_migration_only_adds(db: &DatabaseConnection) {
    const DROPS: &[(&str, &str)] = &[];
    Migrator::down(db, None).await.unwrap();
    let mut before = columns(db).await;
    for migration in Migrator::migrations() {
        Migrator::up(db, Some(1)).await.unwrap();
        let after = columns(db).await;
        let gone: Vec<&String> = before
            .difference(&after)
            .filter(|column| !DROPS.contains(&(migration.name(), column.as_str())))
            .collect();
        assert!(
            gone.is_empty(),
            "{} removes {gone:?}, which older instances still read",
            migration.name()
        );
        before = after;
    }
}

/// Instances starting together on a fresh PostgreSQL database: each start-up migrates, and
/// the migrations run once, without an instance failing on the tables another just made.
#[tokio::test]
async fn instances_starting_together_migrate_once() {
    let db = TestDb::postgres().await;
    Migrator::down(&db.conn, None).await.unwrap();
    db.conn
        .execute_unprepared("DROP TABLE seaql_migrations")
        .await
        .unwrap();
    let mut instances = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let conn = db.connect_again().await;
        instances.spawn(async move {
            let migrated = switchboard_db::migrate(&conn).await;
            conn.close().await.ok();
            migrated
        });
    }
    while let Some(migrated) = instances.join_next().await {
        migrated.unwrap().expect("every instance starts");
    }
    let applied = Migrator::get_applied_migrations(&db.conn).await.unwrap();
    assert_eq!(applied.len(), Migrator::migrations().len());
    db.close().await;
}
