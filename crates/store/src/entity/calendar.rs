//! A working calendar an administrator edits (the built-in ones live in the domain crate).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "calendars")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: String,
    pub name: String,
    /// IANA time zone; every clock on this calendar runs in it, whoever looks.
    pub time_zone: String,
    /// JSON: one list of `HH:MM-HH:MM` periods per weekday, keys `mon` .. `sun`.
    pub periods: String,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
