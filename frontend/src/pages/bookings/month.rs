//! `/{slug}/prenotazioni/{child_id}?mese=2026-11`: a child's month of meals, Monday to
//! Sunday, each school day in its colour and with its state written out. A day that can
//! still be changed opens a small menu with the other choices; a locked one says why; a
//! day the canteen is closed shows the reason ("Sciopero del personale mensa").

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};
use sportello_model::bookings::{
    BookingChange, BookingResult, CalendarDay, CutoffPolicy, MealChoice, MonthCalendar,
};
use sportello_model::children::ChildDetail;
use sportello_model::format;
use time::{Date, Month};

use super::range::RangeForm;
use super::{books_meals, breadcrumb, FamiliesOnly};
use crate::api;
use crate::app::use_ente;
use crate::components::{focus_element, remote, set_title, Icon, ServiceTabs};
use crate::dates::{
    long_date, long_date_capitalised, parse_month, today, weekday_name, weekday_short, WEEK,
};
use crate::forms::{Form, FormAlert};
use crate::pages::children::child_in_path;
use crate::session::use_session;

/// A month of a year.
type YearMonth = (i32, Month);

fn previous_month((year, month): YearMonth) -> YearMonth {
    match month {
        Month::January => (year - 1, Month::December),
        _ => (year, month.previous()),
    }
}

fn next_month((year, month): YearMonth) -> YearMonth {
    match month {
        Month::December => (year + 1, Month::January),
        _ => (year, month.next()),
    }
}

#[component]
pub fn MonthPage() -> impl IntoView {
    view! {
        <FamiliesOnly>
            <ChildMonth />
        </FamiliesOnly>
    }
}

#[component]
fn ChildMonth() -> impl IntoView {
    let ente = use_ente();
    let query = use_query_map();
    let child = child_in_path("child_id");
    // The month in the address, so that a reload or a shared link keeps it; else today's.
    let month = Memo::new(move |_| {
        query
            .read()
            .get("mese")
            .and_then(|value| parse_month(&value))
            .unwrap_or_else(|| {
                let today = today();
                (today.year(), today.month())
            })
    });
    let chosen_service = Memo::new(move |_| {
        query
            .read()
            .get("servizio")
            .and_then(|id| id.parse::<i64>().ok())
    });
    let child_name = move || {
        child
            .get()
            .and_then(Result::ok)
            .map(|child| format!("{} {}", child.first_name, child.last_name))
    };
    Effect::new(move |_| {
        let name = child_name().unwrap_or_else(|| "Prenotazioni".into());
        set_title(&[&name, &ente.name()]);
    });

    let render = move |child: ChildDetail| {
        let services: Vec<(i64, String)> = child
            .enrolments
            .iter()
            .filter(|enrolment| books_meals(enrolment))
            .map(|enrolment| (enrolment.service_id, enrolment.service_name.clone()))
            .collect();
        let name = format!("{} {}", child.first_name, child.last_name);
        let body = if services.is_empty() {
            view! {
                <p id="month-no-service">
                    {format!(
                        "{name} non è iscritto/a a un servizio mensa con prenotazione dei pasti.",
                    )}
                </p>
            }
            .into_any()
        } else {
            view! { <ServiceMonth child_id=child.id services month chosen_service /> }.into_any()
        };
        view! {
            <h1 id="child-name">{name.clone()}</h1>
            {body}
        }
    };

    view! {
        {move || breadcrumb(ente, Some(child_name().unwrap_or_else(|| "Calendario".into())))}
        {remote(child, "child-error", "Caricamento dell'utente…", render)}
        <a class="btn btn-outline-primary mt-4" href=ente.path("prenotazioni")>
            "Torna a Prenotazioni"
        </a>
    }
}

