//! A periodic staff evaluation (SUPERVISION-1).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "staff_evaluations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_unit_id: i64,
    pub staff_id: i64,
    pub period: String,
    pub attitude: i32,
    pub knowledge: i32,
    pub communication: i32,
    pub remarks: Option<String>,
    pub evaluated_by: i64,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
