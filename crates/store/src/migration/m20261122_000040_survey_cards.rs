//! Survey cards (客户意见调查卡, SURVEY-1..3): one per service order, created the day after
//! the call by the daily survey timer. The unique index on `service_order_id` is what makes
//! "one card per call" hold even if a day's job ran twice. The answer link's token is kept
//! only as a SHA-256 (`token_hash`), like session cookies; it stops working once answered.
//! Ratings are scores 1–4 (4 = the best level), empty until answered.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, fk, flag, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create().table(Alias::new("survey_cards")).to_owned();
        t.col(id(backend))
            .col(big("org_unit_id"))
            .col(big("service_order_id"))
            .col(big("customer_id"))
            // The order's technician when the card was sent, refreshed when it is answered.
            .col(big_null("technician_id"))
            // The call day the card belongs to (ISO date in the branch's zone).
            .col(text("survey_date"))
            // portal, email, sms or letter.
            .col(text("channel"))
            .col(text("token_hash"))
            // sent or answered.
            .col(text("status"))
            .col(big("sent_at"))
            .col(big_null("answered_at"))
            // link, portal, paper or phone.
            .col(text_null("answered_via"))
            .col(big_null("answered_by"))
            .col(big_null("attitude"))
            .col(big_null("technique"))
            .col(big_null("arrival"))
            .col(big_null("promise"))
            .col(long_text_null("remark"))
            // suggestion or complaint, with a remark.
            .col(text_null("remark_kind"))
            // A remark waits for the customer department (SURVEY-3) until handed on.
            .col(flag("needs_follow_up"))
            .col(big_null("complaint_id"))
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        t.foreign_key(&mut fk(
            "fk_survey_cards_order",
            "survey_cards",
            "service_order_id",
            "service_orders",
        ))
        .foreign_key(&mut fk(
            "fk_survey_cards_customer",
            "survey_cards",
            "customer_id",
            "customers",
        ))
        .foreign_key(&mut fk(
            "fk_survey_cards_technician",
            "survey_cards",
            "technician_id",
            "users",
        ))
        .foreign_key(&mut fk(
            "fk_survey_cards_org_unit",
            "survey_cards",
            "org_unit_id",
            "org_units",
        ));
        manager.create_table(t).await?;
        for (name, columns, unique) in [
            ("ux_survey_cards_order", &["service_order_id"][..], true),
            ("ux_survey_cards_token", &["token_hash"][..], true),
            (
                "ix_survey_cards_day",
                &["org_unit_id", "survey_date"][..],
                false,
            ),
            (
                "ix_survey_cards_technician",
                &["technician_id", "survey_date"][..],
                false,
            ),
            (
                "ix_survey_cards_customer",
                &["customer_id", "id"][..],
                false,
            ),
        ] {
            manager
                .create_index(index(name, "survey_cards", columns, unique))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("survey_cards")).to_owned())
            .await
    }
}
