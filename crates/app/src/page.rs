//! Pagination shared by every list.

use aftersales_store::sea_orm::sea_query::{Alias, Expr, Query};
use aftersales_store::sea_orm::{ConnectionTrait, EntityTrait, QuerySelect, QueryTrait, Select};
use serde::{Deserialize, Serialize};

use crate::AppError;

pub const DEFAULT_PER_PAGE: u64 = 50;
pub const MAX_PER_PAGE: u64 = 200;

#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: Option<u64>,
    /// Items per page (at most 200).
    pub per_page: Option<u64>,
}

impl PageRequest {
    /// Page `page` (the first when none) of the default size.
    pub fn numbered(page: Option<u64>) -> PageRequest {
        PageRequest {
            page,
            per_page: None,
        }
    }
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
    pub fn map<U>(mut self, f: impl FnMut(T) -> U) -> Page<U> {
        let items = std::mem::take(&mut self.items).into_iter().map(f).collect();
        self.with_items(items)
    }
    /// The same page of other items: this page's rows turned into views.
    pub fn with_items<U>(&self, items: Vec<U>) -> Page<U> {
        Page {
            items,
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
    let mut matches = query
        .select_only()
        .expr(Expr::val(1))
        .limit(cap + 1)
        .into_query();
    // A list's order does not change its count, and sorting first could lead the planner to
    // walk the sort's index instead of the filter's.
    matches.clear_order_by();
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

/// The count of a list whose page, read from `offset` asking for `per_page` rows, came back
/// with `rows`, when the page alone tells it: a short page that is not past the end is the
/// last one. Most searches find fewer rows than a page, and are then answered without a
/// second pass over the matches to count them.
pub fn known_total(offset: u64, per_page: u64, rows: usize) -> Option<u64> {
    let rows = rows as u64;
    (rows < per_page && (rows > 0 || offset == 0)).then_some(offset + rows)
}

/// (count, whether more match) of the list `query` whose page is described as for
/// [`known_total`]: from the page when it tells, else [`count_capped`].
pub async fn count_for_page<E: EntityTrait>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    offset: u64,
    per_page: u64,
    rows: usize,
) -> Result<(u64, bool), AppError> {
    match known_total(offset, per_page, rows) {
        Some(total) => Ok((total, false)),
        None => count_capped(db, query).await,
    }
}

/// The page `request` of `query`, in the query's order, with its count as
/// [`count_for_page`] gives it.
pub async fn fetch<E: EntityTrait>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    request: PageRequest,
) -> Result<Page<E::Model>, AppError> {
    let offset = request.index() * request.per_page();
    let items = query
        .clone()
        .offset(offset)
        .limit(request.per_page())
        .all(db)
        .await?;
    let (total, total_capped) =
        count_for_page(db, query, offset, request.per_page(), items.len()).await?;
    Ok(Page {
        items,
        total,
        page: request.page(),
        per_page: request.per_page(),
        total_capped,
    })
}

/// The page `request` of `query`, its rows turned into views together by `views` (which
/// reads what the rows refer to in a few queries for the whole page).
pub async fn fetch_with<E, V, Fut>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    request: PageRequest,
    views: impl FnOnce(Vec<E::Model>) -> Fut,
) -> Result<Page<V>, AppError>
where
    E: EntityTrait,
    Fut: std::future::Future<Output = Result<Vec<V>, AppError>>,
{
    let mut page = fetch(db, query, request).await?;
    let views = views(std::mem::take(&mut page.items)).await?;
    Ok(page.with_items(views))
}

/// The page `request` of `query`, each row turned into its view by `view` (a view that
/// reads a few rows of its own, which a page bounds).
pub async fn fetch_views<E, V, Fut>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    request: PageRequest,
    mut view: impl FnMut(E::Model) -> Fut,
) -> Result<Page<V>, AppError>
where
    E: EntityTrait,
    Fut: std::future::Future<Output = Result<V, AppError>>,
{
    fetch_with(db, query, request, |rows| async move {
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            views.push(view(row).await?);
        }
        Ok(views)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::{known_total, Page};

    #[test]
    fn only_a_short_page_that_is_not_past_the_end_tells_the_count() {
        assert_eq!(known_total(0, 50, 0), Some(0));
        assert_eq!(known_total(0, 50, 7), Some(7));
        assert_eq!(known_total(100, 50, 7), Some(107));
        // A full page may have more behind it; an empty later page may be past the end.
        assert_eq!(known_total(0, 50, 50), None);
        assert_eq!(known_total(100, 50, 0), None);
    }

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
