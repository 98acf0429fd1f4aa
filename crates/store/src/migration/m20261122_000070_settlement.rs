//! Settling paid service (BILLING-4/5, T6).
//!
//! `cash_collections`: one row per order paid in cash on site, created at completion. The
//! cash stays on the technician's account until an accountant confirms the handover
//! (`handed_over_at`/`_by`); `due_at` is the end of the working day of collection and
//! `flagged_at` is set once by the T6 timer when the cash was not handed over by then. One
//! row per order (`uq_cash_collections_order`).
//!
//! `invoices`: the invoice raised from the voucher (one per order, `uq_invoices_order`;
//! numbers unique, `uq_invoices_number`). `collection` is the collection task for work not
//! yet paid (open → collected, with amount and date) or `none` when the customer paid cash;
//! `mailed_*` log the mailing of the invoice (补寄发票).

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, fk, id, index, int, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut cash = Table::create()
            .table(Alias::new("cash_collections"))
            .to_owned();
        cash.col(id(backend))
            .col(big("order_id"))
            .col(big("org_unit_id"))
            .col(big("technician_id"))
            .col(big("amount_fen"))
            .col(big("collected_at"))
            .col(big("due_at"))
            .col(big_null("flagged_at"))
            .col(big_null("handed_over_at"))
            .col(big_null("handed_over_by"));
        cash.foreign_key(&mut fk(
            "fk_cash_collections_order",
            "cash_collections",
            "order_id",
            "service_orders",
        ))
        .foreign_key(&mut fk(
            "fk_cash_collections_technician",
            "cash_collections",
            "technician_id",
            "users",
        ))
        .foreign_key(&mut fk(
            "fk_cash_collections_handed_over_by",
            "cash_collections",
            "handed_over_by",
            "users",
        ));
        manager.create_table(cash).await?;
        manager
            .create_index(index(
                "uq_cash_collections_order",
                "cash_collections",
                &["order_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_cash_collections_branch",
                "cash_collections",
                &["org_unit_id", "handed_over_at"],
                false,
            ))
            .await?;

        let mut invoices = Table::create().table(Alias::new("invoices")).to_owned();
        invoices
            .col(id(backend))
            .col(text("number"))
            .col(big("order_id"))
            .col(big("org_unit_id"))
            .col(big("amount_fen"))
            .col(text("buyer_name"))
            .col(text_null("buyer_tax_id"))
            .col(big("issued_at"))
            .col(big("issued_by"))
            // none, open or collected.
            .col(text("collection"))
            .col(big_null("collected_fen"))
            .col(text_null("collected_on"))
            .col(big_null("collected_by"))
            .col(big_null("mailed_at"))
            .col(big_null("mailed_by"))
            .col(text_null("tracking_no"))
            .col(int("version", 1))
            .col(big("updated_at"));
        invoices
            .foreign_key(&mut fk(
                "fk_invoices_order",
                "invoices",
                "order_id",
                "service_orders",
            ))
            .foreign_key(&mut fk(
                "fk_invoices_issued_by",
                "invoices",
                "issued_by",
                "users",
            ));
        manager.create_table(invoices).await?;
        manager
            .create_index(index("uq_invoices_order", "invoices", &["order_id"], true))
            .await?;
        manager
            .create_index(index("uq_invoices_number", "invoices", &["number"], true))
            .await?;
        manager
            .create_index(index(
                "ix_invoices_branch",
                "invoices",
                &["org_unit_id", "issued_at"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["invoices", "cash_collections"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
