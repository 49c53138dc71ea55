//! Messenger deployments: where a published configuration runs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::integration::Status;

/// One line of the messenger deployments list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeploymentSummary {
    pub id: Uuid,
    pub name: String,
    pub configuration_name: String,
    /// The pinned version; `None` serves the latest published one.
    pub configuration_version: Option<i32>,
    pub status: Status,
    pub updated_at: DateTime<Utc>,
}

/// A deployment as the console and `GET /api/v2/messenger/deployments/{id}` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub configuration: ConfigurationRef,
    pub allowed_domains: Vec<String>,
    pub allow_all_domains: bool,
    pub status: Status,
    /// The one line to paste into the site's pages.
    pub snippet: String,
    /// The site's own sign-in hands its codes to the messenger (`registerAuthProvider`).
    #[serde(default)]
    pub page_sign_in: bool,
    /// The redirect URIs of the site's own sign-in; the exchange refuses any other.
    #[serde(default)]
    pub page_redirect_uris: Vec<String>,
}

/// Which configuration a deployment serves: a pinned version, or the latest published one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationRef {
    pub id: Uuid,
    /// `None` serves the latest published version.
    pub version: Option<i32>,
}

/// What an admin saves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeploymentInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub configuration: ConfigurationRef,
    #[serde(default)]
    pub allowed_domains: Vec<String>,
    #[serde(default)]
    pub allow_all_domains: bool,
    pub status: Status,
    /// Off unless set: only then does the code exchange accept this deployment's codes.
    #[serde(default)]
    pub page_sign_in: bool,
    /// Each an absolute http(s) URL on one of the allowed domains; at least one with
    /// `page_sign_in`.
    #[serde(default)]
    pub page_redirect_uris: Vec<String>,
}

/// The snippet for deployment `id` served from `base_url`.
pub fn snippet(base_url: &str, id: Uuid) -> String {
    let loader = crate::urls::loader(base_url);
    format!(r#"<script src="{loader}" data-deployment-id="{id}" async></script>"#)
}

/// What the messenger on a visitor's page needs: no secrets, no integration internals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PublicConfig {
    pub deployment_id: Uuid,
    pub configuration_version: i32,
    pub appearance: crate::messenger::Appearance,
    pub authentication: PublicAuthentication,
    pub session_lifetime_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PublicAuthentication {
    pub enabled: bool,
    /// Whether a visitor may chat before (or without) signing in.
    pub anonymous_allowed: bool,
    /// Where "Sign in" starts, when sign-in is on.
    pub sign_in_url: Option<String>,
}

/// What the messenger frame's script reads from its page (the `switchboard-config` data
/// block); `public/messenger/frame.js` uses exactly these names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FrameConfig {
    pub deployment_id: Uuid,
    /// The one origin the frame posts messages to (checked against the allowed domains).
    pub host_origin: String,
    /// Whether the messenger offers sign-in.
    pub authentication: bool,
    /// Whether a visitor may write without signing in.
    pub anonymous_allowed: bool,
    /// Whether signing in carries the anonymous conversation over.
    pub upgrade: bool,
    pub clear_on_sign_out: bool,
    pub sign_in_url: String,
    /// `#rrggbb`.
    pub primary_color: String,
    /// Whether an agent was online when the frame loaded: the greeting says so, or that
    /// replies come later.
    pub agents_online: bool,
    /// Whether replies to a visitor with a verified email go by email too when no one is
    /// online (an SMTP server is configured).
    pub email_replies: bool,
}
