use sea_orm::entity::prelude::*;

/// The signing keys last fetched from an integration's provider, shared by every instance.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "provider_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub integration_id: Uuid,
    /// Where they came from: keys of another `jwks_uri` are not used.
    pub jwks_uri: String,
    /// The JWKS document as the provider sent it.
    #[sea_orm(column_type = "Text")]
    pub jwks: String,
    pub fetched_at: DateTimeUtc,
    /// When the provider's `Cache-Control` says to fetch them again.
    pub expires_at: DateTimeUtc,
    /// The last fetch for a token signed by a key nobody had: at most one a minute.
    pub unknown_key_refetch_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
