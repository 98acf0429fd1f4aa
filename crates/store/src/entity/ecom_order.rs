//! An online order imported from a shop (ECOM-1).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "ecom_orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_number: String,
    pub org_unit_id: i64,
    pub customer_id: i64,
    pub platform: Option<String>,
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
    pub signed_at: Option<i64>,
    pub created_by: i64,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
