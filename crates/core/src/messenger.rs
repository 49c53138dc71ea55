//! Messenger configurations and their published versions.

use std::collections::HashMap;

use sea_orm::{
    DatabaseConnection, EntityTrait, QueryOrder, QuerySelect, prelude::Expr, sea_query::Func,
};
use switchboard_db::entities::{configuration, configuration_version};
use switchboard_domain::messenger::ConfigurationSummary;
use uuid::Uuid;

use crate::Error;

/// Every configuration, by name, with its newest published version.
pub async fn list_configurations(
    db: &DatabaseConnection,
) -> Result<Vec<ConfigurationSummary>, Error> {
    let latest: HashMap<Uuid, i32> = configuration_version::Entity::find()
        .select_only()
        .column(configuration_version::Column::ConfigurationId)
        .expr(Func::max(Expr::col(configuration_version::Column::Version)))
        .group_by(configuration_version::Column::ConfigurationId)
        .into_tuple::<(Uuid, i32)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let rows = configuration::Entity::find()
        .order_by_asc(configuration::Column::Name)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| ConfigurationSummary {
            latest_version: latest.get(&row.id).copied(),
            id: row.id,
            name: row.name,
            description: row.description,
            updated_at: row.updated_at,
        })
        .collect())
}
