//! A logged supervision activity: a visit, forum, committee meeting or compliance review.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "supervision_activities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_unit_id: i64,
    pub kind: String,
    pub customer_id: Option<i64>,
    pub held_on: String,
    pub title: String,
    pub participants: Option<String>,
    pub minutes: Option<String>,
    pub compliant: Option<bool>,
    pub recorded_by: i64,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
