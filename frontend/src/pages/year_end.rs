//! `/{slug}/fine-anno`: the comune's office ends a school year — in May it asks ahead the
//! families of the children leaving, then closes the year (the credits left are listed
//! and the families asked to choose), and records the refunds the families asked for.
//! The family's side (`FamilyCredits`) is on the Pagamenti page.

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::money::decimal_to_cents;
use sportello_model::school_year::SchoolYear;
use sportello_model::year_end::{
    CreditChoice, CreditChoiceRequest, CreditStatus, FamilyCredit, OfficeCredit, YearEndSummary,
    YearEndTerms,
};
use sportello_model::{dates, format, FieldError, Page};

use crate::api;
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{
    area_breadcrumb, focus_element, paged_table, remote, ButtonFeedback, CardSection,
    FieldFeedback, FilterButtons, PagedTable, SelectField, SuccessNote, TextField,
};
use crate::dates::today;
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::session::use_session;

const TITLE: &str = "Fine anno scolastico";
const PER_PAGE: u64 = 20;

#[component]
pub fn YearEndPage() -> impl IntoView {
    use_page_title(TITLE);
    view! {
        <RoleOnly
            allowed=Action::CloseSchoolYear
            title=TITLE
            id="year-end-not-allowed"
            message="La chiusura dell'anno scolastico è curata dagli operatori del Comune."
        >
            <YearEnd />
        </RoleOnly>
    }
}

/// Which of the two buttons sent the terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    AskAhead,
    Close,
}

#[component]
fn YearEnd() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let current = SchoolYear::containing(today()).start_year();
    let year = RwSignal::new(current.to_string());
    let chosen = Memo::new(move |_| year.with(|y| y.parse::<i32>().unwrap_or(current)));
    let changed = RwSignal::new(0_u32);
    let summary = LocalResource::new(move || {
        changed.track();
        api::year_end(session, chosen.get())
    });
    let reload = Callback::new(move |()| changed.update(|n| *n += 1));
    let done = RwSignal::new(None::<String>);
    let years = (0..3)
        .map(|back| {
            let start = current - back;
            (start.to_string(), SchoolYear::starting(start).to_string())
        })
        .collect::<Vec<_>>();
    let render = move |summary: YearEndSummary| {
        let closed = summary.closed_at.is_some();
        view! {
            <SummaryCard summary=summary.clone() />
            {(!closed).then(|| view! { <TermsForm year=chosen.get_untracked() current reload done /> })}
        }
    };
    view! {
        {area_breadcrumb(ente, vec![(TITLE.into(), None)])}
        <h1>{TITLE}</h1>
        <p class="lead">
            "A fine anno il credito resta sul conto delle famiglie. Chi non ha figli iscritti al servizio l'anno successivo sceglie se mantenerlo, trasferirlo al servizio di un fratello o una sorella o chiederne il rimborso sul proprio conto: a maggio si possono interpellare in anticipo le famiglie dei bambini all'ultimo anno."
        </p>
        <SuccessNote id="year-end-done" text=done />
        <SelectField id="year-end-year" label="Anno scolastico" value=year options=years />
        {remote(summary, "year-end-error", "Caricamento dell'anno scolastico…", render)}
        <CreditsList year=chosen changed />
    }
}

