//! Follow-up calls (回访, SURVEY-4). A row is a call that is due (requested by the record
//! that needs it: a completed service order, a survey remark; later installations and closed
//! complaints) and, once made, its log: who called, when, the outcome and notes. Unanswered
//! attempts keep the row due and are counted. `source_key` (e.g. `order_completed:42`) makes
//! a request idempotent: asking twice for the same reason and record gives one call.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, fk, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create().table(Alias::new("follow_ups")).to_owned();
        t.col(id(backend))
            .col(big("org_unit_id"))
            .col(big("customer_id"))
            .col(big_null("service_order_id"))
            // order_completed, survey_remark, installation or complaint_closed.
            .col(text("reason"))
            .col(text("source_key"))
            // The day the call should be made by (ISO date).
            .col(text("due_on"))
            // due or done.
            .col(text("status"))
            .col(int("attempts", 0))
            .col(big_null("called_by"))
            .col(big_null("called_at"))
            // reached, no_answer, wrong_number or declined.
            .col(text_null("outcome"))
            .col(long_text_null("notes"))
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        t.foreign_key(&mut fk(
            "fk_follow_ups_customer",
            "follow_ups",
            "customer_id",
            "customers",
        ))
        .foreign_key(&mut fk(
            "fk_follow_ups_order",
            "follow_ups",
            "service_order_id",
            "service_orders",
        ))
        .foreign_key(&mut fk(
            "fk_follow_ups_called_by",
            "follow_ups",
            "called_by",
            "users",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_follow_ups_source",
                "follow_ups",
                &["source_key"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_follow_ups_due",
                "follow_ups",
                &["status", "due_on"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("follow_ups")).to_owned())
            .await
    }
}
