//! Watching SLA clocks (SYSTEM-3, DISPATCH-3): a sweep, run by the durable timer runner,
//! warns the assignee of a clock at risk and escalates a breached clock along the chain
//! supervisor → branch manager → customer department → deputy general manager, one level
//! every `sla.escalation_step_hours` after the breach. Each alert is a row with a unique
//! (order, clock, level), so several instances sweeping never send one twice. Also the
//! breach report by branch, technician and clock.

use std::collections::HashMap;

use aftersales_domain::role::{Permission, Role, Scope};
use aftersales_domain::service_order::OrderStatus;
use aftersales_domain::sla::customer_time::is_absenteeism;
use aftersales_domain::sla::{escalation_step, EscalationLevel};
use aftersales_domain::staff_conduct::IncidentKind;
use aftersales_store::entity::{org_unit, service_order, sla_alert, user};
use aftersales_store::sea_orm::sea_query::{Expr, OnConflict, Query};
use aftersales_store::sea_orm::{
    AccessMode, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait,
    IsolationLevel, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::notifications::{self, Message};
use crate::reference::Snapshot;
use crate::sla_clocks::{contexts_of, order_clocks, OrderContext, ARRIVAL};
use crate::timers::{self, Fire, Job};
use crate::{settings, Actor, App, AppError};

pub const SWEEP: &str = "sla_sweep";

/// The timeline event of a technician's notice that they will be late (DISPATCH-5).
pub const LATENESS_NOTICE: &str = "lateness_notice";

/// Orders whose clocks may still be running.
fn open_statuses() -> Vec<&'static str> {
    OrderStatus::ALL
        .iter()
        .filter(|s| !s.is_work_done())
        .map(|s| s.as_str())
        .collect()
}

/// Who hears of a breach, level by level.
const CHAIN: [Role; 4] = [
    Role::ServiceSupervisor,
    Role::BranchManager,
    Role::CustomerDepartment,
    Role::DeputyGeneralManager,
];

/// Schedules the first sweep unless one is pending (called when an instance starts).
pub async fn ensure_sweep(app: &App) -> Result<(), AppError> {
    use aftersales_store::entity::timer;
    let pending = timer::Entity::find()
        .filter(timer::Column::Kind.eq(SWEEP))
        .filter(timer::Column::Status.eq(timers::PENDING))
        .one(&app.db)
        .await?;
    if pending.is_none() {
        let now = app.now_ms();
        timers::schedule(
            &app.db,
            SWEEP,
            "system",
            0,
            Some(&format!("{SWEEP}:{now}")),
            now,
            None,
            now,
        )
        .await?;
    }
    Ok(())
}

pub struct SweepJob;

#[async_trait::async_trait]
impl Job for SweepJob {
    fn name(&self) -> &'static str {
        SWEEP
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        sweep(fire.app, fire.txn, fire.now_ms).await?;
        let every = settings::get_count(fire.txn, "sla.sweep_minutes")
            .await?
            .max(1)
            * 60_000;
        let next = fire.now_ms + every;
        timers::schedule(
            fire.txn,
            SWEEP,
            "system",
            0,
            Some(&format!("{SWEEP}:{next}")),
            next,
            None,
            fire.now_ms,
        )
        .await?;
        Ok(())
    }
}

/// Records an alert; false when that level was already sent.
async fn claim_alert(
    db: &impl ConnectionTrait,
    order_id: i64,
    clock: &str,
    level: i32,
    now_ms: i64,
) -> Result<bool, AppError> {
    let statement = Query::insert()
        .into_table(sla_alert::Entity)
        .columns([
            sla_alert::Column::OrderId,
            sla_alert::Column::Clock,
            sla_alert::Column::Level,
            sla_alert::Column::CreatedAt,
        ])
        .values_panic([order_id.into(), clock.into(), level.into(), now_ms.into()])
        .on_conflict(
            OnConflict::columns([
                sla_alert::Column::OrderId,
                sla_alert::Column::Clock,
                sla_alert::Column::Level,
            ])
            .do_nothing()
            .to_owned(),
        )
        .to_owned();
    let result = db
        .execute(db.get_database_backend().build(&statement))
        .await?;
    Ok(result.rows_affected() == 1)
}

fn clock_names(clock: &str) -> (&str, &str) {
    match clock {
        "answer" => ("答复客户", "answer"),
        "first_contact" => ("联系客户", "first contact"),
        "arrival" => ("到达现场", "arrival"),
        "completion" => ("完工", "completion"),
        "resolution" => ("解决", "resolution"),
        // An administrator's own clock goes by its name.
        other => (other, other),
    }
}

