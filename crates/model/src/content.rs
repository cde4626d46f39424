//! Public content of an ente: news and documents, readable without login.

use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewsItem {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub published_on: Date,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentItem {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub published_on: Date,
    /// Address of the file, relative to the server root.
    pub url: String,
}
