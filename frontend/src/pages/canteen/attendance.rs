//! `/{slug}/presenze-mensa?giorno=2026-11-24&scuola=…`: the canteen's day on the staff's
//! tablet. The children expected, per school and class with their diet, a large
//! Presente/Assente switch each, how many are present, and the meals for the kitchen.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use sportello_model::access::Action;
use sportello_model::bookings::{AttendanceMark, AttendanceRow, KitchenCount, MealChoice};
use sportello_model::format;
use time::Date;

use super::{canteen_page, chosen_service};
use crate::api;
use crate::app::{use_page_title, RoleOnly};
use crate::components::{
    address_with, remote, ButtonFeedback, DownloadButton, SelectField, ServiceTabs, TextField,
};
use crate::dates::{long_date_capitalised, parse_day, today};
use crate::forms::Form;
use crate::session::use_session;

#[component]
pub fn AttendancePage() -> impl IntoView {
    use_page_title("Presenze mensa");
    view! {
        <RoleOnly
            allowed=Action::TakeAttendance
            title="Presenze mensa"
            id="attendance-not-allowed"
            message="La rilevazione delle presenze in mensa è riservata al personale addetto e agli operatori del Comune."
        >
            <Attendance />
        </RoleOnly>
    }
}

/// What the roster says about a day.
#[derive(Clone)]
enum CanteenDay {
    Open(Vec<AttendanceRow>),
    /// Not a school day: the API's Italian reason.
    Closed(String),
}

#[component]
fn Attendance() -> impl IntoView {
    canteen_page(
        "Presenze mensa",
        "attendance",
        |services| view! { <CanteenDayView services /> },
    )
}

#[component]
fn CanteenDayView(services: Vec<(i64, String)>) -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let location = use_location();
    let navigate = use_navigate();
    let service_id = chosen_service(&services);
    let day = Memo::new(move |_| {
        query
            .read()
            .get("giorno")
            .and_then(|value| parse_day(&value))
            .unwrap_or_else(today)
    });
    let school = Memo::new(move |_| query.read().get("scuola").unwrap_or_default());
    // The day, school and canteen live in the address: a reload keeps them.
    let show = Callback::new(move |(day, school, service): (Date, String, i64)| {
        let params = [
            ("giorno", day.to_string()),
            ("scuola", school),
            ("servizio", service.to_string()),
        ];
        navigate(
            &address_with(&location.pathname.get_untracked(), &params),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    });

    let day_text = RwSignal::new(day.get_untracked().to_string());
    Effect::new(move |_| {
        let shown = day.get().to_string();
        if day_text.get_untracked() != shown {
            day_text.set(shown);
        }
    });
    Effect::new(move |_| {
        let typed = parse_day(&day_text.get());
        if let Some(typed) = typed.filter(|typed| *typed != day.get_untracked()) {
            show.run((typed, school.get_untracked(), service_id.get_untracked()));
        }
    });

    let roster = LocalResource::new(move || {
        let (service_id, day) = (service_id.get(), day.get());
        async move {
            match api::roster(session, service_id, day).await {
                Ok(rows) => Ok(CanteenDay::Open(rows)),
                Err(problem) if problem.status == 409 => Ok(CanteenDay::Closed(problem.detail)),
                Err(problem) => Err(problem),
            }
        }
    });
    let tabs = (services.len() > 1).then(|| {
        let href = Callback::new(move |id: i64| {
            let params = [
                ("giorno", day.get().to_string()),
                ("servizio", id.to_string()),
            ];
            address_with(&location.pathname.get(), &params)
        });
        view! { <ServiceTabs services=services.clone() current=service_id href /> }
    });
    let render = move |canteen_day: CanteenDay| match canteen_day {
        CanteenDay::Closed(reason) => view! {
            <div id="attendance-closed" class="alert alert-info" role="status">
                {reason}
            </div>
        }
        .into_any(),
        CanteenDay::Open(rows) => {
            let (service_id, day) = (service_id.get_untracked(), day.get_untracked());
            view! { <Roster rows service_id day school show /> }.into_any()
        }
    };
    view! {
        {tabs}
        <div class="row">
            <div class="col-12 col-sm-6">
                <TextField
                    id="attendance-day"
                    label="Giorno"
                    value=day_text
                    kind="date"
                    error=Signal::stored(None::<String>)
                />
            </div>
        </div>
        <p id="attendance-date" class="lead">
            {move || long_date_capitalised(day.get())}
        </p>
        {remote(roster, "attendance-error", "Caricamento degli alunni attesi…", render)}
    }
}

