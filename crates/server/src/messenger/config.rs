//! `GET /messenger/v1/deployments/{id}/config`: the public deployment config.
//!
//! Cacheable (an ETag of the body; `If-None-Match` answers 304), readable cross-origin only by
//! pages on the deployment's allowed domains (CORS), and 404 for anything not servable, without
//! saying why: unknown, inactive and unpublished deployments look the same from outside.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use switchboard_core::deployments;
use switchboard_domain::allowed_domains::origin_allowed;
use uuid::Uuid;

use crate::AppState;

pub async fn public_config(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<Uuid>() else {
        return not_found();
    };
    let found = deployments::public_config(state.services.db(), &state.web.base_url, id).await;
    let (config, patterns, allow_all) = match found {
        Ok(Some(found)) => found,
        Ok(None) => return not_found(),
        Err(error) => {
            tracing::error!(%error, %id, "cannot read a deployment's public config");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let body = serde_json::to_vec(&config).expect("the public config serialises");
    let etag = format!(
        "\"{}\"",
        Sha256::digest(&body)[..16]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>()
    );
    let mut response_headers = HeaderMap::new();
    response_headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60, must-revalidate"),
    );
    response_headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    response_headers.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("hex is a valid header value"),
    );
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    if let Some(origin) = origin.filter(|origin| origin_allowed(origin, &patterns, allow_all))
        && let Ok(value) = HeaderValue::from_str(origin)
    {
        response_headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        });
    if unchanged {
        return (StatusCode::NOT_MODIFIED, response_headers).into_response();
    }
    response_headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    (StatusCode::OK, response_headers, body).into_response()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({
            "error": "not_found",
            "message": "No active messenger deployment has this id.",
        })),
    )
        .into_response()
}
