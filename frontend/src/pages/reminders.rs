//! `/{slug}/solleciti`: the comune's operators set the schedule of reminders (on or off,
//! after how many days each step goes), see the debts due for a step now and the
//! reminders sent (with their notice and whether the family has paid), and send the due
//! ones with «Invia ora».

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::reminders::{
    parse_steps, DueReminder, ReminderSchedule, RemindersOverview, RemindersRun, SentReminder,
    MAX_STEPS, MAX_STEP_DAYS,
};
use sportello_model::{format, FieldError};

use crate::api;
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{
    area_breadcrumb, remote, ButtonFeedback, CardSection, SuccessNote, TextField,
};
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::session::use_session;

#[component]
pub fn RemindersPage() -> impl IntoView {
    use_page_title("Solleciti");
    view! {
        <RoleOnly
            allowed=Action::ManageReminders
            title="Solleciti"
            id="reminders-not-allowed"
            message="I solleciti di pagamento alle famiglie sono gestiti dagli operatori del Comune."
        >
            <Reminders />
        </RoleOnly>
    }
}

#[component]
fn Reminders() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let changed = RwSignal::new(0_u32);
    let saved = RwSignal::new(None::<String>);
    let sent = RwSignal::new(None::<String>);
    let overview = LocalResource::new(move || {
        changed.track();
        api::reminders(session)
    });
    let reload = Callback::new(move |()| changed.update(|n| *n += 1));
    let render = move |overview: RemindersOverview| {
        view! {
            <ScheduleForm schedule=overview.schedule.clone() saved reload />
            <DueList due=overview.due enabled=overview.schedule.enabled sent reload />
            <SentList sent=overview.sent />
        }
    };
    view! {
        {area_breadcrumb(ente, vec![("Solleciti".into(), None)])}
        <h1>"Solleciti"</h1>
        <p class="lead">
            "Le lettere di sollecito alle famiglie con il conto della mensa in negativo o una retta non pagata dopo la scadenza: ogni sollecito contiene un avviso pagoPA dell'importo dovuto ed è inviato una sola volta."
        </p>
        {remote(overview, "reminders-error", "Caricamento dei solleciti…", render)}
    }
}

/// "7, 21".
fn steps_text(steps: &[i32]) -> String {
    steps
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// "Solleciti attivi: dopo 7 e 21 giorni.", or that they are off.
fn schedule_text(schedule: &ReminderSchedule) -> String {
    if !schedule.enabled {
        return "I solleciti non sono attivi.".into();
    }
    let days: Vec<String> = schedule.steps.iter().map(i32::to_string).collect();
    let listed = match days.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} e {last}", rest.join(", ")),
        None => String::new(),
    };
    format!("Solleciti attivi: dopo {listed} giorni.")
}

/// The schedule to save, or what is wrong with it, by the model's rule.
fn schedule_draft(enabled: bool, steps: &str) -> Result<ReminderSchedule, Vec<FieldError>> {
    let steps = parse_steps(steps).map_err(|e| vec![e])?;
    let schedule = ReminderSchedule { enabled, steps };
    match schedule.problems() {
        problems if problems.is_empty() => Ok(schedule),
        problems => Err(problems),
    }
}

#[component]
fn ScheduleForm(
    schedule: ReminderSchedule,
    saved: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let enabled = RwSignal::new(schedule.enabled);
    let steps = RwSignal::new(steps_text(&schedule.steps));
    let form = Form::new(
        &[("steps", "reminders-steps")],
        move |_| schedule_draft(enabled.get(), &steps.read()),
        move |schedule: ReminderSchedule| async move {
            api::set_reminder_schedule(session, &schedule).await
        },
        move |schedule: ReminderSchedule| {
            saved.set(Some(format!(
                "Calendario dei solleciti salvato. {}",
                schedule_text(&schedule)
            )));
            reload.run(());
        },
    );
    let hint = Signal::stored(format!(
        "Numeri crescenti separati da virgole, da 1 a {MAX_STEP_DAYS}; al massimo {MAX_STEPS} solleciti. Per un conto in negativo si contano dal giorno in cui è andato sotto zero, per una retta dalla scadenza."
    ));
    view! {
        <CardSection id="reminders-schedule" title="Calendario dei solleciti">
            <p id="reminders-schedule-current">{schedule_text(&schedule)}</p>
            <form id="reminders-schedule-form" novalidate on:submit=form.submit_clearing(saved)>
                <div class="form-check mb-4">
                    <input
                        id="reminders-enabled"
                        type="checkbox"
                        prop:checked=move || enabled.get()
                        on:change=move |ev| enabled.set(event_target_checked(&ev))
                    />
                    <label for="reminders-enabled">"Invia i solleciti"</label>
                </div>
                <TextField
                    id="reminders-steps"
                    label="Giorni dopo i quali inviare ciascun sollecito"
                    value=steps
                    inputmode="numeric"
                    hint
                    error=form.message_on_submit("steps")
                />
                <FormAlert form id="reminders-schedule-error" />
                <SubmitButton form id="reminders-schedule-save" label="Salva" busy="Salvataggio…" />
                <SuccessNote id="reminders-schedule-saved" text=saved />
            </form>
        </CardSection>
    }
}

