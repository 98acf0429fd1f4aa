//! A complaint (客户抱怨处理表, COMPLAINT-3) and its handling (Appendix C.5).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "complaints")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: String,
    pub org_unit_id: i64,
    pub status: String,
    pub complaint_type: String,
    pub severity: String,
    pub channel: String,
    pub subject_kind: String,
    pub target_level: String,
    pub target_user_id: Option<i64>,
    pub tendency: bool,
    pub accepted_at: i64,
    pub registered_by: i64,
    pub registered_by_hotline: bool,
    pub customer_id: Option<i64>,
    pub customer_name: String,
    pub contact_phone: Option<String>,
    pub product_id: Option<i64>,
    pub order_id: Option<i64>,
    pub order_number: Option<String>,
    pub part_number: Option<String>,
    pub quantity: Option<i64>,
    pub ship_date: Option<String>,
    pub staff_id: Option<i64>,
    pub dealer_name: Option<String>,
    pub content: String,
    pub demand: Option<String>,
    pub demand_reason: Option<String>,
    pub media_exposure: bool,
    pub legal_action: bool,
    pub special: bool,
    pub individual: bool,
    pub handler_id: Option<i64>,
    pub due_date: Option<String>,
    pub first_reply_at: Option<i64>,
    pub executive_reviewed_by: Option<i64>,
    pub executive_reviewed_at: Option<i64>,
    pub cause: Option<String>,
    pub responsible_department: Option<String>,
    pub responsible_user_id: Option<i64>,
    pub staff_fault: Option<String>,
    pub decision: Option<String>,
    pub told_channel: Option<String>,
    pub decided_at: Option<i64>,
    pub remedy: Option<String>,
    pub remedy_order_id: Option<i64>,
    pub corrective_action: Option<String>,
    pub corrective_owner_id: Option<i64>,
    pub corrective_due: Option<String>,
    pub effect_confirmed_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub reopen_count: i32,
    pub sanction: Option<String>,
    pub sanction_amount_fen: Option<i64>,
    pub sanction_note: Option<String>,
    pub reviewed_at: Option<i64>,
    pub reviewed_by: Option<i64>,
    pub notice_id: Option<i64>,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
