//! The SLA clocks of a service order: first contact after dispatch (DISPATCH-2), arrival
//! within 6/7 working hours of the call by zone (DISPATCH-3) and the promised completion
//! (REPAIR-5). They are computed from the instants stored on the order and the order's
//! effective working calendar (contract, customer, branch, else cn-standard), so a changed
//! calendar changes the deadlines of open orders without any rewrite.

use std::sync::Arc;

use aftersales_domain::calendar::Calendar;
use aftersales_domain::sla::{ClockEvent, ClockHistory, ClockKind, ClockPolicy, ClockStatus};
use aftersales_store::entity::service_order;
use aftersales_store::sea_orm::ConnectionTrait;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::{settings, AppError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClockView {
    /// first_contact, arrival or completion.
    pub name: String,
    /// running, paused, met or breached.
    pub status: String,
    pub target_minutes: i64,
    pub consumed_minutes: i64,
    /// Negative once overrun.
    pub remaining_minutes: i64,
    /// RFC 3339, when the allowance runs out (met clocks keep theirs).
    pub deadline: Option<String>,
    pub at_risk: bool,
    pub breached_at: Option<String>,
}

/// The targets in force (administrator settings).
pub struct Targets {
    pub first_contact: SignedDuration,
    pub urban_arrival: SignedDuration,
    pub suburban_arrival: SignedDuration,
    pub completion: SignedDuration,
    pub warn_ratio: f64,
}

impl Targets {
    pub async fn load(db: &impl ConnectionTrait) -> Result<Targets, AppError> {
        let minutes = |m: i64| SignedDuration::from_mins(m);
        let hours = |h: i64| SignedDuration::from_hours(h);
        Ok(Targets {
            first_contact: minutes(
                settings::get_count(db, "dispatch.first_contact_minutes").await?,
            ),
            urban_arrival: hours(settings::get_count(db, "sla.urban_hours").await?),
            suburban_arrival: hours(settings::get_count(db, "sla.suburban_hours").await?),
            completion: hours(settings::get_count(db, "repair.promise_hours").await?),
            warn_ratio: settings::get(db, "sla.warn_ratio")
                .await?
                .parse()
                .unwrap_or(0.75),
        })
    }
}

fn instant(ms: Option<i64>) -> Option<Timestamp> {
    ms.and_then(|ms| Timestamp::from_millisecond(ms).ok())
}

/// One clock from its start and (if reached) its stop instant.
fn clock(
    name: &str,
    start: Timestamp,
    stop: Option<Timestamp>,
    target: SignedDuration,
    warn_ratio: f64,
    calendar: &Calendar,
    now: Timestamp,
) -> ClockView {
    let policy = ClockPolicy {
        kind: ClockKind::WorkingTime,
        target,
        warn_ratio,
    };
    measure(name, start, stop, &policy, calendar, now)
}

/// A clock of any kind from its start and (if reached) its stop instant, e.g. a complaint's
/// 24-hour reply clock.
pub(crate) fn measure(
    name: &str,
    start: Timestamp,
    stop: Option<Timestamp>,
    policy: &ClockPolicy,
    calendar: &Calendar,
    now: Timestamp,
) -> ClockView {
    let target = policy.target;
    let mut events = vec![ClockEvent::Started { at: start }];
    if let Some(at) = stop.filter(|at| *at >= start) {
        events.push(ClockEvent::Stopped { at });
    }
    let history = ClockHistory::from_events(events)
        .expect("a start followed by a later stop is a valid history");
    let state = history.state(policy, calendar, now);
    ClockView {
        name: name.to_string(),
        status: match state.status {
            ClockStatus::Running => "running",
            ClockStatus::Paused => "paused",
            ClockStatus::Met => "met",
            ClockStatus::Breached => "breached",
        }
        .to_string(),
        target_minutes: target.as_mins(),
        consumed_minutes: state.consumed.as_mins(),
        remaining_minutes: state.remaining.as_mins(),
        deadline: state.deadline.map(|t| t.to_string()),
        at_risk: state.at_risk,
        breached_at: state.breached_at.map(|t| t.to_string()),
    }
}

/// The clocks of an order at `now`. A cancelled order has none; the contact clock starts at
/// dispatch (a reassignment restarts it); the arrival clock counts from the call (叫修时间),
/// with the zone of the service address (urban when unknown).
pub fn order_clocks(
    order: &service_order::Model,
    suburban: bool,
    calendar: &Arc<Calendar>,
    targets: &Targets,
    now: Timestamp,
) -> Vec<ClockView> {
    if order.cancelled_at.is_some() {
        return Vec::new();
    }
    let Some(received) = instant(Some(order.received_at)) else {
        return Vec::new();
    };
    let mut clocks = Vec::with_capacity(3);
    if let Some(dispatched) = instant(order.dispatched_at) {
        clocks.push(clock(
            "first_contact",
            dispatched,
            instant(order.contacted_at),
            targets.first_contact,
            targets.warn_ratio,
            calendar,
            now,
        ));
    }
    let arrival_target = if suburban {
        targets.suburban_arrival
    } else {
        targets.urban_arrival
    };
    clocks.push(clock(
        "arrival",
        received,
        instant(order.arrived_at),
        arrival_target,
        targets.warn_ratio,
        calendar,
        now,
    ));
    let finished = instant(order.completed_at).or(instant(order.returned_at));
    clocks.push(clock(
        "completion",
        received,
        finished,
        targets.completion,
        targets.warn_ratio,
        calendar,
        now,
    ));
    clocks
}

#[cfg(test)]
mod tests {
    use super::*;
    use aftersales_domain::calendar::builtin;

    fn order(received: &str) -> service_order::Model {
        service_order::Model {
            id: 1,
            number: "BJ202611200001".into(),
            org_unit_id: 1,
            channel: "phone".into(),
            customer_id: 1,
            address_id: None,
            unit_id: None,
            product_id: None,
            component: None,
            fault_description: None,
            fault_class: "hardware".into(),
            urgency: "normal".into(),
            category: "c".into(),
            proposed_category: "c".into(),
            category_reason: None,
            status: "registered".into(),
            priority: false,
            technician_id: None,
            repeat_of_id: None,
            preferred_time: None,
            received_at: received.parse::<Timestamp>().unwrap().as_millisecond(),
            registered_by: 1,
            dispatched_at: None,
            contacted_at: None,
            appointment_at: None,
            arrived_at: None,
            completed_at: None,
            returned_at: None,
            archived_at: None,
            cancelled_at: None,
            price_schedule_shown_at: None,
            payment_method: None,
            payment_fen: None,
            cash_handed_over_at: None,
            version: 1,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn targets() -> Targets {
        Targets {
            first_contact: SignedDuration::from_mins(30),
            urban_arrival: SignedDuration::from_hours(6),
            suburban_arrival: SignedDuration::from_hours(7),
            completion: SignedDuration::from_hours(24),
            warn_ratio: 0.75,
        }
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn a_call_at_ten_on_friday_must_be_reached_by_five_the_same_afternoon_in_town() {
        // Friday 2026-11-20 10:00 Shanghai: 2 h before lunch + 5 h afternoon = 7 h > 6 h, so
        // the urban arrival deadline is 17:00 the same day; the suburbs get until 18:00.
        let calendar = Arc::new(builtin("cn-standard").unwrap().clone());
        let call = order("2026-11-20T02:00:00Z");
        let urban = order_clocks(
            &call,
            false,
            &calendar,
            &targets(),
            at("2026-11-20T03:00:00Z"),
        );
        let arrival = urban.iter().find(|c| c.name == "arrival").unwrap();
        assert_eq!(arrival.deadline.as_deref(), Some("2026-11-20T09:00:00Z"));
        assert_eq!(arrival.status, "running");
        let suburban = order_clocks(
            &call,
            true,
            &calendar,
            &targets(),
            at("2026-11-20T03:00:00Z"),
        );
        assert_eq!(
            suburban
                .iter()
                .find(|c| c.name == "arrival")
                .unwrap()
                .deadline
                .as_deref(),
            Some("2026-11-20T10:00:00Z")
        );
    }

    #[test]
    fn a_late_check_in_breaches_the_arrival_clock_and_an_early_one_meets_it() {
        let calendar = Arc::new(builtin("cn-standard").unwrap().clone());
        let mut late = order("2026-11-20T02:00:00Z");
        late.arrived_at = Some(at("2026-11-23T02:00:00Z").as_millisecond());
        let clocks = order_clocks(
            &late,
            false,
            &calendar,
            &targets(),
            at("2026-11-23T03:00:00Z"),
        );
        let arrival = clocks.iter().find(|c| c.name == "arrival").unwrap();
        assert_eq!(arrival.status, "breached");
        assert_eq!(arrival.breached_at.as_deref(), Some("2026-11-20T09:00:00Z"));
        let mut early = order("2026-11-20T02:00:00Z");
        early.arrived_at = Some(at("2026-11-20T06:00:00Z").as_millisecond());
        let clocks = order_clocks(
            &early,
            false,
            &calendar,
            &targets(),
            at("2026-11-23T03:00:00Z"),
        );
        assert_eq!(
            clocks.iter().find(|c| c.name == "arrival").unwrap().status,
            "met"
        );
    }

    #[test]
    fn the_contact_clock_starts_at_dispatch_and_warns_at_three_quarters() {
        let calendar = Arc::new(builtin("cn-standard").unwrap().clone());
        let mut call = order("2026-11-20T02:00:00Z");
        call.dispatched_at = Some(at("2026-11-20T02:10:00Z").as_millisecond());
        let clocks = order_clocks(
            &call,
            false,
            &calendar,
            &targets(),
            at("2026-11-20T02:35:00Z"),
        );
        let contact = clocks.iter().find(|c| c.name == "first_contact").unwrap();
        assert_eq!(
            (contact.consumed_minutes, contact.remaining_minutes),
            (25, 5)
        );
        assert!(contact.at_risk);
        assert_eq!(contact.deadline.as_deref(), Some("2026-11-20T02:40:00Z"));
    }

    #[test]
    fn a_cancelled_order_has_no_clocks() {
        let calendar = Arc::new(builtin("cn-standard").unwrap().clone());
        let mut call = order("2026-11-20T02:00:00Z");
        call.cancelled_at = Some(at("2026-11-20T03:00:00Z").as_millisecond());
        assert!(order_clocks(
            &call,
            false,
            &calendar,
            &targets(),
            at("2026-11-20T04:00:00Z")
        )
        .is_empty());
    }
}
