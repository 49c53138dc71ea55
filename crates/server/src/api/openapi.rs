//! `GET /api/v2/openapi.json`: the OpenAPI 3.1 description of this API, generated from the
//! handlers' annotations and the domain types, so it cannot drift from the code.

use axum::body::Bytes;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Switchboard API",
        version = "2",
        description = "Integrations, messenger configurations and deployments, audit log. \
            Authenticate with `Authorization: Bearer <API token>` (`switchboard token create`) \
            or an admin session cookie. Errors are `{\"error\": code, \"message\": text}`."
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

/// The document's info, tags and security scheme; the paths come from the router.
pub(super) fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// A handler that serves `document`, serialised once.
pub(super) fn serve(
    document: utoipa::openapi::OpenApi,
) -> impl Fn() -> std::future::Ready<Response> + Clone + Send + Sync + 'static {
    let body = Bytes::from(serde_json::to_vec(&document).expect("the document serialises"));
    move || {
        let headers = [(header::CONTENT_TYPE, "application/json")];
        std::future::ready((headers, body.clone()).into_response())
    }
}
