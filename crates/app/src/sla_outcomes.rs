//! The frozen SLA outcomes of finished orders. Once an order's work is done (completed on
//! site, returned, or closed) and each of its clocks is met or breached, nothing in its own
//! timeline can change those verdicts any more, so the transaction that finds them so marks
//! the order `sla_frozen` and adds its clocks to the counts of its call's local day
//! (`sla_outcome_days`, by branch, technician, policy, clock and verdict). The breach report
//! sums a period's days and replays the timelines only of the orders without the mark
//! (still open, or finished with a clock left running), found through a partial index.
//!
//! A calendar or policy edited later does not re-judge an order whose outcomes are frozen:
//! like a closed accounting period, a finished order keeps the verdict of the rules it was
//! served under (design decision). Orders finished before this existed are frozen by a
//! backfill job that walks them by id, one slice per firing.

use std::collections::{BTreeMap, HashSet};

use aftersales_domain::service_order::OrderStatus;
use aftersales_store::entity::{service_order, sla_outcome_day, timer};
use aftersales_store::sea_orm::sea_query::{Alias, Expr, OnConflict, Query};
use aftersales_store::sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use jiff::civil::Date;
use jiff::Timestamp;

use crate::reference::Snapshot;
use crate::sla_clocks::{contexts_of, order_clocks, ClockView};
use crate::timers::{self, Fire, Job};
use crate::{App, AppError};

/// The backfill job's timer kind.
pub const BACKFILL: &str = "sla_outcome_backfill";

/// Orders frozen per backfill firing: a short hold of SQLite's write lock each time.
const SLICE: u64 = 1_000;

/// The most count rows one statement writes (seven parameters each).
const MOST_COUNT_ROWS: usize = 256;

/// Sizes to cut `len` items into for multi-row statements: powers of two of at most `most`,
/// largest first. Each size is one statement text, which a connection prepares once and
/// keeps (sqlx caches up to 100): with a size per slice the backfill's cached programs of
/// up to 1,000 rows each raised the server's peak RSS by about 20 MB at full scale.
fn statement_sizes(mut len: usize, most: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    while len > 0 {
        let size = (1 << len.ilog2()).min(most);
        sizes.push(size);
        len -= size;
    }
    sizes
}

/// A day's key in `sla_outcome_days`: the local date as yyyymmdd.
fn day_key(date: Date) -> i64 {
    i64::from(date.year()) * 10_000 + i64::from(date.month()) * 100 + i64::from(date.day())
}

/// The local day (in the reports' zone) of the call received at `received_at`.
fn call_day(received_at: i64) -> Result<i64, AppError> {
    crate::clock::local_date(received_at)
        .map(day_key)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("stored call time {received_at}")))
}

/// Whether `clocks`, an order's clocks as just computed, are its final verdicts: the work is
/// done and every clock is met or breached.
fn is_final(order: &service_order::Model, clocks: &[ClockView]) -> bool {
    OrderStatus::parse(&order.status).is_some_and(OrderStatus::is_work_done)
        && !clocks.is_empty()
        && clocks
            .iter()
            .all(|clock| matches!(clock.status.as_str(), "met" | "breached"))
}

/// (day, branch, technician or 0, policy or empty, clock, verdict): what one count row
/// counts.
type CountKey = (i64, i64, i64, String, String, String);

/// Freezes each order whose clocks (as just computed) are final and which is not frozen yet;
/// leaves the others to be computed when read. Only the transaction that marks an order
/// counts its clocks, so an order frozen twice at once (two instances, or the backfill and
/// the order's own last step) is counted once.
pub async fn freeze(
    db: &impl ConnectionTrait,
    orders: &[(&service_order::Model, &[ClockView])],
) -> Result<(), AppError> {
    let mut candidates: Vec<i64> = orders
        .iter()
        .filter(|(order, clocks)| !order.sla_frozen && is_final(order, clocks))
        .map(|(order, _)| order.id)
        .collect();
    let Some(&last) = candidates.last() else {
        return Ok(());
    };
    // Padded with the last id to a power of two, for a few statement texts only.
    candidates.resize(candidates.len().next_power_of_two(), last);
    let mark = Query::update()
        .table(service_order::Entity)
        .value(service_order::Column::SlaFrozen, true)
        .and_where(service_order::Column::Id.is_in(candidates))
        .and_where(Expr::col(service_order::Column::SlaFrozen).not())
        .returning_col(service_order::Column::Id)
        .to_owned();
    let marked: HashSet<i64> = db
        .query_all(db.get_database_backend().build(&mark))
        .await?
        .iter()
        .map(|row| row.try_get::<i64>("", "id"))
        .collect::<Result<_, _>>()?;
    // Written in key order: two transactions adding to the same rows lock them in the same
    // order, so they wait for each other instead of deadlocking (PostgreSQL locks each row).
    let mut counts: BTreeMap<CountKey, i64> = BTreeMap::new();
    for (order, clocks) in orders.iter().filter(|(o, _)| marked.contains(&o.id)) {
        let day = call_day(order.received_at)?;
        for clock in clocks.iter() {
            let key = (
                day,
                order.org_unit_id,
                order.technician_id.unwrap_or(0),
                clock.policy.clone().unwrap_or_default(),
                clock.name.clone(),
                clock.status.clone(),
            );
            *counts.entry(key).or_default() += 1;
        }
    }
    let counts: Vec<(CountKey, i64)> = counts.into_iter().collect();
    let mut rest = counts.as_slice();
    for size in statement_sizes(rest.len(), MOST_COUNT_ROWS) {
        let (chunk, after) = rest.split_at(size);
        add_counts(db, chunk).await?;
        rest = after;
    }
    Ok(())
}

