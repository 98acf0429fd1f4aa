//! One entry of the append-only stock ledger.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "stock_movements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub part_id: i64,
    pub location_id: i64,
    pub kind: String,
    pub quantity: i64,
    pub delta: i64,
    pub unit_cost_fen: i64,
    pub other_location_id: Option<i64>,
    pub order_id: Option<i64>,
    pub count_id: Option<i64>,
    pub reason: Option<String>,
    pub created_by: i64,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
