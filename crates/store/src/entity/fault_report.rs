//! A fault a customer reported by scanning a unit's label, waiting for an agent.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "fault_reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub unit_id: i64,
    pub customer_id: i64,
    pub org_unit_id: i64,
    pub description: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: String,
    pub preferred_time: Option<String>,
    /// pending, confirmed or rejected.
    pub status: String,
    pub order_id: Option<i64>,
    pub handled_by: Option<i64>,
    pub handled_at: Option<i64>,
    pub reject_reason: Option<String>,
    pub client_ip: Option<String>,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
