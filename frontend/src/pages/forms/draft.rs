//! The fill page, `/{slug}/moduli/compila/{form_id}`: the form's questions
//! ([`FormFields`]) checked as the family types by the model's `check_answers`, «Salva»
//! (a draft on the server, `?domanda={id}` in the address, resumed later from any
//! device), files attached to the draft, and «Invia» (then the protocol number and the
//! PDF copy). The draft is started when it is first saved, when a file is attached or
//! when one of the family's children is chosen: for a child enrolled this year the
//! server fills in this year's answers.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use sportello_model::access::Action;
use sportello_model::children::ChildSummary;
use sportello_model::forms::{
    check_answers, AnswerContext, Answers, FieldKind, FormDefinition, FormDetail, Stage,
    SubmissionDetail, SubmissionState, SubmissionSummary, UploadInfo,
};
use sportello_model::paths::{self, BASE};
use sportello_model::{format, rome, FieldError, Problem};

use super::fill::{element_id, Files, FormFields, Slot};
use crate::api::{self, ApiResult};
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{
    area_breadcrumb, focus_element, record_in_path, remote, ErrorAlert, PdfButton, SuccessNote,
};
use crate::dates::today;
use crate::pages::payments::PayButton;
use crate::session::{use_session, Session};

/// The query parameter naming the draft being filled.
pub const DRAFT: &str = "domanda";

/// What the page opens: the form to fill (with the draft when resuming one), or a
/// submission already sent.
#[derive(Clone)]
enum Opened {
    Filling(FormDetail, Option<SubmissionDetail>),
    Done(SubmissionSummary),
}

/// The form `id` and the draft in the address, if any.
async fn open(session: Session, id: i64, draft: Option<i64>) -> ApiResult<Opened> {
    let draft = match draft {
        Some(draft) => Some(api::my_submission(session, draft).await?),
        None => None,
    };
    match draft {
        Some(draft) if draft.summary.form_id != id => Err(api::not_found()),
        Some(draft) if draft.summary.state != SubmissionState::Saved => {
            Ok(Opened::Done(draft.summary))
        }
        draft => Ok(Opened::Filling(api::open_form(session, id).await?, draft)),
    }
}

/// `/{slug}/moduli/compila/{form_id}`.
#[component]
pub fn FillPage() -> impl IntoView {
    use_page_title("Compila un modulo");
    view! {
        <RoleOnly
            allowed=Action::FillForms
            title="Compila un modulo"
            id="fill-not-allowed"
            message="I moduli online sono compilati dal genitore intestatario o dal delegato della famiglia."
        >
            <Loaded />
        </RoleOnly>
    }
}

#[component]
fn Loaded() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let query = use_query_map();
    let opened = record_in_path("form_id", move |id| {
        let draft = query
            .with_untracked(|query| query.get(DRAFT))
            .and_then(|draft| draft.parse::<i64>().ok());
        open(session, id, draft)
    });
    view! {
        {area_breadcrumb(
            ente,
            vec![("Moduli online".into(), Some(ente.path("moduli"))), ("Compila".into(), None)],
        )}
        {remote(
            opened,
            "fill-load-error",
            "Caricamento del modulo…",
            |opened| match opened {
                Opened::Done(summary) => view! {
                    <h1 id="fill-title" tabindex="-1">{summary.form_title.clone()}</h1>
                    <Sent summary />
                }
                .into_any(),
                Opened::Filling(form, draft) => view! { <Filling form draft /> }.into_any(),
            },
        )}
    }
}

