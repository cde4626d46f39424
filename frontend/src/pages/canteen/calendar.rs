//! `/{slug}/calendario-mensa`: operators set the canteen's period and serving weekdays,
//! close it on holidays, and charge the meals of a day that is over.

use leptos::prelude::*;
use leptos_router::hooks::use_location;
use sportello_model::access::Action;
use sportello_model::bookings::{
    CalendarSettings, ChargeReport, ChargeRequest, Closure, ClosureAdded, Holiday, NewClosure,
    ServiceCalendar,
};
use sportello_model::{format, FieldError};

use super::{canteen_page, chosen_service};
use crate::api;
use crate::app::{use_page_title, RoleOnly};
use crate::components::{
    address_with, focus_element, remote, CardSection, DateRange, FieldFeedback, ServiceTabs,
    SuccessNote, TextField,
};
use crate::dates::{capitalise, long_date, required_day, weekday_name, yesterday, WEEK};
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::session::use_session;

#[component]
pub fn CalendarPage() -> impl IntoView {
    use_page_title("Calendario mensa");
    view! {
        <RoleOnly
            allowed=Action::ManageCalendar
            title="Calendario mensa"
            id="calendar-not-allowed"
            message="Il calendario della mensa e l'addebito dei pasti sono gestiti dagli operatori del Comune."
        >
            <CanteenCalendar />
        </RoleOnly>
    }
}

#[component]
fn CanteenCalendar() -> impl IntoView {
    canteen_page(
        "Calendario mensa",
        "calendar",
        |services| view! { <ServiceCalendarView services /> },
    )
}

#[component]
fn ServiceCalendarView(services: Vec<(i64, String)>) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let service_id = chosen_service(&services);
    let calendar = LocalResource::new(move || api::service_calendar(session, service_id.get()));
    let tabs = (services.len() > 1).then(|| {
        let href = Callback::new(move |id: i64| {
            address_with(&location.pathname.get(), &[("servizio", id.to_string())])
        });
        view! { <ServiceTabs services=services.clone() current=service_id href /> }
    });
    view! {
        {tabs}
        {remote(
            calendar,
            "calendar-error",
            "Caricamento del calendario…",
            |calendar| view! { <CalendarEditor calendar /> },
        )}
        {move || {
            let service_id = service_id.get();
            view! { <ChargeForm service_id /> }
        }}
    }
}

/// The period and weekdays form and the closures, on the calendar as the server last
/// returned it.
#[component]
fn CalendarEditor(calendar: ServiceCalendar) -> impl IntoView {
    let current = RwSignal::new(calendar);
    view! {
        <PeriodForm current />
        <Closures current />
    }
}