#[component]
fn SummaryCard(summary: YearEndSummary) -> impl IntoView {
    let dates_line = match (summary.asked_at, summary.closed_at) {
        (_, Some(closed)) => format!("Anno chiuso il {}.", format::date_at_time(closed)),
        (Some(asked), None) => format!(
            "Famiglie dei bambini all'ultimo anno interpellate il {}. L'anno non è ancora chiuso.",
            format::date_at_time(asked)
        ),
        (None, None) => "L'anno non è ancora chiuso.".into(),
    };
    let terms = summary
        .minimum_refund
        .zip(summary.choice_deadline)
        .map(|(minimum, deadline)| {
            format!(
                "Rimborso minimo {}; le famiglie scelgono entro il {}.",
                format::euro(minimum),
                format::date(deadline)
            )
        });
    let preview = summary.closed_at.is_none().then(|| {
        format!(
            "Alla chiusura: {} con credito e nessun figlio iscritto al servizio l'anno prossimo, per un totale di {}.",
            match summary.to_list {
                1 => "1 conto".to_string(),
                n => format!("{n} conti"),
            },
            format::euro(summary.to_list_total)
        )
    });
    let rows = summary
        .statuses
        .iter()
        .map(|s| {
            view! {
                <tr>
                    <td>{s.status.label()}</td>
                    <td class="text-end">{s.count}</td>
                    <td class="text-end">{format::euro(s.total)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <CardSection id="year-end-summary" title="Situazione dell'anno">
            <p id="year-end-school-year" class="fw-semibold">{format!("Anno scolastico {}", summary.school_year)}</p>
            <p id="year-end-state">{dates_line}</p>
            {terms.map(|t| view! { <p id="year-end-terms">{t}</p> })}
            {preview.map(|p| view! { <p id="year-end-preview">{p}</p> })}
            {(!summary.statuses.is_empty()).then(|| view! {
                <div class="table-responsive" tabindex="0" role="region" aria-label="Crediti per stato">
                    <table id="year-end-statuses" class="table table-sm">
                        <thead>
                            <tr>
                                <th scope="col">"Stato"</th>
                                <th scope="col" class="text-end">"Crediti"</th>
                                <th scope="col" class="text-end">"Importo"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            })}
        </CardSection>
    }
}

/// The terms as typed, checked by the model's rule as the server checks them.
fn terms_draft(minimum: &str, deadline: &str) -> Result<YearEndTerms, Vec<FieldError>> {
    let Ok(choice_deadline) = dates::parse_day(deadline.trim()) else {
        let mut errors = vec![FieldError::new(
            "choice_deadline",
            "Indica fino a quando le famiglie possono scegliere.",
        )];
        let probe = YearEndTerms {
            minimum_refund: minimum.to_owned(),
            choice_deadline: today() + time::Duration::days(1),
        };
        errors.extend(probe.check(today()).err().unwrap_or_default());
        return Err(errors);
    };
    let terms = YearEndTerms {
        minimum_refund: minimum.to_owned(),
        choice_deadline,
    };
    terms.check(today()).map(|_| terms)
}

#[component]
fn TermsForm(
    year: i32,
    current: i32,
    reload: Callback<()>,
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let session = use_session();
    let minimum = RwSignal::new("5,00".to_string());
    let deadline = RwSignal::new(String::new());
    let step = RwSignal::new(Step::Close);
    let form = Form::new(
        &[
            ("minimum_refund", "year-end-minimum"),
            ("choice_deadline", "year-end-deadline"),
        ],
        move |_| terms_draft(&minimum.read(), &deadline.read()).map(|t| (step.get(), t)),
        move |(step, terms): (Step, YearEndTerms)| async move {
            let summary = match step {
                Step::AskAhead => api::ask_year_end_ahead(session, year, &terms).await?,
                Step::Close => api::close_school_year(session, year, &terms).await?,
            };
            Ok((step, summary))
        },
        move |(step, summary): (Step, YearEndSummary)| {
            done.set(Some(match step {
                Step::AskAhead => "Le famiglie dei bambini all'ultimo anno sono state interpellate: trovano la scelta in Pagamenti e una comunicazione.".to_string(),
                Step::Close => format!(
                    "Anno scolastico {} chiuso: le famiglie con un credito da scegliere hanno ricevuto una comunicazione.",
                    summary.school_year
                ),
            }));
            focus_element("year-end-done");
            reload.run(());
        },
    );
    let filled = |signal: RwSignal<String>| Signal::derive(move || !signal.with(String::is_empty));
    view! {
        <CardSection id="year-end-terms-section" title="Rimborso minimo e termine per scegliere">
            <form id="year-end-form" novalidate on:submit=form.submit_clearing(done)>
                <TextField
                    id="year-end-minimum"
                    label="Rimborso minimo (€)"
                    value=minimum
                    inputmode="decimal"
                    hint=Signal::stored("I crediti più bassi non si rimborsano: restano sul conto o si trasferiscono.".to_string())
                    error=form.message("minimum_refund", filled(minimum))
                />
                <TextField
                    id="year-end-deadline"
                    label="Le famiglie scelgono entro il"
                    value=deadline
                    kind="date"
                    error=form.message_on_submit("choice_deadline")
                />
                <FormAlert form id="year-end-form-error" />
                <div class="d-flex flex-wrap gap-2">
                    {(year == current).then(|| view! {
                        <button
                            type="submit"
                            id="year-end-ask-ahead"
                            class="btn btn-outline-primary"
                            disabled=move || form.pending().get()
                            on:click=move |_| step.set(Step::AskAhead)
                        >
                            "Chiedi in anticipo alle famiglie dei bambini all'ultimo anno"
                        </button>
                    })}
                    <span on:click=move |_| step.set(Step::Close)>
                        <SubmitButton form id="year-end-close" label="Chiudi l'anno" busy="Invio in corso…" />
                    </span>
                </div>
            </form>
        </CardSection>
    }
}

/// The filters of the credits: all, or one status the office acts on.
const FILTERS: [(Option<CreditStatus>, &str, &str); 4] = [
    (None, "year-end-filter-all", "Tutti"),
    (
        Some(CreditStatus::RefundRequested),
        "year-end-filter-refund",
        "Rimborsi da pagare",
    ),
    (
        Some(CreditStatus::Awaiting),
        "year-end-filter-awaiting",
        "In attesa della scelta",
    ),
    (
        Some(CreditStatus::Refunded),
        "year-end-filter-refunded",
        "Rimborsati",
    ),
];

#[component]
fn CreditsList(year: Memo<i32>, changed: RwSignal<u32>) -> impl IntoView {
    let session = use_session();
    let status = RwSignal::new(None::<CreditStatus>);
    let page = RwSignal::new(1);
    let done = RwSignal::new(None::<String>);
    let credits = LocalResource::new(move || {
        changed.track();
        api::year_end_credits(session, year.get(), status.get(), page.get(), PER_PAGE)
    });
    let refunded = Callback::new(move |credit: OfficeCredit| {
        done.set(Some(format!(
            "Rimborso di {} a {} registrato.",
            credit.credit.map(format::euro).unwrap_or_default(),
            credit.guardian
        )));
        changed.update(|n| *n += 1);
    });
    let row = move |c: OfficeCredit| {
        let destination = match c.choice {
            Some(CreditChoice::Refund) => c.iban.clone(),
            Some(CreditChoice::Transfer) => c.target_service.clone(),
            _ => None,
        };
        view! {
            <tr id=format!("year-end-credit-{}", c.id)>
                <td>{c.guardian.clone()}{c.asked_ahead.then(|| view! { <br /><small>"Interpellata in anticipo"</small> })}</td>
                <td>{c.service.clone()}</td>
                <td class="text-end">{c.credit.map(format::euro).unwrap_or_else(|| "—".into())}</td>
                <td>{c.status.label()}</td>
                <td>{c.choice.map(|choice| choice.label()).unwrap_or("—")}{destination.map(|d| view! { <br /><small>{d}</small> })}</td>
                <td>
                    {(c.status == CreditStatus::RefundRequested).then(|| view! {
                        <RefundButton id=c.id guardian=c.guardian.clone() refunded />
                    })}
                </td>
            </tr>
        }
    };
    let render = move |list: Page<OfficeCredit>| {
        let table = PagedTable {
            id: "year-end-credits",
            label: "Crediti di fine anno",
            class: "",
            empty: "Nessun credito in questo elenco.",
            focus_to: "year-end-credits-section-title",
        };
        let head = view! {
            <th scope="col">"Famiglia"</th>
            <th scope="col">"Servizio"</th>
            <th scope="col" class="text-end">"Credito"</th>
            <th scope="col">"Stato"</th>
            <th scope="col">"Scelta"</th>
            <th scope="col"><span class="visually-hidden">"Azioni"</span></th>
        };
        paged_table(list, table, page, head, row)
    };
    let filters = FILTERS
        .iter()
        .map(|(value, id, text)| (*value, (*id).to_owned(), *text))
        .collect::<Vec<_>>();
    view! {
        <CardSection id="year-end-credits-section" title="Crediti di fine anno" focusable=true>
            <SuccessNote id="year-end-refunded" text=done />
            <FilterButtons label="Stato dei crediti" choices=filters chosen=status page />
            {remote(credits, "year-end-credits-error", "Caricamento dei crediti…", render)}
        </CardSection>
    }
}

/// «Registra rimborso» once the comune has paid the family: the refund movement on its
/// account, made once.
#[component]
fn RefundButton(id: i64, guardian: String, refunded: Callback<OfficeCredit>) -> impl IntoView {
    let session = use_session();
    let form = Form::buttons(
        move |()| async move { api::record_year_end_refund(session, id).await },
        move |credit: OfficeCredit| refunded.run(credit),
    );
    let pending = form.pending();
    view! {
        <button
            type="button"
            class="btn btn-outline-primary btn-sm"
            id=format!("year-end-refund-{id}")
            aria-label=format!("Registra il rimborso a {guardian}")
            aria-busy=move || pending.get().then_some("true")
            disabled=move || pending.get()
            on:click=move |_| form.send(())
        >
            "Registra rimborso"
        </button>
        <ButtonFeedback id=format!("year-end-refund-{id}-error") problem=Signal::derive(move || form.problem()) />
    }
}

/// On the Pagamenti page: the family's credits left at the end of a school year, and the
/// choice for the one still open. Nothing when there is none.
#[component]
pub fn FamilyCredits() -> impl IntoView {
    let session = use_session();
    let changed = RwSignal::new(0_u32);
    let credits = LocalResource::new(move || {
        changed.track();
        api::my_year_end_credits(session)
    });
    let saved = Callback::new(move |()| changed.update(|n| *n += 1));
    move || {
        let list = credits.get().and_then(Result::ok).unwrap_or_default();
        (!list.is_empty()).then(|| {
            let open = list.iter().find(|c| c.open).cloned();
            view! {
                <CardSection id="year-end-credits" title="Credito di fine anno scolastico">
                    <ul class="list-unstyled">
                        {list.into_iter().map(|c| view! { <CreditLine credit=c /> }).collect_view()}
                    </ul>
                    {open.map(|credit| view! { <ChoiceForm credit saved /> })}
                </CardSection>
            }
        })
    }
}

#[component]
fn CreditLine(credit: FamilyCredit) -> impl IntoView {
    let amount = if credit.closed {
        format::euro(credit.credit)
    } else {
        format!("{} (saldo di oggi)", format::euro(credit.credit))
    };
    let choice = credit.choice.map(|c| c.label()).unwrap_or("da scegliere");
    view! {
        <li id=format!("year-end-credit-{}", credit.id) class="mb-2">
            <strong>{format!("{} — anno {}", credit.service, credit.school_year)}</strong>
            ": "{amount}". "
            {format!("{}; scelta: {choice}.", credit.status.label())}
            {credit.open.then(|| format!(" Puoi scegliere fino al {}.", format::date(credit.choice_deadline)))}
        </li>
    }
}

/// The choice as typed, checked by the model's rule as the server checks it.
fn choice_draft(
    credit: &FamilyCredit,
    choice: Option<CreditChoice>,
    target: &str,
    iban: &str,
    holder_confirmed: bool,
) -> Result<CreditChoiceRequest, Vec<FieldError>> {
    let Some(choice) = choice else {
        return Err(vec![FieldError::new(
            "choice",
            "Scegli cosa fare del credito.",
        )]);
    };
    let request = CreditChoiceRequest {
        choice,
        iban: (choice == CreditChoice::Refund).then(|| iban.to_owned()),
        holder_confirmed: choice == CreditChoice::Refund && holder_confirmed,
        target_service_id: (choice == CreditChoice::Transfer)
            .then(|| target.parse().ok())
            .flatten(),
    };
    let targets: Vec<i64> = credit
        .transfer_targets
        .iter()
        .map(|t| t.service_id)
        .collect();
    let minimum = decimal_to_cents(credit.minimum_refund).unwrap_or(0);
    let credit_cents = credit
        .closed
        .then(|| decimal_to_cents(credit.credit))
        .flatten();
    request
        .check(&sportello_model::year_end::ChoiceContext {
            today: today(),
            deadline: credit.choice_deadline,
            minimum_refund_cents: minimum,
            credit_cents,
            transfer_targets: &targets,
        })
        .map(|_| request)
}

#[component]
fn ChoiceForm(credit: FamilyCredit, saved: Callback<()>) -> impl IntoView {
    let session = use_session();
    let id = credit.id;
    let prefilled = credit
        .choice
        .or(credit.asked_ahead.then_some(CreditChoice::Refund));
    let choice = RwSignal::new(prefilled);
    let target = RwSignal::new(
        credit
            .target_service_id
            .or(credit.transfer_targets.first().map(|t| t.service_id))
            .map(|id| id.to_string())
            .unwrap_or_default(),
    );
    let iban = RwSignal::new(String::new());
    let holder = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);
    let checked = StoredValue::new(credit.clone());
    let form = Form::new(
        &[
            ("choice", "year-end-choice-carry_over"),
            ("target_service_id", "year-end-target"),
            ("iban", "year-end-iban"),
            ("holder_confirmed", "year-end-holder"),
        ],
        move |_| {
            checked.with_value(|credit| {
                choice_draft(
                    credit,
                    choice.get(),
                    &target.read(),
                    &iban.read(),
                    holder.get(),
                )
            })
        },
        move |request: CreditChoiceRequest| async move {
            api::choose_year_end_credit(session, id, &request).await
        },
        move |saved_credit: FamilyCredit| {
            done.set(Some(format!(
                "Scelta registrata: {}.",
                saved_credit
                    .choice
                    .map(|c| c.label())
                    .unwrap_or_default()
                    .to_lowercase()
            )));
            saved.run(());
        },
    );
    let choice_error = form.message_on_submit("choice");
    let radio = move |value: CreditChoice| {
        let radio_id = format!("year-end-choice-{}", value.as_str());
        view! {
            <div class="form-check">
                <input
                    type="radio"
                    id=radio_id.clone()
                    name="year-end-choice"
                    value=value.as_str()
                    prop:checked=move || choice.get() == Some(value)
                    aria-invalid=move || choice_error.with(Option::is_some).to_string()
                    on:change=move |_| choice.set(Some(value))
                />
                <label for=radio_id>{value.label()}</label>
            </div>
        }
    };
    let targets: Vec<(String, String)> = credit
        .transfer_targets
        .iter()
        .map(|t| {
            (
                t.service_id.to_string(),
                format!("{} ({})", t.service, t.children),
            )
        })
        .collect();
    let can_transfer = !targets.is_empty();
    let ahead = credit.asked_ahead && !credit.closed;
    view! {
        <form id="year-end-choice-form" novalidate on:submit=form.submit_clearing(done)>
            <h3 class="h5">{format!("Cosa fare del credito di {}", credit.service)}</h3>
            {ahead.then(|| view! {
                <p id="year-end-ahead">"Ti chiediamo in anticipo: abbiamo proposto il rimborso. L'importo definitivo sarà quello del conto alla chiusura dell'anno."</p>
            })}
            <fieldset class="mb-4" aria-describedby=move || choice_error.with(Option::is_some).then_some("year-end-choice-error")>
                <legend class="h6">"La tua scelta"</legend>
                {radio(CreditChoice::CarryOver)}
                {can_transfer.then(|| radio(CreditChoice::Transfer))}
                {radio(CreditChoice::Refund)}
                <FieldFeedback id="year-end-choice-error" error=choice_error />
            </fieldset>
            {move || (choice.get() == Some(CreditChoice::Transfer)).then(|| view! {
                <SelectField
                    id="year-end-target"
                    label="Servizio a cui trasferire il credito"
                    value=target
                    options=targets.clone()
                    error=form.message_on_submit("target_service_id")
                />
            })}
            {move || (choice.get() == Some(CreditChoice::Refund)).then(|| view! {
                <TextField
                    id="year-end-iban"
                    label="IBAN del conto su cui ricevere il rimborso"
                    value=iban
                    autocomplete="off"
                    uppercase=true
                    error=form.message_on_submit("iban")
                />
                <div class="form-check mb-4">
                    <input
                        id="year-end-holder"
                        type="checkbox"
                        prop:checked=move || holder.get()
                        aria-invalid=move || form.message_on_submit("holder_confirmed").with(Option::is_some).to_string()
                        aria-describedby="year-end-holder-error"
                        on:change=move |ev| holder.set(event_target_checked(&ev))
                    />
                    <label for="year-end-holder">"Il conto è intestato a me"</label>
                    <FieldFeedback id="year-end-holder-error" error=form.message_on_submit("holder_confirmed") />
                </div>
            })}
            <FormAlert form id="year-end-choice-error-alert" />
            <SubmitButton form id="year-end-choice-save" label="Conferma la scelta" busy="Invio in corso…" />
            <SuccessNote id="year-end-choice-done" text=done />
        </form>
    }
}
