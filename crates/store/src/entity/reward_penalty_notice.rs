//! A reward/penalty notice (奖罚通知单, COMPLAINT-14 b) for one reviewed month, approved by the general manager and printed in three copies whose receipt is tracked.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "reward_penalty_notices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub month: String,
    pub status: String,
    pub total_deduction_fen: i64,
    pub total_reward_fen: i64,
    pub created_by: i64,
    pub created_at: i64,
    pub approved_by: Option<i64>,
    pub approved_at: Option<i64>,
    pub kept_received_at: Option<i64>,
    pub accounting_received_at: Option<i64>,
    pub department_received_at: Option<i64>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
