//! A person who signs in: staff, or a customer's portal user.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub org_unit_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub badge_no: Option<String>,
    pub locale: Option<String>,
    pub active: bool,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
