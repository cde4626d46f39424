//! A prepaid service: the balance, Ricarica (online now, or a new notice to pay later at
//! a counter), the Avviso saldo basso, the Avvisi di pagamento (to pay, download or cancel) and the movements of
//! the stato contabile.

use leptos::prelude::*;
use sportello_model::entes::{RechargeRule, ServiceKind};
use sportello_model::money::{
    cents_to_decimal, decimal_to_cents, parse_cents, Sign, MAX_RECHARGE_CENTS,
};
use sportello_model::payments::{check_recharge_amount, Notice, NoticeStatus, RechargeRequest};
use sportello_model::{format, rome, FieldError};

use super::low_balance::LowBalanceCard;
use super::statement::{BalanceCard, MovementsSection, MOVEMENTS_PER_PAGE};
use super::{
    breadcrumb, open_checkout, reset_when_shown_again, PayButton, PaySelected, PaymentOutcome,
    SelectToPay, Selection, StatusBadge, Tone,
};
use crate::api;
use crate::app::use_ente;
use crate::components::{
    focus_element, paged_list, remote, ButtonFeedback, CardSection, PdfButton, TextField,
};
use crate::forms::{Form, FormAlert};
use crate::session::use_session;

const NOTICES_PER_PAGE: u64 = 5;

#[component]
pub fn PrepaidService(service_id: i64, name: String) -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let movements_page = RwSignal::new(1);
    let statement = LocalResource::new(move || {
        api::statement(
            session,
            service_id,
            movements_page.get(),
            MOVEMENTS_PER_PAGE,
        )
    });
    let notices_page = RwSignal::new(1);
    let selection = Selection::new();
    let notices = LocalResource::new(move || {
        api::notices(session, service_id, notices_page.get(), NOTICES_PER_PAGE)
    });
    // A new notice is the newest: show the first page, where it is.
    let notice_created = Callback::new(move |()| {
        if notices_page.get_untracked() == 1 {
            notices.refetch();
        } else {
            notices_page.set(1);
        }
    });

    view! {
        {breadcrumb(ente, vec![(name.clone(), None)])}
        <h1>{name.clone()}</h1>
        <PaymentOutcome
            kind=ServiceKind::Prepaid
            received=Callback::new(move |()| {
                statement.refetch();
                notices.refetch();
            })
        />
        <BalanceCard
            statement
            negative_note="Saldo negativo: ricarica il conto per coprire i pasti già consumati."
        />
        <RechargeForm service_id name notice_created />
        <LowBalanceCard service_id />
        <section id="notices-section" class="mb-5" aria-labelledby="notices-title">
            <h2 id="notices-title" class="h4" tabindex="-1">"Avvisi di pagamento"</h2>
            <p>
                "Pagali online oppure scaricali e presentali a uno sportello pagoPA: tabaccheria, ufficio postale, banca."
            </p>
            {remote(
                notices,
                "notices-error",
                "Caricamento degli avvisi…",
                move |list| {
                    let changed = Callback::new(move |()| notices.refetch());
                    let open = list.items.iter().any(|n| n.status == NoticeStatus::Open);
                    view! {
                        {paged_list(
                            list,
                            "notices",
                            "list-unstyled payment-list",
                            "Non ci sono avvisi di pagamento per questo servizio.",
                            notices_page,
                            move |notice| view! { <NoticeItem notice changed selection /> },
                        )}
                        {open.then(|| view! { <PaySelected selection /> })}
                    }
                },
            )}
        </section>
        <MovementsSection statement page=movements_page />
    }
}

/// The amount as the API wants it (`"54.00"`), or the Italian reason it is refused by the
/// comune's rule: the same check the server makes.
fn checked_amount(rule: Option<&RechargeRule>, typed: &str) -> Result<String, String> {
    let cents = match rule {
        Some(rule) => check_recharge_amount(rule, typed).map_err(|error| error.to_string())?,
        None => parse_cents(typed, Sign::Unsigned, MAX_RECHARGE_CENTS)
            .map_err(|error| error.to_string())?,
    };
    Ok(cents_to_decimal(cents).to_string())
}

