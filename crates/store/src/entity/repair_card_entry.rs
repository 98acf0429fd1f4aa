//! One line of a repair card (修护卡): labour time or a part replaced. Immutable.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "repair_card_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    /// labour or part.
    pub kind: String,
    pub technician_id: Option<i64>,
    pub minutes: Option<i64>,
    pub part_number: Option<String>,
    pub part_name: Option<String>,
    pub quantity: Option<i64>,
    pub part_serial: Option<String>,
    pub note: Option<String>,
    pub created_at: i64,
    pub created_by: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
