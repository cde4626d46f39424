//! The office's enrolment editor, under a child's service cards on the family page: a new
//! card (service, school year, school and class, fee band, diet, badge), a card changed,
//! a card ended. The form is checked as it is typed by `EnrolmentForm::check`, the rule
//! the server enforces, against the service's bands and the comune's schools and classes.

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::children::{Enrolment, MealType};
use sportello_model::entes::{ServiceDetail, ServiceKind};
use sportello_model::school_year::SchoolYear;
use sportello_model::schools::{
    EnrolmentChoices, EnrolmentForm, School, SchoolClass, SchoolDetail,
};
use sportello_model::FieldError;

use crate::api::{self, ApiResult};
use crate::app::use_ente;
use crate::components::{SelectField, TextField};
use crate::dates::today;
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::session::use_session;

const FIELDS: &[(&str, &str)] = &[
    ("service_id", "enrolment-service"),
    ("school_year", "enrolment-year"),
    ("school_id", "enrolment-school"),
    ("class_id", "enrolment-class"),
    ("fee_band", "enrolment-band"),
    ("meal_type", "enrolment-meal"),
    ("badge", "enrolment-badge"),
];

/// What the editor is open on: a new card of the child, or one of its cards.
#[derive(Clone, PartialEq)]
enum Editing {
    New,
    Card(Box<Enrolment>),
}

