//! An invoice raised from a service voucher (BILLING-4/5), its collection task and mailing.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "invoices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: String,
    pub order_id: i64,
    pub org_unit_id: i64,
    pub amount_fen: i64,
    pub buyer_name: String,
    pub buyer_tax_id: Option<String>,
    pub issued_at: i64,
    pub issued_by: i64,
    /// none (paid in cash), open or collected.
    pub collection: String,
    pub collected_fen: Option<i64>,
    /// ISO date the payment was received.
    pub collected_on: Option<String>,
    pub collected_by: Option<i64>,
    pub mailed_at: Option<i64>,
    pub mailed_by: Option<i64>,
    /// The post's tracking number of the mailed invoice.
    pub tracking_no: Option<String>,
    pub version: i32,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
