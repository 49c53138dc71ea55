//! Admin accounts: creation, password hashing (argon2id) and the principal a request acts as.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use secrecy::{ExposeSecret, SecretString};
use switchboard_db::entities::admin;
use switchboard_domain::admin::{self as rules, Role};
use switchboard_domain::{FieldError, Validation};
use uuid::Uuid;

use crate::{Error, Store, audit};

/// Who a request acts for: a signed-in admin or an API token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub id: Uuid,
    /// The admin's email or the token's name; what the audit log shows as the actor.
    pub name: String,
    pub role: Role,
    pub kind: PrincipalKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    Admin,
    ApiToken,
    /// The server itself, acting on its configuration (integrations declared by `IDP_*`).
    System,
}

impl Principal {
    /// Refuses a viewer: use before any change.
    pub fn require_change(&self) -> Result<(), Error> {
        if self.role.can_change() {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }

    pub(crate) fn from_admin(row: &admin::Model) -> Result<Self, Error> {
        Ok(Self {
            id: row.id,
            name: row.email.clone(),
            role: parse_role(&row.role)?,
            kind: PrincipalKind::Admin,
        })
    }
}

pub(crate) fn parse_role(stored: &str) -> Result<Role, Error> {
    stored
        .parse()
        .map_err(|error| Error::Corrupt(format!("admin: {error}")))
}

/// Hashes a password with argon2id and a fresh salt, in PHC string form.
pub fn hash_password(password: &SecretString) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .expect("argon2 hashes any password within its length limits")
        .to_string()
}

/// Whether `password` matches a stored hash. A hash that cannot be read matches nothing.
pub fn verify_password(stored_hash: &str, password: &SecretString) -> bool {
    PasswordHash::new(stored_hash).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.expose_secret().as_bytes(), &hash)
            .is_ok()
    })
}

/// At most this many argon2 checks run at once, each on tokio's blocking pool: a flood of
/// sign-ins queues here instead of occupying the threads every other request runs on.
static PASSWORD_CHECKS: std::sync::LazyLock<tokio::sync::Semaphore> =
    std::sync::LazyLock::new(|| {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        tokio::sync::Semaphore::new(cores)
    });

/// [`verify_password`] off the async runtime, bounded by [`PASSWORD_CHECKS`].
pub async fn verify_password_off_runtime(stored_hash: String, password: SecretString) -> bool {
    let Ok(_permit) = PASSWORD_CHECKS.acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || verify_password(&stored_hash, &password))
        .await
        .unwrap_or(false)
}

/// A password for an admin created without one: 24 characters, 144 random bits.
pub fn generate_password() -> SecretString {
    let token = crate::opaque::new_token("");
    SecretString::from(token.expose_secret()[..24].to_owned())
}

/// How many admins exist; zero means the first-admin setup link is open.
pub async fn count(store: &impl Store) -> Result<u64, Error> {
    let db = store.db();
    Ok(admin::Entity::find().count(db).await?)
}

pub async fn find_by_email(store: &impl Store, email: &str) -> Result<Option<admin::Model>, Error> {
    let db = store.db();
    Ok(admin::Entity::find()
        .filter(admin::Column::Email.eq(rules::normalize_email(email)))
        .one(db)
        .await?)
}

/// Checks a new admin's email and password, reporting both problems at once.
pub fn validate_new(email: &str, password: &SecretString) -> Result<(), Error> {
    let mut validation = Validation::new();
    validation
        .check(rules::email("email", email))
        .check(rules::new_password("password", password.expose_secret()));
    validation.finish().map_err(Error::Invalid)
}

/// Creates an admin after checking the email and password rules; `actor` is who asked
/// ("cli", "setup" or an admin's email), for the audit log.
pub async fn create(
    store: &impl Store,
    email: &str,
    password: &SecretString,
    role: Role,
    actor: &str,
) -> Result<Principal, Error> {
    let db = store.db();
    validate_new(email, password)?;
    let email = rules::normalize_email(email);
    if find_by_email(db, &email).await?.is_some() {
        return Err(Error::Invalid(vec![FieldError::new(
            "email",
            "An admin with this email already exists.",
        )]));
    }
    let now = Utc::now();
    let row = admin::ActiveModel {
        id: Set(Uuid::new_v4()),
        email: Set(email),
        password_hash: Set(hash_password(password)),
        role: Set(role.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        away: Set(false),
        last_assigned_at: Set(None),
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        audit::NewEvent {
            actor,
            action: "admin.create",
            object_type: "admin",
            object_id: Some(row.email.clone()),
            changes: vec!["email".into(), "password".into(), format!("role: {role}")],
        },
    )
    .await?;
    Principal::from_admin(&row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_against_their_argon2id_hash_only() {
        let password = SecretString::from("correct horse battery staple".to_owned());
        let hash = hash_password(&password);
        assert!(hash.starts_with("$argon2id$"));
        assert!(!hash.contains("correct horse"));
        assert!(verify_password(&hash, &password));
        let wrong = SecretString::from("correct horse battery stapler".to_owned());
        assert!(!verify_password(&hash, &wrong));
        assert!(!verify_password("not a hash", &password));
        // Same password, new salt: the hashes differ.
        assert_ne!(hash, hash_password(&password));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn password_checks_leave_the_runtime_free() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let password = SecretString::from("correct horse battery staple".to_owned());
        let hash = hash_password(&password);
        // On a single-threaded runtime, a check done in place would finish before anything
        // else is polled; done on the blocking pool, other work keeps running meanwhile.
        let done = AtomicBool::new(false);
        let check = async {
            let matches = verify_password_off_runtime(hash, password).await;
            done.store(true, Ordering::SeqCst);
            matches
        };
        let others = async {
            let mut turns = 0u32;
            while !done.load(Ordering::SeqCst) {
                turns += 1;
                tokio::task::yield_now().await;
            }
            turns
        };
        let (matches, turns) = tokio::join!(check, others);
        assert!(matches);
        assert!(turns > 0, "the runtime was blocked during the check");
    }

    #[test]
    fn generated_passwords_meet_the_rules() {
        let password = generate_password();
        assert!(rules::new_password("password", password.expose_secret()).is_ok());
        assert_ne!(
            password.expose_secret(),
            generate_password().expose_secret()
        );
    }
}
