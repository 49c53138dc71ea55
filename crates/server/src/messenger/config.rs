//! `GET /messenger/v1/deployments/{id}/config`: the public deployment config.
//!
//! Cacheable (an ETag of the body; `If-None-Match` answers 304), readable cross-origin only by
//! pages on the deployment's allowed domains (CORS), and 404 for anything not servable, without
//! saying why: unknown, inactive and unpublished deployments look the same from outside.
//!
//! Every customer page asks for it, so the rendered answer is kept in memory
//! ([`PublicConfigCache`]) for a few seconds. The use cases that change what deployments serve
//! announce it (`Services::public_config_changed`), which makes every entry stale at once, on
//! this instance and, through PostgreSQL's `NOTIFY`, on the others behind the same base URL;
//! [`CACHE_LIFETIME`] bounds how long a notice lost in a reconnection can hide a change.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use switchboard_core::deployments;
use switchboard_domain::allowed_domains::{DomainPattern, origin_allowed};
use uuid::Uuid;

use super::cors;
use crate::AppState;
use crate::compression::Encoded;
use crate::error::HttpError;

/// How long a change may take to show on an instance whose notice of it was lost.
pub const CACHE_LIFETIME: Duration = Duration::from_secs(5);

/// A rendered config, or `None` for a deployment that serves nothing.
#[derive(Debug)]
struct Rendered {
    /// The JSON, compressed once for every request that reads it from the cache.
    body: Encoded,
    patterns: Vec<DomainPattern>,
    allow_all: bool,
}

/// When an entry was rendered, at which count of public changes, and what.
type Entry = (Instant, u64, Option<Arc<Rendered>>);

#[derive(Debug, Default)]
pub struct PublicConfigCache {
    entries: Mutex<HashMap<Uuid, Entry>>,
    /// One request per deployment renders a missing entry; the others wait for it. Every
    /// connection of a busy page asks at once when an entry expires, and rendering them all
    /// queued on the database pool for hundreds of milliseconds.
    renders: Mutex<HashMap<Uuid, Arc<tokio::sync::Mutex<()>>>>,
}

impl PublicConfigCache {
    fn render_turn(&self, id: Uuid) -> Arc<tokio::sync::Mutex<()>> {
        let mut renders = self.renders.lock().unwrap_or_else(PoisonError::into_inner);
        if renders.len() > 10_000 {
            // Turns nobody holds or waits for.
            renders.retain(|_, turn| Arc::strong_count(turn) > 1);
        }
        renders.entry(id).or_default().clone()
    }

    fn get(&self, id: Uuid, generation: u64) -> Option<Option<Arc<Rendered>>> {
        self.lookup(id, generation)
            .filter(|(fresh, _)| *fresh)
            .map(|(_, rendered)| rendered)
    }

    /// The entry rendered at `generation`, and whether it is younger than [`CACHE_LIFETIME`].
    fn lookup(&self, id: Uuid, generation: u64) -> Option<(bool, Option<Arc<Rendered>>)> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(&id)
            .filter(|(_, seen, _)| *seen == generation)
            .map(|(at, _, rendered)| (at.elapsed() < CACHE_LIFETIME, rendered.clone()))
    }

    fn put(&self, id: Uuid, generation: u64, rendered: Option<Arc<Rendered>>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        // Unknown ids asked by a scanner must not grow the map without end.
        if entries.len() > 10_000 {
            entries.retain(|_, (at, seen, _)| *seen == generation && at.elapsed() < CACHE_LIFETIME);
        }
        entries.insert(id, (Instant::now(), generation, rendered));
    }
}

pub async fn public_config(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<Uuid>() else {
        return not_found();
    };
    // Read before rendering: a change that lands meanwhile makes this entry stale.
    let generation = state.services.public_config_generation();
    let configs = &state.messenger.configs;
    let rendered = match configs.lookup(id, generation) {
        Some((true, rendered)) => rendered,
        // Only older than its lifetime, no change announced: while one request renders it
        // again, the others keep serving it.
        Some((false, rendered)) if configs.render_turn(id).try_lock().is_err() => rendered,
        _ => {
            let turn = configs.render_turn(id);
            let _turn = turn.lock().await;
            // Whoever had the turn before may have rendered it.
            match configs.get(id, generation) {
                Some(rendered) => rendered,
                None => match render(&state, id).await {
                    Ok(rendered) => {
                        configs.put(id, generation, rendered.clone());
                        rendered
                    }
                    Err(response) => return response,
                },
            }
        }
    };
    let Some(rendered) = rendered else {
        return not_found();
    };
    let mut response = rendered.body.respond(
        &headers,
        "application/json",
        "public, max-age=60, must-revalidate",
    );
    // Only pages on the deployment's allowed domains may read it (the CORS layer decides).
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    if origin.is_some_and(|origin| !origin_allowed(origin, &rendered.patterns, rendered.allow_all))
    {
        cors::refuse(&mut response);
    }
    response
}

async fn render(state: &AppState, id: Uuid) -> Result<Option<Arc<Rendered>>, Response> {
    let found = deployments::public_config(&state.services, &state.web.base_url, id).await;
    let (config, patterns, allow_all) = match found {
        Ok(Some(found)) => found,
        Ok(None) => return Ok(None),
        Err(error) => {
            tracing::error!(%error, %id, "cannot read a deployment's public config");
            return Err(StatusCode::SERVICE_UNAVAILABLE.into_response());
        }
    };
    let body = serde_json::to_string(&config).expect("the public config serialises");
    Ok(Some(Arc::new(Rendered {
        body: Encoded::quick(body),
        patterns,
        allow_all,
    })))
}

fn not_found() -> Response {
    let message = "No active messenger deployment has this id.";
    HttpError::new(StatusCode::NOT_FOUND, "not_found", message).into_response()
}
