//! Concrete examples and properties of the working-time arithmetic, on the built-in calendar and
//! on split-shift calendars in zones with daylight saving time.

use std::sync::LazyLock;

use jiff::civil::{date, Weekday};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::*;

fn cn_standard() -> &'static Calendar {
    builtin(CN_STANDARD).unwrap()
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn hours(hours: i64) -> SignedDuration {
    SignedDuration::from_hours(hours)
}

fn minutes(minutes: i64) -> SignedDuration {
    SignedDuration::from_mins(minutes)
}

fn period(text: &str) -> WorkingPeriod {
    text.parse().unwrap()
}

/// Split shifts in New York, plus Sunday shifts placed around the 02:00 clock changes.
fn new_york_split_shifts() -> Calendar {
    Calendar::builder("us-east", "America/New_York")
        .weekday_periods([period("08:00-12:00"), period("13:00-17:30")])
        .periods(
            Weekday::Sunday,
            [period("00:30-02:30"), period("02:45-05:00")],
        )
        .holidays([date(2026, 7, 3), date(2026, 11, 26)])
        .workdays([date(2026, 7, 11)])
        .build()
        .unwrap()
}

fn berlin_office() -> Calendar {
    Calendar::builder("de-office", "Europe/Berlin")
        .weekday_periods([period("09:00-17:00")])
        .periods(Weekday::Sunday, [period("00:00-24:00")])
        .build()
        .unwrap()
}

#[test]
fn deadlines_on_cn_standard_follow_working_hours_holidays_and_make_up_days() {
    let cases = [
        // National Day week: 10-08 (Thu) and 10-09 (Fri) are worked, 10-10 (Sat) is a make-up
        // workday, then six 8-hour days take the 48 hours to Wednesday evening.
        (
            "2026-10-08T04:35:00+08:00",
            hours(48),
            "2026-10-14T18:00:00+08:00",
        ),
        // A clock that runs out at the end of the morning ends at 12:00, not at 13:00.
        (
            "2026-10-09T09:00:00+08:00",
            hours(3),
            "2026-10-09T12:00:00+08:00",
        ),
        // A start in the lunch break counts from 13:00.
        (
            "2026-10-09T12:30:00+08:00",
            hours(1),
            "2026-10-09T14:00:00+08:00",
        ),
        // An ordinary weekend is skipped.
        (
            "2026-10-16T17:00:00+08:00",
            hours(2),
            "2026-10-19T10:00:00+08:00",
        ),
        // The make-up Saturday after National Day counts.
        (
            "2026-10-09T17:00:00+08:00",
            hours(2),
            "2026-10-10T10:00:00+08:00",
        ),
        // The make-up Sunday before it counts too.
        (
            "2026-09-19T10:00:00+08:00",
            hours(1),
            "2026-09-20T10:00:00+08:00",
        ),
        // Holiday weekdays do not count: from Wednesday evening straight to the Thursday after.
        (
            "2026-09-30T17:00:00+08:00",
            hours(2),
            "2026-10-08T10:00:00+08:00",
        ),
        // A start at night counts from the next morning.
        (
            "2026-10-12T20:00:00+08:00",
            minutes(90),
            "2026-10-13T10:30:00+08:00",
        ),
        // The arrival SLA of DISPATCH-3: 6 working hours from a call at 16:00.
        (
            "2026-10-13T16:00:00+08:00",
            hours(6),
            "2026-10-14T14:00:00+08:00",
        ),
        // A zero duration is the start itself, even outside working time.
        (
            "2026-10-11T03:00:00+08:00",
            SignedDuration::ZERO,
            "2026-10-11T03:00:00+08:00",
        ),
        (
            "2026-10-11T03:00:00+08:00",
            hours(-1),
            "2026-10-11T03:00:00+08:00",
        ),
        // Seconds and nanoseconds carry through.
        (
            "2026-10-13T11:59:59.5+08:00",
            SignedDuration::from_secs(1),
            "2026-10-13T13:00:00.5+08:00",
        ),
    ];
    for (start, duration, expected) in cases {
        assert_eq!(
            cn_standard().deadline(at(start), duration),
            at(expected),
            "{start} + {duration}"
        );
    }
}

