//! The price schedule (维修项目与收费标准表, BILLING-1): repair items, labour, travel fees and
//! parts with their price in fen. Items are deactivated, never deleted, so old charges keep
//! their reference.

use sea_orm_migration::prelude::*;

use super::cols::{big, flag, id, index, int, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create().table(Alias::new("price_items")).to_owned();
        t.col(id(backend))
            .col(text("code"))
            .col(text("name"))
            // repair, labour, travel or part.
            .col(text("kind"))
            .col(big("price_fen"))
            .col(flag("active"))
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        manager.create_table(t).await?;
        manager
            .create_index(index("ux_price_items_code", "price_items", &["code"], true))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("price_items")).to_owned())
            .await
    }
}
