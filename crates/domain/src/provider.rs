//! Provider profiles: every identity provider Switchboard knows by name, as data. A profile says
//! how the admin names the provider (the catalog's fields), how its Discovery URI follows from
//! those answers, where a visitor's groups come from, and what the admin does in that
//! provider's console. The catalog, the REST API and the integration page all read from here,
//! so adding a provider is one entry in [`PROFILES`], one arm in [`ProviderPreset`] and its tests.
//!
//! The derivation is pure string work (this crate compiles to wasm): the browser previews the
//! same URI the server derives. The server then applies its network rules to it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::FieldError;

/// Which provider an integration was set up for. Stored and sent as the lowercase string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ProviderKind {
    Okta,
    Entra,
    Google,
    Auth0,
    Keycloak,
    /// Any other OpenID Connect provider: the admin enters the Discovery URI.
    #[default]
    Oidc,
}

crate::stored_enum!(ProviderKind, "provider kind" {
    Oidc => "oidc",
    Okta => "okta",
    Entra => "entra",
    Google => "google",
    Auth0 => "auth0",
    Keycloak => "keycloak",
});

impl ProviderKind {
    pub fn profile(self) -> &'static Profile {
        PROFILES
            .iter()
            .find(|profile| profile.kind == self)
            .unwrap_or(&PROFILES[0])
    }

    pub fn label(self) -> &'static str {
        self.profile().label
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Where a visitor's groups can come from, in the order they are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupsSource {
    /// The ID token's `groups` claim.
    Claim,
    /// The userinfo endpoint's `groups`, with the visitor's access token.
    Userinfo,
    /// Okta's users API, with an API token the admin stores on the integration.
    OktaApi,
    /// Microsoft Graph, when Entra ID leaves the groups out of a token (group overage), with a
    /// token the app gets for itself (client credentials).
    MicrosoftGraph,
}

impl GroupsSource {
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Claim => "the ID token's groups claim",
            Self::Userinfo => "the userinfo endpoint",
            Self::OktaApi => "Okta's users API, with the Okta API token below",
            Self::MicrosoftGraph => {
                "Microsoft Graph when the user has too many groups for the token (needs the GroupMember.Read.All application permission)"
            }
        }
    }
}

/// How a catalog field takes its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldInput {
    Text,
    /// A select: `(value, label)` pairs, the first being the default.
    Choice(&'static [(&'static str, &'static str)]),
}

/// One question the catalog asks for a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresetField {
    /// The field's name in forms and in error answers (`oktaDomain`).
    pub name: &'static str,
    pub label: &'static str,
    pub placeholder: &'static str,
    pub input: FieldInput,
    /// Shown only while another field has a value: `(field, value)`.
    pub shown_when: Option<(&'static str, &'static str)>,
}

/// Everything the product knows about one provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    pub kind: ProviderKind,
    pub label: &'static str,
    /// The catalog's sentence about it.
    pub summary: &'static str,
    pub fields: &'static [PresetField],
    pub groups: &'static [GroupsSource],
    /// Where, in the provider's console, the redirect URIs go and which grants to enable.
    pub redirect_help: &'static str,
    /// For sites that run their own sign-in and hand the code over: what to use on the page.
    pub page_hint: &'static str,
}

const TEXT: FieldInput = FieldInput::Text;

const OKTA_SERVERS: &[(&str, &str)] = &[
    ("default", "default (custom authorization server)"),
    ("org", "Org authorization server"),
    ("custom", "Another custom authorization server"),
];

