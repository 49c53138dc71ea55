use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "integrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// `IntegrationKind::as_str`.
    pub kind: String,
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
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