/// "Da 5,40 € a 540,00 €, in multipli di 5,40 €."
fn rule_hint(rule: &RechargeRule) -> String {
    let range = format!("Da {} a {}", format::euro(rule.min), format::euro(rule.max));
    match rule.step {
        Some(step) if !step.is_zero() => format!("{range}, in multipli di {}.", format::euro(step)),
        _ => format!("{range}."),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RechargeAction {
    PayOnline,
    NewNotice,
}

/// Ricarica: an amount checked against the comune's rule while it is typed, then "Paga"
/// (pagoPA checkout now) or "Nuovo avviso di pagamento" (to pay later, even at a counter).
#[component]
fn RechargeForm(service_id: i64, name: String, notice_created: Callback<()>) -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let rule = Memo::new(move |_| ente.with(|detail| detail.settings.recharge.clone()));
    let amount = RwSignal::new(String::new());
    // Set by the button that sends the form (Enter in the field clicks "Paga").
    let chosen = RwSignal::new(RechargeAction::PayOnline);
    let created = RwSignal::new(None::<Notice>);
    let form = Form::new(
        &[("amount", "recharge-amount")],
        move |_| {
            let value = rule
                .with(|rule| checked_amount(rule.as_ref(), &amount.read()))
                .map_err(|message| vec![FieldError::new("amount", message)])?;
            Ok((chosen.get_untracked(), RechargeRequest { amount: value }))
        },
        move |(action, request): (RechargeAction, RechargeRequest)| async move {
            match action {
                RechargeAction::PayOnline => {
                    let started = api::recharge_online(session, service_id, &request).await?;
                    open_checkout(&started.checkout_url)?;
                    // The page is leaving for pagoPA: the buttons stay busy.
                    std::future::pending().await
                }
                RechargeAction::NewNotice => {
                    api::create_notice(session, service_id, &request).await
                }
            }
        },
        move |notice: Notice| {
            amount.set(String::new());
            created.set(Some(notice));
            notice_created.run(());
        },
    );
    reset_when_shown_again(move || form.stop());
    // An empty field is reported only once the user tries to go on.
    let amount_error = form.message(
        "amount",
        Signal::derive(move || amount.with(|typed| !typed.trim().is_empty())),
    );
    let hint = Signal::derive(move || {
        rule.with(|rule| rule.as_ref().map(rule_hint))
            .unwrap_or_default()
    });
    let pending = form.pending();
    let busy = move |action: RechargeAction| {
        form.in_flight()
            .with(|sent| matches!(sent, Some((sent, _)) if *sent == action))
    };

    view! {
        <CardSection id="recharge" title="Ricarica" class="mb-5">
            <p>
                {format!(
                    "Ricarica il conto elettronico del servizio {name}: paga subito online con pagoPA (carta, MyBank, PayPal, Satispay) oppure crea un nuovo avviso di pagamento da pagare più tardi, anche presso uno sportello pagoPA.",
                )}
            </p>
            <form id="recharge-form" novalidate on:submit=form.submit_clearing(created)>
                <TextField
                    id="recharge-amount"
                    label="Importo da ricaricare (€)"
                    value=amount
                    error=amount_error
                    hint=hint
                    inputmode="decimal"
                />
                <FormAlert form id="recharge-error" />
                <div class="recharge-actions">
                    <button
                        type="submit"
                        id="recharge-pay"
                        class="btn btn-primary"
                        disabled=move || pending.get()
                        on:click=move |_| chosen.set(RechargeAction::PayOnline)
                    >
                        {move || {
                            if busy(RechargeAction::PayOnline) {
                                "Apertura di pagoPA…"
                            } else {
                                "Paga"
                            }
                        }}
                    </button>
                    <button
                        type="submit"
                        id="new-notice"
                        class="btn btn-outline-primary"
                        disabled=move || pending.get()
                        on:click=move |_| chosen.set(RechargeAction::NewNotice)
                    >
                        {move || {
                            if busy(RechargeAction::NewNotice) {
                                "Creazione dell'avviso…"
                            } else {
                                "Nuovo avviso di pagamento"
                            }
                        }}
                    </button>
                </div>
                <div aria-live="polite">
                    {move || {
                        created
                            .get()
                            .map(|notice| {
                                view! {
                                    <div id="new-notice-result" class="alert alert-success mt-3 mb-0">
                                        <p class="fw-semibold mb-1">
                                            {format!(
                                                "Avviso di pagamento {} creato: {}.",
                                                format::notice_number(&notice.notice_number),
                                                format::euro(notice.amount),
                                            )}
                                        </p>
                                        <p class="mb-0">
                                            "Lo trovi qui sotto, tra gli avvisi di pagamento: scaricalo per pagarlo a uno sportello pagoPA, oppure pagalo online."
                                        </p>
                                    </div>
                                }
                            })
                    }}
                </div>
            </form>
        </CardSection>
    }
}

#[component]
fn NoticeItem(notice: Notice, changed: Callback<()>, selection: Selection) -> impl IntoView {
    let session = use_session();
    let id = notice.id;
    let number = format::notice_number(&notice.notice_number);
    let amount = format::euro(notice.amount);
    let open = notice.status == NoticeStatus::Open;
    let tone = match notice.status {
        NoticeStatus::Open => Tone::ToPay,
        NoticeStatus::Paid => Tone::Paid,
        NoticeStatus::Cancelled | NoticeStatus::Expired => Tone::Closed,
    };
    let label = match notice.status {
        NoticeStatus::Open => "DA PAGARE",
        NoticeStatus::Paid => "PAGATO",
        NoticeStatus::Cancelled => "ANNULLATO",
        NoticeStatus::Expired => "SCADUTO",
    };
    let mut dates = format!("Creato il {}", format::date(rome::today(notice.created_at)));
    if open {
        dates.push_str(&format!(" · {}", notice.deadline().text()));
    }
    let file_name = format!("avviso-{}.pdf", notice.notice_number);
    let select = open
        .then(|| decimal_to_cents(notice.amount))
        .flatten()
        .map(|cents| {
            view! {
                <SelectToPay
                    selection
                    notice_id=id
                    cents
                    label=format!("avviso {number} di {amount}")
                    id=format!("notice-{id}-select")
                />
            }
        });
    // Only an open notice is offered: to download, pay or cancel.
    let actions = open.then(|| {
        view! {
            <PdfButton
                id=format!("notice-{id}-download")
                label=format!("Scarica avviso {number} (PDF)")
                url=notice.pdf_url.clone()
                file_name
            />
            <PayButton
                id=format!("notice-{id}-pay")
                label=format!("Paga avviso {number} di {amount}")
                text="Paga avviso"
                start=move || api::pay_notice(session, id)
            />
            <CancelNotice id number=number.clone() changed />
        }
    });
    view! {
        <li
            id=format!("notice-{id}")
            class="payment-item"
            data-status=label.to_lowercase()
            data-notice-number=notice.notice_number.clone()
        >
            <div class="payment-item-main">
                <h3 class="h6 mb-1">"Avviso di pagamento"</h3>
                <p id=format!("notice-{id}-number") class="notice-number mb-1">
                    {number.clone()}
                </p>
                <p class="small mb-0">{notice.description}</p>
                <p class="small text-muted mb-0">{dates}</p>
            </div>
            <div class="payment-item-side">
                <StatusBadge id=format!("notice-{id}-status") label tone />
                <p id=format!("notice-{id}-amount") class="payment-amount">
                    {amount.clone()}
                </p>
            </div>
            <div class="payment-item-actions">{select} {actions}</div>
        </li>
    }
}

/// "Annulla avviso", with a confirmation: once cancelled, the notice can no longer be paid
/// online or at a counter.
#[component]
fn CancelNotice(id: i64, number: String, changed: Callback<()>) -> impl IntoView {
    let session = use_session();
    let asking = RwSignal::new(false);
    let form = Form::buttons(
        move |()| async move { api::cancel_notice(session, id).await },
        move |_| changed.run(()),
    );
    let pending = form.pending();
    let button_id = format!("notice-{id}-cancel");
    let confirm_id = format!("notice-{id}-cancel-confirm");
    let ask = {
        let confirm_id = confirm_id.clone();
        move |_| {
            form.clear();
            asking.set(true);
            focus_element(&confirm_id);
        }
    };
    let keep = {
        let button_id = button_id.clone();
        move |_| {
            asking.set(false);
            focus_element(&button_id);
        }
    };
    let question = format!(
        "Annullare l'avviso {number}? Non potrà più essere pagato, né online né presso uno sportello pagoPA."
    );
    let error_id = format!("notice-{id}-cancel-error");
    view! {
        <div class="action-with-feedback">
            // A refusal puts the question away and is said under "Annulla avviso".
            <Show
                when=move || asking.get() && form.problem().is_none()
                fallback={
                    let button_id = button_id.clone();
                    let number = number.clone();
                    move || {
                        view! {
                            <button
                                type="button"
                                id=button_id.clone()
                                class="btn btn-outline-danger btn-sm"
                                aria-label=format!("Annulla avviso {number}")
                                on:click=ask.clone()
                            >
                                "Annulla avviso"
                            </button>
                        }
                    }
                }
            >
                <div
                    id=confirm_id.clone()
                    class="alert alert-warning mb-0 notice-cancel-confirm"
                    role="alertdialog"
                    aria-label="Conferma annullamento"
                    tabindex="-1"
                >
                    <p class="mb-2">{question.clone()}</p>
                    <button
                        type="button"
                        id=format!("notice-{id}-cancel-yes")
                        class="btn btn-danger btn-sm me-2"
                        aria-busy=move || pending.get().then_some("true")
                        disabled=move || pending.get()
                        on:click=move |_| form.send(())
                    >
                        {move || if pending.get() { "Annullamento…" } else { "Sì, annulla l'avviso" }}
                    </button>
                    <button
                        type="button"
                        id=format!("notice-{id}-cancel-no")
                        class="btn btn-outline-primary btn-sm"
                        disabled=move || pending.get()
                        on:click=keep.clone()
                    >
                        "No, tienilo"
                    </button>
                </div>
            </Show>
            <ButtonFeedback id=error_id problem=Signal::derive(move || form.problem()) />
        </div>
    }
}
