//! Charges on a service order (BILLING-3, CATEGORY-2): one line per item worked or fitted,
//! each with its own category, so components with a different warranty status are billed
//! separately. `price_item_id` is empty for a free-text line.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, fk, id, index, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create()
            .table(Alias::new("order_charges"))
            .to_owned();
        t.col(id(backend))
            .col(big("order_id"))
            .col(big_null("price_item_id"))
            .col(text("description"))
            .col(big("quantity"))
            .col(big("unit_price_fen"))
            // a, b or c (d is internal time, never charged).
            .col(text("category"))
            .col(big("created_by"))
            .col(big("created_at"));
        t.foreign_key(&mut fk(
            "fk_order_charges_order",
            "order_charges",
            "order_id",
            "service_orders",
        ))
        .foreign_key(&mut fk(
            "fk_order_charges_price_item",
            "order_charges",
            "price_item_id",
            "price_items",
        ))
        .foreign_key(&mut fk(
            "fk_order_charges_created_by",
            "order_charges",
            "created_by",
            "users",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_order_charges_order",
                "order_charges",
                &["order_id", "id"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("order_charges")).to_owned())
            .await
    }
}
