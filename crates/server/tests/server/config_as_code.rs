//! Configuration as code: a document applied to an empty database and exported again comes
//! back the same; applying it twice changes nothing; a dry run writes nothing; bad documents
//! are refused with the path of the key at fault before anything is written; and the same
//! over `GET`/`PUT /api/v2/config`.

use crate::common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::TestApp;
use sea_orm::{ColumnTrait, DatabaseBackend, DatabaseConnection, EntityTrait, PaginatorTrait};
use sea_orm::{ConnectionTrait, QueryFilter};
use switchboard_core::Services;
use switchboard_core::config_as_code::{
    self, Action, Document, Format, LITERAL_SECRET, SecretReader,
};
use switchboard_db::entities::{audit_event, configuration, deployment, integration};
use switchboard_db::test_on_each_engine;
use switchboard_db::testing::TestDb;
use switchboard_domain::admin::Role;
use switchboard_domain::integration::Status;

test_on_each_engine!(
    a_document_survives_export_and_apply_on_an_empty_database,
    bad_documents_are_refused_before_anything_is_written,
    published_versions_never_change_through_a_document,
    the_config_api_exports_and_applies,
);

const INTEGRATION: &str = "0b6f3c52-5d0e-4c1e-9f43-2f1f4f0a1c01";
const CONFIGURATION: &str = "6a1f0d2e-8f57-4b8e-a7a9-3c2f1e0b9d02";
const DEPLOYMENT: &str = "c3d2b1a0-9e8f-4d7c-b6a5-1f2e3d4c5b03";

/// A document with an active integration (secret from `TEST_SECRET`), a configuration with a
/// draft and two versions (the second signs in), and a deployment that follows the latest.
fn document(provider: &str, secret: &str) -> String {
    format!(
        r##"
integrations:
  - id: {INTEGRATION}
    name: Company sign-in
    provider: okta
    discoveryUri: {provider}/good
    scopes: [profile, openid, email]
    status: active
    credentials:
      clientId: switchboard
      clientSecret: {{env: {secret}}}
configurations:
  - id: {CONFIGURATION}
    name: Support
    description: The help desk
    draft: &signed_in
      authentication: {{enabled: true, integrationId: {INTEGRATION}, allowSessionUpgrade: false}}
      appearance: {{primaryColor: "#0f766e", launcherLabel: Chat, greeting: Hi!, defaultLanguage: en}}
      sessionLifetimeSeconds: 3600
    versions:
      - version: 1
        content:
          authentication: {{enabled: false, integrationId: null, allowSessionUpgrade: false}}
          appearance: {{primaryColor: "#0f766e", launcherLabel: Chat, greeting: Hello, defaultLanguage: en}}
          sessionLifetimeSeconds: 3600
      - version: 2
        content: *signed_in
deployments:
  - id: {DEPLOYMENT}
    name: Website
    configuration: {{id: {CONFIGURATION}, version: null}}
    allowedDomains: [shop.example, "*.shop.example"]
    status: active
"##
    )
}

fn environment(name: &str) -> Option<String> {
    match name {
        "TEST_SECRET" | "SWITCHBOARD_CONFIG_SECRET_TEST" => Some("secret".to_owned()),
        "OTHER_SECRET" => Some("another secret".to_owned()),
        _ => None,
    }
}

fn operator() -> SecretReader<'static> {
    SecretReader::operator(&environment)
}

async fn apply(services: &Services, text: &str, dry_run: bool) -> config_as_code::Plan {
    let document = config_as_code::parse(text, Format::Yaml).expect("a valid document");
    config_as_code::apply(
        services,
        &document,
        &operator(),
        dry_run,
        &config_as_code::operator(),
    )
    .await
    .unwrap_or_else(|error| panic!("apply failed: {error:?}"))
}

fn actions(plan: &config_as_code::Plan) -> Vec<(&'static str, Action)> {
    plan.changes
        .iter()
        .map(|change| (change.object, change.action))
        .collect()
}

async fn applies(db: &DatabaseConnection) -> u64 {
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("config.apply"))
        .count(db)
        .await
        .unwrap()
}

async fn rows(db: &DatabaseConnection) -> (u64, u64, u64, u64) {
    (
        integration::Entity::find().count(db).await.unwrap(),
        configuration::Entity::find().count(db).await.unwrap(),
        deployment::Entity::find().count(db).await.unwrap(),
        audit_event::Entity::find().count(db).await.unwrap(),
    )
}

