//! A task an order gives an expert, a specialist or a department (DISPATCH-7, REPAIR-7/8,
//! SOFTWARE-4), with its outcome logged on the voucher.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "order_tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    pub kind: String,
    pub status: String,
    pub description: Option<String>,
    pub owner_unit_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub due_at: Option<i64>,
    pub outcome: Option<String>,
    pub cost_fen: Option<i64>,
    pub opened_by: i64,
    pub opened_at: i64,
    pub closed_by: Option<i64>,
    pub closed_at: Option<i64>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
