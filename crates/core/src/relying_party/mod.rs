//! The OpenID Connect relying party: visitors sign in through an integration's provider.
//!
//! The `openidconnect` crate checks token signatures and the standard claims; this module adds
//! the duties the crate leaves to a relying party: keys cached with one rate-limited
//! refetch on an unknown `kid`, the clock-skew allowance, `azp`, RFC 9207's `iss`, userinfo's
//! `sub`, groups, single-use state bound to the browser, and a reason code for every failure.

pub mod back_channel;
mod failure;
pub mod flow;
mod groups;
pub mod id_token;
mod identity;
mod integration;
pub mod page_nonce;
mod provider;
pub mod session;
mod shared_keys;
mod token_endpoint;

pub use failure::Failure;
pub use flow::{Callback, Finished, Started};
pub use groups::MICROSOFT_GRAPH;
pub use provider::{Metadata, ProviderCache};
pub use session::PageSideCode;
pub use shared_keys::remove as forget_shared_keys;
