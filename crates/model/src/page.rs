//! Pagination shared by every list endpoint.

use serde::{Deserialize, Serialize};

pub const DEFAULT_PER_PAGE: u64 = 20;
pub const MAX_PER_PAGE: u64 = 100;
/// Highest page number a list accepts: far beyond any real list, and small enough that
/// the offset (`(page - 1) * per_page`) always fits the databases' 64-bit integers.
pub const MAX_PAGE: u64 = 100_000;

/// `?page=1&per_page=20`; pages count from 1.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct PageQuery {
    /// Page number, from 1 to [`MAX_PAGE`] (default 1).
    pub page: Option<u64>,
    /// Items per page, 1 to [`MAX_PER_PAGE`] (default [`DEFAULT_PER_PAGE`]).
    pub per_page: Option<u64>,
}

/// A page of a list the server agreed to read: both numbers within their bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// From 1.
    pub page: u64,
    pub per_page: u64,
}

impl PageRequest {
    /// How many items come before this page; `None` only if it would overflow, which
    /// the bounds of [`PageQuery::resolve`] rule out.
    pub fn offset(&self) -> Option<u64> {
        self.page.checked_sub(1)?.checked_mul(self.per_page)
    }
}

impl PageQuery {
    /// The page (from 1) and size, or the field and Italian message of the offending one.
    pub fn resolve(&self) -> Result<PageRequest, (&'static str, &'static str)> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if !(1..=MAX_PAGE).contains(&page) {
            return Err((
                "page",
                "Il numero di pagina deve essere compreso tra 1 e 100.000.",
            ));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err((
                "per_page",
                "Il numero di elementi per pagina deve essere tra 1 e 100.",
            ));
        }
        Ok(PageRequest { page, per_page })
    }
}

/// The query parameters as OpenAPI documents them, with the bounds above.
#[cfg(feature = "openapi")]
impl utoipa::IntoParams for PageQuery {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        use utoipa::openapi::Required;
        let param = |name: &str, description: String, max: u64, default: u64| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(description))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                        .minimum(Some(1))
                        .maximum(Some(max))
                        .default(Some(default.into())),
                ))
                .build()
        };
        vec![
            param(
                "page",
                format!("Page number, from 1 to {MAX_PAGE}."),
                MAX_PAGE,
                1,
            ),
            param(
                "per_page",
                format!("Items per page, 1 to {MAX_PER_PAGE}."),
                MAX_PER_PAGE,
                DEFAULT_PER_PAGE,
            ),
        ]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded_and_name_the_field() {
        let query = |page, per_page| PageQuery { page, per_page }.resolve();
        assert_eq!(
            query(None, None),
            Ok(PageRequest {
                page: 1,
                per_page: DEFAULT_PER_PAGE
            })
        );
        assert_eq!(query(Some(0), None).unwrap_err().0, "page");
        assert_eq!(query(Some(MAX_PAGE + 1), None).unwrap_err().0, "page");
        assert_eq!(
            query(Some(461_168_601_842_738_792), None).unwrap_err().0,
            "page"
        );
        assert_eq!(query(None, Some(0)).unwrap_err().0, "per_page");
        assert_eq!(
            query(None, Some(MAX_PER_PAGE + 1)).unwrap_err().0,
            "per_page"
        );
        let last = query(Some(MAX_PAGE), Some(MAX_PER_PAGE)).unwrap();
        assert_eq!(last.offset(), Some((MAX_PAGE - 1) * MAX_PER_PAGE));
        assert!(i64::try_from(last.offset().unwrap()).is_ok());
    }

    #[test]
    fn offset_is_checked() {
        let huge = PageRequest {
            page: u64::MAX,
            per_page: 2,
        };
        assert_eq!(huge.offset(), None);
        assert_eq!(
            PageRequest {
                page: 3,
                per_page: 20
            }
            .offset(),
            Some(40)
        );
    }
}
