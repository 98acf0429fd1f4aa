//! E-mail to addresses that belong to no user (a customer's survey card, SURVEY-1). The
//! notifications table is the outbox for users; this one holds mail to outside addresses and
//! is drained by the same mailer with the same claim (pending → sending → sent / failed).

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, id, index, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create().table(Alias::new("mail_outbox")).to_owned();
        t.col(id(backend))
            .col(text("to_address"))
            .col(text("subject"))
            .col(long_text_null("body"))
            // What the mail is about, e.g. `survey_card`, and its id.
            .col(text("subject_kind"))
            .col(big("subject_id"))
            .col(text("mail_status"))
            .col(big("created_at"))
            .col(big_null("mailed_at"))
            .col(text_null("last_error"));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_mail_outbox_status",
                "mail_outbox",
                &["mail_status", "id"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("mail_outbox")).to_owned())
            .await
    }
}
