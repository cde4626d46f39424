//! `/{slug}/conti/{service_id}/{guardian_id}`: the Conto della famiglia for operators, a
//! family's balance and movements on a prepaid service, and "Rimborso o rettifica".
//! The child's card links here with the guardian's name (`?intestatario=`) and the
//! child (`?utente=`), to go back to.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use sportello_model::access::Action;
use sportello_model::entes::ServiceKind;
use sportello_model::payments::{
    AccountCorrection, CorrectionKind, Movement, MovementKind, CORRECTION_KIND_MISSING,
    MAX_REASON_CHARS,
};
use sportello_model::{format, FieldError};

use crate::api;
use crate::app::{use_ente, RoleOnly};
use crate::components::{
    area_breadcrumb, set_title, CardSection, ErrorAlert, FieldFeedback, SuccessNote, TextAreaField,
    TextField,
};
use crate::forms::{Form, FormAlert, SubmitButton};
use crate::pages::payments::{BalanceCard, MovementsSection, MOVEMENTS_PER_PAGE};
use crate::session::use_session;

#[component]
pub fn FamilyAccountPage() -> impl IntoView {
    view! {
        <RoleOnly
            allowed=Action::ReadFamilyAccounts
            title="Conto della famiglia"
            id="family-account-not-allowed"
            message="Il conto delle famiglie si consulta e si corregge dagli uffici del Comune: i genitori trovano il proprio in Pagamenti."
        >
            <FamilyAccountView />
        </RoleOnly>
    }
}

/// Who and what the address names.
#[derive(Debug, Clone, PartialEq)]
struct Family {
    service_id: i64,
    service_name: String,
    guardian_id: i64,
    /// The guardian's name, when the address carries it.
    guardian_name: Option<String>,
    /// The child whose card led here.
    child_id: Option<i64>,
}

#[component]
fn FamilyAccountView() -> impl IntoView {
    let ente = use_ente();
    let params = use_params_map();
    let query = use_query_map();
    let family = Memo::new(move |_| {
        let (service_id, guardian_id) = params.with(|params| {
            let number = |name: &str| params.get(name)?.parse::<i64>().ok();
            Some((number("service_id")?, number("guardian_id")?))
        })?;
        let service_name = ente
            .with(|detail| {
                detail
                    .services
                    .iter()
                    .find(|s| s.id == service_id && s.kind == ServiceKind::Prepaid)
                    .map(|s| s.name.clone())
            })
            .flatten()?;
        let (guardian_name, child_id) = query.with(|query| {
            (
                query
                    .get("intestatario")
                    .map(|name| name.trim().to_owned())
                    .filter(|name| !name.is_empty()),
                query.get("utente").and_then(|id| id.parse::<i64>().ok()),
            )
        });
        Some(Family {
            service_id,
            service_name,
            guardian_id,
            guardian_name,
            child_id,
        })
    });
    Effect::new(move |_| {
        let name = family
            .with(|family| family.as_ref().and_then(|f| f.guardian_name.clone()))
            .unwrap_or_default();
        set_title(&["Conto della famiglia", &name, &ente.name()]);
    });
    move || match family.get() {
        Some(family) => view! { <FamilyAccount family /> }.into_any(),
        None => view! {
            {area_breadcrumb(
                ente,
                vec![
                    ("Utenti".into(), Some(ente.path("utenti"))),
                    ("Conto della famiglia".into(), None),
                ],
            )}
            <h1>"Conto della famiglia"</h1>
            <ErrorAlert id="family-account-error" problem=api::not_found() />
            <a class="btn btn-outline-primary" href=ente.path("utenti")>
                "Torna agli utenti"
            </a>
        }
        .into_any(),
    }
}

#[component]
fn FamilyAccount(family: Family) -> impl IntoView {
    let ente = use_ente();
    let session = use_session();
    let Family {
        service_id,
        service_name,
        guardian_id,
        guardian_name,
        child_id,
    } = family;
    let page = RwSignal::new(1);
    let statement = LocalResource::new(move || {
        api::family_statement(
            session,
            service_id,
            guardian_id,
            page.get(),
            MOVEMENTS_PER_PAGE,
        )
    });
    // A new movement is the newest: show the first page, where it is.
    let recorded = Callback::new(move |()| {
        if page.get_untracked() == 1 {
            statement.refetch();
        } else {
            page.set(1);
        }
    });
    let (back_href, back_text) = match child_id {
        Some(id) => (
            ente.path(&format!("utenti/{id}")),
            "Torna alla scheda dell'utente",
        ),
        None => (ente.path("utenti"), "Torna agli utenti"),
    };
    let mut steps = vec![("Utenti".to_string(), Some(ente.path("utenti")))];
    if child_id.is_some() {
        steps.push(("Scheda dell'utente".to_string(), Some(back_href.clone())));
    }
    steps.push(("Conto della famiglia".to_string(), None));
    let who = match guardian_name {
        Some(name) => format!("Intestatario: {name} · {service_name}"),
        None => service_name,
    };
    view! {
        {area_breadcrumb(ente, steps)}
        <h1>"Conto della famiglia"</h1>
        <p id="family-name" class="lead">{who}</p>
        <BalanceCard
            statement
            negative_note="Saldo negativo: la famiglia deve ricaricare il conto per coprire i pasti già consumati."
        />
        <CorrectionForm service_id guardian_id recorded />
        <MovementsSection statement page />
        <a id="family-account-back" class="btn btn-outline-primary mt-4" href=back_href>
            {back_text}
        </a>
    }
}

