//! Online buyer after-sales requests (ECOM-1..5). Online orders are imported with their lines,
//! carrier, tracking number and sign-off time. A buyer files one request per order line
//! (`ux_ecom_requests_line`: the one-shot rule, ECOM-3, read per line as the spec allows); the
//! type and remedy are fixed when filed. Every step is a row in `ecom_request_events`, the
//! timeline the buyer reads in the portal.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, fk, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut t = Table::create().table(Alias::new("ecom_orders")).to_owned();
        t.col(id(backend))
            .col(text("order_number"))
            .col(big("org_unit_id"))
            .col(big("customer_id"))
            // The shop or marketplace, as the import names it.
            .col(text_null("platform"))
            .col(text_null("carrier"))
            .col(text_null("tracking_no"))
            // When the buyer signed for the parcel; empty while not received (or refused).
            .col(big_null("signed_at"))
            .col(big("created_by"))
            .col(big("created_at"));
        for (name, column, table) in [
            ("fk_ecom_orders_org_unit", "org_unit_id", "org_units"),
            ("fk_ecom_orders_customer", "customer_id", "customers"),
            ("fk_ecom_orders_created_by", "created_by", "users"),
        ] {
            t.foreign_key(&mut fk(name, "ecom_orders", column, table));
        }
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_ecom_orders_number",
                "ecom_orders",
                &["order_number"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_ecom_orders_customer",
                "ecom_orders",
                &["customer_id", "id"],
                false,
            ))
            .await?;

        let mut t = Table::create()
            .table(Alias::new("ecom_order_lines"))
            .to_owned();
        t.col(id(backend))
            .col(big("order_id"))
            .col(int("line_no", 1))
            .col(text("sku"))
            .col(text("product_name"))
            // The catalogue product, when the SKU names a model on file (repairs need it).
            .col(big_null("product_id"))
            .col(int("quantity", 1))
            .col(big("price_fen"));
        t.foreign_key(&mut fk(
            "fk_ecom_order_lines_order",
            "ecom_order_lines",
            "order_id",
            "ecom_orders",
        ))
        .foreign_key(&mut fk(
            "fk_ecom_order_lines_product",
            "ecom_order_lines",
            "product_id",
            "products",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ux_ecom_order_lines_order_line",
                "ecom_order_lines",
                &["order_id", "line_no"],
                true,
            ))
            .await?;

        let mut t = Table::create()
            .table(Alias::new("ecom_requests"))
            .to_owned();
        t.col(id(backend))
            .col(text("number"))
            .col(big("org_unit_id"))
            .col(big("customer_id"))
            .col(big("order_id"))
            .col(big("order_line_id"))
            // refund_only, quality_return or protection: chosen once (ECOM-3).
            .col(text("request_type"))
            // For a protection claim: return, exchange or repair.
            .col(text_null("remedy"))
            .col(long_text_null("description"))
            .col(big_null("refund_fen"))
            .col(text("status"))
            // The deadline of the step now running (seller's answer, buyer's appeal, ruling).
            .col(big_null("due_at"))
            // seller, timer or arbiter: who accepted it, when accepted.
            .col(text_null("accepted_by"))
            .col(long_text_null("rejection_reason"))
            .col(long_text_null("arbitration_reason"))
            // buyer or seller: whom the arbiter found for.
            .col(text_null("ruling"))
            .col(long_text_null("ruling_note"))
            .col(big_null("service_order_id"))
            .col(big_null("complaint_id"))
            .col(big("created_by"))
            .col(int("version", 1))
            .col(big("created_at"))
            .col(big("updated_at"));
        for (name, column, table) in [
            ("fk_ecom_requests_org_unit", "org_unit_id", "org_units"),
            ("fk_ecom_requests_customer", "customer_id", "customers"),
            ("fk_ecom_requests_order", "order_id", "ecom_orders"),
            ("fk_ecom_requests_line", "order_line_id", "ecom_order_lines"),
            (
                "fk_ecom_requests_service_order",
                "service_order_id",
                "service_orders",
            ),
            ("fk_ecom_requests_complaint", "complaint_id", "complaints"),
            ("fk_ecom_requests_created_by", "created_by", "users"),
        ] {
            t.foreign_key(&mut fk(name, "ecom_requests", column, table));
        }
        manager.create_table(t).await?;
        for (name, columns, unique) in [
            ("ux_ecom_requests_number", &["number"][..], true),
            ("ux_ecom_requests_line", &["order_line_id"][..], true),
            (
                "ix_ecom_requests_branch_status",
                &["org_unit_id", "status"][..],
                false,
            ),
            (
                "ix_ecom_requests_customer",
                &["customer_id", "id"][..],
                false,
            ),
        ] {
            manager
                .create_index(index(name, "ecom_requests", columns, unique))
                .await?;
        }

        let mut t = Table::create()
            .table(Alias::new("ecom_request_events"))
            .to_owned();
        t.col(id(backend))
            .col(big("request_id"))
            // filed, accept, auto_accept, reject, request_arbitration, rule_for_buyer,
            // rule_for_seller, cancel, evidence, repair_order, external_escalation.
            .col(text("event"))
            // Empty for the system (the T15 timer).
            .col(big_null("actor_user_id"))
            .col(long_text_null("note"))
            .col(big("at"));
        t.foreign_key(&mut fk(
            "fk_ecom_request_events_request",
            "ecom_request_events",
            "request_id",
            "ecom_requests",
        ))
        .foreign_key(&mut fk(
            "fk_ecom_request_events_actor",
            "ecom_request_events",
            "actor_user_id",
            "users",
        ));
        manager.create_table(t).await?;
        manager
            .create_index(index(
                "ix_ecom_request_events_request",
                "ecom_request_events",
                &["request_id", "id"],
                false,
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "ecom_request_events",
            "ecom_requests",
            "ecom_order_lines",
            "ecom_orders",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
