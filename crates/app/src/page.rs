//! Pagination shared by every list.

use aftersales_store::sea_orm::sea_query::{Alias, Expr, Query};
use aftersales_store::sea_orm::{ConnectionTrait, EntityTrait, QuerySelect, QueryTrait, Select};
use serde::{Deserialize, Serialize};

use crate::AppError;

pub const DEFAULT_PER_PAGE: u64 = 50;
pub const MAX_PER_PAGE: u64 = 200;

#[derive(Debug, Clone, Copy, Deserialize, utoipa::IntoParams)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: Option<u64>,
    /// Items per page (at most 200).
    pub per_page: Option<u64>,
}

impl PageRequest {
    pub fn page(&self) -> u64 {
        self.page.unwrap_or(1).max(1)
    }
    pub fn per_page(&self) -> u64 {
        self.per_page
            .unwrap_or(DEFAULT_PER_PAGE)
            .clamp(1, MAX_PER_PAGE)
    }
    /// Zero-based page index for SeaORM's paginator.
    pub fn index(&self) -> u64 {
        self.page() - 1
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    /// More rows match than `total`: a list over a large table stops counting at the
    /// `lists.count_cap` setting rather than read every match to count it.
    pub total_capped: bool,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }
    /// Whether a page follows this one.
    pub fn has_next(&self) -> bool {
        self.page < self.pages() || (self.total_capped && self.items.len() as u64 == self.per_page)
    }
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
            total_capped: self.total_capped,
        }
    }
}

/// How many rows `query` matches, counting no further than the `lists.count_cap` setting
/// (counting half a million orders of a branch and status takes longer than showing a
/// page of them): (count, whether more match).
pub async fn count_capped<E: EntityTrait>(
    db: &impl ConnectionTrait,
    query: Select<E>,
) -> Result<(u64, bool), AppError> {
    let cap = crate::settings::get_count(db, "lists.count_cap")
        .await?
        .max(1) as u64;
    let matches = query
        .select_only()
        .expr(Expr::val(1))
        .limit(cap + 1)
        .into_query();
    let count = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from_subquery(matches, Alias::new("matches"))
        .to_owned();
    let backend = db.get_database_backend();
    let counted = db
        .query_one(backend.build(&count))
        .await?
        .map(|row| row.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0) as u64;
    Ok((counted.min(cap), counted > cap))
}

#[cfg(test)]
mod tests {
    use super::Page;

    fn page(items: usize, total: u64, page: u64, total_capped: bool) -> Page<()> {
        Page {
            items: vec![(); items],
            total,
            page,
            per_page: 2,
            total_capped,
        }
    }

    #[test]
    fn a_next_page_follows_while_counted_rows_remain_or_a_capped_page_is_full() {
        assert!(page(2, 3, 1, false).has_next());
        assert!(!page(1, 3, 2, false).has_next());
        // Counted to 4 of more: page 2 is the last counted one, but full.
        assert!(page(2, 4, 2, true).has_next());
        assert!(page(2, 4, 3, true).has_next());
        assert!(!page(1, 4, 4, true).has_next());
    }
}
