//! The SLA clocks of a service order. Which clocks run and with what allowance comes from the
//! SLA policy the order matches (`domain::sla::policy`), else from the default in the settings:
//! first contact after dispatch (DISPATCH-2), arrival within 6/7 working hours of the call by
//! zone (DISPATCH-3) and the promised completion (REPAIR-5). Each clock's history (start,
//! pauses while the order waits, resumes, stop) is read from the order's recorded timeline and
//! its state computed against the order's effective working calendar (contract, customer,
//! branch, else cn-standard), so a changed calendar changes the deadlines of open orders
//! without any rewrite.

use std::collections::HashMap;
use std::sync::Arc;

use aftersales_domain::calendar::Calendar;
use aftersales_domain::sla::customer_time::with_customer_deadline;
use aftersales_domain::sla::policy::{
    clock_history, select_policy, ClockSpec, Policy, PolicyCriteria, PolicyFacts, TimelineEntry,
};
use aftersales_domain::sla::{
    ClockEvent, ClockHistory, ClockKind, ClockPolicy, ClockState, ClockStatus,
};
use aftersales_store::entity::{
    customer, customer_address, district, service_order, service_order_event, sla_policy,
    sla_policy_clock,
};
use aftersales_store::sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::reference::Snapshot;
use crate::{settings, AppError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClockView {
    /// first_contact, arrival, completion, resolution or an administrator's clock name.
    pub name: String,
    /// The SLA policy the clock comes from; empty: the default in the settings.
    pub policy: Option<String>,
    /// working (working time of the calendar) or elapsed (calendar time).
    pub kind: String,
    /// running, paused, met or breached.
    pub status: String,
    pub target_minutes: i64,
    pub consumed_minutes: i64,
    /// Negative once overrun.
    pub remaining_minutes: i64,
    /// RFC 3339, when the allowance runs out (met clocks keep theirs; paused clocks have none).
    pub deadline: Option<String>,
    pub at_risk: bool,
    pub breached_at: Option<String>,
    /// The arrival deadline is the customer's own time, later than the SLA allows
    /// (DISPATCH-4): recorded as customer-requested, not a breach of the SLA.
    pub customer_requested: bool,
}

/// The default clocks' targets (administrator settings), used when no policy matches.
pub struct Targets {
    /// T3: every call is answered within `intake.answer_hours` (calendar hours).
    pub answer: SignedDuration,
    pub first_contact: SignedDuration,
    pub urban_arrival: SignedDuration,
    pub suburban_arrival: SignedDuration,
    pub completion: SignedDuration,
    pub warn_ratio: f64,
}

impl Targets {
    pub async fn load(db: &impl ConnectionTrait) -> Result<Targets, AppError> {
        const KEYS: [&str; 6] = [
            "intake.answer_hours",
            "dispatch.first_contact_minutes",
            "sla.urban_hours",
            "sla.suburban_hours",
            "repair.promise_hours",
            "sla.warn_ratio",
        ];
        let values = settings::get_all(db, KEYS).await?;
        let count = |idx: usize| settings::as_count(KEYS[idx], &values[idx]);
        Ok(Targets {
            answer: SignedDuration::from_hours(count(0)?),
            first_contact: SignedDuration::from_mins(count(1)?),
            urban_arrival: SignedDuration::from_hours(count(2)?),
            suburban_arrival: SignedDuration::from_hours(count(3)?),
            completion: SignedDuration::from_hours(count(4)?),
            warn_ratio: values[5].parse().unwrap_or(0.75),
        })
    }

    /// The default policy's clocks for an order in `zone`.
    fn default_clocks(&self, suburban: bool) -> Vec<ClockSpec> {
        let working = |name: &str, start: &[&str], stop: &[&str], target| ClockSpec {
            name: name.to_string(),
            start_on: start.iter().map(|s| s.to_string()).collect(),
            stop_on: stop.iter().map(|s| s.to_string()).collect(),
            target,
            kind: ClockKind::WorkingTime,
        };
        vec![
            ClockSpec {
                kind: ClockKind::ElapsedTime,
                ..working("answer", &["register"], &ANSWER_EVENTS, self.answer)
            },
            working(
                "first_contact",
                &["dispatch", "reassign"],
                &["record_contact"],
                self.first_contact,
            ),
            working(
                "arrival",
                &["register"],
                &["check_in"],
                if suburban {
                    self.suburban_arrival
                } else {
                    self.urban_arrival
                },
            ),
            working(
                "completion",
                &["register"],
                &COMPLETION_EVENTS,
                self.completion,
            ),
        ]
    }
}

/// The events that answer the customer (T3, "接到服务信息,应在24小时内答复"): the
/// technician's call, or the work itself when it came first.
pub const ANSWER_EVENTS: [&str; 4] = [
    "record_contact",
    "complete_on_site",
    "carry_in",
    "return_to_customer",
];

/// The events that finish an order's work.
pub const COMPLETION_EVENTS: [&str; 2] = ["complete_on_site", "return_to_customer"];

/// The policies in force and the default: loaded once per page, sweep or report.
pub struct Policies {
    pub defaults: Targets,
    pub list: Vec<Policy>,
}

fn split_events(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A stored policy and its clocks as the domain reads them.
pub fn to_policy(row: &sla_policy::Model, clocks: &[sla_policy_clock::Model]) -> Policy {
    Policy {
        id: Some(row.id),
        name: row.name.clone(),
        rank: row.rank,
        criteria: PolicyCriteria {
            category: row.category.clone(),
            fault_class: row.fault_class.clone(),
            zone: row.zone.clone(),
            customer_class: row.customer_class.clone(),
            urgency: row.urgency.clone(),
        },
        clocks: clocks
            .iter()
            .filter(|c| c.policy_id == row.id)
            .map(|c| ClockSpec {
                name: c.name.clone(),
                start_on: split_events(&c.start_on),
                stop_on: split_events(&c.stop_on),
                target: SignedDuration::from_mins(c.target_minutes),
                kind: if c.time_kind == "elapsed" {
                    ClockKind::ElapsedTime
                } else {
                    ClockKind::WorkingTime
                },
            })
            .collect(),
    }
}

impl Policies {
    pub async fn load(db: &impl ConnectionTrait) -> Result<Policies, AppError> {
        let rows = sla_policy::Entity::find()
            .filter(sla_policy::Column::Active.eq(true))
            .all(db)
            .await?;
        let clocks = sla_policy_clock::Entity::find()
            .order_by_asc(sla_policy_clock::Column::Id)
            .all(db)
            .await?;
        Ok(Policies {
            defaults: Targets::load(db).await?,
            list: rows.iter().map(|row| to_policy(row, &clocks)).collect(),
        })
    }

    /// The policy name (none: the default) and the clocks for an order with these facts.
    pub fn for_order(&self, facts: &PolicyFacts) -> (Option<String>, Vec<ClockSpec>) {
        match select_policy(&self.list, facts) {
            Some(policy) => (Some(policy.name.clone()), policy.clocks.clone()),
            None => (None, self.defaults.default_clocks(facts.zone == "suburban")),
        }
    }
}

/// What a clock computation needs to know about one order besides the order row.
pub struct OrderContext {
    pub facts: PolicyFacts,
    pub calendar: Arc<Calendar>,
    /// (instant, event code), oldest first; the registration counts from the call's received
    /// time, which the agent may have entered earlier than the registration.
    pub timeline: Vec<(Timestamp, String)>,
}

/// The clocks of an order at `now`. A cancelled order has none.
pub fn order_clocks(
    order: &service_order::Model,
    context: &OrderContext,
    policies: &Policies,
    now: Timestamp,
) -> Vec<ClockView> {
    if order.cancelled_at.is_some() {
        return Vec::new();
    }
    let timeline: Vec<TimelineEntry<'_>> = context
        .timeline
        .iter()
        .map(|(at, event)| TimelineEntry {
            at: *at,
            event: event.as_str(),
        })
        .collect();
    let (policy_name, specs) = policies.for_order(&context.facts);
    // DISPATCH-4: the appointment agreed with the customer, else the arrival time they set at
    // intake, is the arrival deadline.
    let customer_time = order
        .appointment_at
        .or(order.requested_arrival_at)
        .and_then(|ms| Timestamp::from_millisecond(ms).ok());
    specs
        .iter()
        .filter_map(|spec| {
            let history = clock_history(spec, &timeline)?;
            let policy = ClockPolicy {
                kind: spec.kind,
                target: spec.target,
                warn_ratio: policies.defaults.warn_ratio,
            };
            let state = history.state(&policy, &context.calendar, now);
            Some(match customer_time.filter(|_| spec.name == ARRIVAL) {
                Some(customer_at) => {
                    let stopped_at = history.events().iter().find_map(|event| match event {
                        ClockEvent::Stopped { at } => Some(*at),
                        _ => None,
                    });
                    let (state, requested_later) = with_customer_deadline(
                        state,
                        history.started_at(),
                        stopped_at,
                        customer_at,
                        policy.warn_ratio,
                        now,
                    );
                    let mut view = view_of(&spec.name, policy_name.clone(), &policy, state);
                    view.customer_requested = requested_later;
                    view
                }
                None => view_of(&spec.name, policy_name.clone(), &policy, state),
            })
        })
        .collect()
}

/// The arrival clock's name (DISPATCH-3/4/5).
pub const ARRIVAL: &str = "arrival";

/// What the API and pages show of a clock's state.
fn view_of(
    name: &str,
    policy_name: Option<String>,
    policy: &ClockPolicy,
    state: ClockState,
) -> ClockView {
    ClockView {
        name: name.to_string(),
        policy: policy_name,
        kind: match policy.kind {
            ClockKind::WorkingTime => "working",
            ClockKind::ElapsedTime => "elapsed",
        }
        .to_string(),
        status: match state.status {
            ClockStatus::Running => "running",
            ClockStatus::Paused => "paused",
            ClockStatus::Met => "met",
            ClockStatus::Breached => "breached",
        }
        .to_string(),
        target_minutes: policy.target.as_mins(),
        consumed_minutes: state.consumed.as_mins(),
        remaining_minutes: state.remaining.as_mins(),
        deadline: state.deadline.map(|t| t.to_string()),
        at_risk: state.at_risk,
        breached_at: state.breached_at.map(|t| t.to_string()),
        customer_requested: false,
    }
}

/// A clock from its start and (if reached) its stop instant alone, e.g. a complaint's
/// 24-hour reply clock.
pub(crate) fn measure(
    name: &str,
    start: Timestamp,
    stop: Option<Timestamp>,
    policy: &ClockPolicy,
    calendar: &Calendar,
    now: Timestamp,
) -> ClockView {
    let mut history = ClockHistory::start(start);
    if let Some(at) = stop.filter(|at| *at >= start) {
        history
            .record(ClockEvent::Stopped { at })
            .expect("a start followed by a later stop is a valid history");
    }
    view_of(name, None, policy, history.state(policy, calendar, now))
}

/// What [`order_clocks`] needs for each of some orders (the SLA sweep, the breach report):
/// its zone and customer class, its effective calendar and its timeline, in a few queries
/// (addresses, customers and timelines in `IN (…)` chunks). Answers one context per order,
/// in the orders' order.
pub async fn contexts_of(
    db: &impl ConnectionTrait,
    reference: &Snapshot,
    orders: &[service_order::Model],
) -> Result<Vec<OrderContext>, AppError> {
    let zones: HashMap<i64, String> = district::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.zone))
        .collect();
    let mut address_zone: HashMap<i64, String> = HashMap::new();
    let mut customers: HashMap<i64, customer::Model> = HashMap::new();
    let mut timelines: HashMap<i64, Vec<service_order_event::Model>> = HashMap::new();
    for chunk in orders.chunks(crate::IN_LIST_CHUNK) {
        let address_ids: Vec<i64> = chunk.iter().filter_map(|o| o.address_id).collect();
        if !address_ids.is_empty() {
            for address in customer_address::Entity::find()
                .filter(customer_address::Column::Id.is_in(address_ids))
                .all(db)
                .await?
            {
                if let Some(zone) = zones.get(&address.district_id) {
                    address_zone.insert(address.id, zone.clone());
                }
            }
        }
        let customer_ids: Vec<i64> = chunk.iter().map(|o| o.customer_id).collect();
        for row in customer::Entity::find()
            .filter(customer::Column::Id.is_in(customer_ids))
            .all(db)
            .await?
        {
            customers.insert(row.id, row);
        }
        for event in service_order_event::Entity::find()
            .filter(service_order_event::Column::OrderId.is_in(chunk.iter().map(|o| o.id)))
            .order_by_asc(service_order_event::Column::Id)
            .all(db)
            .await?
        {
            timelines.entry(event.order_id).or_default().push(event);
        }
    }
    let mut contexts = Vec::with_capacity(orders.len());
    for order in orders {
        let customer = customers.get(&order.customer_id);
        let calendar = reference.calendar_of(
            None,
            customer.and_then(|c| c.calendar_code.as_deref()),
            Some(order.org_unit_id),
        )?;
        let zone = order
            .address_id
            .and_then(|id| address_zone.get(&id).cloned());
        let timeline = timelines.remove(&order.id).unwrap_or_default();
        contexts.push(context_from(order, customer, zone, calendar, timeline)?);
    }
    Ok(contexts)
}

