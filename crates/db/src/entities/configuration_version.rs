use sea_orm::entity::prelude::*;

/// A published, immutable version of a messenger configuration.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "messenger_configuration_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub configuration_id: Uuid,
    /// 1, 2, 3... per configuration.
    pub version: i32,
    #[sea_orm(column_type = "JsonBinary")]
    pub content: Json,
    pub published_by: String,
    pub published_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::configuration::Entity",
        from = "Column::ConfigurationId",
        to = "super::configuration::Column::Id",
        on_delete = "Cascade"
    )]
    Configuration,
}

impl Related<super::configuration::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Configuration.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
