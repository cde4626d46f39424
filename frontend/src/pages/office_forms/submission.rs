//! `/{slug}/moduli-comune/domande/{submission_id}`: one submission for the operator —
//! its answers as the family gave them, the attachments, the history (state, who, when,
//! note) and the decisions: Accetta (for an enrolment, the card's band, quota, meal price
//! and badge, pre-filled from the band of the ISEE declared), Rifiuta, Blocca, Da
//! validare. A decision shows at once in the state and the history.

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::fee_bands::FeeBand;
use sportello_model::forms::{
    render_answer, size_label, AcceptRequest, Decision, EnrolmentProposal, FormDefinition,
    FormDetail, SubmissionAction, SubmissionDetail, NOTE_MAX_CHARS,
};
use sportello_model::{format, paths, spa, FieldError};

use super::{day_and_time, state_badge};
use crate::api;
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{
    area_breadcrumb, record_in_path, remote, CardSection, DownloadButton, SelectField, SuccessNote,
    TextAreaField, TextField,
};
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::session::use_session;

#[component]
pub fn SubmissionPage() -> impl IntoView {
    use_page_title("Domanda");
    view! {
        <RoleOnly
            allowed=Action::ReviewSubmissions
            title="Domanda"
            id="submission-not-allowed"
            message="Le domande dei moduli online sono esaminate dagli operatori del Comune."
        >
            <SubmissionView />
        </RoleOnly>
    }
}

/// A submission with its form and what accepting it would enrol.
#[derive(Debug, Clone)]
struct Loaded {
    detail: SubmissionDetail,
    form: FormDetail,
    proposal: EnrolmentProposal,
}

#[component]
fn SubmissionView() -> impl IntoView {
    let session = use_session();
    let loaded = record_in_path("submission_id", move |id| async move {
        let detail = api::review_submission(session, id).await?;
        let form = api::form_definition(session, detail.summary.form_id).await?;
        let proposal = api::enrolment_terms(session, id).await?;
        Ok(Loaded {
            detail,
            form,
            proposal,
        })
    });
    remote(
        loaded,
        "submission-error",
        "Caricamento della domanda…",
        |loaded| view! { <Review loaded /> },
    )
}

#[component]
fn Review(loaded: Loaded) -> impl IntoView {
    let ente = use_ente();
    let Loaded {
        detail,
        form,
        proposal,
    } = loaded;
    let id = detail.summary.id;
    let form_id = form.id;
    let title = match &detail.summary.protocol_number {
        Some(protocol) => format!("Domanda n. {protocol}"),
        None => format!("Domanda {id}"),
    };
    let current = RwSignal::new(detail.clone());
    // What the last decision did; the forms below are made again for the new state.
    let done = RwSignal::new(None::<String>);
    let definition = form.definition;
    let place = definition.school_class_answer(&detail.answers);
    let answers = answers_view(&definition, &detail);
    let attachments = attachments_view(&detail);
    let enrols = proposal.service_name.is_some();
    let school_year = definition.school_year.to_string();
    let proposal = StoredValue::new(proposal);
    let place = StoredValue::new(place);
    let actions = move || {
        let state = current.with(|d| d.summary.state);
        let may = |action| state.after(action).is_some();
        let accept = may(SubmissionAction::Accept).then(|| {
            view! {
                <AcceptForm
                    id
                    proposal=proposal.get_value()
                    school_year=school_year.clone()
                    place=place.get_value().map(|p| (p.school, p.class_name))
                    current
                    done
                />
            }
        });
        let decisions: Vec<AnyView> = DECISIONS
            .iter()
            .filter(|kind| may(kind.action))
            .map(|kind| view! { <DecisionForm id kind=*kind current done /> }.into_any())
            .collect();
        let none = (accept.is_none() && decisions.is_empty()).then(|| {
            view! {
                <p id="submission-no-actions">
                    "La domanda è stata decisa: non ci sono altre azioni possibili."
                </p>
            }
        });
        view! { {accept} {decisions} {none} }
    };
    view! {
        {area_breadcrumb(
            ente,
            vec![
                ("Moduli del Comune".into(), Some(ente.path("moduli-comune"))),
                (
                    "Domande ricevute".into(),
                    Some(spa::form_review(&ente.slug.get_untracked(), form_id)),
                ),
                (title.clone(), None),
            ],
        )}
        <h1 id="submission-title" tabindex="-1">{title}</h1>
        <p class="lead">{definition.title.clone()}</p>
        {move || summary_view(&current.get())}
        <CardSection id="submission-answers" title="Risposte">
            {answers}
        </CardSection>
        <CardSection id="submission-attachments" title="Allegati">
            {attachments}
        </CardSection>
        <CardSection id="submission-history" title="Storico">
            {move || history_view(&current.get())}
        </CardSection>
        <section id="submission-actions" aria-labelledby="submission-actions-title">
            <h2 id="submission-actions-title" class="h4">
                {if enrols { "Decisione e iscrizione" } else { "Decisione" }}
            </h2>
            <SuccessNote id="decision-done" text=done />
            {actions}
        </section>
    }
}

