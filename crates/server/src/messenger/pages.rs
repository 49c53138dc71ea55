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

/// `template` with each `{{name}}` replaced by its value, in one pass: a value is never read
/// again, so text that looks like a placeholder stays text. Values are inserted as they are
/// (escape them first); an unknown placeholder is a bug and is left visible.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            break;
        };
        let name = &after[..end];
        match values.iter().find(|(key, _)| *key == name) {
            Some((_, value)) => out.push_str(value),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
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
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
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

/// `GET /messenger/auth/signed-out`: where the provider returns a visitor who signed out of it
/// from the messenger (the sign-out redirect URI to register for popup sign-in).
pub async fn signed_out() -> Response {
    let body = r#"<main class="popup"><h1>Signed out</h1>
<p>You are signed out of the messenger and of your identity provider. You can close this window.</p>
</main>"#;
    page(StatusCode::OK, "en", "Signed out", body, "'none'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_text_cannot_open_markup_or_leave_an_attribute() {
        assert_eq!(
            escape(r#"<img src=x onerror="a('b')">&amp;"#),
            "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;amp;"
        );
        assert_eq!(escape("Hej, välkommen 👋"), "Hej, välkommen 👋");
    }

    #[test]
    fn no_value_can_close_the_data_block() {
        let block = data_block(
            "switchboard-config",
            &serde_json::json!({"greeting": "</script><script>alert(1)</script>"}),
        );
        let inner = block
            .strip_prefix(r#"<script type="application/json" id="switchboard-config">"#)
            .and_then(|rest| rest.strip_suffix("</script>"))
            .unwrap();
        assert!(!inner.contains('<'), "{inner}");
        let read: serde_json::Value = serde_json::from_str(inner).unwrap();
        assert_eq!(read["greeting"], "</script><script>alert(1)</script>");
    }

    #[test]
    fn the_template_is_filled_in_one_pass() {
        let filled = fill(
            "<h1>{{label}}</h1><p>{{greeting}}</p>{{unknown}}{{open",
            &[("label", "{{greeting}}"), ("greeting", "Hi")],
        );
        assert_eq!(filled, "<h1>{{greeting}}</h1><p>Hi</p>{{unknown}}{{open");
    }

    #[test]
    fn the_frame_template_names_every_element_its_script_reads() {
        let template = include_str!("../../templates/frame.html");
        let script = include_str!("../../../../public/messenger/frame.js");
        // Every `el('...')` of the script finds its element in the markup.
        let mut rest = script;
        let mut checked = 0;
        while let Some(at) = rest.find("el('") {
            let after = &rest[at + 4..];
            let id = &after[..after.find('\'').unwrap()];
            assert!(
                template.contains(&format!(r#"id="{id}""#)),
                "no element #{id}"
            );
            checked += 1;
            rest = after;
        }
        assert!(checked >= 10, "only {checked} element ids found");
        for placeholder in ["{{label}}", "{{greeting}}", "{{config}}"] {
            assert!(template.contains(placeholder), "{placeholder}");
        }
    }
}
