//! SLA alerts sent: one row per order, clock and escalation level, so the watch notifies each
//! level once even with several instances sweeping (the unique index decides).

use sea_orm_migration::prelude::*;

use super::cols::{big, fk, id, index, int, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create().table(Alias::new("sla_alerts")).to_owned();
        t.col(id(backend))
            .col(big("order_id"))
            .col(text("clock"))
            // 0: at risk (the assignee is warned); 1..: escalation levels after a breach.
            .col(int("level", 0))
            .col(big("created_at"));
        t.foreign_key(&mut fk(
            "fk_sla_alerts_order",
            "sla_alerts",
            "order_id",
            "service_orders",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_sla_alerts",
                "sla_alerts",
                &["order_id", "clock", "level"],
                true,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("sla_alerts")).to_owned())
            .await
    }
}
