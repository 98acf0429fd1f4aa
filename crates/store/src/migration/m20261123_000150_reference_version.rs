//! One counter that every change to the reference data read on each order view bumps: SLA
//! policies and their clocks, settings (the default SLA targets among them) and org units (the
//! branches' calendars). An app instance keeps that data in memory and reloads it when the
//! counter moved, so a change made anywhere (another instance, the admin tools, a script on
//! the database) is seen by the next request that reads the counter.
//!
//! dialect: the counter is kept by triggers, written per backend: SQLite has one trigger per
//! table and event, PostgreSQL one statement-level trigger per table over a plpgsql function.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use super::cols::big;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables whose changes bump the counter.
const TABLES: &[&str] = &["sla_policies", "sla_policy_clocks", "settings", "org_units"];
const EVENTS: &[&str] = &["INSERT", "UPDATE", "DELETE"];
const BUMP: &str = "UPDATE reference_version SET version = version + 1 WHERE id = 1";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create()
            .table(Alias::new("reference_version"))
            .to_owned();
        t.col(
            ColumnDef::new(Alias::new("id"))
                .big_integer()
                .not_null()
                .primary_key()
                .to_owned(),
        )
        .col(big("version"));
        manager.create_table(t).await?;
        let db = manager.get_connection();
        db.execute_unprepared("INSERT INTO reference_version (id, version) VALUES (1, 0)")
            .await?;
        if db.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared(&format!(
                "CREATE FUNCTION bump_reference_version() RETURNS trigger AS $$ \
                 BEGIN {BUMP}; RETURN NULL; END $$ LANGUAGE plpgsql"
            ))
            .await?;
        }
        bump_on_change(db, TABLES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        stop_bumping(db, TABLES).await?;
        if db.get_database_backend() == DatabaseBackend::Postgres {
            db.execute_unprepared("DROP FUNCTION IF EXISTS bump_reference_version()")
                .await?;
        }
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("reference_version"))
                    .to_owned(),
            )
            .await
    }
}

/// The triggers by which changes to `table` bump the counter: (name, definition).
fn triggers(backend: DatabaseBackend, table: &str) -> Vec<(String, String)> {
    match backend {
        DatabaseBackend::Postgres => vec![(
            format!("{table}_reference_version"),
            format!(
                "AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} \
                 FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_version()"
            ),
        )],
        _ => EVENTS
            .iter()
            .map(|event| {
                (
                    format!("{table}_reference_version_{}", event.to_lowercase()),
                    format!("AFTER {event} ON {table} BEGIN {BUMP}; END"),
                )
            })
            .collect(),
    }
}

/// Creates the triggers by which every change to `tables` bumps the counter.
pub(super) async fn bump_on_change(
    db: &SchemaManagerConnection<'_>,
    tables: &[&str],
) -> Result<(), DbErr> {
    for table in tables {
        for (name, definition) in triggers(db.get_database_backend(), table) {
            db.execute_unprepared(&format!("CREATE TRIGGER {name} {definition}"))
                .await?;
        }
    }
    Ok(())
}

/// Drops the triggers [`bump_on_change`] created on `tables`.
pub(super) async fn stop_bumping(
    db: &SchemaManagerConnection<'_>,
    tables: &[&str],
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    for table in tables {
        for (name, _) in triggers(backend, table) {
            // dialect: a PostgreSQL trigger belongs to its table.
            let on = match backend {
                DatabaseBackend::Postgres => format!(" ON {table}"),
                _ => String::new(),
            };
            db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}{on}"))
                .await?;
        }
    }
    Ok(())
}
