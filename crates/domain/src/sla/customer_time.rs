//! DISPATCH-4 and DISPATCH-5: the customer's own arrival time, and lateness.
//!
//! A customer-set arrival time (the time the customer asked for at intake, or the appointment
//! the technician agreed with them) becomes the arrival deadline. When it is later than the
//! SLA's own deadline the clock is marked "customer requested" and is judged against the
//! customer's time only, so waiting for the customer is not a breach (design decision: the
//! seeds do not say how the two rules combine). A technician who will be late must notify the
//! supervisor before the deadline; a missed arrival without such a notice is absenteeism.

use jiff::{SignedDuration, Timestamp};

use super::{ClockPhase, ClockState, ClockStatus};

/// The arrival clock judged against the customer's time `customer_at`. `state` is the SLA
/// clock's own state at `now`, `started_at` its start and `stopped_at` the arrival, if any.
/// Answers the state and whether the customer's time is later than the SLA deadline.
pub fn with_customer_deadline(
    state: ClockState,
    started_at: Timestamp,
    stopped_at: Option<Timestamp>,
    customer_at: Timestamp,
    warn_ratio: f64,
    now: Timestamp,
) -> (ClockState, bool) {
    // A paused clock has no deadline of its own: the customer's time is all there is.
    let requested_later = state.deadline.is_none_or(|sla| customer_at > sla);
    let judged_at = stopped_at.unwrap_or(now);
    let breached = judged_at > customer_at;
    let status = match (breached, state.phase) {
        (true, _) => ClockStatus::Breached,
        (false, ClockPhase::Stopped) => ClockStatus::Met,
        (false, _) => ClockStatus::Running,
    };
    let allowance = customer_at.duration_since(started_at);
    let used = judged_at.duration_since(started_at);
    let state = ClockState {
        status,
        phase: state.phase,
        consumed: state.consumed,
        remaining: customer_at.duration_since(judged_at),
        deadline: Some(customer_at),
        at_risk: status == ClockStatus::Running
            && allowance > SignedDuration::ZERO
            && used.as_secs_f64() >= warn_ratio * allowance.as_secs_f64(),
        breached_at: breached.then_some(customer_at),
    };
    (state, requested_later)
}

/// A missed arrival is absenteeism unless the technician gave notice at or before the
/// deadline (DISPATCH-5: "否则,按旷工处理").
pub fn is_absenteeism(deadline: Timestamp, lateness_notices: &[Timestamp]) -> bool {
    !lateness_notices.iter().any(|at| *at <= deadline)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    /// The SLA arrival clock started at 10:00 with its deadline at 16:00, running.
    fn sla_running(phase: ClockPhase) -> ClockState {
        ClockState {
            status: ClockStatus::Running,
            phase,
            consumed: SignedDuration::from_hours(1),
            remaining: SignedDuration::from_hours(5),
            deadline: (phase != ClockPhase::Paused).then(|| at("2026-11-20T08:00:00Z")),
            at_risk: false,
            breached_at: None,
        }
    }

    const START: &str = "2026-11-20T02:00:00Z";

    #[test]
    fn the_customers_time_is_the_deadline_and_a_later_one_is_customer_requested() {
        // (customer time, arrival, now, status, requested later, breached at)
        let cases = [
            // Customer wants us tomorrow 10:00, later than the SLA's 16:00 today.
            (
                "2026-11-21T02:00:00Z",
                None,
                "2026-11-20T09:00:00Z",
                ClockStatus::Running,
                true,
                None,
            ),
            (
                "2026-11-21T02:00:00Z",
                Some("2026-11-21T01:50:00Z"),
                "2026-11-21T03:00:00Z",
                ClockStatus::Met,
                true,
                None,
            ),
            (
                "2026-11-21T02:00:00Z",
                Some("2026-11-21T02:30:00Z"),
                "2026-11-21T03:00:00Z",
                ClockStatus::Breached,
                true,
                Some("2026-11-21T02:00:00Z"),
            ),
            (
                "2026-11-21T02:00:00Z",
                None,
                "2026-11-21T02:01:00Z",
                ClockStatus::Breached,
                true,
                Some("2026-11-21T02:00:00Z"),
            ),
            // Customer wants us by 12:00, earlier than the SLA: that is the deadline.
            (
                "2026-11-20T04:00:00Z",
                None,
                "2026-11-20T03:00:00Z",
                ClockStatus::Running,
                false,
                None,
            ),
            (
                "2026-11-20T04:00:00Z",
                Some("2026-11-20T05:00:00Z"),
                "2026-11-20T06:00:00Z",
                ClockStatus::Breached,
                false,
                Some("2026-11-20T04:00:00Z"),
            ),
        ];
        for (customer, arrived, now, status, later, breached) in cases {
            let phase = if arrived.is_some() {
                ClockPhase::Stopped
            } else {
                ClockPhase::Running
            };
            let (state, requested_later) = with_customer_deadline(
                sla_running(phase),
                at(START),
                arrived.map(at),
                at(customer),
                0.75,
                at(now),
            );
            assert_eq!(state.status, status, "{customer} {arrived:?} {now}");
            assert_eq!(requested_later, later, "{customer}");
            assert_eq!(state.deadline, Some(at(customer)));
            assert_eq!(state.breached_at, breached.map(at));
        }
    }

    #[test]
    fn a_paused_clock_keeps_the_customers_time_and_warns_near_it() {
        let (state, later) = with_customer_deadline(
            sla_running(ClockPhase::Paused),
            at(START),
            None,
            at("2026-11-20T06:00:00Z"),
            0.75,
            at("2026-11-20T05:30:00Z"),
        );
        assert!(later);
        assert_eq!(state.status, ClockStatus::Running);
        assert_eq!(state.remaining, SignedDuration::from_mins(30));
        assert!(state.at_risk, "3.5 h of 4 h used");
    }

    #[test]
    fn only_a_notice_given_by_the_deadline_excuses_a_missed_arrival() {
        let deadline = at("2026-11-20T08:00:00Z");
        assert!(is_absenteeism(deadline, &[]));
        assert!(is_absenteeism(deadline, &[at("2026-11-20T08:00:01Z")]));
        assert!(!is_absenteeism(deadline, &[at("2026-11-20T08:00:00Z")]));
        assert!(!is_absenteeism(
            deadline,
            &[at("2026-11-20T09:00:00Z"), at("2026-11-20T07:00:00Z")]
        ));
    }
}
