//! Pagamenti: the guardian's prepaid accounts (stato contabile, ricariche, avvisi di
//! pagamento, avviso saldo basso), the emissions (rette) and the receipts. Only the guardian sees this area.

mod emissions;
mod low_balance;
mod prepaid;
mod receipts;
mod statement;

use std::future::Future;

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_params_map, use_query_map};
use leptos_router::NavigateOptions;
use sportello_model::access::Action;
use sportello_model::entes::{Service, ServiceKind};
use sportello_model::payments::{
    check_cart_selection, Cart, CheckoutStarted, NewCart, NoticeStatus, PaymentService,
    MAX_CART_NOTICES,
};
use sportello_model::{format, spa, Problem};

use crate::api::{self, ApiResult};
use crate::app::{use_ente, use_page_title, Ente, RoleOnly};
use crate::components::{
    area_breadcrumb, focus_element, remote, set_title, ButtonFeedback, ErrorAlert, Icon,
};
use crate::forms::{Form, FormAlert};
use crate::pages::year_end::FamilyCredits;
use crate::session::use_session;

pub use emissions::EmissionPage;
pub use receipts::ReceiptsPage;
pub use statement::{BalanceCard, MovementsSection, MOVEMENTS_PER_PAGE};

/// Home / Area personale / Pagamenti / …: every page of the area starts from the same path.
fn breadcrumb(ente: Ente, rest: Vec<(String, Option<String>)>) -> impl IntoView {
    let mut steps = vec![(
        "Pagamenti".to_string(),
        Some(spa::payments(&ente.slug.get())),
    )];
    steps.extend(rest);
    area_breadcrumb(ente, steps)
}

/// How a status badge reads at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
    ToPay,
    Paid,
    Closed,
}

/// A status written out in a coloured badge: the text carries the meaning, the colour
/// and the icon repeat it.
#[component]
fn StatusBadge(#[prop(into)] id: String, label: &'static str, tone: Tone) -> impl IntoView {
    let (class, icon) = match tone {
        Tone::ToPay => ("badge status-badge status-to-pay", "clock"),
        Tone::Paid => ("badge status-badge status-paid", "check-circle"),
        Tone::Closed => ("badge status-badge status-closed", "close-circle"),
    };
    view! {
        <span id=id class=class>
            <Icon name=icon class="icon-xs icon-white me-1" />
            {label}
        </span>
    }
}

/// Sends the whole page to pagoPA Checkout.
fn open_checkout(checkout_url: &str) -> Result<(), Problem> {
    window()
        .location()
        .assign(checkout_url)
        .map_err(|_| Problem {
            kind: "about:blank".into(),
            title: "Pagamento non avviato".into(),
            status: 0,
            detail: "Il browser non ha aperto la pagina di pagamento pagoPA. Riprova.".into(),
            errors: Vec::new(),
        })
}

/// The browser's Back button may show a page as it was left for pagoPA, with its button
/// still waiting: `reset` makes it usable again.
fn reset_when_shown_again(reset: impl Fn() + 'static) {
    let listener = window_event_listener(leptos::ev::pageshow, move |_| reset());
    on_cleanup(move || listener.remove());
}

/// "Paga": asks the API for a pagoPA Checkout cart of one notice and sends the whole page
/// there; pagoPA brings the user back with the outcome, to the service page after a
/// recharge or to the emission's page after paying a retta.
#[component]
pub fn PayButton<F, Fut>(
    #[prop(into)] id: String,
    /// For screen readers: "Paga avviso 3010 0000 … di 54,00 €".
    #[prop(into)]
    label: String,
    text: &'static str,
    start: F,
) -> impl IntoView
where
    F: Fn() -> Fut + 'static,
    Fut: Future<Output = ApiResult<CheckoutStarted>> + 'static,
{
    let form = Form::buttons(
        move |()| {
            let checkout = start();
            async move {
                open_checkout(&checkout.await?.checkout_url)?;
                // The page is leaving for pagoPA: the button stays busy.
                std::future::pending::<ApiResult<()>>().await
            }
        },
        |()| {},
    );
    reset_when_shown_again(move || form.stop());
    let pending = form.pending();
    let error_id = format!("{id}-error");
    view! {
        <div class="action-with-feedback">
            <button
                type="button"
                id=id
                class="btn btn-primary btn-sm"
                aria-label=label
                aria-busy=move || pending.get().then_some("true")
                disabled=move || pending.get()
                on:click=move |_| form.send(())
            >
                {move || if pending.get() { "Apertura di pagoPA…" } else { text }}
            </button>
            <ButtonFeedback id=error_id problem=Signal::derive(move || form.problem()) />
        </div>
    }
}

