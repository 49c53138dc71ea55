use sea_orm::entity::prelude::*;

/// A console tab in use: its admin is online until `active_until` unless the tab says
/// otherwise sooner.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "console_tabs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub admin_id: Uuid,
    /// Chosen by the tab when it loads; only unique among one admin's tabs.
    #[sea_orm(primary_key, auto_increment = false)]
    pub tab: Uuid,
    pub active_until: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
