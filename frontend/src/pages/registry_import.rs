//! `/{slug}/importa-anagrafe`: the office imports the registry exported from the
//! comune's previous system (CSV): a dry run with an error per row and column, then the
//! import, which adds only what the registry does not have yet.

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::registry::{ImportColumn, ImportReport};
use sportello_model::{format, Problem};

use crate::api;
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{area_breadcrumb, CardSection, ErrorAlert, SuccessNote};
use crate::pages::reconciliation::chosen_file;
use crate::session::use_session;

/// `/{slug}/importa-anagrafe`.
#[component]
pub fn RegistryImportPage() -> impl IntoView {
    use_page_title("Importa anagrafe");
    view! {
        <RoleOnly
            allowed=Action::ImportRegistry
            title="Importa anagrafe"
            id="registry-import-not-allowed"
            message="L'importazione dell'anagrafe è curata dagli operatori del Comune."
        >
            <RegistryImport />
        </RoleOnly>
    }
}

fn no_file() -> Problem {
    Problem {
        kind: "about:blank".into(),
        title: "Nessun file".into(),
        status: 400,
        detail: "Scegli il file CSV dell'anagrafe da importare.".into(),
        errors: Vec::new(),
    }
}

fn counts(report: &ImportReport) -> String {
    format!(
        "{} righe: {} famiglie, {} alunni, {} iscrizioni e {} saldi iniziali nuovi; {} righe già presenti in anagrafe.",
        format::count(report.rows as usize),
        format::count(report.new_families as usize),
        format::count(report.new_children as usize),
        format::count(report.new_enrolments as usize),
        format::count(report.new_balances as usize),
        format::count(report.unchanged_rows as usize),
    )
}

#[component]
fn RegistryImport() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let file = NodeRef::<leptos::html::Input>::new();
    let report = RwSignal::new(None::<ImportReport>);
    let done = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<Problem>);
    let run = leptos::prelude::Action::new_local(move |apply: &bool| {
        let apply = *apply;
        let input = file.get_untracked();
        async move {
            done.set(None);
            problem.set(None);
            let Some(csv) = chosen_file(input).await else {
                problem.set(Some(no_file()));
                return;
            };
            match api::import_registry(session, &csv, apply).await {
                Ok(found) => {
                    if found.applied {
                        done.set(Some(format!("Importazione completata. {}", counts(&found))));
                    }
                    report.set(Some(found));
                }
                Err(found) => problem.set(Some(found)),
            }
        }
    });
    let pending = run.pending();
    let ready = move || {
        report
            .get()
            .is_some_and(|r| !r.applied && r.error_count == 0)
    };
    let columns = ImportColumn::ALL
        .into_iter()
        .map(|c| view! { <tr><td><code>{c.header()}</code></td><td>{c.meaning()}</td></tr> })
        .collect_view();
    let render_report = move || {
        report.get().filter(|r| !r.applied).map(|r| {
            let errors = (!r.errors.is_empty()).then(|| {
                let rows = r
                    .errors
                    .iter()
                    .map(|e| view! {
                        <tr>
                            <td>{e.row}</td>
                            <td>{if e.column.is_empty() { "—".to_string() } else { e.column.clone() }}</td>
                            <td>{e.message.clone()}</td>
                        </tr>
                    })
                    .collect_view();
                view! {
                    <div class="table-responsive" tabindex="0" role="region" aria-label="Errori del file">
                        <table id="registry-errors" class="table table-sm">
                            <thead>
                                <tr>
                                    <th scope="col">"Riga"</th>
                                    <th scope="col">"Colonna"</th>
                                    <th scope="col">"Errore"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
            });
            let outcome = if r.error_count == 0 {
                "Il file non ha errori: puoi importarlo.".to_string()
            } else {
                format!(
                    "Il file ha {} errori: correggili e ripeti la prova. Nulla è stato importato.",
                    format::count(r.error_count as usize)
                )
            };
            view! {
                <CardSection id="registry-report" title="Esito della prova">
                    <p id="registry-report-counts">{counts(&r)}</p>
                    <p id="registry-report-outcome">{outcome}</p>
                    {errors}
                </CardSection>
            }
        })
    };
    view! {
        {area_breadcrumb(
            ente,
            vec![
                ("Famiglie".into(), Some(ente.path("famiglie"))),
                ("Importa anagrafe".into(), None),
            ],
        )}
        <h1>"Importa anagrafe"</h1>
        <p class="lead">
            "Le famiglie, gli alunni, le iscrizioni e i saldi iniziali esportati dal sistema precedente del Comune. Prima una prova, che non cambia nulla; poi l'importazione. Chi è già in anagrafe (stesso codice fiscale) resta com'è: importare di nuovo lo stesso file non cambia nulla."
        </p>
        <CardSection id="registry-file-section" title="File da importare">
            <div class="mb-3">
                <label for="registry-file" class="form-label">"File CSV dell'anagrafe (UTF-8)"</label>
                <input
                    type="file"
                    id="registry-file"
                    class="form-control"
                    accept=".csv,text/csv"
                    node_ref=file
                    on:change=move |_| {
                        report.set(None);
                        done.set(None);
                    }
                />
            </div>
            <button
                type="button"
                id="registry-check"
                class="btn btn-outline-primary"
                disabled=move || pending.get()
                on:click=move |_| {
                    run.dispatch(false);
                }
            >
                "Prova importazione"
            </button>
            <button
                type="button"
                id="registry-import"
                class="btn btn-primary ms-2"
                disabled=move || pending.get() || !ready()
                on:click=move |_| {
                    run.dispatch(true);
                }
            >
                {move || if pending.get() { "Attendere…" } else { "Importa" }}
            </button>
            <SuccessNote id="registry-imported" text=done />
            <div aria-live="assertive">
                {move || problem.get().map(|problem| view! { <ErrorAlert id="registry-import-error" problem focus=true /> })}
            </div>
        </CardSection>
        {render_report}
        <CardSection id="registry-format" title="Formato del file">
            <p>
                "Una riga di intestazione con i nomi delle colonne, in qualsiasi ordine, separate da punto e virgola (o da virgola); poi una riga per ogni iscrizione di un alunno a un servizio. Le date sono nel formato GG/MM/AAAA, gli importi come 23,40."
            </p>
            <div class="table-responsive" tabindex="0" role="region" aria-label="Colonne del file">
                <table class="table table-sm">
                    <thead>
                        <tr>
                            <th scope="col">"Colonna"</th>
                            <th scope="col">"Contenuto"</th>
                        </tr>
                    </thead>
                    <tbody>{columns}</tbody>
                </table>
            </div>
        </CardSection>
    }
}