/// The expected children of an open day, with the counter and the kitchen's meals.
#[component]
fn Roster(
    rows: Vec<AttendanceRow>,
    service_id: i64,
    day: Date,
    school: Memo<String>,
    show: Callback<(Date, String, i64)>,
) -> impl IntoView {
    let session = use_session();
    let kitchen = LocalResource::new(move || api::kitchen_counts(session, service_id, day));
    let marked = Callback::new(move |()| kitchen.refetch());

    let mut schools: Vec<String> = rows.iter().map(|row| row.school.clone()).collect();
    schools.dedup();
    let school_choice = RwSignal::new(school.get_untracked());
    Effect::new(move |_| {
        let chosen = school_choice.get();
        if chosen != school.get_untracked() {
            show.run((day, chosen, service_id));
        }
    });
    let options: Vec<(String, String)> = std::iter::once((String::new(), "Tutte le scuole".into()))
        .chain(schools.iter().map(|name| (name.clone(), name.clone())))
        .collect();

    let rows: Vec<RwSignal<AttendanceRow>> = rows.into_iter().map(RwSignal::new).collect();
    let shown = StoredValue::new(rows.clone());
    let counter = move || {
        let wanted = school.get();
        shown.with_value(|rows| {
            let visible: Vec<bool> = rows
                .iter()
                .filter_map(|row| {
                    row.with(|row| {
                        (wanted.is_empty() || row.school == wanted).then_some(row.present)
                    })
                })
                .collect();
            (
                visible.iter().filter(|present| **present).count(),
                visible.len(),
            )
        })
    };

    let mut groups: Vec<(String, String, Vec<RwSignal<AttendanceRow>>)> = Vec::new();
    for row in rows {
        let (row_school, class_name) =
            row.with_untracked(|r| (r.school.clone(), r.class_name.clone()));
        match groups.last_mut() {
            Some((s, c, members)) if *s == row_school && *c == class_name => members.push(row),
            _ => groups.push((row_school, class_name, vec![row])),
        }
    }
    let sections = schools
        .into_iter()
        .enumerate()
        .map(|(index, name)| {
            let classes = groups
                .iter()
                .filter(|(s, _, _)| *s == name)
                .map(|(_, class_name, members)| {
                    let items = members
                        .iter()
                        .map(|row| view! { <AttendanceItem row=*row service_id day marked /> })
                        .collect_view();
                    view! {
                        <h3 class="h6 mt-3">{format!("Classe {class_name}")}</h3>
                        <ul class="list-unstyled attendance-list">{items}</ul>
                    }
                })
                .collect_view();
            let title_id = format!("school-{index}");
            let labelled_by = title_id.clone();
            let hidden_name = name.clone();
            view! {
                <section
                    class="attendance-school"
                    aria-labelledby=labelled_by
                    hidden=move || school.with(|wanted| !wanted.is_empty() && *wanted != hidden_name)
                >
                    <h2 id=title_id class="h5 mt-4">{name}</h2>
                    {classes}
                </section>
            }
        })
        .collect_view();

    view! {
        <SelectField id="attendance-school" label="Scuola" value=school_choice options />
        <p
            id="present-count"
            class="attendance-counter"
            role="status"
            data-present=move || counter().0.to_string()
        >
            {move || {
                let (present, expected) = counter();
                format!("Presenti: {present} su {expected}")
            }}
        </p>
        {sections}
        <KitchenCounts kitchen service_id day school />
    }
}

