//! The configuration document: integrations, messenger configurations and deployments as a
//! team keeps them in git. Keys are the REST API's (camelCase); every object carries its id,
//! so snippets and references keep working from one database to the next. Secrets are never
//! in it: a credential names where the secret is read from (`{env: NAME}` or `{file: PATH}`).

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use switchboard_domain::FieldError;
use switchboard_domain::deployment::ConfigurationRef;
use switchboard_domain::integration::Status;
use switchboard_domain::integration_settings::{
    DEFAULT_CLOCK_SKEW_SECONDS, DEFAULT_REFRESH_LIFETIME_SECONDS, DEFAULT_SCOPES,
};
use switchboard_domain::messenger::VersionContent;
use switchboard_domain::provider::ProviderKind;
use uuid::Uuid;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Document {
    #[serde(default)]
    pub integrations: Vec<IntegrationEntry>,
    #[serde(default)]
    pub configurations: Vec<ConfigurationEntry>,
    #[serde(default)]
    pub deployments: Vec<DeploymentEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntegrationEntry {
    pub id: Uuid,
    pub name: String,
    /// The provider profile (where groups come from, the console's help).
    #[serde(default = "generic_provider")]
    pub provider: ProviderKind,
    pub discovery_uri: String,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    #[serde(default = "default_refresh_lifetime")]
    pub max_refresh_token_lifetime_seconds: i64,
    #[serde(default)]
    pub allowed_groups: Vec<String>,
    #[serde(default = "default_clock_skew")]
    pub clock_skew_seconds: i32,
    /// Active only with credentials and a passing connection test, which apply runs.
    #[serde(default = "inactive")]
    pub status: Status,
    /// Absent: the credentials stored in the database stay as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<CredentialsEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CredentialsEntry {
    pub client_id: String,
    /// Absent: the stored secret stays (set in the console, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<SecretRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub okta_api_token: Option<SecretRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConfigurationEntry {
    pub id: Uuid,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub draft: VersionContent,
    /// Published versions, oldest first. They never change once published: apply publishes
    /// the ones the database lacks and refuses a file that rewrites or leaves out one it has.
    #[serde(default)]
    pub versions: Vec<VersionEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionEntry {
    pub version: i32,
    pub content: VersionContent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeploymentEntry {
    pub id: Uuid,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub configuration: ConfigurationRef,
    #[serde(default)]
    pub allowed_domains: Vec<String>,
    #[serde(default)]
    pub allow_all_domains: bool,
    #[serde(default = "inactive")]
    pub status: Status,
    #[serde(default)]
    pub page_sign_in: bool,
    #[serde(default)]
    pub page_redirect_uris: Vec<String>,
}

/// Where a secret is read from when the document is applied: written `{env: NAME}` or
/// `{file: PATH}`, a map of one key, in YAML and JSON alike.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(rename_all = "camelCase"))]
pub enum SecretRef {
    /// An environment variable of the process that applies (the CLI, or the server for the
    /// REST API).
    Env(String),
    /// A file (a mounted secret); a trailing newline is not part of the secret.
    File(String),
}

/// Said when a document holds a secret's value: the value itself is never repeated.
pub const LITERAL_SECRET: &str = "a secret is never written in the file (write {env: VARIABLE} or {file: PATH}, and it is read from there when the file is applied)";

impl<'de> Deserialize<'de> for SecretRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Reference;

        impl<'de> Visitor<'de> for Reference {
            type Value = SecretRef;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("{env: VARIABLE} or {file: PATH}")
            }

            // A value in any other shape may be the secret: refuse it without quoting it.
            fn visit_str<E: de::Error>(self, _: &str) -> Result<SecretRef, E> {
                Err(E::custom(LITERAL_SECRET))
            }

            fn visit_i64<E: de::Error>(self, _: i64) -> Result<SecretRef, E> {
                Err(E::custom(LITERAL_SECRET))
            }

            fn visit_u64<E: de::Error>(self, _: u64) -> Result<SecretRef, E> {
                Err(E::custom(LITERAL_SECRET))
            }

            fn visit_f64<E: de::Error>(self, _: f64) -> Result<SecretRef, E> {
                Err(E::custom(LITERAL_SECRET))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SecretRef, A::Error> {
                let reference = match map.next_key::<String>()?.as_deref() {
                    Some("env") => SecretRef::Env(map.next_value()?),
                    Some("file") => SecretRef::File(map.next_value()?),
                    Some(other) => {
                        return Err(de::Error::custom(format!(
                            "unknown secret source `{other}`: write {{env: VARIABLE}} or {{file: PATH}}"
                        )));
                    }
                    None => return Err(de::Error::custom("write {env: VARIABLE} or {file: PATH}")),
                };
                if map.next_key::<String>()?.is_some() {
                    return Err(de::Error::custom(
                        "name one source: {env: VARIABLE} or {file: PATH}, not both",
                    ));
                }
                Ok(reference)
            }
        }

        deserializer.deserialize_any(Reference)
    }
}

impl Serialize for SecretRef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (key, value) = match self {
            Self::Env(name) => ("env", name),
            Self::File(path) => ("file", path),
        };
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(key, value)?;
        map.end()
    }
}

