//! Clock states on cn-standard, where 2026-10-13 is a Tuesday with working hours
//! 09:00–12:00 and 13:00–18:00.

use jiff::civil::date;

use super::*;
use crate::calendar::{WorkingPeriod, CN_STANDARD};

fn at(text: &str) -> Timestamp {
    format!("{text}+08:00").parse().unwrap()
}

fn hours(hours: i64) -> SignedDuration {
    SignedDuration::from_hours(hours)
}

fn cn_standard() -> &'static Calendar {
    builtin(CN_STANDARD).unwrap()
}

/// The urban arrival SLA of DISPATCH-3: 6 working hours, warning at 75%.
fn arrival_sla() -> ClockPolicy {
    ClockPolicy {
        kind: ClockKind::WorkingTime,
        target: hours(6),
        warn_ratio: 0.75,
    }
}

fn history(events: &[ClockEvent]) -> ClockHistory {
    ClockHistory::from_events(events.iter().cloned()).unwrap()
}

fn started(text: &str) -> ClockEvent {
    ClockEvent::Started { at: at(text) }
}

fn paused(text: &str) -> ClockEvent {
    ClockEvent::Paused {
        at: at(text),
        reason: "waiting for the customer".into(),
    }
}

fn resumed(text: &str) -> ClockEvent {
    ClockEvent::Resumed { at: at(text) }
}

fn stopped(text: &str) -> ClockEvent {
    ClockEvent::Stopped { at: at(text) }
}

#[test]
fn a_running_clock_counts_working_time_towards_its_deadline() {
    let clock = history(&[started("2026-10-13T16:00")]);
    let state = clock.state(&arrival_sla(), cn_standard(), at("2026-10-13T17:00"));
    assert_eq!(
        state,
        ClockState {
            status: ClockStatus::Running,
            phase: ClockPhase::Running,
            consumed: hours(1),
            remaining: hours(5),
            deadline: Some(at("2026-10-14T14:00")),
            at_risk: false,
            breached_at: None,
        }
    );
}

#[test]
fn a_clock_past_the_warn_ratio_is_at_risk() {
    let clock = history(&[started("2026-10-13T16:00")]);
    let state = clock.state(&arrival_sla(), cn_standard(), at("2026-10-14T12:00"));
    assert_eq!(
        (state.status, state.consumed, state.at_risk),
        (ClockStatus::Running, hours(5), true)
    );
}

#[test]
fn a_clock_running_past_its_deadline_is_breached_at_the_deadline() {
    let clock = history(&[started("2026-10-13T16:00")]);
    let state = clock.state(&arrival_sla(), cn_standard(), at("2026-10-14T15:00"));
    assert_eq!(state.status, ClockStatus::Breached);
    assert_eq!(state.breached_at, Some(at("2026-10-14T14:00")));
    assert_eq!(state.remaining, hours(-1));
}

#[test]
fn a_deadline_passed_outside_working_hours_is_already_a_breach() {
    let policy = ClockPolicy {
        target: hours(2),
        ..arrival_sla()
    };
    let clock = history(&[started("2026-10-13T16:00")]);
    let state = clock.state(&policy, cn_standard(), at("2026-10-13T20:00"));
    assert_eq!(
        (state.status, state.consumed),
        (ClockStatus::Breached, hours(2))
    );
    assert_eq!(state.breached_at, Some(at("2026-10-13T18:00")));
}

#[test]
fn every_pause_is_left_out_and_measured_in_working_time() {
    let clock = history(&[
        started("2026-10-13T09:00"),
        paused("2026-10-13T10:00"),
        resumed("2026-10-13T11:00"),
        // Paused over lunch: the lunch break was not working time anyway.
        paused("2026-10-13T14:00"),
        resumed("2026-10-13T16:00"),
    ]);
    let state = clock.state(&arrival_sla(), cn_standard(), at("2026-10-13T17:00"));
    assert_eq!(state.consumed, hours(4), "09-10, 11-12, 13-14 and 16-17");
    assert_eq!(
        state.deadline,
        Some(at("2026-10-14T10:00")),
        "3 hours left at 16:00"
    );
    assert_eq!(state.status, ClockStatus::Running);
}

#[test]
fn a_paused_clock_has_no_deadline_and_stops_consuming() {
    let clock = history(&[started("2026-10-13T09:00"), paused("2026-10-13T10:00")]);
    let state = clock.state(&arrival_sla(), cn_standard(), at("2026-10-16T10:00"));
    assert_eq!(
        (state.status, state.phase),
        (ClockStatus::Paused, ClockPhase::Paused)
    );
    assert_eq!((state.consumed, state.deadline), (hours(1), None));
}

#[test]
fn stopping_by_the_deadline_meets_it_and_after_it_breaches_it() {
    let cases = [
        ("2026-10-14T13:59", ClockStatus::Met, None),
        ("2026-10-14T14:00", ClockStatus::Met, None),
        (
            "2026-10-14T14:01",
            ClockStatus::Breached,
            Some(at("2026-10-14T14:00")),
        ),
    ];
    for (stop, status, breached_at) in cases {
        let clock = history(&[started("2026-10-13T16:00"), stopped(stop)]);
        let state = clock.state(&arrival_sla(), cn_standard(), at("2026-10-20T12:00"));
        assert_eq!(
            (state.status, state.breached_at),
            (status, breached_at),
            "stopped at {stop}"
        );
        assert_eq!(
            state.deadline,
            Some(at("2026-10-14T14:00")),
            "a stopped clock keeps its deadline"
        );
        assert_eq!(state.phase, ClockPhase::Stopped);
    }
}

