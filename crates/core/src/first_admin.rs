//! The first admin: with no admin at all, the server issues a one-time setup link (logged, never
//! shown to visitors) where the first admin picks an email and a password. Nothing ships with a
//! default password.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use secrecy::{ExposeSecret, SecretString};
use switchboard_db::entities::setup_token;
use switchboard_domain::FieldError;
use switchboard_domain::admin::Role;

use crate::admins::{self, Principal};
use crate::{Error, Store, opaque};

/// A new setup token when no admin exists yet, else `None`. Each start issues a fresh one;
/// earlier unused links keep working until an admin exists.
pub async fn issue_setup_token(store: &impl Store) -> Result<Option<SecretString>, Error> {
    let db = store.db();
    if admins::count(db).await? > 0 {
        return Ok(None);
    }
    let token = opaque::new_token("");
    setup_token::ActiveModel {
        token_hash: Set(opaque::digest(&token)),
        created_at: Set(Utc::now()),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(Some(token))
}

/// Whether `token` can still create the first admin.
pub async fn setup_token_is_valid(store: &impl Store, token: &SecretString) -> Result<bool, Error> {
    let db = store.db();
    Ok(admins::count(db).await? == 0 && find_unused(db, token).await?.is_some())
}

/// What the setup page asks for.
#[derive(Debug)]
pub struct SetupAnswers<'a> {
    pub token: &'a SecretString,
    pub email: &'a str,
    pub password: &'a SecretString,
    /// The password typed a second time; it must be the same.
    pub password_again: &'a SecretString,
}

/// Creates the first admin (role `admin`) and spends the token. Two people racing with the
/// same link cannot both succeed: the token is claimed by a conditional update first.
pub async fn complete_setup(
    store: &impl Store,
    answers: SetupAnswers<'_>,
) -> Result<Principal, Error> {
    let db = store.db();
    let SetupAnswers {
        token,
        email,
        password,
        password_again,
    } = answers;
    // Every field error first, so a typo does not spend the link.
    let mut errors = match admins::validate_new(email, password) {
        Ok(()) => vec![],
        Err(Error::Invalid(errors)) => errors,
        Err(other) => return Err(other),
    };
    if password.expose_secret() != password_again.expose_secret() {
        errors.push(FieldError::new(
            "passwordAgain",
            "The two passwords differ.",
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if admins::count(db).await? > 0 {
        return Err(invalid_link());
    }
    let digest = opaque::digest(token);
    let claimed = setup_token::Entity::update_many()
        .col_expr(setup_token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(setup_token::Column::TokenHash.eq(&digest))
        .filter(setup_token::Column::UsedAt.is_null())
        .exec(db)
        .await?
        .rows_affected
        == 1;
    if !claimed {
        return Err(invalid_link());
    }
    match admins::create(db, email, password, Role::Admin, "setup").await {
        Ok(principal) => Ok(principal),
        Err(error) => {
            // Nothing was created: give the link back.
            setup_token::Entity::update_many()
                .col_expr(
                    setup_token::Column::UsedAt,
                    Expr::value(None::<chrono::DateTime<Utc>>),
                )
                .filter(setup_token::Column::TokenHash.eq(&digest))
                .exec(db)
                .await?;
            Err(error)
        }
    }
}

fn invalid_link() -> Error {
    Error::Invalid(vec![FieldError::new(
        "token",
        "This setup link has been used or is not valid. Sign in instead.",
    )])
}

async fn find_unused(
    db: &DatabaseConnection,
    token: &SecretString,
) -> Result<Option<setup_token::Model>, Error> {
    Ok(setup_token::Entity::find_by_id(opaque::digest(token))
        .filter(setup_token::Column::UsedAt.is_null())
        .one(db)
        .await?)
}
