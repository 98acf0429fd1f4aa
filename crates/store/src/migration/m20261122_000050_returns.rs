//! Returns and exchanges (退换货, RMA-2..8). A request names the unit, the customer's reason
//! and wish; the proof of purchase and the quality inspection report are attachments whose
//! ids are kept here. The decision is stored as it was made (JSON of
//! `domain::returns::Decision`), so its explanation keeps the facts of that day. Closing
//! records the root cause and who is responsible (RMA-8). Approval creates one task per
//! department that must act (RMA-7), each with an owner and a deadline.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, fk, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create()
            .table(Alias::new("return_requests"))
            .to_owned();
        t.col(id(backend))
            .col(text("number"))
            .col(big("org_unit_id"))
            .col(big("customer_id"))
            .col(big("unit_id"))
            // no_reason, non_quality, quality or company_damage.
            .col(text("reason"))
            .col(long_text_null("description"))
            // refund, exchange or repair.
            .col(text("wish"))
            .col(big_null("proof_attachment_id"))
            .col(big_null("report_attachment_id"))
            // resaleable, soiled or misuse: found at the review.
            .col(text_null("condition"))
            .col(big_null("current_price_fen"))
            .col(text("status"))
            .col(long_text_null("decision_json"))
            .col(big_null("refund_fen"))
            // company or customer.
            .col(text_null("shipping_paid_by"))
            // The repair order created from a refusal (RMA-6).
            .col(big_null("service_order_id"))
            .col(long_text_null("root_cause"))
            .col(text_null("responsible_department"))
            .col(text_null("responsible_person"))
            .col(big("created_by"))
            .col(big_null("reviewed_by"))
            .col(big_null("reviewed_at"))
            .col(big_null("closed_at"))
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        for (name, column, table) in [
            ("fk_return_requests_org_unit", "org_unit_id", "org_units"),
            ("fk_return_requests_customer", "customer_id", "customers"),
            ("fk_return_requests_unit", "unit_id", "units"),
            (
                "fk_return_requests_order",
                "service_order_id",
                "service_orders",
            ),
            ("fk_return_requests_created_by", "created_by", "users"),
        ] {
            t.foreign_key(&mut fk(name, "return_requests", column, table));
        }
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_return_requests_number",
                "return_requests",
                &["number"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_return_requests_branch_status",
                "return_requests",
                &["org_unit_id", "status"],
                false,
            ))
            .await?;

        let mut t = Table::create().table(Alias::new("return_tasks")).to_owned();
        t.col(id(backend))
            .col(big("return_id"))
            // warehouse_receive, transport_pickup, finance_refund or qa_analysis.
            .col(text("kind"))
            // The department (a role code) that owns the task, and the person if one is known.
            .col(text("owner_role"))
            .col(big_null("owner_user_id"))
            .col(big("due_at"))
            .col(big_null("done_at"))
            .col(big_null("done_by"))
            .col(big("created_at"));
        t.foreign_key(&mut fk(
            "fk_return_tasks_return",
            "return_tasks",
            "return_id",
            "return_requests",
        ))
        .foreign_key(&mut fk(
            "fk_return_tasks_owner",
            "return_tasks",
            "owner_user_id",
            "users",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_return_tasks_return",
                "return_tasks",
                &["return_id", "id"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("return_tasks")).to_owned())
            .await?;
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("return_requests"))
                    .to_owned(),
            )
            .await
    }
}
