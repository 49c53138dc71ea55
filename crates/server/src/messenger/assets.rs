//! The messenger's static files, compiled into the binary and served from memory, compressed
//! once (see [`crate::compression`]): the loader every customer page fetches must cost next to
//! nothing.

use std::sync::LazyLock;

use axum::http::HeaderMap;
use axum::response::Response;

use crate::compression::Encoded;

/// `public/messenger.js`, minified by the build script.
const LOADER: &str = include_str!(concat!(env!("OUT_DIR"), "/messenger.min.js"));
const FRAME_SCRIPT: &str = include_str!("../../../../public/messenger/frame.js");
const FRAME_STYLE: &str = include_str!("../../../../public/messenger/frame.css");
const CALLBACK_SCRIPT: &str = include_str!("../../../../public/messenger/callback.js");
const EVENT_STREAM_SCRIPT: &str = include_str!("../../../../public/messenger/event-stream.js");
const API_TYPES: &str = include_str!("../../../../public/messenger/switchboard.d.ts");

/// Each file in every encoding, compressed on first use.
macro_rules! encoded {
    ($name:ident, $source:expr) => {
        static $name: LazyLock<Encoded> = LazyLock::new(|| Encoded::new($source));
    };
}
encoded!(LOADER_ENCODED, LOADER);
encoded!(FRAME_SCRIPT_ENCODED, FRAME_SCRIPT);
encoded!(FRAME_STYLE_ENCODED, FRAME_STYLE);
encoded!(CALLBACK_SCRIPT_ENCODED, CALLBACK_SCRIPT);
encoded!(EVENT_STREAM_SCRIPT_ENCODED, EVENT_STREAM_SCRIPT);
encoded!(API_TYPES_ENCODED, API_TYPES);

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
/// Short enough that a new release reaches pages within minutes, long enough to spare most
/// requests; revalidation with the ETag is cheap.
const CACHE: &str = "public, max-age=300";

/// `GET /messenger.js`.
pub async fn loader(headers: HeaderMap) -> Response {
    LOADER_ENCODED.respond(&headers, JAVASCRIPT, CACHE)
}

pub async fn frame_script(headers: HeaderMap) -> Response {
    FRAME_SCRIPT_ENCODED.respond(&headers, JAVASCRIPT, CACHE)
}

pub async fn frame_style(headers: HeaderMap) -> Response {
    FRAME_STYLE_ENCODED.respond(&headers, "text/css; charset=utf-8", CACHE)
}

/// The frame's event-stream parser, an ES module the frame script imports.
pub async fn event_stream_script(headers: HeaderMap) -> Response {
    EVENT_STREAM_SCRIPT_ENCODED.respond(&headers, JAVASCRIPT, CACHE)
}

pub async fn callback_script(headers: HeaderMap) -> Response {
    CALLBACK_SCRIPT_ENCODED.respond(&headers, JAVASCRIPT, CACHE)
}

/// The types of the loader's `window.Switchboard`, for the sites that script it.
pub async fn api_types(headers: HeaderMap) -> Response {
    API_TYPES_ENCODED.respond(&headers, "application/typescript; charset=utf-8", CACHE)
}