fn summary_view(detail: &SubmissionDetail) -> impl IntoView {
    let summary = &detail.summary;
    let note = summary.operator_note.clone();
    view! {
        <dl id="submission-summary" class="row mb-4">
            <dt class="col-12 col-sm-4">"Stato"</dt>
            <dd class="col-12 col-sm-8">
                {state_badge("submission-state".into(), summary.state_label.clone())}
            </dd>
            <dt class="col-12 col-sm-4">"Famiglia"</dt>
            <dd class="col-12 col-sm-8">{summary.family_name.clone()}</dd>
            <dt class="col-12 col-sm-4">"Alunno"</dt>
            <dd class="col-12 col-sm-8">
                {summary.child_name.clone().unwrap_or_else(|| "—".into())}
            </dd>
            <dt class="col-12 col-sm-4">"Inviata il"</dt>
            <dd class="col-12 col-sm-8">
                {summary.sent_at.map(day_and_time).unwrap_or_default()}
            </dd>
            {note
                .map(|note| {
                    view! {
                        <dt class="col-12 col-sm-4">"Motivo o nota"</dt>
                        <dd id="submission-note" class="col-12 col-sm-8">{note}</dd>
                    }
                })}
        </dl>
    }
}

/// Every answer, section after section, as the family reads it in its copy.
fn answers_view(definition: &FormDefinition, detail: &SubmissionDetail) -> impl IntoView {
    let child = detail.summary.child_name.clone().unwrap_or_default();
    let files: Vec<(i64, String)> = detail
        .uploads
        .iter()
        .map(|u| (u.id, u.file_name.clone()))
        .collect();
    let name_of_child = move |_: i64| child.clone();
    let name_of_upload = move |id: i64| {
        files
            .iter()
            .find(|(file, _)| *file == id)
            .map(|(_, name)| name.clone())
            .unwrap_or_default()
    };
    definition
        .sections
        .iter()
        .map(|section| {
            let rows = section
                .fields
                .iter()
                .filter_map(|field| {
                    let value = detail.answers.get(&field.key)?;
                    let text = render_answer(field, value, &name_of_child, &name_of_upload);
                    Some(view! {
                        <dt class="col-12 col-sm-4">{field.label.clone()}</dt>
                        <dd id=format!("answer-{}", field.key) class="col-12 col-sm-8">{text}</dd>
                    })
                })
                .collect_view();
            view! {
                <h3 class="h6 mt-3">{section.title.clone()}</h3>
                <dl class="row mb-0">{rows}</dl>
            }
        })
        .collect_view()
}

