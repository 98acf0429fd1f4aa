//! Improvement suggestions (STAFF-5) with the customer department's answer and the reward,
//! also suggestion forms from public places (SUPERVISION-4) and valuable survey suggestions
//! (SURVEY-3), told apart by `source`.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create().table(Alias::new("suggestions")).to_owned();
        t.col(id(backend))
            .col(big("org_unit_id"))
            // employee, public_place or survey.
            .col(text("source"))
            .col(big("submitted_by"))
            // A public-place form's or survey customer's name, when given.
            .col(text_null("author_name"))
            .col(big_null("survey_card_id"))
            .col(text("title"))
            .col(long_text_null("content"))
            // submitted, answered or rewarded.
            .col(text("status"))
            .col(long_text_null("answer"))
            .col(big_null("answered_by"))
            .col(big_null("answered_at"))
            .col(big_null("reward_fen"))
            .col(long_text_null("reward_description"))
            .col(big_null("rewarded_by"))
            .col(big_null("rewarded_at"))
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_suggestions_status",
                "suggestions",
                &["status", "id"],
                false,
            ))
            .await?;
        // One suggestion per survey card.
        manager
            .create_index(index(
                "ux_suggestions_survey_card",
                "suggestions",
                &["survey_card_id"],
                true,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("suggestions")).to_owned())
            .await
    }
}
