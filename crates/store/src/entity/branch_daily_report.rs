//! A branch's daily report (服务主任日报表): submitted by the supervisor, signed by the branch
//! manager, forwarded to the customer department.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "branch_daily_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_unit_id: i64,
    pub report_date: String,
    /// draft, submitted, approved or forwarded.
    pub status: String,
    pub submitted_by: Option<i64>,
    pub submitted_at: Option<i64>,
    pub approved_by: Option<i64>,
    pub approved_at: Option<i64>,
    pub forwarded_by: Option<i64>,
    pub forwarded_at: Option<i64>,
    pub return_reason: Option<String>,
    /// The aggregated report frozen at approval.
    pub snapshot_json: Option<String>,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
