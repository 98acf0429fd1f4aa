//! A follow-up call (回访): due until made, then its log.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "follow_ups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_unit_id: i64,
    pub customer_id: i64,
    pub service_order_id: Option<i64>,
    /// order_completed, survey_remark, installation or complaint_closed.
    pub reason: String,
    #[sea_orm(unique)]
    pub source_key: String,
    pub due_on: String,
    /// due or done.
    pub status: String,
    pub attempts: i32,
    pub called_by: Option<i64>,
    pub called_at: Option<i64>,
    /// reached, no_answer, wrong_number or declined.
    pub outcome: Option<String>,
    pub notes: Option<String>,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