/// The open notices the parent picked on a page, to pay them in one pagoPA cart: each
/// notice's id and amount in cents, in the order picked.
#[derive(Debug, Clone, Copy)]
struct Selection(RwSignal<Vec<(i64, i64)>>);

impl Selection {
    fn new() -> Selection {
        Selection(RwSignal::new(Vec::new()))
    }

    fn has(self, notice_id: i64) -> bool {
        self.0
            .with(|picked| picked.iter().any(|(id, _)| *id == notice_id))
    }

    fn full(self) -> bool {
        self.0.with(|picked| picked.len() >= MAX_CART_NOTICES)
    }

    fn toggle(self, notice_id: i64, cents: i64) {
        self.0.update(
            |picked| match picked.iter().position(|(id, _)| *id == notice_id) {
                Some(at) => {
                    picked.remove(at);
                }
                None => picked.push((notice_id, cents)),
            },
        );
    }
}

/// The checkbox that puts an open notice in the selection; once five are picked, the
/// others wait.
#[component]
fn SelectToPay(
    selection: Selection,
    notice_id: i64,
    /// The notice's amount in cents.
    cents: i64,
    /// What is picked, for screen readers: "Retta Dicembre 2026 di 47,60 €".
    #[prop(into)]
    label: String,
    #[prop(into)] id: String,
) -> impl IntoView {
    view! {
        <div class="form-check payment-select">
            <input
                type="checkbox"
                class="form-check-input"
                id=id.clone()
                prop:checked=move || selection.has(notice_id)
                disabled=move || selection.full() && !selection.has(notice_id)
                on:change=move |_| selection.toggle(notice_id, cents)
            />
            <label class="form-check-label" for=id>
                "Seleziona"
                <span class="visually-hidden">{format!(" {label}")}</span>
            </label>
        </div>
    }
}

/// "Paga selezionati": the picked notices, their total, and one pagoPA Checkout cart for
/// them all.
#[component]
fn PaySelected(selection: Selection) -> impl IntoView {
    let session = use_session();
    let form = Form::new(
        &[("notice_ids", "pay-selected")],
        move |request_id| {
            let notice_ids: Vec<i64> = selection
                .0
                .with(|picked| picked.iter().map(|(id, _)| *id).collect());
            check_cart_selection(&notice_ids).map_err(|error| vec![error])?;
            Ok(NewCart {
                notice_ids,
                request_id: request_id.to_string(),
            })
        },
        move |request: NewCart| async move {
            let cart = api::pay_cart(session, &request).await?;
            open_checkout(&cart.checkout_url)?;
            // The page is leaving for pagoPA: the button stays busy.
            std::future::pending::<ApiResult<()>>().await
        },
        |()| {},
    );
    reset_when_shown_again(move || form.stop());
    let pending = form.pending();
    let error = form.message_on_submit("notice_ids");
    let summary = move || {
        selection.0.with(|picked| {
            let total: i64 = picked.iter().map(|(_, cents)| *cents).sum();
            match picked.len() {
                0 => format!(
                    "Seleziona fino a {MAX_CART_NOTICES} avvisi da pagare insieme con pagoPA."
                ),
                1 => format!(
                    "1 avviso selezionato: totale {}.",
                    format::euro_cents(total)
                ),
                n => format!(
                    "{n} avvisi selezionati: totale {}.",
                    format::euro_cents(total)
                ),
            }
        })
    };
    view! {
        <form id="pay-selected-form" class="pay-selected" novalidate on:submit=form.submit()>
            <p id="selected-summary" class="mb-2" aria-live="polite">{summary}</p>
            <FormAlert form id="pay-selected-alert" />
            <button
                type="submit"
                id="pay-selected"
                class="btn btn-primary"
                aria-describedby="selected-summary pay-selected-error"
                aria-busy=move || pending.get().then_some("true")
                disabled=move || pending.get()
            >
                {move || if pending.get() { "Apertura di pagoPA…" } else { "Paga selezionati" }}
            </button>
            <p id="pay-selected-error" class="invalid-feedback d-block" role="alert">
                {move || error.get()}
            </p>
        </form>
    }
}

