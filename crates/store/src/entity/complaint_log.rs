//! One logged contact or decision on a complaint: reply, visit, call, outcome told, satisfaction, case conference, executive review, note.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "complaint_logs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub complaint_id: i64,
    pub kind: String,
    pub channel: Option<String>,
    pub text: Option<String>,
    pub satisfied: bool,
    pub participants: Option<String>,
    pub by_user: i64,
    pub at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
