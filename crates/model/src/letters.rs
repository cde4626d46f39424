//! Comunicazioni: the letters a comune writes to families, and how operators compose
//! them for an audience.
//!
//! A letter belongs to one family (its guardian, the intestatario); a delegate reads the
//! letters about the children delegated to them. Its body is a small, safe subset of
//! Markdown (paragraphs, **bold**, *italic*, lists, links) rendered here once: as HTML
//! for the SPA and the operator's preview ([`body_html`], raw HTML never passes), and as
//! plain paragraphs for the PDF and the e-mail ([`body_paragraphs`]).

use pulldown_cmark::{html, Event, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::forms::UploadInfo;
use crate::FieldError;

/// A letter's title.
pub const TITLE_MAX_CHARS: usize = 150;
/// A letter's text (Markdown).
pub const BODY_MAX_CHARS: usize = 10_000;
/// A school's or class's name in an audience.
pub const PLACE_MAX_CHARS: usize = 200;
/// The families chosen one by one for a communication.
pub const CHOSEN_FAMILIES_MAX_ITEMS: usize = 500;
/// A family search's text.
pub const SEARCH_MAX_CHARS: usize = 100;
/// An attachment of a communication: PDF, JPEG or PNG up to 5 MB.
pub const ATTACHMENT_MAX_BYTES: u32 = 5 * 1024 * 1024;
/// An SMS of an urgent notice: two concatenated messages.
pub const SMS_MAX_CHARS: usize = 306;

text_enum! {
    /// What a letter is (seed 000: Informativa, Sollecito, Emissione, Detrazione fiscale).
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum LetterKind {
        Information = "information" => "Informativa",
        Reminder = "reminder" => "Sollecito",
        Emission = "emission" => "Emissione",
        TaxDeduction = "tax_deduction" => "Detrazione fiscale",
        FormOutcome = "form_outcome" => "Esito modulo",
        ServiceNotice = "service_notice" => "Avviso di servizio",
        LowBalance = "low_balance" => "Avviso saldo basso",
        YearEnd = "year_end" => "Fine anno scolastico",
    }
}

text_enum! {
    /// A way a letter reached the family besides the personal area.
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum Channel {
        Email = "email" => "E-mail",
        Sms = "sms" => "SMS",
        AppIo = "app_io" => "App IO",
    }
}

/// "Comunicazione avvenuta tramite E-mail, SMS": the line under each letter (seed 000).
pub fn delivery_line(channels: &[Channel]) -> String {
    let names: Vec<&str> = if channels.is_empty() {
        vec!["Area personale"]
    } else {
        channels.iter().map(|c| c.label()).collect()
    };
    format!("Comunicazione avvenuta tramite {}", names.join(", "))
}

/// Who a communication goes to; each family gets one letter.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Audience {
    /// The families with a child enrolled in the service this school year.
    Service { service_id: i64 },
    /// The families with a child at the school this school year (any service).
    School {
        #[cfg_attr(feature = "openapi", schema(max_length = 200))]
        school: String,
    },
    /// The families with a child in the class of the school this school year.
    Class {
        #[cfg_attr(feature = "openapi", schema(max_length = 200))]
        school: String,
        #[cfg_attr(feature = "openapi", schema(max_length = 200))]
        class_name: String,
    },
    /// The families whose prepaid account is below zero.
    NegativeBalance,
    /// Families chosen one by one (their guardians' ids).
    Families {
        #[cfg_attr(feature = "openapi", schema(max_items = 500))]
        guardian_ids: Vec<i64>,
    },
}

impl Audience {
    /// The Italian description of the audience, given the service's name for a service.
    pub fn describe(&self, service_name: Option<&str>) -> String {
        match self {
            Audience::Service { .. } => format!(
                "Famiglie del servizio {}",
                service_name.unwrap_or("indicato")
            ),
            Audience::School { school } => format!("Famiglie della scuola {}", school.trim()),
            Audience::Class { school, class_name } => format!(
                "Famiglie della classe {} della scuola {}",
                class_name.trim(),
                school.trim()
            ),
            Audience::NegativeBalance => "Famiglie con saldo negativo".into(),
            Audience::Families { guardian_ids } => match guardian_ids.len() {
                1 => "1 famiglia scelta".into(),
                n => format!("{n} famiglie scelte"),
            },
        }
    }
}

