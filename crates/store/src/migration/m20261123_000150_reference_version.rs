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
        match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION bump_reference_version() RETURNS trigger AS $$ \
                     BEGIN {BUMP}; RETURN NULL; END $$ LANGUAGE plpgsql"
                ))
                .await?;
                for table in TABLES {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {table}_reference_version \
                         AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} \
                         FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_version()"
                    ))
                    .await?;
                }
            }
            _ => {
                for table in TABLES {
                    for event in EVENTS {
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER {table}_reference_version_{} AFTER {event} ON {table} \
                             BEGIN {BUMP}; END",
                            event.to_lowercase()
                        ))
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                for table in TABLES {
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER IF EXISTS {table}_reference_version ON {table}"
                    ))
                    .await?;
                }
                db.execute_unprepared("DROP FUNCTION IF EXISTS bump_reference_version()")
                    .await?;
            }
            _ => {
                for table in TABLES {
                    for event in EVENTS {
                        db.execute_unprepared(&format!(
                            "DROP TRIGGER IF EXISTS {table}_reference_version_{}",
                            event.to_lowercase()
                        ))
                        .await?;
                    }
                }
            }
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