/// "lunedì, martedì, mercoledì".
fn weekdays_list(days: &[u8]) -> String {
    WEEK.into_iter()
        .filter(|day| days.contains(&day.number_from_monday()))
        .map(weekday_name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn period_text(calendar: &ServiceCalendar) -> String {
    format!(
        "Servizio dal {} al {}; giorni di servizio: {}.",
        format::date(calendar.first_day),
        format::date(calendar.last_day),
        weekdays_list(&calendar.serving_weekdays),
    )
}

/// The period and weekdays to save, or what is wrong with them.
fn period_draft(
    first: &str,
    last: &str,
    mut serving_weekdays: Vec<u8>,
) -> Result<CalendarSettings, Vec<FieldError>> {
    let days = required_day(first, "first_day", "Indica il primo giorno di servizio.").and_then(
        |first_day| {
            required_day(last, "last_day", "Indica l'ultimo giorno di servizio.")
                .map(|last_day| (first_day, last_day))
        },
    );
    let (first_day, last_day) = days.map_err(|missing| vec![missing])?;
    serving_weekdays.sort_unstable();
    let settings = CalendarSettings {
        first_day,
        last_day,
        serving_weekdays,
    };
    match settings.problems() {
        problems if problems.is_empty() => Ok(settings),
        problems => Err(problems),
    }
}

/// Service period and serving weekdays.
#[component]
fn PeriodForm(current: RwSignal<ServiceCalendar>) -> impl IntoView {
    let session = use_session();
    let (first_day, last_day, serving, service_id) = current.with_untracked(|calendar| {
        (
            calendar.first_day.to_string(),
            calendar.last_day.to_string(),
            calendar.serving_weekdays.clone(),
            calendar.service_id,
        )
    });
    let first = RwSignal::new(first_day);
    let last = RwSignal::new(last_day);
    let weekdays = RwSignal::new(serving);
    let saved = RwSignal::new(None::<String>);
    let form = Form::new(
        &[
            ("first_day", "period-first"),
            ("last_day", "period-last"),
            ("serving_weekdays", "weekday-1"),
        ],
        move |_| period_draft(&first.read(), &last.read(), weekdays.get()),
        move |settings: CalendarSettings| async move {
            api::set_service_calendar(session, service_id, &settings).await
        },
        move |calendar: ServiceCalendar| {
            saved.set(Some(format!(
                "Calendario salvato. {}",
                period_text(&calendar)
            )));
            current.set(calendar);
        },
    );
    let weekdays_error = form.message_on_submit("serving_weekdays");

    let checkboxes = WEEK
        .into_iter()
        .map(|day| {
            let number = day.number_from_monday();
            let id = format!("weekday-{number}");
            view! {
                <div class="form-check form-check-inline">
                    <input
                        type="checkbox"
                        id=id.clone()
                        name="serving_weekdays"
                        value=number.to_string()
                        prop:checked=move || weekdays.with(|days| days.contains(&number))
                        aria-invalid=move || weekdays_error.with(Option::is_some).to_string()
                        on:change=move |ev| {
                            let checked = event_target_checked(&ev);
                            weekdays.update(|days| {
                                days.retain(|d| *d != number);
                                if checked {
                                    days.push(number);
                                }
                            });
                        }
                    />
                    <label for=id>{capitalise(weekday_name(day))}</label>
                </div>
            }
        })
        .collect_view();

    view! {
        <CardSection id="period" title="Periodo e giorni di servizio">
            <p id="period-current">{move || current.with(period_text)}</p>
            {move || {
                (!current.with(|calendar| calendar.configured))
                    .then(|| {
                        view! {
                            <p id="period-default" class="small">
                                "Il calendario non è ancora stato impostato: valgono l'anno scolastico in corso e i giorni da lunedì a venerdì."
                            </p>
                        }
                    })
            }}
            <form id="period-form" novalidate on:submit=form.submit_clearing(saved)>
                <DateRange
                    from_id="period-first"
                    to_id="period-last"
                    from=first
                    to=last
                    from_error=form.message_on_submit("first_day")
                    to_error=form.message_on_submit("last_day")
                    from_label="Primo giorno di servizio"
                    to_label="Ultimo giorno di servizio"
                />
                <fieldset
                    class="mb-4"
                    aria-describedby=move || {
                        weekdays_error.with(Option::is_some).then_some("period-weekdays-error")
                    }
                >
                    <legend class="h6">"Giorni in cui la mensa è attiva"</legend>
                    {checkboxes}
                    <FieldFeedback id="period-weekdays-error" error=weekdays_error />
                </fieldset>
                <FormAlert form id="period-error" />
                <SubmitButton form id="period-save" label="Salva" busy="Salvataggio…" />
                <SuccessNote id="period-saved" text=saved />
            </form>
        </CardSection>
    }
}

/// "23/12/2026 – 06/01/2027", or one date.
fn closure_dates(closure: &Closure) -> String {
    if closure.from == closure.to {
        format::date(closure.from)
    } else {
        format!(
            "{} – {}",
            format::date(closure.from),
            format::date(closure.to)
        )
    }
}

/// "Chiusura del 27/11/2026 aggiunta.", then the meals credited back, if any.
fn added_text(closure: &NewClosure, outcome: &ClosureAdded) -> String {
    let added = if closure.from == closure.to {
        format!("Chiusura del {} aggiunta.", format::date(closure.from))
    } else {
        format!(
            "Chiusura dal {} al {} aggiunta.",
            format::date(closure.from),
            format::date(closure.to)
        )
    };
    match outcome.reversed_meals {
        0 => added,
        1 => format!(
            "{added} Stornato 1 pasto già addebitato ({}), riaccreditato alla famiglia.",
            format::euro(outcome.reversed_amount)
        ),
        n => format!(
            "{added} Stornati {n} pasti già addebitati ({}), riaccreditati alle famiglie.",
            format::euro(outcome.reversed_amount)
        ),
    }
}

/// The closures as the ranges they were added as, each with one "Rimuovi", the national
/// holidays (always closed), and the form that adds a closure.
#[component]
fn Closures(current: RwSignal<ServiceCalendar>) -> impl IntoView {
    let session = use_session();
    let service_id = current.with_untracked(|calendar| calendar.service_id);
    let remove = Form::buttons(
        move |closure: i64| async move { api::remove_closure(session, service_id, closure).await },
        move |calendar: ServiceCalendar| {
            current.set(calendar);
            focus_element("closures-title");
        },
    );
    let removing = remove.pending();
    let removing_this = move |closure: i64| remove.in_flight().with(|sent| *sent == Some(closure));
    let item = move |closure: Closure| {
        let dates = closure_dates(&closure);
        let Closure {
            id,
            from,
            to,
            description,
        } = closure;
        let label = format!("Rimuovi la chiusura {dates} ({description})");
        view! {
            <li
                id=format!("closure-{id}")
                class="closure-item"
                data-date=from.to_string()
                data-to=to.to_string()
            >
                <span>
                    <span class="closure-dates">{dates}</span>
                    " "
                    <span class="closure-description">{description}</span>
                </span>
                <button
                    type="button"
                    class="btn btn-outline-danger btn-sm"
                    aria-label=label
                    disabled=move || removing.get()
                    on:click=move |_| remove.send(id)
                >
                    {move || if removing_this(id) { "Rimozione…" } else { "Rimuovi" }}
                </button>
            </li>
        }
    };
    let holiday = |Holiday { day, name }: Holiday| {
        view! {
            <li data-date=day.to_string()>
                <time datetime=day.to_string()>{long_date(day)}</time>
                {format!(": {name}")}
            </li>
        }
    };
    view! {
        <CardSection id="closures" title="Chiusure" focusable=true>
            <p>"Vacanze, scioperi e altri giorni senza servizio: in quei giorni non si prenota e non si addebita il pasto. Chiudendo un giorno già addebitato, i suoi pasti vengono stornati alle famiglie; rimuovendo la chiusura di un giorno trascorso, i suoi pasti vengono addebitati di nuovo, una sola volta: in automatico se è dell'ultima settimana, altrimenti con «Addebita» in Addebito pasti."</p>
            <FormAlert form=remove id="closures-error" />
            {move || {
                let closures = current.with(|calendar| calendar.closures.clone());
                if closures.is_empty() {
                    view! { <p id="closures-empty">"Nessuna chiusura."</p> }.into_any()
                } else {
                    view! {
                        <ul id="closure-list" class="list-unstyled closure-list">
                            {closures.into_iter().map(item).collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
            <ClosureForm service_id current />
            <h3 id="holidays-title" class="h5 mt-4">"Festività nazionali"</h3>
            <p class="small">"Chiuse in automatico, con il loro nome, in ogni calendario."</p>
            <ul id="holiday-list" class="small" aria-labelledby="holidays-title">
                {move || {
                    current
                        .with(|calendar| calendar.national_holidays.clone())
                        .into_iter()
                        .map(holiday)
                        .collect_view()
                }}
            </ul>
        </CardSection>
    }
}

/// The closure to add (one day when "al" is empty), or what is wrong with it.
fn closure_draft(from: &str, to: &str, description: &str) -> Result<NewClosure, Vec<FieldError>> {
    let first = required_day(from, "from", "Indica il primo giorno di chiusura.")
        .map_err(|missing| vec![missing])?;
    let last = if to.trim().is_empty() {
        first
    } else {
        required_day(to, "to", "La data non è valida.").map_err(|wrong| vec![wrong])?
    };
    let closure = NewClosure {
        from: first,
        to: last,
        description: description.trim().to_owned(),
    };
    match closure.problems() {
        problems if problems.is_empty() => Ok(closure),
        problems => Err(problems),
    }
}

/// "Aggiungi chiusura": from one day to another (one day when "al" is left empty).
#[component]
fn ClosureForm(service_id: i64, current: RwSignal<ServiceCalendar>) -> impl IntoView {
    let session = use_session();
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let added = RwSignal::new(None::<String>);
    let form = Form::new(
        &[
            ("from", "closure-from"),
            ("to", "closure-to"),
            ("description", "closure-description"),
        ],
        move |_| closure_draft(&from.read(), &to.read(), &description.read()),
        move |closure: NewClosure| async move {
            api::add_closure(session, service_id, &closure)
                .await
                .map(|outcome| (closure, outcome))
        },
        move |(closure, outcome): (NewClosure, ClosureAdded)| {
            added.set(Some(added_text(&closure, &outcome)));
            current.set(outcome.calendar);
            from.set(String::new());
            to.set(String::new());
            description.set(String::new());
        },
    );
    view! {
        <form
            id="closure-form"
            class="mt-4"
            novalidate
            on:submit=form.submit_clearing(added)
        >
            <h3 class="h5">"Aggiungi chiusura"</h3>
            <DateRange
                from_id="closure-from"
                to_id="closure-to"
                from
                to
                from_error=form.message_on_submit("from")
                to_error=form.message_on_submit("to")
                to_hint=Signal::stored("Lascia vuoto per chiudere un solo giorno.".to_string())
            />
            <TextField
                id="closure-description"
                label="Descrizione"
                value=description
                error=form.message_on_submit("description")
                hint=Signal::stored("Ad esempio «Vacanze di Natale».".to_string())
            />
            <FormAlert form id="closure-error" />
            <SubmitButton form id="closure-add" label="Aggiungi chiusura" busy="Salvataggio…" />
            <SuccessNote id="closure-added" text=added />
        </form>
    }
}

/// "Addebitati 2 pasti per 9,20 €; già addebitati: 0; assenti: 1."
fn charge_text(report: &ChargeReport) -> String {
    let charged = match report.charged {
        1 => format!("Addebitato 1 pasto per {}", format::euro(report.amount)),
        n => format!("Addebitati {n} pasti per {}", format::euro(report.amount)),
    };
    format!(
        "{charged}; già addebitati: {}; assenti: {}.",
        report.already_charged, report.absent
    )
}

/// "Addebito pasti": charges the meals of a day that is over. The server also does it on
/// its own every night; charging a day twice adds nothing.
#[component]
fn ChargeForm(service_id: i64) -> impl IntoView {
    let session = use_session();
    let day = RwSignal::new(yesterday().to_string());
    let report = RwSignal::new(None::<ChargeReport>);
    let form = Form::new(
        &[("day", "charge-day")],
        move |_| {
            required_day(&day.read(), "day", "Indica il giorno da addebitare.")
                .map(|day| ChargeRequest { service_id, day })
                .map_err(|missing| vec![missing])
        },
        move |request: ChargeRequest| async move { api::charge_day(session, &request).await },
        move |done: ChargeReport| report.set(Some(done)),
    );
    view! {
        <CardSection id="charge" title="Addebito pasti">
            <p>
                "Addebita sul conto delle famiglie i pasti di un giorno concluso. Il sistema lo fa anche da solo ogni notte; ripetere l'addebito di un giorno non addebita nulla due volte."
            </p>
            <form id="charge-form" novalidate on:submit=form.submit_clearing(report)>
                <div class="row">
                    <div class="col-12 col-sm-6">
                        <TextField id="charge-day" label="Giorno" value=day kind="date" error=form.message_on_submit("day") />
                    </div>
                </div>
                <FormAlert form id="charge-error" />
                <SubmitButton form id="charge-submit" label="Addebita" busy="Addebito in corso…" />
                <div aria-live="polite">
                    {move || {
                        report
                            .get()
                            .map(|report| {
                                view! {
                                    <div id="charge-report" class="alert alert-success mt-3 mb-0">
                                        <p class="fw-semibold mb-1">
                                            {format!("Pasti del {}", format::date(report.day))}
                                        </p>
                                        <p class="mb-0">{charge_text(&report)}</p>
                                    </div>
                                }
                            })
                    }}
                </div>
            </form>
        </CardSection>
    }
}