#[test]
fn elapsed_on_cn_standard_counts_only_working_time() {
    let cases = [
        (
            "2026-10-09T10:30:00+08:00",
            "2026-10-09T14:00:00+08:00",
            minutes(150),
        ),
        (
            "2026-10-09T12:10:00+08:00",
            "2026-10-09T12:50:00+08:00",
            SignedDuration::ZERO,
        ),
        (
            "2026-09-30T00:00:00+08:00",
            "2026-10-09T00:00:00+08:00",
            hours(16),
        ),
        (
            "2026-10-09T14:00:00+08:00",
            "2026-10-09T10:30:00+08:00",
            minutes(-150),
        ),
        (
            "2026-10-09T14:00:00+08:00",
            "2026-10-09T14:00:00+08:00",
            SignedDuration::ZERO,
        ),
        // Across the end of the precomputed years: 2040-12-31 is a Monday, 2041-01-01 a Tuesday.
        (
            "2040-12-31T17:00:00+08:00",
            "2041-01-01T10:00:00+08:00",
            hours(2),
        ),
        // Before the precomputed years: 2019-12-31 is a Tuesday, no holidays are known then.
        (
            "2019-12-31T17:00:00+08:00",
            "2020-01-01T10:00:00+08:00",
            hours(2),
        ),
    ];
    for (from, to, expected) in cases {
        assert_eq!(
            cn_standard().elapsed(at(from), at(to)),
            expected,
            "{from} .. {to}"
        );
    }
}

#[test]
fn a_deadline_can_run_past_the_precomputed_years() {
    let deadline = cn_standard().deadline(at("2040-12-31T17:00:00+08:00"), hours(2));
    assert_eq!(deadline, at("2041-01-01T10:00:00+08:00"));
    let far_future = cn_standard().deadline(at("2077-03-05T09:00:00+08:00"), hours(9));
    assert_eq!(
        far_future,
        at("2077-03-08T10:00:00+08:00"),
        "2077-03-05 is a Friday"
    );
}

#[test]
fn working_instants_include_a_period_start_and_exclude_its_end() {
    let cases = [
        (
            "2026-10-09T09:00:00+08:00",
            true,
            "2026-10-09T09:00:00+08:00",
        ),
        (
            "2026-10-09T11:59:59.999999999+08:00",
            true,
            "2026-10-09T11:59:59.999999999+08:00",
        ),
        (
            "2026-10-09T12:00:00+08:00",
            false,
            "2026-10-09T13:00:00+08:00",
        ),
        (
            "2026-10-09T18:00:00+08:00",
            false,
            "2026-10-10T09:00:00+08:00",
        ),
        (
            "2026-10-01T10:00:00+08:00",
            false,
            "2026-10-08T09:00:00+08:00",
        ),
        (
            "2045-06-03T10:00:00+08:00",
            false,
            "2045-06-05T09:00:00+08:00",
        ),
    ];
    for (instant, working, next) in cases {
        assert_eq!(cn_standard().is_working(at(instant)), working, "{instant}");
        assert_eq!(
            cn_standard().next_working_instant(at(instant)),
            at(next),
            "{instant}"
        );
    }
}

#[test]
fn every_instant_of_a_7x24_calendar_is_working_time() {
    let always = builtin(TWENTY_FOUR_SEVEN).unwrap();
    let start = at("2026-10-01T03:00:00+08:00");
    assert!(always.is_working(start));
    assert_eq!(always.next_working_instant(start), start);
    assert_eq!(
        always.deadline(start, hours(48)),
        at("2026-10-03T03:00:00+08:00")
    );
    assert_eq!(
        always.elapsed(start, at("2026-10-03T03:00:00+08:00")),
        hours(48)
    );
}

