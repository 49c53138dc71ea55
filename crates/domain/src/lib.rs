//! The vocabulary of Switchboard: the objects of the product, the rules their fields obey and
//! the summaries the console shows. No I/O here: this crate also compiles to wasm for the browser.

pub mod admin;
pub mod allowed_domains;
pub mod attachment;
pub mod audit;
pub mod canned_reply;
pub mod conversation;
pub mod deployment;
pub mod inbox;
pub mod integration;
pub mod integration_settings;
pub mod messenger;
pub mod provider;
pub mod sign_in;
pub mod stored;
pub mod transcript;
pub mod urls;
pub mod validation;

pub use validation::{FieldError, Validation};
