//! Fixed-window counters per key, kept in memory per instance: the messenger's per-address
//! limits and the sign-in log's flood guard. Limits that guard a password (admin sign-in) are
//! counted in the database instead, so every instance sees the same numbers.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Beyond this many keys, windows that have ended are dropped on the next hit.
const TIDY_ABOVE: usize = 100_000;

#[derive(Debug)]
pub struct FixedWindows<K> {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<K, (Instant, u32)>>,
}

impl<K: Hash + Eq> FixedWindows<K> {
    /// Allows `limit` hits per key in each `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            windows: Mutex::default(),
        }
    }

    /// Counts one hit for `key`; `Err` holds how long until the next is allowed.
    pub fn hit(&self, key: K) -> Result<(), Duration> {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        if windows.len() > TIDY_ABOVE {
            windows.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let (start, count) = windows.entry(key).or_insert((now, 0));
        if now.duration_since(*start) >= self.window {
            *start = now;
            *count = 0;
        }
        *count += 1;
        if *count > self.limit {
            return Err(self.window.saturating_sub(now.duration_since(*start)));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_gets_its_own_window() {
        let windows = FixedWindows::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(windows.hit("a").is_ok());
        }
        let wait = windows.hit("a").unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(60));
        assert!(windows.hit("b").is_ok(), "another key is not limited");
    }

    #[test]
    fn a_new_window_starts_afresh() {
        let windows = FixedWindows::new(1, Duration::from_millis(20));
        assert!(windows.hit(1).is_ok());
        assert!(windows.hit(1).is_err());
        std::thread::sleep(Duration::from_millis(25));
        assert!(windows.hit(1).is_ok());
    }
}
