//! `/{slug}/detrazioni-fiscali`: the comune's office certifies what families paid for the
//! school services in a year: the summary (families, children, totals net of refunds),
//! the receipts whose payer is not the account holder, «Genera attestazioni» (one letter
//! per family in Comunicazioni) and the CSV per child.

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::tax_deduction::{
    check_generation, FlaggedReceipt, TaxDeductionReport, YEAR_MIN,
};
use sportello_model::{format, Problem};

use crate::api;
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{
    area_breadcrumb, remote, CardSection, DownloadButton, ErrorAlert, SelectField, SuccessNote,
};
use crate::dates::today;
use crate::session::use_session;

#[component]
pub fn TaxDeductionsPage() -> impl IntoView {
    use_page_title("Detrazioni fiscali");
    view! {
        <RoleOnly
            allowed=Action::CertifyTaxDeductions
            title="Detrazioni fiscali"
            id="tax-deductions-not-allowed"
            message="Le attestazioni per la detrazione fiscale sono generate dagli operatori del Comune: le trovi in Comunicazioni."
        >
            <TaxDeductions />
        </RoleOnly>
    }
}

#[component]
fn TaxDeductions() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let this_year = today().year();
    let chosen = RwSignal::new((this_year - 1).max(YEAR_MIN).to_string());
    let year = Signal::derive(move || chosen.get().parse::<i32>().unwrap_or(this_year - 1));
    let options = Signal::stored(
        (YEAR_MIN..=this_year)
            .rev()
            .map(|y| (y.to_string(), y.to_string()))
            .collect::<Vec<_>>(),
    );
    let generated = RwSignal::new(0_u32);
    let report = LocalResource::new(move || {
        generated.track();
        api::tax_deduction_report(session, year.get())
    });
    view! {
        {area_breadcrumb(ente, vec![("Detrazioni fiscali".into(), None)])}
        <h1>"Detrazioni fiscali"</h1>
        <p class="lead">
            "Le somme pagate con pagoPA per i servizi scolastici nell'anno, per famiglia e alunno, al netto dei rimborsi: le attestazioni per le famiglie e il file per l'Agenzia delle Entrate e i CAF."
        </p>
        <div class="row">
            <div class="col-12 col-md-4">
                <SelectField id="tax-year" label="Anno" value=chosen options />
            </div>
        </div>
        <CardSection id="tax-summary-section" title="Riepilogo">
            {remote(report, "tax-summary-error", "Caricamento del riepilogo…", summary)}
            <div class="d-flex flex-wrap gap-3 mt-3">
                <Generate year generated />
                <DownloadButton
                    id="tax-csv"
                    label="Scarica CSV delle detrazioni fiscali dell'anno scelto"
                    text="Scarica CSV"
                    fetch=move || api::export_tax_deductions(session, year.get_untracked())
                />
            </div>
        </CardSection>
        <CardSection id="tax-flagged-section" title="Ricevute da verificare">
            <p>
                "Pagamenti in cui chi ha pagato non è l'intestatario del conto: l'importo è attribuito all'intestatario, verifica con la famiglia."
            </p>
            {remote(report, "tax-flagged-error", "Caricamento delle ricevute…", |r: TaxDeductionReport| flagged(r.flagged))}
        </CardSection>
    }
}

fn summary(report: TaxDeductionReport) -> impl IntoView {
    view! {
        <dl id="tax-summary" class="row mb-0">
            <dt class="col-6 col-md-3">"Famiglie"</dt>
            <dd class="col-6 col-md-3" id="tax-families">{report.families.to_string()}</dd>
            <dt class="col-6 col-md-3">"Alunni"</dt>
            <dd class="col-6 col-md-3" id="tax-children">{report.children.to_string()}</dd>
            <dt class="col-6 col-md-3">"Pagato"</dt>
            <dd class="col-6 col-md-3" id="tax-paid">{format::euro(report.paid)}</dd>
            <dt class="col-6 col-md-3">"Rimborsato"</dt>
            <dd class="col-6 col-md-3" id="tax-refunded">{format::euro(report.refunded)}</dd>
            <dt class="col-6 col-md-3">"Totale netto"</dt>
            <dd class="col-6 col-md-3" id="tax-net">{format::euro(report.net)}</dd>
            <dt class="col-6 col-md-3">"Attestazioni generate"</dt>
            <dd class="col-6 col-md-3" id="tax-certificates">{report.certificates.to_string()}</dd>
        </dl>
    }
}