/// What pagoPA said when it brought the user back (`?esito=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Checkout took the payment: the receipts are on their way.
    Paid,
    Cancelled,
    /// Checkout could not take the payment: nothing was charged.
    Failed,
}

impl Outcome {
    fn parse(value: &str) -> Option<Outcome> {
        match value {
            "ok" => Some(Outcome::Paid),
            "annullato" => Some(Outcome::Cancelled),
            "errore" => Some(Outcome::Failed),
            _ => None,
        }
    }
}

/// How often the return page asks whether the receipts arrived.
const RECEIPT_POLL: std::time::Duration = std::time::Duration::from_secs(2);

/// The outcome of a payment just made, when pagoPA brought the user back here; it takes
/// the focus so that screen readers read it first. After a payment it says "in
/// verifica" until the receipts of the cart have arrived, then "ricevuto" and runs
/// `received` (the page reloads what the payment changed).
#[component]
fn PaymentOutcome(
    #[prop(optional)] kind: Option<ServiceKind>,
    #[prop(optional)] received: Option<Callback<()>>,
) -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let query = use_query_map();
    let location = use_location();
    let navigate = use_navigate();
    let outcome = Memo::new(move |_| {
        query
            .read()
            .get("esito")
            .and_then(|value| Outcome::parse(&value))
    });
    let cart_id = Memo::new(move |_| {
        query
            .read()
            .get("carrello")
            .and_then(|id| id.parse::<i64>().ok())
    });
    let cart = LocalResource::new(move || {
        let id = cart_id.get();
        async move {
            let id = id?;
            let cart = api::cart(session, id).await.ok()?;
            if cart.paid() {
                return Some(cart);
            }
            // Where the comune has no station of its own, pagoPA is asked for the receipts;
            // one it cannot answer now leaves the payment "in verifica" for the next round.
            for notice in cart
                .notices
                .iter()
                .filter(|n| n.status == NoticeStatus::Open)
            {
                if api::verify_notice(session, notice.id).await.is_err() {
                    break;
                }
            }
            api::cart(session, id).await.ok()
        }
    });
    let paid = Memo::new(move |_| cart.get().flatten().is_some_and(|cart: Cart| cart.paid()));
    // Until the receipts are in, ask again now and then.
    if let Ok(poll) = set_interval_with_handle(
        move || {
            if outcome.get_untracked() == Some(Outcome::Paid) && !paid.get_untracked() {
                cart.refetch();
            }
        },
        RECEIPT_POLL,
    ) {
        on_cleanup(move || poll.clear());
    }
    Effect::new(move |was_paid: Option<bool>| {
        let now_paid = paid.get();
        if now_paid && was_paid == Some(false) {
            if let Some(received) = received {
                received.run(());
            }
        }
        now_paid
    });
    Effect::new(move |_| {
        if outcome.get().is_some() {
            focus_element("payment-outcome");
        }
    });
    let close = move |_| {
        navigate(
            &location.pathname.get_untracked(),
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    };
    move || {
        outcome.get().map(|outcome| {
            let (class, headline, detail) = match (outcome, paid.get()) {
                (Outcome::Paid, true) => (
                    "alert-success",
                    "Pagamento ricevuto.",
                    match kind {
                        Some(ServiceKind::Prepaid) => "La ricevuta è arrivata e il credito è stato aggiornato: il nuovo saldo è riportato qui sotto. La ricevuta è in Ricevute.",
                        Some(ServiceKind::Emissions) => "La ricevuta è arrivata: quanto pagato risulta saldato. La ricevuta è in Ricevute.",
                        None => "Le ricevute sono arrivate: gli avvisi risultano pagati. Le ricevute sono in Ricevute.",
                    },
                ),
                (Outcome::Paid, false) => (
                    "alert-info",
                    "Pagamento in verifica.",
                    "pagoPA ha preso in carico il pagamento e la ricevuta non è ancora arrivata: questa pagina si aggiorna da sola. Non pagare di nuovo.",
                ),
                (Outcome::Cancelled, _) => (
                    "alert-info",
                    "Pagamento annullato.",
                    match kind {
                        Some(ServiceKind::Prepaid) => "Non è stato addebitato nulla. Puoi ricaricare quando vuoi; gli avvisi di pagamento che hai creato restano validi.",
                        _ => "Non è stato addebitato nulla. Quanto era da pagare resta da pagare: puoi pagarlo più tardi, online o presso uno sportello pagoPA.",
                    },
                ),
                (Outcome::Failed, _) => (
                    "alert-danger",
                    "Pagamento non riuscito.",
                    "pagoPA non ha completato il pagamento e non è stato addebitato nulla. Riprova, anche con un altro metodo di pagamento.",
                ),
            };
            let role = if outcome == Outcome::Failed {
                "alert"
            } else {
                "status"
            };
            let receipts = (outcome == Outcome::Paid && paid.get()).then(|| {
                view! {
                    <p class="mb-2">
                        <a id="payment-outcome-receipts" href=spa::receipts(&ente.slug.get())>
                            "Vai alle ricevute"
                        </a>
                    </p>
                }
            });
            view! {
                <div
                    id="payment-outcome"
                    class=format!("alert {class} payment-outcome")
                    role=role
                    tabindex="-1"
                >
                    <p class="fw-semibold mb-1">{headline}</p>
                    <p class="mb-2">{detail}</p>
                    {receipts}
                    <button
                        type="button"
                        id="payment-outcome-close"
                        class="btn btn-outline-primary btn-sm"
                        on:click=close.clone()
                    >
                        "Chiudi il messaggio"
                    </button>
                </div>
            }
        })
    }
}

