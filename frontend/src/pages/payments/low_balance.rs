//! Avviso saldo basso on a prepaid service's page: the threshold (checked as it is typed
//! by the model's rule the server enforces), what the balance still covers (the model's
//! count over the meal days ahead) and the recharge notice the last alert carried.

use leptos::prelude::*;
use sportello_model::format;
use sportello_model::low_balance::{check_threshold, LowBalanceAlert, LowBalanceSettings};
use sportello_model::money::cents_to_decimal;

use crate::api;
use crate::components::{remote, CardSection, PdfButton, TextField};
use crate::forms::{Form, FormAlert};
use crate::session::use_session;

#[component]
pub fn LowBalanceCard(service_id: i64) -> impl IntoView {
    let session = use_session();
    let loaded = LocalResource::new(move || api::low_balance_alert(session, service_id));
    let current = RwSignal::new(None::<LowBalanceAlert>);
    let threshold = RwSignal::new(String::new());
    let saved = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(alert)) = loaded.get() {
            threshold.set(
                alert
                    .threshold
                    .map(format::amount_as_typed)
                    .unwrap_or_default(),
            );
            current.set(Some(alert));
        }
    });
    let form = Form::new(
        &[("threshold", "low-balance-threshold")],
        move |_| {
            let cents = threshold
                .with(|typed| check_threshold(typed))
                .map_err(|e| vec![e])?;
            Ok(LowBalanceSettings {
                threshold: cents_to_decimal(cents).to_string(),
            })
        },
        move |settings: LowBalanceSettings| async move {
            api::set_low_balance_alert(session, service_id, &settings).await
        },
        move |alert: LowBalanceAlert| {
            saved.set(Some(match alert.threshold {
                Some(t) => format!("Soglia salvata: {}.", format::euro(t)),
                None => "Avviso saldo basso disattivato.".to_string(),
            }));
            current.set(Some(alert));
        },
    );
    let threshold_error = form.message(
        "threshold",
        Signal::derive(move || threshold.with(|typed| !typed.trim().is_empty())),
    );
    let pending = form.pending();

    view! {
        <CardSection id="low-balance" title="Avviso saldo basso" class="mb-5">
            <p>
                "Scegli una soglia: quando l'addebito dei pasti porta il saldo sotto la soglia ricevi un solo avviso, con i giorni di mensa che il saldo copre ancora e un avviso di pagamento pagoPA per ricaricare. Lascia vuoto o scrivi 0 per non ricevere avvisi."
            </p>
            {remote(
                loaded,
                "low-balance-load-error",
                "Caricamento dell'avviso saldo basso…",
                move |_| move || current.get().map(status),
            )}
            <form id="low-balance-form" novalidate on:submit=form.submit_clearing(saved)>
                <TextField
                    id="low-balance-threshold"
                    label="Soglia di avviso (€)"
                    value=threshold
                    error=threshold_error
                    inputmode="decimal"
                />
                <FormAlert form id="low-balance-error" />
                <button
                    type="submit"
                    id="low-balance-save"
                    class="btn btn-primary"
                    disabled=move || pending.get()
                >
                    {move || if pending.get() { "Salvataggio…" } else { "Salva soglia" }}
                </button>
                <div aria-live="polite">
                    {move || {
                        saved
                            .get()
                            .map(|text| {
                                view! {
                                    <p id="low-balance-saved" class="alert alert-success mt-3 mb-0">
                                        {text}
                                    </p>
                                }
                            })
                    }}
                </div>
            </form>
        </CardSection>
    }
}

/// What the balance covers, whether the alert is on, sent or off, and the recharge
/// notice the last alert carried.
fn status(alert: LowBalanceAlert) -> impl IntoView {
    let state = match alert.threshold {
        None => "Avviso non attivo.".to_string(),
        Some(t) if alert.alerted => format!(
            "Il saldo è sotto la soglia di {}: il prossimo avviso arriverà dopo che sarà tornato ad almeno questa cifra.",
            format::euro(t)
        ),
        Some(t) => format!(
            "Avviso attivo: ti scriviamo quando il saldo scende sotto {}.",
            format::euro(t)
        ),
    };
    let notice = alert.notice.clone().map(|notice| {
        let number = format::notice_number(&notice.notice_number);
        view! {
            <div id="low-balance-notice" class="mb-3">
                <p class="mb-2">
                    {format!(
                        "Ricarica suggerita: avviso di pagamento {number} di {}, {}.",
                        format::euro(notice.amount),
                        notice.deadline().text(),
                    )}
                </p>
                <PdfButton
                    id="low-balance-notice-download"
                    label=format!("Scarica avviso {number} (PDF)")
                    url=notice.pdf_url.clone()
                    file_name=format!("avviso-{}.pdf", notice.notice_number)
                />
            </div>
        }
    });
    view! {
        <p id="low-balance-coverage" class="fw-semibold mb-1">
            {alert.coverage().line()}
        </p>
        <p id="low-balance-state">{state}</p>
        {notice}
    }
}
