//! Installation and commissioning (安装调试, INSTALL-1..5).
//!
//! `installation_providers` are the installation companies: an internal team or a contracted
//! firm with its agreement dates, zones and e-mail (the work order is mailed there).
//! `installation_provider_users` ties a sign-in (role `installer`) to its company, one
//! company per user; the app layer limits such users to their company's orders.
//! `installations` is the installation work order (安装派工单): the sale it comes from, the
//! time wanted and the requirements, the company, the T17 send deadline, the commissioning
//! deadline and result, the customer-staff training, the quantities of INSTALL-5 (person-times,
//! person-days and hours in tenths, cost in fen, the contract guidance-fee flag), the
//! signature (an attachment) and the follow-up rating (1–5). `installation_installers` are
//! the people the company sent with their ID and credential numbers; `installation_events`
//! is the timeline.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, fk, flag, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn int_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).integer().null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create()
            .table(Alias::new("installation_providers"))
            .to_owned();
        t.col(id(backend))
            .col(text("name"))
            // internal or provider.
            .col(text("kind"))
            // ISO dates of the agreement (contracted firms).
            .col(text_null("agreement_start"))
            .col(text_null("agreement_end"))
            // The zones served, as the office writes them (e.g. 北京城区、北京郊区).
            .col(text_null("zones"))
            .col(text_null("email"))
            .col(text_null("contact_name"))
            .col(text_null("contact_phone"))
            .col(flag("active"))
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_installation_providers_name",
                "installation_providers",
                &["name"],
                true,
            ))
            .await?;

        let mut t = Table::create()
            .table(Alias::new("installation_provider_users"))
            .to_owned();
        t.col(id(backend))
            .col(big("provider_id"))
            .col(big("user_id"))
            .col(big("created_at"));
        t.foreign_key(&mut fk(
            "fk_installation_provider_users_provider",
            "installation_provider_users",
            "provider_id",
            "installation_providers",
        ))
        .foreign_key(&mut fk(
            "fk_installation_provider_users_user",
            "installation_provider_users",
            "user_id",
            "users",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_installation_provider_users_user",
                "installation_provider_users",
                &["user_id"],
                true,
            ))
            .await?;

        let mut t = Table::create()
            .table(Alias::new("installations"))
            .to_owned();
        t.col(id(backend))
            .col(text("number"))
            .col(big("org_unit_id"))
            .col(big("customer_id"))
            .col(big("unit_id"))
            // sale (created with the sold unit) or manual.
            .col(text("source"))
            // The instant of the sale (T17 counts from here).
            .col(big("sold_at"))
            .col(big("send_due_at"))
            .col(big_null("wanted_at"))
            .col(long_text_null("requirements"))
            .col(text_null("place"))
            .col(big_null("provider_id"))
            .col(big_null("commission_due_at"))
            .col(text("status"))
            .col(big_null("sent_at"))
            // Set by T17 when the order was not sent in time.
            .col(flag("send_overdue"))
            .col(big_null("acknowledged_at"))
            .col(big_null("commissioned_at"))
            .col(long_text_null("commissioning_result"))
            .col(text_null("trainees"))
            .col(long_text_null("training_topics"))
            .col(int_null("training_hours_tenths"))
            .col(int_null("person_times"))
            .col(int_null("person_days_tenths"))
            .col(big_null("cost_fen"))
            // The cost is a contract-specified installation-guidance fee (REPORT-1 excludes it).
            .col(flag("guidance_fee"))
            .col(big_null("completed_at"))
            .col(big_null("signature_attachment_id"))
            .col(int_null("follow_up_rating"))
            .col(long_text_null("follow_up_note"))
            .col(big_null("followed_up_at"))
            .col(big("created_by"))
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        for (name, column, table) in [
            ("fk_installations_org_unit", "org_unit_id", "org_units"),
            ("fk_installations_customer", "customer_id", "customers"),
            ("fk_installations_unit", "unit_id", "units"),
            (
                "fk_installations_provider",
                "provider_id",
                "installation_providers",
            ),
            ("fk_installations_created_by", "created_by", "users"),
        ] {
            t.foreign_key(&mut fk(name, "installations", column, table));
        }
        manager.create_table(t).await?;
        for (name, columns, unique) in [
            ("ux_installations_number", &["number"][..], true),
            (
                "ix_installations_branch_status",
                &["org_unit_id", "status"][..],
                false,
            ),
            (
                "ix_installations_provider",
                &["provider_id", "status"][..],
                false,
            ),
            ("ix_installations_completed", &["completed_at"][..], false),
        ] {
            manager
                .create_index(index(name, "installations", columns, unique))
                .await?;
        }

        let mut t = Table::create()
            .table(Alias::new("installation_installers"))
            .to_owned();
        t.col(id(backend))
            .col(big("installation_id"))
            .col(text("name"))
            // 身份证号 or staff card number: what the installer wears / shows (佩戴相关证明).
            .col(text("id_no"))
            .col(text_null("credential_no"));
        t.foreign_key(&mut fk(
            "fk_installation_installers_installation",
            "installation_installers",
            "installation_id",
            "installations",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_installation_installers_installation",
                "installation_installers",
                &["installation_id"],
                false,
            ))
            .await?;

        let mut t = Table::create()
            .table(Alias::new("installation_events"))
            .to_owned();
        t.col(id(backend))
            .col(big("installation_id"))
            .col(text("event"))
            .col(text("from_status"))
            .col(text("to_status"))
            .col(long_text_null("note"))
            .col(text_null("actor_name"))
            .col(big_null("actor_id"))
            .col(big("at"));
        t.foreign_key(&mut fk(
            "fk_installation_events_installation",
            "installation_events",
            "installation_id",
            "installations",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_installation_events_installation",
                "installation_events",
                &["installation_id", "id"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "installation_events",
            "installation_installers",
            "installations",
            "installation_provider_users",
            "installation_providers",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
