//! Service supervision (SUPERVISION-1, 3, 4, 5; CUSTOMER-5 / T24): periodic staff
//! evaluations, logged supervision activities (visits, forums, committee meetings,
//! compliance reviews), visit plans per key account and the visit tasks the coverage sweep
//! opens, mystery-shopper reports, and the findings of the hotline re-check. The re-check
//! sample itself is not stored: it is drawn from a hash of the complaint id.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, fk, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn flag_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).boolean().null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();

        let mut t = Table::create()
            .table(Alias::new("staff_evaluations"))
            .to_owned();
        t.col(id(backend))
            // The staff member's unit (scope).
            .col(big("org_unit_id"))
            .col(big("staff_id"))
            // YYYY-MM or YYYY-Qn.
            .col(text("period"))
            // 1 (poor) to 5 (excellent).
            .col(int("attitude", 0))
            .col(int("knowledge", 0))
            .col(int("communication", 0))
            .col(long_text_null("remarks"))
            .col(big("evaluated_by"))
            .col(big("created_at"));
        t.foreign_key(&mut fk(
            "fk_staff_evaluations_staff",
            "staff_evaluations",
            "staff_id",
            "users",
        ));
        manager.create_table(t).await?;
        // One evaluation per staff member and period.
        manager
            .create_index(index(
                "ux_staff_evaluations_period",
                "staff_evaluations",
                &["staff_id", "period"],
                true,
            ))
            .await?;

        let mut t = Table::create()
            .table(Alias::new("supervision_activities"))
            .to_owned();
        t.col(id(backend))
            .col(big("org_unit_id"))
            // customer_visit, customer_forum, committee_meeting or compliance_review.
            .col(text("kind"))
            .col(big_null("customer_id"))
            // ISO date the activity took place.
            .col(text("held_on"))
            .col(text("title"))
            .col(long_text_null("participants"))
            // Minutes or findings.
            .col(long_text_null("minutes"))
            // Compliance reviews only: whether the process was followed.
            .col(flag_null("compliant"))
            .col(big("recorded_by"))
            .col(big("created_at"));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_supervision_activities_customer",
                "supervision_activities",
                &["customer_id", "held_on"],
                false,
            ))
            .await?;

        let mut t = Table::create().table(Alias::new("visit_plans")).to_owned();
        t.col(id(backend))
            .col(big("customer_id"))
            // Who visits and is told when a visit is due.
            .col(big("owner_id"))
            .col(long_text_null("note"))
            .col(big("created_by"))
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        t.foreign_key(&mut fk(
            "fk_visit_plans_customer",
            "visit_plans",
            "customer_id",
            "customers",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_visit_plans_customer",
                "visit_plans",
                &["customer_id"],
                true,
            ))
            .await?;

        let mut t = Table::create().table(Alias::new("visit_tasks")).to_owned();
        t.col(id(backend))
            .col(big("customer_id"))
            .col(big("org_unit_id"))
            .col(big_null("owner_id"))
            // The last visit (or the day the customer was taken on) the task counts from.
            .col(text("since"))
            // open or done.
            .col(text("status"))
            .col(big_null("activity_id"))
            .col(big("created_at"))
            .col(big_null("done_at"));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_visit_tasks_customer",
                "visit_tasks",
                &["customer_id", "status"],
                false,
            ))
            .await?;

        let mut t = Table::create()
            .table(Alias::new("mystery_shopper_reports"))
            .to_owned();
        t.col(id(backend))
            // The inspected branch.
            .col(big("org_unit_id"))
            // The shopper's identity: never shown outside the supervision department.
            .col(text("shopper_name"))
            .col(text_null("shopper_contact"))
            .col(text("visited_on"))
            .col(big_null("service_order_id"))
            // 1 (poor) to 5 (excellent).
            .col(int("score", 0))
            .col(long_text_null("findings"))
            .col(big("filed_by"))
            .col(big("created_at"));
        manager.create_table(t).await?;

        let mut t = Table::create()
            .table(Alias::new("hotline_rechecks"))
            .to_owned();
        t.col(id(backend))
            .col(big("complaint_id"))
            // Whether the hotline handled the case correctly.
            .col(flag_null("handled_correctly"))
            .col(long_text_null("finding"))
            .col(big("checked_by"))
            .col(big("checked_at"));
        t.foreign_key(&mut fk(
            "fk_hotline_rechecks_complaint",
            "hotline_rechecks",
            "complaint_id",
            "complaints",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_hotline_rechecks_complaint",
                "hotline_rechecks",
                &["complaint_id"],
                true,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "hotline_rechecks",
            "mystery_shopper_reports",
            "visit_tasks",
            "visit_plans",
            "supervision_activities",
            "staff_evaluations",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
