//! Text search over years of orders (issue 8): the order list's search matches the order
//! number, the fault description and the customer's name and phone anywhere in the text.
//! A `LIKE '%…%'` over a million orders reads them all; trigram indexes answer it from the
//! few rows that share the searched text's three-character pieces.
//!
//! dialect: SQLite gets FTS5 tables with the trigram tokenizer, kept in step with their
//! tables by triggers (external content: the text is stored once); PostgreSQL gets pg_trgm
//! GIN indexes on the lower-cased columns, which its planner uses for `LOWER(col) LIKE`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (FTS table, indexed table, its columns).
const SQLITE_INDEXES: &[(&str, &str, &[&str])] = &[
    (
        "order_search",
        "service_orders",
        &["number", "fault_description"],
    ),
    ("customer_search", "customers", &["name", "phone"]),
];

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

fn sqlite_statements(fts: &str, table: &str, columns: &[&str]) -> Vec<String> {
    let list = columns.join(", ");
    let values = |row: &str| {
        columns
            .iter()
            .map(|c| format!("{row}.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (new, old) = (values("new"), values("old"));
    vec![
        format!(
            "CREATE VIRTUAL TABLE {fts} USING fts5({list}, content='{table}', \
             content_rowid='id', tokenize='trigram')"
        ),
        format!(
            "CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN \
             INSERT INTO {fts}(rowid, {list}) VALUES (new.id, {new}); END"
        ),
        format!(
            "CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN \
             INSERT INTO {fts}({fts}, rowid, {list}) VALUES ('delete', old.id, {old}); END"
        ),
        format!(
            "CREATE TRIGGER {fts}_update AFTER UPDATE OF {list} ON {table} BEGIN \
             INSERT INTO {fts}({fts}, rowid, {list}) VALUES ('delete', old.id, {old}); \
             INSERT INTO {fts}(rowid, {list}) VALUES (new.id, {new}); END"
        ),
        format!("INSERT INTO {fts}({fts}) VALUES ('rebuild')"),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match db.get_database_backend() {
            DatabaseBackend::Sqlite => {
                for (fts, table, columns) in SQLITE_INDEXES {
                    for statement in sqlite_statements(fts, table, columns) {
                        db.execute_unprepared(&statement).await?;
                    }
                }
            }
            _ => {
                db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                    .await?;
                for (index, table, column) in POSTGRES_INDEXES {
                    db.execute_unprepared(&format!(
                        "CREATE INDEX {index} ON {table} USING gin (LOWER({column}) gin_trgm_ops)"
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match db.get_database_backend() {
            DatabaseBackend::Sqlite => {
                for (fts, _, _) in SQLITE_INDEXES {
                    for trigger in ["insert", "delete", "update"] {
                        db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {fts}_{trigger}"))
                            .await?;
                    }
                    db.execute_unprepared(&format!("DROP TABLE IF EXISTS {fts}"))
                        .await?;
                }
            }
            _ => {
                for (index, _, _) in POSTGRES_INDEXES {
                    db.execute_unprepared(&format!("DROP INDEX IF EXISTS {index}"))
                        .await?;
                }
            }
        }
        Ok(())
    }
}
