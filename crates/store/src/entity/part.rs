//! A spare part in the catalogue (PARTS-1).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "parts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub part_number: String,
    pub name: String,
    pub unit: String,
    pub cost_fen: i64,
    pub avg_cost_fen: i64,
    pub sale_price_fen: i64,
    pub supplier: String,
    pub abc_class: String,
    pub abc_override: Option<String>,
    pub abc_override_reason: Option<String>,
    pub active: bool,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
