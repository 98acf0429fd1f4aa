//! The breach report's frozen history as counts per local day (issue 8: a month's statistics
//! within 300 ms at 1,000,000 orders). Migration 000130 kept one row per frozen clock, and a
//! month's report grouped some 64,000 of them on every request; these counts are added to by
//! the transaction that freezes an order, so a month is the few thousand rows of its days.
//! The order itself carries `sla_frozen`, and a partial index over the orders not frozen (and
//! not cancelled) lets the report find the ones it must replay without reading the month's
//! other orders.
//!
//! The per-clock rows are dropped and the backfill's timers deleted, so the backfill job runs
//! again at the next start and counts the finished history afresh (judged by the rules in
//! force then: design decision, as no installation has frozen history worth keeping yet).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use super::cols::{big, flag, id, index, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

const UNFROZEN_INDEX: &str = "ix_orders_unfrozen";

fn service_orders() -> Alias {
    Alias::new("service_orders")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        super::m20261122_000130_sla_outcomes::Migration
            .down(manager)
            .await?;
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM timers WHERE kind = 'sla_outcome_backfill'")
            .await?;

        let mut t = Table::create()
            .table(Alias::new("sla_outcome_days"))
            .to_owned();
        t.col(id(backend))
            // The local date of the calls, as yyyymmdd.
            .col(big("day"))
            .col(big("org_unit_id"))
            // 0: no technician (a key column cannot be NULL and stay unique).
            .col(big("technician_id"))
            // The SLA policy the clock came from; empty: the default in the settings.
            .col(text("policy"))
            .col(text("clock"))
            // met or breached.
            .col(text("status"))
            .col(big("outcomes"));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_sla_outcome_days",
                "sla_outcome_days",
                &[
                    "day",
                    "org_unit_id",
                    "technician_id",
                    "policy",
                    "clock",
                    "status",
                ],
                true,
            ))
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(service_orders())
                    .add_column(flag("sla_frozen"))
                    .to_owned(),
            )
            .await?;
        let mut unfrozen = index(
            UNFROZEN_INDEX,
            "service_orders",
            &["received_at", "id"],
            false,
        );
        unfrozen
            .and_where(Expr::col(Alias::new("sla_frozen")).not())
            .and_where(Expr::col(Alias::new("cancelled_at")).is_null());
        manager.create_index(unfrozen).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(UNFROZEN_INDEX)
                    .table(service_orders())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(service_orders())
                    .drop_column(Alias::new("sla_frozen"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("sla_outcome_days"))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM timers WHERE kind = 'sla_outcome_backfill'")
            .await?;
        super::m20261122_000130_sla_outcomes::Migration
            .up(manager)
            .await
    }
}