/// A communication as the operator composes it: previewed, then sent once per
/// `request_id` (a retry or a double click sends nothing more).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewCommunication {
    /// Chosen by the client for each composition; the same id sends once.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub request_id: String,
    pub kind: LetterKind,
    #[cfg_attr(feature = "openapi", schema(max_length = 150))]
    pub title: String,
    /// The text, with simple formatting (Markdown: paragraphs, **grassetto**, elenchi,
    /// link).
    #[cfg_attr(feature = "openapi", schema(max_length = 10000))]
    pub body: String,
    pub audience: Audience,
    /// Urgent service notice: an SMS as well.
    #[serde(default)]
    pub urgent: bool,
    /// An attachment uploaded before (`POST /communications/attachments`).
    #[serde(default)]
    pub attachment_id: Option<i64>,
}

impl NewCommunication {
    /// Every field error of the composition, in Italian.
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = self.title.trim();
        if title.is_empty() {
            errors.push(FieldError::new(
                "title",
                "Scrivi l'oggetto della comunicazione.",
            ));
        } else if title.chars().count() > TITLE_MAX_CHARS {
            errors.push(FieldError::new(
                "title",
                format!("L'oggetto può contenere al massimo {TITLE_MAX_CHARS} caratteri."),
            ));
        }
        let body = self.body.trim();
        if body.is_empty() {
            errors.push(FieldError::new(
                "body",
                "Scrivi il testo della comunicazione.",
            ));
        } else if body.chars().count() > BODY_MAX_CHARS {
            errors.push(FieldError::new(
                "body",
                format!("Il testo può contenere al massimo {BODY_MAX_CHARS} caratteri."),
            ));
        }
        if self.urgent && self.kind != LetterKind::ServiceNotice {
            errors.push(FieldError::new(
                "urgent",
                "L'invio urgente anche via SMS è riservato agli avvisi di servizio.",
            ));
        }
        let place = |field: &str, value: &str, missing: &str, errors: &mut Vec<FieldError>| {
            if value.trim().is_empty() {
                errors.push(FieldError::new(field, missing));
            } else if value.chars().count() > PLACE_MAX_CHARS {
                errors.push(FieldError::new(
                    field,
                    format!("Il campo può contenere al massimo {PLACE_MAX_CHARS} caratteri."),
                ));
            }
        };
        match &self.audience {
            Audience::School { school } => {
                place("audience.school", school, "Scegli la scuola.", &mut errors)
            }
            Audience::Class { school, class_name } => {
                place("audience.school", school, "Scegli la scuola.", &mut errors);
                place(
                    "audience.class_name",
                    class_name,
                    "Scegli la classe.",
                    &mut errors,
                );
            }
            Audience::Families { guardian_ids } if guardian_ids.is_empty() => errors.push(
                FieldError::new("audience.guardian_ids", "Scegli almeno una famiglia."),
            ),
            Audience::Families { guardian_ids } if guardian_ids.len() > CHOSEN_FAMILIES_MAX_ITEMS => {
                errors.push(FieldError::new(
                    "audience.guardian_ids",
                    format!(
                        "Si possono scegliere al massimo {CHOSEN_FAMILIES_MAX_ITEMS} famiglie: per di più scegli una scuola o un servizio."
                    ),
                ))
            }
            _ => {}
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// The SMS of an urgent notice: the comune, the title and where to read the rest, within
/// [`SMS_MAX_CHARS`].
pub fn sms_text(comune: &str, title: &str) -> String {
    let tail = " Dettagli nell'area personale del portale.";
    let head = format!("{comune}: {}.", title.trim().trim_end_matches('.'));
    let room = SMS_MAX_CHARS - tail.chars().count();
    let head: String = if head.chars().count() > room {
        head.chars().take(room - 1).chain(['…']).collect()
    } else {
        head
    };
    format!("{head}{tail}")
}

/// What the operator sees before sending: the letter as the family will see it and how
/// many families will get it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommunicationPreview {
    pub recipients: u64,
    pub audience_label: String,
    pub kind_label: String,
    pub title: String,
    /// The text as HTML (no raw HTML of the author's passes).
    pub body_html: String,
}

/// A sent communication in the operators' history.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommunicationSummary {
    pub id: i64,
    pub kind: LetterKind,
    pub kind_label: String,
    pub title: String,
    pub audience_label: String,
    pub urgent: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub sent_at: OffsetDateTime,
    /// Letters created (one per family).
    pub recipients: u64,
    /// Letters opened by their family so far.
    pub read: u64,
}

