//! A loaner unit (替补商品) of a branch's pool.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "loaners")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub code: String,
    pub name: String,
    pub serial_no: String,
    pub org_unit_id: i64,
    pub status: String,
    pub order_id: Option<i64>,
    pub lent_at: Option<i64>,
    pub overdue_at: Option<i64>,
    pub version: i32,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