impl fmt::Display for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env(name) => write!(f, "environment variable {name}"),
            Self::File(path) => write!(f, "file {path}"),
        }
    }
}

/// How a document is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

/// Reads a document, refusing unknown keys and wrong types with the path of the key
/// (`integrations[0].credentials.clientSecret`).
pub fn parse(text: &str, format: Format) -> Result<Document, Vec<FieldError>> {
    let mut unknown = Vec::new();
    let parsed = match format {
        Format::Yaml => read(serde_yaml_ng::Deserializer::from_str(text), &mut unknown),
        Format::Json => {
            let mut deserializer = serde_json::Deserializer::from_str(text);
            read(&mut deserializer, &mut unknown).and_then(|document| {
                deserializer
                    .end()
                    .map(|()| document)
                    .map_err(|error| FieldError::new("", error.to_string()))
            })
        }
    };
    let document = parsed.map_err(|error| vec![error])?;
    if !unknown.is_empty() {
        return Err(unknown
            .into_iter()
            .map(|path| {
                let message = format!("unknown key {path}; check its spelling");
                FieldError::new(path, message)
            })
            .collect());
    }
    Ok(document)
}

fn read<'de, D>(deserializer: D, unknown: &mut Vec<String>) -> Result<Document, FieldError>
where
    D: Deserializer<'de>,
    D::Error: fmt::Display,
{
    let mut note = |path: serde_ignored::Path| unknown.push(key_path(&path));
    let ignoring = serde_ignored::Deserializer::new(deserializer, &mut note);
    serde_path_to_error::deserialize(ignoring).map_err(|error| {
        let path = error.path().to_string();
        let path = if path == "." { String::new() } else { path };
        let message = error.into_inner().to_string();
        // The YAML reader names the path itself; it is the field already.
        let message = message
            .strip_prefix(&format!("{path}: "))
            .map_or(message.clone(), str::to_owned);
        FieldError::new(path, message)
    })
}

/// `integrations[0].credentials.clientSecret`, the way `serde_path_to_error` writes paths.
fn key_path(path: &serde_ignored::Path) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", key_path(parent)),
        Path::Map { parent, key } => match key_path(parent) {
            parent if parent.is_empty() => key.clone(),
            parent => format!("{parent}.{key}"),
        },
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => key_path(parent),
    }
}

/// The document as YAML, keys in the order of the types above.
pub fn to_yaml(document: &Document) -> String {
    serde_yaml_ng::to_string(document).expect("a document always serialises")
}

fn generic_provider() -> ProviderKind {
    ProviderKind::Oidc
}

fn default_scopes() -> Vec<String> {
    DEFAULT_SCOPES.map(str::to_owned).to_vec()
}

fn default_refresh_lifetime() -> i64 {
    DEFAULT_REFRESH_LIFETIME_SECONDS
}

fn default_clock_skew() -> i32 {
    DEFAULT_CLOCK_SKEW_SECONDS
}

fn inactive() -> Status {
    Status::Inactive
}
