//! A return or exchange request (退换货, RMA).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "return_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: String,
    pub org_unit_id: i64,
    pub customer_id: i64,
    pub unit_id: i64,
    pub reason: String,
    pub description: Option<String>,
    pub wish: String,
    pub proof_attachment_id: Option<i64>,
    pub report_attachment_id: Option<i64>,
    pub condition: Option<String>,
    pub current_price_fen: Option<i64>,
    pub status: String,
    pub decision_json: Option<String>,
    pub refund_fen: Option<i64>,
    pub shipping_paid_by: Option<String>,
    pub service_order_id: Option<i64>,
    pub root_cause: Option<String>,
    pub responsible_department: Option<String>,
    pub responsible_person: Option<String>,
    pub created_by: i64,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
