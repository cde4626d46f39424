//! Moduli online for families: «Compila», the forms open now with «Compila» (or
//! «Riprendi» for a draft), and «I miei moduli», each submission with its state, the
//! comune's reason or note, its copy as PDF and «Cancella» while not processed, and one
//! suspended for an unpaid account with its notice to pay online or download. The fill
//! page is [`draft`], its questions [`fill`].

pub mod draft;
pub mod fill;

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::forms::{
    FormScope, FormSummary, SubmissionAction, SubmissionNotice, SubmissionState, SubmissionSummary,
};
use sportello_model::page::MAX_PER_PAGE;
use sportello_model::paths::{self, BASE};
use sportello_model::payments::NoticeStatus;
use sportello_model::{format, rome, Page};

use crate::api;
use crate::app::{use_ente, use_page_title, Ente, RoleOnly};
use crate::components::{area_breadcrumb, focus_element, paged_list, remote, PdfButton};
use crate::forms::{Form, FormAlert};
use crate::pages::payments::PayButton;
use crate::session::use_session;

const PER_PAGE: u64 = 10;

/// `/{slug}/moduli`.
#[component]
pub fn FormsPage() -> impl IntoView {
    use_page_title("Moduli online");
    view! {
        <RoleOnly
            allowed=Action::FillForms
            title="Moduli online"
            id="forms-not-allowed"
            message="I moduli online sono compilati dal genitore intestatario o dal delegato della famiglia."
        >
            <OpenForms />
        </RoleOnly>
    }
}

/// The address of the fill page of form `form`, resuming the draft `draft` if given.
pub fn fill_path(ente: Ente, form: i64, draft: Option<i64>) -> String {
    let page = ente.path(&format!("moduli/compila/{form}"));
    match draft {
        Some(draft) => format!("{page}?{}={draft}", draft::DRAFT),
        None => page,
    }
}

/// Compila: the forms open now, each with its window and «Compila», and «Riprendi» for
/// each of the family's drafts of it; then I miei moduli.
#[component]
fn OpenForms() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    // Counts the submissions cancelled: their drafts are no longer resumed.
    let cancelled = RwSignal::new(0_u32);
    let forms = LocalResource::new(move || async move {
        cancelled.track();
        let open = api::open_forms(session).await?;
        // The family's submissions: a family has a few, one per form and child at most.
        let mine = api::my_submissions(session, 1, MAX_PER_PAGE).await?.items;
        Ok((open, mine))
    });
    let render = move |(open, mine): (Vec<FormSummary>, Vec<SubmissionSummary>)| {
        if open.is_empty() {
            return view! {
                <p id="open-forms-empty">"In questo momento non ci sono moduli da compilare."</p>
            }
            .into_any();
        }
        let items = open
            .into_iter()
            .map(|form| {
                let of_form = || mine.iter().filter(|s| s.form_id == form.id);
                let drafts: Vec<SubmissionSummary> = of_form()
                    .filter(|s| s.state == SubmissionState::Saved)
                    .cloned()
                    .collect();
                let sent = of_form().any(|s| s.state.in_force());
                view! { <OpenForm form drafts sent /> }
            })
            .collect_view();
        view! { <ul id="open-forms" class="list-unstyled payment-list">{items}</ul> }.into_any()
    };
    view! {
        {area_breadcrumb(ente, vec![("Moduli online".into(), None)])}
        <h1 id="forms-title" tabindex="-1">"Moduli online"</h1>
        <h2 class="h4">"Compila"</h2>
        <p class="lead">"I moduli che il Comune ha aperto ora."</p>
        {remote(forms, "open-forms-load-error", "Caricamento dei moduli aperti…", render)}
        <MySubmissions cancelled />
    }
}

