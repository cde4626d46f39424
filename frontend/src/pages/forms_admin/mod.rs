//! Moduli online for the comune's operators: a form's submissions (filters, counts per
//! state, Accetta selezionate, Esporta CSV) and one submission with its answers,
//! attachments, history and the decisions on it.

mod detail;
mod submissions;

pub use detail::SubmissionPage;
pub use submissions::SubmissionsPage;

use leptos::prelude::*;
use sportello_model::forms::{FieldKind, FormDefinition};
use sportello_model::{format, rome};
use time::OffsetDateTime;

/// `20/07/2027 alle 10:00` in Rome.
fn day_and_time(at: OffsetDateTime) -> String {
    let local = rome::local(at);
    format!(
        "{} alle {}",
        format::date(local.date()),
        format::hour_minute(local.time())
    )
}

/// The schools a form offers in its school and class question.
fn schools_of(definition: &FormDefinition) -> Vec<String> {
    definition
        .fields()
        .find_map(|field| match &field.kind {
            FieldKind::SchoolClass { schools } => Some(schools.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

/// The state of a submission as a badge.
fn state_badge(id: String, label: String) -> impl IntoView {
    view! { <span id=id class="badge bg-primary">{label}</span> }
}
