//! Pagination shared by every list.

use serde::{Deserialize, Serialize};

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
}

impl<T> Page<T> {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }
}
