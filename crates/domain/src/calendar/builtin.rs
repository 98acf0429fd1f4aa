//! The calendars that exist without any database: what the CLI uses, what a new installation
//! starts from, and the reference the tests check the arithmetic against.

use std::sync::LazyLock;

use jiff::civil::time;

use super::{parse_holiday_csv, Calendar, WorkingPeriod};

/// Code of the standard Chinese office calendar: Asia/Shanghai, Monday to Friday 09:00–12:00 and
/// 13:00–18:00, with the official public holidays and make-up workdays of 2024–2026.
pub const CN_STANDARD: &str = "cn-standard";
/// Code of the 7×24 calendar in Asia/Shanghai, for clocks that never stop.
pub const TWENTY_FOUR_SEVEN: &str = "24x7";
/// The codes [`builtin`] knows, for help texts and error messages.
pub const BUILTIN_CODES: [&str; 2] = [CN_STANDARD, TWENTY_FOUR_SEVEN];

/// As published by the State Council's General Office; see the file for the festival of each date.
const CN_PUBLIC_HOLIDAYS_CSV: &str = include_str!("../../data/cn-public-holidays-2024-2026.csv");

static CN_STANDARD_CALENDAR: LazyLock<Calendar> = LazyLock::new(|| {
    let special_days =
        parse_holiday_csv(CN_PUBLIC_HOLIDAYS_CSV).expect("the shipped holiday CSV is valid");
    let morning = WorkingPeriod::new(time(9, 0, 0, 0), time(12, 0, 0, 0))
        .expect("09:00-12:00 is a valid period");
    let afternoon = WorkingPeriod::new(time(13, 0, 0, 0), time(18, 0, 0, 0))
        .expect("13:00-18:00 is a valid period");
    Calendar::builder(CN_STANDARD, "Asia/Shanghai")
        .weekday_periods([morning, afternoon])
        .special_days(&special_days)
        .build()
        .expect("the built-in cn-standard calendar is valid")
});

static TWENTY_FOUR_SEVEN_CALENDAR: LazyLock<Calendar> = LazyLock::new(|| {
    let shanghai =
        super::time_zone_named("Asia/Shanghai").expect("the bundled database knows Asia/Shanghai");
    Calendar::always_working(TWENTY_FOUR_SEVEN, shanghai)
});

/// The built-in calendar with this code, if there is one.
pub fn builtin(code: &str) -> Option<&'static Calendar> {
    match code {
        CN_STANDARD => Some(&CN_STANDARD_CALENDAR),
        TWENTY_FOUR_SEVEN => Some(&TWENTY_FOUR_SEVEN_CALENDAR),
        _ => None,
    }
}
