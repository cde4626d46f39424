//! Public content of an ente: news and documents, readable without login once published,
//! and the rules of the office that publishes them (Notizie e documenti).
//!
//! An item goes public on its publication day (`published_on`, Europe/Rome) and stays
//! public until the office withdraws it; a withdrawn item can be published again.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};

use crate::format::date as italian_date;
use crate::FieldError;

/// A news item's or a document's title.
pub const TITLE_MAX_CHARS: usize = 150;
/// A news item's summary, shown on the cards.
pub const SUMMARY_MAX_CHARS: usize = 300;
/// A news item's text, with the letters' simple formatting (`letters::body_html`).
pub const BODY_MAX_CHARS: usize = crate::letters::BODY_MAX_CHARS;
/// A document's description.
pub const DESCRIPTION_MAX_CHARS: usize = 500;
/// How far ahead an item can be scheduled.
pub const SCHEDULE_MAX_DAYS: i64 = 365;
/// A news attachment or a document's file: PDF, JPEG or PNG, as a letter's attachment.
pub const FILE_MAX_BYTES: u32 = crate::letters::ATTACHMENT_MAX_BYTES;

text_enum! {
    /// Where an item stands for the public pages.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum PublicationState {
        Published = "published" => "Pubblicata",
        Scheduled = "scheduled" => "Programmata",
        Withdrawn = "withdrawn" => "Ritirata",
    }
}

/// The state of an item published on `published_on`, withdrawn or not, on `today`
/// (Europe/Rome): public only when published and not withdrawn.
pub fn publication_state(published_on: Date, withdrawn: bool, today: Date) -> PublicationState {
    if withdrawn {
        PublicationState::Withdrawn
    } else if published_on > today {
        PublicationState::Scheduled
    } else {
        PublicationState::Published
    }
}

/// A file attached to a news item, downloadable from the public pages.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewsAttachment {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Address of the file, relative to the server root.
    pub url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewsItem {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub body: String,
    /// The text as HTML (no raw HTML of the author's passes).
    pub body_html: String,
    pub published_on: Date,
    pub attachments: Vec<NewsAttachment>,
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

/// A news item as the office sees it: whatever its state.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficeNews {
    #[serde(flatten)]
    pub item: NewsItem,
    pub state: PublicationState,
    pub state_label: String,
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub updated_at: Option<OffsetDateTime>,
}

/// A document as the office sees it: whatever its state.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficeDocument {
    #[serde(flatten)]
    pub item: DocumentItem,
    pub state: PublicationState,
    pub state_label: String,
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub updated_at: Option<OffsetDateTime>,
}

/// A news item as the office writes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewsForm {
    #[cfg_attr(feature = "openapi", schema(max_length = 150))]
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub summary: String,
    /// The text, with simple formatting (Markdown: paragraphs, **grassetto**, elenchi,
    /// link).
    #[cfg_attr(feature = "openapi", schema(max_length = 10000))]
    pub body: String,
    /// The day it goes public (today or later to schedule it).
    #[serde(deserialize_with = "crate::dates::deserialize_day")]
    pub published_on: Date,
}

/// A document's details as the office writes them (the file comes with the upload).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentForm {
    #[cfg_attr(feature = "openapi", schema(max_length = 150))]
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub description: String,
    /// The day it goes public (today or later to schedule it).
    #[serde(deserialize_with = "crate::dates::deserialize_day")]
    pub published_on: Date,
}

/// A required text of at most `max` characters: `missing` when blank.
fn text(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize, missing: Option<&str>) {
    let value = value.trim();
    match missing {
        Some(missing) if value.is_empty() => errors.push(FieldError::new(field, missing)),
        _ if value.chars().count() > max => errors.push(FieldError::new(
            field,
            format!("Il campo può contenere al massimo {max} caratteri."),
        )),
        _ => {}
    }
}

/// The publication day: at most [`SCHEDULE_MAX_DAYS`] after `today`.
fn publication_day(errors: &mut Vec<FieldError>, published_on: Date, today: Date) {
    let latest = today + Duration::days(SCHEDULE_MAX_DAYS);
    if published_on > latest {
        errors.push(FieldError::new(
            "published_on",
            format!(
                "La pubblicazione si può programmare al massimo fino al {}.",
                italian_date(latest)
            ),
        ));
    }
}

fn outcome(errors: Vec<FieldError>) -> Result<(), Vec<FieldError>> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

