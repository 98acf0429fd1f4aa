//! How many SLA clocks of the finished orders called in on one local day came out met or
//! breached, by branch, technician, policy and clock.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "sla_outcome_days")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The local date of the calls, as yyyymmdd.
    pub day: i64,
    pub org_unit_id: i64,
    /// 0: no technician.
    pub technician_id: i64,
    /// Empty: the default policy in the settings.
    pub policy: String,
    pub clock: String,
    /// met or breached.
    pub status: String,
    pub outcomes: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
