//! What goes over the wire: precompressed messenger files, public configs and site files in the
//! encoding the client accepts, each with its own ETag and `Vary: Accept-Encoding`; console
//! pages and API JSON compressed on the fly; event streams never.

use crate::cluster::{messenger_request, visitor};
use crate::common;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use common::TestApp;
use http_body_util::BodyExt;
use switchboard_db::testing::TestDb;
use switchboard_domain::admin::Role;

/// A GET with `Accept-Encoding: accept` (none when empty): the status, headers and raw bytes.
async fn fetch(
    app: &TestApp,
    path: &str,
    accept: &str,
    extra: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::get(path).header(header::ORIGIN, "https://customer.example");
    if !accept.is_empty() {
        request = request.header(header::ACCEPT_ENCODING, accept);
    }
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    let response = app.open(request.body(Body::empty()).unwrap()).await;
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes().to_vec();
    (parts.status, parts.headers, bytes)
}

fn decode(encoding: Option<&str>, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        Some("br") => brotli::BrotliDecompress(&mut &bytes[..], &mut out).unwrap(),
        Some("gzip") => {
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
        }
        None => out.extend_from_slice(bytes),
        Some(other) => panic!("unexpected encoding {other}"),
    }
    out
}

fn text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// A GET that must succeed in the `expected` encoding, varying on `Accept-Encoding`: its headers
/// and the decoded body.
async fn fetch_encoded(
    app: &TestApp,
    path: &str,
    accept: &str,
    expected: Option<&str>,
) -> (HeaderMap, Vec<u8>) {
    let (status, headers, bytes) = fetch(app, path, accept, &[]).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    assert_eq!(
        text(&headers, header::CONTENT_ENCODING),
        expected,
        "{path} for {accept:?}"
    );
    let vary = text(&headers, header::VARY).unwrap_or_default();
    assert!(vary.contains("accept-encoding"), "{path}: Vary {vary:?}");
    let decoded = decode(expected, &bytes);
    (headers, decoded)
}

/// The answer at `path` in brotli, gzip and identity: each decodes to the same bytes, names its
/// encoding, varies on `Accept-Encoding` and has a tag of its own, which revalidates it alone.
async fn served_in_every_encoding(app: &TestApp, path: &str) {
    let mut tags = vec![];
    let mut bodies = vec![];
    for (accept, expected) in [
        ("gzip, deflate, br, zstd", Some("br")),
        ("gzip", Some("gzip")),
        ("", None),
    ] {
        let (headers, bytes) = fetch_encoded(app, path, accept, expected).await;
        let tag = text(&headers, header::ETAG).expect("an ETag").to_owned();
        let (again, _, _) = fetch(app, path, accept, &[("if-none-match", &tag)]).await;
        assert_eq!(
            again,
            StatusCode::NOT_MODIFIED,
            "{path} revalidates in {accept:?}"
        );
        tags.push(tag);
        bodies.push(bytes);
    }
    assert!(
        bodies.iter().all(|body| body == &bodies[2]),
        "{path}: one content"
    );
    assert!(
        tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2],
        "{tags:?}"
    );
    // One encoding's tag never stands for another's bytes.
    let (status, _, _) = fetch(app, path, "gzip", &[("if-none-match", &tags[0])]).await;
    assert_eq!(status, StatusCode::OK, "{path}");
}

#[tokio::test]
async fn messenger_files_and_public_configs_go_out_precompressed() {
    let db = TestDb::sqlite().await;
    let app = TestApp::new(&db.conn);
    for path in [
        "/messenger.js",
        "/messenger/frame.js",
        "/messenger/frame.css",
        "/messenger/event-stream.js",
        "/messenger/callback.js",
        "/messenger/switchboard.d.ts",
    ] {
        served_in_every_encoding(&app, path).await;
    }
    let token = app.token("admin", Role::Admin).await;
    let deployment = app
        .deployed_messenger(
            &token,
            serde_json::json!({"enabled": false, "integrationId": null, "allowSessionUpgrade": false}),
        )
        .await;
    served_in_every_encoding(
        &app,
        &format!("/messenger/v1/deployments/{deployment}/config"),
    )
    .await;
    db.close().await;
}

#[tokio::test]
async fn pages_and_large_json_compress_on_the_fly_and_streams_never() {
    let db = TestDb::sqlite().await;
    let app = TestApp::new(&db.conn);
    let cookie = app.signed_in(Role::Admin).await;
    let page = app
        .open(
            Request::get("/admin/integrations")
                .header(header::COOKIE, &cookie)
                .header(header::ACCEPT_ENCODING, "gzip, br")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let encoding = text(page.headers(), header::CONTENT_ENCODING).map(str::to_owned);
    assert!(
        matches!(encoding.as_deref(), Some("br" | "gzip")),
        "{encoding:?}"
    );
    assert!(
        text(page.headers(), header::VARY)
            .unwrap_or_default()
            .contains("accept-encoding")
    );
    let bytes = page.into_body().collect().await.unwrap().to_bytes();
    let html = String::from_utf8(decode(encoding.as_deref(), &bytes)).unwrap();
    assert!(html.contains("<h1"), "a whole page");

    let (status, headers, bytes) = fetch(&app, "/api/v2/openapi.json", "br", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text(&headers, header::CONTENT_ENCODING), Some("br"));
    let document: serde_json::Value = serde_json::from_slice(&decode(Some("br"), &bytes)).unwrap();
    assert!(document["paths"].is_object());

    // A small answer is not worth it.
    let (_, headers, _) = fetch(&app, "/healthz", "br", &[]).await;
    assert_eq!(text(&headers, header::CONTENT_ENCODING), None);

    // An event stream goes out as written, whatever the client accepts.
    let token = app.token("admin", Role::Admin).await;
    let deployment = app
        .deployed_messenger(
            &token,
            serde_json::json!({"enabled": false, "integrationId": null, "allowSessionUpgrade": false}),
        )
        .await;
    let session = visitor(&app, &deployment).await;
    let mut request = messenger_request(Method::GET, "/messenger/v1/events", &session, None);
    request
        .headers_mut()
        .insert(header::ACCEPT_ENCODING, "gzip, br".parse().unwrap());
    let stream = app.open(request).await;
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(
        text(stream.headers(), header::CONTENT_TYPE),
        Some("text/event-stream")
    );
    assert_eq!(text(stream.headers(), header::CONTENT_ENCODING), None);
    db.close().await;
}

#[tokio::test]
async fn site_files_are_served_precompressed() {
    let site = std::env::temp_dir().join(format!("sb-site-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    let wasm: Vec<u8> = (0..40_000u32).map(|n| (n % 251) as u8).collect();
    std::fs::write(site.join("pkg/switchboard.wasm"), &wasm).unwrap();
    std::fs::write(
        site.join("pkg/switchboard.css"),
        "a { color: red }\n".repeat(200),
    )
    .unwrap();
    assert_eq!(
        switchboard_server::compression::precompress_dir(&site).unwrap(),
        2
    );
    let db = TestDb::sqlite().await;
    let app = TestApp::with_site(&db.conn, &site);
    for (path, original) in [
        ("/pkg/switchboard.wasm", wasm.clone()),
        (
            "/pkg/switchboard.css",
            "a { color: red }\n".repeat(200).into_bytes(),
        ),
    ] {
        for (accept, expected) in [("br, gzip", Some("br")), ("gzip", Some("gzip")), ("", None)] {
            let (_, decoded) = fetch_encoded(&app, path, accept, expected).await;
            assert_eq!(decoded, original, "{path} {accept:?}");
        }
    }
    db.close().await;
    std::fs::remove_dir_all(site).ok();
}
