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
    area_breadcrumb, paged_table, remote, CardSection, ErrorAlert, FilterButtons, PagedTable,
    SuccessNote,
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
    let render = move |list: Page<Discrepancy>| {
        let table = PagedTable {
            id: "discrepancies",
            label: "Differenze",
            class: "",
            empty: "Nessuna differenza di questo tipo.",
            focus_to: "discrepancies-section-title",
        };
        let head = view! {
            <th scope="col">"IUV"</th>
            <th scope="col">"Avviso"</th>
            <th scope="col">"Ricevuta"</th>
            <th scope="col">"Pagato il"</th>
            <th scope="col" class="text-end">"Importo ricevuta"</th>
            <th scope="col">"Flusso"</th>
            <th scope="col">"IUR"</th>
            <th scope="col">"Esito"</th>
            <th scope="col" class="text-end">"Importo flusso"</th>
        };
        paged_table(list, table, page, head, |line: Discrepancy| {
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
    };
    let kinds = DiscrepancyKind::ALL
        .into_iter()
        .map(|k| {
            let id = format!("discrepancy-kind-{}", k.as_str().replace('_', "-"));
            (k, id, k.label())
        })
        .collect::<Vec<_>>();
    view! {
        <CardSection id="discrepancies-section" title="Differenze" focusable=true>
            <FilterButtons label="Tipo di differenza" choices=kinds chosen=kind page />
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
        let table = PagedTable {
            id: "flows",
            label: "Flussi di rendicontazione",
            class: "",
            empty: "Non è ancora arrivato nessun flusso di rendicontazione.",
            focus_to: "flows-section-title",
        };
        let head = view! {
            <th scope="col">"Flusso"</th>
            <th scope="col">"Revisione"</th>
            <th scope="col">"PSP"</th>
            <th scope="col">"Data"</th>
            <th scope="col">"Regolamento"</th>
            <th scope="col" class="text-end">"Pagamenti"</th>
            <th scope="col" class="text-end">"Totale"</th>
            <th scope="col">"Origine"</th>
        };
        paged_table(list, table, page, head, row)
    };
    view! {
        <CardSection id="flows-section" title="Flussi di rendicontazione" focusable=true>
            {remote(flows, "flows-error", "Caricamento dei flussi…", render)}
        </CardSection>
    }
}
