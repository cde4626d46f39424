//! `/{slug}/scuole-e-classi`: the comune's schools, and `/{slug}/scuole-e-classi/:id`:
//! one school with its classes of each school year. Administrators write them (each form
//! checked as it is typed by the model's rule the server enforces), operators read them.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use sportello_model::access::Action;
use sportello_model::school_year::SchoolYear;
use sportello_model::schools::{
    School, SchoolClass, SchoolClassForm, SchoolCycle, SchoolDetail, SchoolForm,
};

use super::{may_edit, CheckField, SetupField};
use crate::api;
use crate::app::{use_ente, use_page_title, Ente, RoleOnly};
use crate::components::{
    area_breadcrumb, focus_element, record_in_path, remote, CardSection, SelectField, SuccessNote,
};
use crate::dates::today;
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::session::use_session;

const TITLE: &str = "Scuole e classi";
const PAGE: &str = "scuole-e-classi";
const NOT_ALLOWED: &str = "Le scuole e le classi del comune sono gestite dai suoi amministratori.";

fn cycle_options() -> Signal<Vec<(String, String)>> {
    Signal::stored(
        SchoolCycle::ALL
            .iter()
            .map(|cycle| (cycle.as_str().to_owned(), cycle.label().to_owned()))
            .collect(),
    )
}

#[component]
pub fn SchoolsPage() -> impl IntoView {
    use_page_title(TITLE);
    view! {
        <RoleOnly allowed=Action::ReadEnteSetup title=TITLE id="schools-not-allowed" message=NOT_ALLOWED>
            <Schools />
        </RoleOnly>
    }
}

#[component]
fn Schools() -> impl IntoView {
    let session = use_session();
    let ente = use_ente();
    let editable = may_edit(ente);
    let schools = LocalResource::new(move || api::office_schools(session));
    view! {
        {area_breadcrumb(ente, vec![(TITLE.into(), None)])}
        <h1>{TITLE}</h1>
        {remote(
            schools,
            "schools-error",
            "Caricamento delle scuole…",
            move |schools| view! { <SchoolTable schools ente /> },
        )}
        {move || editable.get().then(|| view! { <NewSchool /> })}
    }
}

