//! Moduli online for operators: `/{slug}/moduli-comune`, every form and version of the
//! comune with its state, window and submissions, and what can be done with it now
//! (edit a draft, publish, close early, a new version, its submissions, its graduatoria);
//! the editor (`editor`), the graduatoria (`ranking`), a form's submissions (`review`:
//! filters, counts per state, Accetta selezionate, Esporta CSV) and one submission with
//! its answers, attachments, history and the decisions on it (`submission`).

mod editor;
mod ranking;
mod review;
mod submission;

pub use editor::{EditFormPage, NewFormPage};
pub use ranking::RankingPage;
pub use review::SubmissionsPage;
pub use submission::SubmissionPage;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use sportello_model::access::Action;
use sportello_model::forms::{FieldKind, FormDefinition, FormDetail, FormOverview, FormStatus};
use sportello_model::{format, rome, Page};
use time::OffsetDateTime;

use crate::api::{self, ApiResult};
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{area_breadcrumb, focus_element, paged_list, remote, SuccessNote};
use crate::forms::{Form, FormAlert};
use crate::session::{use_session, Session};

const PER_PAGE: u64 = 20;

/// The page of the office's forms, under which the editor and graduatorie sit.
const FORMS_PAGE: &str = "moduli-comune";

/// Who may define forms, and what anyone else reads instead.
#[component]
fn OfficeOnly(title: &'static str, children: ChildrenFn) -> impl IntoView {
    view! {
        <RoleOnly
            allowed=Action::ManageForms
            title
            id="office-forms-not-allowed"
            message="I moduli online sono definiti dagli operatori del Comune."
        >
            {children()}
        </RoleOnly>
    }
}

/// `/{slug}/moduli-comune`.
#[component]
pub fn OfficeFormsPage() -> impl IntoView {
    use_page_title("Moduli online");
    view! {
        <OfficeOnly title="Moduli online">
            <FormsList />
        </OfficeOnly>
    }
}

/// What a button of the list does to a form.
#[derive(Clone, Copy, PartialEq)]
enum Step {
    Publish,
    Close,
    NewVersion,
}

impl Step {
    async fn send(self, session: Session, id: i64) -> ApiResult<FormDetail> {
        match self {
            Step::Publish => api::publish_form(session, id).await,
            Step::Close => api::close_form(session, id).await,
            Step::NewVersion => api::new_form_version(session, id).await,
        }
    }
}

#[component]
fn FormsList() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let navigate = use_navigate();
    let page = RwSignal::new(1);
    let forms = LocalResource::new(move || api::forms(session, page.get(), PER_PAGE));
    let done = RwSignal::new(None::<String>);
    let steps = Form::buttons(
        move |(step, id): (Step, i64)| async move { step.send(session, id).await.map(|d| (step, d)) },
        move |(step, detail): (Step, FormDetail)| {
            let title = detail.definition.title.clone();
            match step {
                Step::NewVersion => navigate(
                    &ente.path(&format!("{FORMS_PAGE}/{}/modifica", detail.id)),
                    NavigateOptions::default(),
                ),
                Step::Publish => {
                    done.set(Some(format!("Il modulo «{title}» è pubblicato.")));
                    forms.refetch();
                }
                Step::Close => {
                    done.set(Some(format!("Il modulo «{title}» è chiuso.")));
                    forms.refetch();
                }
            }
            focus_element("office-forms-title");
        },
    );
    let render = move |list: Page<FormOverview>| {
        paged_list(
            list,
            "office-forms",
            "list-unstyled payment-list",
            "Il Comune non ha ancora moduli: crea il primo con «Nuovo modulo».",
            page,
            move |form| view! { <FormItem form steps /> },
        )
    };
    view! {
        {area_breadcrumb(ente, vec![("Moduli online".into(), None)])}
        <h1 id="office-forms-title" tabindex="-1">"Moduli online"</h1>
        <p class="lead">
            "I moduli che le famiglie compilano: bozze, pubblicati e chiusi, con le loro versioni."
        </p>
        <p>
            <a id="office-forms-new" class="btn btn-primary" href=move || ente.path(&format!("{FORMS_PAGE}/nuovo"))>
                "Nuovo modulo"
            </a>
        </p>
        <SuccessNote id="office-forms-done" text=done />
        <FormAlert form=steps id="office-forms-error" />
        {remote(forms, "office-forms-load-error", "Caricamento dei moduli…", render)}
    }
}