/// The answers that apply: those of the questions shown with the answers given.
fn shown_answers(definition: &FormDefinition, answers: &Answers) -> Answers {
    answers
        .iter()
        .filter(|(key, _)| {
            definition
                .field(key)
                .is_none_or(|field| definition.is_shown(field, answers))
        })
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// The first question (in the form's order) with an error.
fn focus_first(definition: &FormDefinition, errors: &[FieldError]) {
    let first = definition.fields().find_map(|field| {
        let name = format!("answers.{}", field.key);
        errors
            .iter()
            .find(|e| e.field == name || e.field.starts_with(&format!("{name}.")))
    });
    if let Some(error) = first {
        focus_element(&element_id(&error.field));
    }
}

/// Whether the API's problem is about the answers only: then it shows next to them.
fn about_answers(problem: &Problem) -> bool {
    !problem.errors.is_empty()
        && problem
            .errors
            .iter()
            .all(|error| error.field.starts_with("answers."))
}

/// Runs `work` with the page `busy` (its buttons wait), then `done` with what the API
/// answered, or `fail` with its refusal.
fn one_at_a_time<T: 'static>(
    busy: RwSignal<bool>,
    work: impl Future<Output = ApiResult<T>> + 'static,
    done: impl FnOnce(T) + 'static,
    fail: impl FnOnce(Problem) + 'static,
) {
    busy.set(true);
    spawn_local(async move {
        match work.await {
            Ok(answer) => done(answer),
            Err(problem) => fail(problem),
        }
        busy.set(false);
    });
}

