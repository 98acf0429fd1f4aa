//! QR labels (一物一码) and fault reports customers submit themselves by scanning them.
//!
//! The label code lives in its own table `unit_labels` rather than in a column on `units`:
//! creating a code on first need then never touches the unit row (no version bump, no
//! conflict with an agent editing the unit at the same moment), and the unique indexes on
//! both `unit_id` and `code` make a concurrent second creation fail cleanly.
//! A report's photos are files stored the attachments' way (content-addressed under the data
//! directory) with metadata rows in `fault_report_photos`; they are not `attachments` rows
//! because those name the user who uploaded them and a report's author is anonymous.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, fk, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create().table(Alias::new("unit_labels")).to_owned();
        t.col(id(backend))
            .col(big("unit_id"))
            .col(text("code"))
            .col(big("created_at"));
        t.foreign_key(&mut fk(
            "fk_unit_labels_unit",
            "unit_labels",
            "unit_id",
            "units",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_unit_labels_unit",
                "unit_labels",
                &["unit_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index("ux_unit_labels_code", "unit_labels", &["code"], true))
            .await?;

        let mut t = Table::create()
            .table(Alias::new("fault_reports"))
            .to_owned();
        t.col(id(backend))
            .col(big("unit_id"))
            .col(big("customer_id"))
            .col(big("org_unit_id"))
            .col(long_text_null("description"))
            .col(text_null("contact_name"))
            .col(text("contact_phone"))
            .col(text_null("preferred_time"))
            // pending, confirmed or rejected.
            .col(text("status"))
            .col(big_null("order_id"))
            .col(big_null("handled_by"))
            .col(big_null("handled_at"))
            .col(text_null("reject_reason"))
            // The submitting client's address, for throttling abuse.
            .col(text_null("client_ip"))
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        t.foreign_key(&mut fk(
            "fk_fault_reports_unit",
            "fault_reports",
            "unit_id",
            "units",
        ))
        .foreign_key(&mut fk(
            "fk_fault_reports_customer",
            "fault_reports",
            "customer_id",
            "customers",
        ))
        .foreign_key(&mut fk(
            "fk_fault_reports_org_unit",
            "fault_reports",
            "org_unit_id",
            "org_units",
        ))
        .foreign_key(&mut fk(
            "fk_fault_reports_order",
            "fault_reports",
            "order_id",
            "service_orders",
        ))
        .foreign_key(&mut fk(
            "fk_fault_reports_handled_by",
            "fault_reports",
            "handled_by",
            "users",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_fault_reports_branch_status",
                "fault_reports",
                &["org_unit_id", "status", "created_at"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_fault_reports_unit",
                "fault_reports",
                &["unit_id", "created_at"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_fault_reports_client",
                "fault_reports",
                &["client_ip", "created_at"],
                false,
            ))
            .await?;

        let mut t = Table::create()
            .table(Alias::new("fault_report_photos"))
            .to_owned();
        t.col(id(backend))
            .col(big("report_id"))
            .col(text("file_name"))
            .col(text("content_type"))
            .col(big("size_bytes"))
            .col(text("sha256"))
            .col(big("created_at"));
        t.foreign_key(&mut fk(
            "fk_fault_report_photos_report",
            "fault_report_photos",
            "report_id",
            "fault_reports",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_fault_report_photos_report",
                "fault_report_photos",
                &["report_id"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["fault_report_photos", "fault_reports", "unit_labels"] {
            manager
                .drop_table(Table::drop().table(Alias::new(name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
