//! Text search shared by every list: a case-insensitive "contains" that behaves the same on
//! SQLite and PostgreSQL (PostgreSQL's LIKE is case-sensitive, SQLite's is not for ASCII).

use aftersales_store::sea_orm::sea_query::{Expr, Func, IntoColumnRef, SimpleExpr};

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