#[test]
fn periods_follow_local_wall_clock_time_across_clock_changes() {
    let new_york = new_york_split_shifts();
    let berlin = berlin_office();
    let cases = [
        // Friday afternoon in winter time, the whole 23-hour Sunday of the change to summer
        // time (2026-03-29), then Monday morning in summer time.
        (
            &berlin,
            "2026-03-27T16:00:00+01:00",
            hours(25),
            "2026-03-30T10:00:00+02:00",
        ),
        // The Sunday of the spring-forward change has 23 hours, of the fall-back change 25.
        (
            &berlin,
            "2026-03-29T00:00:00+01:00",
            hours(23),
            "2026-03-30T00:00:00+02:00",
        ),
        (
            &berlin,
            "2026-10-25T00:00:00+02:00",
            hours(25),
            "2026-10-26T00:00:00+01:00",
        ),
        // New York, 2026-03-08: 02:30 does not exist and reads as 03:30 EDT, so the first
        // Sunday shift (00:30 EST to 03:30 EDT) lasts 2 hours.
        (
            &new_york,
            "2026-03-08T00:30:00-05:00",
            hours(2),
            "2026-03-08T03:30:00-04:00",
        ),
        // The second shift, 02:45 to 05:00, starts at 03:45 EDT and lasts 75 minutes.
        (
            &new_york,
            "2026-03-08T00:30:00-05:00",
            minutes(195),
            "2026-03-08T05:00:00-04:00",
        ),
        // New York, 2026-11-01: 01:00 to 02:00 happens twice, so the first shift lasts 3 hours.
        (
            &new_york,
            "2026-11-01T00:30:00-04:00",
            hours(3),
            "2026-11-01T02:30:00-05:00",
        ),
        // The holiday Friday 2026-07-03 is skipped, as is the Saturday, up to the Sunday shift.
        (
            &new_york,
            "2026-07-02T17:00:00-04:00",
            hours(1),
            "2026-07-05T01:00:00-04:00",
        ),
        // The make-up Saturday 2026-07-11 is worked with Monday's hours.
        (
            &new_york,
            "2026-07-10T17:00:00-04:00",
            hours(1),
            "2026-07-11T08:30:00-04:00",
        ),
    ];
    for (calendar, start, duration, expected) in cases {
        assert_eq!(
            calendar.deadline(at(start), duration),
            at(expected),
            "{}: {start} + {duration}",
            calendar.code()
        );
        assert_eq!(
            calendar.elapsed(at(start), at(expected)),
            duration,
            "{}: {start} .. {expected}",
            calendar.code()
        );
    }
}

#[test]
fn a_period_overlapping_its_predecessor_after_a_clock_change_is_not_counted_twice() {
    // On 2026-03-08 local 02:30 reads as 03:30 EDT, which is after 03:00 EDT: the shifts
    // 01:00-02:30 and 03:00-04:00 overlap in absolute time from 03:00 to 03:30.
    let calendar = Calendar::builder("gap", "America/New_York")
        .periods(
            Weekday::Sunday,
            [period("01:00-02:30"), period("03:00-04:00")],
        )
        .build()
        .unwrap();
    let day = calendar.elapsed(
        at("2026-03-08T00:00:00-05:00"),
        at("2026-03-09T00:00:00-04:00"),
    );
    assert_eq!(day, hours(2), "01:00 EST to 04:00 EDT is two hours");
}

#[test]
fn invalid_calendars_are_refused_with_the_reason() {
    let nine_to_twelve = period("09:00-12:00");
    let eleven_to_one = period("11:00-13:00");
    let cases = [
        (
            Calendar::builder("", "Asia/Shanghai").weekday_periods([nine_to_twelve]),
            CalendarError::EmptyCode,
        ),
        (
            Calendar::builder("x", "Mars/Olympus_Mons").weekday_periods([nine_to_twelve]),
            CalendarError::UnknownTimeZone {
                name: "Mars/Olympus_Mons".into(),
            },
        ),
        (
            Calendar::builder("x", "Asia/Shanghai")
                .periods(Weekday::Tuesday, [nine_to_twelve, eleven_to_one]),
            CalendarError::PeriodsOutOfOrder {
                weekday: Weekday::Tuesday,
                earlier: nine_to_twelve,
                later: eleven_to_one,
            },
        ),
        (
            Calendar::builder("x", "Asia/Shanghai")
                .periods(Weekday::Monday, [eleven_to_one, nine_to_twelve]),
            CalendarError::PeriodsOutOfOrder {
                weekday: Weekday::Monday,
                earlier: eleven_to_one,
                later: nine_to_twelve,
            },
        ),
        (
            Calendar::builder("x", "Asia/Shanghai")
                .weekday_periods([nine_to_twelve])
                .holidays([date(2026, 10, 10)])
                .workdays([date(2026, 10, 10)]),
            CalendarError::HolidayAndWorkday {
                date: date(2026, 10, 10),
            },
        ),
        (
            Calendar::builder("x", "Asia/Shanghai").holidays([date(2026, 10, 1)]),
            CalendarError::NoWorkingTime,
        ),
    ];
    for (builder, expected) in cases {
        assert_eq!(builder.build().unwrap_err(), expected);
    }
}

