//! Product components join the reference data behind the `reference_version` counter
//! (migration 000150): registration proposes a call's category from each component's
//! warranty, and an instance keeps every product's components in memory instead of reading
//! them for each call.

use sea_orm_migration::prelude::*;

use super::m20261123_000150_reference_version::{bump_on_change, stop_bumping};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["product_components"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        bump_on_change(manager.get_connection(), TABLES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        stop_bumping(manager.get_connection(), TABLES).await
    }
}
