//! What we know of each integration's provider: its discovery document and its signing keys,
//! cached in memory so a sign-in costs no extra round trip.
//!
//! Keys follow the provider's `Cache-Control` (an hour when it says nothing, a day at most).
//! A token signed by a key we do not have triggers one refetch, at most once a minute per
//! integration, so a flood of forged `kid`s cannot turn us into a JWKS hammer. Fetched keys are
//! also stored in the database ([`shared_keys`]) for the other instances: whichever needs them
//! first fetches, the rest take the stored set.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use openidconnect::core::CoreJsonWebKeySet;
use sea_orm::DatabaseConnection;
use serde_json::Value;
use url::Url;
use uuid::Uuid;

use super::Failure;
use super::shared_keys::{self, StoredKeys, Turn};
use crate::discovery::{DiscoveryUri, FetchError, GuardedClient, check_target};

const METADATA_LIFETIME: Duration = Duration::from_secs(3600);
const DEFAULT_KEYS_LIFETIME: Duration = Duration::from_secs(3600);
const LONGEST_KEYS_LIFETIME: Duration = Duration::from_secs(24 * 3600);
const UNKNOWN_KEY_REFETCH_INTERVAL: Duration = Duration::from_secs(60);

/// The parts of a discovery document sign-in uses.
#[derive(Debug, Clone)]
pub struct Metadata {
    pub issuer: String,
    pub authorization_endpoint: Url,
    pub token_endpoint: Url,
    pub userinfo_endpoint: Option<Url>,
    pub jwks_uri: Url,
    pub end_session_endpoint: Option<Url>,
    pub revocation_endpoint: Option<Url>,
    /// `id_token_signing_alg_values_supported`, RS256 when absent.
    pub signing_algs: Vec<String>,
    /// `token_endpoint_auth_methods_supported`, `client_secret_basic` when absent.
    pub auth_methods: Vec<String>,
    /// RFC 9207: the provider promises an `iss` parameter on every authorization response.
    pub iss_parameter_supported: bool,
}