/// A letter in the family's list.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Letter {
    pub id: i64,
    pub kind: LetterKind,
    pub kind_label: String,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub sent_at: OffsetDateTime,
    /// When the family opened it; unread while empty.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub read_at: Option<OffsetDateTime>,
    pub channels: Vec<Channel>,
    /// "Comunicazione avvenuta tramite E-mail".
    pub delivery_line: String,
    pub has_attachment: bool,
}

/// A letter opened: its text and attachment.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LetterDetail {
    pub letter: Letter,
    /// The text as HTML (no raw HTML of the author's passes).
    pub body_html: String,
    pub attachment: Option<UploadInfo>,
}

/// How many of the family's letters are unread (the menu's badge).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnreadLetters {
    pub unread: u64,
}

/// A family found by name or codice fiscale, to choose as a recipient.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FamilyChoice {
    /// The guardian's id.
    pub guardian_id: i64,
    pub name: String,
    pub fiscal_code: String,
}

/// A school with its classes, as the enrolments of this school year name them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SchoolClasses {
    pub school: String,
    pub classes: Vec<String>,
}

/// What an audience can be chosen from: the services and the schools with their
/// classes of this school year.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AudienceChoices {
    pub services: Vec<crate::entes::Service>,
    pub schools: Vec<SchoolClasses>,
}

fn safe_link(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["https://", "http://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

/// The events of the allowed subset: raw HTML becomes text, images their description,
/// headings bold paragraphs, and a link to anything but http(s) or mailto its text.
fn safe_events(markdown: &str) -> Vec<Event<'_>> {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut dropped_links = 0usize;
    let mut events = Vec::new();
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => events.push(Event::Text(raw)),
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => {}
            Event::Start(Tag::Heading { .. }) => {
                events.push(Event::Start(Tag::Paragraph));
                events.push(Event::Start(Tag::Strong));
            }
            Event::End(TagEnd::Heading(_)) => {
                events.push(Event::End(TagEnd::Strong));
                events.push(Event::End(TagEnd::Paragraph));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                if safe_link(&dest_url) {
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                } else {
                    dropped_links += 1;
                }
            }
            Event::End(TagEnd::Link) if dropped_links > 0 => dropped_links -= 1,
            other => events.push(other),
        }
    }
    events
}

/// The letter's text as HTML for the page: paragraphs, bold, italic, lists and links;
/// whatever HTML the author typed is shown as text.
pub fn body_html(markdown: &str) -> String {
    let mut out = String::new();
    html::push_html(&mut out, safe_events(markdown).into_iter());
    out
}