/// "1° sollecito".
fn step_label(step: i32) -> String {
    format!("{step}° sollecito")
}

#[component]
fn DueList(
    due: Vec<DueReminder>,
    enabled: bool,
    sent: RwSignal<Option<String>>,
    reload: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let send = Form::buttons(
        move |()| async move { api::run_reminders(session).await },
        move |run: RemindersRun| {
            sent.set(Some(match run.sent {
                0 => "Nessun sollecito da inviare: erano già stati inviati.".into(),
                1 => "Inviato 1 sollecito.".into(),
                n => format!("Inviati {n} solleciti."),
            }));
            reload.run(());
        },
    );
    let pending = send.pending();
    let row = |d: DueReminder| {
        view! {
            <tr>
                <td>{d.family}</td>
                <td>{format!("{}: {}", d.kind_label, d.debt)}</td>
                <td class="text-end">{format::euro(d.amount)}</td>
                <td>{format::date(d.since)}</td>
                <td>{step_label(d.step)}</td>
            </tr>
        }
    };
    let body = if !enabled {
        view! {
            <p id="reminders-due-off">"I solleciti non sono attivi: attivali nel calendario qui sopra."</p>
        }
        .into_any()
    } else if due.is_empty() {
        view! { <p id="reminders-due-empty">"Nessun sollecito da inviare oggi."</p> }.into_any()
    } else {
        view! {
            <div class="table-responsive" tabindex="0" role="region" aria-label="Solleciti da inviare">
                <table id="reminders-due" class="table table-sm">
                    <thead>
                        <tr>
                            <th scope="col">"Famiglia"</th>
                            <th scope="col">"Debito"</th>
                            <th scope="col" class="text-end">"Importo"</th>
                            <th scope="col">"Dal"</th>
                            <th scope="col">"Sollecito"</th>
                        </tr>
                    </thead>
                    <tbody>{due.into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
            <button
                type="button"
                class="btn btn-primary"
                id="reminders-send"
                aria-busy=move || pending.get().then_some("true")
                disabled=move || pending.get()
                on:click=move |_| send.send(())
            >
                {move || if pending.get() { "Invio in corso…" } else { "Invia ora" }}
            </button>
            <ButtonFeedback id="reminders-send-error" problem=Signal::derive(move || send.problem()) />
        }
        .into_any()
    };
    view! {
        <CardSection id="reminders-due-section" title="Da inviare ora">
            {body}
            <SuccessNote id="reminders-sent-note" text=sent />
        </CardSection>
    }
}

#[component]
fn SentList(sent: Vec<SentReminder>) -> impl IntoView {
    let row = |r: SentReminder| {
        view! {
            <tr id=format!("reminder-{}", r.id)>
                <td>{r.family}</td>
                <td>{format!("{}: {}", r.kind_label, r.debt)}</td>
                <td class="text-end">{format::euro(r.amount)}</td>
                <td>{step_label(r.step)}</td>
                <td>{format::date_at_time(r.sent_at)}</td>
                <td>{r.notice_number}</td>
                <td>{if r.paid { "Sì" } else { "No" }}</td>
            </tr>
        }
    };
    let body = if sent.is_empty() {
        view! { <p id="reminders-sent-empty">"Nessun sollecito inviato finora."</p> }.into_any()
    } else {
        view! {
            <div class="table-responsive" tabindex="0" role="region" aria-label="Solleciti inviati">
                <table id="reminders-sent" class="table table-sm">
                    <thead>
                        <tr>
                            <th scope="col">"Famiglia"</th>
                            <th scope="col">"Debito"</th>
                            <th scope="col" class="text-end">"Importo"</th>
                            <th scope="col">"Sollecito"</th>
                            <th scope="col">"Inviato il"</th>
                            <th scope="col">"Avviso pagoPA"</th>
                            <th scope="col">"Pagato"</th>
                        </tr>
                    </thead>
                    <tbody>{sent.into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <CardSection id="reminders-sent-section" title="Solleciti inviati">
            {body}
        </CardSection>
    }
}
