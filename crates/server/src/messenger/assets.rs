//! The messenger's static files, compiled into the binary and served from memory: the loader
//! every customer page fetches must cost next to nothing.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const LOADER: &str = include_str!("../../../../public/messenger.js");
const FRAME_SCRIPT: &str = include_str!("../../../../public/messenger/frame.js");
const FRAME_STYLE: &str = include_str!("../../../../public/messenger/frame.css");
const CALLBACK_SCRIPT: &str = include_str!("../../../../public/messenger/callback.js");
const EVENT_STREAM_SCRIPT: &str = include_str!("../../../../public/messenger/event-stream.js");
const API_TYPES: &str = include_str!("../../../../public/messenger/switchboard.d.ts");

/// `GET /messenger.js`.
pub async fn loader(headers: HeaderMap) -> Response {
    serve(
        &headers,
        LOADER,
        "text/javascript; charset=utf-8",
        &LOADER_ETAG,
    )
}

pub async fn frame_script(headers: HeaderMap) -> Response {
    serve(
        &headers,
        FRAME_SCRIPT,
        "text/javascript; charset=utf-8",
        &FRAME_SCRIPT_ETAG,
    )
}

pub async fn frame_style(headers: HeaderMap) -> Response {
    serve(
        &headers,
        FRAME_STYLE,
        "text/css; charset=utf-8",
        &FRAME_STYLE_ETAG,
    )
}

/// The frame's event-stream parser, an ES module the frame script imports.
pub async fn event_stream_script(headers: HeaderMap) -> Response {
    serve(
        &headers,
        EVENT_STREAM_SCRIPT,
        "text/javascript; charset=utf-8",
        &EVENT_STREAM_SCRIPT_ETAG,
    )
}

pub async fn callback_script(headers: HeaderMap) -> Response {
    serve(
        &headers,
        CALLBACK_SCRIPT,
        "text/javascript; charset=utf-8",
        &CALLBACK_SCRIPT_ETAG,
    )
}

/// The types of the loader's `window.Switchboard`, for the sites that script it.
pub async fn api_types(headers: HeaderMap) -> Response {
    serve(
        &headers,
        API_TYPES,
        "application/typescript; charset=utf-8",
        &API_TYPES_ETAG,
    )
}

static API_TYPES_ETAG: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| etag(API_TYPES));
static LOADER_ETAG: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| etag(LOADER));
static FRAME_SCRIPT_ETAG: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| etag(FRAME_SCRIPT));
static FRAME_STYLE_ETAG: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| etag(FRAME_STYLE));
static CALLBACK_SCRIPT_ETAG: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| etag(CALLBACK_SCRIPT));
static EVENT_STREAM_SCRIPT_ETAG: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| etag(EVENT_STREAM_SCRIPT));

/// A strong validator of `body`.
pub fn etag(body: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(body.as_bytes());
    format!(
        "\"{}\"",
        digest[..12]
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>()
    )
}

/// Whether `If-None-Match` already names `etag`.
pub fn unchanged(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|tag| tag.trim() == etag || tag.trim() == "*")
        })
}

fn serve(
    headers: &HeaderMap,
    body: &'static str,
    content_type: &'static str,
    tag: &str,
) -> Response {
    let tag = HeaderValue::from_str(tag).expect("hex is a valid header value");
    // Short enough that a new release reaches pages within minutes, long enough to spare
    // most requests; revalidation with the ETag is cheap.
    let cache = HeaderValue::from_static("public, max-age=300");
    if unchanged(headers, tag.to_str().unwrap_or_default()) {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, tag), (header::CACHE_CONTROL, cache)],
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::ETAG, tag),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}
