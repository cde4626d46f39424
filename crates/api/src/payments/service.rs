//! What the guardian does with money: overview, statement, recharges, notices.

use std::collections::{HashMap, HashSet};

use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, TransactionTrait,
};
use sportello_model::entes::ServiceKind;
use sportello_model::money::cents_to_decimal;
use sportello_model::page::PageRequest;
use sportello_model::payments::{
    check_recharge_amount, AccountSummary, CheckoutStarted, EmissionStatus, Notice, NoticePurpose,
    NoticeStatus, PaymentService, Statement,
};
use sportello_model::{rome, Page};
use sportello_pagopa::{CheckoutClient, NoticeDocument, PaymentGateway};
use time::OffsetDateTime;

use super::entity::{emission, payment_notice, prepaid_account};
use super::{carts, ledger, notices};
use crate::accounts::entity::user;
use crate::accounts::secrets::random_token;
use crate::auth::Principal;
use crate::children::entity::{child, enrolment};
use crate::db::{fetch_page, EnteId, TenantScoped};
use crate::entes::entity::service;
use crate::entes::service::{by_id as ente_by_id, prepaid_service, settings};
use crate::error::{ApiError, ApiResult};

/// The Pagamenti page: the services the family uses (a child enrolled in it, or money
/// already moved through it), prepaid ones with their balance, emission ones with what
/// is still to pay.
pub async fn overview(
    db: &DatabaseConnection,
    principal: &Principal,
) -> ApiResult<Vec<PaymentService>> {
    let (ente_id, guardian_id) = (principal.ente_id, principal.user_id);
    let children = child::Entity::find_in_ente(ente_id)
        .filter(child::Column::GuardianId.eq(guardian_id))
        .select_only()
        .column(child::Column::Id)
        .into_query();
    let enrolled: HashSet<i64> = enrolment::Entity::find_in_ente(ente_id)
        .filter(enrolment::Column::ChildId.in_subquery(children))
        .select_only()
        .column(enrolment::Column::ServiceId)
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let accounts: HashMap<i64, prepaid_account::Model> =
        prepaid_account::Entity::find_in_ente(ente_id)
            .filter(prepaid_account::Column::GuardianId.eq(guardian_id))
            .all(db)
            .await?
            .into_iter()
            .map(|a| (a.service_id, a))
            .collect();
    let mut emissions: HashMap<i64, Vec<emission::Model>> = HashMap::new();
    for e in emission::Entity::find_in_ente(ente_id)
        .filter(emission::Column::GuardianId.eq(guardian_id))
        .all(db)
        .await?
    {
        emissions.entry(e.service_id).or_default().push(e);
    }
    let services = service::Entity::find_in_ente(ente_id)
        .order_by_asc(service::Column::Name)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(services.len());
    for s in services {
        let kind = s.kind;
        let account = accounts.get(&s.id);
        let billed = emissions.get(&s.id);
        let used = enrolled.contains(&s.id)
            || match kind {
                ServiceKind::Prepaid => account.is_some_and(|a| a.movement_count > 0),
                ServiceKind::Emissions => billed.is_some(),
            };
        if !used {
            continue;
        }
        let mut entry = PaymentService {
            service_id: s.id,
            service_name: s.name,
            kind,
            balance: None,
            open_emissions: None,
            amount_due: None,
        };
        match kind {
            ServiceKind::Prepaid => {
                entry.balance = Some(cents_to_decimal(account.map_or(0, |a| a.balance_cents)));
            }
            ServiceKind::Emissions => {
                let open: Vec<i64> = billed
                    .into_iter()
                    .flatten()
                    .filter(|e| e.status == EmissionStatus::ToPay)
                    .map(|e| e.amount_cents)
                    .collect();
                let due = open
                    .iter()
                    .try_fold(0i64, |sum, cents| sum.checked_add(*cents))
                    .ok_or_else(|| ApiError::internal("amount due out of range"))?;
                entry.open_emissions = Some(open.len() as u64);
                entry.amount_due = Some(cents_to_decimal(due));
            }
        }
        out.push(entry);
    }
    Ok(out)
}

pub async fn statement(
    db: &DatabaseConnection,
    principal: &Principal,
    service_id: i64,
    paging: PageRequest,
    now: OffsetDateTime,
) -> ApiResult<Statement> {
    statement_of(
        db,
        principal.ente_id,
        principal.user_id,
        service_id,
        paging,
        now,
    )
    .await
}

/// The statement of a family (its guardian) for a prepaid service.
pub async fn statement_of(
    db: &DatabaseConnection,
    ente_id: EnteId,
    guardian_id: i64,
    service_id: i64,
    paging: PageRequest,
    now: OffsetDateTime,
) -> ApiResult<Statement> {
    // The account with its service in one statement, the usual case; else the service
    // checked, and the account made on first use.
    let (s, account) = match ledger::find_account_with_service(db, ente_id, guardian_id, service_id)
        .await?
    {
        Some((account, s)) if s.kind == ServiceKind::Prepaid => (s, account),
        _ => {
            let s = prepaid_service(db, ente_id, service_id).await?;
            let account = ledger::account_for_reading(db, ente_id, guardian_id, s.id, now).await?;
            (s, account)
        }
    };
    let movements = ledger::movements(db, &account, paging).await?;
    Ok(Statement {
        account: AccountSummary {
            service_id: s.id,
            service_name: s.name,
            balance: cents_to_decimal(account.balance_cents),
            balance_at: now,
        },
        movements,
    })
}

