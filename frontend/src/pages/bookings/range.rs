//! "Segnala assenza per più giorni": one choice for every school day from one date to
//! another that can still be changed; the days that cannot are listed with the reason.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sportello_model::bookings::{BookingRange, BookingResult, MealChoice};
use sportello_model::{format, FieldError};

use crate::api;
use crate::components::{ErrorAlert, FormErrors, SelectField, TextField};
use crate::dates::parse_day;
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
    let errors = FormErrors::new(&[
        ("from", "range-from"),
        ("to", "range-to"),
        ("choice", "range-choice"),
    ]);
    let pending = RwSignal::new(false);
    let done = RwSignal::new(None::<BookingResult>);
    let options: Vec<(String, String)> = choices
        .iter()
        .map(|choice| (choice.as_str().to_owned(), choice.label().to_owned()))
        .collect();

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        done.set(None);
        let first = from.with_untracked(|value| parse_day(value));
        let last = to.with_untracked(|value| parse_day(value));
        let picked = choice.with_untracked(|value| MealChoice::parse(value));
        let mut missing = Vec::new();
        if first.is_none() {
            missing.push(FieldError::new("from", "Indica il primo giorno."));
        }
        if last.is_none() {
            missing.push(FieldError::new("to", "Indica l'ultimo giorno."));
        }
        if picked.is_none() {
            missing.push(FieldError::new("choice", "Scegli che cosa segnalare."));
        }
        let (true, Some(from), Some(to), Some(choice)) =
            (errors.check(missing), first, last, picked)
        else {
            return;
        };
        let request = BookingRange {
            service_id,
            from,
            to,
            choice,
        };
        pending.set(true);
        spawn_local(async move {
            let result = api::change_range(session, child_id, &request).await;
            pending.try_set(false);
            match result {
                Ok(result) => {
                    done.try_set(Some(result.clone()));
                    apply.run(result);
                }
                Err(problem) => errors.fail(problem),
            }
        });
    };

    view! {
        <section id="range" class="card card-bg rounded shadow-sm mt-4" aria-labelledby="range-title">
            <div class="card-body">
                <h2 id="range-title" class="h5">"Segnala assenza per più giorni"</h2>
                <p>
                    "Per una settimana di malattia o una gita: la scelta vale per ogni giorno di servizio dell'intervallo che si può ancora modificare; i giorni che non si possono più cambiare restano come sono e vengono elencati con il motivo."
                </p>
                <form id="range-form" novalidate on:submit=submit>
                    <div class="row">
                        <div class="col-12 col-sm-6">
                            <TextField
                                id="range-from"
                                label="Dal giorno"
                                value=from
                                kind="date"
                                error=errors.field("from")
                            />
                        </div>
                        <div class="col-12 col-sm-6">
                            <TextField
                                id="range-to"
                                label="Al giorno"
                                value=to
                                kind="date"
                                error=errors.field("to")
                            />
                        </div>
                    </div>
                    <SelectField
                        id="range-choice"
                        label="Che cosa segnalare"
                        value=choice
                        options=options
                        error=errors.field("choice")
                    />
                    <div aria-live="assertive">
                        {move || {
                            errors.problem().map(|problem| view! { <ErrorAlert id="range-error" problem /> })
                        }}
                    </div>
                    <button
                        type="submit"
                        id="range-submit"
                        class="btn btn-primary"
                        disabled=move || pending.get()
                    >
                        {move || if pending.get() { "Invio…" } else { "Conferma" }}
                    </button>
                    <div aria-live="polite">
                        {move || done.get().map(|result| view! { <RangeOutcome result /> })}
                    </div>
                </form>
            </div>
        </section>
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