/// One pass over the open orders at `now_ms`; answers how many alerts were sent.
pub async fn sweep(app: &App, db: &impl ConnectionTrait, now_ms: i64) -> Result<usize, AppError> {
    sweep_in_slices(app, db, now_ms, SWEEP_SLICE).await
}

/// [`sweep`], reading `slice` open orders per query (tests use small slices).
pub async fn sweep_in_slices(
    app: &App,
    db: &impl ConnectionTrait,
    now_ms: i64,
    slice: u64,
) -> Result<usize, AppError> {
    let now = Timestamp::from_millisecond(now_ms).map_err(|err| AppError::Internal(err.into()))?;
    let reference = app.reference.snapshot(db).await?;
    const STEP: &str = "sla.escalation_step_hours";
    let [step] = reference.settings([STEP])?;
    let step = SignedDuration::from_hours(settings::as_count(STEP, &step)?);
    let levels: Vec<EscalationLevel> = CHAIN
        .iter()
        .enumerate()
        .map(|(idx, role)| EscalationLevel {
            after: step * idx as i32,
            notify: role.as_str().to_string(),
        })
        .collect();
    let mut sent = 0;
    // In slices by id, so a pass over a large backlog of open orders holds one slice's rows
    // and timelines in memory at a time.
    let mut after = 0;
    loop {
        let orders = service_order::Entity::find()
            .filter(service_order::Column::Status.is_in(open_statuses()))
            .filter(service_order::Column::Id.gt(after))
            .order_by_asc(service_order::Column::Id)
            .limit(slice)
            .all(db)
            .await?;
        let Some(last) = orders.last().map(|o| o.id) else {
            break;
        };
        after = last;
        sent += sweep_slice(db, &reference, &orders, &levels, now).await?;
        if (orders.len() as u64) < slice {
            break;
        }
    }
    Ok(sent)
}

/// Open orders swept per query.
const SWEEP_SLICE: u64 = 2_000;

/// The sweep of some open orders; answers how many alerts were sent.
async fn sweep_slice(
    db: &impl ConnectionTrait,
    reference: &Snapshot,
    orders: &[service_order::Model],
    levels: &[EscalationLevel],
    now: Timestamp,
) -> Result<usize, AppError> {
    let now_ms = now.as_millisecond();
    let contexts = contexts_of(db, reference, orders).await?;
    let mut sent = 0;
    for (order, context) in orders.iter().zip(&contexts) {
        for clock in order_clocks(order, context, &reference.policies, now) {
            let (zh, en) = clock_names(&clock.name);
            let link = Some(format!("/service-orders/{}", order.id));
            if clock.status == "running"
                && clock.at_risk
                && claim_alert(db, order.id, &clock.name, 0, now_ms).await?
            {
                let owners = match order.technician_id {
                    Some(technician) => vec![technician],
                    None => {
                        notifications::users_with_role(
                            db,
                            Role::ServiceSupervisor,
                            Some(order.org_unit_id),
                        )
                        .await?
                    }
                };
                let message = Message {
                    kind: "sla_at_risk",
                    link: link.clone(),
                    zh: (
                        format!("{} 的{}时限即将到期", order.number, zh),
                        format!("剩余 {} 分钟", clock.remaining_minutes),
                    ),
                    en: (
                        format!("The {en} deadline of {} is near", order.number),
                        format!("{} minutes left", clock.remaining_minutes),
                    ),
                };
                sent += notifications::notify(db, now_ms, &owners, &message).await?;
            }
            let Some(breached_at) = clock
                .breached_at
                .as_deref()
                .and_then(|t| t.parse::<Timestamp>().ok())
            else {
                continue;
            };
            if clock.status != "breached" {
                continue;
            }
            let breached_for = now.duration_since(breached_at);
            let reached = escalation_step(levels, breached_for).map_or(0, |level| {
                levels.iter().position(|l| l == level).unwrap_or(0) + 1
            });
            for (idx, role) in CHAIN.iter().enumerate().take(reached) {
                let level = idx as i32 + 1;
                if !claim_alert(db, order.id, &clock.name, level, now_ms).await? {
                    continue;
                }
                if level == 1 {
                    // The breach joins the order's timeline, so the clock's whole history
                    // (start, pauses, stop, breach) reads from one place.
                    crate::service_orders::record_system_event(
                        db,
                        order,
                        now_ms,
                        "sla_breach",
                        Some(format!("{}: {breached_at}", clock.name)),
                    )
                    .await?;
                    if clock.name == ARRIVAL {
                        open_absenteeism(db, order, context, breached_at, now_ms).await?;
                    }
                }
                let branch = matches!(role, Role::ServiceSupervisor | Role::BranchManager)
                    .then_some(order.org_unit_id);
                let owners = notifications::users_with_role(db, *role, branch).await?;
                let message = Message {
                    kind: "sla_breached",
                    link: link.clone(),
                    zh: (
                        format!("{} 的{}时限已超时（第{level}级督办）", order.number, zh),
                        format!("截止 {breached_at}"),
                    ),
                    en: (
                        format!(
                            "The {en} deadline of {} was missed (escalation level {level})",
                            order.number
                        ),
                        format!("Due {breached_at}"),
                    ),
                };
                sent += notifications::notify(db, now_ms, &owners, &message).await?;
            }
        }
    }
    Ok(sent)
}

