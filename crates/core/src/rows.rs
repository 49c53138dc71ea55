//! Reading one row by id, the way every use case needs it: absent is `Error::NotFound`.

use sea_orm::{DatabaseConnection, EntityTrait, PrimaryKeyTrait};
use uuid::Uuid;

use crate::Error;

/// The row of `E` with this id, or `NotFound(what)`.
pub(crate) async fn require<E>(
    db: &DatabaseConnection,
    id: Uuid,
    what: &'static str,
) -> Result<E::Model, Error>
where
    E: EntityTrait,
    Uuid: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    E::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound(what))
}