#[component]
fn Filling(form: FormDetail, draft: Option<SubmissionDetail>) -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let navigate = use_navigate();
    let location = use_location();
    let form_id = form.id;
    let definition = StoredValue::new(form.definition.clone());
    let draft_id = RwSignal::new(draft.as_ref().map(|d| d.summary.id));
    let answers = RwSignal::new(
        draft
            .as_ref()
            .map(|d| d.answers.clone())
            .unwrap_or_default(),
    );
    let uploads = RwSignal::new(draft.map(|d| d.uploads).unwrap_or_default());
    // Counts the times the server changed the answers (a renewal's): the questions are
    // shown again with them.
    let refilled = RwSignal::new(0_u32);
    let server = RwSignal::new(Vec::<FieldError>::new());
    let problem = RwSignal::new(None::<Problem>);
    let reveal = RwSignal::new(false);
    let saved = RwSignal::new(None::<String>);
    let sent = RwSignal::new(None::<SubmissionSummary>);
    let busy = RwSignal::new(false);
    let sending_file = RwSignal::new(None::<Slot>);

    let children_list = LocalResource::new(move || api::children(session, 1, 100));
    let children = Signal::derive(move || {
        children_list
            .get()
            .and_then(Result::ok)
            .map(|page| page.items)
            .unwrap_or_default()
    });
    let checks = Memo::new(move |_| {
        let ids: Vec<i64> = children.with(|c: &Vec<ChildSummary>| c.iter().map(|c| c.id).collect());
        let files: Vec<i64> = uploads.with(|u| u.iter().map(|u| u.id).collect());
        definition.with_value(|definition| {
            answers.with(|answers| {
                check_answers(
                    definition,
                    &shown_answers(definition, answers),
                    Stage::Send,
                    &AnswerContext {
                        today: today(),
                        children: &ids,
                        uploads: &files,
                    },
                )
            })
        })
    });
    // What the server said is about the answers as they were sent.
    Effect::new(move |_| {
        answers.track();
        server.set(Vec::new());
    });

    let show = move |found: Problem| {
        if about_answers(&found) {
            definition.with_value(|d| focus_first(d, &found.errors));
            server.set(found.errors);
        } else {
            problem.set(Some(found));
        }
    };

    // The draft's id, starting it with the answers given so far.
    let path = location.pathname;
    let navigate = StoredValue::new_local(navigate);
    let ensure_draft = move || async move {
        if let Some(id) = draft_id.get_untracked() {
            return Ok(id);
        }
        let started = api::start_submission(session, form_id, answers.get_untracked()).await?;
        let id = started.summary.id;
        draft_id.set(Some(id));
        uploads.set(started.uploads);
        if answers.with_untracked(|a| *a != started.answers) {
            answers.set(started.answers);
            refilled.update(|n| *n += 1);
        }
        let address = format!("{}?{DRAFT}={id}", path.get_untracked());
        navigate.with_value(|navigate| {
            navigate(
                &address,
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                },
            )
        });
        Ok::<i64, Problem>(id)
    };

    // Choosing one of the family's children starts the draft: for a child enrolled this
    // year the server fills in this year's answers.
    let child_key = definition.with_value(|d| {
        d.fields()
            .find(|f| f.kind == FieldKind::Child)
            .map(|f| f.key.clone())
    });
    let on_child = Callback::new(move |child: i64| {
        let Some(key) = child_key.clone() else {
            return;
        };
        if draft_id.get_untracked().is_some() || busy.get_untracked() {
            return;
        }
        answers.update(|a| {
            a.insert(key.clone(), serde_json::json!({ "child_id": child }));
        });
        let focus = element_id(&key);
        one_at_a_time(busy, ensure_draft(), move |_| focus_element(&focus), show);
    });

    let attach = Callback::new(move |(slot, file): (Slot, web_sys::File)| {
        if sending_file.get_untracked().is_some() {
            return;
        }
        sending_file.set(Some(slot.clone()));
        problem.set(None);
        spawn_local(async move {
            let result = async {
                let id = ensure_draft().await?;
                api::attach_file(session, id, slot.key(), &file.name(), &file).await
            }
            .await;
            match result {
                Ok(info) => {
                    let file_id = info.id;
                    uploads.update(|u: &mut Vec<UploadInfo>| u.push(info));
                    answers.update(|a| slot.put(a, Some(file_id)));
                }
                Err(found)
                    if found
                        .errors
                        .iter()
                        .any(|e| e.field == "file" || e.field == "name") =>
                {
                    let errors = found
                        .errors
                        .into_iter()
                        .map(|e| FieldError::new(slot.error_name(), e.message))
                        .collect();
                    server.set(errors);
                    focus_element(&element_id(&slot.error_name()));
                }
                Err(found) => show(found),
            }
            sending_file.set(None);
        });
    });
    let detach = Callback::new(move |(slot, file): (Slot, i64)| {
        let Some(id) = draft_id.get_untracked() else {
            return;
        };
        if sending_file.get_untracked().is_some() {
            return;
        }
        sending_file.set(Some(slot.clone()));
        problem.set(None);
        spawn_local(async move {
            match api::detach_file(session, id, file).await {
                Ok(detail) => {
                    uploads.set(detail.uploads);
                    answers.update(|a| slot.put(a, None));
                    focus_element(&element_id(&slot.error_name()));
                }
                Err(found) => show(found),
            }
            sending_file.set(None);
        });
    });
    let files = Files {
        list: uploads.into(),
        attach,
        detach,
        sending: sending_file.into(),
    };

    let save = move |_| {
        if busy.get_untracked() {
            return;
        }
        saved.set(None);
        problem.set(None);
        let work = async move {
            let id = ensure_draft().await?;
            api::save_submission(session, id, answers.get_untracked()).await
        };
        let done = move |detail: SubmissionDetail| {
            let at = rome::local(detail.summary.updated_at);
            saved.set(Some(format!(
                "Bozza salvata alle {}: puoi riprenderla da «I miei moduli», anche da un altro dispositivo.",
                format::hour_minute(at.time())
            )));
        };
        one_at_a_time(busy, work, done, show);
    };

    let send = move |_| {
        if busy.get_untracked() {
            return;
        }
        reveal.set(true);
        saved.set(None);
        problem.set(None);
        let errors = checks.get_untracked();
        if !errors.is_empty() {
            definition.with_value(|d| focus_first(d, &errors));
            return;
        }
        let work = async move {
            let id = ensure_draft().await?;
            let applying =
                definition.with_value(|d| answers.with_untracked(|a| shown_answers(d, a)));
            api::save_submission(session, id, applying).await?;
            api::send_submission(session, id).await
        };
        let done = move |detail: SubmissionDetail| {
            sent.set(Some(detail.summary));
            focus_element("submission-sent");
        };
        one_at_a_time(busy, work, done, show);
    };

    // The gate refused the draft just sent: pay the amount due online and send it.
    let pay_and_send = move || async move {
        let id = draft_id.get_untracked().ok_or_else(api::not_found)?;
        let suspended = api::pay_and_send(session, id).await?;
        let awaited = suspended.summary.notice.ok_or_else(api::not_found)?;
        api::pay_notice(session, awaited.notice.id).await
    };

    let title = definition.with_value(|d| d.title.clone());
    let intro = definition.with_value(|d| {
        format!(
            "Anno scolastico {} · {} · {}",
            d.school_year,
            form.validity,
            d.scope.label()
        )
    });
    let description = definition.with_value(|d| d.description.clone());
    view! {
        <h1 id="fill-title" tabindex="-1">{title}</h1>
        <p class="lead mb-2">{description}</p>
        <p id="fill-validity" class="small">{intro}</p>
        <div aria-live="assertive">
            {move || problem.get().map(|problem| view! { <ErrorAlert id="fill-error" problem focus=true /> })}
        </div>
        {move || {
            problem
                .get()
                .filter(Problem::is_account_to_settle)
                .map(|_| {
                    view! {
                        <div id="fill-settle" class="mb-3">
                            <p class="mb-2">
                                "Puoi pagare ora l'importo dovuto con pagoPA: la domanda viene inviata e resta sospesa per insoluto finché arriva il pagamento, poi passa da sola al Comune."
                            </p>
                            <PayButton
                                id="fill-pay-and-send"
                                label="Paga e invia: paga online l'importo dovuto e invia la domanda"
                                text="Paga e invia"
                                start=pay_and_send
                            />
                        </div>
                    }
                })
        }}
        {move || match sent.get() {
            Some(summary) => view! { <Sent summary /> }.into_any(),
            None => view! {
                <form
                    id="fill-form"
                    novalidate
                    on:submit=move |ev| {
                        ev.prevent_default();
                    }
                >
                    {move || {
                        refilled.track();
                        view! {
                            <FormFields
                                definition=definition.get_value()
                                answers
                                errors=checks
                                server
                                reveal
                                children
                                files
                                on_child
                            />
                        }
                    }}
                    <div class="d-flex flex-wrap gap-2 mt-4">
                        <button
                            type="button"
                            id="fill-save"
                            class="btn btn-outline-primary"
                            disabled=move || busy.get()
                            on:click=save
                        >
                            "Salva"
                        </button>
                        <button
                            type="button"
                            id="fill-send"
                            class="btn btn-primary"
                            disabled=move || busy.get()
                            on:click=send
                        >
                            {move || if busy.get() { "Invio in corso…" } else { "Invia" }}
                        </button>
                        <a class="btn btn-link" href=ente.path("moduli")>"Torna a I miei moduli"</a>
                    </div>
                    <SuccessNote id="fill-saved" text=saved />
                </form>
            }
            .into_any(),
        }}
    }
}