#[component]
fn SchoolTable(schools: Vec<School>, ente: Ente) -> impl IntoView {
    if schools.is_empty() {
        return view! { <p id="schools-empty">"Il comune non ha ancora scuole."</p> }.into_any();
    }
    let rows = schools
        .into_iter()
        .map(|school| {
            view! {
                <tr>
                    <th scope="row">
                        <a href=ente.path(&format!("{PAGE}/{}", school.id)) id=format!("school-{}", school.id)>
                            {school.name.clone()}
                        </a>
                    </th>
                    <td>{school.cycle.label()}</td>
                    <td>{school.address.clone()}</td>
                    <td>{if school.active { "In uso" } else { "Non più in uso" }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-responsive mb-4">
            <table class="table" id="schools-table">
                <caption>"Le scuole del comune"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Scuola"</th>
                        <th scope="col">"Grado"</th>
                        <th scope="col">"Indirizzo"</th>
                        <th scope="col">"Stato"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The fields of a school as typed.
#[derive(Clone, Copy)]
struct SchoolFields {
    name: RwSignal<String>,
    address: RwSignal<String>,
    code: RwSignal<String>,
    cycle: RwSignal<String>,
    active: RwSignal<bool>,
}

impl SchoolFields {
    fn new(school: Option<&School>) -> SchoolFields {
        SchoolFields {
            name: RwSignal::new(school.map(|s| s.name.clone()).unwrap_or_default()),
            address: RwSignal::new(school.map(|s| s.address.clone()).unwrap_or_default()),
            code: RwSignal::new(school.map(|s| s.code.clone()).unwrap_or_default()),
            cycle: RwSignal::new(
                school
                    .map_or(SchoolCycle::Primaria, |s| s.cycle)
                    .as_str()
                    .to_owned(),
            ),
            active: RwSignal::new(school.is_none_or(|s| s.active)),
        }
    }

    /// The school as typed (tracked), checked by the model's rule.
    fn draft(self) -> Result<SchoolForm, Vec<sportello_model::FieldError>> {
        let request = SchoolForm {
            name: self.name.get(),
            address: self.address.get(),
            code: self.code.get(),
            cycle: SchoolCycle::parse(&self.cycle.get()).unwrap_or(SchoolCycle::Primaria),
            active: self.active.get(),
        };
        request.check().map(|_| request)
    }
}

/// The inputs of a school's form, `prefix` naming their elements.
#[component]
fn SchoolInputs(
    form: Form<SchoolForm>,
    fields: SchoolFields,
    prefix: &'static str,
) -> impl IntoView {
    view! {
        <SetupField form name="name" id=format!("{prefix}-name") label="Nome della scuola" value=fields.name />
        <SetupField form name="address" id=format!("{prefix}-address") label="Indirizzo" value=fields.address />
        <SetupField
            form
            name="code"
            id=format!("{prefix}-code")
            label="Codice meccanografico (facoltativo)"
            value=fields.code
        />
        <SelectField
            id=format!("{prefix}-cycle")
            label="Grado"
            value=fields.cycle
            options=cycle_options()
            error=form.message_on_submit("cycle")
        />
    }
}

/// "Nuova scuola"; then its page, for the classes.
#[component]
fn NewSchool() -> impl IntoView {
    let session = use_session();
    let ente = use_ente();
    let navigate = StoredValue::new_local(use_navigate());
    let fields = SchoolFields::new(None);
    let form = Form::new(
        &[
            ("name", "new-school-name"),
            ("address", "new-school-address"),
            ("code", "new-school-code"),
            ("cycle", "new-school-cycle"),
        ],
        move |_| fields.draft(),
        move |request: SchoolForm| async move { api::create_school(session, &request).await },
        move |created: SchoolDetail| {
            let address = ente.path(&format!("{PAGE}/{}", created.school.id));
            navigate.with_value(|navigate| navigate(&address, NavigateOptions::default()));
        },
    );
    view! {
        <CardSection id="new-school" title="Nuova scuola">
            <form id="new-school-form" novalidate on:submit=form.submit()>
                <SchoolInputs form fields prefix="new-school" />
                <FormAlert form id="new-school-error" />
                <SubmitButton form id="new-school-create" label="Aggiungi la scuola" busy="Salvataggio…" />
            </form>
        </CardSection>
    }
}

#[component]
pub fn SchoolSetupPage() -> impl IntoView {
    use_page_title(TITLE);
    view! {
        <RoleOnly allowed=Action::ReadEnteSetup title=TITLE id="school-not-allowed" message=NOT_ALLOWED>
            <SchoolSetup />
        </RoleOnly>
    }
}

#[component]
fn SchoolSetup() -> impl IntoView {
    let session = use_session();
    let ente = use_ente();
    let detail = record_in_path("id", move |id| api::office_school(session, id));
    view! {
        {remote(
            detail,
            "school-error",
            "Caricamento della scuola…",
            move |detail| {
                let name = detail.school.name.clone();
                let current = RwSignal::new(detail);
                let editable = may_edit(ente);
                let fields = ClassFields::new();
                view! {
                    {area_breadcrumb(
                        ente,
                        vec![(TITLE.into(), Some(ente.path(PAGE))), (name.clone(), None)],
                    )}
                    <h1 id="school-title">{name}</h1>
                    <SchoolData current editable />
                    <Classes current editable fields />
                    {move || editable.get().then(|| view! { <ClassEditor current fields /> })}
                }
            },
        )}
    }
}

#[component]
fn SchoolData(current: RwSignal<SchoolDetail>, editable: Memo<bool>) -> impl IntoView {
    let session = use_session();
    let school = current.with_untracked(|detail| detail.school.clone());
    let id = school.id;
    let fields = SchoolFields::new(Some(&school));
    let saved = RwSignal::new(None::<String>);
    let form = Form::new(
        &[
            ("name", "school-name"),
            ("address", "school-address"),
            ("code", "school-code"),
            ("cycle", "school-cycle"),
        ],
        move |_| fields.draft(),
        move |request: SchoolForm| async move { api::update_school(session, id, &request).await },
        move |detail: SchoolDetail| {
            saved.set(Some("Scuola salvata.".to_owned()));
            current.set(detail);
        },
    );
    view! {
        <CardSection id="school-data" title="Dati della scuola">
            <form id="school-form" novalidate on:submit=form.submit_clearing(saved)>
                <fieldset disabled=move || !editable.get()>
                    <SchoolInputs form fields prefix="school" />
                    <CheckField id="school-active" label="In uso (offerta per le nuove iscrizioni)" value=fields.active />
                </fieldset>
                {move || editable.get().then(|| view! {
                    <FormAlert form id="school-save-error" />
                    <SubmitButton form id="school-save" label="Salva la scuola" busy="Salvataggio…" />
                })}
                <SuccessNote id="school-saved" text=saved />
            </form>
        </CardSection>
    }
}

fn class_row(class: SchoolClass, editable: bool, fields: ClassFields) -> impl IntoView {
    let id = class.id;
    let edit_label = format!(
        "Modifica la classe {} del {}",
        class.name, class.school_year
    );
    let chosen = class.clone();
    view! {
        <tr>
            <td>{class.school_year.clone()}</td>
            <th scope="row" id=format!("class-{id}")>{class.name.clone()}</th>
            <td>{format!("{}°", class.grade)}</td>
            <td>{if class.last_of_cycle { "Sì" } else { "No" }}</td>
            {editable.then(|| view! {
                <td>
                    <button
                        type="button"
                        class="btn btn-outline-primary btn-sm"
                        id=format!("class-edit-{id}")
                        on:click=move |_| fields.edit(&chosen)
                    >
                        {edit_label}
                    </button>
                </td>
            })}
        </tr>
    }
}

#[component]
fn Classes(
    current: RwSignal<SchoolDetail>,
    editable: Memo<bool>,
    fields: ClassFields,
) -> impl IntoView {
    view! {
        <CardSection id="school-classes" title="Classi">
            {move || {
                let classes = current.with(|detail| detail.classes.clone());
                let editable = editable.get();
                if classes.is_empty() {
                    return view! { <p id="classes-empty">"La scuola non ha ancora classi."</p> }.into_any();
                }
                view! {
                    <div class="table-responsive">
                        <table class="table" id="classes-table">
                            <caption>"Le classi della scuola, dall'anno scolastico più recente"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Anno scolastico"</th>
                                    <th scope="col">"Classe"</th>
                                    <th scope="col">"Anno di corso"</th>
                                    <th scope="col">"Ultima del ciclo"</th>
                                    {editable.then(|| view! { <th scope="col">"Azioni"</th> })}
                                </tr>
                            </thead>
                            <tbody>
                                {classes
                                    .into_iter()
                                    .map(|class| class_row(class, editable, fields))
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </CardSection>
    }
}

/// A class as typed, and which class it is (none: a new one).
#[derive(Clone, Copy)]
struct ClassFields {
    editing: RwSignal<Option<i64>>,
    school_year: RwSignal<String>,
    name: RwSignal<String>,
    grade: RwSignal<String>,
}

impl ClassFields {
    fn new() -> ClassFields {
        ClassFields {
            editing: RwSignal::new(None),
            school_year: RwSignal::new(SchoolYear::containing(today()).to_string()),
            name: RwSignal::new(String::new()),
            grade: RwSignal::new("1".to_owned()),
        }
    }

    /// Fills the form with `class`, to change it; its name field takes the focus.
    fn edit(self, class: &SchoolClass) {
        self.editing.set(Some(class.id));
        self.school_year.set(class.school_year.clone());
        self.name.set(class.name.clone());
        self.grade.set(class.grade.to_string());
        focus_element("class-name");
    }

    /// Back to a new class of the same school year.
    fn reset(self) {
        self.editing.set(None);
        self.name.set(String::new());
        self.grade.set("1".to_owned());
    }
}

/// "Nuova classe" (school year, name, year of the cycle), or the class chosen in the
/// table, changed.
#[component]
fn ClassEditor(current: RwSignal<SchoolDetail>, fields: ClassFields) -> impl IntoView {
    let session = use_session();
    let school_id = current.with_untracked(|detail| detail.school.id);
    let cycle = Memo::new(move |_| current.with(|detail| detail.school.cycle));
    let grades = Signal::derive(move || {
        (1..=cycle.get().years())
            .map(|g| (g.to_string(), format!("{g}° anno")))
            .collect::<Vec<_>>()
    });
    let saved = RwSignal::new(None::<String>);
    let form = Form::new(
        &[
            ("school_year", "class-year"),
            ("name", "class-name"),
            ("grade", "class-grade"),
        ],
        move |_| {
            let request = SchoolClassForm {
                school_year: fields.school_year.get(),
                name: fields.name.get(),
                grade: fields.grade.get().parse().unwrap_or_default(),
            };
            request.check(cycle.get()).map(|_| request)
        },
        move |request: SchoolClassForm| async move {
            match fields.editing.get_untracked() {
                Some(id) => api::update_class(session, school_id, id, &request).await,
                None => api::create_class(session, school_id, &request).await,
            }
        },
        move |detail: SchoolDetail| {
            let name = fields.name.get_untracked();
            saved.set(Some(match fields.editing.get_untracked() {
                Some(_) => format!("Classe {} salvata.", name.trim()),
                None => format!("Classe {} aggiunta.", name.trim()),
            }));
            fields.reset();
            current.set(detail);
        },
    );
    let title = move || {
        if fields.editing.get().is_some() {
            "Modifica la classe"
        } else {
            "Nuova classe"
        }
    };
    view! {
        <section id="class-editor" class="card card-bg rounded shadow-sm mb-4" aria-labelledby="class-editor-title">
            <div class="card-body">
                <h2 id="class-editor-title" class="h4">{title}</h2>
                <form id="class-form" novalidate on:submit=form.submit_clearing(saved)>
                    <SetupField form name="school_year" id="class-year" label="Anno scolastico (AAAA/AAAA)" value=fields.school_year />
                    <SetupField form name="name" id="class-name" label="Classe (ad esempio 3A)" value=fields.name />
                    <SelectField
                        id="class-grade"
                        label="Anno di corso"
                        value=fields.grade
                        options=grades
                        error=form.message_on_submit("grade")
                    />
                    <FormAlert form id="class-error" />
                    <SubmitButton form id="class-save" label="Salva la classe" busy="Salvataggio…" />
                    {move || fields.editing.get().is_some().then(|| view! {
                        <button type="button" class="btn btn-outline-secondary ms-2" id="class-cancel" on:click=move |_| fields.reset()>
                            "Annulla la modifica"
                        </button>
                    })}
                    <SuccessNote id="class-saved" text=saved />
                </form>
            </div>
        </section>
    }
}
