//! An SLA policy: criteria an order must match (unset: anything) and its rank among the
//! policies (the first match by rank wins).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "sla_policies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub rank: i32,
    pub category: Option<String>,
    pub fault_class: Option<String>,
    pub zone: Option<String>,
    pub customer_class: Option<String>,
    pub urgency: Option<String>,
    pub active: bool,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
