//! `/{slug}/report/…`: the comune's office reads its reports, one per tab, each with its
//! filter, a table with the totals and the CSV: Incassi (`incassi`: receipts per day and
//! channel), Morosi (`morosi`: families with a negative account or an overdue retta,
//! whose reminders it sends from here through Solleciti), Pasti serviti (`pasti`) and
//! Saldi (`saldi`: the prepaid accounts' balances at the end of a day).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use sportello_model::access::Action;
use sportello_model::dates::{DAY_MESSAGE, MONTH_MESSAGE};
use sportello_model::reminders::RemindersRun;
use sportello_model::reports::{
    check_range, reminder_step_label, AccountBalance, BalancesReport, Debtor, DebtorsReport,
    MealsReport, MealsRow, ReceiptsReport, ReceiptsRow,
};
use sportello_model::{format, FieldError};

use crate::api::{self, ReportQuery};
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{
    area_breadcrumb, message_of, remote, ButtonFeedback, CardSection, DateRange, DownloadButton,
    SuccessNote, TextField,
};
use crate::dates::{parse_day, parse_month, today};
use crate::forms::Form;
use crate::session::use_session;

/// The reports, in the order of their tabs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Receipts,
    Debtors,
    Meals,
    Balances,
}

impl Tab {
    const ALL: [Tab; 4] = [Tab::Receipts, Tab::Debtors, Tab::Meals, Tab::Balances];

    /// The last segment of the tab's address.
    fn slug(self) -> &'static str {
        match self {
            Tab::Receipts => "incassi",
            Tab::Debtors => "morosi",
            Tab::Meals => "pasti",
            Tab::Balances => "saldi",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Tab::Receipts => "Incassi",
            Tab::Debtors => "Morosi",
            Tab::Meals => "Pasti serviti",
            Tab::Balances => "Saldi",
        }
    }
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    use_page_title("Report");
    view! {
        <RoleOnly
            allowed=Action::ReadReports
            title="Report"
            id="reports-not-allowed"
            message="I report sono consultati dagli uffici del Comune."
        >
            <Reports />
        </RoleOnly>
    }
}

