//! Emissioni (rette): the bills issued by the comune, DA PAGARE, PAGATO or ANNULLATA
//! (with the office's reason), with their detail, payment document, online payment and
//! receipt.

use leptos::prelude::*;
use sportello_model::entes::ServiceKind;
use sportello_model::money::decimal_to_cents;
use sportello_model::payments::{EmissionDetail, EmissionStatus, EmissionSummary};
use sportello_model::{format, spa, Page};

use super::{
    breadcrumb, GuardianOnly, PayButton, PaySelected, PaymentOutcome, SelectToPay, Selection,
    StatusBadge, Tone,
};
use crate::api;
use crate::app::{use_ente, Ente};
use crate::components::{paged_list, record_in_path, remote, set_title, DownloadButton, PdfButton};
use crate::session::use_session;

const PER_PAGE: u64 = 10;

fn tone(status: EmissionStatus) -> Tone {
    match status {
        EmissionStatus::ToPay => Tone::ToPay,
        EmissionStatus::Paid => Tone::Paid,
        EmissionStatus::Cancelled => Tone::Closed,
    }
}

/// «Annullata dal Comune: …», the reason the office gave, on a cancelled retta.
fn cancel_note(id: String, summary: &EmissionSummary) -> Option<impl IntoView> {
    let reason = summary.cancel_reason.clone()?;
    Some(view! {
        <p id=id class="small mb-0">
            <strong>"Annullata dal Comune: "</strong>
            {reason}
        </p>
    })
}

/// The file name of an emission's payment document (avviso pagoPA).
fn document_name(summary: &EmissionSummary) -> String {
    format!("avviso-{}.pdf", summary.document_number)
}

/// The list: what the comune issued, latest due date first.
#[component]
pub fn EmissionList() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let page = RwSignal::new(1);
    let emissions = LocalResource::new(move || api::emissions(session, page.get(), PER_PAGE));
    let selection = Selection::new();
    let render = move |list: Page<EmissionSummary>| {
        let to_pay = list
            .items
            .iter()
            .any(|emission| emission.status == EmissionStatus::ToPay);
        view! {
            {paged_list(
                list,
                "emissions",
                "list-unstyled payment-list",
                "Non ci sono emissioni a tuo nome.",
                page,
                move |emission| view! { <EmissionItem emission selection /> },
            )}
            {to_pay.then(|| view! { <PaySelected selection /> })}
        }
    };
    view! {
        {breadcrumb(ente, vec![("Emissioni".into(), None)])}
        <h1 id="emissions-title" tabindex="-1">"Emissioni"</h1>
        <PaymentOutcome
            kind=ServiceKind::Emissions
            received=Callback::new(move |()| emissions.refetch())
        />
        <p class="lead">"I documenti emessi dal Comune, pagati o ancora da pagare."</p>
        {remote(emissions, "emissions-error", "Caricamento delle emissioni…", render)}
    }
}

#[component]
fn EmissionItem(emission: EmissionSummary, selection: Selection) -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let id = emission.id;
    let title = emission.title.clone();
    let amount = format::euro(emission.amount);
    // The list does not carry the payment document: the detail does.
    let file_name = document_name(&emission);
    let download = move || {
        let file_name = file_name.clone();
        async move {
            let detail = api::emission(session, id).await?;
            api::download_pdf(session, &detail.document_url, &file_name).await
        }
    };
    let notice_id = emission.notice_id;
    let to_pay = emission.status == EmissionStatus::ToPay;
    // A cancelled retta's notice is withdrawn: nothing left to print or pay.
    let payable = emission.status != EmissionStatus::Cancelled;
    let pay = to_pay.then(|| {
        view! {
            <PayButton
                id=format!("emission-{id}-pay")
                label=format!("Paga {title} di {amount}")
                text="Paga"
                start=move || api::pay_notice(session, notice_id)
            />
        }
    });
    let select = to_pay
        .then(|| decimal_to_cents(emission.amount))
        .flatten()
        .map(|cents| {
            view! {
                <SelectToPay
                    selection
                    notice_id
                    cents
                    label=format!("{} di {}", emission.title, format::euro(emission.amount))
                    id=format!("emission-{id}-select")
                />
            }
        });
    view! {
        <li id=format!("emission-{id}") class="payment-item" data-status=emission.status.label().to_lowercase()>
            <div class="payment-item-main">
                <h2 class="h5 mb-1">{emission.title.clone()}</h2>
                <p class="mb-0">
                    "Scadenza: "
                    <time datetime=emission.due_date.to_string()>
                        {format::date(emission.due_date)}
                    </time>
                </p>
                <p class="small mb-0">
                    "Documento n° "
                    <span class="notice-number">{format::notice_number(&emission.document_number)}</span>
                </p>
                <p class="small text-muted mb-0">{emission.service_name.clone()}</p>
                {cancel_note(format!("emission-{id}-cancel-reason"), &emission)}
            </div>
            <div class="payment-item-side">
                <StatusBadge
                    id=format!("emission-{id}-status")
                    label=emission.status.label()
                    tone=tone(emission.status)
                />
                <p id=format!("emission-{id}-amount") class="payment-amount">
                    {format::euro(emission.amount)}
                </p>
            </div>
            <div class="payment-item-actions">
                {select}
                <a
                    id=format!("emission-{id}-detail")
                    class="btn btn-outline-primary btn-sm"
                    href=spa::emission(&ente.slug.get(), id)
                >
                    "Dettaglio"
                    <span class="visually-hidden">{format!(": {}", emission.title)}</span>
                </a>
                {payable.then(|| view! {
                    <DownloadButton
                        id=format!("emission-{id}-download")
                        label=format!("Scarica il documento di pagamento di {}", emission.title)
                        fetch=download
                    />
                })}
                {pay}
            </div>
        </li>
    }
}