/// The letter's text as plain paragraphs, for the PDF and the e-mail: list items as
/// "• item", a link as "text (address)".
pub fn body_paragraphs(markdown: &str) -> Vec<String> {
    fn flush(current: &mut String, paragraphs: &mut Vec<String>) {
        let text = current.trim().to_owned();
        if !text.is_empty() {
            paragraphs.push(text);
        }
        current.clear();
    }
    let mut paragraphs = Vec::new();
    let mut current = String::new();
    let mut links: Vec<String> = Vec::new();
    for event in safe_events(markdown) {
        match event {
            Event::Text(text) | Event::Code(text) => current.push_str(&text),
            Event::SoftBreak => current.push(' '),
            Event::HardBreak => flush(&mut current, &mut paragraphs),
            Event::Start(Tag::Item) => {
                flush(&mut current, &mut paragraphs);
                current.push_str("• ");
            }
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = links.pop() {
                    if current.trim_end().ends_with(url.as_str()) {
                        continue;
                    }
                    current.push_str(&format!(" ({url})"));
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item) | Event::Rule => {
                flush(&mut current, &mut paragraphs)
            }
            _ => {}
        }
    }
    flush(&mut current, &mut paragraphs);
    paragraphs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_the_seed_labels() {
        assert_eq!(LetterKind::Information.label(), "Informativa");
        assert_eq!(LetterKind::TaxDeduction.label(), "Detrazione fiscale");
        assert_eq!(
            LetterKind::parse("service_notice"),
            Some(LetterKind::ServiceNotice)
        );
    }

    #[test]
    fn the_delivery_line_names_the_channels() {
        assert_eq!(
            delivery_line(&[Channel::Email, Channel::Sms]),
            "Comunicazione avvenuta tramite E-mail, SMS"
        );
        assert_eq!(
            delivery_line(&[]),
            "Comunicazione avvenuta tramite Area personale"
        );
    }

    #[test]
    fn formatting_renders_and_raw_html_never_passes() {
        let html = body_html(
            "La mensa **resta chiusa**.\n\n- primo\n- secondo\n\n<script>alert(1)</script>\n\n[Menù](https://example.org/menu) e [x](javascript:alert(1))",
        );
        assert!(html.contains("<strong>resta chiusa</strong>"), "{html}");
        assert!(html.contains("<li>primo</li>"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(
            html.contains(r#"<a href="https://example.org/menu">Menù</a>"#),
            "{html}"
        );
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!body_html("![x](https://e.org/i.png)").contains("<img"));
    }

    #[test]
    fn plain_paragraphs_keep_lists_and_link_addresses() {
        assert_eq!(
            body_paragraphs("Gentile famiglia,\nsi avvisa che **domani**\n\n- la mensa è chiusa\n- il trasporto no\n\nVedi [il sito](https://comune.example.it)."),
            [
                "Gentile famiglia, si avvisa che domani",
                "• la mensa è chiusa",
                "• il trasporto no",
                "Vedi il sito (https://comune.example.it).",
            ]
        );
    }

    fn composition(kind: LetterKind, urgent: bool, audience: Audience) -> NewCommunication {
        NewCommunication {
            request_id: "r1".into(),
            kind,
            title: "Mensa chiusa".into(),
            body: "Domani la mensa è chiusa per sciopero.".into(),
            audience,
            urgent,
            attachment_id: None,
        }
    }

    #[test]
    fn a_composition_is_checked_field_by_field() {
        let school = Audience::School {
            school: "Primaria Rodari".into(),
        };
        assert!(composition(LetterKind::ServiceNotice, true, school.clone())
            .check()
            .is_ok());
        let errors = composition(LetterKind::Information, true, school)
            .check()
            .unwrap_err();
        assert_eq!(errors[0].field, "urgent");
        let mut empty = composition(
            LetterKind::Information,
            false,
            Audience::Families {
                guardian_ids: vec![],
            },
        );
        empty.title = "  ".into();
        let fields: Vec<String> = empty
            .check()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["title", "audience.guardian_ids"]);
    }

    #[test]
    fn the_sms_fits() {
        assert_eq!(
            sms_text("Comune di Demo", "Mensa chiusa domani per sciopero"),
            "Comune di Demo: Mensa chiusa domani per sciopero. Dettagli nell'area personale del portale."
        );
        assert!(sms_text("Comune di Demo", &"x".repeat(400)).chars().count() <= SMS_MAX_CHARS);
    }
}
