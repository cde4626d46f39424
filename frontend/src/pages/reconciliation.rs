//! `/{slug}/riconciliazione`: the comune's finance office reconciles the payments with
//! the treasury: uploads a flusso di rendicontazione it downloaded, reads the flows
//! received, and the receipts no flow has reported, the payments of a flow without
//! receipt and the amounts that differ.

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::reconciliation::{Discrepancy, DiscrepancyKind, FlowSummary};
use sportello_model::{format, rome, Page, Problem};

use crate::api;
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{
    area_breadcrumb, remote, CardSection, ErrorAlert, PageButtons, SuccessNote,
};
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
    let imported = RwSignal::new(0_u32);
    view! {
        {area_breadcrumb(ente, vec![("Riconciliazione".into(), None)])}
        <h1>"Riconciliazione"</h1>
        <p class="lead">
            "I flussi di rendicontazione con cui i prestatori di servizi di pagamento versano gli incassi pagoPA alla tesoreria, confrontati con le ricevute."
        </p>
        <Upload imported />
        <Discrepancies imported />
        <Flows imported />
    }
}

/// The text of the file chosen in the file field, if any.
pub(crate) async fn chosen_file(input: Option<web_sys::HtmlInputElement>) -> Option<String> {
    let file = input?.files()?.get(0)?;
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .ok()?;
    text.as_string()
}

/// Carica flusso: the XML file of a flusso di rendicontazione downloaded by the comune.
/// `imported` counts the uploads, so that the lists below read again.
#[component]
fn Upload(imported: RwSignal<u32>) -> impl IntoView {
    let session = use_session();
    let file = NodeRef::<leptos::html::Input>::new();
    let done = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<Problem>);
    let upload = leptos::prelude::Action::new_local(move |_: &()| {
        let input = file.get_untracked();
        async move {
            done.set(None);
            problem.set(None);
            let Some(xml) = chosen_file(input).await else {
                problem.set(Some(Problem {
                    kind: "about:blank".into(),
                    title: "Nessun file".into(),
                    status: 400,
                    detail: "Scegli il file XML del flusso di rendicontazione da caricare.".into(),
                    errors: Vec::new(),
                }));
                return;
            };
            match api::upload_flow(session, xml).await {
                Ok(result) => {
                    let flow = result.flow;
                    done.set(Some(if result.created {
                        format!(
                            "Flusso {} importato: {} {} per {}.",
                            flow.flow_id,
                            flow.payments,
                            if flow.payments == 1 {
                                "pagamento"
                            } else {
                                "pagamenti"
                            },
                            format::euro(flow.total)
                        )
                    } else {
                        format!(
                            "Il flusso {} era già stato importato: nulla è cambiato.",
                            flow.flow_id
                        )
                    }));
                    imported.update(|n| *n += 1);
                }
                Err(found) => problem.set(Some(found)),
            }
        }
    });
    let pending = upload.pending();
    view! {
        <CardSection id="upload-section" title="Carica un flusso">
            <p>
                "Se il flusso non arriva dal servizio pagoPA, carica il file XML (FlussoRiversamento) scaricato per il Comune."
            </p>
            <div class="mb-3">
                <label for="flow-file" class="form-label">"File XML del flusso"</label>
                <input
                    type="file"
                    id="flow-file"
                    class="form-control"
                    accept=".xml,application/xml,text/xml"
                    node_ref=file
                />
            </div>
            <button
                type="button"
                id="flow-upload"
                class="btn btn-primary"
                disabled=move || pending.get()
                on:click=move |_| {
                    upload.dispatch(());
                }
            >
                {move || if pending.get() { "Caricamento…" } else { "Carica flusso" }}
            </button>
            <SuccessNote id="flow-uploaded" text=done />
            <div aria-live="assertive">
                {move || problem.get().map(|problem| view! { <ErrorAlert id="flow-upload-error" problem focus=true /> })}
            </div>
        </CardSection>
    }
}

/// The value, or a dash where the line has none.
fn or_dash(value: Option<String>) -> String {
    value.unwrap_or_else(|| "—".into())
}

#[component]
fn Discrepancies(imported: RwSignal<u32>) -> impl IntoView {
    let session = use_session();
    let kind = RwSignal::new(DiscrepancyKind::ReceiptWithoutFlow);
    let page = RwSignal::new(1);
    let lines = LocalResource::new(move || {
        imported.track();
        api::discrepancies(session, kind.get(), page.get(), PER_PAGE)
    });
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
fn Flows(imported: RwSignal<u32>) -> impl IntoView {
    let session = use_session();
    let page = RwSignal::new(1);
    let flows = LocalResource::new(move || {
        imported.track();
        api::flows(session, page.get(), PER_PAGE)
    });
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
