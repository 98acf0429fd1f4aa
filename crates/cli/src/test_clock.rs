//! TEST HOOK, off by default: a clock the browser tests can move.
//!
//! With `AFTERSALES_TEST_CLOCK_FILE=<path>` the application's clock is the system clock plus
//! the whole number of seconds written in that file (a missing or empty file is 0), read at
//! every reading so a test moves time forward by rewriting the file. Deadlines, timers and
//! sessions all follow it, as they would after real hours had passed. Without the variable
//! the system clock is used and nothing else changes.

use std::path::PathBuf;
use std::sync::Arc;

use aftersales_app::{Clock, SystemClock};
use jiff::{SignedDuration, Timestamp};

pub const VARIABLE: &str = "AFTERSALES_TEST_CLOCK_FILE";

/// The clock the application runs on.
pub fn clock() -> Arc<dyn Clock> {
    match std::env::var_os(VARIABLE) {
        Some(path) => {
            tracing::warn!("test hook: the clock is offset by the seconds in {path:?}");
            Arc::new(OffsetFileClock(PathBuf::from(path)))
        }
        None => Arc::new(SystemClock),
    }
}

struct OffsetFileClock(PathBuf);

impl Clock for OffsetFileClock {
    fn now(&self) -> Timestamp {
        let offset = std::fs::read_to_string(&self.0)
            .ok()
            .and_then(|text| text.trim().parse::<i64>().ok())
            .unwrap_or(0);
        Timestamp::now()
            .checked_add(SignedDuration::from_secs(offset))
            .expect("test clock offset within range")
    }
}
