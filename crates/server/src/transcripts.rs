//! A conversation's transcript as a file download, for agents (REST) and visitors (the
//! messenger): JSON or plain text, named after the conversation, never cached.

use axum::Json;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use switchboard_domain::transcript::Transcript;

use crate::error::HttpError;

/// How a transcript is written out.
#[derive(Debug, Default, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TranscriptFormat {
    #[default]
    Json,
    Text,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TranscriptQuery {
    /// `json` (the default) or `text`.
    #[serde(default)]
    format: TranscriptFormat,
}

/// The format asked for, or a 400 that says which ones exist.
pub fn format(
    query: Result<Query<TranscriptQuery>, QueryRejection>,
) -> Result<TranscriptFormat, HttpError> {
    query.map(|Query(query)| query.format).map_err(|_| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Ask for format=json or format=text.",
        )
    })
}

pub fn download(transcript: &Transcript, format: TranscriptFormat) -> Response {
    let (mut response, extension) = match format {
        TranscriptFormat::Json => (Json(transcript).into_response(), "json"),
        TranscriptFormat::Text => (
            (
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                transcript.to_text(),
            )
                .into_response(),
            "txt",
        ),
    };
    let headers = response.headers_mut();
    let name = format!(
        "attachment; filename=\"conversation-{}.{extension}\"",
        transcript.conversation_id
    );
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    // Who the visitor is and what they said: no cache may keep it.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
