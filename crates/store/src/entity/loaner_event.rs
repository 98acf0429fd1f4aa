//! One step in a loaner's history.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "loaner_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub loaner_id: i64,
    pub event: String,
    pub order_id: Option<i64>,
    pub note: Option<String>,
    pub created_by: i64,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
