//! A survey card (客户意见调查卡): one per service order, sent the next day, answered once.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "survey_cards")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_unit_id: i64,
    #[sea_orm(unique)]
    pub service_order_id: i64,
    pub customer_id: i64,
    pub technician_id: Option<i64>,
    /// The call day (ISO date).
    pub survey_date: String,
    /// portal, email, sms or letter.
    pub channel: String,
    /// SHA-256 of the one-time answer link's token.
    #[serde(skip)]
    pub token_hash: String,
    /// sent or answered.
    pub status: String,
    pub sent_at: i64,
    pub answered_at: Option<i64>,
    /// link, portal, paper or phone.
    pub answered_via: Option<String>,
    pub answered_by: Option<i64>,
    /// Scores 1–4 (4 = best).
    pub attitude: Option<i64>,
    pub technique: Option<i64>,
    pub arrival: Option<i64>,
    pub promise: Option<i64>,
    pub remark: Option<String>,
    /// suggestion or complaint.
    pub remark_kind: Option<String>,
    pub needs_follow_up: bool,
    pub complaint_id: Option<i64>,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
