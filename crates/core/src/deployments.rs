//! Messenger deployments.

use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};
use switchboard_db::entities::{configuration, deployment};
use switchboard_domain::deployment::DeploymentSummary;

use crate::Error;

/// Every deployment, by name, with the name of the configuration it serves.
pub async fn list(db: &DatabaseConnection) -> Result<Vec<DeploymentSummary>, Error> {
    deployment::Entity::find()
        .find_also_related(configuration::Entity)
        .order_by_asc(deployment::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|(row, configuration)| {
            Ok(DeploymentSummary {
                status: row
                    .status
                    .parse()
                    .map_err(|e| Error::Corrupt(format!("deployment {}: {e}", row.id)))?,
                configuration_name: configuration.map(|c| c.name).unwrap_or_default(),
                configuration_version: row.configuration_version,
                id: row.id,
                name: row.name,
                updated_at: row.updated_at,
            })
        })
        .collect()
}
