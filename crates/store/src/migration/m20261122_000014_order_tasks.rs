//! What an order asks of people besides its technician: support from an expert, questions
//! referred to specialists (DISPATCH-7), transport with its cost and quality feedback to QA
//! (REPAIR-7), supplier coordination by purchasing (REPAIR-8) and software test-environment
//! tasks (SOFTWARE-4); the development lead's evaluation of a software requirement
//! (SOFTWARE-3); and the arrival time a customer set at intake (DISPATCH-4).

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, flag, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("service_orders"))
                    .add_column(big_null("requested_arrival_at"))
                    .to_owned(),
            )
            .await?;
        let mut t = Table::create().table(Alias::new("order_tasks")).to_owned();
        t.col(id(backend))
            .col(big("order_id"))
            .col(text("kind"))
            .col(text("status"))
            .col(long_text_null("description"))
            // The department the task goes to (org unit), or the person named for it.
            .col(big_null("owner_unit_id"))
            .col(big_null("assignee_id"))
            .col(big_null("due_at"))
            .col(long_text_null("outcome"))
            .col(big_null("cost_fen"))
            .col(big("opened_by"))
            .col(big("opened_at"))
            .col(big_null("closed_by"))
            .col(big_null("closed_at"))
            .col(int("version", 1));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_order_tasks_order",
                "order_tasks",
                &["order_id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_order_tasks_status",
                "order_tasks",
                &["status", "kind"],
                false,
            ))
            .await?;
        let mut t = Table::create()
            .table(Alias::new("requirement_evaluations"))
            .to_owned();
        t.col(id(backend))
            .col(big("order_id"))
            // The evaluation checklist (SOFTWARE-3), each answered yes or no.
            .col(flag("general_use"))
            .col(flag("improves_functions"))
            .col(flag("fits_positioning"))
            .col(int("effort_hours", 0))
            .col(int("support_hours", 0))
            .col(text_null("customer_wanted_on"))
            .col(flag("customer_accepts_charge"))
            // The decision: do it or not, charge or not, when and how.
            .col(flag("accepted"))
            .col(big("charge_fen"))
            .col(text_null("planned_on"))
            .col(long_text_null("approach"))
            .col(big("decided_by"))
            .col(big("decided_at"))
            .col(big_null("sent_at"));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_requirement_evaluations_order",
                "requirement_evaluations",
                &["order_id"],
                true,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["requirement_evaluations", "order_tasks"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("service_orders"))
                    .drop_column(Alias::new("requested_arrival_at"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
