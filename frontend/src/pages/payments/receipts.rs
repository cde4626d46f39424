//! Ricevute: the guardian's completed payments, each with its receipt as PDF.

use leptos::prelude::*;
use sportello_model::payments::ReceiptSummary;
use sportello_model::{format, rome, Page};

use super::{breadcrumb, GuardianOnly};
use crate::api;
use crate::app::{use_ente, RequireLogin};
use crate::components::{remote, set_title, DownloadButton, PageButtons};
use crate::session::use_session;

const PER_PAGE: u64 = 10;

/// `/{slug}/pagamenti/ricevute`.
#[component]
pub fn ReceiptsPage() -> impl IntoView {
    let ente = use_ente();
    Effect::new(move |_| set_title(&["Ricevute", &ente.name()]));
    view! {
        <RequireLogin>
            <GuardianOnly>
                <ReceiptList />
            </GuardianOnly>
        </RequireLogin>
    }
}

#[component]
fn ReceiptList() -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let page = RwSignal::new(1);
    let receipts = LocalResource::new(move || api::receipts(session, page.get(), PER_PAGE));
    let render = move |list: Page<ReceiptSummary>| {
        if list.items.is_empty() {
            return view! { <p id="receipts-empty">"Non ci sono ancora pagamenti completati."</p> }
                .into_any();
        }
        let pages = list.total_pages();
        view! {
            <ul id="receipts" class="list-unstyled payment-list">
                {list
                    .items
                    .into_iter()
                    .map(|receipt| view! { <ReceiptItem receipt /> })
                    .collect_view()}
            </ul>
            <PageButtons id="receipts-pager" page pages focus_to="receipts-title" />
        }
        .into_any()
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
    let session = use_session();
    let id = receipt.id;
    let paid = rome::local(receipt.paid_at);
    let amount = format::euro(receipt.amount);
    let pdf_url = receipt.pdf_url.clone();
    let file_name = format!("ricevuta-{}.pdf", receipt.notice_number);
    let download = move || {
        let pdf_url = pdf_url.clone();
        let file_name = file_name.clone();
        async move { api::download_pdf(session, &pdf_url, &file_name).await }
    };
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
                <DownloadButton
                    id=format!("receipt-{id}-download")
                    label=format!("Scarica ricevuta di {} ({amount})", receipt.description)
                    fetch=download
                />
            </div>
        </li>
    }
}
