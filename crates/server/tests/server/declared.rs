//! Providers declared at start-up (`IDP_*`): created and switched on, left alone on a restart
//! with the same variables, updated when they change, read-only through the API, and created
//! once when two instances start together.

use crate::common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use secrecy::SecretString;
use serde_json::json;
use switchboard_core::integrations::declared::{self, Declaration, Outcome};
use switchboard_core::secrets::Keyring;
use switchboard_core::testing::issuer::{CLIENT_ID, CLIENT_SECRET, TestIssuer};
use switchboard_core::{Services, Settings};
use switchboard_db::entities::{audit_event, integration};
use switchboard_db::test_on_each_engine;
use switchboard_domain::admin::Role;
use switchboard_domain::integration::Status;
use switchboard_domain::provider::ProviderPreset;

test_on_each_engine!(
    a_declared_provider_is_created_once_and_then_left_alone,
    what_the_environment_declares_is_read_only,
    instances_starting_together_create_one,
);

fn declaration(issuer: &TestIssuer, scopes: Option<&[&str]>) -> Declaration {
    Declaration {
        preset: ProviderPreset::Oidc {},
        discovery_uri: Some(issuer.issuer.clone()),
        name: Some("Company sign-in".into()),
        scopes: scopes.map(|scopes| scopes.iter().map(|s| (*s).to_owned()).collect()),
        client_id: CLIENT_ID.into(),
        client_secret: SecretString::from(CLIENT_SECRET.to_owned()),
        service_account: None,
    }
}

async fn audit_events(db: &DatabaseConnection) -> u64 {
    audit_event::Entity::find().count(db).await.unwrap()
}

async fn a_declared_provider_is_created_once_and_then_left_alone(db: &DatabaseConnection) {
    let services = Services::for_tests(db.clone());
    let issuer = TestIssuer::start().await;
    let (outcome, created) = declared::declare(&services, &declaration(&issuer, None))
        .await
        .unwrap();
    assert_eq!(outcome, Outcome::Created);
    assert_eq!(created.status, Status::Active, "{:?}", created.last_check);
    assert!(created.managed_by_environment);
    assert_eq!(created.name, "Company sign-in");
    assert!(created.credentials.configured);

    // A restart with the same variables changes nothing, and says nothing in the audit log.
    let events = audit_events(db).await;
    let (outcome, again) = declared::declare(&services, &declaration(&issuer, None))
        .await
        .unwrap();
    assert_eq!(outcome, Outcome::Unchanged);
    assert_eq!(again.id, created.id);
    assert_eq!(again.updated_at, created.updated_at);
    assert_eq!(audit_events(db).await, events);

    // Changed variables update the one integration.
    let scopes = ["openid", "email"];
    let (outcome, updated) = declared::declare(&services, &declaration(&issuer, Some(&scopes)))
        .await
        .unwrap();
    assert_eq!(outcome, Outcome::Updated(vec!["settings".to_owned()]));
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.scopes, scopes);
    assert!(audit_events(db).await > events);
    let managed = integration::Entity::find()
        .filter(integration::Column::ManagedBy.is_not_null())
        .count(db)
        .await
        .unwrap();
    assert_eq!(managed, 1);
}

async fn what_the_environment_declares_is_read_only(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let issuer = TestIssuer::start().await;
    let (_, integration) = declared::declare(&app.services, &declaration(&issuer, None))
        .await
        .unwrap();
    let path = format!("/api/v2/integrations/{}", integration.id);
    let shown = app.api(Method::GET, &path, &token, None).await;
    assert_eq!(shown.json()["managedByEnvironment"], true);

    let mut settings = json!({
        "name": "Renamed",
        "discoveryUri": integration.discovery_uri,
        "scopes": integration.scopes,
        "maxRefreshTokenLifetimeSeconds": 3600,
        "allowedGroups": [],
        "clockSkewSeconds": 60,
    });
    let renamed = app
        .api(Method::PUT, &path, &token, Some(settings.clone()))
        .await;
    assert_eq!(renamed.status, StatusCode::CONFLICT, "{}", renamed.body);
    assert!(renamed.json()["message"].as_str().unwrap().contains("IDP_"));
    let credentials = app
        .api(
            Method::PUT,
            &format!("{path}/credentials"),
            &token,
            Some(json!({"clientId": "other", "clientSecret": "other"})),
        )
        .await;
    assert_eq!(credentials.status, StatusCode::CONFLICT);
    let deleted = app.api(Method::DELETE, &path, &token, None).await;
    assert_eq!(deleted.status, StatusCode::CONFLICT);

    // What the environment does not declare stays the admin's.
    settings["name"] = json!(integration.name);
    settings["allowedGroups"] = json!(["support"]);
    let groups = app.api(Method::PUT, &path, &token, Some(settings)).await;
    assert_eq!(groups.status, StatusCode::OK, "{}", groups.body);
    assert_eq!(groups.json()["allowedGroups"], json!(["support"]));
}

async fn instances_starting_together_create_one(db: &DatabaseConnection) {
    let issuer = TestIssuer::start().await;
    // Two instances: their own caches and clients, one database and one secret key.
    let key_file = std::env::temp_dir().join(format!("declared-{}.key", uuid::Uuid::new_v4()));
    Keyring::generate().write_file(&key_file, true).unwrap();
    let instance = || {
        let keyring = Keyring::load(None, &key_file).unwrap();
        let settings = Settings {
            allow_insecure_localhost: true,
            ..Settings::default()
        };
        Services::new(db.clone(), keyring, settings)
    };
    let (first, second) = (instance(), instance());
    let (one, other) = (declaration(&issuer, None), declaration(&issuer, None));
    let (a, b) = tokio::join!(
        declared::declare(&first, &one),
        declared::declare(&second, &other),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.1.id, b.1.id, "both instances found the same integration");
    let created = [&a.0, &b.0]
        .iter()
        .filter(|outcome| ***outcome == Outcome::Created)
        .count();
    assert_eq!(created, 1);
    let rows = integration::Entity::find().count(db).await.unwrap();
    assert_eq!(rows, 1);
    std::fs::remove_file(key_file).ok();
}