/// The month of one of the child's canteen services, with links to the others.
#[component]
fn ServiceMonth(
    child_id: i64,
    services: Vec<(i64, String)>,
    month: Memo<YearMonth>,
    chosen_service: Memo<Option<i64>>,
) -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let location = use_location();
    // The rule the server applies to every change, in the words of its refusals.
    let cutoff_message = ente
        .with(|detail| CutoffPolicy::from_settings(&detail.settings))
        .flatten()
        .map(|policy| policy.message());
    let first = services[0].0;
    let ids: Vec<i64> = services.iter().map(|(id, _)| *id).collect();
    let service_id = Memo::new(move |_| {
        chosen_service
            .get()
            .filter(|id| ids.contains(id))
            .unwrap_or(first)
    });
    let calendar = LocalResource::new(move || {
        let (year, month) = month.get();
        api::month_calendar(session, child_id, service_id.get(), year, month)
    });
    // Address of a month of a service on this page.
    let link = Callback::new(move |(month, service): (YearMonth, Option<i64>)| {
        let mut href = format!(
            "{}?mese={}",
            location.pathname.get_untracked(),
            api::month_key(month.0, month.1)
        );
        if let Some(service) = service.or_else(|| chosen_service.get()) {
            href.push_str(&format!("&servizio={service}"));
        }
        href
    });
    let names = services.clone();
    let service_name = move || {
        let id = service_id.get();
        names
            .iter()
            .find(|(service, _)| *service == id)
            .map(|(_, name)| name.clone())
    };
    let tabs = (services.len() > 1).then(|| {
        let href = Callback::new(move |id| link.run((month.get(), Some(id))));
        view! { <ServiceTabs services current=service_id href /> }
    });
    view! {
        {tabs}
        <p id="month-service" class="fw-semibold mb-2">{service_name}</p>
        {cutoff_message.map(|message| {
            view! {
                <div id="cutoff-message" class="alert alert-info" role="note">
                    {message}
                </div>
            }
        })}
        <div class="month-nav">
            <a
                id="month-prev"
                class="btn btn-outline-primary btn-sm btn-icon"
                href=move || link.run((previous_month(month.get()), None))
            >
                <Icon name="chevron-left" class="icon-primary icon-sm" />
                <span>"Mese precedente"</span>
            </a>
            <h2 id="month-title" class="h4 mb-0" aria-live="polite">
                {move || {
                    let (year, month) = month.get();
                    format::month_year(month, year)
                }}
            </h2>
            <a
                id="month-next"
                class="btn btn-outline-primary btn-sm btn-icon"
                href=move || link.run((next_month(month.get()), None))
            >
                <span>"Mese successivo"</span>
                <Icon name="chevron-right" class="icon-primary icon-sm" />
            </a>
        </div>
        {remote(
            calendar,
            "month-error",
            "Caricamento del calendario…",
            move |calendar| view! { <MonthView calendar child_id /> },
        )}
    }
}

#[component]
fn MonthView(calendar: MonthCalendar, child_id: i64) -> impl IntoView {
    let MonthCalendar {
        service_id,
        calendar: school,
        choices,
        days,
        ..
    } = calendar;
    let Some(first_day) = days.first().map(|day| day.date) else {
        return ().into_any();
    };
    let days: Vec<RwSignal<CalendarDay>> = days.into_iter().map(RwSignal::new).collect();
    let stored_days = StoredValue::new(days.clone());
    let open = RwSignal::new(None::<Date>);
    let announcement = RwSignal::new(None::<String>);
    // A change the server accepted: the days of this month it names take the new choice.
    let apply = Callback::new(move |result: BookingResult| {
        stored_days.with_value(|days| {
            for day in days {
                if day.with_untracked(|day| result.days.contains(&day.date)) {
                    day.update(|day| day.choice = Some(result.choice));
                }
            }
        });
    });
    let choices = StoredValue::new(choices);

    let leading = first_day.weekday().number_days_from_monday() as usize;
    let mut cells: Vec<Option<RwSignal<CalendarDay>>> = std::iter::repeat_n(None, leading)
        .chain(days.into_iter().map(Some))
        .collect();
    cells.resize(cells.len().div_ceil(7) * 7, None);
    let weeks = cells
        .chunks(7)
        .map(|week| {
            let in_week: Vec<RwSignal<CalendarDay>> = week.iter().flatten().copied().collect();
            let row = week
                .iter()
                .map(|cell| match cell {
                    Some(day) => view! { <DayCell day=*day open /> }.into_any(),
                    None => view! { <td class="booking-blank"></td> }.into_any(),
                })
                .collect_view();
            let menu = move || {
                let date = open.get()?;
                let day = in_week
                    .iter()
                    .copied()
                    .find(|day| day.with_untracked(|d| d.date) == date)?;
                Some(view! {
                    <tr class="day-menu-row">
                        <td colspan="7">
                            <DayMenu day choices child_id service_id open announcement apply />
                        </td>
                    </tr>
                })
            };
            view! {
                <tr>{row}</tr>
                {menu}
            }
        })
        .collect_view();
    let headings = WEEK
        .into_iter()
        .map(|weekday| {
            view! {
                <th scope="col">
                    <abbr title=weekday_name(weekday)>{weekday_short(weekday)}</abbr>
                </th>
            }
        })
        .collect_view();

    view! {
        <div id="booking-status" role="status" aria-live="polite">
            {move || {
                announcement
                    .get()
                    .map(|text| {
                        view! {
                            <p class="alert alert-success mb-2">{text}</p>
                        }
                    })
            }}
        </div>
        <table id="booking-calendar" class="booking-calendar" aria-labelledby="month-title">
            <thead>
                <tr>{headings}</tr>
            </thead>
            <tbody>{weeks}</tbody>
        </table>
        <p id="month-period" class="small mt-2 mb-0">
            {format!(
                "Servizio dal {} al {}.",
                format::date(school.first_day),
                format::date(school.last_day),
            )}
        </p>
        <Legend choices=choices.get_value() />
        <RangeForm child_id service_id choices=choices.get_value() apply />
    }
    .into_any()
}

