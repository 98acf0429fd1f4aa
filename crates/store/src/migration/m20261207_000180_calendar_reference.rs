//! Stored calendars join the reference data behind the `reference_version` counter
//! (migration 000150): every order view computes its clocks on the effective calendar, and an
//! instance keeps the stored calendars built in memory instead of reading a calendar and all
//! its special days for each view.

use sea_orm_migration::prelude::*;

use super::m20261123_000150_reference_version::{bump_on_change, stop_bumping};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["calendars", "calendar_days"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        bump_on_change(manager.get_connection(), TABLES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        stop_bumping(manager.get_connection(), TABLES).await
    }
}
