//! Every cookie Switchboard sets: the console session and the sign-in flow's browser binding.
//! Built here with one set of attributes (HttpOnly, SameSite=Lax, Path=/, Secure and the
//! `__Host-` prefix over https), read and written through axum-extra's [`CookieJar`].

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use cookie::time::Duration;
use secrecy::{ExposeSecret, SecretString};

use crate::WebSettings;

/// The console session cookie's name over plain http (development).
const SESSION: &str = "switchboard_session";

/// The console session cookie's name: over https the `__Host-` prefix makes browsers insist on
/// Secure, Path=/ and no Domain.
pub fn session_name(web: &WebSettings) -> String {
    named(web, SESSION)
}

/// Stores a new console session for `max_age_seconds`.
pub fn session(web: &WebSettings, token: &SecretString, max_age_seconds: i64) -> Cookie<'static> {
    build(
        web,
        session_name(web),
        token.expose_secret(),
        max_age_seconds,
    )
}

/// Removes the console session cookie.
pub fn session_removal(web: &WebSettings) -> Cookie<'static> {
    build(web, session_name(web), "", 0)
}

/// The cookie that binds a sign-in flow to the browser that started it. Its name carries part
/// of the state's digest, so sign-ins in two tabs do not overwrite each other.
pub fn sign_in_binding_name(web: &WebSettings, state: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(state.as_bytes());
    let key: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    named(web, &format!("switchboard_sign_in_{key}"))
}

pub fn sign_in_binding(
    web: &WebSettings,
    state: &str,
    binding: &SecretString,
    max_age_seconds: i64,
) -> Cookie<'static> {
    build(
        web,
        sign_in_binding_name(web, state),
        binding.expose_secret(),
        max_age_seconds,
    )
}

pub fn sign_in_binding_removal(web: &WebSettings, name: String) -> Cookie<'static> {
    build(web, name, "", 0)
}

/// The value of cookie `name`, if the request carries it.
pub fn value(headers: &HeaderMap, name: &str) -> Option<SecretString> {
    CookieJar::from_headers(headers)
        .get(name)
        .map(|cookie| SecretString::from(cookie.value().to_owned()))
}

/// A jar that sets `cookie` on the answer it is part of.
pub fn set(cookie: Cookie<'static>) -> CookieJar {
    CookieJar::default().add(cookie)
}

fn named(web: &WebSettings, name: &str) -> String {
    if web.secure_cookies {
        format!("__Host-{name}")
    } else {
        name.to_owned()
    }
}

fn build(web: &WebSettings, name: String, value: &str, max_age_seconds: i64) -> Cookie<'static> {
    Cookie::build((name, value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(web.secure_cookies)
        .max_age(Duration::seconds(max_age_seconds))
        .build()
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderValue, header};

    use super::*;

    fn web(secure_cookies: bool) -> WebSettings {
        WebSettings {
            secure_cookies,
            ..WebSettings::new("http://127.0.0.1:3000".into())
        }
    }

    #[test]
    fn https_cookies_are_secure_and_host_prefixed() {
        let token = SecretString::from("t0ken".to_owned());
        let cookie = session(&web(true), &token, 60).to_string();
        assert!(
            cookie.starts_with("__Host-switchboard_session=t0ken;"),
            "{cookie}"
        );
        for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/", "Max-Age=60"] {
            assert!(cookie.contains(attribute), "{attribute} in {cookie}");
        }
        let plain = session(&web(false), &token, 60).to_string();
        assert!(plain.starts_with("switchboard_session=t0ken;"));
        assert!(!plain.contains("Secure"));
        let removal = session_removal(&web(true)).to_string();
        assert!(
            removal.starts_with("__Host-switchboard_session=;"),
            "{removal}"
        );
        assert!(removal.contains("Max-Age=0") && removal.contains("Secure"));
    }

    #[test]
    fn values_are_read_from_every_cookie_header() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; switchboard_session=abc"),
        );
        headers.append(header::COOKIE, HeaderValue::from_static("b=2"));
        assert_eq!(value(&headers, SESSION).unwrap().expose_secret(), "abc");
        assert_eq!(value(&headers, "b").unwrap().expose_secret(), "2");
        assert!(value(&headers, "__Host-switchboard_session").is_none());
    }

    #[test]
    fn each_flow_has_its_own_binding_cookie() {
        let web = web(true);
        let one = sign_in_binding_name(&web, "state-one");
        assert!(one.starts_with("__Host-switchboard_sign_in_"));
        assert_ne!(one, sign_in_binding_name(&web, "state-two"));
    }
}
