//! The frozen SLA outcomes of finished orders. Once an order's work is done (completed on
//! site, returned, or closed) and each of its clocks is met or breached, nothing in its own
//! timeline can change those verdicts any more, so they are written to `sla_outcomes` beside
//! the order's branch, technician and call time. The breach report reads a period's frozen
//! outcomes with one `GROUP BY` and replays the timelines only of the orders that have none
//! (still open, or finished with a clock left running).
//!
//! A calendar or policy edited later does not re-judge an order whose outcomes are frozen:
//! like a closed accounting period, a finished order keeps the verdict of the rules it was
//! served under (design decision). Orders finished before this table existed are frozen by
//! a backfill job that walks them by id, one slice per firing.

use aftersales_domain::service_order::OrderStatus;
use aftersales_store::entity::{service_order, sla_outcome, timer};
use aftersales_store::sea_orm::sea_query::OnConflict;
use aftersales_store::sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use jiff::Timestamp;

use crate::sla_clocks::{contexts_of, order_clocks, ClockView, Policies};
use crate::timers::{self, Fire, Job};
use crate::{App, AppError};

/// The backfill job's timer kind.
pub const BACKFILL: &str = "sla_outcome_backfill";

/// Orders frozen per backfill firing: a short hold of SQLite's write lock each time.
const SLICE: u64 = 1_000;

/// Freezes `clocks`, the clocks of `order` as just computed, when the order is finished and
/// every clock is met or breached; otherwise leaves them to be computed when read. Freezing
/// twice keeps the first verdicts.
pub async fn freeze(
    db: &impl ConnectionTrait,
    order: &service_order::Model,
    clocks: &[ClockView],
    now_ms: i64,
) -> Result<(), AppError> {
    let finished = OrderStatus::parse(&order.status).is_some_and(OrderStatus::is_work_done);
    let decided = clocks
        .iter()
        .all(|clock| matches!(clock.status.as_str(), "met" | "breached"));
    if !finished || !decided || clocks.is_empty() {
        return Ok(());
    }
    let rows = clocks.iter().map(|clock| sla_outcome::ActiveModel {
        order_id: Set(order.id),
        clock: Set(clock.name.clone()),
        policy: Set(clock.policy.clone()),
        status: Set(clock.status.clone()),
        org_unit_id: Set(order.org_unit_id),
        technician_id: Set(order.technician_id),
        received_at: Set(order.received_at),
        created_at: Set(now_ms),
        ..Default::default()
    });
    sla_outcome::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([sla_outcome::Column::OrderId, sla_outcome::Column::Clock])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Freezes the outcomes of up to one slice of finished orders with ids above `after`, as
/// judged at `now_ms`; answers the last id read while more may follow.
pub async fn backfill_slice(
    db: &impl ConnectionTrait,
    after: i64,
    now_ms: i64,
) -> Result<Option<i64>, AppError> {
    let now = Timestamp::from_millisecond(now_ms).map_err(|err| AppError::Internal(err.into()))?;
    let orders = service_order::Entity::find()
        .filter(service_order::Column::Id.gt(after))
        .filter(service_order::Column::Status.is_in(crate::service_orders::work_done_statuses()))
        .filter(service_order::Column::CancelledAt.is_null())
        .order_by_asc(service_order::Column::Id)
        .limit(SLICE)
        .all(db)
        .await?;
    let Some(last) = orders.last().map(|o| o.id) else {
        return Ok(None);
    };
    let policies = Policies::load(db).await?;
    let contexts = contexts_of(db, &orders).await?;
    for (order, context) in orders.iter().zip(&contexts) {
        freeze(
            db,
            order,
            &order_clocks(order, context, &policies, now),
            now_ms,
        )
        .await?;
    }
    Ok((orders.len() as u64 == SLICE).then_some(last))
}

fn backfill_key(after: i64) -> String {
    format!("{BACKFILL}:{after}")
}

/// Starts the backfill unless it ran or is running (called when an instance starts; the
/// dedupe key keeps two instances from starting it twice).
pub async fn ensure_backfill(app: &App) -> Result<(), AppError> {
    let started = timer::Entity::find()
        .filter(timer::Column::Kind.eq(BACKFILL))
        .one(&app.db)
        .await?;
    if started.is_none() {
        let now = app.now_ms();
        let payload = serde_json::json!({ "after": 0 });
        timers::schedule(
            &app.db,
            BACKFILL,
            "system",
            0,
            Some(&backfill_key(0)),
            now,
            Some(&payload),
            now,
        )
        .await?;
    }
    Ok(())
}

/// One slice of the backfill; schedules the next slice at once until none is left.
pub struct BackfillJob;

#[async_trait::async_trait]
impl Job for BackfillJob {
    fn name(&self) -> &'static str {
        BACKFILL
    }
    async fn run(&self, fire: &Fire<'_>) -> Result<(), AppError> {
        let after = fire.payload()["after"].as_i64().unwrap_or(0);
        if let Some(last) = backfill_slice(fire.txn, after, fire.now_ms).await? {
            let payload = serde_json::json!({ "after": last });
            timers::schedule(
                fire.txn,
                BACKFILL,
                "system",
                0,
                Some(&backfill_key(last)),
                fire.now_ms,
                Some(&payload),
                fire.now_ms,
            )
            .await?;
        }
        Ok(())
    }
}
