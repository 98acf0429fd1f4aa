//! A department's investigation task on a complaint (COMPLAINT-5) with its own findings.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "complaint_tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub complaint_id: i64,
    pub department: String,
    pub due_date: String,
    pub status: String,
    pub order_number: Option<String>,
    pub part_number: Option<String>,
    pub quantity: Option<i64>,
    pub ship_date: Option<String>,
    pub cause: Option<String>,
    pub responsible_persons: Option<String>,
    pub corrective_action: Option<String>,
    pub verification: Option<String>,
    pub production_unit: Option<String>,
    pub shift: Option<String>,
    pub operator: Option<String>,
    pub production_date: Option<String>,
    pub note: Option<String>,
    pub done_at: Option<i64>,
    pub done_by: Option<i64>,
    pub version: i32,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
