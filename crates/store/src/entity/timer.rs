//! A durable timer: a job to run once at `due_at` (Appendix D).

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "timers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The job name.
    pub kind: String,
    /// The entity the timer concerns (`contract`, …) and its id.
    pub subject: String,
    pub subject_id: i64,
    pub dedupe_key: Option<String>,
    pub due_at: i64,
    pub payload_json: Option<String>,
    /// pending, done, cancelled or failed.
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub fired_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
