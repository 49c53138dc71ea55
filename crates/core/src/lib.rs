//! Switchboard's use cases. The HTTP layer (`switchboard-server`) and the server functions of
//! the console (`switchboard-app`) call these with a [`Services`] and map [`Error`] to responses.

pub mod admin_sessions;
pub mod admins;
pub mod api_tokens;
pub mod attachments;
pub mod audit;
pub mod canned_replies;
pub mod config_as_code;
pub mod conversations;
pub mod delivery;
pub mod deployments;
pub mod discovery;
pub mod error;
pub mod first_admin;
pub mod inbox;
pub mod integrations;
pub mod mail;
pub mod messenger;
pub mod messenger_sessions;
mod opaque;
pub mod presence;
pub mod rate_limit;
pub mod relying_party;
pub mod retention;
mod rows;
mod search;
pub mod secrets;
pub mod sign_in;
pub mod sign_in_log;
#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;

pub use error::Error;
use sea_orm::DatabaseConnection;

use crate::admin_sessions::SessionPolicy;
use crate::delivery::Delivery;
use crate::discovery::GuardedClient;
use crate::rate_limit::FixedWindows;
use crate::relying_party::ProviderCache;
use crate::retention::Retention;
use crate::secrets::Keyring;
use crate::sign_in::SignInLimits;

/// Everything a use case needs, cloned into every request: one pointer to what it shares.
#[derive(Clone, Debug)]
pub struct Services(Arc<ServiceParts>);

#[derive(Debug)]
pub struct ServiceParts {
    db: DatabaseConnection,
    keyring: Arc<Keyring>,
    settings: Settings,
    discovery: GuardedClient,
    providers: Arc<ProviderCache>,
    delivery: Arc<Delivery>,
    /// Failed sign-ins each client address may add to the sign-in log per minute.
    sign_in_log_flood: Arc<FixedWindows<String>>,
    /// Typing signals, per messenger session (visitors) and per conversation (agents).
    typing_signals: Arc<FixedWindows<uuid::Uuid>>,
}

impl std::ops::Deref for Services {
    type Target = ServiceParts;

    fn deref(&self) -> &ServiceParts {
        &self.0
    }
}

/// The one context every use case takes: the database, and for the use cases that also
/// announce, seal or call providers the rest of [`Services`]. Handlers pass their `Services`;
/// a bare connection also serves the use cases that only need the database (the CLI's, tests').
pub trait Store: Sync {
    fn db(&self) -> &DatabaseConnection;
}

impl Store for Services {
    fn db(&self) -> &DatabaseConnection {
        &self.db
    }
}

impl Store for DatabaseConnection {
    fn db(&self) -> &DatabaseConnection {
        self
    }
}

impl<T: Store> Store for &T {
    fn db(&self) -> &DatabaseConnection {
        (**self).db()
    }
}

/// Typing signals one messenger session, or one conversation's agents, may send a minute.
pub const TYPING_PER_MINUTE: u32 = 30;

/// The tunable rules of sign-in, sessions and provider requests.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub sessions: SessionPolicy,
    pub sign_in: SignInLimits,
    /// Allows http discovery and JWKS URIs on loopback (development and tests only).
    pub allow_insecure_localhost: bool,
    /// How long the sign-in log and the audit log keep their entries.
    pub retention: Retention,
    /// Microsoft Graph's address for Entra ID group look-ups; `None` is the global cloud's.
    pub microsoft_graph_url: Option<url::Url>,
    /// Where agents' replies to visitors who wrote while no one was online go by email; `None`
    /// sends none and promises none.
    pub mailer: Option<mail::Mailer>,
    /// Where attachments' bytes are kept; `None` keeps them in the database.
    pub attachments_dir: Option<std::path::PathBuf>,
}

impl Settings {
    pub fn microsoft_graph(&self) -> &url::Url {
        static GLOBAL: std::sync::LazyLock<url::Url> = std::sync::LazyLock::new(|| {
            url::Url::parse(relying_party::MICROSOFT_GRAPH).expect("a valid URL")
        });
        self.microsoft_graph_url.as_ref().unwrap_or(&GLOBAL)
    }
}

impl Services {
    pub fn new(db: DatabaseConnection, keyring: Keyring, settings: Settings) -> Self {
        let providers = Arc::new(ProviderCache::new(
            GuardedClient::new(settings.allow_insecure_localhost),
            db.clone(),
        ));
        Self(Arc::new(ServiceParts {
            db,
            keyring: Arc::new(keyring),
            discovery: GuardedClient::new(settings.allow_insecure_localhost),
            delivery: Arc::new(Delivery::new(providers.clone())),
            providers,
            settings,
            sign_in_log_flood: Arc::new(FixedWindows::new(
                sign_in_log::FAILURES_PER_ADDRESS,
                std::time::Duration::from_secs(60),
            )),
            typing_signals: Arc::new(FixedWindows::new(
                TYPING_PER_MINUTE,
                std::time::Duration::from_secs(60),
            )),
        }))
    }

    /// Services on `db` with a throw-away key and the default settings, for tests; loopback
    /// providers are allowed, since test providers run there.
    pub fn for_tests(db: DatabaseConnection) -> Self {
        let settings = Settings {
            allow_insecure_localhost: true,
            ..Settings::default()
        };
        Self::new(db, Keyring::generate(), settings)
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The HTTP client for provider documents (see [`discovery`]).
    pub fn discovery(&self) -> &GuardedClient {
        &self.discovery
    }

    /// Providers' metadata and keys, cached for sign-in (see [`relying_party`]).
    pub fn providers(&self) -> &ProviderCache {
        &self.providers
    }

    /// New messages for this instance's readers (see [`delivery`]).
    pub fn delivery(&self) -> &Arc<Delivery> {
        &self.delivery
    }

    /// Counts a failed sign-in from `client` against the sign-in log's flood guard.
    pub(crate) fn sign_in_log_flood(&self) -> &FixedWindows<String> {
        &self.sign_in_log_flood
    }

    /// Counts a typing signal from messenger session or conversation `key` (see
    /// [`TYPING_PER_MINUTE`]); `Err` holds how long until the next is allowed.
    pub fn typing_signal(&self, key: uuid::Uuid) -> Result<(), std::time::Duration> {
        self.typing_signals.hit(key)
    }

    /// Announces a change to what deployments serve publicly (a publish, a deployment's
    /// domains, an integration switched off), to this instance and the others; use cases call
    /// it after the change is stored.
    pub fn public_config_changed(&self) {
        self.delivery.config_changed(&self.db, None);
    }

    /// Announces that an integration's settings changed or it is gone: every instance forgets
    /// the provider metadata and keys cached for its old settings, and what deployments serve
    /// is rendered again.
    pub async fn integration_changed(&self, id: uuid::Uuid) {
        if let Err(error) = relying_party::forget_shared_keys(&self.db, id).await {
            // Stored keys still expire with the provider's Cache-Control.
            tracing::warn!(%error, "cannot remove an integration's shared provider keys");
        }
        self.delivery.config_changed(&self.db, Some(id));
    }

    /// How many such changes this instance has heard of: a cached public config rendered at
    /// another count is stale.
    pub fn public_config_generation(&self) -> u64 {
        self.delivery.config_generation()
    }

    /// Succeeds when the database answers a round trip.
    pub async fn check_health(&self) -> Result<(), Error> {
        self.db.ping().await.map_err(Error::from)
    }
}
