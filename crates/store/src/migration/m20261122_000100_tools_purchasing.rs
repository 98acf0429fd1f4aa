//! Replenishment and tools (PARTS-2/3, TOOLS-1..3): parts purchase requests (零件请购), the
//! tool register with its custody history and compensation records, and tool purchase
//! requests with their price quotes.
//!
//! A purchase request is one part for one location (decision: the replenishment proposal
//! is per part and location, and a receipt posts one ledger movement), optionally for the
//! service order that waits for it. A tool's custody is the `tools.holder_id` column plus an
//! insert-only `tool_events` history, so who held it when is always known.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, fk, id, index, int, long_text_null, text, text_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn create(
    manager: &SchemaManager<'_>,
    name: &str,
    columns: Vec<ColumnDef>,
    foreign_keys: &[(&str, &str)],
) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    let mut t = Table::create().table(Alias::new(name)).to_owned();
    t.col(id(backend));
    for mut column in columns {
        t.col(&mut column);
    }
    for (column, target) in foreign_keys {
        t.foreign_key(&mut fk(
            &format!("fk_{name}_{column}"),
            name,
            column,
            target,
        ));
    }
    manager.create_table(t).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create(
            manager,
            "purchase_requests",
            vec![
                big("part_id"),
                // The location the parts are for (and received into).
                big("location_id"),
                big("quantity"),
                // The expected unit cost (the part's list cost when requested).
                big("unit_cost_fen"),
                // The service order waiting for the parts, if any.
                big_null("order_id"),
                // domain::purchase::PurchaseStatus: requested, approved, rejected, received.
                text("status"),
                text_null("note"),
                big("requested_by"),
                big("requested_at"),
                big_null("decided_by"),
                big_null("decided_at"),
                text_null("decision_reason"),
                big_null("received_by"),
                big_null("received_at"),
                // The receipt posted into the ledger.
                big_null("movement_id"),
                int("version", 1),
            ],
            &[
                ("part_id", "parts"),
                ("location_id", "stock_locations"),
                ("order_id", "service_orders"),
                ("requested_by", "users"),
            ],
        )
        .await?;
        manager
            .create_index(index(
                "ix_purchase_requests_status",
                "purchase_requests",
                &["status", "location_id"],
                false,
            ))
            .await?;
        create(
            manager,
            "tool_purchase_requests",
            vec![
                text("name"),
                // Why the tool is needed.
                text("purpose"),
                big("org_unit_id"),
                // domain::tools::PurchaseStatus: enquiry, price_checked, approved, rejected,
                // purchased.
                text("status"),
                // The finance price check's note and the decisions' reasons.
                text_null("price_check_note"),
                text_null("decision_reason"),
                big("requested_by"),
                big("requested_at"),
                big_null("price_checked_by"),
                big_null("price_checked_at"),
                big_null("approved_by"),
                big_null("approved_at"),
                big_null("purchased_by"),
                big_null("purchased_at"),
                // The tool registered from the purchase.
                big_null("tool_id"),
                int("version", 1),
            ],
            &[("org_unit_id", "org_units"), ("requested_by", "users")],
        )
        .await?;
        create(
            manager,
            "tool_purchase_quotes",
            vec![
                big("request_id"),
                text("supplier"),
                big("price_fen"),
                // The quote the request proposes to buy from.
                ColumnDef::new(Alias::new("chosen"))
                    .boolean()
                    .not_null()
                    .default(false)
                    .to_owned(),
            ],
            &[("request_id", "tool_purchase_requests")],
        )
        .await?;
        create(
            manager,
            "tools",
            vec![
                text("asset_no"),
                text("name"),
                big("value_fen"),
                // Value ≥ tools.fixed_asset_threshold when registered (固定资产).
                ColumnDef::new(Alias::new("fixed_asset"))
                    .boolean()
                    .not_null()
                    .default(false)
                    .to_owned(),
                big("org_unit_id"),
                // domain::tools::ToolStatus: in_stock, issued, lost, damaged, worn_out.
                text("status"),
                // The person who holds it in personal custody, while issued.
                big_null("holder_id"),
                // When the holder accepted the no-private-use rule (TOOLS-1).
                big_null("rule_accepted_at"),
                big_null("purchase_request_id"),
                int("version", 1),
                big("created_at"),
            ],
            &[("org_unit_id", "org_units"), ("holder_id", "users")],
        )
        .await?;
        manager
            .create_index(index("ux_tools_asset_no", "tools", &["asset_no"], true))
            .await?;
        manager
            .create_index(index("ix_tools_holder", "tools", &["holder_id"], false))
            .await?;
        create(
            manager,
            "tool_events",
            vec![
                big("tool_id"),
                // register, issue, return, hand_over, loss, damage, wear_out.
                text("event"),
                big_null("from_holder_id"),
                big_null("to_holder_id"),
                text_null("note"),
                // The written cause report (wear-out or damage of a valuable tool).
                long_text_null("cause_report"),
                big("created_by"),
                big("created_at"),
            ],
            &[("tool_id", "tools"), ("created_by", "users")],
        )
        .await?;
        create(
            manager,
            "tool_compensations",
            vec![
                big("tool_id"),
                big("event_id"),
                // The person who owes it.
                big("staff_id"),
                big("amount_fen"),
                text("reason"),
                // The staff incident opened for a loss.
                big_null("incident_id"),
                big("created_by"),
                big("created_at"),
            ],
            &[
                ("tool_id", "tools"),
                ("event_id", "tool_events"),
                ("staff_id", "users"),
            ],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "tool_compensations",
            "tool_events",
            "tools",
            "tool_purchase_quotes",
            "tool_purchase_requests",
            "purchase_requests",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
