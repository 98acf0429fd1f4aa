//! Text search over years of orders (issue 8): the order list's search matches the order
//! number, the fault description and the customer's name and phone anywhere in the text.
//! A `LIKE '%…%'` over a million orders reads them all; trigram indexes answer it from the
//! few rows that share the searched text's three-character pieces.
//!
//! dialect: PostgreSQL gets pg_trgm GIN indexes on the lower-cased columns, which its planner
//! uses for `LOWER(col) LIKE`. SQLite's trigram index is migration 000140.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (index, table, column).
const POSTGRES_INDEXES: &[(&str, &str, &str)] = &[
    ("ix_orders_number_trgm", "service_orders", "number"),
    (
        "ix_orders_fault_trgm",
        "service_orders",
        "fault_description",
    ),
    ("ix_customers_name_trgm", "customers", "name"),
    ("ix_customers_phone_trgm", "customers", "phone"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DatabaseBackend::Sqlite {
            return Ok(());
        }
        db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            .await?;
        for (index, table, column) in POSTGRES_INDEXES {
            db.execute_unprepared(&format!(
                "CREATE INDEX {index} ON {table} USING gin (LOWER({column}) gin_trgm_ops)"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DatabaseBackend::Sqlite {
            return Ok(());
        }
        for (index, _, _) in POSTGRES_INDEXES {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {index}"))
                .await?;
        }
        Ok(())
    }
}
