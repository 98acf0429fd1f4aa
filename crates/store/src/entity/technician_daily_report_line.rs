//! One line of a technician's daily report: a job (with its order) or internal D work.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "technician_daily_report_lines")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub report_id: i64,
    pub order_id: Option<i64>,
    pub order_number: Option<String>,
    pub category: String,
    pub minutes: i64,
    pub kind: Option<String>,
    pub note: Option<String>,
    pub position: i32,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