/// One order's context from what was loaded for it: its customer, its address's zone (none:
/// urban), its effective calendar and its timeline events, oldest first.
pub fn context_from(
    order: &service_order::Model,
    customer: Option<&customer::Model>,
    zone: Option<String>,
    calendar: Arc<Calendar>,
    events: Vec<service_order_event::Model>,
) -> Result<OrderContext, AppError> {
    let received = Timestamp::from_millisecond(order.received_at)
        .map_err(|err| AppError::Internal(err.into()))?;
    let timeline = events
        .into_iter()
        .filter_map(|e| {
            // The registration counts from the call's received time.
            let at = if e.event == "register" {
                received
            } else {
                Timestamp::from_millisecond(e.at).ok()?
            };
            Some((at, e.event))
        })
        .collect();
    Ok(OrderContext {
        facts: PolicyFacts {
            category: order.category.clone(),
            fault_class: order.fault_class.clone(),
            zone: zone.unwrap_or_else(|| "urban".to_string()),
            customer_class: customer
                .map(|c| c.abc_class.to_lowercase())
                .unwrap_or_default(),
            urgency: order.urgency.clone(),
        },
        calendar,
        timeline,
    })
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
            resume_status: None,
            software_class: None,
            software_priority: None,
            quote_fen: None,
            quote_issued_at: None,
            quote_accepted_at: None,
            conduct_exceptions: None,
            requested_arrival_at: None,
            sla_frozen: false,
            version: 1,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn policies() -> Policies {
        Policies {
            defaults: Targets {
                answer: SignedDuration::from_hours(24),
                first_contact: SignedDuration::from_mins(30),
                urban_arrival: SignedDuration::from_hours(6),
                suburban_arrival: SignedDuration::from_hours(7),
                completion: SignedDuration::from_hours(24),
                warn_ratio: 0.75,
            },
            list: Vec::new(),
        }
    }

    /// The clocks of `order` whose timeline is `events` (instant, event), in `zone`.
    fn clocks(
        order: &service_order::Model,
        suburban: bool,
        events: &[(&str, &str)],
        now: Timestamp,
    ) -> Vec<ClockView> {
        let context = OrderContext {
            facts: PolicyFacts {
                category: order.category.clone(),
                fault_class: order.fault_class.clone(),
                zone: if suburban { "suburban" } else { "urban" }.to_string(),
                customer_class: "c".into(),
                urgency: order.urgency.clone(),
            },
            calendar: Arc::new(builtin("cn-standard").unwrap().clone()),
            timeline: events.iter().map(|(t, e)| (at(t), e.to_string())).collect(),
        };
        order_clocks(order, &context, &policies(), now)
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    const CALL: &str = "2026-11-20T02:00:00Z";

    #[test]
    fn a_call_at_ten_on_friday_must_be_reached_by_five_the_same_afternoon_in_town() {
        // Friday 2026-11-20 10:00 Shanghai: 2 h before lunch + 5 h afternoon = 7 h > 6 h, so
        // the urban arrival deadline is 17:00 the same day; the suburbs get until 18:00.
        let call = order(CALL);
        let now = at("2026-11-20T03:00:00Z");
        let urban = clocks(&call, false, &[(CALL, "register")], now);
        let arrival = urban.iter().find(|c| c.name == "arrival").unwrap();
        assert_eq!(arrival.deadline.as_deref(), Some("2026-11-20T09:00:00Z"));
        assert_eq!(arrival.status, "running");
        assert_eq!(arrival.policy, None);
        let suburban = clocks(&call, true, &[(CALL, "register")], now);
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
        let call = order(CALL);
        let now = at("2026-11-23T03:00:00Z");
        let late = clocks(
            &call,
            false,
            &[(CALL, "register"), ("2026-11-23T02:00:00Z", "check_in")],
            now,
        );
        let arrival = late.iter().find(|c| c.name == "arrival").unwrap();
        assert_eq!(arrival.status, "breached");
        assert_eq!(arrival.breached_at.as_deref(), Some("2026-11-20T09:00:00Z"));
        let early = clocks(
            &call,
            false,
            &[(CALL, "register"), ("2026-11-20T06:00:00Z", "check_in")],
            now,
        );
        assert_eq!(
            early.iter().find(|c| c.name == "arrival").unwrap().status,
            "met"
        );
    }

    #[test]
    fn a_wait_for_the_customer_pauses_the_arrival_clock_and_moves_its_deadline() {
        // Waiting 10:30–16:30 on Friday leaves 30 min of the 6 h at 16:30; the deadline moves
        // from 17:00 to 17:00 + the 5 working hours of the wait = Monday 13:00 (09:00–12:00,
        // 13:00…): 17:00 → 18:00 (1 h), Monday 09:00–12:00 (3 h), 13:00–14:00 (1 h).
        let call = order(CALL);
        let events = [
            (CALL, "register"),
            ("2026-11-20T02:30:00Z", "await_customer"),
            ("2026-11-20T08:30:00Z", "resume"),
        ];
        let paused = clocks(&call, false, &events[..2], at("2026-11-20T05:00:00Z"));
        let arrival = paused.iter().find(|c| c.name == "arrival").unwrap();
        assert_eq!(arrival.status, "paused");
        assert_eq!(arrival.deadline, None);
        assert_eq!(arrival.consumed_minutes, 30);
        let resumed = clocks(&call, false, &events, at("2026-11-20T09:00:00Z"));
        let arrival = resumed.iter().find(|c| c.name == "arrival").unwrap();
        assert_eq!(arrival.status, "running");
        assert_eq!(arrival.deadline.as_deref(), Some("2026-11-23T06:00:00Z"));
    }

    #[test]
    fn the_contact_clock_starts_at_dispatch_and_warns_at_three_quarters() {
        let call = order(CALL);
        let contact = clocks(
            &call,
            false,
            &[(CALL, "register"), ("2026-11-20T02:10:00Z", "dispatch")],
            at("2026-11-20T02:35:00Z"),
        );
        let contact = contact.iter().find(|c| c.name == "first_contact").unwrap();
        assert_eq!(
            (contact.consumed_minutes, contact.remaining_minutes),
            (25, 5)
        );
        assert!(contact.at_risk);
        assert_eq!(contact.deadline.as_deref(), Some("2026-11-20T02:40:00Z"));
    }

    #[test]
    fn a_matching_policy_replaces_the_default_clocks() {
        let mut call = order(CALL);
        call.fault_class = "software".into();
        let software = Policy {
            id: Some(1),
            name: "software".into(),
            rank: 10,
            criteria: PolicyCriteria {
                fault_class: Some("software".into()),
                ..Default::default()
            },
            clocks: vec![ClockSpec {
                name: "resolution".into(),
                start_on: vec!["register".into()],
                stop_on: vec!["complete_on_site".into()],
                target: SignedDuration::from_hours(24),
                kind: ClockKind::ElapsedTime,
            }],
        };
        let context = OrderContext {
            facts: PolicyFacts {
                fault_class: "software".into(),
                zone: "urban".into(),
                ..Default::default()
            },
            calendar: Arc::new(builtin("cn-standard").unwrap().clone()),
            timeline: vec![(at(CALL), "register".to_string())],
        };
        let mut with_policy = policies();
        with_policy.list.push(software);
        let shown = order_clocks(&call, &context, &with_policy, at("2026-11-20T03:00:00Z"));
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].name, "resolution");
        assert_eq!(shown[0].policy.as_deref(), Some("software"));
        // Calendar time: 24 hours later, through the weekend's night.
        assert_eq!(shown[0].deadline.as_deref(), Some("2026-11-21T02:00:00Z"));
    }

    #[test]
    fn a_cancelled_order_has_no_clocks() {
        let mut call = order(CALL);
        call.cancelled_at = Some(at("2026-11-20T03:00:00Z").as_millisecond());
        assert!(clocks(
            &call,
            false,
            &[(CALL, "register")],
            at("2026-11-20T04:00:00Z")
        )
        .is_empty());
    }
}
