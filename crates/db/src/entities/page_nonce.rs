use sea_orm::entity::prelude::*;

/// A nonce issued for page-side sign-in, single use.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "page_nonces")]
pub struct Model {
    /// SHA-256 (hex) of the nonce; the value itself goes only to the page.
    #[sea_orm(primary_key, auto_increment = false)]
    pub nonce_hash: String,
    pub deployment_id: Uuid,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
