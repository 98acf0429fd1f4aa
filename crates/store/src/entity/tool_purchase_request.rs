//! A tool purchase request: price enquiry → finance price check → supervisor approval → purchased.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "tool_purchase_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub purpose: String,
    pub org_unit_id: i64,
    pub status: String,
    pub price_check_note: Option<String>,
    pub decision_reason: Option<String>,
    pub requested_by: i64,
    pub requested_at: i64,
    pub price_checked_by: Option<i64>,
    pub price_checked_at: Option<i64>,
    pub approved_by: Option<i64>,
    pub approved_at: Option<i64>,
    pub purchased_by: Option<i64>,
    pub purchased_at: Option<i64>,
    pub tool_id: Option<i64>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
