//! Conversations between visitors and agents.

use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder, QuerySelect};
use switchboard_db::entities::{conversation, deployment};
use switchboard_domain::conversation::{ConversationSummary, Identity};

use crate::Error;

/// The inbox shows this many conversations at most, newest activity first.
pub const INBOX_LIMIT: u64 = 200;

/// The inbox: conversations with the newest activity first.
pub async fn list(db: &DatabaseConnection) -> Result<Vec<ConversationSummary>, Error> {
    conversation::Entity::find()
        .find_also_related(deployment::Entity)
        .order_by_desc(conversation::Column::LastActivityAt)
        .limit(INBOX_LIMIT)
        .all(db)
        .await?
        .into_iter()
        .map(|(row, deployment)| {
            let identity = row
                .identity
                .map(serde_json::from_value::<Identity>)
                .transpose()
                .map_err(|e| Error::Corrupt(format!("conversation {}: {e}", row.id)))?;
            Ok(ConversationSummary {
                id: row.id,
                deployment_name: deployment.map(|d| d.name).unwrap_or_default(),
                identity,
                last_activity_at: row.last_activity_at,
            })
        })
        .collect()
}
