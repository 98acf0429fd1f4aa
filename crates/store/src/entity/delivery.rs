//! A home delivery (送货服务).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: String,
    pub org_unit_id: i64,
    pub customer_id: i64,
    pub unit_id: i64,
    pub place: String,
    pub window_start_at: i64,
    pub window_end_at: i64,
    pub driver_id: Option<i64>,
    pub status: String,
    pub pre_call_at: Option<i64>,
    pub pre_call_unreachable: bool,
    pub pre_call_note: Option<String>,
    pub departed_at: Option<i64>,
    pub arrived_at: Option<i64>,
    pub signed_off_at: Option<i64>,
    pub signature_attachment_id: Option<i64>,
    pub defect_note: Option<String>,
    pub replaces_id: Option<i64>,
    pub replacement_id: Option<i64>,
    pub reschedules: i32,
    pub late_notices: i32,
    pub created_by: i64,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