/// One day: its number and state; a school day, or a day the canteen is closed, is a
/// button that opens its menu.
#[component]
fn DayCell(day: RwSignal<CalendarDay>, open: RwSignal<Option<Date>>) -> impl IntoView {
    let (date, school_day, closure) =
        day.with_untracked(|day| (day.date, day.school_day, day.closure.clone()));
    let is_open = move || open.get() == Some(date);
    let toggle = move |_: leptos::ev::MouseEvent| {
        open.update(|open| {
            *open = if *open == Some(date) {
                None
            } else {
                Some(date)
            }
        })
    };
    if let Some(reason) = closure {
        return view! {
            <td
                class="booking-day"
                data-date=date.to_string()
                data-school-day="false"
                data-closed="true"
            >
                <button
                    type="button"
                    id=format!("day-{date}")
                    class="booking-day-box booking-day-button booking-day-closed"
                    aria-expanded=move || is_open().to_string()
                    aria-controls=move || is_open().then_some("day-menu")
                    title=format!("Mensa chiusa: {reason}")
                    on:click=toggle
                >
                    <span class="day-number">{date.day()}</span>
                    <span class="day-closure">{reason.clone()}</span>
                    <span class="visually-hidden">
                        {format!(", {}, mensa chiusa", long_date(date))}
                    </span>
                </button>
            </td>
        }
        .into_any();
    }
    if !school_day {
        return view! {
            <td class="booking-day" data-date=date.to_string() data-school-day="false">
                <div class="booking-day-box">
                    <span class="day-number">{date.day()}</span>
                    <span class="visually-hidden">{format!(", {}, nessun servizio", long_date(date))}</span>
                </div>
            </td>
        }
        .into_any();
    }
    let choice = move || day.with(|day| day.choice.unwrap_or(MealChoice::Present));
    let editable = move || day.with(|day| day.editable);
    view! {
        <td
            class="booking-day"
            data-date=date.to_string()
            data-school-day="true"
            data-choice=move || choice().as_str()
            data-editable=move || editable().to_string()
        >
            <button
                type="button"
                id=format!("day-{date}")
                class="booking-day-box booking-day-button"
                aria-expanded=move || is_open().to_string()
                aria-controls=move || is_open().then_some("day-menu")
                title=move || day.with(|day| day.locked_reason.clone())
                on:click=toggle
            >
                <span class="day-number">{date.day()}</span>
                <DayState choice=Signal::derive(choice) />
                {move || (!editable()).then(|| view! { <Icon name="locked" class="day-lock" /> })}
                <span class="visually-hidden">
                    {move || {
                        let lock = if editable() { "" } else { ", non modificabile" };
                        format!(", {}{lock}", long_date(date))
                    }}
                </span>
            </button>
        </td>
    }
    .into_any()
}

/// The state written in a day of the calendar: the full label, and on a narrow phone an
/// abbreviation in its place (the full label stays for screen readers), so that no word
/// is broken across lines.
#[component]
fn DayState(choice: Signal<MealChoice>) -> impl IntoView {
    view! {
        <span class="day-state">
            <span class="day-state-full">{move || choice.get().label()}</span>
            <span class="day-state-short" aria-hidden="true">
                {move || short_label(choice.get())}
            </span>
        </span>
    }
}

