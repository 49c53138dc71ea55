use sea_orm::entity::prelude::*;

/// One visitor (or test) sign-in through an integration, successful or not.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_in_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub integration_id: Uuid,
    pub deployment_id: Option<Uuid>,
    /// `visitor`, `exchange` (page-side sign-in), `refresh` or `test`.
    pub purpose: String,
    pub at: DateTimeUtc,
    pub succeeded: bool,
    /// The reason code of a failure (`state_mismatch`, `invalid_id_token: nonce mismatch`, ...).
    pub reason: Option<String>,
    /// A sentence for the admin: what was expected and what came.
    pub detail: Option<String>,
    pub subject: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::integration::Entity",
        from = "Column::IntegrationId",
        to = "super::integration::Column::Id",
        on_delete = "Cascade"
    )]
    Integration,
}

impl Related<super::integration::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Integration.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
