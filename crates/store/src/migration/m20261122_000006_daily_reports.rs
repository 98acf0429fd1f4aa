//! Daily reports (STAFF-2, STAFF-3): the technician's report of one local day with its lines,
//! and the branch (supervisor's) report with its review steps.
//!
//! Technician report lines are rows (`order_id` empty for internal D lines) so a refresh can
//! replace the job lines and keep the manual ones. The branch report stores, at approval, a
//! JSON snapshot of the aggregated lines: the signed report never changes afterwards, even if
//! a technician's report is reopened and corrected.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, fk, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create()
            .table(Alias::new("technician_daily_reports"))
            .to_owned();
        t.col(id(backend))
            .col(big("technician_id"))
            .col(big("org_unit_id"))
            // The local day, YYYY-MM-DD.
            .col(text("report_date"))
            // draft or submitted.
            .col(text("status"))
            .col(big_null("submitted_at"))
            .col(text_null("reopen_reason"))
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        t.foreign_key(&mut fk(
            "fk_technician_daily_reports_technician",
            "technician_daily_reports",
            "technician_id",
            "users",
        ))
        .foreign_key(&mut fk(
            "fk_technician_daily_reports_org_unit",
            "technician_daily_reports",
            "org_unit_id",
            "org_units",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_technician_daily_reports_day",
                "technician_daily_reports",
                &["technician_id", "report_date"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_technician_daily_reports_branch",
                "technician_daily_reports",
                &["org_unit_id", "report_date"],
                false,
            ))
            .await?;

        let mut t = Table::create()
            .table(Alias::new("technician_daily_report_lines"))
            .to_owned();
        t.col(id(backend))
            .col(big("report_id"))
            // Empty for internal (D) lines.
            .col(big_null("order_id"))
            .col(text_null("order_number"))
            // a, b, c or d.
            .col(text("category"))
            .col(big("minutes"))
            // For D lines: training, tool_maintenance, parts_management, inspection, other.
            .col(text_null("kind"))
            .col(text_null("note"))
            .col(int("position", 0))
            .col(big("created_at"));
        t.foreign_key(&mut fk(
            "fk_technician_daily_report_lines_report",
            "technician_daily_report_lines",
            "report_id",
            "technician_daily_reports",
        ))
        .foreign_key(&mut fk(
            "fk_technician_daily_report_lines_order",
            "technician_daily_report_lines",
            "order_id",
            "service_orders",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_technician_daily_report_lines_report",
                "technician_daily_report_lines",
                &["report_id"],
                false,
            ))
            .await?;

        let mut t = Table::create()
            .table(Alias::new("branch_daily_reports"))
            .to_owned();
        t.col(id(backend))
            .col(big("org_unit_id"))
            .col(text("report_date"))
            // draft, submitted, approved or forwarded.
            .col(text("status"))
            .col(big_null("submitted_by"))
            .col(big_null("submitted_at"))
            .col(big_null("approved_by"))
            .col(big_null("approved_at"))
            .col(big_null("forwarded_by"))
            .col(big_null("forwarded_at"))
            .col(text_null("return_reason"))
            // The aggregated report as signed; empty until approval.
            .col(long_text_null("snapshot_json"))
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        t.foreign_key(&mut fk(
            "fk_branch_daily_reports_org_unit",
            "branch_daily_reports",
            "org_unit_id",
            "org_units",
        ))
        .foreign_key(&mut fk(
            "fk_branch_daily_reports_submitted_by",
            "branch_daily_reports",
            "submitted_by",
            "users",
        ))
        .foreign_key(&mut fk(
            "fk_branch_daily_reports_approved_by",
            "branch_daily_reports",
            "approved_by",
            "users",
        ))
        .foreign_key(&mut fk(
            "fk_branch_daily_reports_forwarded_by",
            "branch_daily_reports",
            "forwarded_by",
            "users",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_branch_daily_reports_day",
                "branch_daily_reports",
                &["org_unit_id", "report_date"],
                true,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "branch_daily_reports",
            "technician_daily_report_lines",
            "technician_daily_reports",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
