use sea_orm::entity::prelude::*;

/// A visitor's messenger session, signed in or anonymous.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "messenger_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// SHA-256 (hex) of the bearer token; the token itself is never stored.
    #[sea_orm(unique)]
    pub token_hash: String,
    pub deployment_id: Uuid,
    /// The integration that signed the visitor in; `None` for an anonymous session.
    pub integration_id: Option<Uuid>,
    /// The validated identity (`domain::conversation::Identity`).
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub identity: Option<Json>,
    /// AEAD-sealed refresh token from the provider, when it granted one.
    pub refresh_token_sealed: Option<Vec<u8>>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// No refresh extends the session past this.
    pub latest_expiry: DateTimeUtc,
    pub ended_at: Option<DateTimeUtc>,
    /// The conversation this session writes to, once the visitor wrote.
    pub conversation_id: Option<Uuid>,
    /// AEAD-sealed ID token the session was signed in with: the `id_token_hint` of sign-out.
    pub id_token_sealed: Option<Vec<u8>>,
    /// Where the provider returns the visitor after signing out.
    pub post_logout_redirect_uri: Option<String>,
    /// The provider's session (the ID token's `sid`), which back-channel logout may name.
    pub provider_sid: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::deployment::Entity",
        from = "Column::DeploymentId",
        to = "super::deployment::Column::Id",
        on_delete = "Cascade"
    )]
    Deployment,
}

impl Related<super::deployment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Deployment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
