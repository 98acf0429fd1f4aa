//! One month's statistics for the general admin office and the GM office (REPORT-1).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "monthly_statistics")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub month: String,
    pub status: String,
    pub figures_json: Option<String>,
    pub drafted_at: i64,
    pub submitted_by: Option<i64>,
    pub submitted_at: Option<i64>,
    pub late: bool,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
