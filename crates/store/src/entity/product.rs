//! A product model in the catalogue.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "products")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub model: String,
    pub name: String,
    pub category: String,
    pub warranty_months: i32,
    pub returnable: bool,
    pub sanbao: bool,
    pub bulky: bool,
    pub needs_installation: bool,
    pub seasonal: bool,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
