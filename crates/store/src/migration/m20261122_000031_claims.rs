//! Claims (索赔, CLAIM-1..3): the configured claim types with their standard steps (one per
//! line, so an administrator edits them as text), and the claims, which count how many of
//! their type's steps are done, carry the countermeasure due date (learned + N days), the
//! cause the prevention report groups by, the purchasing task for supplier parts and the
//! sales manager's review that closing requires. Amounts are fen; dates ISO text.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, flag, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create().table(Alias::new("claim_types")).to_owned();
        t.col(id(backend))
            .col(text("code"))
            .col(text("name"))
            .col(
                ColumnDef::new(Alias::new("steps"))
                    .text()
                    .not_null()
                    .to_owned(),
            )
            .col(flag("active"))
            .col(int("version", 1))
            .col(big("created_at"));
        manager.create_table(t).await?;
        let mut t = Table::create().table(Alias::new("claims")).to_owned();
        t.col(id(backend))
            .col(text("number"))
            .col(big("org_unit_id"))
            .col(big("claim_type_id"))
            .col(text("status"))
            .col(text("claimant"))
            .col(big_null("customer_id"))
            .col(text_null("order_number"))
            .col(text_null("product"))
            .col(big("amount_fen"))
            .col(
                ColumnDef::new(Alias::new("facts"))
                    .text()
                    .not_null()
                    .to_owned(),
            )
            .col(text("learned_on"))
            .col(text("countermeasure_due"))
            .col(int("steps_done", 0))
            .col(text_null("cause"))
            .col(long_text_null("countermeasure"))
            .col(big_null("countermeasure_at"))
            .col(long_text_null("prevention"))
            .col(big_null("purchasing_task_at"))
            .col(long_text_null("purchasing_outcome"))
            .col(big_null("reviewed_by"))
            .col(big_null("reviewed_at"))
            .col(long_text_null("review_note"))
            .col(big_null("closed_at"))
            .col(big("registered_by"))
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        manager.create_table(t).await?;
        manager
            .create_index(index("ux_claim_types_code", "claim_types", &["code"], true))
            .await?;
        manager
            .create_index(index("ux_claims_number", "claims", &["number"], true))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["claims", "claim_types"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
