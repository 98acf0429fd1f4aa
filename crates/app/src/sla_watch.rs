//! Watching SLA clocks (SYSTEM-3, DISPATCH-3): a sweep, run by the durable timer runner,
//! warns the assignee of a clock at risk and escalates a breached clock along the chain
//! supervisor → branch manager → customer department → deputy general manager, one level
//! every `sla.escalation_step_hours` after the breach. Each alert is a row with a unique
//! (order, clock, level), so several instances sweeping never send one twice. Also the
//! breach report by branch, technician and clock.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use aftersales_domain::calendar::Calendar;
use aftersales_domain::role::{Permission, Role, Scope};
use aftersales_domain::sla::{escalation_step, EscalationLevel};
use aftersales_store::entity::{
    customer, customer_address, district, org_unit, service_order, sla_alert, user,
};
use aftersales_store::sea_orm::sea_query::{OnConflict, Query};
use aftersales_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::notifications::{self, Message};
use crate::sla_clocks::{order_clocks, ClockView, Targets};
use crate::timers::{self, Fire, Job};
use crate::{settings, Actor, App, AppError};

pub const SWEEP: &str = "sla_sweep";

/// Orders whose clocks may still be running.
const OPEN: &[&str] = &[
    "registered",
    "dispatched",
    "contacted",
    "on_site",
    "carried_in",
    "in_repair",
    "inspected",
];

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
        sweep(fire.txn, fire.now_ms).await?;
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

fn clock_names(clock: &str) -> (&'static str, &'static str) {
    match clock {
        "first_contact" => ("联系客户", "first contact"),
        "arrival" => ("到达现场", "arrival"),
        _ => ("完工", "completion"),
    }
}

