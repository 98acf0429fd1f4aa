//! SQLite's trigram index for the order search (issue 8; PostgreSQL's is migration 000120).
//!
//! dialect: SQLite only. Two FTS5 tables with the trigram tokenizer, one over the orders'
//! number and fault description, one over the customers' name and phone, kept in step with
//! their tables by triggers. They are contentless with `contentless_delete=1`: they store
//! only the index and answer rowids, and a row's entry is removed by its rowid alone, so no
//! trigger has to repeat the old text exactly (as an external-content table needs).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (FTS table, indexed table, its columns).
const INDEXES: &[(&str, &str, &[&str])] = &[
    (
        "order_search",
        "service_orders",
        &["number", "fault_description"],
    ),
    ("customer_search", "customers", &["name", "phone"]),
];

fn statements(fts: &str, table: &str, columns: &[&str]) -> Vec<String> {
    let list = columns.join(", ");
    let values = |row: &str| {
        columns
            .iter()
            .map(|c| format!("{row}.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let new = values("new");
    vec![
        format!(
            "CREATE VIRTUAL TABLE {fts} USING fts5({list}, content='', contentless_delete=1, \
             tokenize='trigram')"
        ),
        format!(
            "CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN \
             INSERT INTO {fts}(rowid, {list}) VALUES (new.id, {new}); END"
        ),
        format!(
            "CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN \
             DELETE FROM {fts} WHERE rowid = old.id; END"
        ),
        format!(
            "CREATE TRIGGER {fts}_update AFTER UPDATE OF {list} ON {table} BEGIN \
             DELETE FROM {fts} WHERE rowid = old.id; \
             INSERT INTO {fts}(rowid, {list}) VALUES (new.id, {new}); END"
        ),
        format!("INSERT INTO {fts}(rowid, {list}) SELECT id, {list} FROM {table}"),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        for (fts, table, columns) in INDEXES {
            for statement in statements(fts, table, columns) {
                db.execute_unprepared(&statement).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DatabaseBackend::Sqlite {
            return Ok(());
        }
        for (fts, _, _) in INDEXES {
            for trigger in ["insert", "delete", "update"] {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {fts}_{trigger}"))
                    .await?;
            }
            db.execute_unprepared(&format!("DROP TABLE IF EXISTS {fts}"))
                .await?;
        }
        Ok(())
    }
}