impl Metadata {
    /// Reads a discovery document, which must name `expected_issuer` exactly. Every endpoint
    /// must pass the guarded client's scheme and address rules (https; http on loopback only
    /// with `allow_loopback`): the authorization and end-session endpoints become links in a
    /// visitor's browser, so a `javascript:` or plain-http one must never get through. A bad
    /// optional endpoint is dropped; a bad required one fails.
    pub fn from_document(
        document: &Value,
        expected_issuer: &str,
        allow_loopback: bool,
    ) -> Result<Self, Failure> {
        let text = |key: &str| document.get(key).and_then(Value::as_str);
        let list = |key: &str, default: &str| -> Vec<String> {
            document
                .get(key)
                .and_then(Value::as_array)
                .map(|values| {
                    values
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_else(|| vec![default.to_owned()])
        };
        let url = |key: &str| {
            text(key)
                .and_then(|value| Url::parse(value).ok())
                .filter(|url| check_target(url, allow_loopback).is_ok())
        };
        let required = |key: &str| {
            url(key).ok_or_else(|| {
                Failure::new(
                    "provider_misconfigured",
                    format!(
                        "The provider's discovery document has no usable {key} (it must be an https URL)."
                    ),
                )
            })
        };
        let issuer = text("issuer").unwrap_or_default();
        if !crate::discovery::names_issuer(issuer, expected_issuer) {
            return Err(Failure::new(
                "provider_misconfigured",
                format!(
                    "The discovery document names issuer {issuer:?}; the integration expects {expected_issuer:?} exactly."
                ),
            ));
        }
        Ok(Self {
            issuer: issuer.to_owned(),
            authorization_endpoint: required("authorization_endpoint")?,
            token_endpoint: required("token_endpoint")?,
            jwks_uri: required("jwks_uri")?,
            userinfo_endpoint: url("userinfo_endpoint"),
            end_session_endpoint: url("end_session_endpoint"),
            revocation_endpoint: url("revocation_endpoint"),
            signing_algs: list("id_token_signing_alg_values_supported", "RS256"),
            auth_methods: list(
                "token_endpoint_auth_methods_supported",
                "client_secret_basic",
            ),
            iss_parameter_supported: document
                .get("authorization_response_iss_parameter_supported")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }

    /// `client_secret_basic` unless the provider only takes `client_secret_post`.
    pub fn uses_basic_auth(&self) -> bool {
        let offers = |method: &str| self.auth_methods.iter().any(|m| m == method);
        offers("client_secret_basic") || !offers("client_secret_post")
    }
}

#[derive(Debug)]
struct Entry {
    discovery_uri: String,
    metadata: Arc<Metadata>,
    metadata_until: Instant,
    keys: Option<CachedKeys>,
    last_unknown_key_refetch: Option<Instant>,
}

#[derive(Debug)]
struct CachedKeys {
    set: Arc<CoreJsonWebKeySet>,
    until: Instant,
    /// When they were fetched (by this instance or another): stored keys fetched later are
    /// newer than these.
    fetched_at: DateTime<Utc>,
}

/// Why keys are asked for.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// Ours expired or we have none: any unexpired set will do.
    Fresh,
    /// A token names a key that the set fetched at this time (if any) lacks.
    NewerThan(Option<DateTime<Utc>>),
}

/// Metadata and keys per integration, shared by every request of this instance; keys also
/// with the other instances, through the database.
#[derive(Debug)]
pub struct ProviderCache {
    client: GuardedClient,
    db: DatabaseConnection,
    entries: Mutex<HashMap<Uuid, Entry>>,
    /// One task per integration at a time goes for keys: the others wait for it and take what
    /// it found, instead of each holding a database connection while one fetches.
    flights: Mutex<HashMap<Uuid, Arc<tokio::sync::Mutex<()>>>>,
}

impl ProviderCache {
    pub fn new(client: GuardedClient, db: DatabaseConnection) -> Self {
        Self {
            client,
            db,
            entries: Mutex::new(HashMap::new()),
            flights: Mutex::default(),
        }
    }

    pub fn client(&self) -> &GuardedClient {
        &self.client
    }

    /// The provider's metadata, from the cache when fresh and for the same discovery URI.
    pub async fn metadata(
        &self,
        integration: Uuid,
        uri: &DiscoveryUri,
    ) -> Result<Arc<Metadata>, Failure> {
        if let Some(entry) = self.entries().get(&integration)
            && entry.discovery_uri == uri.as_str()
            && entry.metadata_until > Instant::now()
        {
            return Ok(entry.metadata.clone());
        }
        let document = self.client.get_json(uri.url()).await.map_err(unreachable)?;
        let metadata = Arc::new(Metadata::from_document(
            &document,
            &uri.issuer(),
            self.client.allows_loopback(),
        )?);
        self.entries().insert(
            integration,
            Entry {
                discovery_uri: uri.as_str().to_owned(),
                metadata: metadata.clone(),
                metadata_until: Instant::now() + METADATA_LIFETIME,
                keys: None,
                last_unknown_key_refetch: None,
            },
        );
        Ok(metadata)
    }

    /// The provider's signing keys, from the cache while the provider's lifetime allows.
    pub async fn keys(
        &self,
        integration: Uuid,
        metadata: &Metadata,
    ) -> Result<Arc<CoreJsonWebKeySet>, Failure> {
        if let Some(keys) = self.cached_keys(integration, None) {
            return Ok(keys);
        }
        let flight = self.flight(integration);
        let _turn = flight.lock().await;
        if let Some(keys) = self.cached_keys(integration, None) {
            return Ok(keys);
        }
        let found = self.shared(integration, metadata, Want::Fresh).await?;
        Ok(found.expect("fresh keys are either stored or fetched"))
    }

    /// Keys newer than ours, because a token names a key we do not have: another task's or
    /// another instance's fetch when there is one, else a fetch of our own; `None` when the
    /// refetch for that reason happened less than a minute ago (here or on another instance).
    pub async fn refetch_keys(
        &self,
        integration: Uuid,
        metadata: &Metadata,
    ) -> Result<Option<Arc<CoreJsonWebKeySet>>, Failure> {
        let known = self
            .entries()
            .get(&integration)
            .and_then(|entry| entry.keys.as_ref().map(|keys| keys.fetched_at));
        let flight = self.flight(integration);
        let _turn = flight.lock().await;
        // A task that waited here for the same reason takes the keys the first one got.
        if let Some(keys) = self.cached_keys(integration, known) {
            return Ok(Some(keys));
        }
        if !self.may_refetch(integration) {
            return Ok(None);
        }
        self.shared(integration, metadata, Want::NewerThan(known))
            .await
    }

    /// Unexpired keys in memory, fetched after `newer_than` when it is given.
    fn cached_keys(
        &self,
        integration: Uuid,
        newer_than: Option<DateTime<Utc>>,
    ) -> Option<Arc<CoreJsonWebKeySet>> {
        let entries = self.entries();
        let keys = entries.get(&integration)?.keys.as_ref()?;
        let newer = newer_than.is_none_or(|known| keys.fetched_at > known);
        (keys.until > Instant::now() && newer).then(|| keys.set.clone())
    }

    fn flight(&self, integration: Uuid) -> Arc<tokio::sync::Mutex<()>> {
        let mut flights = self
            .flights
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        flights.entry(integration).or_default().clone()
    }

    /// Takes this integration's turn, then uses the stored keys or fetches them. The database
    /// only spares provider requests: when it fails, the provider is asked directly.
    async fn shared(
        &self,
        integration: Uuid,
        metadata: &Metadata,
        want: Want,
    ) -> Result<Option<Arc<CoreJsonWebKeySet>>, Failure> {
        let turn = Turn::take(&self.db, integration)
            .await
            .inspect_err(|error| tracing::warn!(%error, "cannot share provider keys"))
            .ok();
        let found = self
            .use_or_fetch(turn.as_ref(), integration, metadata, want)
            .await;
        if let Some(turn) = turn
            && let Err(error) = turn.end().await
        {
            tracing::warn!(%error, "cannot share provider keys");
        }
        found
    }

    async fn use_or_fetch(
        &self,
        turn: Option<&Turn<'_>>,
        integration: Uuid,
        metadata: &Metadata,
        want: Want,
    ) -> Result<Option<Arc<CoreJsonWebKeySet>>, Failure> {
        let now = shared_keys::now();
        let stored = match turn {
            Some(turn) => turn
                .read(integration)
                .await
                .inspect_err(|error| tracing::warn!(%error, "cannot read shared provider keys"))
                .ok()
                .flatten(),
            None => None,
        }
        .filter(|row| row.jwks_uri == metadata.jwks_uri.as_str());
        let usable = stored.as_ref().filter(|row| {
            row.expires_at > now
                && match want {
                    Want::Fresh => true,
                    Want::NewerThan(known) => known.is_none_or(|known| row.fetched_at > known),
                }
        });
        if let Some(row) = usable
            && let Ok(set) = serde_json::from_str::<CoreJsonWebKeySet>(&row.jwks)
        {
            let set = Arc::new(set);
            self.remember(integration, &set, row.fetched_at, row.expires_at);
            return Ok(Some(set));
        }
        let for_unknown_key = matches!(want, Want::NewerThan(_));
        let last_unknown = stored.as_ref().and_then(|row| row.unknown_key_refetch_at);
        if for_unknown_key
            && last_unknown.is_some_and(|at| {
                (now - at).to_std().unwrap_or_default() < UNKNOWN_KEY_REFETCH_INTERVAL
            })
        {
            return Ok(None);
        }
        let (set, document, lifetime) = self.fetch_keys(metadata).await?;
        let expires_at = now + lifetime;
        if let Some(turn) = turn {
            let row = StoredKeys {
                integration_id: integration,
                jwks_uri: metadata.jwks_uri.to_string(),
                jwks: document.to_string(),
                fetched_at: now,
                expires_at,
                unknown_key_refetch_at: if for_unknown_key {
                    Some(now)
                } else {
                    last_unknown
                },
            };
            if let Err(error) = turn.write(row).await {
                tracing::warn!(%error, "cannot share provider keys");
            }
        }
        self.remember(integration, &set, now, expires_at);
        Ok(Some(set))
    }

    fn remember(
        &self,
        integration: Uuid,
        set: &Arc<CoreJsonWebKeySet>,
        fetched_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) {
        let left = (expires_at - Utc::now()).to_std().unwrap_or_default();
        if let Some(entry) = self.entries().get_mut(&integration) {
            entry.keys = Some(CachedKeys {
                set: set.clone(),
                until: Instant::now() + left,
                fetched_at,
            });
        }
    }

    /// Whether the one-a-minute refetch for unknown keys is available, taking it if so.
    fn may_refetch(&self, integration: Uuid) -> bool {
        let mut entries = self.entries();
        let Some(entry) = entries.get_mut(&integration) else {
            return true;
        };
        if entry
            .last_unknown_key_refetch
            .is_some_and(|at| at.elapsed() < UNKNOWN_KEY_REFETCH_INTERVAL)
        {
            return false;
        }
        entry.last_unknown_key_refetch = Some(Instant::now());
        true
    }

    /// Forgets an integration (its settings changed or it was deleted).
    pub fn forget(&self, integration: Uuid) {
        self.entries().remove(&integration);
    }

    /// Forgets every integration.
    pub fn forget_all(&self) {
        self.entries().clear();
    }

    /// The provider's keys, their document, and how long they may be kept.
    async fn fetch_keys(
        &self,
        metadata: &Metadata,
    ) -> Result<(Arc<CoreJsonWebKeySet>, Value, chrono::Duration), Failure> {
        let response = self
            .client
            .get_cacheable_json(&metadata.jwks_uri)
            .await
            .map_err(unreachable)?;
        let keys: CoreJsonWebKeySet =
            serde_json::from_value(response.body.clone()).map_err(|error| {
                Failure::new(
                    "provider_misconfigured",
                    format!("The provider's JWKS cannot be read: {error}."),
                )
            })?;
        let lifetime = response
            .max_age
            .unwrap_or(DEFAULT_KEYS_LIFETIME)
            .min(LONGEST_KEYS_LIFETIME);
        let lifetime = chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::zero());
        Ok((Arc::new(keys), response.body, lifetime))
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Entry>> {
        // A panic while holding the lock leaves only a cache behind: keep using it.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

pub(crate) fn unreachable(error: FetchError) -> Failure {
    Failure::new(
        "provider_unreachable",
        format!("The provider did not answer as expected: {error}."),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn document() -> Value {
        json!({
            "issuer": "https://id.example.com",
            "authorization_endpoint": "https://id.example.com/authorize",
            "token_endpoint": "https://id.example.com/token",
            "jwks_uri": "https://id.example.com/jwks",
        })
    }

    #[test]
    fn metadata_keeps_the_issuer_as_the_document_spells_it() {
        let mut doc = document();
        doc["issuer"] = json!("https://id.example.com/");
        let metadata = Metadata::from_document(&doc, "https://id.example.com", false).unwrap();
        // ID tokens carry the document's spelling, slash included.
        assert_eq!(metadata.issuer, "https://id.example.com/");
    }

    #[test]
    fn metadata_needs_the_exact_issuer_and_fills_defaults() {
        let metadata =
            Metadata::from_document(&document(), "https://id.example.com", false).unwrap();
        assert_eq!(metadata.signing_algs, ["RS256"]);
        assert!(metadata.uses_basic_auth());
        assert!(!metadata.iss_parameter_supported);
        let failure =
            Metadata::from_document(&document(), "https://id.example.com/", false).unwrap_err();
        assert_eq!(failure.reason, "provider_misconfigured");
    }

    #[test]
    fn endpoints_that_would_become_unsafe_links_are_refused() {
        let mut doc = document();
        doc["end_session_endpoint"] = json!("javascript:alert(document.domain)");
        doc["userinfo_endpoint"] = json!("http://id.example.com/userinfo");
        let metadata = Metadata::from_document(&doc, "https://id.example.com", false).unwrap();
        assert!(metadata.end_session_endpoint.is_none());
        assert!(metadata.userinfo_endpoint.is_none());
        doc["end_session_endpoint"] = json!("https://id.example.com/logout");
        let metadata = Metadata::from_document(&doc, "https://id.example.com", false).unwrap();
        assert_eq!(
            metadata.end_session_endpoint.unwrap().as_str(),
            "https://id.example.com/logout"
        );
        for bad in [
            "http://id.example.com/authorize",
            "javascript:alert(1)",
            "data:text/html,hi",
            "http://127.0.0.1:9/authorize",
        ] {
            let mut doc = document();
            doc["authorization_endpoint"] = json!(bad);
            let failure =
                Metadata::from_document(&doc, "https://id.example.com", false).unwrap_err();
            assert_eq!(failure.reason, "provider_misconfigured", "{bad}");
        }
        // Loopback http only with the development flag.
        let mut doc = document();
        doc["authorization_endpoint"] = json!("http://127.0.0.1:9/authorize");
        assert!(Metadata::from_document(&doc, "https://id.example.com", true).is_ok());
    }

    #[test]
    fn client_secret_post_only_when_basic_is_not_offered() {
        let mut doc = document();
        doc["token_endpoint_auth_methods_supported"] = json!(["client_secret_post"]);
        let metadata = Metadata::from_document(&doc, "https://id.example.com", false).unwrap();
        assert!(!metadata.uses_basic_auth());
        doc["token_endpoint_auth_methods_supported"] =
            json!(["client_secret_post", "client_secret_basic"]);
        let metadata = Metadata::from_document(&doc, "https://id.example.com", false).unwrap();
        assert!(metadata.uses_basic_auth());
    }
}