/// One pass over the open orders at `now_ms`; answers how many alerts were sent.
pub async fn sweep(db: &impl ConnectionTrait, now_ms: i64) -> Result<usize, AppError> {
    let now = Timestamp::from_millisecond(now_ms).map_err(|err| AppError::Internal(err.into()))?;
    let targets = Targets::load(db).await?;
    let step =
        SignedDuration::from_hours(settings::get_count(db, "sla.escalation_step_hours").await?);
    let levels: Vec<EscalationLevel> = CHAIN
        .iter()
        .enumerate()
        .map(|(idx, role)| EscalationLevel {
            after: step * idx as i32,
            notify: role.as_str().to_string(),
        })
        .collect();
    let orders = service_order::Entity::find()
        .filter(service_order::Column::Status.is_in(OPEN.iter().copied()))
        .all(db)
        .await?;
    let branches = org_unit::Entity::find().all(db).await?;
    let facts = ClockFacts::load(db, &orders, &branches).await?;
    let mut calendars = HashMap::new();
    let mut sent = 0;
    for order in orders {
        for clock in facts
            .clocks(db, &mut calendars, &order, &targets, now)
            .await?
        {
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
            let reached = escalation_step(&levels, breached_for).map_or(0, |level| {
                levels.iter().position(|l| l == level).unwrap_or(0) + 1
            });
            for (idx, role) in CHAIN.iter().enumerate().take(reached) {
                let level = idx as i32 + 1;
                if !claim_alert(db, order.id, &clock.name, level, now_ms).await? {
                    continue;
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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BreachRow {
    pub org_unit_id: i64,
    pub branch: String,
    pub technician_id: Option<i64>,
    pub technician: Option<String>,
    /// first_contact, arrival or completion.
    pub clock: String,
    pub met: u64,
    pub breached: u64,
    pub running: u64,
}

/// What the clocks of many orders need besides the orders, loaded in a few queries instead
/// of four per order (a month has tens of thousands of calls).
struct ClockFacts {
    customer_calendar: HashMap<i64, Option<String>>,
    branch_calendar: HashMap<i64, String>,
    suburban_addresses: HashSet<i64>,
}

impl ClockFacts {
    /// Rows per `IN (...)` list, well under both databases' parameter limits.
    const CHUNK: usize = 500;

    async fn load(
        db: &impl ConnectionTrait,
        orders: &[service_order::Model],
        branches: &[org_unit::Model],
    ) -> Result<ClockFacts, AppError> {
        let customer_ids: Vec<i64> = orders
            .iter()
            .map(|o| o.customer_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut customer_calendar = HashMap::new();
        for chunk in customer_ids.chunks(Self::CHUNK) {
            for row in customer::Entity::find()
                .filter(customer::Column::Id.is_in(chunk.iter().copied()))
                .all(db)
                .await?
            {
                customer_calendar.insert(row.id, row.calendar_code);
            }
        }
        let suburban_districts: HashSet<i64> = district::Entity::find()
            .filter(district::Column::Zone.eq("suburban"))
            .all(db)
            .await?
            .into_iter()
            .map(|d| d.id)
            .collect();
        let address_ids: Vec<i64> = orders
            .iter()
            .filter_map(|o| o.address_id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut suburban_addresses = HashSet::new();
        for chunk in address_ids.chunks(Self::CHUNK) {
            for row in customer_address::Entity::find()
                .filter(customer_address::Column::Id.is_in(chunk.iter().copied()))
                .all(db)
                .await?
            {
                if suburban_districts.contains(&row.district_id) {
                    suburban_addresses.insert(row.id);
                }
            }
        }
        Ok(ClockFacts {
            customer_calendar,
            branch_calendar: branches
                .iter()
                .map(|b| (b.id, b.calendar_code.clone()))
                .collect(),
            suburban_addresses,
        })
    }

    /// The clocks of one of the orders; calendars are resolved once per pair of codes.
    async fn clocks(
        &self,
        db: &impl ConnectionTrait,
        calendars: &mut HashMap<(Option<String>, Option<String>), Arc<Calendar>>,
        order: &service_order::Model,
        targets: &Targets,
        now: Timestamp,
    ) -> Result<Vec<ClockView>, AppError> {
        let codes = (
            self.customer_calendar
                .get(&order.customer_id)
                .cloned()
                .flatten(),
            self.branch_calendar.get(&order.org_unit_id).cloned(),
        );
        let calendar = match calendars.get(&codes) {
            Some(calendar) => Arc::clone(calendar),
            None => {
                let calendar = crate::calendars::calendar_of_codes(
                    db,
                    None,
                    codes.0.as_deref(),
                    codes.1.as_deref(),
                )
                .await?;
                calendars.insert(codes, Arc::clone(&calendar));
                calendar
            }
        };
        let suburban = order
            .address_id
            .is_some_and(|a| self.suburban_addresses.contains(&a));
        Ok(order_clocks(order, suburban, &calendar, targets, now))
    }
}

/// Clocks of the orders received in `[from, to]` (local dates), met and breached, by
/// branch, technician and clock; within the actor's scope.
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
    let mut query = service_order::Entity::find()
        .filter(service_order::Column::ReceivedAt.gte(start))
        .filter(service_order::Column::ReceivedAt.lt(end));
    query = match actor.scope() {
        Scope::AllBranches => query,
        Scope::Branch(own) => query.filter(service_order::Column::OrgUnitId.eq(own)),
        Scope::Customer(_) | Scope::Nothing => return Err(AppError::Forbidden),
    };
    let orders = query.all(&app.db).await?;
    let targets = Targets::load(&app.db).await?;
    let now = app.clock.now();
    let branches = org_unit::Entity::find().all(&app.db).await?;
    let people = user::Entity::find().all(&app.db).await?;
    let facts = ClockFacts::load(&app.db, &orders, &branches).await?;
    let mut calendars = HashMap::new();
    let mut rows: Vec<BreachRow> = Vec::new();
    for order in orders {
        for clock in facts
            .clocks(&app.db, &mut calendars, &order, &targets, now)
            .await?
        {
            let row = match rows.iter_mut().find(|r| {
                r.org_unit_id == order.org_unit_id
                    && r.technician_id == order.technician_id
                    && r.clock == clock.name
            }) {
                Some(row) => row,
                None => {
                    rows.push(BreachRow {
                        org_unit_id: order.org_unit_id,
                        branch: branches
                            .iter()
                            .find(|b| b.id == order.org_unit_id)
                            .map(|b| b.name.clone())
                            .unwrap_or_default(),
                        technician_id: order.technician_id,
                        technician: order
                            .technician_id
                            .and_then(|t| people.iter().find(|p| p.id == t))
                            .map(|p| p.display_name.clone()),
                        clock: clock.name.clone(),
                        met: 0,
                        breached: 0,
                        running: 0,
                    });
                    rows.last_mut().expect("just pushed")
                }
            };
            match clock.status.as_str() {
                "met" => row.met += 1,
                "breached" => row.breached += 1,
                _ => row.running += 1,
            }
        }
    }
    rows.sort_by(|a, b| {
        (&a.branch, &a.technician, &a.clock).cmp(&(&b.branch, &b.technician, &b.clock))
    });
    Ok(rows)
}