#[component]
fn FormItem(form: FormOverview, steps: Form<(Step, i64)>) -> impl IntoView {
    let ente = use_ente();
    let FormOverview {
        form: summary,
        submissions,
        ranking,
    } = form;
    let id = summary.id;
    let title = summary.title.clone();
    let status = summary.status;
    let confirming = RwSignal::new(false);
    let pending = steps.pending();
    let step_button =
        move |step: Step, suffix: &'static str, text: &'static str, class: &'static str| {
            let title = title.clone();
            view! {
                <button
                    id=format!("office-form-{id}-{suffix}")
                    type="button"
                    class=format!("btn btn-sm {class}")
                    aria-label=format!("{text}: {title}")
                    disabled=move || pending.get()
                    on:click=move |_| steps.send((step, id))
                >
                    {text}
                </button>
            }
        };
    let link = move |suffix: &'static str, page: String, text: &'static str, title: String| {
        view! {
            <a
                id=format!("office-form-{id}-{suffix}")
                class="btn btn-sm btn-outline-primary"
                aria-label=format!("{text}: {title}")
                href=ente.path(&format!("{FORMS_PAGE}/{id}/{page}"))
            >
                {text}
            </a>
        }
    };
    let draft = status == FormStatus::Draft;
    let published = status == FormStatus::Published;
    let edit = (draft && submissions == 0)
        .then(|| link("edit", "modifica".into(), "Modifica", summary.title.clone()));
    let publish = draft.then(|| step_button(Step::Publish, "publish", "Pubblica", "btn-primary"));
    let new_version = (published && submissions > 0).then(|| {
        step_button(
            Step::NewVersion,
            "new-version",
            "Nuova versione",
            "btn-outline-primary",
        )
    });
    let review = (!draft).then(|| {
        link(
            "submissions",
            "domande".into(),
            "Domande",
            summary.title.clone(),
        )
    });
    let ranked = ranking.then(|| {
        link(
            "ranking",
            "graduatoria".into(),
            "Graduatoria",
            summary.title.clone(),
        )
    });
    let close = published.then(|| {
        let close_title = summary.title.clone();
        let question = format!("office-form-{id}-close-question");
        view! {
            <Show
                when=move || confirming.get()
                fallback=move || {
                    let question = question.clone();
                    view! {
                        <button
                            id=format!("office-form-{id}-close")
                            type="button"
                            class="btn btn-sm btn-outline-danger"
                            aria-label=format!("Chiudi: {close_title}")
                            on:click=move |_| {
                                confirming.set(true);
                                let question = question.clone();
                                request_animation_frame(move || focus_element(&question));
                            }
                        >
                            "Chiudi"
                        </button>
                    }
                }
            >
                <div class="w-100">
                    <p id=format!("office-form-{id}-close-question") tabindex="-1" class="mb-1">
                        "Chiudere il modulo prima della scadenza? Le famiglie non potranno più compilarlo né inviarlo."
                    </p>
                    <button
                        id=format!("office-form-{id}-close-confirm")
                        type="button"
                        class="btn btn-sm btn-danger"
                        disabled=move || pending.get()
                        on:click=move |_| steps.send((Step::Close, id))
                    >
                        "Conferma chiusura"
                    </button>
                    <button
                        id=format!("office-form-{id}-close-cancel")
                        type="button"
                        class="btn btn-sm btn-outline-secondary ms-2"
                        on:click=move |_| confirming.set(false)
                    >
                        "Annulla"
                    </button>
                </div>
            </Show>
        }
    });
    let count = match submissions {
        0 => "Nessuna domanda".to_owned(),
        1 => "1 domanda".to_owned(),
        n => format!("{n} domande"),
    };
    view! {
        <li id=format!("office-form-{id}") class="payment-item">
            <div class="payment-item-main">
                <h2 class="h6 mb-1">{summary.title.clone()}</h2>
                <p class="mb-0">
                    <span id=format!("office-form-{id}-status") class="badge bg-primary me-2">
                        {status.label()}
                    </span>
                    {format!("Versione {} · Anno scolastico {}", summary.version, summary.school_year)}
                </p>
                <p class="small mb-0">{summary.validity.clone()}</p>
                <p id=format!("office-form-{id}-submissions") class="small mb-0">{count}</p>
            </div>
            <div class="payment-item-actions d-flex flex-wrap gap-2">
                {edit} {publish} {close} {new_version} {review} {ranked}
            </div>
        </li>
    }
}

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
