//! Spare parts (PARTS-1..4): the catalogue, stock locations, the append-only stock ledger
//! with its cached stock levels, stock counts and loaner units.
//!
//! `stock_movements` is the ledger: rows are only ever inserted. `stock_levels` caches the
//! sum of a (part, location)'s movement deltas for speed and holds its reorder point; it is
//! changed only by the conditional `UPDATE … WHERE on_hand + delta >= 0` that goes with each
//! ledger insert, in the same transaction, so it can never disagree with the ledger nor go
//! below zero, also with concurrent writers.

use sea_orm_migration::prelude::*;

use super::cols::{big, big_null, fk, flag, id, index, int, text, text_null};

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
            "parts",
            vec![
                text("part_number"),
                text("name"),
                // The unit of measure, e.g. 个, 套, 米.
                text("unit"),
                // The list purchase cost, and the moving average over the stock (decision).
                big("cost_fen"),
                big("avg_cost_fen"),
                big("sale_price_fen"),
                text("supplier"),
                // a, b or c: computed from the last 12 months' consumption value.
                text("abc_class"),
                text_null("abc_override"),
                text_null("abc_override_reason"),
                flag("active"),
                int("version", 1),
                big("created_at"),
                big("updated_at"),
            ],
            &[],
        )
        .await?;
        manager
            .create_index(index(
                "ux_parts_part_number",
                "parts",
                &["part_number"],
                true,
            ))
            .await?;
        // The products a part fits.
        create(
            manager,
            "part_fits",
            vec![big("part_id"), big("product_id")],
            &[("part_id", "parts"), ("product_id", "products")],
        )
        .await?;
        manager
            .create_index(index(
                "ux_part_fits",
                "part_fits",
                &["part_id", "product_id"],
                true,
            ))
            .await?;
        create(
            manager,
            "stock_locations",
            vec![
                text("code"),
                text("name"),
                // central, branch or van.
                text("kind"),
                big("org_unit_id"),
                // The technician whose van or bag this is (kind van only).
                big_null("technician_id"),
                flag("active"),
                big("created_at"),
            ],
            &[("org_unit_id", "org_units"), ("technician_id", "users")],
        )
        .await?;
        manager
            .create_index(index(
                "ux_stock_locations_code",
                "stock_locations",
                &["code"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "ux_stock_locations_technician",
                "stock_locations",
                &["technician_id"],
                true,
            ))
            .await?;
        create(
            manager,
            "stock_levels",
            vec![
                big("part_id"),
                big("location_id"),
                big("on_hand"),
                big("reorder_point"),
                big("order_quantity"),
            ],
            &[("part_id", "parts"), ("location_id", "stock_locations")],
        )
        .await?;
        manager
            .create_index(index(
                "ux_stock_levels",
                "stock_levels",
                &["part_id", "location_id"],
                true,
            ))
            .await?;
        create(
            manager,
            "stock_movements",
            vec![
                big("part_id"),
                big("location_id"),
                // domain::parts::MovementKind.
                text("kind"),
                // The quantity moved (positive, or signed for a count adjustment) and its
                // effect on the stock (0 for a faulty part handed in).
                big("quantity"),
                big("delta"),
                big("unit_cost_fen"),
                // The other location of a transfer.
                big_null("other_location_id"),
                big_null("order_id"),
                big_null("count_id"),
                text_null("reason"),
                big("created_by"),
                big("created_at"),
            ],
            &[
                ("part_id", "parts"),
                ("location_id", "stock_locations"),
                ("order_id", "service_orders"),
                ("created_by", "users"),
            ],
        )
        .await?;
        manager
            .create_index(index(
                "ix_stock_movements_part_location",
                "stock_movements",
                &["part_id", "location_id", "id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "ix_stock_movements_order",
                "stock_movements",
                &["order_id"],
                false,
            ))
            .await?;
        create(
            manager,
            "stock_counts",
            vec![
                big("location_id"),
                // full (全面盘点) or a, b, c (cycle count of one class).
                text("scope"),
                // open → submitted → approved | rejected.
                text("status"),
                text_null("reason"),
                big("created_by"),
                big("created_at"),
                big_null("submitted_at"),
                big_null("decided_by"),
                big_null("decided_at"),
                int("version", 1),
            ],
            &[("location_id", "stock_locations"), ("created_by", "users")],
        )
        .await?;
        create(
            manager,
            "stock_count_lines",
            vec![
                big("count_id"),
                big("part_id"),
                // The stock on hand when the sheet was drawn up.
                big("book_quantity"),
                big_null("counted_quantity"),
            ],
            &[("count_id", "stock_counts"), ("part_id", "parts")],
        )
        .await?;
        manager
            .create_index(index(
                "ux_stock_count_lines",
                "stock_count_lines",
                &["count_id", "part_id"],
                true,
            ))
            .await?;
        create(
            manager,
            "loaners",
            vec![
                text("code"),
                text("name"),
                text("serial_no"),
                big("org_unit_id"),
                // available, lent or retired.
                text("status"),
                // The carry-in order it is lent to, while lent.
                big_null("order_id"),
                big_null("lent_at"),
                // Set by the loaner-return timer when still out too long after lending.
                big_null("overdue_at"),
                int("version", 1),
                big("created_at"),
            ],
            &[("org_unit_id", "org_units"), ("order_id", "service_orders")],
        )
        .await?;
        manager
            .create_index(index("ux_loaners_code", "loaners", &["code"], true))
            .await?;
        create(
            manager,
            "loaner_events",
            vec![
                big("loaner_id"),
                text("event"),
                big_null("order_id"),
                text_null("note"),
                big("created_by"),
                big("created_at"),
            ],
            &[("loaner_id", "loaners"), ("created_by", "users")],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "loaner_events",
            "loaners",
            "stock_count_lines",
            "stock_counts",
            "stock_movements",
            "stock_levels",
            "stock_locations",
            "part_fits",
            "parts",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
