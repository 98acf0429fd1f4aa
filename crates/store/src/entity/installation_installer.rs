//! An installer the company sent, with the ID and credential numbers shown on site.

use sea_orm::entity::prelude::*;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "installation_installers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub installation_id: i64,
    pub name: String,
    pub id_no: String,
    pub credential_no: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
