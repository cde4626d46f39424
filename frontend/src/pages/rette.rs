//! `/{slug}/rette`, Emissione rette: an operator chooses an emissions service, a month
//! and a due date, sees the preview (count, total, every retta with its band and amount,
//! the enrolments left out and why) and issues the month's rette with «Emetti»; a month
//! issued before issues nothing new.

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::entes::ServiceKind;
use sportello_model::rette::{
    check_month, NewRetteBatch, RetteBatchIssued, RetteBatchPreview, RetteBatchQuery,
};
use sportello_model::{dates, format, FieldError};

use crate::api;
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{
    area_breadcrumb, focus_element, CardSection, SelectField, SuccessNote, TextField,
};
use crate::dates::today;
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::session::use_session;

const TITLE: &str = "Emissione rette";

const FIELDS: &[(&str, &str)] = &[
    ("service_id", "rette-service"),
    ("month", "rette-month"),
    ("due_date", "rette-due-date"),
];

#[component]
pub fn RettePage() -> impl IntoView {
    use_page_title(TITLE);
    view! {
        <RoleOnly
            allowed=Action::IssueEmissions
            title=TITLE
            id="rette-not-allowed"
            message="Le rette sono emesse dagli operatori del Comune."
        >
            <RetteBatch />
        </RoleOnly>
    }
}

/// What is typed: the service, the month and the due date.
#[derive(Clone, Copy)]
struct Typed {
    service: RwSignal<String>,
    month: RwSignal<String>,
    due_date: RwSignal<String>,
}

impl Typed {
    fn query(self) -> Result<RetteBatchQuery, Vec<FieldError>> {
        let mut errors = Vec::new();
        let service_id = self.service.with(|s| s.parse::<i64>().ok());
        if service_id.is_none() {
            errors.push(FieldError::new("service_id", "Scegli il servizio."));
        }
        let month = self.month.get();
        if let Err(error) = check_month(&month) {
            errors.push(error);
        }
        match service_id {
            Some(service_id) if errors.is_empty() => Ok(RetteBatchQuery { service_id, month }),
            _ => Err(errors),
        }
    }

    /// The batch to issue, checked by the model's rule as the server checks it.
    fn batch(self, request_id: &str) -> Result<NewRetteBatch, Vec<FieldError>> {
        let query = self.query();
        let due_date = self.due_date.with(|d| dates::parse_day(d.trim()));
        let (query, due_date) = match (query, due_date) {
            (Ok(query), Ok(due_date)) => (query, due_date),
            (query, due_date) => {
                let mut errors = query.err().unwrap_or_default();
                if due_date.is_err() {
                    errors.push(FieldError::new(
                        "due_date",
                        "Indica la scadenza delle rette.",
                    ));
                }
                return Err(errors);
            }
        };
        let batch = NewRetteBatch {
            service_id: query.service_id,
            month: query.month,
            due_date,
            request_id: request_id.to_owned(),
        };
        batch.check(today()).map(|_| batch)
    }
}