/// One child: who, the diet, what the family booked, and the Presente/Assente switch.
/// A tap shows the new state at once and puts it back if the server refuses it.
#[component]
fn AttendanceItem(
    row: RwSignal<AttendanceRow>,
    service_id: i64,
    day: Date,
    marked: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let AttendanceRow {
        child_id,
        child_name,
        meal_type,
        booked,
        ..
    } = row.get_untracked();
    let form = Form::buttons(
        move |(wanted, before): (bool, AttendanceRow)| async move {
            let mark = AttendanceMark {
                service_id,
                day,
                present: wanted,
            };
            let saved = api::mark_attendance(session, child_id, &mark).await;
            if saved.is_err() {
                row.try_set(before);
            }
            saved
        },
        move |saved: AttendanceRow| {
            row.set(saved);
            marked.run(());
        },
    );
    let pending = form.pending();
    let present = move || row.with(|row| row.present);
    let mark = move |wanted: bool| {
        if pending.get_untracked() || row.with_untracked(|row| row.present) == wanted {
            return;
        }
        let before = row.get_untracked();
        row.update(|row| {
            row.present = wanted;
            row.recorded = true;
        });
        form.send((wanted, before));
    };
    let booking = if booked == MealChoice::Present {
        "Prenotazione: Presente".to_string()
    } else {
        format!("Prenotazione: {}", booked.label())
    };
    let group_label = format!("Presenza di {child_name}");
    let name_hook = child_name.clone();
    view! {
        <li
            id=format!("attendance-{child_id}")
            class="attendance-item"
            data-child-name=name_hook
            data-present=move || present().to_string()
        >
            <div class="attendance-who">
                <p class="attendance-name mb-0">{child_name}</p>
                <p class="small mb-0">{meal_type}</p>
                <p class="small text-muted mb-0">
                    {booking}
                    {move || row.with(|row| row.recorded).then_some(" · rilevato dal personale")}
                </p>
            </div>
            <div class="attendance-toggle" role="group" aria-label=group_label>
                <button
                    type="button"
                    class="btn attendance-choice"
                    data-present="true"
                    aria-pressed=move || present().to_string()
                    aria-busy=move || pending.get().then_some("true")
                    on:click=move |_| mark(true)
                >
                    "Presente"
                </button>
                <button
                    type="button"
                    class="btn attendance-choice"
                    data-present="false"
                    aria-pressed=move || (!present()).to_string()
                    aria-busy=move || pending.get().then_some("true")
                    on:click=move |_| mark(false)
                >
                    "Assente"
                </button>
            </div>
            <ButtonFeedback
                id=format!("attendance-{child_id}-error")
                problem=Signal::derive(move || form.problem())
                class="attendance-feedback"
            />
        </li>
    }
}

/// The meals for the kitchen per school, class and meal type, and the same as CSV.
#[component]
fn KitchenCounts(
    kitchen: LocalResource<api::ApiResult<Vec<KitchenCount>>>,
    service_id: i64,
    day: Date,
    school: Memo<String>,
) -> impl IntoView {
    let session = use_session();
    let render = move |counts: Vec<KitchenCount>| {
        let wanted = school.get();
        let counts: Vec<KitchenCount> = counts
            .into_iter()
            .filter(|count| wanted.is_empty() || count.school == wanted)
            .collect();
        let total: u64 = counts.iter().map(|count| count.meals).sum();
        let lines = counts
            .into_iter()
            .map(|count| {
                let (school_hook, class_hook) = (count.school.clone(), count.class_name.clone());
                view! {
                    <tr data-school=school_hook data-class=class_hook>
                        <td>{count.school}</td>
                        <td>{count.class_name}</td>
                        <td>{count.meal_type}</td>
                        <td class="text-end">{count.meals}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-responsive">
                <table id="kitchen-counts" class="table table-sm">
                    <caption class="visually-hidden">"Pasti per scuola, classe e tipologia"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Scuola"</th>
                            <th scope="col">"Classe"</th>
                            <th scope="col">"Tipologia pasto"</th>
                            <th scope="col" class="text-end">"Pasti"</th>
                        </tr>
                    </thead>
                    <tbody>{lines}</tbody>
                    <tfoot>
                        <tr>
                            <th scope="row" colspan="3">"Totale"</th>
                            <td id="kitchen-total" class="text-end fw-bold" data-meals=total.to_string()>
                                {total}
                            </td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        }
    };
    view! {
        <section id="kitchen" class="mt-5" aria-labelledby="kitchen-title">
            <h2 id="kitchen-title" class="h4">"Pasti per la cucina"</h2>
            {remote(kitchen, "kitchen-error", "Caricamento dei pasti…", render)}
            <DownloadButton
                id="kitchen-csv"
                label=format!("Scarica CSV dei pasti del {}", format::date(day))
                text="Scarica CSV"
                fetch=move || api::kitchen_counts_csv(session, service_id, day)
            />
        </section>
    }
}