/// Another empty database on the same engine as `db`.
async fn empty_database_beside(db: &DatabaseConnection) -> TestDb {
    match db.get_database_backend() {
        DatabaseBackend::Postgres => TestDb::postgres().await,
        _ => TestDb::sqlite().await,
    }
}

async fn a_document_survives_export_and_apply_on_an_empty_database(db: &DatabaseConnection) {
    let provider = switchboard_core::testing::provider().await;
    let services = Services::for_tests(db.clone());
    let text = document(&provider, "TEST_SECRET");

    // A dry run plans every object and writes nothing.
    let before = rows(db).await;
    let plan = apply(&services, &text, true).await;
    assert!(plan.dry_run);
    assert_eq!(
        actions(&plan),
        [
            ("integration", Action::Create),
            ("messenger_configuration", Action::Create),
            ("messenger_deployment", Action::Create)
        ]
    );
    assert_eq!(rows(db).await, before);

    let plan = apply(&services, &text, false).await;
    assert!(!plan.dry_run);
    assert_eq!(applies(db).await, 1);
    let event = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("config.apply"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(event.actor, "operator (switchboard config apply)");
    let listed: Vec<String> = serde_json::from_value(event.changes).unwrap();
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert!(listed[0].starts_with("create integration \"Company sign-in\""));
    let active = switchboard_core::integrations::get(db, INTEGRATION.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(active.status, Status::Active);
    assert!(active.credentials.configured);
    assert_eq!(active.scopes, ["openid", "profile", "email"]);

    // The same document again changes nothing and says nothing in the audit log.
    let again = apply(&services, &text, false).await;
    assert!(!again.changes_anything(), "{again}");
    assert!(again.changes.iter().all(|c| c.action == Action::Unchanged));
    assert_eq!(applies(db).await, 1);

    // Export, apply to an empty database, export: the same document.
    let exported = config_as_code::to_yaml(&config_as_code::export(db).await.unwrap());
    let reread = config_as_code::parse(&exported, Format::Yaml).unwrap();
    let credentials = reread.integrations[0].credentials.as_ref().unwrap();
    assert_eq!(
        credentials.client_secret,
        Some(config_as_code::SecretRef::Env("TEST_SECRET".into()))
    );
    assert!(
        !exported.contains(": secret"),
        "no secret value: {exported}"
    );
    let empty = empty_database_beside(db).await;
    let elsewhere = Services::for_tests(empty.conn.clone());
    let plan = apply(&elsewhere, &exported, false).await;
    assert!(plan.changes.iter().all(|c| c.action == Action::Create));
    let exported_again =
        config_as_code::to_yaml(&config_as_code::export(&empty.conn).await.unwrap());
    empty.close().await;
    assert_eq!(exported_again, exported);

    // A changed secret and description update only what changed.
    let changed = text
        .replace("TEST_SECRET", "OTHER_SECRET")
        .replace("The help desk", "Our help desk");
    let plan = apply(&services, &changed, false).await;
    let updates: Vec<(&str, Vec<String>)> = plan
        .changes
        .iter()
        .filter(|change| change.action == Action::Update)
        .map(|change| (change.object, change.fields.clone()))
        .collect();
    assert_eq!(
        updates,
        [
            ("integration", vec!["client secret replaced".to_owned()]),
            ("messenger_configuration", vec!["description".to_owned()]),
        ],
        "{plan}"
    );
    assert_eq!(applies(db).await, 2);
}

/// Applies `text` and returns the paths of the keys the refusal names.
async fn refused(services: &Services, text: &str) -> Vec<(String, String)> {
    let fields = match config_as_code::parse(text, Format::Yaml) {
        Err(fields) => fields,
        Ok(document) => match config_as_code::apply(
            services,
            &document,
            &operator(),
            false,
            &config_as_code::operator(),
        )
        .await
        {
            Err(switchboard_core::Error::Invalid(fields)) => fields,
            other => panic!("not refused: {other:?}"),
        },
    };
    fields
        .into_iter()
        .map(|field| (field.field, field.message))
        .collect()
}

fn paths(found: &[(String, String)]) -> Vec<&str> {
    found.iter().map(|(path, _)| path.as_str()).collect()
}

async fn bad_documents_are_refused_before_anything_is_written(db: &DatabaseConnection) {
    let provider = switchboard_core::testing::provider().await;
    let services = Services::for_tests(db.clone());
    let good = document(&provider, "TEST_SECRET");
    let before = rows(db).await;

    let unknown = refused(
        &services,
        &good.replace(
            "sessionLifetimeSeconds: 3600\n    versions",
            "sessionLifetimeSeconds: 3600\n    colour: red\n    versions",
        ),
    )
    .await;
    assert_eq!(paths(&unknown), ["configurations[0].colour"]);
    assert!(unknown[0].1.contains("unknown key"), "{unknown:?}");

    let nested = refused(
        &services,
        &good.replace(
            "launcherLabel: Chat, greeting: Hi!",
            "launcherLable: Chat, greeting: Hi!",
        ),
    )
    .await;
    assert_eq!(
        paths(&nested),
        ["configurations[0].draft.appearance"],
        "a missing field is named at its parent: {nested:?}"
    );
    assert!(
        nested[0].1.contains("missing field `launcherLabel`"),
        "{nested:?}"
    );

    let wrong_type = refused(
        &services,
        &good.replace(
            "sessionLifetimeSeconds: 3600\n    versions",
            "sessionLifetimeSeconds: an hour\n    versions",
        ),
    )
    .await;
    assert_eq!(
        paths(&wrong_type),
        ["configurations[0].draft.sessionLifetimeSeconds"]
    );
    assert!(
        wrong_type[0]
            .1
            .starts_with("invalid type: string \"an hour\", expected i64"),
        "{wrong_type:?}"
    );

    let literal = refused(
        &services,
        &good.replace("{env: TEST_SECRET}", "hunter2-the-secret"),
    )
    .await;
    assert_eq!(
        paths(&literal),
        ["integrations[0].credentials.clientSecret"]
    );
    assert!(literal[0].1.contains(LITERAL_SECRET), "{literal:?}");
    assert!(
        !literal[0].1.contains("hunter2"),
        "the value is never repeated"
    );

    let unset = refused(&services, &good.replace("TEST_SECRET", "NOT_SET_ANYWHERE")).await;
    assert_eq!(paths(&unset), ["integrations[0].credentials.clientSecret"]);
    assert!(
        unset[0].1.contains("NOT_SET_ANYWHERE is not set"),
        "{unset:?}"
    );

    // A configuration naming an integration that is neither in the file nor in the database.
    let without_integration = {
        let start = good.find("integrations:").unwrap();
        let end = good.find("configurations:").unwrap();
        format!("{}{}", &good[..start], &good[end..])
    };
    let dangling = refused(&services, &without_integration).await;
    assert_eq!(
        paths(&dangling),
        [
            "configurations[0].draft.authentication.integrationId",
            "configurations[0].versions[1].content.authentication.integrationId",
        ],
        "{dangling:?}"
    );
    assert!(dangling[0].1.contains("in the file or in the database"));

    // A deployment naming a configuration nobody has.
    let lost = refused(
        &services,
        &good.replace(
            &format!("{{id: {CONFIGURATION}, version: null}}"),
            "{id: 00000000-0000-4000-8000-000000000000, version: null}",
        ),
    )
    .await;
    assert_eq!(paths(&lost), ["deployments[0].configuration.id"]);

    // Several problems at once, each with its path; bad domains too.
    let several = refused(
        &services,
        &good
            .replace("name: Website", "name: \"\"")
            .replace("shop.example, ", "\"http://\", "),
    )
    .await;
    assert_eq!(
        paths(&several),
        ["deployments[0].name", "deployments[0].allowedDomains"],
        "{several:?}"
    );

    // Sign-in on every site is refused, as in the console.
    let open = refused(
        &services,
        &good.replace(
            "    allowedDomains: [shop.example, \"*.shop.example\"]",
            "    allowAllDomains: true",
        ),
    )
    .await;
    assert_eq!(paths(&open), ["deployments[0].allowAllDomains"]);

    // Active needs a passing connection test.
    let unreachable = refused(
        &services,
        &good.replace(&format!("{provider}/good"), &format!("{provider}/no-jwks")),
    )
    .await;
    assert_eq!(paths(&unreachable), ["integrations[0].status"]);
    assert!(
        unreachable[0].1.contains("connection test fails"),
        "{unreachable:?}"
    );

    let duplicate = refused(&services, &good.replace(DEPLOYMENT, CONFIGURATION).replace("deployments:\n", &format!("deployments:\n  - id: {CONFIGURATION}\n    name: Twin\n    configuration: {{id: {CONFIGURATION}, version: null}}\n    allowedDomains: [a.example]\n")) ).await;
    assert!(
        paths(&duplicate).contains(&"deployments[1].id"),
        "{duplicate:?}"
    );

    assert_eq!(rows(db).await, before, "nothing was written");
}

async fn published_versions_never_change_through_a_document(db: &DatabaseConnection) {
    let provider = switchboard_core::testing::provider().await;
    let services = Services::for_tests(db.clone());
    let text = document(&provider, "TEST_SECRET");
    apply(&services, &text, false).await;

    let rewritten = refused(
        &services,
        &text.replace("greeting: Hello", "greeting: Rewritten"),
    )
    .await;
    assert_eq!(paths(&rewritten), ["configurations[0].versions[0].content"]);
    assert!(
        rewritten[0]
            .1
            .contains("version 1 is published and never changes (greeting differ)"),
        "{rewritten:?}"
    );

    let dropped = {
        let start = text.find("      - version: 2").unwrap();
        let end = text.find("deployments:").unwrap();
        format!("{}{}", &text[..start], &text[end..])
    };
    let dropped = refused(&services, &dropped).await;
    assert_eq!(paths(&dropped), ["configurations[0].versions"]);
    assert!(
        dropped[0]
            .1
            .contains("version 2 is published in the database but not in the file")
    );

    // A new version is published by the document.
    let third = text.replace(
        "deployments:",
        "      - version: 3\n        content: *signed_in\ndeployments:",
    );
    let plan = apply(&services, &third, false).await;
    let configuration = plan
        .changes
        .iter()
        .find(|change| change.object == "messenger_configuration")
        .unwrap();
    assert_eq!(configuration.fields, ["version 3 published"]);
    let published = switchboard_core::messenger::get(db, CONFIGURATION.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(published.versions.len(), 3);
    assert_eq!(
        published.versions[2].published_by,
        "operator (switchboard config apply)"
    );
}

async fn put(
    app: &TestApp,
    token: &str,
    query: &str,
    content_type: &str,
    body: &str,
) -> common::Answer {
    let request = Request::builder()
        .method(Method::PUT)
        .uri(format!("/api/v2/config{query}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body.to_owned()))
        .unwrap();
    app.send(request).await
}

async fn the_config_api_exports_and_applies(db: &DatabaseConnection) {
    let provider = switchboard_core::testing::provider().await;
    let web = switchboard_server::WebSettings {
        config_environment: environment,
        ..switchboard_server::WebSettings::new(common::BASE.to_owned())
    };
    let app = TestApp::with_web(db, web);
    let admin = app.token("deploy", Role::Admin).await;
    let viewer = app.token("dashboards", Role::Viewer).await;
    let yaml = "application/yaml";

    // Over the API, only the operator's SWITCHBOARD_CONFIG_SECRET_* variables are readable.
    let text = document(&provider, "TEST_SECRET");
    let outside = put(&app, &admin, "", yaml, &text).await;
    assert_eq!(
        outside.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        outside.body
    );
    assert_eq!(
        outside.json()["fields"][0]["field"],
        "integrations[0].credentials.clientSecret"
    );

    let text = document(&provider, "SWITCHBOARD_CONFIG_SECRET_TEST");
    let viewer_put = put(&app, &viewer, "", yaml, &text).await;
    assert_eq!(viewer_put.status, StatusCode::FORBIDDEN);
    let wrong_type = put(&app, &admin, "", "text/plain", &text).await;
    assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let bad_query = put(&app, &admin, "?dryRun=perhaps", yaml, &text).await;
    assert_eq!(bad_query.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_query.json()["error"], "bad_request");

    let before = rows(db).await;
    let dry = put(&app, &admin, "?dryRun=true", yaml, &text).await;
    assert_eq!(dry.status, StatusCode::OK, "{}", dry.body);
    assert_eq!(dry.json()["dryRun"], true);
    assert_eq!(dry.json()["changes"][0]["action"], "create");
    assert_eq!(rows(db).await, before);

    let applied = put(&app, &admin, "", yaml, &text).await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    assert_eq!(applied.json()["dryRun"], false);
    assert_eq!(applies(db).await, 1);
    let event = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("config.apply"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(event.actor, "token:deploy");

    // GET: YAML unless JSON is asked for; viewers may read it.
    let exported = app.api(Method::GET, "/api/v2/config", &viewer, None).await;
    assert_eq!(exported.status, StatusCode::OK);
    assert_eq!(exported.header(header::CONTENT_TYPE), Some(yaml));
    let document: Document = config_as_code::parse(&exported.body, Format::Yaml).unwrap();
    assert_eq!(document.deployments[0].id.to_string(), DEPLOYMENT);
    let request = Request::get("/api/v2/config")
        .header(header::AUTHORIZATION, format!("Bearer {viewer}"))
        .header(header::ACCEPT, "application/json")
        .body(Body::empty())
        .unwrap();
    let json = app.send(request).await;
    assert_eq!(json.header(header::CONTENT_TYPE), Some("application/json"));
    let from_json: Document = config_as_code::parse(&json.body, Format::Json).unwrap();
    assert_eq!(from_json, document);

    // The JSON export applies as is, and changes nothing.
    let again = put(&app, &admin, "", "application/json", &json.body).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert!(
        again.json()["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|change| change["action"] == "unchanged"),
        "{}",
        again.body
    );
    assert_eq!(applies(db).await, 1);
}

/// `switchboard config ...` as the operator runs it, on a SQLite file.
fn switchboard(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(args)
        .env(
            "SWITCHBOARD_DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.join("switchboard.db").display()),
        )
        .env("SWITCHBOARD_SECRET_KEY_FILE", dir.join("secret.key"))
        .env("SWITCHBOARD_ALLOW_INSECURE_LOCALHOST", "1")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

async fn run(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let dir = dir.to_owned();
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    let output = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        switchboard(&dir, &args)
    })
    .await
    .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_plans_applies_and_exports() {
    let provider = switchboard_core::testing::provider().await;
    let dir = std::env::temp_dir().join(format!("switchboard-config-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let secret = dir.join("okta-secret");
    std::fs::write(&secret, "secret\n").unwrap();
    let text = document(&provider, "TEST_SECRET").replace(
        "{env: TEST_SECRET}",
        &format!("{{file: {}}}", secret.display()),
    );
    let file = dir.join("switchboard.yaml");
    std::fs::write(&file, &text).unwrap();
    let path = file.display().to_string();

    let (ok, plan, log) = run(&dir, &["config", "apply", &path, "--dry-run"]).await;
    assert!(ok, "{log}");
    assert!(
        plan.contains("create integration \"Company sign-in\""),
        "{plan}"
    );
    assert!(plan.ends_with("3 to create, 0 to update, 0 unchanged, 0 not in the file. Dry run: nothing was written.\n"), "{plan}");
    let (_, exported, _) = run(&dir, &["config", "export"]).await;
    let nothing = config_as_code::parse(&exported, Format::Yaml).unwrap();
    assert_eq!(nothing, Document::default(), "the dry run wrote nothing");

    let (ok, plan, log) = run(&dir, &["config", "apply", &path]).await;
    assert!(ok, "{log}");
    assert!(
        plan.ends_with("3 to create, 0 to update, 0 unchanged, 0 not in the file.\n"),
        "{plan}"
    );
    let (ok, plan, _) = run(&dir, &["config", "apply", &path]).await;
    assert!(ok);
    assert!(
        plan.ends_with("0 to create, 0 to update, 3 unchanged, 0 not in the file.\n"),
        "{plan}"
    );

    let (ok, exported, _) = run(&dir, &["config", "export"]).await;
    assert!(ok);
    let document = config_as_code::parse(&exported, Format::Yaml).unwrap();
    let credentials = document.integrations[0].credentials.clone().unwrap();
    assert_eq!(
        credentials.client_secret,
        Some(config_as_code::SecretRef::File(
            secret.display().to_string()
        ))
    );
    assert!(!exported.contains(": secret"), "{exported}");

    std::fs::write(
        &file,
        text.replace(&format!("{{file: {}}}", secret.display()), "secret"),
    )
    .unwrap();
    let (ok, _, log) = run(&dir, &["config", "apply", &path]).await;
    assert!(!ok, "a literal secret is refused");
    assert!(
        log.contains("was not applied; nothing was written"),
        "{log}"
    );
    assert!(
        log.contains(
            "integrations[0].credentials.clientSecret: a secret is never written in the file"
        ),
        "{log}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
