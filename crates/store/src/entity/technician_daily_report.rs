//! A technician's daily report (技术员工作日报表) for one local day.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "technician_daily_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub technician_id: i64,
    pub org_unit_id: i64,
    pub report_date: String,
    /// draft or submitted.
    pub status: String,
    pub submitted_at: Option<i64>,
    pub reopen_reason: Option<String>,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
