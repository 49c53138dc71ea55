//! The server's integration tests, one module per surface, in one test binary: the server is
//! linked once for all of them, which saves minutes and gigabytes of disk on every build.
//! (`secrets_at_rest` is apart: it reads the log through tracing's process-wide callsite
//! registry, which a hundred tests running beside it in one process disturb.)

mod common;

mod attachments;
mod auth;
mod cluster;
mod compression;
mod config_as_code;
mod configurations_api;
mod conversations;
mod declared;
mod deployments_api;
mod durability;
mod hardening;
mod http;
mod inbox;
mod instances;
mod integrations_api;
mod messenger_cors;
mod presence;
mod visitor_sign_in;
