//! The REST API under `/api/v2`: JSON in and out, camelCase fields, errors as
//! `{"error": code, "message": text}`. Callers authenticate with an admin session cookie or
//! `Authorization: Bearer <API token>`; a viewer (or a viewer's token) reads but cannot change.

mod canned_replies;
mod config;
mod configurations;
mod conversations;
mod deployments;
pub mod events;
mod integrations;
mod openapi;

use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{any, get};
use axum::{Json, Router};
use serde::Deserialize;
use switchboard_core::admins::Principal;
use switchboard_core::{api_tokens, audit};
use switchboard_domain::FieldError;
use switchboard_domain::admin::ApiTokenSummary;
use switchboard_domain::audit::{AuditPage, OBJECT_TYPES};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::error;
pub use crate::error::HttpError as ApiError;

/// The API's routes at their full paths (`/api/v2/...`). They come from the handlers'
/// `#[utoipa::path]` annotations, so the OpenAPI document served at `/api/v2/openapi.json`
/// lists exactly the routes there are.
pub fn router() -> Router<AppState> {
    let (router, mut document) = documented().split_for_parts();
    openapi::complete(&mut document);
    router
        .route("/api/v2/openapi.json", get(openapi::serve(document)))
        .route(
            "/api/v2/{*rest}",
            any(|| async { ApiError::not_found("route") }),
        )
}

/// Every documented route, with the document's info, tags and security scheme.
pub fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::base())
        .routes(routes!(list_audit))
        .routes(routes!(list_tokens))
        .routes(routes!(revoke_token))
        .merge(integrations::router())
        .merge(configurations::router())
        .merge(deployments::router())
        .merge(conversations::router())
        .merge(canned_replies::router())
        .merge(events::router())
        .merge(config::router())
}

/// A JSON request body, answered in the API's error shape when it is not one: 415 without a
/// JSON content type, 400 for malformed JSON or a wrong type (naming what is wrong), and 422
/// naming every field the body has that the API does not know (`draft.appearance.colour`), so
/// a typo is never silently dropped. The read-only fields of the API's own answers
/// ([`READ_ONLY_FIELDS`]) are known: a client may send back what it read, and they are ignored.
pub struct JsonBody<T>(pub T);

/// Top-level fields the API writes in its answers and never reads (ids, the snippet, the
/// check report...): a body that carries them back is not refused for it.
pub const READ_ONLY_FIELDS: [&str; 9] = [
    "id",
    "snippet",
    "kind",
    "credentials",
    "lastCheck",
    "versions",
    "createdAt",
    "updatedAt",
    "provider",
];

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the body as JSON, with Content-Type: application/json.",
            ));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    rejection.body_text(),
                )
            })?;
        let mut unknown = Vec::new();
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_ignored::deserialize(&mut deserializer, |path| {
            let path = path.to_string();
            if !READ_ONLY_FIELDS.contains(&path.as_str()) {
                unknown.push(path);
            }
        })
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|error| {
            // Types that refuse unknown fields themselves (the tagged provider preset) say so
            // in serde's words: the same 422 as any other unknown field.
            let text = error.to_string();
            match text
                .strip_prefix("unknown field `")
                .and_then(|rest| rest.split_once('`'))
            {
                Some((name, _)) => unknown_fields(vec![name.to_owned()]),
                None => ApiError::new(StatusCode::BAD_REQUEST, "bad_request", text),
            }
        })?;
        if !unknown.is_empty() {
            return Err(unknown_fields(unknown));
        }
        Ok(Self(value))
    }
}

/// 422 naming each unknown field.
fn unknown_fields(paths: Vec<String>) -> ApiError {
    let fields = paths
        .into_iter()
        .map(|path| {
            let message = format!("Unknown field {path}; check its spelling.");
            FieldError::new(path, message)
        })
        .collect();
    switchboard_core::Error::Invalid(fields).into()
}

/// An object's id from the path; one that is not an id is a 400 in the API's error shape.
pub struct IdPath(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<Uuid>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(Self(id)),
            Err(_) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "The id in the path is not a valid id (a UUID).",
            )),
        }
    }
}

/// The caller, or a 401 answer.
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Caller)
            .ok_or_else(ApiError::unauthorized)
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct AuditQuery {
    /// Only events about this kind of object (`integration`, `admin`, `api_token`, ...).
    object: Option<String>,
    /// The page, from 0; 50 events per page, newest first.
    #[serde(default)]
    page: u64,
}

/// The audit log, newest first.
#[utoipa::path(
    get, path = "/api/v2/audit", tag = "audit", params(AuditQuery),
    responses(
        (status = 200, body = AuditPage),
        (status = 400, body = error::Body, description = "Unknown object kind"),
        (status = 401, body = error::Body),
    )
)]
async fn list_audit(
    State(state): State<AppState>,
    _: Caller,
    Query(query): Query<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    if let Some(object) = query.object.as_deref()
        && !OBJECT_TYPES.iter().any(|(value, _)| *value == object)
    {
        let known: Vec<_> = OBJECT_TYPES.iter().map(|(value, _)| *value).collect();
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_object",
            format!("object must be one of: {}", known.join(", ")),
        ));
    }
    let page = audit::list(&state.services, query.object.as_deref(), query.page).await?;
    Ok(Json(page))
}

/// The API tokens that still work (their values are never shown again).
#[utoipa::path(
    get, path = "/api/v2/tokens", tag = "tokens",
    responses((status = 200, body = [ApiTokenSummary]), (status = 401, body = error::Body))
)]
async fn list_tokens(
    State(state): State<AppState>,
    _: Caller,
) -> Result<Json<Vec<ApiTokenSummary>>, ApiError> {
    Ok(Json(api_tokens::list(&state.services).await?))
}

/// Revokes a token; it stops working at once.
#[utoipa::path(
    delete, path = "/api/v2/tokens/{id}", tag = "tokens",
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, body = error::Body),
        (status = 403, body = error::Body, description = "A viewer"),
        (status = 404, body = error::Body),
    )
)]
async fn revoke_token(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    api_tokens::revoke(&state.services, id, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}