#[component]
fn OpenForm(
    form: FormSummary,
    drafts: Vec<SubmissionSummary>,
    /// The family has one in force already.
    sent: bool,
) -> impl IntoView {
    let ente = use_ente();
    let id = form.id;
    let title = form.title.clone();
    // A form per family is filled once: its draft is resumed instead, and once sent it is
    // followed in «I miei moduli».
    let per_family = form.scope == FormScope::PerFamily;
    let once = per_family && (sent || !drafts.is_empty());
    let followed = (per_family && sent).then(|| {
        view! {
            <p id=format!("open-form-{id}-sent") class="small mb-0">
                "Già inviato: lo trovi in «I miei moduli»."
            </p>
        }
    });
    let resume = drafts
        .into_iter()
        .map(|draft| {
            let whom = draft
                .child_name
                .clone()
                .map(|child| format!(" per {child}"))
                .unwrap_or_default();
            view! {
                <a
                    id=format!("open-form-{id}-resume-{}", draft.id)
                    class="btn btn-outline-primary btn-sm ms-2"
                    aria-label=format!("Riprendi la domanda {title}{whom}")
                    href=fill_path(ente, id, Some(draft.id))
                >
                    {format!("Riprendi{whom}")}
                </a>
            }
        })
        .collect_view();
    let start = (!once).then(|| {
        view! {
            <a
                id=format!("open-form-{id}-fill")
                class="btn btn-primary btn-sm"
                aria-label=format!("Compila il modulo {}", form.title)
                href=fill_path(ente, id, None)
            >
                "Compila"
            </a>
        }
    });
    view! {
        <li id=format!("open-form-{id}") class="payment-item">
            <div class="payment-item-main">
                <h3 class="h6 mb-1">{form.title.clone()}</h3>
                <p class="small mb-0">
                    {format!("Anno scolastico {} · {} · {}", form.school_year, form.validity, form.scope.label())}
                </p>
                {followed}
            </div>
            <div class="payment-item-actions">{start} {resume}</div>
        </li>
    }
}

#[component]
fn MySubmissions(cancelled: RwSignal<u32>) -> impl IntoView {
    let session = use_session();
    let page = RwSignal::new(1);
    let submissions =
        LocalResource::new(move || api::my_submissions(session, page.get(), PER_PAGE));
    let cancel = Form::buttons(
        move |id: i64| async move { api::cancel_submission(session, id).await },
        move |_| {
            submissions.refetch();
            cancelled.update(|n| *n += 1);
            focus_element("my-submissions-title");
        },
    );
    let render = move |list: Page<SubmissionSummary>| {
        paged_list(
            list,
            "submissions",
            "list-unstyled payment-list",
            "Non hai ancora compilato moduli.",
            page,
            move |submission| view! { <SubmissionItem submission cancel /> },
        )
    };
    view! {
        <h2 id="my-submissions-title" class="h4 mt-5" tabindex="-1">"I miei moduli"</h2>
        <p class="lead">"Le domande salvate e inviate al Comune, con il loro stato."</p>
        <FormAlert form=cancel id="submissions-error" />
        {remote(submissions, "submissions-load-error", "Caricamento dei moduli…", render)}
    }
}

/// What the comune wrote: the reason of a refusal or block, the documents it waits for.
fn note_label(state: SubmissionState) -> &'static str {
    match state {
        SubmissionState::ToValidate => "Nota del Comune",
        _ => "Motivo",
    }
}

