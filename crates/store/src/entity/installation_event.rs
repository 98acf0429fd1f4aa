//! One step on an installation order's timeline.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "installation_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub installation_id: i64,
    pub event: String,
    pub from_status: String,
    pub to_status: String,
    pub note: Option<String>,
    pub actor_name: Option<String>,
    pub actor_id: Option<i64>,
    pub at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
