//! OpenID Connect discovery: which URIs an integration may point at, and the URI a provider
//! preset derives.
//!
//! Validation here is the first SSRF fence: only https (http only to loopback, and only with
//! `SWITCHBOARD_ALLOW_INSECURE_LOCALHOST`), no user-info, and no literal addresses in private,
//! link-local, metadata or otherwise internal ranges.

mod check;
mod fetch;
mod preset;
pub mod provider_wait;
mod uri;

pub use check::check;
pub use fetch::{FetchError, GuardedClient, JsonResponse, MAX_BODY_BYTES, TIMEOUT, check_target};
pub use preset::preset_discovery_uri;
pub use uri::{DISCOVERY_SUFFIX, DiscoveryUri, address_is_public, names_issuer};
