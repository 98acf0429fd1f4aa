//! Carry-in (workshop) repair: the goods receipt (客户商品领取收据) issued when a unit is taken
//! back, and the repair card (修护卡) entries recording labour time and parts.
//!
//! The goods in/out register (客户商品进出登记簿) is a view over `goods_receipts` (issued_at is
//! the in date, returned_at the return date), so no separate table exists. `order_id` is
//! unique: one receipt per order, and a void receipt stays void forever (no un-void).

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, fk, flag, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create()
            .table(Alias::new("goods_receipts"))
            .to_owned();
        t.col(id(backend))
            .col(text("number"))
            .col(big("order_id"))
            .col(big("org_unit_id"))
            .col(text("item_description"))
            .col(text_null("serial_no"))
            .col(long_text_null("accessories"))
            .col(long_text_null("condition"))
            // ISO date (YYYY-MM-DD): when the customer was promised the unit back.
            .col(text("promised_date"))
            // issued or void.
            .col(text("status"))
            .col(big("issued_at"))
            .col(big("issued_by"))
            .col(big_null("returned_at"))
            .col(big_null("voided_at"))
            .col(big_null("voided_by"))
            // The customer lost the receipt; identity checked, a supervisor approved.
            .col(flag("lost"))
            .col(big_null("lost_approved_by"))
            // When the supervisor was told the promised date passed (once).
            .col(big_null("overdue_notified_at"))
            .col(int("version", 1));
        t.foreign_key(&mut fk(
            "fk_goods_receipts_order",
            "goods_receipts",
            "order_id",
            "service_orders",
        ))
        .foreign_key(&mut fk(
            "fk_goods_receipts_org_unit",
            "goods_receipts",
            "org_unit_id",
            "org_units",
        ))
        .foreign_key(&mut fk(
            "fk_goods_receipts_issued_by",
            "goods_receipts",
            "issued_by",
            "users",
        ))
        .foreign_key(&mut fk(
            "fk_goods_receipts_voided_by",
            "goods_receipts",
            "voided_by",
            "users",
        ))
        .foreign_key(&mut fk(
            "fk_goods_receipts_lost_approved_by",
            "goods_receipts",
            "lost_approved_by",
            "users",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_goods_receipts_order",
                "goods_receipts",
                &["order_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ux_goods_receipts_number",
                "goods_receipts",
                &["number"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_goods_receipts_branch_issued",
                "goods_receipts",
                &["org_unit_id", "issued_at"],
                false,
            ))
            .await?;

        let mut t = Table::create()
            .table(Alias::new("repair_card_entries"))
            .to_owned();
        t.col(id(backend))
            .col(big("order_id"))
            // labour or part.
            .col(text("kind"))
            .col(big_null("technician_id"))
            .col(big_null("minutes"))
            // Free text until the spare-parts module lands.
            .col(text_null("part_number"))
            .col(text_null("part_name"))
            .col(big_null("quantity"))
            .col(text_null("part_serial"))
            .col(long_text_null("note"))
            .col(big("created_at"))
            .col(big("created_by"));
        t.foreign_key(&mut fk(
            "fk_repair_card_entries_order",
            "repair_card_entries",
            "order_id",
            "service_orders",
        ))
        .foreign_key(&mut fk(
            "fk_repair_card_entries_technician",
            "repair_card_entries",
            "technician_id",
            "users",
        ))
        .foreign_key(&mut fk(
            "fk_repair_card_entries_created_by",
            "repair_card_entries",
            "created_by",
            "users",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_repair_card_entries_order",
                "repair_card_entries",
                &["order_id", "id"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["repair_card_entries", "goods_receipts"] {
            manager
                .drop_table(Table::drop().table(Alias::new(name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
