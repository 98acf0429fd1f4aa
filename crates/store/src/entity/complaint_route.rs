//! A configured routing rule: complaints of a type go to a department (COMPLAINT-4). A type without rows uses the defaults in domain::complaint.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "complaint_routes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub complaint_type: String,
    pub department: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