/// The catalog, in the order it shows them; the generic profile first.
pub const PROFILES: &[Profile] = &[
    Profile {
        kind: ProviderKind::Oidc,
        label: "OpenID Connect",
        summary: "Any OpenID Connect provider: you enter its Discovery URI next.",
        fields: &[],
        groups: &[GroupsSource::Claim, GroupsSource::Userinfo],
        redirect_help: "Register it at your provider as a redirect URI of a web application with the Authorization Code grant (and Refresh Token, for long sessions).",
        page_hint: "Run the authorization code flow with PKCE on your page and hand the code to the messenger.",
    },
    Profile {
        kind: ProviderKind::Okta,
        label: "Okta",
        summary: "Set up from your Okta domain: Switchboard derives the Discovery URI.",
        fields: &[
            PresetField {
                name: "oktaDomain",
                label: "Okta domain",
                placeholder: "acme.okta.com",
                input: TEXT,
                shown_when: None,
            },
            PresetField {
                name: "oktaServer",
                label: "Authorization server",
                placeholder: "",
                input: FieldInput::Choice(OKTA_SERVERS),
                shown_when: None,
            },
            PresetField {
                name: "oktaServerId",
                label: "Authorization server ID",
                placeholder: "aus1a2b3c4D5e6F7g8",
                input: TEXT,
                shown_when: Some(("oktaServer", "custom")),
            },
        ],
        groups: &[
            GroupsSource::Claim,
            GroupsSource::Userinfo,
            GroupsSource::OktaApi,
        ],
        redirect_help: "In Okta: Applications › your app › General › Login › Sign-in redirect URIs. Enable the Authorization Code and Refresh Token grants.",
        page_hint: "Use @okta/okta-auth-js with PKCE and this integration's issuer and client ID.",
    },
    Profile {
        kind: ProviderKind::Entra,
        label: "Microsoft Entra ID",
        summary: "Set up from your tenant: Switchboard derives the v2.0 Discovery URI.",
        fields: &[PresetField {
            name: "entraTenant",
            label: "Tenant ID or primary domain",
            placeholder: "contoso.onmicrosoft.com",
            input: TEXT,
            shown_when: None,
        }],
        groups: &[GroupsSource::Claim, GroupsSource::MicrosoftGraph],
        redirect_help: "In the Microsoft Entra admin center: App registrations › your app › Authentication › Add a platform › Web › Redirect URIs. For groups, add the groups claim under Token configuration.",
        page_hint: "Use MSAL.js (@azure/msal-browser) with the authorization code flow and this integration's tenant and client ID.",
    },
    Profile {
        kind: ProviderKind::Google,
        label: "Google",
        summary: "Google accounts and Google Workspace: nothing to enter but the credentials.",
        fields: &[],
        groups: &[GroupsSource::Claim],
        redirect_help: "In the Google Cloud console: APIs & Services › Credentials › your OAuth 2.0 Client ID (Web application) › Authorized redirect URIs.",
        page_hint: "Use Google's OAuth 2.0 authorization code flow with PKCE; Google Identity Services' ID-token-only button gives no code.",
    },
    Profile {
        kind: ProviderKind::Auth0,
        label: "Auth0",
        summary: "Set up from your Auth0 domain (or custom domain): Switchboard derives the Discovery URI.",
        fields: &[PresetField {
            name: "auth0Domain",
            label: "Auth0 domain",
            placeholder: "acme.us.auth0.com",
            input: TEXT,
            shown_when: None,
        }],
        groups: &[GroupsSource::Claim, GroupsSource::Userinfo],
        redirect_help: "In the Auth0 dashboard: Applications › your application (Regular Web Application) › Settings › Allowed Callback URLs. Groups come from a claim an Action adds.",
        page_hint: "Use @auth0/auth0-spa-js with this integration's domain and client ID.",
    },
    Profile {
        kind: ProviderKind::Keycloak,
        label: "Keycloak",
        summary: "Set up from your Keycloak address and realm: Switchboard derives the Discovery URI.",
        fields: &[
            PresetField {
                name: "keycloakBaseUrl",
                label: "Keycloak address",
                placeholder: "https://sso.example.com",
                input: TEXT,
                shown_when: None,
            },
            PresetField {
                name: "keycloakRealm",
                label: "Realm",
                placeholder: "acme",
                input: TEXT,
                shown_when: None,
            },
        ],
        groups: &[GroupsSource::Claim, GroupsSource::Userinfo],
        redirect_help: "In the Keycloak admin console: Clients › your client (Client authentication on) › Settings › Valid redirect URIs. For groups, add a Group Membership mapper named groups.",
        page_hint: "Use keycloak-js with pkceMethod 'S256' and this integration's realm and client ID.",
    },
];