/// The correction being written, or the model's Italian errors per field (a kind not
/// chosen yet among them).
fn draft(
    kind: Option<CorrectionKind>,
    amount: String,
    reason: String,
    request_id: String,
) -> Result<AccountCorrection, Vec<FieldError>> {
    let correction = AccountCorrection {
        kind: kind.unwrap_or(CorrectionKind::Adjustment),
        amount,
        reason,
        request_id,
    };
    let mut problems = correction.movement_cents().err().unwrap_or_default();
    if kind.is_none() {
        problems.insert(0, FieldError::new("kind", CORRECTION_KIND_MISSING));
    }
    if problems.is_empty() {
        Ok(correction)
    } else {
        Err(problems)
    }
}

/// "Rettifica registrata: 4,20 €", "Rimborso registrato: 10,00 €" (the sum given back).
fn recorded_text(movement: &Movement) -> String {
    match movement.kind {
        MovementKind::Refund => format!("Rimborso registrato: {}", format::euro(-movement.amount)),
        kind => format!(
            "{} registrata: {}",
            kind.label(),
            format::euro(movement.amount)
        ),
    }
}

fn amount_hint(kind: Option<CorrectionKind>) -> String {
    match kind {
        Some(CorrectionKind::Refund) => {
            "In euro, ad esempio 12,40: il credito restituito alla famiglia, che viene tolto dal saldo.".into()
        }
        _ => "In euro, ad esempio 4,20. Per togliere credito scrivi un importo negativo, ad esempio -5,00.".into(),
    }
}

/// "Rimborso o rettifica": checked with the model's rules as it is filled in, then sent
/// with an identifier made once per correction. A retry of the same correction (after a
/// failure) sends the same identifier, so it cannot be recorded twice; a new one is made
/// once it is recorded.
#[component]
fn CorrectionForm(service_id: i64, guardian_id: i64, recorded: Callback<()>) -> impl IntoView {
    let session = use_session();
    let kind = RwSignal::new(None::<CorrectionKind>);
    let amount = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let done = RwSignal::new(None::<String>);
    let form = Form::new(
        &[
            ("kind", "correction-kind-refund"),
            ("amount", "correction-amount"),
            ("reason", "correction-reason"),
        ],
        move |request_id| {
            draft(
                kind.get(),
                amount.get(),
                reason.get(),
                request_id.to_owned(),
            )
        },
        move |correction: AccountCorrection| async move {
            api::correct_account(session, service_id, guardian_id, &correction).await
        },
        move |movement: Movement| {
            kind.set(None);
            amount.set(String::new());
            reason.set(String::new());
            done.set(Some(recorded_text(&movement)));
            recorded.run(());
        },
    );
    // A field's message: the server's, else the model's once the field is filled in or
    // the form was sent.
    let kind_error = form.message_on_submit("kind");
    let amount_error = form.message(
        "amount",
        Signal::derive(move || amount.with(|a| !a.trim().is_empty())),
    );
    let reason_error = form.message(
        "reason",
        Signal::derive(move || reason.with(|r| !r.is_empty())),
    );

    let radio = move |value: CorrectionKind, id: &'static str| {
        view! {
            <div class="form-check form-check-inline">
                <input
                    type="radio"
                    id=id
                    name="correction-kind"
                    value=value.as_str()
                    prop:checked=move || kind.get() == Some(value)
                    aria-invalid=move || kind_error.with(Option::is_some).to_string()
                    on:change=move |_| kind.set(Some(value))
                />
                <label for=id>{value.label()}</label>
            </div>
        }
    };

    view! {
        <CardSection id="correction" title="Rimborso o rettifica" class="mb-5">
            <p>
                "Il rimborso registra il credito restituito alla famiglia fuori dal portale; la rettifica corregge il saldo, in più o in meno. La famiglia vede il movimento e il motivo nel suo stato contabile."
            </p>
            <form id="correction-form" novalidate on:submit=form.submit_clearing(done)>
                <fieldset
                    class="mb-4"
                    aria-describedby=move || kind_error.with(Option::is_some).then_some("correction-kind-error")
                >
                    <legend class="h6">"Tipo di movimento"</legend>
                    {radio(CorrectionKind::Refund, "correction-kind-refund")}
                    {radio(CorrectionKind::Adjustment, "correction-kind-adjustment")}
                    <FieldFeedback id="correction-kind-error" error=kind_error />
                </fieldset>
                <TextField
                    id="correction-amount"
                    label="Importo (€)"
                    value=amount
                    error=amount_error
                    hint=Signal::derive(move || amount_hint(kind.get()))
                    inputmode="decimal"
                />
                <TextAreaField
                    id="correction-reason"
                    label="Motivo"
                    value=reason
                    error=reason_error
                    hint=Signal::stored(format!(
                        "La famiglia lo legge nello stato contabile. Al massimo {MAX_REASON_CHARS} caratteri.",
                    ))
                />
                <FormAlert form id="correction-error" />
                <SubmitButton form id="correction-submit" label="Registra" busy="Registrazione…" />
                <SuccessNote id="correction-done" text=done />
            </form>
        </CardSection>
    }
}
