//! A customer (person or company) and its ledger fields.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub abc_class: String,
    pub abc_override_reason: Option<String>,
    pub key_account: bool,
    pub org_unit_id: i64,
    pub referrer_id: Option<i64>,
    pub business_profile: Option<String>,
    pub purchase_reason: Option<String>,
    pub promises: Option<String>,
    pub remarks: Option<String>,
    /// Working calendar of this record's clocks, overriding the branch's (e.g. 7×24).
    pub calendar_code: Option<String>,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