/// Which Okta authorization server issues the tokens.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "id")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OktaServer {
    /// The org authorization server: `https://{domain}`.
    Org,
    /// The built-in custom server: `https://{domain}/oauth2/default`.
    #[default]
    Default,
    /// Another custom server: `https://{domain}/oauth2/{id}`.
    Custom(String),
}

/// A provider and the admin's answers to its profile's questions, as the catalog and
/// `POST /api/v2/integrations` send them: `{"kind": "okta", "domain": "acme.okta.com"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "lowercase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ProviderPreset {
    Okta {
        domain: String,
        #[serde(default)]
        server: OktaServer,
    },
    Entra {
        tenant: String,
    },
    Google {},
    Auth0 {
        domain: String,
    },
    Keycloak {
        base_url: String,
        realm: String,
    },
    Oidc {},
}

impl ProviderPreset {
    pub fn kind(&self) -> ProviderKind {
        match self {
            Self::Okta { .. } => ProviderKind::Okta,
            Self::Entra { .. } => ProviderKind::Entra,
            Self::Google {} => ProviderKind::Google,
            Self::Auth0 { .. } => ProviderKind::Auth0,
            Self::Keycloak { .. } => ProviderKind::Keycloak,
            Self::Oidc {} => ProviderKind::Oidc,
        }
    }

    /// The preset from the catalog's fields, `answer(name)` giving each field's value.
    pub fn from_answers(kind: ProviderKind, answer: impl Fn(&str) -> String) -> Self {
        match kind {
            ProviderKind::Okta => Self::Okta {
                domain: answer("oktaDomain"),
                server: match answer("oktaServer").as_str() {
                    "org" => OktaServer::Org,
                    "custom" => OktaServer::Custom(answer("oktaServerId")),
                    _ => OktaServer::Default,
                },
            },
            ProviderKind::Entra => Self::Entra {
                tenant: answer("entraTenant"),
            },
            ProviderKind::Google => Self::Google {},
            ProviderKind::Auth0 => Self::Auth0 {
                domain: answer("auth0Domain"),
            },
            ProviderKind::Keycloak => Self::Keycloak {
                base_url: answer("keycloakBaseUrl"),
                realm: answer("keycloakRealm"),
            },
            ProviderKind::Oidc => Self::Oidc {},
        }
    }