/// The buttons under a child's cards and, when one is pressed, the form; `reload` reads
/// the family again once a card changed. Shown to the roles that manage enrolments.
#[component]
pub fn EnrolmentEditor(
    child_id: i64,
    child_name: String,
    cards: Vec<Enrolment>,
    reload: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let ente = use_ente();
    let allowed = session
        .role_in(&ente.slug.get_untracked())
        .is_some_and(|role| role.may(Action::ManageEnrolments));
    if !allowed {
        return ().into_any();
    }
    let open = RwSignal::new(None::<Editing>);
    let ending = RwSignal::new(None::<i64>);
    let end = Form::buttons(
        move |card: i64| async move { api::end_enrolment(session, child_id, card).await },
        move |_: Enrolment| {
            ending.set(None);
            reload.run(());
        },
    );
    let buttons = cards
        .into_iter()
        .map(|card| {
            let id = card.id;
            let what = format!("{} {}", card.service_name, card.school_year);
            let active = card.active;
            let edit_label = format!("Modifica l'iscrizione: {what}");
            let editing = Editing::Card(Box::new(card));
            view! {
                <li class="mb-2">
                    <button
                        type="button"
                        class="btn btn-outline-primary btn-sm me-2"
                        id=format!("enrolment-edit-{id}")
                        on:click=move |_| open.set(Some(editing.clone()))
                    >
                        {edit_label}
                    </button>
                    {active.then(|| view! {
                        {move || if ending.get() == Some(id) {
                            view! {
                                <button
                                    type="button"
                                    class="btn btn-danger btn-sm"
                                    id=format!("enrolment-end-confirm-{id}")
                                    on:click=move |_| end.send(id)
                                >
                                    {format!("Conferma: termina ora l'iscrizione {what}")}
                                </button>
                            }.into_any()
                        } else {
                            let what = what.clone();
                            view! {
                                <button
                                    type="button"
                                    class="btn btn-outline-danger btn-sm"
                                    id=format!("enrolment-end-{id}")
                                    on:click=move |_| ending.set(Some(id))
                                >
                                    {format!("Termina l'iscrizione: {what}")}
                                </button>
                            }.into_any()
                        }}
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
            <div class="mb-4" id=format!("enrolment-editor-{child_id}")>
                <ul class="list-unstyled mb-2">{buttons}</ul>
                <FormAlert form=end id="enrolment-end-error" />
                <button
                    type="button"
                    class="btn btn-primary btn-sm"
                    id=format!("enrolment-new-{child_id}")
                    on:click=move |_| open.set(Some(Editing::New))
                >
                    {format!("Nuova iscrizione per {child_name}")}
                </button>
                {move || open.get().map(|editing| view! {
                    <EnrolmentFields child_id editing open reload />
                })}
            </div>
    }
    .into_any()
}

/// Options of a select from records: `(id, label)`, with a first empty choice.
fn options_with_none<T>(
    none: &str,
    records: &[T],
    option: impl Fn(&T) -> (String, String),
) -> Vec<(String, String)> {
    std::iter::once((String::new(), none.to_owned()))
        .chain(records.iter().map(option))
        .collect()
}

fn loaded<T: Clone + 'static>(resource: LocalResource<ApiResult<T>>) -> Option<T> {
    resource.get().and_then(Result::ok)
}

#[component]
fn EnrolmentFields(
    child_id: i64,
    editing: Editing,
    open: RwSignal<Option<Editing>>,
    reload: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let card = match &editing {
        Editing::Card(card) => Some(card.as_ref().clone()),
        Editing::New => None,
    };
    let card_id = card.as_ref().map(|c| c.id);
    let text = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
    let service = RwSignal::new(text(card.as_ref().map(|c| c.service_id)));
    let school_year = RwSignal::new(card.as_ref().map_or_else(
        || SchoolYear::containing(today()).to_string(),
        |c| c.school_year.clone(),
    ));
    let school = RwSignal::new(text(card.as_ref().and_then(|c| c.school_id)));
    let class = RwSignal::new(text(card.as_ref().and_then(|c| c.class_id)));
    let band = RwSignal::new(
        card.as_ref()
            .and_then(|c| c.fee_band.clone())
            .unwrap_or_default(),
    );
    let meal = RwSignal::new(
        card.as_ref()
            .map_or(MealType::Base, |c| c.meal_type)
            .as_str()
            .to_owned(),
    );
    let badge = RwSignal::new(card.as_ref().map(|c| c.badge.clone()).unwrap_or_default());
    let badge_left = RwSignal::new(false);

    let services = LocalResource::new(move || api::office_services(session));
    let schools = LocalResource::new(move || api::office_schools(session));
    let service_detail: LocalResource<ApiResult<Option<ServiceDetail>>> =
        LocalResource::new(move || {
            let id = service.get().parse::<i64>().ok();
            async move {
                match id {
                    Some(id) => api::office_service(session, id).await.map(Some),
                    None => Ok(None),
                }
            }
        });
    let school_detail: LocalResource<ApiResult<Option<SchoolDetail>>> =
        LocalResource::new(move || {
            let id = school.get().parse::<i64>().ok();
            async move {
                match id {
                    Some(id) => api::office_school(session, id).await.map(Some),
                    None => Ok(None),
                }
            }
        });
    let detail = Signal::derive(move || loaded(service_detail).flatten());
    let kind = Signal::derive(move || {
        detail.with(|d| d.as_ref().map_or(ServiceKind::Prepaid, |d| d.service.kind))
    });
    let year_classes = Signal::derive(move || -> Vec<SchoolClass> {
        let year = school_year.get();
        loaded(school_detail)
            .flatten()
            .map(|d| {
                d.classes
                    .into_iter()
                    .filter(|c| c.school_year == year.trim())
                    .collect()
            })
            .unwrap_or_default()
    });
    let chosen_school = Signal::derive(move || -> Option<School> {
        let id = school.get().parse::<i64>().ok()?;
        loaded(schools)?.into_iter().find(|s| s.id == id)
    });

    let form = Form::new(
        FIELDS,
        move |_| {
            let request = EnrolmentForm {
                service_id: service.get().parse().unwrap_or_default(),
                school_year: school_year.get(),
                school_id: school.get().parse().ok(),
                class_id: class.get().parse().ok(),
                fee_band: band.get(),
                meal_type: MealType::parse(&meal.get()).unwrap_or(MealType::Base),
                badge: badge.get(),
            };
            let bands = detail.with(|d| d.as_ref().map(|d| d.bands.clone()).unwrap_or_default());
            let school = chosen_school.get();
            let classes = year_classes.get();
            let class = request
                .class_id
                .and_then(|id| classes.iter().find(|c| c.id == id));
            let mut errors: Vec<FieldError> = Vec::new();
            if request.service_id == 0 {
                errors.push(FieldError::new("service_id", "Scegli il servizio."));
            }
            let checked = request.check(&EnrolmentChoices {
                kind: kind.get(),
                bands: &bands,
                school: school.as_ref(),
                class,
            });
            errors.extend(checked.err().unwrap_or_default());
            if errors.is_empty() {
                Ok(request)
            } else {
                Err(errors)
            }
        },
        move |request: EnrolmentForm| async move {
            match card_id {
                Some(id) => api::update_enrolment(session, child_id, id, &request).await,
                None => api::add_enrolment(session, child_id, &request).await,
            }
        },
        move |_: Enrolment| {
            open.set(None);
            reload.run(());
        },
    );

    let service_options = Signal::derive(move || {
        let services = loaded(services).unwrap_or_default();
        options_with_none("Scegli il servizio", &services, |s| {
            (s.id.to_string(), s.name.clone())
        })
    });
    let school_options = Signal::derive(move || {
        let schools: Vec<School> = loaded(schools)
            .unwrap_or_default()
            .into_iter()
            .filter(|s| s.active || s.id.to_string() == school.get())
            .collect();
        options_with_none("Nessuna scuola", &schools, |s| {
            (s.id.to_string(), s.name.clone())
        })
    });
    let class_options = Signal::derive(move || {
        options_with_none("Classe non ancora nota", &year_classes.get(), |c| {
            (c.id.to_string(), c.name.clone())
        })
    });
    let band_options = Signal::derive(move || {
        let bands = detail.with(|d| d.as_ref().map(|d| d.bands.clone()).unwrap_or_default());
        options_with_none("Scegli la fascia", &bands, |b| {
            (b.name.clone(), format!("{} ({})", b.name, b.isee_range()))
        })
    });
    let meal_options = Signal::derive(move || {
        MealType::ALL
            .into_iter()
            .filter(|m| (*m == MealType::NoMeals) != kind.get().serves_meals())
            .map(|m| (m.as_str().to_owned(), m.as_str().to_owned()))
            .collect::<Vec<_>>()
    });
    // A transport card serves no meals: its diet follows the service.
    Effect::new(move |_| {
        if !kind.get().serves_meals() {
            meal.set(MealType::NoMeals.as_str().to_owned());
        } else if meal.get_untracked() == MealType::NoMeals.as_str() {
            meal.set(MealType::Base.as_str().to_owned());
        }
    });
    let title = if card_id.is_some() {
        "Modifica l'iscrizione"
    } else {
        "Nuova iscrizione"
    };
    view! {
        <form id="enrolment-form" class="card card-bg rounded shadow-sm p-3 mt-3" novalidate on:submit=form.submit()>
            <h3 class="h5" id="enrolment-form-title">{title}</h3>
            {if card_id.is_some() {
                view! {
                    <p id="enrolment-service-fixed">
                        "Il servizio di un'iscrizione non si cambia: per un altro servizio termina questa e aggiungine una nuova."
                    </p>
                }
                .into_any()
            } else {
                view! {
                    <SelectField
                        id="enrolment-service"
                        label="Servizio"
                        value=service
                        options=service_options
                        error=form.message_on_submit("service_id")
                    />
                }
                .into_any()
            }}
            <TextField
                id="enrolment-year"
                label="Anno scolastico (AAAA/AAAA)"
                value=school_year
                error=form.message_on_submit("school_year")
            />
            <SelectField
                id="enrolment-school"
                label="Scuola"
                value=school
                options=school_options
                error=form.message_on_submit("school_id")
            />
            <SelectField
                id="enrolment-class"
                label="Classe"
                value=class
                options=class_options
                error=form.message_on_submit("class_id")
            />
            <SelectField
                id="enrolment-band"
                label="Fascia (prezzo del pasto e quota)"
                value=band
                options=band_options
                error=form.message_on_submit("fee_band")
            />
            <SelectField
                id="enrolment-meal"
                label="Tipologia pasto"
                value=meal
                options=meal_options
                error=form.message_on_submit("meal_type")
            />
            <TextField
                id="enrolment-badge"
                label="Tessera/Badge"
                value=badge
                error=form.message("badge", badge_left.into())
                check_on_blur=badge_left
            />
            <FormAlert form id="enrolment-error" />
            <SubmitButton form id="enrolment-save" label="Salva l'iscrizione" busy="Salvataggio…" />
            <button type="button" class="btn btn-outline-secondary ms-2" id="enrolment-cancel" on:click=move |_| open.set(None)>
                "Annulla"
            </button>
        </form>
    }
}