#[component]
fn Reports() -> impl IntoView {
    let ente = use_ente();
    let params = use_params_map();
    let tab = Memo::new(move |_| {
        let kind = params.read().get("kind");
        Tab::ALL
            .into_iter()
            .find(|t| kind.as_deref() == Some(t.slug()))
            .unwrap_or(Tab::Receipts)
    });
    let links = Tab::ALL
        .into_iter()
        .map(|t| {
            let active = move || tab.get() == t;
            view! {
                <li class="nav-item">
                    <a
                        id=format!("report-tab-{}", t.slug())
                        class=move || if active() { "nav-link active" } else { "nav-link" }
                        aria-current=move || active().then_some("page")
                        href=ente.path(&format!("report/{}", t.slug()))
                    >
                        {t.title()}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        {area_breadcrumb(ente, vec![("Report".into(), None)])}
        <h1>"Report"</h1>
        <p class="lead">
            "Incassi per giorno e canale, famiglie morose, pasti serviti e saldi dei conti, da consultare e scaricare in CSV."
        </p>
        <nav aria-label="Report">
            <ul class="nav nav-tabs mb-3">{links}</ul>
        </nav>
        {move || match tab.get() {
            Tab::Receipts => view! { <Receipts /> }.into_any(),
            Tab::Debtors => view! { <Debtors /> }.into_any(),
            Tab::Meals => view! { <Meals /> }.into_any(),
            Tab::Balances => view! { <Balances /> }.into_any(),
        }}
    }
}

/// The filter of a report: its fields, «Mostra», and the query applied once it is valid
/// (`check` turns what is typed into the query or the fields' errors).
#[component]
fn Filter(
    id: &'static str,
    applied: RwSignal<ReportQuery>,
    problems: RwSignal<Vec<FieldError>>,
    check: Callback<(), Result<ReportQuery, Vec<FieldError>>>,
    children: Children,
) -> impl IntoView {
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match check.run(()) {
            Ok(query) => {
                problems.set(Vec::new());
                applied.set(query);
            }
            Err(errors) => {
                if let Some(first) = errors.first() {
                    crate::components::focus_element(&format!("{id}-{}", first.field));
                }
                problems.set(errors);
            }
        }
    };
    view! {
        <form id=format!("{id}-filter") novalidate on:submit=submit>
            {children()}
            <button type="submit" id=format!("{id}-show") class="btn btn-primary mb-3">
                "Mostra"
            </button>
        </form>
    }
}

/// «Scarica CSV» of the report applied.
fn csv_button(
    id: &'static str,
    what: &'static str,
    applied: RwSignal<ReportQuery>,
) -> impl IntoView {
    let session = use_session();
    view! {
        <DownloadButton
            id=id
            label=format!("Scarica CSV {what}")
            text="Scarica CSV"
            fetch=move || api::export_report(session, applied.get_untracked())
        />
    }
}

/// A table of a report, scrollable on narrow screens.
fn table(
    id: &'static str,
    label: &'static str,
    head: AnyView,
    body: AnyView,
    foot: AnyView,
) -> AnyView {
    view! {
        <div class="table-responsive" tabindex="0" role="region" aria-label=label>
            <table id=id class="table table-sm">
                <thead>{head}</thead>
                <tbody>{body}</tbody>
                <tfoot>{foot}</tfoot>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn Receipts() -> impl IntoView {
    let session = use_session();
    let day = today();
    let first = day.replace_day(1).unwrap_or(day);
    let from = RwSignal::new(first.to_string());
    let to = RwSignal::new(day.to_string());
    let applied = RwSignal::new(ReportQuery::Receipts {
        from: from.get_untracked(),
        to: to.get_untracked(),
    });
    let problems = RwSignal::new(Vec::new());
    let check = Callback::new(move |()| {
        let (typed_from, typed_to) = (
            parse_day(&from.get_untracked()),
            parse_day(&to.get_untracked()),
        );
        let mut errors = Vec::new();
        if typed_from.is_none() {
            errors.push(FieldError::new("from", DAY_MESSAGE));
        }
        if typed_to.is_none() {
            errors.push(FieldError::new("to", DAY_MESSAGE));
        }
        if let (Some(f), Some(t)) = (typed_from, typed_to) {
            errors.extend(check_range(f, t));
        }
        if errors.is_empty() {
            Ok(ReportQuery::Receipts {
                from: from.get_untracked().trim().into(),
                to: to.get_untracked().trim().into(),
            })
        } else {
            Err(errors)
        }
    });
    let report = LocalResource::new(move || api::report::<ReceiptsReport>(session, applied.get()));
    let row = |r: ReceiptsRow| {
        view! {
            <tr>
                <td>{format::date(r.day)}</td>
                <td>{r.channel_label}</td>
                <td>{r.method}</td>
                <td>{r.psp}</td>
                <td class="text-end">{r.count.to_string()}</td>
                <td class="text-end">{format::euro(r.amount)}</td>
            </tr>
        }
    };
    let render = move |report: ReceiptsReport| {
        if report.rows.is_empty() {
            return view! { <p id="receipts-report-empty">"Nessun incasso nel periodo."</p> }
                .into_any();
        }
        let channels = report
            .channels
            .iter()
            .map(|c| {
                view! {
                    <tr>
                        <th scope="row" colspan="4">{format!("Totale {}", c.channel_label)}</th>
                        <td class="text-end">{c.count.to_string()}</td>
                        <td class="text-end">{format::euro(c.amount)}</td>
                    </tr>
                }
            })
            .collect_view();
        table(
            "receipts-report",
            "Incassi per giorno e canale",
            view! {
                <tr>
                    <th scope="col">"Giorno"</th>
                    <th scope="col">"Canale"</th>
                    <th scope="col">"Metodo"</th>
                    <th scope="col">"PSP"</th>
                    <th scope="col" class="text-end">"Pagamenti"</th>
                    <th scope="col" class="text-end">"Importo"</th>
                </tr>
            }
            .into_any(),
            report.rows.into_iter().map(row).collect_view().into_any(),
            view! {
                {channels}
                <tr id="receipts-report-total">
                    <th scope="row" colspan="4">"Totale"</th>
                    <td class="text-end">{report.count.to_string()}</td>
                    <td class="text-end">{format::euro(report.amount)}</td>
                </tr>
            }
            .into_any(),
        )
    };
    view! {
        <CardSection id="receipts-report-section" title="Incassi">
            <p>"I pagamenti pagoPA accettati nel periodo, per giorno, canale e prestatore di servizi di pagamento (PSP), per la riconciliazione con la tesoreria."</p>
            <Filter id="receipts-report" applied problems check>
                <DateRange
                    from_id="receipts-report-from"
                    to_id="receipts-report-to"
                    from
                    to
                    from_error=message_of(problems, "from")
                    to_error=message_of(problems, "to")
                />
            </Filter>
            {remote(report, "receipts-report-error", "Caricamento degli incassi…", render)}
            <div class="mt-3">{csv_button("receipts-report-csv", "degli incassi del periodo", applied)}</div>
        </CardSection>
    }
}

#[component]
fn Debtors() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let applied = RwSignal::new(ReportQuery::Debtors);
    let changed = RwSignal::new(0_u32);
    let sent = RwSignal::new(None::<String>);
    let report = LocalResource::new(move || {
        changed.track();
        api::report::<DebtorsReport>(session, ReportQuery::Debtors)
    });
    let may_remind = move || {
        session
            .role_in(&ente.slug.get())
            .is_some_and(|role| role.may(Action::ManageReminders))
    };
    let row = |d: Debtor| {
        view! {
            <tr id=format!("debtor-{}", d.guardian_id)>
                <td>{d.family}</td>
                <td>{d.fiscal_code}</td>
                <td class="text-end">{format::euro(d.balance)}</td>
                <td class="text-end">{format::euro(d.overdue)}</td>
                <td class="text-end">{d.days_overdue.to_string()}</td>
                <td>{reminder_step_label(d.last_reminder_step)}</td>
            </tr>
        }
    };
    let render = move |report: DebtorsReport| {
        if report.rows.is_empty() {
            return view! { <p id="debtors-report-empty">"Nessuna famiglia morosa."</p> }
                .into_any();
        }
        table(
            "debtors-report",
            "Famiglie morose",
            view! {
                <tr>
                    <th scope="col">"Intestatario"</th>
                    <th scope="col">"Codice fiscale"</th>
                    <th scope="col" class="text-end">"Saldo negativo"</th>
                    <th scope="col" class="text-end">"Rette scadute"</th>
                    <th scope="col" class="text-end">"Giorni di ritardo"</th>
                    <th scope="col">"Ultimo sollecito"</th>
                </tr>
            }
            .into_any(),
            report.rows.into_iter().map(row).collect_view().into_any(),
            view! {
                <tr id="debtors-report-total">
                    <th scope="row" colspan="2">"Totale"</th>
                    <td class="text-end">{format::euro(report.balance)}</td>
                    <td class="text-end">{format::euro(report.overdue)}</td>
                    <td colspan="2"></td>
                </tr>
            }
            .into_any(),
        )
    };
    let remind = Form::buttons(
        move |()| async move { api::run_reminders(session).await },
        move |run: RemindersRun| {
            sent.set(Some(match run.sent {
                0 => "Nessun sollecito da inviare oggi secondo il calendario dei solleciti.".into(),
                1 => "Inviato 1 sollecito.".into(),
                n => format!("Inviati {n} solleciti."),
            }));
            changed.update(|n| *n += 1);
        },
    );
    let pending = remind.pending();
    view! {
        <CardSection id="debtors-report-section" title="Morosi">
            <p>"Le famiglie con il conto prepagato sotto zero o una retta non pagata dopo la scadenza, con l'ultimo sollecito inviato."</p>
            {remote(report, "debtors-report-error", "Caricamento dei morosi…", render)}
            <div class="d-flex flex-wrap gap-3 mt-3">
                {csv_button("debtors-report-csv", "delle famiglie morose", applied)}
                <Show when=may_remind>
                    <button
                        type="button"
                        class="btn btn-primary"
                        id="debtors-remind"
                        aria-busy=move || pending.get().then_some("true")
                        disabled=move || pending.get()
                        on:click=move |_| remind.send(())
                    >
                        {move || if pending.get() { "Invio in corso…" } else { "Invia i solleciti dovuti" }}
                    </button>
                </Show>
            </div>
            <ButtonFeedback id="debtors-remind-error" problem=Signal::derive(move || remind.problem()) />
            <SuccessNote id="debtors-remind-note" text=sent />
            <p class="mt-3 mb-0">
                "I solleciti partono secondo il calendario del Comune, una volta per ciascun passo: "
                <a href=ente.path("solleciti")>"gestisci i solleciti"</a>
                "."
            </p>
        </CardSection>
    }
}

#[component]
fn Meals() -> impl IntoView {
    let session = use_session();
    let day = today();
    let month = RwSignal::new(format!("{:04}-{:02}", day.year(), u8::from(day.month())));
    let applied = RwSignal::new(ReportQuery::Meals {
        month: month.get_untracked(),
    });
    let problems = RwSignal::new(Vec::new());
    let check = Callback::new(move |()| {
        let typed = month.get_untracked().trim().to_owned();
        match parse_month(&typed) {
            Some(_) => Ok(ReportQuery::Meals { month: typed }),
            None => Err(vec![FieldError::new("month", MONTH_MESSAGE)]),
        }
    });
    let report = LocalResource::new(move || api::report::<MealsReport>(session, applied.get()));
    let row = |m: MealsRow| {
        view! {
            <tr>
                <td>{m.service}</td>
                <td>{m.school}</td>
                <td>{m.band}</td>
                <td class="text-end">{m.meals.to_string()}</td>
                <td class="text-end">{format::euro(m.amount)}</td>
            </tr>
        }
    };
    let render = move |report: MealsReport| {
        if report.rows.is_empty() {
            return view! { <p id="meals-report-empty">"Nessun pasto addebitato nel mese."</p> }
                .into_any();
        }
        table(
            "meals-report",
            "Pasti serviti per scuola e fascia",
            view! {
                <tr>
                    <th scope="col">"Servizio"</th>
                    <th scope="col">"Scuola"</th>
                    <th scope="col">"Fascia"</th>
                    <th scope="col" class="text-end">"Pasti"</th>
                    <th scope="col" class="text-end">"Importo"</th>
                </tr>
            }
            .into_any(),
            report.rows.into_iter().map(row).collect_view().into_any(),
            view! {
                <tr id="meals-report-total">
                    <th scope="row" colspan="3">"Totale"</th>
                    <td class="text-end">{report.meals.to_string()}</td>
                    <td class="text-end">{format::euro(report.amount)}</td>
                </tr>
            }
            .into_any(),
        )
    };
    view! {
        <CardSection id="meals-report-section" title="Pasti serviti">
            <p>"I pasti addebitati alle famiglie per i giorni di scuola del mese, al netto di quelli stornati, per scuola e fascia."</p>
            <Filter id="meals-report" applied problems check>
                <TextField
                    id="meals-report-month"
                    label="Mese"
                    value=month
                    kind="month"
                    hint=Signal::stored("Nel formato AAAA-MM, ad esempio 2026-11.".to_owned())
                    error=message_of(problems, "month")
                />
            </Filter>
            {remote(report, "meals-report-error", "Caricamento dei pasti…", render)}
            <div class="mt-3">{csv_button("meals-report-csv", "dei pasti serviti nel mese", applied)}</div>
        </CardSection>
    }
}

#[component]
fn Balances() -> impl IntoView {
    let session = use_session();
    let on = RwSignal::new(today().to_string());
    let applied = RwSignal::new(ReportQuery::Balances {
        on: on.get_untracked(),
    });
    let problems = RwSignal::new(Vec::new());
    let check = Callback::new(move |()| {
        let typed = on.get_untracked().trim().to_owned();
        match parse_day(&typed) {
            Some(_) => Ok(ReportQuery::Balances { on: typed }),
            None => Err(vec![FieldError::new("on", DAY_MESSAGE)]),
        }
    });
    let report = LocalResource::new(move || api::report::<BalancesReport>(session, applied.get()));
    let row = |b: AccountBalance| {
        view! {
            <tr id=format!("balance-{}", b.account_id)>
                <td>{b.family}</td>
                <td>{b.fiscal_code}</td>
                <td>{b.service}</td>
                <td class="text-end">{format::euro(b.balance)}</td>
            </tr>
        }
    };
    let render = move |report: BalancesReport| {
        if report.rows.is_empty() {
            return view! { <p id="balances-report-empty">"Nessun conto prepagato."</p> }
                .into_any();
        }
        table(
            "balances-report",
            "Saldi dei conti",
            view! {
                <tr>
                    <th scope="col">"Intestatario"</th>
                    <th scope="col">"Codice fiscale"</th>
                    <th scope="col">"Servizio"</th>
                    <th scope="col" class="text-end">"Saldo"</th>
                </tr>
            }
            .into_any(),
            report.rows.into_iter().map(row).collect_view().into_any(),
            view! {
                <tr id="balances-report-total">
                    <th scope="row" colspan="3">{format!("Totale al {}", format::date(report.on))}</th>
                    <td class="text-end">{format::euro(report.total)}</td>
                </tr>
            }
            .into_any(),
        )
    };
    view! {
        <CardSection id="balances-report-section" title="Saldi a una data">
            <p>"Il saldo di ogni conto prepagato alla fine del giorno scelto: la somma dei movimenti fino a quel giorno."</p>
            <Filter id="balances-report" applied problems check>
                <TextField
                    id="balances-report-on"
                    label="Saldi al giorno"
                    value=on
                    kind="date"
                    error=message_of(problems, "on")
                />
            </Filter>
            {remote(report, "balances-report-error", "Caricamento dei saldi…", render)}
            <div class="mt-3">{csv_button("balances-report-csv", "dei saldi al giorno scelto", applied)}</div>
        </CardSection>
    }
}
