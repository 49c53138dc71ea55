//! How long one request waited on providers, for its `Server-Timing` header: an operator
//! looking at a slow sign-in sees at once how much of it was the provider's.

use std::cell::Cell;
use std::future::Future;
use std::time::{Duration, Instant};

tokio::task_local! {
    static WAITED: Cell<Duration>;
}

/// Runs `work` and returns, beside its output, the time its requests through a
/// [`super::GuardedClient`] took. Requests made by other tasks it waits on are not counted.
pub async fn measured<F: Future>(work: F) -> (F::Output, Duration) {
    WAITED
        .scope(Cell::new(Duration::ZERO), async {
            let output = work.await;
            (output, WAITED.with(Cell::get))
        })
        .await
}

/// Counts a request that started at `started` and has just ended.
pub(super) fn count_since(started: Instant) {
    // Outside `measured` nobody asked: nothing to add to.
    let _ = WAITED.try_with(|waited| waited.set(waited.get() + started.elapsed()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_the_measured_task_counts() {
        count_since(Instant::now() - Duration::from_secs(9));
        let ((), waited) = measured(async {
            count_since(Instant::now() - Duration::from_millis(30));
            count_since(Instant::now() - Duration::from_millis(20));
        })
        .await;
        assert!(waited >= Duration::from_millis(50) && waited < Duration::from_secs(1));
    }
}
