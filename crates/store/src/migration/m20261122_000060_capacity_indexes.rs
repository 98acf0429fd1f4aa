//! Indexes for years of service orders (issue 8): the statistics and the unfiltered lists read
//! a period of calls by `received_at`, and a technician's list is newest call first, which
//! the older `(technician_id, status)` index cannot order without sorting all their orders.

use sea_orm_migration::prelude::*;

use super::cols::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &[&str])] = &[
    ("ix_orders_received", &["received_at"]),
    (
        "ix_orders_technician_received",
        &["technician_id", "received_at"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, columns) in INDEXES {
            manager
                .create_index(index(name, "service_orders", columns, false))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager
                .drop_index(
                    Index::drop()
                        .name(*name)
                        .table(Alias::new("service_orders"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