#[test]
fn cn_standard_ships_the_official_holidays_and_make_up_days() {
    let calendar = cn_standard();
    assert_eq!(calendar.holidays().count(), 89);
    assert_eq!(calendar.workdays().count(), 19);
    assert!(calendar.periods_on(date(2026, 10, 1)).is_empty());
    assert_eq!(
        calendar.periods_on(date(2026, 10, 10)),
        [period("09:00-12:00"), period("13:00-18:00")]
    );
    assert!(calendar.periods_on(date(2026, 10, 11)).is_empty());
    assert_eq!(calendar.weekly_periods(Weekday::Friday).len(), 2);
}

// Starts are drawn from the years the index covers, from its edges and from beyond it,
// with nanoseconds, so that every path of the engine is exercised.
fn any_start() -> impl Strategy<Value = Timestamp> {
    let seconds = prop_oneof![
        4 => at("2024-01-01T00:00:00Z").as_second()..at("2027-01-01T00:00:00Z").as_second(),
        1 => at("2019-11-01T00:00:00Z").as_second()..at("2020-02-01T00:00:00Z").as_second(),
        1 => at("2040-11-01T00:00:00Z").as_second()..at("2041-02-01T00:00:00Z").as_second(),
        1 => at("2060-01-01T00:00:00Z").as_second()..at("2061-01-01T00:00:00Z").as_second(),
    ];
    (seconds, prop_oneof![Just(0), 0..1_000_000_000i32])
        .prop_map(|(second, nanosecond)| Timestamp::new(second, nanosecond).unwrap())
}

fn any_duration() -> impl Strategy<Value = SignedDuration> {
    let seconds = prop_oneof![0..8 * 3600i64, 0..30 * 86_400i64];
    (seconds, prop_oneof![Just(0), 0..1_000_000_000i32])
        .prop_map(|(seconds, nanos)| SignedDuration::new(seconds, nanos))
}

/// Shared so each calendar builds its index once for all the generated cases.
static NEW_YORK: LazyLock<Calendar> = LazyLock::new(new_york_split_shifts);
static BERLIN: LazyLock<Calendar> = LazyLock::new(berlin_office);

fn calendars() -> [&'static Calendar; 3] {
    [cn_standard(), &NEW_YORK, &BERLIN]
}

proptest! {
    #[test]
    fn the_working_time_up_to_a_deadline_is_the_duration(start in any_start(), duration in any_duration()) {
        for calendar in calendars() {
            let deadline = calendar.deadline(start, duration);
            prop_assert_eq!(calendar.elapsed(start, deadline), duration, "{}", calendar.code());
        }
    }

    #[test]
    fn a_deadline_can_be_reached_in_steps(start in any_start(), first in any_duration(), second in any_duration()) {
        for calendar in calendars() {
            let in_one = calendar.deadline(start, first + second);
            let in_two = calendar.deadline(calendar.deadline(start, first), second);
            prop_assert_eq!(in_one, in_two, "{}", calendar.code());
        }
    }

    #[test]
    fn a_deadline_falls_in_working_time_or_right_at_the_end_of_a_period(start in any_start(), duration in any_duration()) {
        prop_assume!(duration > SignedDuration::ZERO);
        for calendar in calendars() {
            let deadline = calendar.deadline(start, duration);
            let just_before = deadline - SignedDuration::from_nanos(1);
            prop_assert!(calendar.is_working(just_before), "{}: {deadline} is not reached by working time", calendar.code());
            prop_assert!(deadline > start);
        }
    }

    #[test]
    fn elapsed_time_adds_up_over_consecutive_spans(first in any_start(), second in any_start(), third in any_start()) {
        for calendar in calendars() {
            let whole = calendar.elapsed(first, third);
            let in_parts = calendar.elapsed(first, second) + calendar.elapsed(second, third);
            prop_assert_eq!(whole, in_parts, "{}", calendar.code());
        }
    }

    #[test]
    fn the_next_working_instant_is_working_and_skips_no_working_time(instant in any_start()) {
        for calendar in calendars() {
            let next = calendar.next_working_instant(instant);
            prop_assert!(calendar.is_working(next));
            prop_assert_eq!(calendar.elapsed(instant, next), SignedDuration::ZERO);
        }
    }
}
