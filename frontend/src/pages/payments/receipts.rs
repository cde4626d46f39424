//! Ricevute: the guardian's completed payments, each with its receipt as PDF.

use leptos::prelude::*;
use sportello_model::payments::ReceiptSummary;
use sportello_model::{format, rome, Page};

use super::{breadcrumb, GuardianOnly};
use crate::api;
use crate::app::{use_ente, use_page_title};
use crate::components::{paged_list, remote, PdfButton};
use crate::session::use_session;

const PER_PAGE: u64 = 10;

/// `/{slug}/pagamenti/ricevute`.
#[component]
pub fn ReceiptsPage() -> impl IntoView {
    use_page_title("Ricevute");
    view! {
        <GuardianOnly>
            <ReceiptList />
        </GuardianOnly>
    }
}

#[component]
fn ReceiptList() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let page = RwSignal::new(1);
    let receipts = LocalResource::new(move || api::receipts(session, page.get(), PER_PAGE));
    let render = move |list: Page<ReceiptSummary>| {
        paged_list(
            list,
            "receipts",
            "list-unstyled payment-list",
            "Non ci sono ancora pagamenti completati.",
            page,
            |receipt| view! { <ReceiptItem receipt /> },
        )
    };
    view! {
        {breadcrumb(ente, vec![("Ricevute".into(), None)])}
        <h1 id="receipts-title" tabindex="-1">"Ricevute"</h1>
        <p class="lead">"Le ricevute dei pagamenti completati con pagoPA, online o presso uno sportello."</p>
        {remote(receipts, "receipts-error", "Caricamento delle ricevute…", render)}
    }
}

#[component]
fn ReceiptItem(receipt: ReceiptSummary) -> impl IntoView {
    let id = receipt.id;
    let paid = rome::local(receipt.paid_at);
    let amount = format::euro(receipt.amount);
    view! {
        <li id=format!("receipt-{id}") class="payment-item">
            <div class="payment-item-main">
                <h2 class="h6 mb-1">{receipt.description.clone()}</h2>
                <p class="mb-0">
                    {format!(
                        "Pagato il {} alle {} · {}",
                        format::date(paid.date()),
                        format::hour_minute(paid.time()),
                        receipt.method,
                    )}
                </p>
                <p class="small mb-0">
                    "Avviso n° "
                    <span class="notice-number">{format::notice_number(&receipt.notice_number)}</span>
                </p>
                <p class="small text-muted mb-0">{format!("Ricevuta n° {}", receipt.receipt_id)}</p>
            </div>
            <div class="payment-item-side">
                <p id=format!("receipt-{id}-amount") class="payment-amount">
                    {amount.clone()}
                </p>
            </div>
            <div class="payment-item-actions">
                <PdfButton
                    id=format!("receipt-{id}-download")
                    label=format!("Scarica ricevuta di {} ({amount})", receipt.description)
                    file_name=format!("ricevuta-{}.pdf", receipt.notice_number)
                    url=receipt.pdf_url
                />
            </div>
        </li>
    }
}