    /// The Discovery URI the answers give, following each provider's documented pattern;
    /// `None` for the generic profile, whose URI the admin enters afterwards.
    pub fn discovery_uri(&self) -> Result<Option<String>, FieldError> {
        let issuer = match self {
            Self::Oidc {} => return Ok(None),
            Self::Okta { domain, server } => {
                let host = okta_domain(domain)?;
                match server {
                    OktaServer::Org => format!("https://{host}"),
                    OktaServer::Default => format!("https://{host}/oauth2/default"),
                    OktaServer::Custom(id) => {
                        let id = id.trim();
                        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
                            return Err(FieldError::new(
                                "oktaServerId",
                                "An authorization server id has letters and digits only, like aus1a2b3c4D5e6F7g8.",
                            ));
                        }
                        format!("https://{host}/oauth2/{id}")
                    }
                }
            }
            Self::Entra { tenant } => {
                format!(
                    "https://login.microsoftonline.com/{}/v2.0",
                    entra_tenant(tenant)?
                )
            }
            Self::Google {} => "https://accounts.google.com".to_owned(),
            Self::Auth0 { domain } => {
                let host = host("auth0Domain", "Auth0 domain", domain, "acme.us.auth0.com")?;
                format!("https://{host}")
            }
            Self::Keycloak { base_url, realm } => {
                let base = keycloak_base(base_url);
                let realm = keycloak_realm(realm);
                let (base, realm) = match (base, realm) {
                    (Ok(base), Ok(realm)) => (base, realm),
                    (Err(error), _) | (_, Err(error)) => return Err(error),
                };
                format!("{base}/realms/{realm}")
            }
        };
        Ok(Some(format!("{issuer}/.well-known/openid-configuration")))
    }

    /// What the answers were read as, for the catalog to show beside the fields before
    /// anything is saved (`Okta domain: acme.okta.com` for a pasted admin console address).
    pub fn derived_note(&self) -> Option<String> {
        match self {
            Self::Okta { domain, .. } => okta_domain(domain)
                .ok()
                .map(|domain| format!("Okta domain: {domain}")),
            _ => None,
        }
    }

    /// The new integration's name: the provider and what tells it apart.
    pub fn integration_name(&self) -> String {
        let label = self.kind().label();
        let detail = match self {
            Self::Okta { domain, .. } => okta_domain(domain).unwrap_or_else(|_| bare_host(domain)),
            Self::Auth0 { domain } => bare_host(domain),
            Self::Entra { tenant } => tenant.trim().to_owned(),
            Self::Keycloak { realm, .. } => realm.trim().to_owned(),
            Self::Google {} | Self::Oidc {} => String::new(),
        };
        if detail.is_empty() {
            label.to_owned()
        } else {
            format!("{label} ({detail})")
        }
    }
}

/// The hosts Okta serves orgs from; an org's admin console is `{org}-admin.{host}`.
const OKTA_HOSTS: [&str; 3] = ["okta.com", "oktapreview.com", "okta-emea.com"];

/// The Okta org domain from what people paste: the domain itself, a custom domain, or any
/// address of the admin console or the end-user dashboard (scheme, `-admin` host, path,
/// query and trailing slash allowed). Okta's own guides: "if your URL is
/// `https://acme-admin.okta.com`, your domain is `acme.okta.com`".
pub fn okta_domain(input: &str) -> Result<String, FieldError> {
    const FIELD: &str = "oktaDomain";
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(FIELD, "Okta domain is required."));
    }
    if trimmed.starts_with("http://") {
        return Err(FieldError::new(FIELD, "Okta domains use https."));
    }
    let rest = trimmed.strip_prefix("https://").unwrap_or(trimmed);
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if host.contains(char::is_whitespace) {
        return Err(FieldError::new(
            FIELD,
            "Okta domain must not contain spaces.",
        ));
    }
    let labels_ok = !host.is_empty()
        && host.split('.').count() >= 2
        && host.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !labels_ok {
        return Err(FieldError::new(
            FIELD,
            "Enter the Okta domain, like acme.okta.com, or paste the address of your Okta admin console.",
        ));
    }
    for okta in OKTA_HOSTS {
        if let Some(org) = host
            .strip_suffix(okta)
            .and_then(|head| head.strip_suffix('.'))
        {
            let org = org.strip_suffix("-admin").unwrap_or(org);
            if org.is_empty() || org.contains('.') {
                break;
            }
            return Ok(format!("{org}.{okta}"));
        }
    }
    // A custom domain (`login.acme.com`) is the org's address as it is.
    Ok(host)
}

fn bare_host(input: &str) -> String {
    let trimmed = input.trim();
    trimmed
        .strip_prefix("https://")
        .unwrap_or(trimmed)
        .trim_end_matches('/')
        .to_ascii_lowercase()
}

/// A host name typed with or without `https://` and a trailing slash, and nothing else.
fn host(field: &str, label: &str, input: &str, example: &str) -> Result<String, FieldError> {
    let host = bare_host(input);
    if host.is_empty() {
        return Err(FieldError::new(field, format!("{label} is required.")));
    }
    if host.starts_with("http://") {
        return Err(FieldError::new(field, format!("{label}s use https.")));
    }
    if host.contains(char::is_whitespace) {
        return Err(FieldError::new(
            field,
            format!("{label} must not contain spaces."),
        ));
    }
    if host.contains(['/', '?', '#', '@', '\\']) {
        return Err(FieldError::new(
            field,
            format!("Enter the {label} alone, like {example}, without a path."),
        ));
    }
    Ok(host)
}