/// Adds `counts` to their days' rows, creating the rows missing.
async fn add_counts(db: &impl ConnectionTrait, counts: &[(CountKey, i64)]) -> Result<(), AppError> {
    use sla_outcome_day::Column;
    let rows = counts.iter().map(
        |((day, org_unit_id, technician_id, policy, clock, status), outcomes)| {
            sla_outcome_day::ActiveModel {
                day: Set(*day),
                org_unit_id: Set(*org_unit_id),
                technician_id: Set(*technician_id),
                policy: Set(policy.clone()),
                clock: Set(clock.clone()),
                status: Set(status.clone()),
                outcomes: Set(*outcomes),
                ..Default::default()
            }
        },
    );
    sla_outcome_day::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                Column::Day,
                Column::OrgUnitId,
                Column::TechnicianId,
                Column::Policy,
                Column::Clock,
                Column::Status,
            ])
            // `excluded` is the row the insert would have added (both databases call it so).
            .value(
                Column::Outcomes,
                Expr::cust(r#""sla_outcome_days"."outcomes" + "excluded"."outcomes""#),
            )
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// A count of frozen outcomes: (branch, technician, policy, clock, verdict, clocks).
pub type FrozenCount = (i64, Option<i64>, Option<String>, String, String, i64);

/// The frozen outcomes of the calls received from `from` to `to` (local dates), counted by
/// branch, technician, policy, clock and verdict; of one branch, or of all.
pub async fn counts(
    db: &impl ConnectionTrait,
    from: Date,
    to: Date,
    branch: Option<i64>,
) -> Result<Vec<FrozenCount>, AppError> {
    use sla_outcome_day::Column;
    let mut query = sla_outcome_day::Entity::find()
        .select_only()
        .column(Column::OrgUnitId)
        .column(Column::TechnicianId)
        .column(Column::Policy)
        .column(Column::Clock)
        .column(Column::Status)
        // dialect: PostgreSQL sums bigints as numeric; cast back for one decoding on both.
        .column_as(
            Expr::expr(Column::Outcomes.sum()).cast_as(Alias::new("BIGINT")),
            "outcomes",
        )
        .filter(Column::Day.between(day_key(from), day_key(to)));
    if let Some(branch) = branch {
        query = query.filter(Column::OrgUnitId.eq(branch));
    }
    let rows: Vec<(i64, i64, String, String, String, i64)> = query
        .group_by(Column::OrgUnitId)
        .group_by(Column::TechnicianId)
        .group_by(Column::Policy)
        .group_by(Column::Clock)
        .group_by(Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(branch, technician, policy, clock, status, outcomes)| {
            (
                branch,
                (technician != 0).then_some(technician),
                (!policy.is_empty()).then_some(policy),
                clock,
                status,
                outcomes,
            )
        })
        .collect())
}

/// Freezes the outcomes of up to one slice of finished orders with ids above `after`, as
/// judged at `now_ms`; answers the last id read while more may follow.
pub async fn backfill_slice(
    db: &impl ConnectionTrait,
    reference: &Snapshot,
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
    let contexts = contexts_of(db, reference, &orders).await?;
    let clocks: Vec<Vec<ClockView>> = orders
        .iter()
        .zip(&contexts)
        .map(|(order, context)| order_clocks(order, context, &reference.policies, now))
        .collect();
    let judged: Vec<(&service_order::Model, &[ClockView])> = orders
        .iter()
        .zip(&clocks)
        .map(|(order, clocks)| (order, clocks.as_slice()))
        .collect();
    freeze(db, &judged).await?;
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
        let reference = fire.app.reference.snapshot(fire.txn).await?;
        if let Some(last) = backfill_slice(fire.txn, &reference, after, fire.now_ms).await? {
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

#[cfg(test)]
mod tests {
    use super::statement_sizes;

    #[test]
    fn statements_come_in_powers_of_two_up_to_the_most() {
        assert_eq!(statement_sizes(0, 256), Vec::<usize>::new());
        assert_eq!(statement_sizes(1, 256), vec![1]);
        assert_eq!(statement_sizes(3, 256), vec![2, 1]);
        assert_eq!(statement_sizes(700, 256), vec![256, 256, 128, 32, 16, 8, 4]);
        for len in 0..2_000 {
            let sizes = statement_sizes(len, 256);
            assert_eq!(sizes.iter().sum::<usize>(), len);
            assert!(sizes.iter().all(|s| s.is_power_of_two() && *s <= 256));
            assert!(sizes.windows(2).all(|w| w[0] >= w[1]));
        }
    }
}
