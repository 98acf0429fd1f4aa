//! Service orders (服务凭证) and their timeline. An order row holds the current state and the
//! instants the SLA clocks need (call time, dispatch, contact, arrival, completion), so the
//! clocks can be computed without re-capturing anything; every change is also an immutable
//! event row (ORG-5).

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, fk, flag, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create()
            .table(Alias::new("service_orders"))
            .to_owned();
        t.col(id(backend))
            .col(text("number"))
            .col(big("org_unit_id"))
            .col(text("channel"))
            .col(big("customer_id"))
            .col(big_null("address_id"))
            .col(big_null("unit_id"))
            .col(big_null("product_id"))
            .col(text_null("component"))
            .col(long_text_null("fault_description"))
            .col(text("fault_class"))
            .col(text("urgency"))
            .col(text("category"))
            .col(text("proposed_category"))
            .col(text_null("category_reason"))
            .col(text("status"))
            .col(flag("priority"))
            .col(big_null("technician_id"))
            .col(big_null("repeat_of_id"))
            .col(text_null("preferred_time"))
            // 叫修时间: when the customer called; the arrival clock starts here (DISPATCH-3).
            .col(big("received_at"))
            .col(big("registered_by"))
            .col(big_null("dispatched_at"))
            .col(big_null("contacted_at"))
            .col(big_null("appointment_at"))
            .col(big_null("arrived_at"))
            .col(big_null("completed_at"))
            .col(big_null("returned_at"))
            .col(big_null("archived_at"))
            .col(big_null("cancelled_at"))
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        t.foreign_key(&mut fk(
            "fk_orders_org_unit",
            "service_orders",
            "org_unit_id",
            "org_units",
        ))
        .foreign_key(&mut fk(
            "fk_orders_customer",
            "service_orders",
            "customer_id",
            "customers",
        ))
        .foreign_key(&mut fk(
            "fk_orders_address",
            "service_orders",
            "address_id",
            "customer_addresses",
        ))
        .foreign_key(&mut fk(
            "fk_orders_unit",
            "service_orders",
            "unit_id",
            "units",
        ))
        .foreign_key(&mut fk(
            "fk_orders_product",
            "service_orders",
            "product_id",
            "products",
        ))
        .foreign_key(&mut fk(
            "fk_orders_technician",
            "service_orders",
            "technician_id",
            "users",
        ))
        .foreign_key(&mut fk(
            "fk_orders_repeat_of",
            "service_orders",
            "repeat_of_id",
            "service_orders",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_orders_number",
                "service_orders",
                &["number"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_orders_branch_status",
                "service_orders",
                &["org_unit_id", "status", "received_at"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_orders_technician",
                "service_orders",
                &["technician_id", "status"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_orders_customer",
                "service_orders",
                &["customer_id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_orders_unit",
                "service_orders",
                &["unit_id"],
                false,
            ))
            .await?;

        let mut t = Table::create()
            .table(Alias::new("service_order_events"))
            .to_owned();
        t.col(id(backend))
            .col(big("order_id"))
            .col(big("at"))
            .col(big_null("actor_id"))
            .col(text("event"))
            .col(text("from_status"))
            .col(text("to_status"))
            .col(long_text_null("note"));
        t.foreign_key(&mut fk(
            "fk_order_events_order",
            "service_order_events",
            "order_id",
            "service_orders",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_order_events_order",
                "service_order_events",
                &["order_id"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["service_order_events", "service_orders"] {
            manager
                .drop_table(Table::drop().table(Alias::new(name)).to_owned())
                .await?;
        }
        Ok(())
    }
}
