//! Complaints (COMPLAINT-1..16, Appendix C.5): the complaint handling form and its handling
//! (one row per case; the number is unique and never changes, a reopened case keeps it),
//! the departments' investigation tasks with their own findings, the log of contacts and
//! decisions (replies, visits, calls, outcome told, satisfaction, case conferences), the
//! overdue reminders (催办单) and timeliness follow-ups (洽办单), the configurable routing
//! rules, and the monthly reward/penalty notices (奖罚通知单).
//!
//! Dates are ISO text (`due_date`, `ship_date`, ...), instants Unix milliseconds, amounts fen.
//! The department findings are columns rather than a JSON blob so reports can query them.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, flag, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &[
    "complaints",
    "complaint_tasks",
    "complaint_logs",
    "complaint_notices",
    "complaint_routes",
    "reward_penalty_notices",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        // complaints
        let mut t = Table::create().table(Alias::new("complaints")).to_owned();
        t.col(id(backend))
            .col(text("number"))
            .col(big("org_unit_id"))
            .col(text("status"))
            .col(text("complaint_type"))
            .col(text("severity"))
            .col(text("channel"))
            .col(text("subject_kind"))
            .col(text("target_level"))
            .col(big_null("target_user_id"))
            .col(flag("tendency"))
            .col(big("accepted_at"))
            .col(big("registered_by"))
            .col(flag("registered_by_hotline"))
            .col(big_null("customer_id"))
            .col(text("customer_name"))
            .col(text_null("contact_phone"))
            .col(big_null("product_id"))
            .col(big_null("order_id"))
            .col(text_null("order_number"))
            .col(text_null("part_number"))
            .col(big_null("quantity"))
            .col(text_null("ship_date"))
            .col(big_null("staff_id"))
            .col(text_null("dealer_name"))
            .col(
                ColumnDef::new(Alias::new("content"))
                    .text()
                    .not_null()
                    .to_owned(),
            )
            .col(long_text_null("demand"))
            .col(long_text_null("demand_reason"))
            .col(flag("media_exposure"))
            .col(flag("legal_action"))
            .col(flag("special"))
            .col(flag("individual"))
            .col(big_null("handler_id"))
            .col(text_null("due_date"))
            .col(big_null("first_reply_at"))
            .col(big_null("executive_reviewed_by"))
            .col(big_null("executive_reviewed_at"))
            .col(long_text_null("cause"))
            .col(text_null("responsible_department"))
            .col(big_null("responsible_user_id"))
            .col(text_null("staff_fault"))
            .col(long_text_null("decision"))
            .col(text_null("told_channel"))
            .col(big_null("decided_at"))
            .col(long_text_null("remedy"))
            .col(big_null("remedy_order_id"))
            .col(long_text_null("corrective_action"))
            .col(big_null("corrective_owner_id"))
            .col(text_null("corrective_due"))
            .col(big_null("effect_confirmed_at"))
            .col(big_null("closed_at"))
            .col(int("reopen_count", 0))
            .col(text_null("sanction"))
            .col(big_null("sanction_amount_fen"))
            .col(long_text_null("sanction_note"))
            .col(big_null("reviewed_at"))
            .col(big_null("reviewed_by"))
            .col(big_null("notice_id"))
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        manager.create_table(t).await?;
        // complaint_tasks
        let mut t = Table::create()
            .table(Alias::new("complaint_tasks"))
            .to_owned();
        t.col(id(backend))
            .col(big("complaint_id"))
            .col(text("department"))
            .col(text("due_date"))
            .col(text("status"))
            .col(text_null("order_number"))
            .col(text_null("part_number"))
            .col(big_null("quantity"))
            .col(text_null("ship_date"))
            .col(long_text_null("cause"))
            .col(text_null("responsible_persons"))
            .col(long_text_null("corrective_action"))
            .col(long_text_null("verification"))
            .col(text_null("production_unit"))
            .col(text_null("shift"))
            .col(text_null("operator"))
            .col(text_null("production_date"))
            .col(long_text_null("note"))
            .col(big_null("done_at"))
            .col(big_null("done_by"))
            .col(int("version", 1))
            .col(big("created_at"));
        manager.create_table(t).await?;
        // complaint_logs
        let mut t = Table::create()
            .table(Alias::new("complaint_logs"))
            .to_owned();
        t.col(id(backend))
            .col(big("complaint_id"))
            .col(text("kind"))
            .col(text_null("channel"))
            .col(long_text_null("text"))
            .col(flag("satisfied"))
            .col(text_null("participants"))
            .col(big("by_user"))
            .col(big("at"));
        manager.create_table(t).await?;
        // complaint_notices
        let mut t = Table::create()
            .table(Alias::new("complaint_notices"))
            .to_owned();
        t.col(id(backend))
            .col(big("complaint_id"))
            .col(big_null("task_id"))
            .col(text("kind"))
            .col(text("department"))
            .col(int("level", 0))
            .col(big_null("days_late"))
            .col(text("status"))
            .col(long_text_null("reply"))
            .col(big_null("decided_by"))
            .col(big("created_at"))
            .col(big_null("sent_at"))
            .col(big_null("replied_at"))
            .col(int("version", 1));
        manager.create_table(t).await?;
        // complaint_routes
        let mut t = Table::create()
            .table(Alias::new("complaint_routes"))
            .to_owned();
        t.col(id(backend))
            .col(text("complaint_type"))
            .col(text("department"))
            .col(big("created_at"));
        manager.create_table(t).await?;
        // reward_penalty_notices
        let mut t = Table::create()
            .table(Alias::new("reward_penalty_notices"))
            .to_owned();
        t.col(id(backend))
            .col(text("month"))
            .col(text("status"))
            .col(big("total_deduction_fen"))
            .col(big("total_reward_fen"))
            .col(big("created_by"))
            .col(big("created_at"))
            .col(big_null("approved_by"))
            .col(big_null("approved_at"))
            .col(big_null("kept_received_at"))
            .col(big_null("accounting_received_at"))
            .col(big_null("department_received_at"))
            .col(int("version", 1));
        manager.create_table(t).await?;
        for (name, table, columns, unique) in [
            ("ux_complaints_number", "complaints", &["number"][..], true),
            (
                "ix_complaints_status",
                "complaints",
                &["status", "closed_at"][..],
                false,
            ),
            (
                "ix_complaint_tasks_complaint",
                "complaint_tasks",
                &["complaint_id"][..],
                false,
            ),
            (
                "ix_complaint_logs_complaint",
                "complaint_logs",
                &["complaint_id"][..],
                false,
            ),
            (
                "ix_complaint_notices_complaint",
                "complaint_notices",
                &["complaint_id"][..],
                false,
            ),
            (
                "ux_complaint_routes_rule",
                "complaint_routes",
                &["complaint_type", "department"][..],
                true,
            ),
            (
                "ux_reward_penalty_notices_month",
                "reward_penalty_notices",
                &["month"][..],
                true,
            ),
        ] {
            manager
                .create_index(index(name, table, columns, unique))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            manager
                .drop_table(Table::drop().table(Alias::new(*table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
