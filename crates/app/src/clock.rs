//! Time is a parameter: production reads the system clock, tests move a manual one.

use std::sync::Mutex;

use jiff::tz::TimeZone;
use jiff::Timestamp;

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that stands still until told to move.
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    pub fn new(start: Timestamp) -> ManualClock {
        ManualClock(Mutex::new(start))
    }
    pub fn set(&self, to: Timestamp) {
        *self.0.lock().expect("clock lock") = to;
    }
    pub fn advance(&self, by: jiff::SignedDuration) {
        let mut now = self.0.lock().expect("clock lock");
        *now = now.checked_add(by).expect("clock overflow");
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().expect("clock lock")
    }
}

/// The default display and business zone (the branch's own zone, when set, wins).
pub fn default_zone() -> TimeZone {
    TimeZone::get("Asia/Shanghai").unwrap_or(TimeZone::UTC)
}

/// The local date, in the default zone, of a stored instant (milliseconds since the epoch);
/// None for a number outside the instants jiff can represent.
pub fn local_date(ms: i64) -> Option<jiff::civil::Date> {
    Timestamp::from_millisecond(ms)
        .ok()
        .map(|at| at.to_zoned(default_zone()).date())
}