/// The abbreviation of a choice in a day too narrow for its label.
fn short_label(choice: MealChoice) -> &'static str {
    match choice {
        MealChoice::Present => "Pres.",
        MealChoice::Absent => "Ass.",
        MealChoice::BlankMeal => "P. bianco",
        MealChoice::PersonalMeal => "P.Pers",
    }
}

/// The menu of an open day: the other choices when it can be changed, else why not.
#[component]
fn DayMenu(
    day: RwSignal<CalendarDay>,
    choices: StoredValue<Vec<MealChoice>>,
    child_id: i64,
    service_id: i64,
    open: RwSignal<Option<Date>>,
    announcement: RwSignal<Option<String>>,
    apply: Callback<BookingResult>,
) -> impl IntoView {
    let session = use_session();
    let CalendarDay {
        date,
        editable,
        locked_reason,
        closure,
        ..
    } = day.get_untracked();
    let close = move || {
        open.set(None);
        focus_element(&format!("day-{date}"));
    };
    Effect::new(move |_| focus_element("day-menu-title"));
    let current = move || day.with(|day| day.choice.unwrap_or(MealChoice::Present));
    let form = Form::buttons(
        move |choice: MealChoice| async move {
            let change = BookingChange { service_id, choice };
            api::change_day(session, child_id, date, &change)
                .await
                .map(|result| (choice, result))
        },
        move |(choice, result): (MealChoice, BookingResult)| {
            apply.run(result);
            announcement.set(Some(format!(
                "{}: {}.",
                long_date_capitalised(date),
                choice.label()
            )));
            if open.get_untracked() == Some(date) {
                close();
            }
        },
    );
    let pending = form.pending();
    let body = if editable {
        let buttons = move || {
            let current = current();
            choices
                .get_value()
                .into_iter()
                .filter(|choice| *choice != current)
                .map(|choice| {
                    view! {
                        <button
                            type="button"
                            class="btn day-choice"
                            data-choice=choice.as_str()
                            disabled=move || pending.get()
                            on:click=move |_| form.send(choice)
                        >
                            {choice.label()}
                        </button>
                    }
                })
                .collect_view()
        };
        view! {
            <p class="mb-2">{move || format!("Ora: {}. Scegli:", current().label())}</p>
            <div class="day-menu-choices">{buttons}</div>
        }
        .into_any()
    } else if let Some(reason) = closure {
        view! {
            <p id="day-menu-closure" class="mb-2">
                {format!("Mensa chiusa: {reason}.")}
            </p>
        }
        .into_any()
    } else {
        view! {
            <p id="day-menu-locked" class="mb-2">
                <Icon name="locked" class="icon-sm me-1" />
                {locked_reason.unwrap_or_else(|| "Il pasto di questo giorno non è modificabile.".into())}
            </p>
        }
        .into_any()
    };
    view! {
        <div
            id="day-menu"
            class="day-menu"
            role="group"
            aria-labelledby="day-menu-title"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    close();
                }
            }
        >
            <h3 id="day-menu-title" class="h6 mb-1" tabindex="-1">
                {long_date_capitalised(date)}
            </h3>
            {body}
            <FormAlert form id="day-menu-error" />
            <button
                type="button"
                id="day-menu-close"
                class="btn btn-outline-primary btn-sm mt-2"
                on:click=move |_| close()
            >
                {if editable { "Annulla" } else { "Chiudi" }}
            </button>
        </div>
    }
}

/// What each colour means, with the lock of days that can no longer change.
#[component]
fn Legend(choices: Vec<MealChoice>) -> impl IntoView {
    let items = choices
        .into_iter()
        .map(|choice| {
            view! {
                <li>
                    <span class="legend-swatch" data-choice=choice.as_str() aria-hidden="true"></span>
                    {choice.label()}
                </li>
            }
        })
        .collect_view();
    view! {
        <section id="booking-legend" class="booking-legend" aria-labelledby="legend-title">
            <h2 id="legend-title" class="h6">"Legenda"</h2>
            <ul class="list-unstyled">
                {items}
                <li>
                    <span class="legend-swatch" aria-hidden="true"></span>
                    "Mensa chiusa o nessun servizio"
                </li>
                <li>
                    <Icon name="locked" class="icon-sm legend-lock" />
                    "Non più modificabile"
                </li>
            </ul>
            <p class="small mb-0">
                "Tocca un giorno per cambiarne il pasto: i giorni abilitati offrono le altre scelte, quelli bloccati spiegano perché."
            </p>
        </section>
    }
}
