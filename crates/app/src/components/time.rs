//! Times as the console shows them: UTC, to the minute, the same on server and browser so
//! hydration never disagrees.

use chrono::{DateTime, Utc};

pub fn format(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The full instant, for `<time datetime>`.
pub fn machine(at: DateTime<Utc>) -> String {
    at.to_rfc3339()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn times_are_shown_in_utc_to_the_minute() {
        let at = Utc.with_ymd_and_hms(2026, 11, 22, 9, 5, 59).unwrap();
        assert_eq!(format(at), "2026-11-22 09:05 UTC");
        assert_eq!(machine(at), "2026-11-22T09:05:59+00:00");
    }
}
