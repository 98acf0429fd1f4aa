//! The development lead's decision on a software requirement (SOFTWARE-3).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "requirement_evaluations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    pub general_use: bool,
    pub improves_functions: bool,
    pub fits_positioning: bool,
    pub effort_hours: i32,
    pub support_hours: i32,
    pub customer_wanted_on: Option<String>,
    pub customer_accepts_charge: bool,
    pub accepted: bool,
    pub charge_fen: i64,
    pub planned_on: Option<String>,
    pub approach: Option<String>,
    pub decided_by: i64,
    pub decided_at: i64,
    pub sent_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
