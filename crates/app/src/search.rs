//! Text search shared by every list: a case-insensitive "contains" that behaves the same on
//! SQLite and PostgreSQL (PostgreSQL's LIKE is case-sensitive, SQLite's is not for ASCII).

use aftersales_store::entity::{customer, service_order};
use aftersales_store::sea_orm::sea_query::{
    Alias, Condition, Expr, Func, IntoColumnRef, Query, SimpleExpr, UnionType,
};
use aftersales_store::sea_orm::{ColumnTrait, DatabaseBackend};

/// `LOWER(column) LIKE '%text%'` with `text` lower-cased; LIKE wildcards in the text are
/// escaped so a search for `50%` finds "50%" literally.
pub fn contains<C: IntoColumnRef>(column: C, text: &str) -> SimpleExpr {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Expr::expr(Func::lower(Expr::col(column))).like(
        aftersales_store::sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\'),
    )
}

/// Service orders whose number, fault description, customer name or customer phone contains
/// `text` (case-insensitive), as a condition on `service_orders`.
///
/// dialect: both databases index these four columns by trigrams. SQLite's FTS5 trigram
/// tables (migration 000140) answer a phrase of three or more characters (`MATCH '"text"'`,
/// a substring match); shorter text cannot be split into trigrams and is matched with
/// `LIKE`, reading every row. Each side is an `IN` on an indexed column, which SQLite
/// combines as a multi-index OR. PostgreSQL's pg_trgm indexes (migration 000120) serve
/// `LOWER(col) LIKE` itself, but its planner reads every order for an OR of two `IN`s: there
/// the two sides are one `IN (… UNION ALL …)`.
pub fn order_matches(backend: DatabaseBackend, text: &str) -> SimpleExpr {
    let (mut orders, customers) = if backend == DatabaseBackend::Sqlite && text.chars().count() >= 3
    {
        let phrase = format!("\"{}\"", text.replace('"', "\"\""));
        let fts = |table: &str| {
            Query::select()
                .expr(Expr::cust("rowid"))
                .from(Alias::new(table))
                .and_where(Expr::cust_with_values(
                    format!("{table} MATCH ?"),
                    [phrase.clone()],
                ))
                .to_owned()
        };
        (fts("order_search"), fts("customer_search"))
    } else {
        (
            Query::select()
                .column(service_order::Column::Id)
                .from(service_order::Entity)
                .cond_where(
                    Condition::any()
                        .add(contains(service_order::Column::Number, text))
                        .add(contains(service_order::Column::FaultDescription, text)),
                )
                .to_owned(),
            Query::select()
                .column(customer::Column::Id)
                .from(customer::Entity)
                .cond_where(
                    Condition::any()
                        .add(contains(customer::Column::Name, text))
                        .add(contains(customer::Column::Phone, text)),
                )
                .to_owned(),
        )
    };
    if backend == DatabaseBackend::Sqlite {
        return Condition::any()
            .add(service_order::Column::Id.in_subquery(orders))
            .add(service_order::Column::CustomerId.in_subquery(customers))
            .into();
    }
    let by_customer = Query::select()
        .column(service_order::Column::Id)
        .from(service_order::Entity)
        .and_where(service_order::Column::CustomerId.in_subquery(customers))
        .to_owned();
    service_order::Column::Id.in_subquery(orders.union(UnionType::All, by_customer).to_owned())
}
