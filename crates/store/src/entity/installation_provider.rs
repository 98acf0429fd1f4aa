//! An installation company: an internal team or a contracted firm (INSTALL-2).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "installation_providers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// internal or provider.
    pub kind: String,
    pub agreement_start: Option<String>,
    pub agreement_end: Option<String>,
    pub zones: Option<String>,
    pub email: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub active: bool,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
