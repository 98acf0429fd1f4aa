//! A maintenance contract (保养合同).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "contracts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub org_unit_id: i64,
    pub start_date: String,
    pub end_date: String,
    pub fee_fen: i64,
    pub status: String,
    pub scope: Option<String>,
    pub visits_per_year: i32,
    /// Working calendar of this record's clocks, overriding the branch's (e.g. 7×24).
    pub calendar_code: Option<String>,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
