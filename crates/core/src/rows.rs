//! Reading one row by id, the way every use case needs it: absent is `Error::NotFound`.

use sea_orm::{ConnectionTrait, EntityTrait, PrimaryKeyTrait};
use uuid::Uuid;

use crate::Error;

/// The row of `E` with this id, or `NotFound(what)`.
pub(crate) async fn require<E, C: ConnectionTrait>(
    db: &C,
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

/// A stored enum column read back into its type: every enum column (`status`, `kind`,
/// `provider`...) is written with its `as_str` and read through here, so an unknown value is
/// always the same `Corrupt` error naming the row.
pub(crate) fn stored<T>(table: &str, id: impl std::fmt::Display, value: &str) -> Result<T, Error>
where
    T: std::str::FromStr<Err = switchboard_domain::stored::UnknownVariant>,
{
    value
        .parse()
        .map_err(|error| Error::Corrupt(format!("{table} {id}: {error}")))
}
