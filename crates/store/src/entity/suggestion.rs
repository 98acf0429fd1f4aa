//! An improvement suggestion with its answer and reward (STAFF-5).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "suggestions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub org_unit_id: i64,
    pub source: String,
    pub submitted_by: i64,
    pub author_name: Option<String>,
    pub survey_card_id: Option<i64>,
    pub title: String,
    pub content: Option<String>,
    pub status: String,
    pub answer: Option<String>,
    pub answered_by: Option<i64>,
    pub answered_at: Option<i64>,
    pub reward_fen: Option<i64>,
    pub reward_description: Option<String>,
    pub rewarded_by: Option<i64>,
    pub rewarded_at: Option<i64>,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
