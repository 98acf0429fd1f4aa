//! A customer goods receipt (客户商品领取收据) for a carried-in unit; the goods in/out register
//! is a view over these rows.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "goods_receipts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: String,
    pub order_id: i64,
    pub org_unit_id: i64,
    pub item_description: String,
    pub serial_no: Option<String>,
    pub accessories: Option<String>,
    pub condition: Option<String>,
    /// ISO date.
    pub promised_date: String,
    /// issued or void.
    pub status: String,
    pub issued_at: i64,
    pub issued_by: i64,
    pub returned_at: Option<i64>,
    pub voided_at: Option<i64>,
    pub voided_by: Option<i64>,
    pub lost: bool,
    pub lost_approved_by: Option<i64>,
    pub overdue_notified_at: Option<i64>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