/// Sospesa per insoluto: the notice of the amount due, to pay online or to download and
/// pay at a counter; once paid the submission moves on by itself.
#[component]
fn AwaitedNotice(submission_id: i64, awaited: SubmissionNotice) -> impl IntoView {
    let session = use_session();
    let notice = awaited.notice;
    let id = notice.id;
    let number = format::notice_number(&notice.notice_number);
    let amount = format::euro(notice.amount);
    let actions = (notice.status == NoticeStatus::Open).then(|| {
        view! {
            <div class="payment-item-actions">
                <PayButton
                    id=format!("submission-{submission_id}-pay")
                    label=format!("Paga online l'avviso {number} di {amount}")
                    text="Paga online"
                    start=move || api::pay_notice(session, id)
                />
                <PdfButton
                    id=format!("submission-{submission_id}-notice")
                    label=format!("Scarica avviso {number} (PDF)")
                    text="Scarica avviso"
                    url=notice.pdf_url.clone()
                    file_name=format!("avviso-{}.pdf", notice.notice_number)
                />
            </div>
        }
    });
    view! {
        <div
            id=format!("submission-{submission_id}-unpaid")
            class="alert alert-warning mt-2 mb-0"
            role="status"
        >
            <p class="mb-1">{format!("Sospesa per insoluto: paga l'avviso di {amount}")}</p>
            <p class="small mb-1">
                {format!(
                    "Avviso n. {number}. Appena pagoPA conferma il pagamento la domanda passa da sola al Comune.",
                )}
            </p>
            {actions}
        </div>
    }
}

#[component]
fn SubmissionItem(submission: SubmissionSummary, cancel: Form<i64>) -> impl IntoView {
    let id = submission.id;
    let title = match &submission.child_name {
        Some(child) => format!("{} – {child}", submission.form_title),
        None => submission.form_title.clone(),
    };
    let sent = submission
        .protocol_number
        .clone()
        .zip(submission.sent_at)
        .map(|(protocol, at)| {
            let at = rome::local(at);
            format!(
                "Protocollo n. {protocol}, inviata il {} alle {}",
                format::date(at.date()),
                format::hour_minute(at.time())
            )
        });
    let note = submission
        .operator_note
        .clone()
        .map(|note| format!("{}: {note}", note_label(submission.state)));
    let pdf = submission.protocol_number.as_ref().map(|protocol| {
        view! {
            <PdfButton
                id=format!("submission-{id}-pdf")
                label=format!("Scarica PDF della domanda {title}")
                text="Scarica PDF"
                url=format!("{BASE}{}", paths::my_submission_pdf(id))
                file_name=format!("domanda-{}.pdf", protocol.replace('/', "-"))
            />
        }
    });
    let awaited = submission
        .notice
        .clone()
        .filter(|_| submission.state == SubmissionState::SuspendedUnpaid)
        .map(|awaited| view! { <AwaitedNotice submission_id=id awaited /> });
    let cancellable = submission.state.after(SubmissionAction::Cancel).is_some();
    let cancelling = cancel.pending();
    let resume = (submission.state == SubmissionState::Saved).then(|| {
        view! {
            <a
                id=format!("submission-{id}-resume")
                class="btn btn-primary btn-sm ms-2"
                aria-label=format!("Riprendi la domanda {title}")
                href=fill_path(use_ente(), submission.form_id, Some(id))
            >
                "Riprendi"
            </a>
        }
    });
    let button = cancellable.then(|| {
        view! {
            <button
                id=format!("submission-{id}-cancel")
                type="button"
                class="btn btn-outline-danger btn-sm ms-2"
                aria-label=format!("Cancella la domanda {title}")
                disabled=move || cancelling.get()
                on:click=move |_| cancel.send(id)
            >
                "Cancella"
            </button>
        }
    });
    view! {
        <li id=format!("submission-{id}") class="payment-item">
            <div class="payment-item-main">
                <h3 class="h6 mb-1">{title.clone()}</h3>
                <p class="mb-0">
                    <span id=format!("submission-{id}-state") class="badge bg-primary">
                        {submission.state_label.clone()}
                    </span>
                </p>
                {sent.map(|text| view! { <p class="small mb-0">{text}</p> })}
                {submission.ranking.map(|place| view! { <p id=format!("submission-{id}-ranking") class="mb-0">{place.label()}</p> })}
                {note.map(|text| view! { <p id=format!("submission-{id}-note") class="mb-0">{text}</p> })}
                {awaited}
            </div>
            <div class="payment-item-actions">{pdf} {resume} {button}</div>
        </li>
    }
}
