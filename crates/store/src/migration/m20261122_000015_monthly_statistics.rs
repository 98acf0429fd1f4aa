//! The monthly statistics (REPORT-1, T13): one row per month, drafted from what was recorded,
//! submitted by the customer department, flagged when late.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, flag, id, index, int, long_text_null, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create()
            .table(Alias::new("monthly_statistics"))
            .to_owned();
        t.col(id(backend))
            // YYYY-MM.
            .col(text("month"))
            .col(text("status"))
            .col(long_text_null("figures_json"))
            .col(big("drafted_at"))
            .col(big_null("submitted_by"))
            .col(big_null("submitted_at"))
            .col(flag("late"))
            .col(int("version", 1));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_monthly_statistics_month",
                "monthly_statistics",
                &["month"],
                true,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("monthly_statistics"))
                    .to_owned(),
            )
            .await
    }
}
