//! `/{slug}/invii-non-riusciti`: the comune's operators see the messages that did not
//! reach the families — the ones that will be tried again and the ones given up — with
//! the channel's last error, and send a given-up message again.

use leptos::prelude::*;
use sportello_model::access::Action;
use sportello_model::communications::{OutboxMessage, OutboxStatus};
use sportello_model::{format, Page};

use crate::api;
use crate::app::{use_ente, use_page_title, RoleOnly};
use crate::components::{
    area_breadcrumb, paged_table, remote, ButtonFeedback, CardSection, FilterButtons, PagedTable,
    SuccessNote,
};
use crate::forms::Form;
use crate::session::use_session;

const PER_PAGE: u64 = 20;

#[component]
pub fn OutboxPage() -> impl IntoView {
    use_page_title("Invii non riusciti");
    view! {
        <RoleOnly
            allowed=Action::ManageOutbox
            title="Invii non riusciti"
            id="outbox-not-allowed"
            message="Gli invii non riusciti alle famiglie sono seguiti dagli operatori del Comune."
        >
            <Outbox />
        </RoleOnly>
    }
}

/// The filters: every message that did not go, or one state.
const FILTERS: [(Option<OutboxStatus>, &str, &str); 3] = [
    (None, "outbox-filter-all", "Tutti"),
    (
        Some(OutboxStatus::Dead),
        "outbox-filter-dead",
        "Non recapitati",
    ),
    (
        Some(OutboxStatus::Failed),
        "outbox-filter-failed",
        "In attesa di un nuovo tentativo",
    ),
];

#[component]
fn Outbox() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let status = RwSignal::new(None::<OutboxStatus>);
    let page = RwSignal::new(1);
    let changed = RwSignal::new(0_u32);
    let done = RwSignal::new(None::<String>);
    let messages = LocalResource::new(move || {
        changed.track();
        api::outbox(session, status.get(), page.get(), PER_PAGE)
    });
    let retried = Callback::new(move |recipient: String| {
        done.set(Some(format!(
            "Il messaggio a {recipient} sarà inviato di nuovo tra pochi istanti."
        )));
        changed.update(|n| *n += 1);
    });
    let row = move |message: OutboxMessage| {
        let dead = message.status == OutboxStatus::Dead;
        let next = message
            .next_attempt_at
            .map(|at| format!("Prossimo tentativo il {}", format::date_at_time(at)));
        view! {
            <tr id=format!("outbox-{}", message.id)>
                <td>{format::date_at_time(message.created_at)}</td>
                <td>{message.channel_label.clone()}</td>
                <td>{message.recipient.clone()}</td>
                <td>{message.subject.clone()}</td>
                <td>
                    {message.status_label.clone()}
                    {next.map(|next| view! { <br /><small>{next}</small> })}
                </td>
                <td class="text-end">{message.attempts}</td>
                <td><small>{message.last_error.clone().unwrap_or_else(|| "—".into())}</small></td>
                <td>
                    {dead.then(|| view! {
                        <RetryButton id=message.id recipient=message.recipient.clone() retried />
                    })}
                </td>
            </tr>
        }
    };
    let render = move |list: Page<OutboxMessage>| {
        let table = PagedTable {
            id: "outbox",
            label: "Invii non riusciti",
            class: "",
            empty: "Nessun invio non riuscito: tutti i messaggi sono stati consegnati.",
            focus_to: "outbox-section-title",
        };
        let head = view! {
            <th scope="col">"Creato il"</th>
            <th scope="col">"Canale"</th>
            <th scope="col">"Destinatario"</th>
            <th scope="col">"Oggetto"</th>
            <th scope="col">"Stato"</th>
            <th scope="col" class="text-end">"Tentativi"</th>
            <th scope="col">"Ultimo errore"</th>
            <th scope="col"><span class="visually-hidden">"Azioni"</span></th>
        };
        paged_table(list, table, page, head, row)
    };
    let filters = FILTERS
        .iter()
        .map(|(value, id, text)| (*value, (*id).to_owned(), *text))
        .collect::<Vec<_>>();
    view! {
        {area_breadcrumb(ente, vec![("Invii non riusciti".into(), None)])}
        <h1>"Invii non riusciti"</h1>
        <p class="lead">
            "I messaggi alle famiglie (e-mail, SMS, App IO) che non è stato possibile consegnare: quelli in attesa di un nuovo tentativo e quelli non recapitati dopo l'ultimo tentativo, con l'errore ricevuto."
        </p>
        <SuccessNote id="outbox-retried" text=done />
        <CardSection id="outbox-section" title="Messaggi" focusable=true>
            <FilterButtons label="Stato dei messaggi" choices=filters chosen=status page />
            {remote(messages, "outbox-error", "Caricamento dei messaggi…", render)}
        </CardSection>
    }
}

/// "Invia di nuovo" for a dead message; its refusal is said under the button.
#[component]
fn RetryButton(id: i64, recipient: String, retried: Callback<String>) -> impl IntoView {
    let session = use_session();
    let form = Form::buttons(
        move |()| async move { api::retry_outbox_message(session, id).await },
        move |message: OutboxMessage| retried.run(message.recipient),
    );
    let pending = form.pending();
    view! {
        <button
            type="button"
            class="btn btn-outline-primary btn-sm"
            id=format!("outbox-retry-{id}")
            aria-label=format!("Invia di nuovo il messaggio a {recipient}")
            aria-busy=move || pending.get().then_some("true")
            disabled=move || pending.get()
            on:click=move |_| form.send(())
        >
            "Invia di nuovo"
        </button>
        <ButtonFeedback id=format!("outbox-retry-{id}-error") problem=Signal::derive(move || form.problem()) />
    }
}