const MULTI_TENANT: [&str; 3] = ["common", "organizations", "consumers"];

/// A tenant ID (a GUID) or a verified domain; a pasted `login.microsoftonline.com/...` address
/// gives its tenant segment.
fn entra_tenant(input: &str) -> Result<String, FieldError> {
    const FIELD: &str = "entraTenant";
    let mut tenant = input.trim().trim_start_matches("https://");
    if let Some(rest) = tenant.strip_prefix("login.microsoftonline.com/") {
        tenant = rest.split('/').next().unwrap_or_default();
    }
    let tenant = tenant.trim_end_matches('/').to_ascii_lowercase();
    if tenant.is_empty() {
        return Err(FieldError::new(FIELD, "Tenant ID or domain is required."));
    }
    if MULTI_TENANT.contains(&tenant.as_str()) {
        return Err(FieldError::new(
            FIELD,
            "Multi-tenant endpoints (common, organizations, consumers) name no single issuer: enter your tenant ID or primary domain, like contoso.onmicrosoft.com.",
        ));
    }
    let is_guid = tenant.len() == 36
        && tenant.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    let is_domain = tenant.contains('.')
        && tenant.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if is_guid || is_domain {
        Ok(tenant)
    } else {
        Err(FieldError::new(
            FIELD,
            "Enter the Directory (tenant) ID, like 72f988bf-86f1-41af-91ab-2d7cd011db47, or a domain like contoso.onmicrosoft.com.",
        ))
    }
}

/// Keycloak's address, path kept (`https://sso.example.com/auth` for servers before 17).
fn keycloak_base(input: &str) -> Result<String, FieldError> {
    const FIELD: &str = "keycloakBaseUrl";
    let trimmed = input.trim().trim_end_matches('/');
    if trimmed.is_empty() {
        return Err(FieldError::new(FIELD, "Keycloak address is required."));
    }
    if trimmed.starts_with("http://") {
        return Err(FieldError::new(FIELD, "Keycloak addresses use https."));
    }
    let base = trimmed.strip_prefix("https://").unwrap_or(trimmed);
    let host = base.split('/').next().unwrap_or_default();
    if host.is_empty()
        || base.contains(char::is_whitespace)
        || base.contains(['?', '#', '@', '\\'])
        || base.contains("://")
    {
        return Err(FieldError::new(
            FIELD,
            "Enter Keycloak's address, like https://sso.example.com, without a query.",
        ));
    }
    // A pasted realm address: keep the part before `/realms/`.
    let base = base.split("/realms/").next().unwrap_or(base);
    Ok(format!("https://{base}"))
}