/// `/{slug}/pagamenti/emissioni/{id}`: due date, IUV, amount and lines of one emission.
/// pagoPA brings the user back here after paying it online.
#[component]
pub fn EmissionPage() -> impl IntoView {
    view! {
        <GuardianOnly>
            <EmissionView />
        </GuardianOnly>
    }
}

/// Address of the emissions list: the emission's own service once known, otherwise the
/// comune's first emission service.
fn list_path(ente: Ente, service_id: Option<i64>) -> String {
    let service_id = service_id.or_else(|| {
        ente.with(|detail| {
            detail
                .services
                .iter()
                .find(|service| service.kind == ServiceKind::Emissions)
                .map(|service| service.id)
        })
        .flatten()
    });
    match service_id {
        Some(id) => ente.path(&format!("pagamenti/{id}")),
        None => spa::payments(&ente.slug.get()),
    }
}

#[component]
fn EmissionView() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let emission = record_in_path("id", move |id| api::emission(session, id));
    let loaded = move || emission.get().and_then(Result::ok);
    Effect::new(move |_| {
        let title = loaded()
            .map(|detail| detail.summary.title)
            .unwrap_or_else(|| "Emissione".into());
        set_title(&[&title, &ente.name()]);
    });
    let back =
        Memo::new(move |_| list_path(ente, loaded().map(|detail| detail.summary.service_id)));

    view! {
        {move || {
            let title = loaded()
                .map(|detail| detail.summary.title)
                .unwrap_or_else(|| "Emissione".into());
            breadcrumb(ente, vec![("Emissioni".into(), Some(back.get())), (title, None)])
        }}
        <PaymentOutcome
            kind=ServiceKind::Emissions
            received=Callback::new(move |()| emission.refetch())
        />
        {remote(emission, "emission-error", "Caricamento dell'emissione…", render_detail)}
        <a id="emission-back" class="btn btn-outline-primary mt-4" href=move || back.get()>
            "Torna alle emissioni"
        </a>
    }
}

fn render_detail(detail: EmissionDetail) -> impl IntoView {
    let session = use_session();
    let summary = detail.summary.clone();
    let title = summary.title.clone();
    let to_pay = summary.status == EmissionStatus::ToPay;
    let notice_id = summary.notice_id;
    let receipt = detail.receipt_url.clone().map(|url| {
        view! {
            <PdfButton
                id="emission-receipt-download"
                label=format!("Scarica ricevuta di {title}")
                text="Scarica ricevuta"
                class="btn-primary"
                url
                file_name=format!("ricevuta-{}.pdf", summary.document_number)
            />
        }
    });
    let pay = to_pay.then(|| {
        view! {
            <PayButton
                id="emission-pay"
                label=format!("Paga {title} di {}", format::euro(summary.amount))
                text="Paga"
                start=move || api::pay_notice(session, notice_id)
            />
        }
    });
    let lines = detail
        .lines
        .iter()
        .map(|line| {
            view! {
                <tr>
                    <td>{line.description.clone()}</td>
                    <td class="text-end text-nowrap">{format::euro(line.amount)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <article id="emission-detail" data-status=summary.status.label().to_lowercase()>
            <h1>{summary.title.clone()}</h1>
            <p>
                <StatusBadge id="emission-status" label=summary.status.label() tone=tone(summary.status) />
            </p>
            {cancel_note("emission-cancel-reason".into(), &summary)}
            <dl class="row data-list">
                <div class="col-12 col-sm-6 col-lg-4 data-item">
                    <dt>"Servizio"</dt>
                    <dd>{summary.service_name.clone()}</dd>
                </div>
                <div class="col-12 col-sm-6 col-lg-4 data-item">
                    <dt>"Scadenza"</dt>
                    <dd id="emission-due-date">
                        <time datetime=summary.due_date.to_string()>{format::date(summary.due_date)}</time>
                    </dd>
                </div>
                <div class="col-12 col-sm-6 col-lg-4 data-item">
                    <dt>"Importo"</dt>
                    <dd id="emission-amount">{format::euro(summary.amount)}</dd>
                </div>
                <div class="col-12 col-sm-6 col-lg-4 data-item">
                    <dt>"Documento n°"</dt>
                    <dd id="emission-document-number" class="notice-number">
                        {format::notice_number(&summary.document_number)}
                    </dd>
                </div>
                <div class="col-12 col-sm-6 col-lg-4 data-item">
                    <dt>"Codice IUV"</dt>
                    <dd id="emission-iuv" class="notice-number">{detail.iuv.clone()}</dd>
                </div>
            </dl>
            <h2 class="h5">"Dettaglio dell'importo"</h2>
            <div class="table-responsive">
                <table id="emission-lines" class="table emission-lines">
                    <thead>
                        <tr>
                            <th scope="col">"Descrizione"</th>
                            <th scope="col" class="text-end">"Importo"</th>
                        </tr>
                    </thead>
                    <tbody>{lines}</tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">"Totale"</th>
                            <td class="text-end text-nowrap fw-semibold">{format::euro(summary.amount)}</td>
                        </tr>
                    </tfoot>
                </table>
            </div>
            <div class="payment-item-actions">
                {(summary.status != EmissionStatus::Cancelled).then(|| view! {
                    <PdfButton
                        id="emission-download"
                        label=format!("Scarica il documento di pagamento di {}", summary.title)
                        url=detail.document_url.clone()
                        file_name=document_name(&summary)
                    />
                })}
                {pay}
                {receipt}
            </div>
        </article>
    }
}
