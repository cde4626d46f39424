//! "Segnala assenza per più giorni": one choice for every school day from one date to
//! another that can still be changed; the days that cannot are listed with the reason.

use leptos::prelude::*;
use sportello_model::bookings::{BookingRange, BookingResult, MealChoice};
use sportello_model::{format, FieldError};

use crate::api;
use crate::components::{CardSection, DateRange, SelectField};
use crate::dates::required_day;
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::session::use_session;

/// "Modificati 3 giorni, dal 25/11/2026 al 27/11/2026: Assente."
fn summary(result: &BookingResult) -> String {
    let label = result.choice.label();
    match (result.days.iter().min(), result.days.iter().max()) {
        (Some(first), Some(last)) if first == last => {
            format!("Modificato 1 giorno, il {}: {label}.", format::date(*first))
        }
        (Some(first), Some(last)) => format!(
            "Modificati {} giorni, dal {} al {}: {label}.",
            result.days.len(),
            format::date(*first),
            format::date(*last)
        ),
        _ => "Nessun giorno modificato.".into(),
    }
}

/// The range to send, or what is missing.
fn draft(
    service_id: i64,
    from: &str,
    to: &str,
    choice: &str,
) -> Result<BookingRange, Vec<FieldError>> {
    let first = required_day(from, "from", "Indica il primo giorno.");
    let last = required_day(to, "to", "Indica l'ultimo giorno.");
    let picked = MealChoice::parse(choice)
        .ok_or_else(|| FieldError::new("choice", "Scegli che cosa segnalare."));
    match (first, last, picked) {
        (Ok(from), Ok(to), Ok(choice)) => Ok(BookingRange {
            service_id,
            from,
            to,
            choice,
        }),
        (first, last, picked) => Err([first.err(), last.err(), picked.err()]
            .into_iter()
            .flatten()
            .collect()),
    }
}

#[component]
pub fn RangeForm(
    child_id: i64,
    service_id: i64,
    choices: Vec<MealChoice>,
    apply: Callback<BookingResult>,
) -> impl IntoView {
    let session = use_session();
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let choice = RwSignal::new(MealChoice::Absent.as_str().to_owned());
    let done = RwSignal::new(None::<BookingResult>);
    let options: Vec<(String, String)> = choices
        .iter()
        .map(|choice| (choice.as_str().to_owned(), choice.label().to_owned()))
        .collect();
    let form = Form::new(
        &[
            ("from", "range-from"),
            ("to", "range-to"),
            ("choice", "range-choice"),
        ],
        move |_| draft(service_id, &from.read(), &to.read(), &choice.read()),
        move |request: BookingRange| async move { api::change_range(session, child_id, &request).await },
        move |result: BookingResult| {
            done.set(Some(result.clone()));
            apply.run(result);
        },
    );

    view! {
        <CardSection id="range" title="Segnala assenza per più giorni" class="mt-4" heading="h5">
            <p>
                "Per una settimana di malattia o una gita: la scelta vale per ogni giorno di servizio dell'intervallo che si può ancora modificare; i giorni che non si possono più cambiare restano come sono e vengono elencati con il motivo."
            </p>
            <form id="range-form" novalidate on:submit=form.submit_clearing(done)>
                <DateRange
                    from_id="range-from"
                    to_id="range-to"
                    from
                    to
                    from_error=form.message_on_submit("from")
                    to_error=form.message_on_submit("to")
                />
                <SelectField
                    id="range-choice"
                    label="Che cosa segnalare"
                    value=choice
                    options=options
                    error=form.message_on_submit("choice")
                />
                <FormAlert form id="range-error" />
                <SubmitButton form id="range-submit" label="Conferma" busy="Invio…" />
                <div aria-live="polite">
                    {move || done.get().map(|result| view! { <RangeOutcome result /> })}
                </div>
            </form>
        </CardSection>
    }
}

/// What a range did: the days changed, then the days left as they were and why.
#[component]
fn RangeOutcome(result: BookingResult) -> impl IntoView {
    let skipped = (!result.skipped.is_empty()).then(|| {
        let items = result
            .skipped
            .iter()
            .map(|day| view! { <li data-date=day.date.to_string()>{day.text()}</li> })
            .collect_view();
        view! {
            <div id="range-skipped" class="alert alert-warning mt-3 mb-0">
                <p class="mb-1">"Giorni non modificati:"</p>
                <ul class="mb-0">{items}</ul>
            </div>
        }
    });
    view! {
        <p id="range-result" class="alert alert-success mt-3 mb-0">{summary(&result)}</p>
        {skipped}
    }
}
