//! The frozen outcome of each SLA clock of a finished order (met or breached), with the
//! order's branch, technician and call time copied beside it, so a period's breach report is
//! one `GROUP BY` over an index instead of replaying every order's timeline.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, fk, id, index, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create().table(Alias::new("sla_outcomes")).to_owned();
        t.col(id(backend))
            .col(big("order_id"))
            .col(text("clock"))
            // The SLA policy the clock came from; NULL: the default in the settings.
            .col(text_null("policy"))
            // met or breached.
            .col(text("status"))
            .col(big("org_unit_id"))
            .col(big_null("technician_id"))
            .col(big("received_at"))
            .col(big("created_at"));
        t.foreign_key(&mut fk(
            "fk_sla_outcomes_order",
            "sla_outcomes",
            "order_id",
            "service_orders",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_sla_outcomes",
                "sla_outcomes",
                &["order_id", "clock"],
                true,
            ))
            .await?;
        // Covers the report: the period's rows and everything it groups by.
        manager
            .create_index(index(
                "ix_sla_outcomes_report",
                "sla_outcomes",
                &[
                    "received_at",
                    "org_unit_id",
                    "technician_id",
                    "policy",
                    "clock",
                    "status",
                ],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("sla_outcomes")).to_owned())
            .await
    }
}
