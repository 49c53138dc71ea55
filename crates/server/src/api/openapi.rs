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
        (name = "configuration as code", description = "Everything as one YAML document: export, and apply with a plan"),
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

/// Adds what every operation has besides its own annotations: each `{name}` of its path as a
/// path parameter (an id), and the answers of the shared error renderer: 401 and 503
/// everywhere; 400, 413, 415 and 422 with a request body; 400 and 404 with a path parameter.
/// So the document names every parameter and every status the API can answer.
pub(super) fn complete(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{KnownFormat, ObjectBuilder, Required, SchemaFormat, Type};
    for (path, item) in document.paths.paths.iter_mut() {
        let names: Vec<String> = path
            .split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
            .map(str::to_owned)
            .collect();
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let parameters = operation.parameters.get_or_insert_with(Vec::new);
            for name in &names {
                let declared = parameters
                    .iter()
                    .any(|p| p.parameter_in == ParameterIn::Path && &p.name == name);
                if !declared {
                    let id = ObjectBuilder::new()
                        .schema_type(Type::String)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)));
                    parameters.push(
                        ParameterBuilder::new()
                            .name(name)
                            .parameter_in(ParameterIn::Path)
                            .required(Required::True)
                            .schema(Some(id))
                            .build(),
                    );
                }
            }
            let mut add = vec![
                ("401", "Not signed in, or no valid API token"),
                ("503", "The database cannot be reached; try again shortly"),
            ];
            if operation.request_body.is_some() {
                add.extend([
                    ("400", "Malformed JSON, or a field of the wrong type"),
                    ("413", "The body is larger than the API accepts (1 MiB)"),
                    ("415", "The body is not sent as application/json"),
                    (
                        "422",
                        "Field errors, naming each field (unknown fields included)",
                    ),
                ]);
            }
            let path_parameter = operation
                .parameters
                .iter()
                .flatten()
                .any(|parameter| parameter.parameter_in == ParameterIn::Path);
            if path_parameter {
                add.extend([
                    ("400", "A path parameter that is not a valid id"),
                    ("404", "No such object"),
                ]);
            }
            for (status, description) in add {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| error_response(description));
            }
        }
    }
}

fn error_response(
    description: &str,
) -> utoipa::openapi::RefOr<utoipa::openapi::response::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Error")))
        .build();
    ResponseBuilder::new()
        .description(description)
        .content("application/json", content)
        .build()
        .into()
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
