//! A discipline incident (STAFF-6).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "discipline_incidents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_unit_id: i64,
    pub staff_id: i64,
    pub kind: String,
    pub description: Option<String>,
    pub service_order_id: Option<i64>,
    pub complaint_id: Option<i64>,
    pub survey_card_id: Option<i64>,
    pub source: String,
    /// open, approved or dismissed.
    pub status: String,
    pub sanction: Option<String>,
    pub fine_fen: Option<i64>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<i64>,
    pub decision_note: Option<String>,
    pub opened_by: Option<i64>,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
