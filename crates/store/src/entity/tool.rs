//! A registered tool or piece of test equipment and who holds it.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "tools")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub asset_no: String,
    pub name: String,
    pub value_fen: i64,
    pub fixed_asset: bool,
    pub org_unit_id: i64,
    pub status: String,
    pub holder_id: Option<i64>,
    pub rule_accepted_at: Option<i64>,
    pub purchase_request_id: Option<i64>,
    pub version: i32,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
