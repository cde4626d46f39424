//! Pagination shared by every list endpoint.

use serde::{Deserialize, Serialize};

pub const DEFAULT_PER_PAGE: u64 = 20;
pub const MAX_PER_PAGE: u64 = 100;

/// `?page=1&per_page=20`; pages count from 1.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PageQuery {
    /// Page number, from 1 (default 1).
    pub page: Option<u64>,
    /// Items per page, 1 to 100 (default 20).
    pub per_page: Option<u64>,
}

impl PageQuery {
    /// The page (from 1) and size, or the Italian message for the offending field.
    pub fn resolve(&self) -> Result<(u64, u64), (&'static str, &'static str)> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if page == 0 {
            return Err(("page", "Il numero di pagina parte da 1."));
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err((
                "per_page",
                "Il numero di elementi per pagina deve essere tra 1 e 100.",
            ));
        }
        Ok((page, per_page))
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Current page, from 1.
    pub page: u64,
    pub per_page: u64,
    /// Total number of items over all pages.
    pub total: u64,
}

impl<T> Page<T> {
    pub fn total_pages(&self) -> u64 {
        self.total.div_ceil(self.per_page.max(1))
    }
}
