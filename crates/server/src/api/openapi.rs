//! `GET /api/v2/openapi.json`: the OpenAPI 3.1 description of this API, generated from the
//! handlers' annotations and the domain types, so it cannot drift from the code.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{configurations, conversations, deployments, error, integrations};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Switchboard API",
        version = "2",
        description = "Integrations, messenger configurations and deployments, audit log. \
            Authenticate with `Authorization: Bearer <API token>` (`switchboard token create`) \
            or an admin session cookie. Errors are `{\"error\": code, \"message\": text}`."
    ),
    paths(
        super::list_audit,
        super::list_tokens,
        super::revoke_token,
        integrations::list,
        integrations::install,
        integrations::show,
        integrations::update,
        integrations::set_status,
        integrations::remove,
        integrations::set_credentials,
        integrations::test_connection,
        integrations::sign_ins,
        configurations::list,
        configurations::create,
        configurations::show,
        configurations::update,
        configurations::remove,
        configurations::versions,
        configurations::draft,
        configurations::update_draft,
        configurations::publish,
        deployments::list,
        deployments::create,
        deployments::show,
        deployments::update,
        deployments::remove,
        conversations::list,
        conversations::messages,
        conversations::reply,
        conversations::typing,
        conversations::read,
    ),
    components(schemas(error::Body)),
    modifiers(&BearerToken),
    security(("bearer" = [])),
    tags(
        (name = "integrations", description = "Connections to OpenID Connect providers"),
        (name = "messenger configurations", description = "Drafts and published versions"),
        (name = "messenger deployments", description = "Where the messenger runs, and its snippet"),
        (name = "conversations", description = "Visitors' conversations and agents' replies"),
        (name = "audit", description = "Who changed what, and when"),
        (name = "tokens", description = "API tokens"),
    )
)]
struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub(super) async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
