//! What the two upload endpoints share (`POST /messenger/v1/attachments`,
//! `POST /api/v2/conversations/{id}/attachments`: the file is the request body, its name the
//! `name` query parameter), and how a stored file goes out: as a download, never run.

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use switchboard_core::attachments::StoredFile;

use crate::error::HttpError;

/// A file's bytes may arrive this large at most (the largest limit a configuration may set);
/// the configuration's own limit is checked after.
pub const BODY_LIMIT: usize = switchboard_domain::attachment::MAX_BYTES_CEILING as usize + 1;

/// Nothing in a file may run, wherever a browser opens it.
const POLICY: &str = "default-src 'none'; sandbox";

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UploadQuery {
    /// The file's name (folders and unsafe characters are dropped).
    name: Option<String>,
}

/// The name `query` gives the file, or a clear refusal.
pub fn name(query: Result<Query<UploadQuery>, QueryRejection>) -> Result<String, HttpError> {
    match query {
        Ok(Query(UploadQuery { name: Some(name) })) if !name.trim().is_empty() => Ok(name),
        _ => Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Name the file: send its bytes as the body and ?name=photo.png in the URL.",
        )),
    }
}

/// `file` as a download: its sniffed type, `Content-Disposition: attachment` with its name,
/// and a policy under which nothing runs.
pub fn download(file: StoredFile) -> Response {
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        file.name.replace(|c: char| !c.is_ascii() || c == '\\', "_"),
        url::form_urlencoded::byte_serialize(file.name.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    );
    let mut response = file.bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&file.content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    // A conversation's files: only the browser that asked may keep them.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    response
}
