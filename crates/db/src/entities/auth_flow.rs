use sea_orm::entity::prelude::*;

/// A sign-in under way at a provider: what the callback needs to finish it, single use.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "auth_flows")]
pub struct Model {
    /// SHA-256 (hex) of the `state` parameter; the value itself travels only in the URL.
    #[sea_orm(primary_key, auto_increment = false)]
    pub state_hash: String,
    /// `visitor` (a messenger sign-in) or `test` (an admin's "Test sign-in").
    pub purpose: String,
    pub deployment_id: Option<Uuid>,
    pub integration_id: Uuid,
    pub nonce: String,
    /// AEAD-sealed PKCE code verifier.
    pub pkce_verifier_sealed: Vec<u8>,
    /// SHA-256 (hex) of the cookie set in the browser that started the flow.
    pub browser_hash: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
