//! `/{slug}/riconciliazione`: the comune's finance office reconciles the payments with
//! the treasury: the flussi di rendicontazione received, and the receipts no flow has
//! reported, the payments of a flow without receipt and the amounts that differ.

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::reconciliation::{Discrepancy, DiscrepancyKind, FlowSummary};
use sportello_model::{format, rome, Page};

use crate::api;
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{area_breadcrumb, remote, CardSection, PageButtons};
use crate::session::use_session;

const PER_PAGE: u64 = 20;

#[component]
pub fn ReconciliationPage() -> impl IntoView {
    use_page_title("Riconciliazione");
    view! {
        <RoleOnly
            allowed=Action::Reconcile
            title="Riconciliazione"
            id="reconciliation-not-allowed"
            message="La riconciliazione dei pagamenti con la tesoreria è curata dagli operatori del Comune."
        >
            <Reconciliation />
        </RoleOnly>
    }
}

#[component]
fn Reconciliation() -> impl IntoView {
    let ente = use_ente();
    view! {
        {area_breadcrumb(ente, vec![("Riconciliazione".into(), None)])}
        <h1>"Riconciliazione"</h1>
        <p class="lead">
            "I flussi di rendicontazione con cui i prestatori di servizi di pagamento versano gli incassi pagoPA alla tesoreria, confrontati con le ricevute."
        </p>
        <Discrepancies />
        <Flows />
    }
}

/// The value, or a dash where the line has none.
fn or_dash(value: Option<String>) -> String {
    value.unwrap_or_else(|| "—".into())
}

#[component]
fn Discrepancies() -> impl IntoView {
    let session = use_session();
    let kind = RwSignal::new(DiscrepancyKind::ReceiptWithoutFlow);
    let page = RwSignal::new(1);
    let lines =
        LocalResource::new(move || api::discrepancies(session, kind.get(), page.get(), PER_PAGE));
    let choose = move |chosen: DiscrepancyKind| {
        let id = format!("discrepancy-kind-{}", chosen.as_str().replace('_', "-"));
        view! {
            <button
                type="button"
                id=id
                class=move || {
                    if kind.get() == chosen { "btn btn-primary btn-sm" } else { "btn btn-outline-primary btn-sm" }
                }
                aria-pressed=move || (kind.get() == chosen).to_string()
                on:click=move |_| {
                    kind.set(chosen);
                    page.set(1);
                }
            >
                {chosen.label()}
            </button>
        }
    };
    let render = move |list: Page<Discrepancy>| {
        if list.items.is_empty() {
            return view! {
                <p id="discrepancies-empty">"Nessuna differenza di questo tipo."</p>
            }
            .into_any();
        }
        let pages = list.total_pages();
        view! {
            <div class="table-responsive" tabindex="0" role="region" aria-label="Differenze">
                <table id="discrepancies" class="table table-sm">
                    <thead>
                        <tr>
                            <th scope="col">"IUV"</th>
                            <th scope="col">"Avviso"</th>
                            <th scope="col">"Ricevuta"</th>
                            <th scope="col">"Pagato il"</th>
                            <th scope="col" class="text-end">"Importo ricevuta"</th>
                            <th scope="col">"Flusso"</th>
                            <th scope="col">"IUR"</th>
                            <th scope="col">"Esito"</th>
                            <th scope="col" class="text-end">"Importo flusso"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list
                            .items
                            .into_iter()
                            .map(|line| {
                                let paid = line
                                    .paid_at
                                    .map(|at| format::date(rome::today(at)))
                                    .or(line.flow_day.map(format::date));
                                view! {
                                    <tr id=format!("discrepancy-{}", line.iuv)>
                                        <td>{line.iuv.clone()}</td>
                                        <td>{or_dash(line.notice_number.as_deref().map(format::notice_number))}</td>
                                        <td>{or_dash(line.receipt_id.clone())}</td>
                                        <td>{or_dash(paid)}</td>
                                        <td class="text-end">{or_dash(line.receipt_amount.map(format::euro))}</td>
                                        <td>{or_dash(line.flow_id.clone())}</td>
                                        <td>{or_dash(line.iur.clone())}</td>
                                        <td>{or_dash(line.flow_outcome.map(|o| o.label().to_string()))}</td>
                                        <td class="text-end">{or_dash(line.flow_amount.map(format::euro))}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            <PageButtons id="discrepancies-pager" page pages focus_to="discrepancies-section-title" />
        }
        .into_any()
    };
    view! {
        <CardSection id="discrepancies-section" title="Differenze" focusable=true>
            <div class="d-flex flex-wrap gap-2 mb-3" role="group" aria-label="Tipo di differenza">
                {DiscrepancyKind::ALL.into_iter().map(choose).collect_view()}
            </div>
            {remote(lines, "discrepancies-error", "Caricamento delle differenze…", render)}
        </CardSection>
    }
}

#[component]
fn Flows() -> impl IntoView {
    let session = use_session();
    let page = RwSignal::new(1);
    let flows = LocalResource::new(move || api::flows(session, page.get(), PER_PAGE));
    let row = |flow: FlowSummary| {
        view! {
            <tr id=format!("flow-{}", flow.id)>
                <td>
                    {flow.flow_id.clone()}
                    {flow.superseded.then(|| view! { <span class="badge bg-secondary ms-2">"Sostituito"</span> })}
                </td>
                <td>{flow.revision}</td>
                <td>{flow.psp_id.clone()}</td>
                <td>{format::date(rome::today(flow.flow_at))}</td>
                <td>{format!("{} del {}", flow.regulation_id, format::date(flow.regulation_date))}</td>
                <td class="text-end">{flow.payments}</td>
                <td class="text-end">{format::euro(flow.total)}</td>
                <td>{flow.source.label()}</td>
            </tr>
        }
    };
    let render = move |list: Page<FlowSummary>| {
        if list.items.is_empty() {
            return view! {
                <p id="flows-empty">"Non è ancora arrivato nessun flusso di rendicontazione."</p>
            }
            .into_any();
        }
        let pages = list.total_pages();
        view! {
            <div
                class="table-responsive"
                tabindex="0"
                role="region"
                aria-label="Flussi di rendicontazione"
            >
                <table id="flows" class="table table-sm">
                    <thead>
                        <tr>
                            <th scope="col">"Flusso"</th>
                            <th scope="col">"Revisione"</th>
                            <th scope="col">"PSP"</th>
                            <th scope="col">"Data"</th>
                            <th scope="col">"Regolamento"</th>
                            <th scope="col" class="text-end">"Pagamenti"</th>
                            <th scope="col" class="text-end">"Totale"</th>
                            <th scope="col">"Origine"</th>
                        </tr>
                    </thead>
                    <tbody>{list.items.into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
            <PageButtons id="flows-pager" page pages focus_to="flows-section-title" />
        }
        .into_any()
    };
    view! {
        <CardSection id="flows-section" title="Flussi di rendicontazione" focusable=true>
            {remote(flows, "flows-error", "Caricamento dei flussi…", render)}
        </CardSection>
    }
}
