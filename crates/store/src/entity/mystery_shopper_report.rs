//! A mystery shopper's (秘密监察) inspection report (SUPERVISION-5).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "mystery_shopper_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_unit_id: i64,
    pub shopper_name: String,
    pub shopper_contact: Option<String>,
    pub visited_on: String,
    pub service_order_id: Option<i64>,
    pub score: i32,
    pub findings: Option<String>,
    pub filed_by: i64,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
