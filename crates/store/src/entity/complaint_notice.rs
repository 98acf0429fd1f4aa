//! An overdue reminder (催办单, COMPLAINT-12) or a timeliness follow-up notice (洽办单, COMPLAINT-13) to one department.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "complaint_notices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub complaint_id: i64,
    pub task_id: Option<i64>,
    pub kind: String,
    pub department: String,
    pub level: i32,
    pub days_late: Option<i64>,
    pub status: String,
    pub reply: Option<String>,
    pub decided_by: Option<i64>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub replied_at: Option<i64>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
