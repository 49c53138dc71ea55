//! The forms of signing in and out, and of creating the first admin. They are plain HTML forms
//! (`POST /login`, `POST /logout`, `POST /setup`) so they work before the wasm bundle loads;
//! a failure answers with the same page, rendered again with the problem, and the status code
//! that describes it (401, 429 with `Retry-After`, 400).

use axum::Form;
use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use leptos::prelude::provide_context;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use switchboard_app::pages::setup::SetupProblem;
use switchboard_app::pages::sign_in::LoginProblem;
use switchboard_app::shell;
use switchboard_core::admins::Principal;
use switchboard_core::first_admin::{self, SetupAnswers};
use switchboard_core::sign_in::{self, SignInError};

use super::{SessionToken, safe_next};
use crate::client_address::ClientAddress;
use crate::cookies;
use crate::error::HttpError;
use crate::{AppState, routes};

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: SecretString,
    next: Option<String>,
}

pub async fn login(State(state): State<AppState>, request: Request) -> Response {
    let client = ClientAddress::from_request(&request).to_string();
    let Form(form) = match Form::<LoginForm>::from_request(request, &state).await {
        Ok(form) => form,
        Err(rejection) => return rejection.into_response(),
    };
    let settings = state.services.settings();
    let outcome = sign_in::sign_in(
        state.services.db(),
        &form.email,
        &form.password,
        &client,
        settings.sign_in,
        settings.sessions,
    )
    .await;
    let (status, message, retry_after) = match outcome {
        Ok((_, session)) => {
            let max_age = settings.sessions.absolute.num_seconds();
            let cookie = cookies::session(&state.web, &session.token, max_age);
            let next = safe_next(&state.web.base_url, form.next.as_deref());
            return (cookies::set(cookie), Redirect::to(&next)).into_response();
        }
        Err(SignInError::WrongCredentials) => (
            StatusCode::UNAUTHORIZED,
            "Wrong email or password.".to_owned(),
            None,
        ),
        Err(SignInError::RateLimited { retry_after }) => {
            let minutes = (retry_after.num_seconds() + 59) / 60;
            (
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many failed sign-ins. Try again in {minutes} minute{}.",
                    if minutes == 1 { "" } else { "s" }
                ),
                Some(retry_after.num_seconds()),
            )
        }
        Err(SignInError::Other(error)) => {
            tracing::error!(%error, "sign-in failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "Sign-in is unavailable right now. Try again shortly.".to_owned(),
                None,
            )
        }
    };
    let problem = LoginProblem {
        message,
        email: form.email.trim().to_owned(),
    };
    let path = match form.next.as_deref() {
        Some(next) => format!(
            "/login?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        ),
        None => "/login".to_owned(),
    };
    let mut response = render_again(&state, &path, problem).await;
    *response.status_mut() = status;
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

pub async fn logout(State(state): State<AppState>, request: Request) -> Response {
    let principal = request.extensions().get::<Principal>().cloned();
    let token = request.extensions().get::<SessionToken>().cloned();
    if let (Some(principal), Some(SessionToken(token))) = (principal, token)
        && let Err(error) = sign_in::sign_out(&state.services, &principal, &token).await
    {
        return HttpError::from(error).plain_text();
    }
    let removal = cookies::session_removal(&state.web);
    (cookies::set(removal), Redirect::to("/login")).into_response()
}

#[derive(Deserialize)]
pub struct SetupForm {
    token: SecretString,
    email: String,
    password: SecretString,
    password_again: SecretString,
}

pub async fn setup(State(state): State<AppState>, Form(form): Form<SetupForm>) -> Response {
    let db = state.services.db();
    let answers = SetupAnswers {
        token: &form.token,
        email: &form.email,
        password: &form.password,
        password_again: &form.password_again,
    };
    let errors = match first_admin::complete_setup(db, answers).await {
        Ok(principal) => return signed_in_after_setup(&state, principal).await,
        Err(switchboard_core::Error::Invalid(errors)) => errors,
        Err(error) => return HttpError::from(error).plain_text(),
    };
    let problem = SetupProblem {
        errors,
        email: form.email.trim().to_owned(),
    };
    let token = url::form_urlencoded::byte_serialize(form.token.expose_secret().as_bytes())
        .collect::<String>();
    let mut response = render_again(&state, &format!("/setup?token={token}"), problem).await;
    *response.status_mut() = StatusCode::BAD_REQUEST;
    response
}

async fn signed_in_after_setup(state: &AppState, principal: Principal) -> Response {
    let policy = state.services.settings().sessions;
    let note = vec!["after creating the first admin".to_owned()];
    match sign_in::open_session(&state.services, &principal, policy, note).await {
        Ok(session) => {
            let max_age = policy.absolute.num_seconds();
            let cookie = cookies::session(&state.web, &session.token, max_age);
            (cookies::set(cookie), Redirect::to("/admin/integrations")).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "cannot start the first admin's session");
            // The admin exists; signing in is the way forward.
            Redirect::to("/login").into_response()
        }
    }
}

/// Renders the page at `path` again with `problem` in context.
async fn render_again<P>(state: &AppState, path: &str, problem: P) -> Response
where
    P: Clone + Send + Sync + 'static,
{
    let console_context = routes::console_context(state);
    let leptos_options = state.leptos.clone();
    let render = leptos_axum::render_app_to_stream_with_context(
        move || {
            console_context();
            provide_context(problem.clone());
        },
        move || shell(leptos_options.clone()),
    );
    let request = Request::get(path)
        .body(Body::empty())
        .expect("a path from this module is a valid URI");
    render(request).await
}