fn flagged(receipts: Vec<FlaggedReceipt>) -> AnyView {
    if receipts.is_empty() {
        return view! { <p id="tax-flagged-empty">"Nessuna ricevuta da verificare."</p> }
            .into_any();
    }
    view! {
        <div class="table-responsive" tabindex="0" role="region" aria-label="Ricevute da verificare">
            <table id="tax-flagged" class="table table-sm">
                <thead>
                    <tr>
                        <th scope="col">"Pagato il"</th>
                        <th scope="col">"Intestatario"</th>
                        <th scope="col">"Codice fiscale pagante"</th>
                        <th scope="col">"Servizio"</th>
                        <th scope="col" class="text-end">"Importo"</th>
                        <th scope="col">"Ricevuta"</th>
                    </tr>
                </thead>
                <tbody>
                    {receipts
                        .into_iter()
                        .map(|r| {
                            let row_id = format!("tax-flagged-{}", r.receipt_id);
                            view! {
                                <tr id=row_id>
                                    <td>{format::date(r.paid_on)}</td>
                                    <td>{format!("{} ({})", r.guardian_name, r.guardian_fiscal_code)}</td>
                                    <td>{r.payer_fiscal_code.unwrap_or_else(|| "Non indicato".into())}</td>
                                    <td>{r.service_name}</td>
                                    <td class="text-end">{format::euro(r.amount)}</td>
                                    <td>{r.receipt_id}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Genera attestazioni, open once the year has ended (the rule the server enforces).
#[component]
fn Generate(year: Signal<i32>, generated: RwSignal<u32>) -> impl IntoView {
    let session = use_session();
    let done = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<Problem>);
    let closed = move || check_generation(year.get(), today());
    let generate = leptos::prelude::Action::new_local(move |year: &i32| {
        let year = *year;
        async move {
            done.set(None);
            problem.set(None);
            match api::generate_tax_certificates(session, year).await {
                Ok(result) => {
                    done.set(Some(match result.written {
                        0 => format!(
                            "Le attestazioni del {year} erano già state generate: nessuna nuova."
                        ),
                        1 => format!("1 attestazione del {year} pubblicata in Comunicazioni."),
                        n => format!(
                            "{} attestazioni del {year} pubblicate in Comunicazioni.",
                            format::count(n as usize)
                        ),
                    }));
                    generated.update(|n| *n += 1);
                }
                Err(found) => problem.set(Some(found)),
            }
        }
    });
    let pending = generate.pending();
    view! {
        <div class="action-with-feedback">
            <button
                type="button"
                id="tax-generate"
                class="btn btn-primary"
                disabled=move || pending.get() || closed().is_err()
                aria-describedby="tax-generate-note"
                on:click=move |_| {
                    generate.dispatch(year.get_untracked());
                }
            >
                {move || if pending.get() { "Generazione…" } else { "Genera attestazioni" }}
            </button>
            <p id="tax-generate-note" class="small mt-2 mb-0">
                {move || closed().err().unwrap_or_else(|| "Una attestazione per famiglia, pubblicata in Comunicazioni e inviata per e-mail; generare di nuovo non duplica nulla.".into())}
            </p>
            <SuccessNote id="tax-generated" text=done />
            <div aria-live="assertive">
                {move || problem.get().map(|problem| view! { <ErrorAlert id="tax-generate-error" problem focus=true /> })}
            </div>
        </div>
    }
}
