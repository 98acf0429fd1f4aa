//! Working calendars that administrators edit (SYSTEM-1): a calendar's time zone and weekly
//! working periods, its dated exceptions (public holidays and make-up workdays), and the
//! optional calendar a customer or a maintenance contract carries (e.g. 7×24 service).
//! Built-in calendars (`cn-standard`, `24x7`) live in the domain crate, not in these tables.

use sea_orm_migration::prelude::*;

use super::cols::{big, fk, id, index, int, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();

        // `periods` is JSON text with one list per weekday, e.g.
        // {"mon":["09:00-12:00","13:00-18:00"],...,"sun":[]}.
        let mut t = Table::create().table(Alias::new("calendars")).to_owned();
        t.col(id(backend))
            .col(text("code"))
            .col(text("name"))
            .col(text("time_zone"))
            .col(
                ColumnDef::new(Alias::new("periods"))
                    .text()
                    .not_null()
                    .to_owned(),
            )
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        manager.create_table(t).await?;
        manager
            .create_index(index("ux_calendars_code", "calendars", &["code"], true))
            .await?;

        // One dated exception: `kind` is holiday (no working time) or workday (调休: worked
        // with the calendar's ordinary weekday hours); `date` is ISO text in the calendar's zone.
        let mut t = Table::create()
            .table(Alias::new("calendar_days"))
            .to_owned();
        t.col(id(backend))
            .col(big("calendar_id"))
            .col(text("date"))
            .col(text("kind"))
            .col(text("name"));
        t.foreign_key(&mut fk(
            "fk_calendar_days_calendar",
            "calendar_days",
            "calendar_id",
            "calendars",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_calendar_days_date",
                "calendar_days",
                &["calendar_id", "date"],
                true,
            ))
            .await?;

        // dialect: SQLite adds one column per ALTER TABLE, so one statement each.
        for table in ["customers", "contracts"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(text_null("calendar_code"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["customers", "contracts"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Alias::new("calendar_code"))
                        .to_owned(),
                )
                .await?;
        }
        for name in ["calendar_days", "calendars"] {
            manager
                .drop_table(Table::drop().table(Alias::new(name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
