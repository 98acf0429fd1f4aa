//! Discipline incidents (STAFF-6): the staff member, the type, what it rests on (evidence
//! links to a service order, a complaint or a survey card, and the record type that opened
//! it), and the decision: sanction, fine, who approved and when. Other areas open incidents
//! in their own transactions (repeat repairs, complaints, returns).

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, fk, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create()
            .table(Alias::new("discipline_incidents"))
            .to_owned();
        t.col(id(backend))
            // The staff member's unit when the incident was opened (scope).
            .col(big("org_unit_id"))
            .col(big("staff_id"))
            .col(text("kind"))
            .col(long_text_null("description"))
            // Evidence links.
            .col(big_null("service_order_id"))
            .col(big_null("complaint_id"))
            .col(big_null("survey_card_id"))
            // manual, repeat_repair, complaint, rma, … : what opened it.
            .col(text("source"))
            // open, approved or dismissed.
            .col(text("status"))
            .col(text_null("sanction"))
            .col(big_null("fine_fen"))
            .col(big_null("decided_by"))
            .col(big_null("decided_at"))
            .col(long_text_null("decision_note"))
            .col(big_null("opened_by"))
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        t.foreign_key(&mut fk(
            "fk_discipline_incidents_staff",
            "discipline_incidents",
            "staff_id",
            "users",
        ))
        .foreign_key(&mut fk(
            "fk_discipline_incidents_order",
            "discipline_incidents",
            "service_order_id",
            "service_orders",
        ))
        .foreign_key(&mut fk(
            "fk_discipline_incidents_card",
            "discipline_incidents",
            "survey_card_id",
            "survey_cards",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_discipline_incidents_staff",
                "discipline_incidents",
                &["staff_id", "id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_discipline_incidents_status",
                "discipline_incidents",
                &["org_unit_id", "status"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("discipline_incidents"))
                    .to_owned(),
            )
            .await
    }
}
