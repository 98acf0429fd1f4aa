//! A buyer's after-sales request on one online order line (ECOM-2..5).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "ecom_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: String,
    pub org_unit_id: i64,
    pub customer_id: i64,
    pub order_id: i64,
    pub order_line_id: i64,
    pub request_type: String,
    pub remedy: Option<String>,
    pub description: Option<String>,
    pub refund_fen: Option<i64>,
    pub status: String,
    pub due_at: Option<i64>,
    pub accepted_by: Option<String>,
    pub rejection_reason: Option<String>,
    pub arbitration_reason: Option<String>,
    pub ruling: Option<String>,
    pub ruling_note: Option<String>,
    pub service_order_id: Option<i64>,
    pub complaint_id: Option<i64>,
    pub created_by: i64,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
