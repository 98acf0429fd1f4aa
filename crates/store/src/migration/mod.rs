//! The one migration set for both databases. Never edit an applied migration: add a new one.

use sea_orm_migration::prelude::*;

mod m20261122_000001_platform;
mod m20261122_000002_timers;
mod m20261122_000003_calendars;
mod m20261122_000004_service_orders;
mod m20261122_000005_fault_reports;
mod m20261122_000006_daily_reports;
mod m20261122_000007_carry_in;
mod m20261122_000008_sla_alerts;
mod m20261122_000009_price_items;
mod m20261122_000010_order_charges;
mod m20261122_000011_order_payment;
mod m20261122_000012_sla_policies;
mod m20261122_000013_order_waits_quotes;
mod m20261122_000014_order_tasks;
mod m20261122_000015_monthly_statistics;
mod m20261122_000020_parts;
mod m20261122_000030_complaints;
mod m20261122_000031_claims;
mod m20261122_000040_survey_cards;
mod m20261122_000041_mail_outbox;
mod m20261122_000042_follow_ups;
mod m20261122_000043_discipline_incidents;
mod m20261122_000050_returns;
mod m20261122_000051_deliveries;
mod m20261122_000060_capacity_indexes;
mod m20261122_000070_settlement;
mod m20261122_000080_installations;
mod m20261122_000090_ecom;
mod m20261122_000100_tools_purchasing;
mod m20261122_000110_supervision;
mod m20261122_000111_suggestions;
mod m20261122_000120_search_index;
mod m20261122_000130_sla_outcomes;
mod m20261122_000140_sqlite_search;
mod m20261123_000150_reference_version;
mod m20261207_000160_component_reference;
mod m20261207_000170_sla_outcome_days;
mod m20261207_000180_calendar_reference;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_platform::Migration),
            Box::new(m20261122_000002_timers::Migration),
            Box::new(m20261122_000003_calendars::Migration),
            Box::new(m20261122_000004_service_orders::Migration),
            Box::new(m20261122_000005_fault_reports::Migration),
            Box::new(m20261122_000006_daily_reports::Migration),
            Box::new(m20261122_000007_carry_in::Migration),
            Box::new(m20261122_000008_sla_alerts::Migration),
            Box::new(m20261122_000009_price_items::Migration),
            Box::new(m20261122_000010_order_charges::Migration),
            Box::new(m20261122_000011_order_payment::Migration),
            Box::new(m20261122_000012_sla_policies::Migration),
            Box::new(m20261122_000013_order_waits_quotes::Migration),
            Box::new(m20261122_000040_survey_cards::Migration),
            Box::new(m20261122_000041_mail_outbox::Migration),
            Box::new(m20261122_000042_follow_ups::Migration),
            Box::new(m20261122_000043_discipline_incidents::Migration),
            Box::new(m20261122_000050_returns::Migration),
            Box::new(m20261122_000051_deliveries::Migration),
            Box::new(m20261122_000070_settlement::Migration),
            Box::new(m20261122_000020_parts::Migration),
            Box::new(m20261122_000030_complaints::Migration),
            Box::new(m20261122_000031_claims::Migration),
            Box::new(m20261122_000060_capacity_indexes::Migration),
            Box::new(m20261122_000014_order_tasks::Migration),
            Box::new(m20261122_000015_monthly_statistics::Migration),
            Box::new(m20261122_000080_installations::Migration),
            Box::new(m20261122_000090_ecom::Migration),
            Box::new(m20261122_000110_supervision::Migration),
            Box::new(m20261122_000111_suggestions::Migration),
            Box::new(m20261122_000100_tools_purchasing::Migration),
            Box::new(m20261122_000120_search_index::Migration),
            Box::new(m20261122_000130_sla_outcomes::Migration),
            Box::new(m20261122_000140_sqlite_search::Migration),
            Box::new(m20261123_000150_reference_version::Migration),
            Box::new(m20261207_000160_component_reference::Migration),
            Box::new(m20261207_000170_sla_outcome_days::Migration),
            Box::new(m20261207_000180_calendar_reference::Migration),
        ]
    }
}

/// Shorthands shared by the migrations so every table follows the conventions in the crate
/// docs. They only build column definitions; they never touch the database.
pub(crate) mod cols {
    use sea_orm_migration::prelude::*;
    use sea_orm_migration::sea_orm::DatabaseBackend;

    /// dialect: SQLite only auto-assigns ids for a column declared exactly `INTEGER PRIMARY
    /// KEY` (which is 64-bit there); PostgreSQL needs `BIGSERIAL` so ids are 64-bit too.
    pub fn id(backend: DatabaseBackend) -> ColumnDef {
        let mut column = ColumnDef::new(Alias::new("id"));
        match backend {
            DatabaseBackend::Sqlite => column.integer(),
            _ => column.big_integer(),
        };
        column.not_null().auto_increment().primary_key();
        column
    }
    pub fn text(name: &str) -> ColumnDef {
        ColumnDef::new(Alias::new(name))
            .string()
            .not_null()
            .to_owned()
    }
    pub fn text_null(name: &str) -> ColumnDef {
        ColumnDef::new(Alias::new(name)).string().null().to_owned()
    }
    pub fn long_text_null(name: &str) -> ColumnDef {
        ColumnDef::new(Alias::new(name)).text().null().to_owned()
    }
    pub fn big(name: &str) -> ColumnDef {
        ColumnDef::new(Alias::new(name))
            .big_integer()
            .not_null()
            .to_owned()
    }
    pub fn big_null(name: &str) -> ColumnDef {
        ColumnDef::new(Alias::new(name))
            .big_integer()
            .null()
            .to_owned()
    }
    pub fn int(name: &str, default: i32) -> ColumnDef {
        ColumnDef::new(Alias::new(name))
            .integer()
            .not_null()
            .default(default)
            .to_owned()
    }
    pub fn flag(name: &str) -> ColumnDef {
        ColumnDef::new(Alias::new(name))
            .boolean()
            .not_null()
            .default(false)
            .to_owned()
    }
    pub fn fk(
        name: &str,
        from_table: &str,
        from_col: &str,
        to_table: &str,
    ) -> ForeignKeyCreateStatement {
        ForeignKey::create()
            .name(name)
            .from(Alias::new(from_table), Alias::new(from_col))
            .to(Alias::new(to_table), Alias::new("id"))
            .to_owned()
    }
    pub fn index(name: &str, table: &str, columns: &[&str], unique: bool) -> IndexCreateStatement {
        let mut index = Index::create();
        index.name(name).table(Alias::new(table));
        for column in columns {
            index.col(Alias::new(*column));
        }
        if unique {
            index.unique();
        }
        index.to_owned()
    }
}
