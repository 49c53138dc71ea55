use sea_orm::Set;
use sea_orm::entity::prelude::*;
use switchboard_domain::integration::{IntegrationKind, Status};
use switchboard_domain::integration_settings::{
    DEFAULT_CLOCK_SKEW_SECONDS, DEFAULT_REFRESH_LIFETIME_SECONDS, DEFAULT_SCOPES,
};
use switchboard_domain::provider::ProviderKind;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "integrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// `IntegrationKind::as_str`.
    pub kind: String,
    /// `ProviderKind::as_str`: the profile it was set up for.
    pub provider: String,
    /// `Status::as_str`.
    pub status: String,
    pub discovery_uri: Option<String>,
    /// A JSON array of scope names.
    #[sea_orm(column_type = "JsonBinary")]
    pub scopes: Json,
    pub max_refresh_token_lifetime_seconds: i64,
    /// A JSON array of group names; empty allows everyone.
    #[sea_orm(column_type = "JsonBinary")]
    pub allowed_groups: Json,
    pub clock_skew_seconds: i32,
    pub client_id: Option<String>,
    /// AEAD-sealed; never plaintext.
    pub client_secret_sealed: Option<Vec<u8>>,
    /// AEAD-sealed; never plaintext.
    pub okta_api_token_sealed: Option<Vec<u8>>,
    pub credentials_updated_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub last_check: Option<Json>,
    pub last_checked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// `environment` when the `IDP_*` variables declare it; `None` for the console's own.
    pub managed_by: Option<String>,
    /// Where a configuration file said the client secret comes from (`{"env":"NAME"}`);
    /// `None` when it was typed in the console or the API.
    pub client_secret_ref: Option<String>,
    /// The same for the Okta API token.
    pub okta_api_token_ref: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl ActiveModel {
    /// A new integration as the catalog installs it: inactive, no credentials, the default
    /// scopes, refresh lifetime and clock skew. The one place these defaults are written.
    pub fn installed(name: &str, provider: ProviderKind, discovery_uri: Option<String>) -> Self {
        let now = chrono::Utc::now();
        Self {
            id: Set(Uuid::new_v4()),
            name: Set(name.to_owned()),
            kind: Set(IntegrationKind::OpenidConnectMessenger.as_str().to_owned()),
            provider: Set(provider.as_str().to_owned()),
            status: Set(Status::Inactive.as_str().to_owned()),
            discovery_uri: Set(discovery_uri),
            scopes: Set(serde_json::json!(DEFAULT_SCOPES)),
            max_refresh_token_lifetime_seconds: Set(DEFAULT_REFRESH_LIFETIME_SECONDS),
            allowed_groups: Set(serde_json::json!([])),
            clock_skew_seconds: Set(DEFAULT_CLOCK_SKEW_SECONDS),
            client_id: Set(None),
            client_secret_sealed: Set(None),
            okta_api_token_sealed: Set(None),
            credentials_updated_at: Set(None),
            last_check: Set(None),
            last_checked_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            managed_by: Set(None),
            client_secret_ref: Set(None),
            okta_api_token_ref: Set(None),
        }
    }
}