fn keycloak_realm(input: &str) -> Result<String, FieldError> {
    let realm = input.trim();
    if realm.is_empty() {
        return Err(FieldError::new("keycloakRealm", "Realm is required."));
    }
    if !realm
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        || realm == "."
        || realm == ".."
    {
        return Err(FieldError::new(
            "keycloakRealm",
            "A realm name here has letters, digits, '-', '_' and '.' only.",
        ));
    }
    Ok(realm.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(preset: ProviderPreset) -> Result<String, FieldError> {
        preset.discovery_uri().map(|uri| uri.unwrap())
    }

    fn okta(domain: &str, server: OktaServer) -> ProviderPreset {
        ProviderPreset::Okta {
            domain: domain.into(),
            server,
        }
    }

    #[test]
    fn every_kind_has_one_profile() {
        for &kind in ProviderKind::ALL {
            let profiles: Vec<_> = PROFILES.iter().filter(|p| p.kind == kind).collect();
            assert_eq!(profiles.len(), 1, "{kind:?}");
            assert_eq!(kind.as_str().parse::<ProviderKind>().unwrap(), kind);
            let preset = ProviderPreset::from_answers(kind, |_| String::new());
            assert_eq!(preset.kind(), kind);
        }
        assert!("azure".parse::<ProviderKind>().is_err());
    }

    #[test]
    fn okta_follows_its_authorization_servers() {
        assert_eq!(
            uri(okta("acme.okta.com", OktaServer::Org)).unwrap(),
            "https://acme.okta.com/.well-known/openid-configuration"
        );
        assert_eq!(
            uri(okta("https://acme.okta.com/", OktaServer::Default)).unwrap(),
            "https://acme.okta.com/oauth2/default/.well-known/openid-configuration"
        );
        assert_eq!(
            uri(okta(
                " acme.oktapreview.com ",
                OktaServer::Custom("aus1x2Y3".into())
            ))
            .unwrap(),
            "https://acme.oktapreview.com/oauth2/aus1x2Y3/.well-known/openid-configuration"
        );
        for (domain, reason) in [
            ("", "required"),
            ("acme .okta.com", "spaces"),
            ("http://acme.okta.com", "https"),
            ("user@acme.okta.com", "paste the address"),
            ("localhost", "paste the address"),
        ] {
            let error = uri(okta(domain, OktaServer::Org)).expect_err(domain);
            assert_eq!(error.field, "oktaDomain");
            assert!(error.message.contains(reason), "{domain:?}: {error}");
        }
        let error = uri(okta("acme.okta.com", OktaServer::Custom("../admin".into()))).unwrap_err();
        assert_eq!(error.field, "oktaServerId");
    }

    #[test]
    fn okta_domains_are_read_from_what_people_paste() {
        for (pasted, domain) in [
            // The guides' examples.
            ("https://acme-admin.okta.com", "acme.okta.com"),
            ("https://acme-admin.okta.com/", "acme.okta.com"),
            ("acme.okta.com", "acme.okta.com"),
            // Admin console and end-user dashboard pages, with paths and queries.
            (
                "https://acme-admin.okta.com/admin/dashboard?from=x#top",
                "acme.okta.com",
            ),
            ("https://acme.okta.com/app/UserHome", "acme.okta.com"),
            (
                "https://dev-123456-admin.okta.com/admin/apps/active",
                "dev-123456.okta.com",
            ),
            (" ACME-ADMIN.oktapreview.com/admin ", "acme.oktapreview.com"),
            ("https://acme-admin.okta-emea.com/", "acme.okta-emea.com"),
            ("acme.okta-emea.com/oauth2/default", "acme.okta-emea.com"),
            // A custom domain is the org's address as it is.
            ("https://login.acme.com/", "login.acme.com"),
        ] {
            assert_eq!(okta_domain(pasted).as_deref(), Ok(domain), "{pasted:?}");
        }
        let preset = okta(
            "https://acme-admin.okta.com/admin/dashboard",
            OktaServer::Default,
        );
        assert_eq!(
            uri(preset.clone()).unwrap(),
            "https://acme.okta.com/oauth2/default/.well-known/openid-configuration"
        );
        assert_eq!(
            preset.derived_note().as_deref(),
            Some("Okta domain: acme.okta.com")
        );
        assert_eq!(preset.integration_name(), "Okta (acme.okta.com)");
    }

    #[test]
    fn entra_uses_the_tenant_v2_endpoint() {
        // learn.microsoft.com: https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration
        let entra = |tenant: &str| {
            uri(ProviderPreset::Entra {
                tenant: tenant.into(),
            })
        };
        assert_eq!(
            entra("72F988BF-86F1-41AF-91AB-2D7CD011DB47").unwrap(),
            "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0/.well-known/openid-configuration"
        );
        assert_eq!(
            entra("contoso.onmicrosoft.com").unwrap(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"
        );
        assert_eq!(
            entra("https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0").unwrap(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"
        );
        for bad in [
            "",
            "common",
            "Organizations",
            "consumers",
            "not a tenant",
            "../x",
            "72f988bf",
        ] {
            let error = entra(bad).expect_err(bad);
            assert_eq!(error.field, "entraTenant", "{bad}");
        }
        assert!(
            entra("common")
                .unwrap_err()
                .message
                .contains("no single issuer")
        );
    }

    #[test]
    fn google_has_one_issuer() {
        assert_eq!(
            uri(ProviderPreset::Google {}).unwrap(),
            "https://accounts.google.com/.well-known/openid-configuration"
        );
    }

    #[test]
    fn auth0_uses_the_tenant_or_custom_domain() {
        // auth0.com/docs: https://{yourDomain}/.well-known/openid-configuration
        let auth0 = |domain: &str| {
            uri(ProviderPreset::Auth0 {
                domain: domain.into(),
            })
        };
        assert_eq!(
            auth0("acme.us.auth0.com").unwrap(),
            "https://acme.us.auth0.com/.well-known/openid-configuration"
        );
        assert_eq!(
            auth0("https://login.acme.com/").unwrap(),
            "https://login.acme.com/.well-known/openid-configuration"
        );
        assert_eq!(
            auth0("acme.auth0.com/authorize").unwrap_err().field,
            "auth0Domain"
        );
    }

    #[test]
    fn keycloak_uses_the_realm_path() {
        // keycloak.org: {server}/realms/{realm}/.well-known/openid-configuration
        let keycloak = |base: &str, realm: &str| {
            uri(ProviderPreset::Keycloak {
                base_url: base.into(),
                realm: realm.into(),
            })
        };
        assert_eq!(
            keycloak("https://sso.example.com/", "acme").unwrap(),
            "https://sso.example.com/realms/acme/.well-known/openid-configuration"
        );
        assert_eq!(
            keycloak("sso.example.com/auth", "acme-prod").unwrap(),
            "https://sso.example.com/auth/realms/acme-prod/.well-known/openid-configuration"
        );
        assert_eq!(
            keycloak("https://sso.example.com/realms/acme", "acme").unwrap(),
            "https://sso.example.com/realms/acme/.well-known/openid-configuration"
        );
        assert_eq!(keycloak("", "acme").unwrap_err().field, "keycloakBaseUrl");
        assert_eq!(
            keycloak("http://sso.example.com", "a").unwrap_err().field,
            "keycloakBaseUrl"
        );
        assert_eq!(
            keycloak("https://sso.example.com", "").unwrap_err().field,
            "keycloakRealm"
        );
        assert_eq!(
            keycloak("https://sso.example.com", "a/b")
                .unwrap_err()
                .field,
            "keycloakRealm"
        );
    }

    #[test]
    fn the_generic_profile_derives_nothing() {
        assert_eq!(ProviderPreset::Oidc {}.discovery_uri().unwrap(), None);
        assert_eq!(ProviderPreset::Oidc {}.integration_name(), "OpenID Connect");
        assert_eq!(
            okta("https://Acme.okta.com/", OktaServer::Org).integration_name(),
            "Okta (acme.okta.com)"
        );
    }

    #[test]
    fn presets_read_as_the_api_sends_them() {
        let preset: ProviderPreset = serde_json::from_value(serde_json::json!({
            "kind": "keycloak", "baseUrl": "https://sso.example.com", "realm": "acme"
        }))
        .unwrap();
        assert_eq!(preset.kind(), ProviderKind::Keycloak);
        let okta: ProviderPreset =
            serde_json::from_value(serde_json::json!({"kind": "okta", "domain": "acme.okta.com"}))
                .unwrap();
        assert_eq!(okta, self::okta("acme.okta.com", OktaServer::Default));
        let unknown = serde_json::from_value::<ProviderPreset>(
            serde_json::json!({"kind": "google", "tenant": "x"}),
        );
        assert!(unknown.is_err());
    }
}
