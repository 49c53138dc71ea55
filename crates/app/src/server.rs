//! What server functions share on the server side: the services and who is asking.

use leptos::prelude::use_context;
use switchboard_core::Services;
use switchboard_core::admins::Principal;

use crate::error::AppError;

/// The services the server provided to this request's context.
pub fn services() -> Result<Services, AppError> {
    use_context::<Services>().ok_or_else(|| {
        tracing::error!("Services missing from the request context");
        AppError::Internal
    })
}

/// The signed-in admin (or API token) behind this request, which the server's authentication
/// layer put in the request's extensions.
pub fn principal() -> Option<Principal> {
    use_context::<http::request::Parts>()?
        .extensions
        .get::<Principal>()
        .cloned()
}

/// Services for a server function that reads: any signed-in admin may call it. Without a
/// session the answer is 401.
pub fn for_reading() -> Result<(Services, Principal), AppError> {
    let principal = principal().ok_or_else(|| refuse(AppError::Unauthorized))?;
    Ok((services()?, principal))
}

/// Services for a server function that changes something: a viewer's call is answered 403.
pub fn for_changing() -> Result<(Services, Principal), AppError> {
    let (services, principal) = for_reading()?;
    if !principal.role.can_change() {
        return Err(refuse(AppError::Forbidden));
    }
    Ok((services, principal))
}

/// Sets the HTTP status that matches a refusal, so scripts and logs see 401/403, not 500.
fn refuse(error: AppError) -> AppError {
    let status = match error {
        AppError::Unauthorized => http::StatusCode::UNAUTHORIZED,
        _ => http::StatusCode::FORBIDDEN,
    };
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
    error
}

/// The server's public base URL (`https://chat.example.com`), for the URLs pages show.
#[derive(Debug, Clone)]
pub struct BaseUrl(pub String);

pub fn base_url() -> Result<String, AppError> {
    use_context::<BaseUrl>().map(|base| base.0).ok_or_else(|| {
        tracing::error!("BaseUrl missing from the request context");
        AppError::Internal
    })
}