fn attachments_view(detail: &SubmissionDetail) -> AnyView {
    if detail.uploads.is_empty() {
        return view! { <p id="submission-no-attachments">"Nessun allegato."</p> }.into_any();
    }
    let session = use_session();
    let id = detail.summary.id;
    view! {
        <ul id="submission-uploads" class="list-unstyled mb-0">
            {detail
                .uploads
                .iter()
                .map(|upload| {
                    let (upload_id, name) = (upload.id, upload.file_name.clone());
                    let size = u32::try_from(upload.size_bytes)
                        .map(size_label)
                        .unwrap_or_default();
                    let fetch = {
                        let name = name.clone();
                        move || {
                            let name = name.clone();
                            async move { api::review_attachment(session, id, upload_id, &name).await }
                        }
                    };
                    view! {
                        <li class="d-flex flex-wrap align-items-center gap-2 mb-2">
                            <span>{format!("{name} ({size})")}</span>
                            <DownloadButton
                                id=format!("upload-{upload_id}")
                                label=format!("Scarica l'allegato {name}")
                                fetch
                            />
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

fn history_view(detail: &SubmissionDetail) -> impl IntoView {
    view! {
        <ol id="submission-events" class="list-unstyled mb-0">
            {detail
                .history
                .iter()
                .enumerate()
                .map(|(n, event)| {
                    let note = event.note.clone();
                    view! {
                        <li id=format!("event-{n}") class="mb-2">
                            <strong>{event.state.label()}</strong>
                            {format!(" – {} – {}", event.actor_name, day_and_time(event.at))}
                            {note.map(|note| view! { <div class="small">{note}</div> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// A decision with a reason or note the family reads.
#[derive(Clone, Copy)]
struct DecisionKind {
    action: SubmissionAction,
    /// The ids of the form, its field (`note`), alert and button.
    key: &'static str,
    fields: &'static [(&'static str, &'static str)],
    alert: &'static str,
    submit: &'static str,
    title: &'static str,
    label: &'static str,
    hint: &'static str,
    button: &'static str,
    busy: &'static str,
    done: &'static str,
    path: fn(i64) -> String,
}

const DECISIONS: [DecisionKind; 3] = [
    DecisionKind {
        action: SubmissionAction::AskToValidate,
        key: "to-validate-form",
        fields: &[("note", "to-validate-note")],
        alert: "to-validate-error",
        submit: "to-validate-submit",
        title: "Da validare",
        label: "Nota per la famiglia",
        hint: "Che cosa manca, ad esempio «Manca il certificato medico».",
        button: "Metti da validare",
        busy: "Registrazione…",
        done: "La domanda è ora da validare.",
        path: paths::review_to_validate,
    },
    DecisionKind {
        action: SubmissionAction::Refuse,
        key: "refuse-form",
        fields: &[("note", "refuse-note")],
        alert: "refuse-error",
        submit: "refuse-submit",
        title: "Rifiuta",
        label: "Motivo del rifiuto",
        hint: "La famiglia lo legge in «I miei moduli».",
        button: "Rifiuta",
        busy: "Rifiuto…",
        done: "La domanda è stata rifiutata.",
        path: paths::review_refuse,
    },
    DecisionKind {
        action: SubmissionAction::Block,
        key: "block-form",
        fields: &[("note", "block-note")],
        alert: "block-error",
        submit: "block-submit",
        title: "Blocca",
        label: "Motivo del blocco",
        hint: "La famiglia lo legge in «I miei moduli».",
        button: "Blocca",
        busy: "Blocco…",
        done: "La domanda è stata bloccata.",
        path: paths::review_block,
    },
];

#[component]
fn DecisionForm(
    id: i64,
    kind: DecisionKind,
    current: RwSignal<SubmissionDetail>,
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let session = use_session();
    let note = RwSignal::new(String::new());
    let form = Form::new(
        kind.fields,
        move |_| {
            let decision = Decision { note: note.get() };
            let errors: Vec<FieldError> = decision.problems();
            if errors.is_empty() {
                Ok(decision)
            } else {
                Err(errors)
            }
        },
        move |decision: Decision| async move {
            api::decide_submission(session, &(kind.path)(id), decision.note).await
        },
        move |detail: SubmissionDetail| {
            note.set(String::new());
            current.set(detail);
            done.set(Some(kind.done.to_owned()));
            crate::components::focus_element("submission-title");
        },
    );
    let error = form.message_on_submit("note");
    let field_id = kind.fields[0].1;
    view! {
        <form id=kind.key class="mb-4" novalidate on:submit=form.submit_clearing(done)>
            <h3 class="h5">{kind.title}</h3>
            <TextAreaField
                id=field_id
                label=kind.label
                value=note
                error
                hint=Signal::stored(format!("{} Al massimo {NOTE_MAX_CHARS} caratteri.", kind.hint))
            />
            <FormAlert form id=kind.alert />
            <SubmitButton
                form
                id=kind.submit
                label=kind.button
                busy=kind.busy
                class="btn btn-outline-primary"
            />
        </form>
    }
}

#[component]
fn AcceptForm(
    id: i64,
    proposal: EnrolmentProposal,
    school_year: String,
    /// The school and class answered.
    place: Option<(String, String)>,
    current: RwSignal<SubmissionDetail>,
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let session = use_session();
    let enrols = proposal.service_name.clone();
    let bands = StoredValue::new(proposal.bands.clone());
    let isee = proposal.isee;
    let suggested = proposal.suggested;
    let band = RwSignal::new(suggested.fee_band.clone());
    let quota = RwSignal::new(suggested.quota.clone());
    let meal_price = RwSignal::new(suggested.meal_price.clone());
    let badge = RwSignal::new(String::new());
    // Choosing a listed band brings its amounts, which the operator may still change.
    Effect::new(move |previous: Option<String>| {
        let chosen = band.get();
        if previous.is_some_and(|p| p != chosen) {
            if let Some(found) =
                bands.with_value(|b: &Vec<FeeBand>| b.iter().find(|b| b.name == chosen).cloned())
            {
                quota.set(format::amount_as_typed(found.quota));
                meal_price.set(format::amount_as_typed(found.meal_price));
            }
        }
        chosen
    });
    let enrolling = enrols.is_some();
    let form = Form::new(
        &[
            ("fee_band", "accept-band"),
            ("quota", "accept-quota"),
            ("meal_price", "accept-meal-price"),
            ("badge", "accept-badge"),
        ],
        move |_| {
            let request = AcceptRequest {
                badge: badge.get(),
                fee_band: band.get(),
                quota: quota.get(),
                meal_price: meal_price.get(),
            };
            if enrolling {
                bands
                    .with_value(|b| request.terms(b, isee))
                    .map(|_| request)
            } else {
                Ok(AcceptRequest::default())
            }
        },
        move |request: AcceptRequest| async move { api::accept_submission(session, id, &request).await },
        move |detail: SubmissionDetail| {
            current.set(detail);
            done.set(Some("La domanda è stata accettata.".to_owned()));
            crate::components::focus_element("submission-title");
        },
    );
    let band_error = form.message_on_submit("fee_band");
    let quota_error = form.message_on_submit("quota");
    let meal_error = form.message_on_submit("meal_price");
    let badge_error = form.message_on_submit("badge");
    let band_options = Signal::derive(move || {
        let mut options = vec![(String::new(), "Scegli la fascia".to_owned())];
        bands.with_value(|bands| {
            options.extend(
                bands
                    .iter()
                    .map(|b| (b.name.clone(), format!("{} ({})", b.name, b.isee_range()))),
            )
        });
        let chosen = band.get();
        if !chosen.is_empty() && !options.iter().any(|(name, _)| *name == chosen) {
            options.push((chosen.clone(), chosen));
        }
        options
    });
    let terms = enrols.map(|service| {
        let isee_text = match isee {
            Some(isee) => format!("ISEE dichiarato: {}.", format::euro(isee)),
            None => "La domanda non dichiara l'ISEE: scegli la fascia.".to_owned(),
        };
        let place = place
            .map(|(school, class)| format!("{school}, classe {class}"))
            .unwrap_or_default();
        view! {
            <p id="accept-enrolment">
                {format!("Iscrizione a {service} per l'anno scolastico {school_year}: {place}.")}
            </p>
            <p id="accept-isee">{isee_text}</p>
            <SelectField id="accept-band" label="Fascia" value=band options=band_options error=band_error />
            <div class="row">
                <div class="col-12 col-sm-6">
                    <TextField
                        id="accept-quota"
                        label="Importo quota (€)"
                        value=quota
                        error=quota_error
                        inputmode="decimal"
                    />
                </div>
                <div class="col-12 col-sm-6">
                    <TextField
                        id="accept-meal-price"
                        label="Importo pasto (€)"
                        value=meal_price
                        error=meal_error
                        inputmode="decimal"
                    />
                </div>
            </div>
            <TextField
                id="accept-badge"
                label="Tessera"
                value=badge
                error=badge_error
                hint=Signal::stored("Lascia vuoto per usare la tessera dell'alunno o assegnarne una nuova.".to_owned())
            />
        }
    });
    view! {
        <form id="accept-form" class="mb-4" novalidate on:submit=form.submit_clearing(done)>
            <h3 class="h5">"Accetta"</h3>
            {terms}
            <FormAlert form id="accept-error" />
            <SubmitButton form id="accept-submit" label="Accetta" busy="Accettazione…" class="btn btn-success" />
        </form>
    }
}