/// DISPATCH-5: a missed arrival without a lateness notice given by the deadline is treated
/// as absenteeism: an incident for the technician, which the branch manager confirms or
/// dismisses (design decision).
async fn open_absenteeism(
    db: &impl ConnectionTrait,
    order: &service_order::Model,
    context: &OrderContext,
    deadline: Timestamp,
    now_ms: i64,
) -> Result<(), AppError> {
    let Some(technician) = order.technician_id else {
        return Ok(());
    };
    let notices: Vec<Timestamp> = context
        .timeline
        .iter()
        .filter(|(_, event)| event == LATENESS_NOTICE)
        .map(|(at, _)| *at)
        .collect();
    if !is_absenteeism(deadline, &notices) {
        return Ok(());
    }
    let incident = crate::staff_conduct::NewIncident {
        staff_id: technician,
        kind: IncidentKind::Absenteeism.as_str().to_string(),
        description: Some(format!(
            "{}: 未在 {deadline} 前到达现场且未事先报告 / missed the arrival deadline without notice",
            order.number
        )),
        service_order_id: Some(order.id),
        complaint_id: None,
        survey_card_id: None,
    };
    crate::staff_conduct::open_incident(db, &incident, "sla_arrival", None, now_ms).await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BreachRow {
    pub org_unit_id: i64,
    pub branch: String,
    pub technician_id: Option<i64>,
    pub technician: Option<String>,
    /// The SLA policy; empty: the default in the settings.
    pub policy: Option<String>,
    /// first_contact, arrival, completion or a policy's own clock.
    pub clock: String,
    pub met: u64,
    pub breached: u64,
    pub running: u64,
}

/// (branch, technician, policy, clock): what a breach report row counts.
type BreachKey = (i64, Option<i64>, Option<String>, String);

/// The breach report's rows as they are counted.
struct Tally<'a> {
    rows: HashMap<BreachKey, BreachRow>,
    branches: &'a HashMap<i64, String>,
    people: &'a HashMap<i64, String>,
}

impl Tally<'_> {
    /// Counts `clocks` clocks of `key` in `status` (met, breached, or still running/paused).
    fn add(&mut self, key: BreachKey, status: &str, clocks: u64) {
        let (branches, people) = (self.branches, self.people);
        let row = self.rows.entry(key).or_insert_with_key(|key| BreachRow {
            org_unit_id: key.0,
            branch: branches.get(&key.0).cloned().unwrap_or_default(),
            technician_id: key.1,
            technician: key.1.and_then(|t| people.get(&t).cloned()),
            policy: key.2.clone(),
            clock: key.3.clone(),
            met: 0,
            breached: 0,
            running: 0,
        });
        match status {
            "met" => row.met += clocks,
            "breached" => row.breached += clocks,
            _ => row.running += clocks,
        }
    }
}

/// Orders of the breach report read at a time: each slice is held in memory with its
/// timelines (one report alone raised the server's peak RSS by 35 MB at full scale with
/// slices of 2,000); a slice of 500 costs a few more queries a report.
const REPORT_SLICE: u64 = 500;

