//! The few HTML pages of the messenger runtime (the frame, the popup's last page), written by
//! hand: they must stay tiny and load nothing of the admin console.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A JSON data block for the page's script; `<` is escaped so no value can close the block.
pub fn data_block(id: &str, value: &impl Serialize) -> String {
    let json = serde_json::to_string(value)
        .expect("page data serialises")
        .replace('<', "\\u003c");
    format!(r#"<script type="application/json" id="{id}">{json}</script>"#)
}

/// A page of our own: scripts and styles only from this origin, framed only by
/// `frame_ancestors` (`'none'` unless it is the messenger frame), never cached.
pub fn page(
    status: StatusCode,
    lang: &str,
    title: &str,
    body: &str,
    frame_ancestors: &str,
) -> Response {
    let html = format!(
        r#"<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><link rel="stylesheet" href="/messenger/frame.css"></head>
<body>{body}</body></html>"#,
        lang = escape(lang),
        title = escape(title),
    );
    let policy = format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; frame-ancestors {frame_ancestors}; base-uri 'none'; form-action 'none'"
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// The page that says why a sign-in failed, naming its reason code and one fixed sentence
/// (the detail is in the integration's sign-in log); it also tells the messenger that opened
/// the popup.
pub fn sign_in_failed(failure: &switchboard_core::relying_party::Failure) -> Response {
    let status = crate::error::sign_in_status(failure);
    let body = format!(
        r#"<main class="popup"><h1>Sign-in failed</h1>
<p>Reason: <code id="reason">{reason}</code></p>
<p>{detail}</p>
<p>Close this window and try again. If it keeps failing, tell the site's administrators the reason above; the sign-in log in their console has the details.</p>
</main>{data}<script src="/messenger/callback.js"></script>"#,
        reason = escape(&failure.reason),
        detail = escape(failure.public_message()),
        data = data_block(
            "switchboard-result",
            &serde_json::json!({"type": "switchboard:sign-in-failed", "reason": failure.reason}),
        ),
    );
    page(status, "en", "Sign-in failed", &body, "'none'")
}
