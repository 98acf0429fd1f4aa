//! Home deliveries (送货服务, DELIVERY-1..5): one row per trip to the customer with the agreed
//! window and place, the driver, the pre-call checklist, the conduct checklist and the
//! signature (an attachment) on acceptance. A unit defective on unboxing is taken back and
//! a replacement delivery is planned, linked both ways (`replaces_id`/`replacement_id`), so
//! the loop repeats until the customer accepts. `delivery_events` is the timeline, including
//! each reschedule's reason and the apology sent.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, fk, flag, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create().table(Alias::new("deliveries")).to_owned();
        t.col(id(backend))
            .col(text("number"))
            .col(big("org_unit_id"))
            .col(big("customer_id"))
            .col(big("unit_id"))
            .col(text("place"))
            .col(big("window_start_at"))
            .col(big("window_end_at"))
            .col(big_null("driver_id"))
            .col(text("status"))
            .col(big_null("pre_call_at"))
            .col(flag("pre_call_unreachable"))
            .col(long_text_null("pre_call_note"))
            .col(big_null("departed_at"))
            .col(big_null("arrived_at"))
            .col(big_null("signed_off_at"))
            .col(big_null("signature_attachment_id"))
            .col(long_text_null("defect_note"))
            .col(big_null("replaces_id"))
            .col(big_null("replacement_id"))
            .col(int("reschedules", 0))
            .col(int("late_notices", 0))
            .col(big("created_by"))
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        for (name, column, table) in [
            ("fk_deliveries_org_unit", "org_unit_id", "org_units"),
            ("fk_deliveries_customer", "customer_id", "customers"),
            ("fk_deliveries_unit", "unit_id", "units"),
            ("fk_deliveries_driver", "driver_id", "users"),
            ("fk_deliveries_created_by", "created_by", "users"),
        ] {
            t.foreign_key(&mut fk(name, "deliveries", column, table));
        }
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_deliveries_number",
                "deliveries",
                &["number"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_deliveries_branch_window",
                "deliveries",
                &["org_unit_id", "window_start_at"],
                false,
            ))
            .await?;

        let mut t = Table::create()
            .table(Alias::new("delivery_events"))
            .to_owned();
        t.col(id(backend))
            .col(big("delivery_id"))
            .col(text("event"))
            .col(text("from_status"))
            .col(text("to_status"))
            .col(long_text_null("note"))
            .col(text_null("actor_name"))
            .col(big_null("actor_id"))
            .col(big("at"));
        t.foreign_key(&mut fk(
            "fk_delivery_events_delivery",
            "delivery_events",
            "delivery_id",
            "deliveries",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_delivery_events_delivery",
                "delivery_events",
                &["delivery_id", "id"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("delivery_events"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Alias::new("deliveries")).to_owned())
            .await
    }
}
