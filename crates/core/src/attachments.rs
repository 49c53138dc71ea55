//! Files sent in a conversation, by the visitor or an agent. Each is checked against the
//! rules of the configuration its deployment serves (kinds, size; the kind read from the
//! bytes), then stored with the message that carries it in one transaction: in the database,
//! or in the folder [`crate::Settings::attachments_dir`] names. A refused or failed upload
//! leaves nothing behind.

use std::path::{Path, PathBuf};

use chrono::Utc;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use switchboard_db::entities::{attachment, conversation};
use switchboard_domain::attachment::{Attachment, AttachmentRules, file_name};
use uuid::Uuid;

use crate::messenger_sessions::Session;
use crate::{Error, Services};

/// A file as it arrives: the name it was sent with and its bytes.
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// A file checked and, in folder storage, written; stored with its message by [`Self::insert`].
#[derive(Debug)]
pub(crate) struct Checked<'a> {
    pub attachment: Attachment,
    bytes: &'a [u8],
    /// Where the bytes were written, when kept in the folder.
    file: Option<PathBuf>,
}

/// What [`for_agent`] and [`for_visitor`] hand out.
#[derive(Debug)]
pub struct StoredFile {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The rules of the configuration deployment `id` serves (the defaults once it serves none).
pub(crate) async fn rules(
    services: &Services,
    deployment_id: Uuid,
) -> Result<AttachmentRules, Error> {
    Ok(crate::deployments::served(services, deployment_id)
        .await?
        .map(|served| served.content.attachments)
        .unwrap_or_default())
}

/// Checks `upload` against `rules` and, in folder storage, writes it (under a new id, renamed
/// into place whole), before any row is written.
pub(crate) async fn check<'a>(
    services: &Services,
    rules: &AttachmentRules,
    upload: Upload<'a>,
) -> Result<Checked<'a>, Error> {
    let content_type = rules
        .check(upload.bytes)
        .map_err(|error| Error::Invalid(vec![error]))?;
    let attachment = Attachment {
        id: Uuid::new_v4(),
        name: file_name(upload.name),
        content_type: content_type.to_owned(),
        size: upload.bytes.len() as u64,
    };
    let file = match &services.settings().attachments_dir {
        None => None,
        Some(dir) => Some(write(dir, attachment.id, upload.bytes).await?),
    };
    Ok(Checked {
        attachment,
        bytes: upload.bytes,
        file,
    })
}

impl Checked<'_> {
    /// Stores the file's row in conversation `conversation_id`, inside the caller's transaction.
    pub(crate) async fn insert<C: ConnectionTrait>(
        &self,
        db: &C,
        conversation_id: Uuid,
    ) -> Result<(), Error> {
        attachment::ActiveModel {
            id: Set(self.attachment.id),
            conversation_id: Set(conversation_id),
            name: Set(self.attachment.name.clone()),
            content_type: Set(self.attachment.content_type.clone()),
            size: Set(i64::try_from(self.attachment.size).unwrap_or(i64::MAX)),
            data: Set(self.file.is_none().then(|| self.bytes.to_vec())),
            created_at: Set(Utc::now()),
        }
        .insert(db)
        .await?;
        Ok(())
    }

    /// The message was not stored: the file written for it goes too.
    pub(crate) async fn abandon(self) {
        if let Some(file) = self.file
            && let Err(error) = tokio::fs::remove_file(&file).await
        {
            tracing::warn!(%error, file = %file.display(), "cannot remove an abandoned attachment");
        }
    }
}

async fn write(dir: &Path, id: Uuid, bytes: &[u8]) -> Result<PathBuf, Error> {
    let failed = |error: std::io::Error| {
        tracing::error!(%error, dir = %dir.display(), "cannot write an attachment");
        Error::Corrupt("The attachments folder cannot be written.".into())
    };
    tokio::fs::create_dir_all(dir).await.map_err(failed)?;
    let partial = dir.join(format!("{id}.partial"));
    let file = dir.join(id.to_string());
    tokio::fs::write(&partial, bytes).await.map_err(failed)?;
    if let Err(error) = tokio::fs::rename(&partial, &file).await {
        let _ = tokio::fs::remove_file(&partial).await;
        return Err(failed(error));
    }
    Ok(file)
}

/// Where the files of deployment `deployment_id`'s conversations are kept in the folder (none
/// without one), read before the deployment is deleted.
pub(crate) async fn in_folder_of<C: ConnectionTrait>(
    services: &Services,
    db: &C,
    deployment_id: Uuid,
) -> Result<Vec<PathBuf>, Error> {
    let Some(dir) = &services.settings().attachments_dir else {
        return Ok(vec![]);
    };
    let conversations = Query::select()
        .column(conversation::Column::Id)
        .from(conversation::Entity)
        .and_where(conversation::Column::DeploymentId.eq(deployment_id))
        .to_owned();
    let ids: Vec<Uuid> = attachment::Entity::find()
        .select_only()
        .column(attachment::Column::Id)
        .filter(attachment::Column::ConversationId.in_subquery(conversations))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().map(|id| dir.join(id.to_string())).collect())
}

/// Removes `files` whose rows are gone; one already gone is no error.
pub(crate) async fn remove_files(files: Vec<PathBuf>) {
    for file in files {
        match tokio::fs::remove_file(&file).await {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                tracing::warn!(%error, file = %file.display(), "cannot remove a deleted attachment");
            }
        }
    }
}

/// Attachment `id` for an agent (any conversation).
pub async fn for_agent(services: &Services, id: Uuid) -> Result<StoredFile, Error> {
    let row = attachment::Entity::find_by_id(id)
        .one(services.db())
        .await?
        .ok_or(Error::NotFound("attachment"))?;
    read(services, row).await
}

/// Attachment `id` for the visitor of `session`: only from a conversation they can see.
pub async fn for_visitor(
    services: &Services,
    session: &Session,
    id: Uuid,
) -> Result<StoredFile, Error> {
    let row = attachment::Entity::find_by_id(id)
        .one(services.db())
        .await?
        .ok_or(Error::NotFound("attachment"))?;
    let visible = crate::conversations::visible_to(services.db(), session).await?;
    if !visible.contains(&row.conversation_id) {
        return Err(Error::NotFound("attachment"));
    }
    read(services, row).await
}

async fn read(services: &Services, row: attachment::Model) -> Result<StoredFile, Error> {
    let bytes = match (row.data, &services.settings().attachments_dir) {
        (Some(bytes), _) => bytes,
        (None, Some(dir)) => tokio::fs::read(dir.join(row.id.to_string()))
            .await
            .map_err(|error| {
                tracing::error!(%error, id = %row.id, "cannot read an attachment from its folder");
                Error::Corrupt(format!("attachment {}: its file cannot be read", row.id))
            })?,
        (None, None) => {
            return Err(Error::Corrupt(format!(
                "attachment {} is kept in a folder, and SWITCHBOARD_ATTACHMENTS_DIR is not set",
                row.id
            )));
        }
    };
    Ok(StoredFile {
        name: row.name,
        content_type: row.content_type,
        bytes,
    })
}