/// Renders `children` for a guardian; any other user is told whose pages these are.
#[component]
fn GuardianOnly(children: ChildrenFn) -> impl IntoView {
    view! {
        <RoleOnly
            allowed=Action::ReadPayments
            title="Pagamenti"
            id="payments-not-allowed"
            message="I pagamenti sono riservati al genitore intestatario del conto, l'unico che può ricaricare, pagare e scaricare le ricevute."
        >
            {children()}
        </RoleOnly>
    }
}

/// `/{slug}/pagamenti`: the services with their balance or what is still to pay.
#[component]
pub fn PaymentsPage() -> impl IntoView {
    use_page_title("Pagamenti");
    view! {
        <GuardianOnly>
            <PaymentServices />
        </GuardianOnly>
    }
}

#[component]
fn PaymentServices() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let services = LocalResource::new(move || api::payment_services(session));
    let render = move |services: Vec<PaymentService>| {
        let cards = services
            .into_iter()
            .map(|service| {
                let (icon, summary) = service_summary(&service);
                view! {
                    <li class="col-12 col-md-6">
                        <a
                            id=format!("service-{}", service.service_id)
                            class="card-link-block shadow-sm"
                            href=spa::prepaid_service(&ente.slug.get(), service.service_id)
                        >
                            <Icon name=icon class="icon-primary icon-lg" />
                            <span>
                                <span class="d-block h5 mb-1">{service.service_name}</span>
                                <span class="d-block text-body small">{service.kind.label()}</span>
                                <span class="d-block text-body fw-semibold service-summary">
                                    {summary}
                                </span>
                            </span>
                            <Icon name="chevron-right" class="icon-primary ms-auto" />
                        </a>
                    </li>
                }
            })
            .collect_view();
        view! {
            <ul id="payment-services" class="list-unstyled row g-3 mt-1">
                {cards}
                <li class="col-12 col-md-6">
                    <a id="menu-ricevute" class="card-link-block shadow-sm" href=spa::receipts(&ente.slug.get())>
                        <Icon name="file-pdf" class="icon-primary icon-lg" />
                        <span>
                            <span class="d-block h5 mb-1">"Ricevute"</span>
                            <span class="d-block text-body">"Le ricevute dei pagamenti completati, da scaricare in PDF."</span>
                        </span>
                        <Icon name="chevron-right" class="icon-primary ms-auto" />
                    </a>
                </li>
            </ul>
        }
    };
    view! {
        {breadcrumb(ente, Vec::new())}
        <h1>"Pagamenti"</h1>
        <PaymentOutcome received=Callback::new(move |()| services.refetch()) />
        <p class="lead">
            "Lo stato contabile dei servizi, le ricariche del conto elettronico e le emissioni da pagare tramite pagoPA."
        </p>
        {remote(services, "payment-services-error", "Caricamento dei servizi…", render)}
        <FamilyCredits />
    }
}

