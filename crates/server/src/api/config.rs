//! `/api/v2/config`: configuration as code over HTTP. `GET` exports the document (YAML, or
//! JSON when `Accept` asks for it); `PUT` applies one (YAML or JSON by `Content-Type`; admins
//! only), or with `?dryRun=true` only says what it would change.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use switchboard_core::config_as_code::{self, Document, Format, Plan, SecretReader};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiError, Caller};
use crate::AppState;
use crate::error::Body as Error;

const YAML: &str = "application/yaml";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export, apply))
}

/// Integrations (without secrets), messenger configurations with their draft and published
/// versions, and deployments, with their ids.
#[utoipa::path(get, path = "/api/v2/config", tag = "configuration as code",
    responses(
        (status = 200, content((Document = "application/yaml"), (Document = "application/json"))),
        (status = 401, body = Error),
    ))]
pub(super) async fn export(
    State(state): State<AppState>,
    _: Caller,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let document = config_as_code::export(&state.services).await?;
    Ok(if wants_json(&headers) {
        Json(document).into_response()
    } else {
        (
            [(header::CONTENT_TYPE, YAML)],
            config_as_code::to_yaml(&document),
        )
            .into_response()
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
pub(super) struct ApplyQuery {
    /// Check the document and answer the plan without writing anything.
    #[serde(default)]
    dry_run: bool,
}

/// Makes the database match the document and answers the plan: per object, create, update
/// (with what changes), unchanged, or not in the file (left as it is). Secrets are
/// references (`{env: SWITCHBOARD_CONFIG_SECRET_...}`); nothing is written when any part of
/// the document is wrong, and the 422 names the path of each key at fault.
#[utoipa::path(put, path = "/api/v2/config", tag = "configuration as code",
    params(ApplyQuery),
    request_body(content((Document = "application/yaml"), (Document = "application/json"))),
    responses(
        (status = 200, body = Plan),
        (status = 401, body = Error),
        (status = 403, body = Error, description = "A viewer"),
        (status = 422, body = Error, description = "Each key at fault, by its path (`integrations[0].credentials.clientSecret`)"),
    ))]
pub(super) async fn apply(
    State(state): State<AppState>,
    Caller(caller): Caller,
    query: Result<Query<ApplyQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Plan>, ApiError> {
    let Query(query) = query.map_err(|rejection| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            rejection.body_text(),
        )
    })?;
    // The role first: a viewer learns nothing from the document's problems.
    caller.require_change()?;
    let format = body_format(&headers)?;
    let text = std::str::from_utf8(&body).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "The document is not UTF-8 text.",
        )
    })?;
    let document = config_as_code::parse(text, format).map_err(switchboard_core::Error::Invalid)?;
    let secrets = SecretReader::api(&state.web.config_environment);
    let plan =
        config_as_code::apply(&state.services, &document, &secrets, query.dry_run, &caller).await?;
    Ok(Json(plan))
}

/// JSON when the client names JSON and not YAML; YAML otherwise (the format people keep).
fn wants_json(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    accept.contains("json") && !accept.contains("yaml")
}

fn body_format(headers: &HeaderMap) -> Result<Format, ApiError> {
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(str::trim)
        .unwrap_or_default();
    match mime {
        "application/json" => Ok(Format::Json),
        "application/yaml" | "application/x-yaml" | "text/yaml" | "text/x-yaml" => Ok(Format::Yaml),
        _ => Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the document as YAML (Content-Type: application/yaml) or JSON (Content-Type: application/json).",
        )),
    }
}
