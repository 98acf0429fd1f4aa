//! One clock of an SLA policy: the order events that start and stop it (comma-separated
//! codes), its allowance in minutes and whether it counts working or calendar time.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "sla_policy_clocks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub policy_id: i64,
    pub name: String,
    pub start_on: String,
    pub stop_on: String,
    pub target_minutes: i64,
    /// working or elapsed.
    pub time_kind: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
