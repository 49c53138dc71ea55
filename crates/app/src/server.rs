//! What server functions share on the server side.

use leptos::prelude::use_context;
use switchboard_core::Services;

use crate::error::AppError;

/// The services the server provided to this request's context.
pub fn services() -> Result<Services, AppError> {
    use_context::<Services>().ok_or_else(|| {
        tracing::error!("Services missing from the request context");
        AppError::Internal
    })
}
