//! Pagamenti: the guardian's prepaid accounts (stato contabile, ricariche, avvisi di
//! pagamento), the emissions (rette) and the receipts. Only the guardian sees this area.

mod emissions;
mod prepaid;
mod receipts;
mod statement;

use std::future::Future;

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate, use_params_map, use_query_map};
use leptos_router::NavigateOptions;
use sportello_model::access::Action;
use sportello_model::entes::{Service, ServiceKind};
use sportello_model::payments::{CheckoutStarted, PaymentService};
use sportello_model::{format, spa, Problem};

use crate::api::{self, ApiResult};
use crate::app::{use_ente, use_page_title, Ente, RoleOnly};
use crate::components::{
    area_breadcrumb, focus_element, remote, set_title, ButtonFeedback, ErrorAlert, Icon,
};
use crate::forms::Form;
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

/// Sends the whole page to the pagoPA checkout.
fn open_checkout(started: &CheckoutStarted) -> Result<(), Problem> {
    window()
        .location()
        .assign(&started.checkout_url)
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

/// "Paga": asks the API for a pagoPA checkout and sends the whole page there; pagoPA
/// brings the user back with the outcome, to the service page after a recharge or to the
/// emission's page after paying a retta.
#[component]
fn PayButton<F, Fut>(
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
                open_checkout(&checkout.await?)?;
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

/// What pagoPA said when it brought the user back (`?esito=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Paid,
    Cancelled,
    Expired,
    Refused,
    /// The notice had been paid before: nothing was charged now.
    AlreadyPaid,
    /// The notice had been cancelled: nothing was charged.
    NoticeCancelled,
    /// The notice had expired: nothing was charged.
    NoticeExpired,
}

impl Outcome {
    fn parse(value: &str) -> Option<Outcome> {
        match value {
            "ok" => Some(Outcome::Paid),
            "annullato" => Some(Outcome::Cancelled),
            "scaduto" => Some(Outcome::Expired),
            "rifiutato" => Some(Outcome::Refused),
            "gia_pagato" => Some(Outcome::AlreadyPaid),
            "avviso_annullato" => Some(Outcome::NoticeCancelled),
            "avviso_scaduto" => Some(Outcome::NoticeExpired),
            _ => None,
        }
    }

    /// Alert class, headline and explanation.
    fn message(self, kind: ServiceKind) -> (&'static str, &'static str, &'static str) {
        match (self, kind) {
            (Outcome::Paid, ServiceKind::Prepaid) => (
                "alert-success",
                "Pagamento completato: il credito è stato aggiornato.",
                "Il nuovo saldo è riportato qui sotto; la ricevuta è in Ricevute.",
            ),
            (Outcome::Paid, ServiceKind::Emissions) => (
                "alert-success",
                "Pagamento completato: l'emissione risulta pagata.",
                "La ricevuta si scarica qui sotto, con «Scarica ricevuta», oppure da Ricevute.",
            ),
            (Outcome::Cancelled, ServiceKind::Prepaid) => (
                "alert-info",
                "Pagamento annullato.",
                "Non è stato addebitato nulla. Puoi ricaricare quando vuoi; gli avvisi di pagamento che hai creato restano validi.",
            ),
            (Outcome::Cancelled, ServiceKind::Emissions) => (
                "alert-info",
                "Pagamento annullato.",
                "Non è stato addebitato nulla. L'emissione resta da pagare: puoi pagarla più tardi, online o presso uno sportello pagoPA.",
            ),
            (Outcome::Expired, _) => (
                "alert-warning",
                "Sessione di pagamento scaduta.",
                "La pagina di pagamento non era più valida e non è stato addebitato nulla. Puoi riprovare.",
            ),
            (Outcome::Refused, _) => (
                "alert-danger",
                "Pagamento non riuscito.",
                "Il pagamento è stato rifiutato e non è stato addebitato nulla. Riprova, anche con un altro metodo di pagamento.",
            ),
            (Outcome::AlreadyPaid, _) => (
                "alert-success",
                "Questo avviso risulta già pagato.",
                "Il pagamento era già stato completato: non è stato addebitato nulla di nuovo. La ricevuta è in Ricevute.",
            ),
            (Outcome::NoticeCancelled, _) => (
                "alert-info",
                "Questo avviso è stato annullato.",
                "Non può più essere pagato e non è stato addebitato nulla.",
            ),
            (Outcome::NoticeExpired, _) => (
                "alert-warning",
                "Questo avviso è scaduto.",
                "Non può più essere pagato e non è stato addebitato nulla.",
            ),
        }
    }

    /// Whether the outcome points to a receipt.
    fn has_receipt(self) -> bool {
        matches!(self, Outcome::Paid | Outcome::AlreadyPaid)
    }
}

/// The outcome of a payment just made, when pagoPA brought the user back here; it takes
/// the focus so that screen readers read it first.
#[component]
fn PaymentOutcome(kind: ServiceKind) -> impl IntoView {
    let ente = use_ente();
    let query = use_query_map();
    let location = use_location();
    let navigate = use_navigate();
    let outcome = Memo::new(move |_| {
        query
            .read()
            .get("esito")
            .and_then(|value| Outcome::parse(&value))
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
            let (class, headline, detail) = outcome.message(kind);
            let role = if outcome == Outcome::Refused {
                "alert"
            } else {
                "status"
            };
            view! {
                <div
                    id="payment-outcome"
                    class=format!("alert {class} payment-outcome")
                    role=role
                    tabindex="-1"
                >
                    <p class="fw-semibold mb-1">{headline}</p>
                    <p class="mb-2">{detail}</p>
                    {outcome
                        .has_receipt()
                        .then(|| {
                            view! {
                                <p class="mb-2">
                                    <a id="payment-outcome-receipts" href=spa::receipts(&ente.slug.get())>
                                        "Vai alle ricevute"
                                    </a>
                                </p>
                            }
                        })}
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
        <p class="lead">
            "Lo stato contabile dei servizi, le ricariche del conto elettronico e le emissioni da pagare tramite pagoPA."
        </p>
        {remote(services, "payment-services-error", "Caricamento dei servizi…", render)}
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
