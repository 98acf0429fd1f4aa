//! REPAIR-2 and payment on completion (BILLING-4/5): when the price schedule was shown to the
//! customer, how the paid total was settled (cash or invoice), the amount, and when an
//! accountant confirmed the cash handover (empty: the cash is still with the technician).

use sea_orm_migration::prelude::*;

use super::cols::{big_null, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: &[&str] = &[
    "price_schedule_shown_at",
    "payment_method",
    "payment_fen",
    "cash_handed_over_at",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // dialect: SQLite adds one column per ALTER TABLE, so one statement each.
        for column in COLUMNS {
            let def = if *column == "payment_method" {
                text_null(column)
            } else {
                big_null(column)
            };
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("service_orders"))
                        .add_column(def)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in COLUMNS {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("service_orders"))
                        .drop_column(Alias::new(*column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
