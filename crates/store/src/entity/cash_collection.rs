//! Cash collected on site for one order, held by the technician until an accountant
//! confirms the handover (BILLING-4); flagged when not handed over in time (T6).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "cash_collections")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    pub org_unit_id: i64,
    pub technician_id: i64,
    pub amount_fen: i64,
    pub collected_at: i64,
    /// The end of the working day of collection (T6).
    pub due_at: i64,
    pub flagged_at: Option<i64>,
    pub handed_over_at: Option<i64>,
    pub handed_over_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