/// Clocks of the orders received in `[from, to]` (local dates), met and breached, by
/// branch, technician, policy and clock; within the actor's scope.
pub async fn breach_report(
    app: &App,
    actor: &Actor,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> Result<Vec<BreachRow>, AppError> {
    // The management reports share one permission with the daily reports.
    actor.require(Permission::DailyReportRead)?;
    let zone = crate::clock::default_zone();
    let start = from
        .to_zoned(zone.clone())
        .map_err(|_| AppError::invalid("from", "invalid_date"))?
        .timestamp()
        .as_millisecond();
    let end = to
        .saturating_add(jiff::Span::new().days(1))
        .to_zoned(zone)
        .map_err(|_| AppError::invalid("to", "invalid_date"))?
        .timestamp()
        .as_millisecond();
    let own_branch = match actor.scope() {
        Scope::AllBranches => None,
        Scope::Branch(own) => Some(own),
        Scope::Customer(_) | Scope::Nothing => return Err(AppError::Forbidden),
    };
    let _slot = app
        .report_slots
        .acquire()
        .await
        .expect("the report slots are never closed");
    // One snapshot for every read below: an order that finishes while the report runs is
    // counted once, frozen or replayed. dialect: PostgreSQL needs a read-only REPEATABLE
    // READ transaction for that; a SQLite read transaction is a snapshot already (and takes
    // neither setting).
    let snapshot = match app.db.get_database_backend() {
        DatabaseBackend::Postgres => {
            app.db
                .begin_with_config(
                    Some(IsolationLevel::RepeatableRead),
                    Some(AccessMode::ReadOnly),
                )
                .await?
        }
        _ => app.db.begin().await?,
    };
    let reference = app.reference.snapshot(&snapshot).await?;
    let now = app.clock.now();
    let branches: HashMap<i64, String> = org_unit::Entity::find()
        .all(&snapshot)
        .await?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect();
    let people: HashMap<i64, String> = user::Entity::find()
        .all(&snapshot)
        .await?
        .into_iter()
        .map(|p| (p.id, p.display_name))
        .collect();
    let mut tally = Tally {
        rows: HashMap::new(),
        branches: &branches,
        people: &people,
    };
    // Finished orders: their frozen outcomes, counted by day as they were frozen.
    for (org_unit_id, technician_id, policy, clock, status, outcomes) in
        crate::sla_outcomes::counts(&snapshot, from, to, own_branch).await?
    {
        tally.add(
            (org_unit_id, technician_id, policy, clock),
            &status,
            outcomes as u64,
        );
    }
    // The others (open, or finished with a clock still running) are replayed from their
    // timelines a slice at a time (in `received_at, id` order, resuming after the last one
    // read), so memory stays bounded whatever the period. Cancelled orders have no clocks.
    let mut after: Option<(i64, i64)> = None;
    loop {
        let mut query = service_order::Entity::find()
            .filter(service_order::Column::ReceivedAt.gte(start))
            .filter(service_order::Column::ReceivedAt.lt(end))
            // Written as the partial index `ix_orders_unfrozen` is, so both databases use it.
            .filter(Expr::col((service_order::Entity, service_order::Column::SlaFrozen)).not())
            .filter(service_order::Column::CancelledAt.is_null());
        if let Some(own) = own_branch {
            query = query.filter(service_order::Column::OrgUnitId.eq(own));
        }
        if let Some((received_at, id)) = after {
            query = query.filter(
                Condition::any()
                    .add(service_order::Column::ReceivedAt.gt(received_at))
                    .add(
                        Condition::all()
                            .add(service_order::Column::ReceivedAt.eq(received_at))
                            .add(service_order::Column::Id.gt(id)),
                    ),
            );
        }
        let orders = query
            .order_by_asc(service_order::Column::ReceivedAt)
            .order_by_asc(service_order::Column::Id)
            .limit(REPORT_SLICE)
            .all(&snapshot)
            .await?;
        let Some(last) = orders.last() else { break };
        after = Some((last.received_at, last.id));
        let contexts = contexts_of(&snapshot, &reference, &orders).await?;
        for (order, context) in orders.iter().zip(&contexts) {
            for clock in order_clocks(order, context, &reference.policies, now) {
                tally.add(
                    (
                        order.org_unit_id,
                        order.technician_id,
                        clock.policy,
                        clock.name,
                    ),
                    &clock.status,
                    1,
                );
            }
        }
        if orders.len() < REPORT_SLICE as usize {
            break;
        }
    }
    snapshot.commit().await?;
    let mut rows: Vec<BreachRow> = tally.rows.into_values().collect();
    rows.sort_by(|a, b| {
        (&a.branch, &a.technician, &a.policy, &a.clock).cmp(&(
            &b.branch,
            &b.technician,
            &b.policy,
            &b.clock,
        ))
    });
    Ok(rows)
}