impl NewsForm {
    /// Every field error, in Italian: title and text required, the lengths, and a
    /// publication day at most a year ahead of `today`.
    pub fn check(&self, today: Date) -> Result<(), Vec<FieldError>> {
        let mut errors = self.errors(true);
        publication_day(&mut errors, self.published_on, today);
        outcome(errors)
    }

    /// The fields over their length, as the request is read.
    pub fn length_errors(&self) -> Vec<FieldError> {
        self.errors(false)
    }

    fn errors(&self, required: bool) -> Vec<FieldError> {
        let mut errors = Vec::new();
        text(
            &mut errors,
            "title",
            &self.title,
            TITLE_MAX_CHARS,
            required.then_some("Scrivi il titolo della notizia."),
        );
        text(
            &mut errors,
            "summary",
            &self.summary,
            SUMMARY_MAX_CHARS,
            None,
        );
        text(
            &mut errors,
            "body",
            &self.body,
            BODY_MAX_CHARS,
            required.then_some("Scrivi il testo della notizia."),
        );
        errors
    }
}

impl DocumentForm {
    /// Every field error, in Italian: title required, the lengths, and a publication
    /// day at most a year ahead of `today`.
    pub fn check(&self, today: Date) -> Result<(), Vec<FieldError>> {
        let mut errors = self.errors(true);
        publication_day(&mut errors, self.published_on, today);
        outcome(errors)
    }

    /// The fields over their length, as the request is read.
    pub fn length_errors(&self) -> Vec<FieldError> {
        self.errors(false)
    }

    fn errors(&self, required: bool) -> Vec<FieldError> {
        let mut errors = Vec::new();
        text(
            &mut errors,
            "title",
            &self.title,
            TITLE_MAX_CHARS,
            required.then_some("Scrivi il titolo del documento."),
        );
        text(
            &mut errors,
            "description",
            &self.description,
            DESCRIPTION_MAX_CHARS,
            None,
        );
        errors
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const TODAY: Date = date!(2026 - 11 - 24);

    fn news() -> NewsForm {
        NewsForm {
            title: "Menù di dicembre".into(),
            summary: "Il nuovo menù.".into(),
            body: "Dal **1° dicembre** cambia il menù.".into(),
            published_on: TODAY,
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn an_item_is_public_from_its_day_until_withdrawn() {
        let day = date!(2026 - 12 - 01);
        assert_eq!(
            publication_state(day, false, TODAY),
            PublicationState::Scheduled
        );
        assert_eq!(
            publication_state(day, false, day),
            PublicationState::Published
        );
        assert_eq!(
            publication_state(day, true, day),
            PublicationState::Withdrawn
        );
        assert_eq!(PublicationState::Scheduled.label(), "Programmata");
    }

    #[test]
    fn a_news_item_needs_a_title_and_a_text_within_their_lengths() {
        assert_eq!(news().check(TODAY), Ok(()));
        let blank = NewsForm {
            title: "  ".into(),
            body: String::new(),
            ..news()
        };
        let errors = blank.check(TODAY).unwrap_err();
        assert_eq!(errors[0].message, "Scrivi il titolo della notizia.");
        assert_eq!(fields(errors), ["title", "body"]);
        let long = NewsForm {
            summary: "a".repeat(SUMMARY_MAX_CHARS + 1),
            title: "è".repeat(TITLE_MAX_CHARS),
            ..news()
        };
        let errors = long.check(TODAY).unwrap_err();
        assert_eq!(
            errors[0].message,
            "Il campo può contenere al massimo 300 caratteri."
        );
        assert_eq!(fields(errors), ["summary"]);
    }

    #[test]
    fn an_item_is_scheduled_at_most_a_year_ahead() {
        let next_year = NewsForm {
            published_on: TODAY + Duration::days(SCHEDULE_MAX_DAYS),
            ..news()
        };
        assert_eq!(next_year.check(TODAY), Ok(()));
        let too_far = DocumentForm {
            title: "Regolamento".into(),
            description: String::new(),
            published_on: TODAY + Duration::days(SCHEDULE_MAX_DAYS + 1),
        };
        let errors = too_far.check(TODAY).unwrap_err();
        assert_eq!(
            errors[0].message,
            "La pubblicazione si può programmare al massimo fino al 24/11/2027."
        );
        assert_eq!(fields(errors), ["published_on"]);
    }

    #[test]
    fn a_document_needs_a_title() {
        let untitled = DocumentForm {
            title: String::new(),
            description: "d".repeat(DESCRIPTION_MAX_CHARS + 1),
            published_on: TODAY,
        };
        assert_eq!(
            fields(untitled.check(TODAY).unwrap_err()),
            ["title", "description"]
        );
    }
}