/// Icon and one line for a service card: its balance, or what is still to pay.
fn service_summary(service: &PaymentService) -> (&'static str, String) {
    match service.kind {
        ServiceKind::Prepaid => (
            "card",
            format!(
                "Saldo: {}",
                format::euro(service.balance.unwrap_or_default())
            ),
        ),
        ServiceKind::Emissions => {
            let summary = match service.open_emissions.unwrap_or(0) {
                0 => "Nessuna emissione da pagare".to_string(),
                1 => format!(
                    "1 emissione da pagare: {}",
                    format::euro(service.amount_due.unwrap_or_default())
                ),
                open => format!(
                    "{open} emissioni da pagare: {}",
                    format::euro(service.amount_due.unwrap_or_default())
                ),
            };
            ("files", summary)
        }
    }
}

/// `/{slug}/pagamenti/{service_id}`: a prepaid service (stato contabile, ricarica, avvisi)
/// or the emissions. pagoPA brings the user back here after a recharge.
#[component]
pub fn ServicePage() -> impl IntoView {
    view! {
        <GuardianOnly>
            <ServiceView />
        </GuardianOnly>
    }
}

#[component]
fn ServiceView() -> impl IntoView {
    let ente = use_ente();
    let params = use_params_map();
    let service = Memo::new(move |_| {
        let id = params
            .read()
            .get("service_id")
            .and_then(|id| id.parse::<i64>().ok())?;
        ente.with(|detail| detail.services.iter().find(|s| s.id == id).cloned())
            .flatten()
    });
    Effect::new(move |_| {
        let title = service.with(|service| match service {
            Some(service) if service.kind == ServiceKind::Emissions => "Emissioni".to_string(),
            Some(service) => service.name.clone(),
            None => "Pagamenti".to_string(),
        });
        set_title(&[&title, &ente.name()]);
    });
    move || match service.get() {
        Some(Service {
            id,
            name,
            kind: ServiceKind::Prepaid,
            ..
        }) => view! { <prepaid::PrepaidService service_id=id name /> }.into_any(),
        Some(Service {
            kind: ServiceKind::Emissions,
            ..
        }) => view! { <emissions::EmissionList /> }.into_any(),
        None => view! {
            {breadcrumb(ente, vec![("Servizio".into(), None)])}
            <h1>"Servizio non trovato"</h1>
            <ErrorAlert id="service-error" problem=api::not_found() />
            <a class="btn btn-outline-primary" href=spa::payments(&ente.slug.get())>
                "Torna ai pagamenti"
            </a>
        }
        .into_any(),
    }
}
