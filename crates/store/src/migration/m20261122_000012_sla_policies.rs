//! SLA policies (issue "Working calendars, SLA clocks…"): ordered rules matched on the
//! category, fault class, zone, customer class and urgency of an order, each with its clocks.
//! A clock is named by the order events that start and stop it (comma-separated codes) and
//! counts working or calendar time. When no policy matches, the settings' default applies.
//! Seeded with the software-issue policy of SOFTWARE-4 / T19 (24 hours, paused on the customer).

use sea_orm_migration::prelude::*;

use super::cols::{big, fk, flag, id, index, int, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create().table(Alias::new("sla_policies")).to_owned();
        t.col(id(backend))
            .col(text("name"))
            .col(int("rank", 100))
            .col(text_null("category"))
            .col(text_null("fault_class"))
            .col(text_null("zone"))
            .col(text_null("customer_class"))
            .col(text_null("urgency"))
            .col(flag("active"))
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        manager.create_table(t).await?;

        let mut t = Table::create()
            .table(Alias::new("sla_policy_clocks"))
            .to_owned();
        t.col(id(backend))
            .col(big("policy_id"))
            .col(text("name"))
            .col(text("start_on"))
            .col(text("stop_on"))
            .col(big("target_minutes"))
            // working or elapsed.
            .col(text("time_kind"))
            .foreign_key(&mut fk(
                "fk_sla_policy_clocks_policy",
                "sla_policy_clocks",
                "policy_id",
                "sla_policies",
            ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_sla_policy_clocks_name",
                "sla_policy_clocks",
                &["policy_id", "name"],
                true,
            ))
            .await?;

        let insert = Query::insert()
            .into_table(Alias::new("sla_policies"))
            .columns(
                [
                    "name",
                    "rank",
                    "fault_class",
                    "active",
                    "version",
                    "created_at",
                    "updated_at",
                ]
                .map(Alias::new),
            )
            .values_panic([
                "软件问题 Software issues".into(),
                10.into(),
                "software".into(),
                true.into(),
                1.into(),
                0i64.into(),
                0i64.into(),
            ])
            .to_owned();
        manager.exec_stmt(insert).await?;
        for (name, start_on, stop_on, minutes, kind) in [
            (
                "first_contact",
                "dispatch,reassign",
                "record_contact",
                30i64,
                "working",
            ),
            (
                "resolution",
                "register",
                "complete_on_site,return_to_customer",
                24 * 60,
                "elapsed",
            ),
        ] {
            let insert = Query::insert()
                .into_table(Alias::new("sla_policy_clocks"))
                .columns(
                    [
                        "policy_id",
                        "name",
                        "start_on",
                        "stop_on",
                        "target_minutes",
                        "time_kind",
                    ]
                    .map(Alias::new),
                )
                .select_from(
                    Query::select()
                        .column(Alias::new("id"))
                        .expr(Expr::val(name))
                        .expr(Expr::val(start_on))
                        .expr(Expr::val(stop_on))
                        .expr(Expr::val(minutes))
                        .expr(Expr::val(kind))
                        .from(Alias::new("sla_policies"))
                        .and_where(Expr::col(Alias::new("fault_class")).eq("software"))
                        .to_owned(),
                )
                .map_err(|err| DbErr::Custom(err.to_string()))?
                .to_owned();
            manager.exec_stmt(insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["sla_policy_clocks", "sla_policies"] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
