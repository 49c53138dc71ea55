//! The lists behind the console pages read what is stored, in the order the pages promise.

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use serde_json::json;
use switchboard_core::admins::{Principal, PrincipalKind};
use switchboard_core::inbox::{self, InboxQuery};
use switchboard_core::{audit, deployments, integrations, messenger};
use switchboard_db::entities::{
    configuration, configuration_version, conversation, deployment, integration,
};
use switchboard_db::test_on_each_engine;
use switchboard_db::testing::integration_row;
use switchboard_domain::integration::Status;
use uuid::Uuid;

test_on_each_engine!(
    empty_database_gives_empty_lists,
    integrations_are_summarised_by_name,
    configurations_show_their_latest_version,
    deployments_name_their_configuration,
    conversations_put_newest_activity_first,
    audit_events_are_paged_newest_first_and_filtered,
);

async fn empty_database_gives_empty_lists(db: &DatabaseConnection) {
    assert!(integrations::list(db).await.unwrap().is_empty());
    assert!(messenger::list_configurations(db).await.unwrap().is_empty());
    assert!(deployments::list(db).await.unwrap().is_empty());
    assert!(
        inbox::list(db, &InboxQuery::default(), &agent())
            .await
            .unwrap()
            .is_empty()
    );
    let page = audit::list(db, None, 0).await.unwrap();
    assert_eq!((page.events.len(), page.total), (0, 0));
}

/// Whoever reads the inbox; "All" is the same for everyone.
fn agent() -> Principal {
    Principal {
        id: Uuid::new_v4(),
        name: "ada@example.com".into(),
        role: switchboard_domain::admin::Role::Admin,
        kind: PrincipalKind::Admin,
    }
}

async fn insert_integration(
    db: &DatabaseConnection,
    name: &str,
    uri: Option<&str>,
    check: Option<bool>,
) {
    let now = Utc::now();
    integration::ActiveModel {
        status: Set(if check == Some(true) {
            "active"
        } else {
            "inactive"
        }
        .into()),
        discovery_uri: Set(uri.map(Into::into)),
        last_check: Set(check.map(|ok| json!({"ok": ok, "items": []}))),
        last_checked_at: Set(check.map(|_| now)),
        ..integration_row(name)
    }
    .insert(db)
    .await
    .unwrap();
}

async fn integrations_are_summarised_by_name(db: &DatabaseConnection) {
    insert_integration(
        db,
        "Okta",
        Some("https://acme.okta.com/.well-known/openid-configuration"),
        Some(true),
    )
    .await;
    insert_integration(db, "Keycloak", None, None).await;
    let list = integrations::list(db).await.unwrap();
    let names: Vec<_> = list.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["Keycloak", "Okta"]);
    assert_eq!(list[0].provider_host, None);
    assert_eq!(list[0].last_check_ok, None);
    assert_eq!(list[0].status, Status::Inactive);
    assert_eq!(list[1].provider_host.as_deref(), Some("acme.okta.com"));
    assert_eq!(list[1].last_check_ok, Some(true));
    assert_eq!(list[1].status, Status::Active);
}

