//! One charge line on a service order, with its own category (CATEGORY-2).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "order_charges")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    pub price_item_id: Option<i64>,
    pub description: String,
    pub quantity: i64,
    pub unit_price_fen: i64,
    /// a, b or c.
    pub category: String,
    pub created_by: i64,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
