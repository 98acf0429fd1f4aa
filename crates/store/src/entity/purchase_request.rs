//! A parts purchase request (零件请购): one part for one location, maybe for a waiting order.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "purchase_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub part_id: i64,
    pub location_id: i64,
    pub quantity: i64,
    pub unit_cost_fen: i64,
    pub order_id: Option<i64>,
    pub status: String,
    pub note: Option<String>,
    pub requested_by: i64,
    pub requested_at: i64,
    pub decided_by: Option<i64>,
    pub decided_at: Option<i64>,
    pub decision_reason: Option<String>,
    pub received_by: Option<i64>,
    pub received_at: Option<i64>,
    pub movement_id: Option<i64>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
