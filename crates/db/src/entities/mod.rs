//! sea-orm entities, one module per table. Timestamps are UTC; JSON columns hold lists and
//! documents whose shape lives in `switchboard-domain`.

pub mod admin;
pub mod admin_session;
pub mod api_token;
pub mod attachment;
pub mod audit_event;
pub mod auth_flow;
pub mod canned_reply;
pub mod configuration;
pub mod configuration_version;
pub mod console_tab;
pub mod conversation;
pub mod deployment;
pub mod integration;
pub mod logout_token;
pub mod message;
pub mod messenger_session;
pub mod page_nonce;
pub mod provider_key;
pub mod setup_token;
pub mod sign_in_attempt;
pub mod sign_in_failure;