#[test]
fn a_breached_clock_stays_breached_when_paused() {
    let clock = history(&[started("2026-10-13T16:00"), paused("2026-10-14T15:00")]);
    let state = clock.state(&arrival_sla(), cn_standard(), at("2026-10-15T10:00"));
    assert_eq!(
        (state.status, state.phase),
        (ClockStatus::Breached, ClockPhase::Paused)
    );
}

#[test]
fn an_elapsed_time_clock_ignores_the_calendar() {
    let policy = ClockPolicy {
        kind: ClockKind::ElapsedTime,
        target: hours(24),
        warn_ratio: 0.75,
    };
    let clock = history(&[started("2026-10-01T10:00")]);
    let state = clock.state(&policy, cn_standard(), at("2026-10-01T20:00"));
    assert_eq!(
        state.deadline,
        Some(at("2026-10-02T10:00")),
        "a holiday still counts"
    );
    assert_eq!(state.consumed, hours(10));
}

#[test]
fn events_after_now_have_not_happened_yet() {
    let clock = history(&[
        started("2026-10-13T16:00"),
        paused("2026-10-14T09:30"),
        stopped("2026-10-14T11:00"),
    ]);
    let before_the_pause = clock.state(&arrival_sla(), cn_standard(), at("2026-10-13T17:00"));
    assert_eq!(
        (before_the_pause.status, before_the_pause.consumed),
        (ClockStatus::Running, hours(1))
    );
    let before_the_start = clock.state(&arrival_sla(), cn_standard(), at("2026-10-13T08:00"));
    assert_eq!(before_the_start.consumed, SignedDuration::ZERO);
    assert_eq!(before_the_start.deadline, Some(at("2026-10-14T14:00")));
}

#[test]
fn a_holiday_added_to_the_calendar_moves_the_deadline_of_the_same_history() {
    let office_hours = [WorkingPeriod::new(
        jiff::civil::time(9, 0, 0, 0),
        jiff::civil::time(18, 0, 0, 0),
    )
    .unwrap()];
    let branch = Calendar::builder("branch", "Asia/Shanghai").weekday_periods(office_hours);
    let before = branch.clone().build().unwrap();
    let after = branch.holidays([date(2026, 10, 14)]).build().unwrap();
    let clock = history(&[started("2026-10-13T16:00")]);
    let now = at("2026-10-13T17:00");
    assert_eq!(
        clock.state(&arrival_sla(), &before, now).deadline,
        Some(at("2026-10-14T13:00"))
    );
    assert_eq!(
        clock.state(&arrival_sla(), &after, now).deadline,
        Some(at("2026-10-15T13:00"))
    );
}

#[test]
fn impossible_events_are_refused() {
    let running = || ClockHistory::start(at("2026-10-13T09:00"));
    let mut paused_clock = running();
    paused_clock.record(paused("2026-10-13T10:00")).unwrap();
    let mut stopped_clock = running();
    stopped_clock.record(stopped("2026-10-13T10:00")).unwrap();
    let cases = [
        (
            running(),
            started("2026-10-13T11:00"),
            ClockError::AlreadyStarted,
        ),
        (
            running(),
            resumed("2026-10-13T11:00"),
            ClockError::NotPaused,
        ),
        (
            paused_clock.clone(),
            paused("2026-10-13T11:00"),
            ClockError::AlreadyPaused,
        ),
        (
            stopped_clock.clone(),
            resumed("2026-10-13T11:00"),
            ClockError::AlreadyStopped,
        ),
        (
            stopped_clock,
            stopped("2026-10-13T11:00"),
            ClockError::AlreadyStopped,
        ),
        (
            paused_clock,
            resumed("2026-10-13T09:30"),
            ClockError::OutOfOrder {
                at: at("2026-10-13T09:30"),
                previous: at("2026-10-13T10:00"),
            },
        ),
    ];
    for (mut clock, event, expected) in cases {
        assert_eq!(clock.record(event.clone()), Err(expected), "{event:?}");
    }
}

#[test]
fn a_stored_history_must_begin_with_the_start() {
    assert_eq!(ClockHistory::from_events([]), Err(ClockError::NotStarted));
    assert_eq!(
        ClockHistory::from_events([paused("2026-10-13T10:00")]),
        Err(ClockError::NotStarted)
    );
    let stored = [
        started("2026-10-13T09:00"),
        paused("2026-10-13T10:00"),
        resumed("2026-10-13T11:00"),
    ];
    assert_eq!(
        ClockHistory::from_events(stored.clone()).unwrap().events(),
        stored
    );
}

#[test]
fn a_paused_clock_can_be_stopped() {
    let clock = history(&[
        started("2026-10-13T09:00"),
        paused("2026-10-13T10:00"),
        stopped("2026-10-13T11:00"),
    ]);
    assert_eq!(clock.phase(), ClockPhase::Stopped);
    let state = clock.state(&arrival_sla(), cn_standard(), at("2026-10-13T12:00"));
    assert_eq!((state.status, state.consumed), (ClockStatus::Met, hours(1)));
}
