use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "messenger_deployments")]
pub struct Model {
    /// Public: it appears in the snippet.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub configuration_id: Uuid,
    /// The pinned published version; `None` serves the latest.
    pub configuration_version: Option<i32>,
    /// A JSON array of host patterns (`example.com`, `*.example.com`).
    #[sea_orm(column_type = "JsonBinary")]
    pub allowed_domains: Json,
    pub allow_all_domains: bool,
    /// `Status::as_str`.
    pub status: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The site's own login hands its codes to the messenger (the exchange); off by default.
    pub page_sign_in: bool,
    /// A JSON array of the redirect URIs that login uses; `None` lists none.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub page_redirect_uris: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::configuration::Entity",
        from = "Column::ConfigurationId",
        to = "super::configuration::Column::Id",
        on_delete = "Restrict"
    )]
    Configuration,
    #[sea_orm(has_many = "super::conversation::Entity")]
    Conversations,
}

impl Related<super::configuration::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Configuration.def()
    }
}

impl Related<super::conversation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Conversations.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
