//! A compensation claim (索赔, CLAIM-1..3).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "claims")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: String,
    pub org_unit_id: i64,
    pub claim_type_id: i64,
    pub status: String,
    pub claimant: String,
    pub customer_id: Option<i64>,
    pub order_number: Option<String>,
    pub product: Option<String>,
    pub amount_fen: i64,
    pub facts: String,
    pub learned_on: String,
    pub countermeasure_due: String,
    pub steps_done: i32,
    pub cause: Option<String>,
    pub countermeasure: Option<String>,
    pub countermeasure_at: Option<i64>,
    pub prevention: Option<String>,
    pub purchasing_task_at: Option<i64>,
    pub purchasing_outcome: Option<String>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<i64>,
    pub review_note: Option<String>,
    pub closed_at: Option<i64>,
    pub registered_by: i64,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
