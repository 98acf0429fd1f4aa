//! Durable timers (Appendix D) and in-app notifications (SYSTEM-3).
//!
//! A timer is a row: a job name (`kind`), the record it concerns, when it is due and a JSON
//! payload. The runner claims due pending rows, runs the job and marks the row `done` in the
//! same transaction. `dedupe_key` is unique (NULLs are distinct on both databases), so
//! scheduling the same thing twice is a no-op.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();

        let mut t = Table::create().table(Alias::new("timers")).to_owned();
        t.col(id(backend))
            .col(text("kind"))
            .col(text("subject"))
            .col(big("subject_id"))
            .col(text_null("dedupe_key"))
            .col(big("due_at"))
            .col(long_text_null("payload_json"))
            .col(text("status"))
            .col(int("attempts", 0))
            .col(long_text_null("last_error"))
            .col(big_null("fired_at"))
            .col(big("created_at"));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_timers_dedupe_key",
                "timers",
                &["dedupe_key"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_timers_status_due_at",
                "timers",
                &["status", "due_at"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_timers_subject",
                "timers",
                &["subject", "subject_id"],
                false,
            ))
            .await?;

        // `mail_status`: NULL when the notification is not to be mailed (no address), else
        // pending → sent | failed; the mailer sends after the creating transaction commits.
        let mut t = Table::create()
            .table(Alias::new("notifications"))
            .to_owned();
        t.col(id(backend))
            .col(big("user_id"))
            .col(text("kind"))
            .col(text("title"))
            .col(long_text_null("body"))
            .col(text_null("link"))
            .col(big("created_at"))
            .col(big_null("read_at"))
            .col(text_null("mail_status"))
            .col(big_null("mailed_at"));
        t.foreign_key(&mut super::cols::fk(
            "fk_notifications_user",
            "notifications",
            "user_id",
            "users",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_notifications_user",
                "notifications",
                &["user_id", "read_at"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_notifications_mail_status",
                "notifications",
                &["mail_status"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("notifications")).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Alias::new("timers")).to_owned())
            .await
    }
}