#[component]
fn RetteBatch() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let services: Vec<(String, String)> = std::iter::once((String::new(), "Scegli…".to_owned()))
        .chain(
            ente.with(|detail| {
                detail
                    .services
                    .iter()
                    .filter(|s| s.kind == ServiceKind::Emissions && s.active)
                    .map(|s| (s.id.to_string(), s.name.clone()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default(),
        )
        .collect();
    let typed = Typed {
        service: RwSignal::new(String::new()),
        month: RwSignal::new(String::new()),
        due_date: RwSignal::new(String::new()),
    };
    let preview = RwSignal::new(None::<RetteBatchPreview>);
    let done = RwSignal::new(None::<String>);
    let show = Form::new(
        FIELDS,
        move |_| typed.query(),
        move |query: RetteBatchQuery| async move { api::emission_batch_preview(session, &query).await },
        move |seen: RetteBatchPreview| {
            preview.set(Some(seen));
            focus_element("rette-preview");
        },
    );
    let issue = Form::new(
        FIELDS,
        move |request_id| typed.batch(request_id),
        move |batch: NewRetteBatch| async move { api::issue_emission_batch(session, &batch).await },
        move |issued: RetteBatchIssued| {
            preview.set(None);
            done.set(Some(issued_text(&issued)));
            focus_element("rette-done");
        },
    );
    // What the preview shows is what is typed: a change hides it until it is asked again.
    Effect::new(move |_| {
        let _ = typed.query();
        preview.set(None);
    });
    let filled = |signal: RwSignal<String>| Signal::derive(move || !signal.with(String::is_empty));
    let service_error = show.message_on_submit("service_id");
    let month_error = show.message("month", filled(typed.month));
    let due_date_error = issue.message_on_submit("due_date");
    view! {
        {area_breadcrumb(ente, vec![(TITLE.into(), None)])}
        <h1>{TITLE}</h1>
        <p class="lead">
            "Le rette di un mese per tutti gli iscritti a un servizio: ciascuna con la quota della sua fascia e il suo avviso pagoPA. Un mese già emesso non viene emesso di nuovo."
        </p>
        <CardSection id="rette-batch" title="Servizio e mese">
            <form id="rette-form" novalidate on:submit=show.submit_clearing(done)>
                <SelectField
                    id="rette-service"
                    label="Servizio"
                    value=typed.service
                    options=services
                    error=service_error
                />
                <TextField
                    id="rette-month"
                    label="Mese"
                    value=typed.month
                    hint=Signal::stored("Nel formato AAAA-MM, ad esempio 2026-12.".to_owned())
                    error=month_error
                />
                <TextField
                    id="rette-due-date"
                    label="Scadenza"
                    value=typed.due_date
                    kind="date"
                    error=due_date_error
                />
                <FormAlert form=show id="rette-preview-error" />
                <SubmitButton form=show id="rette-preview-submit" label="Anteprima" busy="Anteprima…" />
            </form>
            {move || preview.get().map(|seen| view! { <Preview seen issue /> })}
            <SuccessNote id="rette-done" text=done />
        </CardSection>
    }
}

/// "Emesse 12 rette di Retta Dicembre 2026 per 360,00 €. …".
fn issued_text(issued: &RetteBatchIssued) -> String {
    let mut text = match issued.issued {
        0 => format!("Nessuna nuova retta emessa per {}.", issued.title),
        1 => format!(
            "Emessa 1 retta ({}) per {}.",
            issued.title,
            format::euro(issued.total)
        ),
        n => format!(
            "Emesse {n} rette ({}) per un totale di {}.",
            issued.title,
            format::euro(issued.total)
        ),
    };
    match issued.already_issued {
        0 => {}
        1 => text.push_str(" 1 retta del mese era già stata emessa."),
        n => text.push_str(&format!(" {n} rette del mese erano già state emesse.")),
    }
    text
}

#[component]
fn Preview(seen: RetteBatchPreview, issue: Form<NewRetteBatch>) -> impl IntoView {
    let summary = match seen.count {
        0 => format!("{}: nessuna retta da emettere.", seen.title),
        1 => format!(
            "{}: 1 retta da emettere, per {}.",
            seen.title,
            format::euro(seen.total)
        ),
        n => format!(
            "{}: {n} rette da emettere, per un totale di {}.",
            seen.title,
            format::euro(seen.total)
        ),
    };
    let pro_rata = seen.pro_rata.then(|| {
        view! {
            <p class="small">
                "Il servizio chiede le rette in proporzione ai giorni di servizio nel mese."
            </p>
        }
    });
    let lines = (!seen.lines.is_empty()).then(|| {
        let rows = seen
            .lines
            .iter()
            .map(|line| {
                view! {
                    <tr>
                        <td>{line.child_name.clone()}</td>
                        <td>{line.guardian_name.clone()}</td>
                        <td>{line.fee_band.clone()}</td>
                        <td class="text-end text-nowrap">{format::euro(line.quota)}</td>
                        <td class="text-end">{format!("{}/{}", line.days, line.month_days)}</td>
                        <td class="text-end text-nowrap">{format::euro(line.amount)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-responsive" tabindex="0" role="region" aria-label="Rette da emettere">
                <table id="rette-lines" class="table table-sm">
                    <thead>
                        <tr>
                            <th scope="col">"Alunno"</th>
                            <th scope="col">"Intestatario"</th>
                            <th scope="col">"Fascia"</th>
                            <th scope="col" class="text-end">"Quota mensile"</th>
                            <th scope="col" class="text-end">"Giorni"</th>
                            <th scope="col" class="text-end">"Importo"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                    <tfoot>
                        <tr>
                            <th scope="row" colspan="5">"Totale"</th>
                            <td id="rette-total" class="text-end text-nowrap fw-semibold">
                                {format::euro(seen.total)}
                            </td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        }
    });
    let skipped = (!seen.skipped.is_empty()).then(|| {
        let items = seen
            .skipped
            .iter()
            .map(|s| {
                view! {
                    <li>{format!("{} ({}, {}): {}", s.child_name, s.guardian_name, s.fee_band, s.reason.label())}</li>
                }
            })
            .collect_view();
        view! {
            <h4 class="h6">"Iscrizioni senza retta"</h4>
            <ul id="rette-skipped">{items}</ul>
        }
    });
    let count = seen.count;
    view! {
        <section
            id="rette-preview"
            class="mt-4 border rounded p-3"
            tabindex="-1"
            aria-labelledby="rette-preview-title"
        >
            <h3 id="rette-preview-title" class="h5">{format!("Anteprima: {}", seen.service_name)}</h3>
            <p id="rette-summary">{summary}</p>
            {pro_rata}
            {lines}
            {skipped}
            {(count > 0).then(|| view! {
                <form id="rette-issue-form" novalidate on:submit=issue.submit()>
                    <FormAlert form=issue id="rette-issue-error" />
                    <SubmitButton form=issue id="rette-issue" label="Emetti" busy="Emissione…" />
                </form>
            })}
        </section>
    }
}
