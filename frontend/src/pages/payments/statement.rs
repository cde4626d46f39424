//! The stato contabile of a prepaid account as families and operators read it: the
//! balance with its time, and the movements, newest first, page by page.

use leptos::prelude::*;
use sportello_model::payments::{Movement, Statement};
use sportello_model::{format, rome};

use crate::api::ApiResult;
use crate::components::{paged_list, remote, CardSection, Icon, Loading};

/// Movements on one page of a statement.
pub const MOVEMENTS_PER_PAGE: u64 = 10;

/// "Stato contabile": the balance and when it was computed. `negative_note` is what a
/// negative balance asks of the reader.
#[component]
pub fn BalanceCard(
    statement: LocalResource<ApiResult<Statement>>,
    negative_note: &'static str,
) -> impl IntoView {
    view! {
        <CardSection id="account" title="Stato contabile" heading="h5 mb-1">
            <p class="small mb-1">"Saldo del conto elettronico"</p>
            {remote(
                statement,
                "statement-error",
                "Caricamento del saldo…",
                move |statement| render_balance(statement, negative_note),
            )}
        </CardSection>
    }
}

fn render_balance(statement: Statement, negative_note: &'static str) -> impl IntoView {
    let account = statement.account;
    let negative = account.balance.is_sign_negative() && !account.balance.is_zero();
    let updated = rome::local(account.balance_at);
    view! {
        <p
            id="balance"
            class=if negative { "balance-amount negative" } else { "balance-amount" }
        >
            {format::euro(account.balance)}
        </p>
        <p id="balance-at" class="mb-0">
            {format!(
                "Saldo aggiornato al {} alle {}",
                format::date(updated.date()),
                format::hour_minute(updated.time()),
            )}
        </p>
        {negative
            .then(|| {
                view! {
                    <p id="balance-negative" class="mt-2 mb-0 fw-semibold">
                        <Icon name="warning-circle" class="icon-sm icon-danger me-1" />
                        {negative_note}
                    </p>
                }
            })}
    }
}

/// "Movimenti": the page `page` of the statement; its failure is told by the balance card.
#[component]
pub fn MovementsSection(
    statement: LocalResource<ApiResult<Statement>>,
    page: RwSignal<u64>,
) -> impl IntoView {
    view! {
        <section id="movements-section" aria-labelledby="movements-title">
            <h2 id="movements-title" class="h4" tabindex="-1">"Movimenti"</h2>
            {move || match statement.get() {
                None => view! { <Loading label="Caricamento dei movimenti…" /> }.into_any(),
                Some(Ok(statement)) => paged_list(
                    statement.movements,
                    "movements",
                    "list-unstyled movement-list",
                    "Non ci sono ancora movimenti sul conto.",
                    page,
                    |movement| view! { <MovementItem movement /> },
                ),
                Some(Err(_)) => {
                    view! { <p>"I movimenti non sono disponibili: il motivo è indicato sopra."</p> }
                        .into_any()
                }
            }}
        </section>
    }
}

/// Date, what it was, the child and the signed amount: `+54,00 €` credit, `-5,00 €` debit.
#[component]
fn MovementItem(movement: Movement) -> impl IntoView {
    let day = movement
        .day
        .unwrap_or_else(|| rome::today(movement.created_at));
    let credit = movement.amount.is_sign_positive() && !movement.amount.is_zero();
    let amount = if credit {
        format!("+{}", format::euro(movement.amount))
    } else {
        format::euro(movement.amount)
    };
    view! {
        <li id=format!("movement-{}", movement.id) class="movement-item" data-kind=movement.kind.as_str()>
            <div class="movement-main">
                <p class="small text-muted mb-0">
                    <time datetime=day.to_string()>{format::date(day)}</time>
                    {format!(" · {}", movement.kind.label())}
                </p>
                <p class="mb-0">{movement.description}</p>
                {movement.child_name.map(|child| view! { <p class="small mb-0">{child}</p> })}
            </div>
            <p class=if credit { "movement-amount credit" } else { "movement-amount debit" }>
                <span class="visually-hidden">{if credit { "Accredito: " } else { "Addebito: " }}</span>
                {amount}
            </p>
        </li>
    }
}
