use sea_orm::entity::prelude::*;

/// A back-channel logout token already taken, until it expires.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "logout_tokens")]
pub struct Model {
    /// SHA-256 (hex) of the issuer and the token's `jti`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub jti_hash: String,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