async fn insert_configuration(db: &DatabaseConnection, name: &str, versions: i32) -> Uuid {
    let now = Utc::now();
    let id = Uuid::new_v4();
    configuration::ActiveModel {
        id: Set(id),
        name: Set(name.into()),
        description: Set(format!("{name} description")),
        draft: Set(json!({})),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .unwrap();
    for version in 1..=versions {
        configuration_version::ActiveModel {
            configuration_id: Set(id),
            version: Set(version),
            content: Set(json!({})),
            published_by: Set("ada@example.com".into()),
            published_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    id
}

async fn configurations_show_their_latest_version(db: &DatabaseConnection) {
    insert_configuration(db, "Support", 3).await;
    insert_configuration(db, "Sales", 0).await;
    let list = messenger::list_configurations(db).await.unwrap();
    let summary: Vec<_> = list
        .iter()
        .map(|c| (c.name.as_str(), c.latest_version))
        .collect();
    assert_eq!(summary, [("Sales", None), ("Support", Some(3))]);
    assert_eq!(list[1].description, "Support description");
}

async fn insert_deployment(db: &DatabaseConnection, name: &str, configuration_id: Uuid) -> Uuid {
    let now = Utc::now();
    let id = Uuid::new_v4();
    deployment::ActiveModel {
        id: Set(id),
        name: Set(name.into()),
        description: Set(String::new()),
        configuration_id: Set(configuration_id),
        configuration_version: Set(Some(2)),
        allowed_domains: Set(json!(["example.com"])),
        allow_all_domains: Set(false),
        status: Set("active".into()),
        created_at: Set(now),
        updated_at: Set(now),
        page_sign_in: Set(false),
        page_redirect_uris: Set(None),
    }
    .insert(db)
    .await
    .unwrap();
    id
}

async fn deployments_name_their_configuration(db: &DatabaseConnection) {
    let configuration = insert_configuration(db, "Support", 2).await;
    insert_deployment(db, "Website", configuration).await;
    let list = deployments::list(db).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, "Website");
    assert_eq!(list[0].configuration_name, "Support");
    assert_eq!(list[0].configuration_version, Some(2));
    assert_eq!(list[0].status, Status::Active);
}

async fn conversations_put_newest_activity_first(db: &DatabaseConnection) {
    let configuration = insert_configuration(db, "Support", 1).await;
    let deployment = insert_deployment(db, "Website", configuration).await;
    let now = Utc::now();
    for (minutes_ago, identity) in [
        (30, None),
        (
            5,
            Some(
                json!({"issuer": "https://idp", "subject": "00u1", "email": "ada@example.com", "name": "Ada", "groups": ["support"]}),
            ),
        ),
    ] {
        conversation::ActiveModel {
            id: Set(Uuid::new_v4()),
            deployment_id: Set(deployment),
            identity: Set(identity),
            status: Set("open".into()),
            created_at: Set(now - Duration::minutes(minutes_ago)),
            last_activity_at: Set(now - Duration::minutes(minutes_ago)),
            agent_read_id: Set(0),
            person: Set(None),
            visitor_typing_at: Set(None),
            assignee_id: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    let list = inbox::list(db, &InboxQuery::default(), &agent())
        .await
        .unwrap();
    let labels: Vec<_> = list.iter().map(|c| c.visitor_label()).collect();
    assert_eq!(labels, ["Ada", "Anonymous visitor"]);
    assert_eq!(list[0].deployment_name, "Website");
    assert_eq!(list[0].identity.as_ref().unwrap().groups, ["support"]);
}

async fn audit_events_are_paged_newest_first_and_filtered(db: &DatabaseConnection) {
    let total = audit::PAGE_SIZE + 1;
    for n in 0..total {
        let object_type = if n % 2 == 0 { "integration" } else { "admin" };
        audit::record(
            db,
            audit::NewEvent {
                actor: "ada@example.com",
                action: "test.event",
                object_type,
                object_id: Some(n.to_string()),
                changes: vec![format!("field {n}")],
            },
        )
        .await
        .unwrap();
    }
    let first = audit::list(db, None, 0).await.unwrap();
    assert_eq!(first.total, total);
    assert_eq!(first.events.len() as u64, audit::PAGE_SIZE);
    assert!(first.has_older() && !first.has_newer());
    // Newest first: the last recorded event leads.
    assert_eq!(first.events[0].object_id.as_deref(), Some("50"));
    assert_eq!(first.events[0].changes, ["field 50"]);
    let second = audit::list(db, None, 1).await.unwrap();
    assert_eq!(second.events.len(), 1);
    assert_eq!(second.events[0].object_id.as_deref(), Some("0"));

    let admins = audit::list(db, Some("admin"), 0).await.unwrap();
    assert_eq!(admins.total, total / 2);
    assert!(admins.events.iter().all(|e| e.object_type == "admin"));
}
