//! One module per console page; each holds its component and the server functions it calls.

pub mod audit;
pub mod canned_replies;
pub mod configuration;
pub mod configurations;
pub mod conversation;
pub mod conversations;
pub mod deployment;
pub mod deployments;
pub mod integration;
pub mod integration_catalog;
pub mod integrations;
pub mod not_found;
pub mod setup;
pub mod sign_in;
pub mod tokens;