/// A new recharge notice for `amount` (as typed), checked against the ente's rule,
/// stored only once pagoPA has registered it; `online_only` when it is made for one
/// online payment attempt (Ricarica → Paga).
pub async fn create_recharge_notice(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    principal: &Principal,
    service_id: i64,
    amount: &str,
    online_only: bool,
    now: OffsetDateTime,
) -> ApiResult<payment_notice::Model> {
    let s = prepaid_service(db, principal.ente_id, service_id).await?;
    let ente = ente_by_id(db, principal.ente_id).await?;
    let cents = check_recharge_amount(&settings(&ente).recharge, amount)
        .map_err(|e| ApiError::field("amount", e.to_string()))?;
    let guardian = user::Entity::find_by_id(principal.user_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let today = rome::today(now);
    let txn = db.begin().await?;
    let notice = notices::create(
        &txn,
        &ente,
        notices::NewNotice::recharge(&s, &guardian, cents, online_only, today),
        now,
    )
    .await?;
    notices::register_and_commit(txn, gateway, &ente, &notice, &guardian).await?;
    Ok(notice)
}

/// The recharge notices the family made (not those of online attempts), newest first.
pub async fn list_notices(
    db: &DatabaseConnection,
    principal: &Principal,
    service_id: i64,
    paging: PageRequest,
    now: OffsetDateTime,
) -> ApiResult<Page<Notice>> {
    let s = prepaid_service(db, principal.ente_id, service_id).await?;
    let paginator = payment_notice::Entity::find_in_ente(principal.ente_id)
        .filter(payment_notice::Column::GuardianId.eq(principal.user_id))
        .filter(payment_notice::Column::ServiceId.eq(s.id))
        .filter(payment_notice::Column::Purpose.eq(NoticePurpose::Recharge))
        .filter(payment_notice::Column::OnlineOnly.eq(false))
        .order_by_desc(payment_notice::Column::Id)
        .paginate(db, paging.per_page);
    let today = rome::today(now);
    Ok(fetch_page(paginator, paging, |n| notices::dto(n, today)).await?)
}

/// Starts paying an open notice of the guardian online: a Checkout cart of one.
pub async fn pay_online(
    db: &DatabaseConnection,
    checkout: Option<&CheckoutClient>,
    principal: &Principal,
    notice: payment_notice::Model,
    public_url: &str,
    now: OffsetDateTime,
) -> ApiResult<CheckoutStarted> {
    if let Some(reason) = carts::unpayable(&notice, now) {
        return Err(ApiError::Conflict(reason));
    }
    let request_key = random_token();
    let (_, cart) = carts::open(
        db,
        checkout,
        principal,
        vec![notice.clone()],
        &request_key,
        public_url,
        now,
    )
    .await?;
    Ok(CheckoutStarted {
        notice: notices::dto(notice, rome::today(now)),
        checkout_url: cart.checkout_url,
    })
}

/// "Paga avviso": an open notice the family keeps (not one of a past online attempt).
pub async fn pay_notice(
    db: &DatabaseConnection,
    checkout: Option<&CheckoutClient>,
    principal: &Principal,
    notice_id: i64,
    public_url: &str,
    now: OffsetDateTime,
) -> ApiResult<CheckoutStarted> {
    let notice =
        notices::find_for_guardian(db, principal.ente_id, principal.user_id, notice_id).await?;
    if notice.online_only {
        return Err(ApiError::Conflict(
            "Questo avviso apparteneva a un pagamento online non completato: per ricaricare avvia una nuova ricarica.".into(),
        ));
    }
    pay_online(db, checkout, principal, notice, public_url, now).await
}

pub fn notice_dto(notice: payment_notice::Model, now: OffsetDateTime) -> Notice {
    notices::dto(notice, rome::today(now))
}

/// The family cancels an open recharge notice it made: it can no longer be paid, online
/// or at a counter. Cancelling it again changes nothing.
pub async fn cancel_notice(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    principal: &Principal,
    notice_id: i64,
    now: OffsetDateTime,
) -> ApiResult<Notice> {
    let notice =
        notices::find_for_guardian(db, principal.ente_id, principal.user_id, notice_id).await?;
    if notice.purpose != NoticePurpose::Recharge {
        return Err(ApiError::Conflict(
            "L'avviso di un'emissione può essere annullato solo dall'ufficio del Comune.".into(),
        ));
    }
    let today = rome::today(now);
    let cancelled = match notices::status(&notice, today) {
        NoticeStatus::Open => {
            let ente = ente_by_id(db, principal.ente_id).await?;
            notices::cancel(db, gateway, &ente, &notice).await?
        }
        NoticeStatus::Cancelled => notice,
        NoticeStatus::Paid => {
            return Err(ApiError::Conflict(
                "Questo avviso risulta già pagato: non può essere annullato.".into(),
            ))
        }
        NoticeStatus::Expired => {
            return Err(ApiError::Conflict(
                "Questo avviso è scaduto: non può più essere pagato e non serve annullarlo.".into(),
            ))
        }
    };
    Ok(notices::dto(cancelled, today))
}

/// The notice as a PDF a counter clerk can use; refused for a notice that must not be
/// paid at a counter.
pub async fn notice_pdf(
    db: &DatabaseConnection,
    notice: payment_notice::Model,
    now: OffsetDateTime,
) -> ApiResult<Vec<u8>> {
    notices::printable(&notice, rome::today(now))?;
    NoticeDocument {
        payment: notices::document_payment(db, &notice, notice.amount_cents).await?,
        deadline: notices::deadline(&notice),
        notice_number: notice.notice_number,
    }
    .render()
    .map_err(ApiError::internal)
}
