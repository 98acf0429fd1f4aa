//! Service orders that wait (for the customer, parts or a quote's answer) remember the status
//! work resumes in; the out-of-warranty quote (BILLING-2) and its answer; software issue class
//! and priority (SOFTWARE-1/2); the conduct checklist items the customer answered "no" to
//! (REPAIR-6).

use sea_orm_migration::prelude::*;

use super::cols::{big_null, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: &[(&str, bool)] = &[
    ("resume_status", false),
    ("software_class", false),
    ("software_priority", false),
    ("quote_fen", true),
    ("quote_issued_at", true),
    ("quote_accepted_at", true),
    ("conduct_exceptions", false),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // dialect: SQLite adds one column per ALTER TABLE, so one statement each.
        for (column, number) in COLUMNS {
            let def = if *number {
                big_null(column)
            } else {
                text_null(column)
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
        for (column, _) in COLUMNS {
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
