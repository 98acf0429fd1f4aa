//! An installation work order (安装派工单) with its commissioning, training, quantities and
//! follow-up rating (INSTALL-1..5).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "installations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: String,
    pub org_unit_id: i64,
    pub customer_id: i64,
    pub unit_id: i64,
    /// sale or manual.
    pub source: String,
    pub sold_at: i64,
    pub send_due_at: i64,
    pub wanted_at: Option<i64>,
    pub requirements: Option<String>,
    pub place: Option<String>,
    pub provider_id: Option<i64>,
    pub commission_due_at: Option<i64>,
    pub status: String,
    pub sent_at: Option<i64>,
    pub send_overdue: bool,
    pub acknowledged_at: Option<i64>,
    pub commissioned_at: Option<i64>,
    pub commissioning_result: Option<String>,
    pub trainees: Option<String>,
    pub training_topics: Option<String>,
    pub training_hours_tenths: Option<i32>,
    pub person_times: Option<i32>,
    pub person_days_tenths: Option<i32>,
    pub cost_fen: Option<i64>,
    pub guidance_fee: bool,
    pub completed_at: Option<i64>,
    pub signature_attachment_id: Option<i64>,
    pub follow_up_rating: Option<i32>,
    pub follow_up_note: Option<String>,
    pub followed_up_at: Option<i64>,
    pub created_by: i64,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