/// A sent submission: its protocol number and date, its PDF copy, the way back.
#[component]
fn Sent(summary: SubmissionSummary) -> impl IntoView {
    let ente = use_ente();
    let title = summary.form_title.clone();
    let id = summary.id;
    let sent = summary
        .protocol_number
        .clone()
        .zip(summary.sent_at)
        .map(|(protocol, at)| {
            let at = rome::local(at);
            let text = format!(
                "Protocollo n. {protocol} del {} alle {}.",
                format::date(at.date()),
                format::hour_minute(at.time())
            );
            let pdf = view! {
                <PdfButton
                    id="submission-sent-pdf"
                    label=format!("Scarica PDF della domanda {title}")
                    text="Scarica PDF"
                    url=format!("{BASE}{}", paths::my_submission_pdf(id))
                    file_name=format!("domanda-{}.pdf", protocol.replace('/', "-"))
                />
            };
            (text, pdf)
        });
    let (text, pdf) = sent.unzip();
    view! {
        <div id="submission-sent" class="alert alert-success" tabindex="-1" role="status">
            <h2 class="h5">
                {if summary.state == SubmissionState::Sent {
                    "Domanda inviata al Comune".to_owned()
                } else {
                    format!("Stato della domanda: {}", summary.state_label)
                }}
            </h2>
            <p id="submission-sent-protocol" class="mb-2">{text}</p>
            {pdf}
        </div>
        <a id="fill-back" class="btn btn-outline-primary" href=ente.path("moduli")>
            "Torna a I miei moduli"
        </a>
    }
}
