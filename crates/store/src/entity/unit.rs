//! A sold unit (installed base).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "units")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub serial_no: String,
    pub product_id: i64,
    pub customer_id: i64,
    pub org_unit_id: i64,
    pub address_id: Option<i64>,
    pub purchase_date: String,
    pub install_date: Option<String>,
    pub store: Option<String>,
    pub invoice_no: Option<String>,
    pub list_price_fen: i64,
    pub paid_price_fen: i64,
    pub seasonal: bool,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
