//! The end of a school year (`model::year_end`): the office asks ahead in May the
//! families of the children leaving, closes the year — every account with credit whose
//! family has no child enrolled in the service next year gets a row, and a letter asks
//! the family to choose —, and records the refunds asked for; the family keeps the
//! credit, moves it to a sibling's service (two movements in one transaction) or asks
//! for the refund.

use std::collections::{HashMap, HashSet};

use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use sportello_model::entes::ServiceKind;
use sportello_model::format::{date, euro_cents};
use sportello_model::letters::LetterKind;
use sportello_model::money::cents_to_decimal;
use sportello_model::page::PageRequest;
use sportello_model::payments::MovementKind;
use sportello_model::school_year::SchoolYear;
use sportello_model::year_end::{
    deadline_passed, masked_iban, ChoiceContext, CreditChoice, CreditChoiceRequest, CreditStatus,
    FamilyCredit, OfficeCredit, StatusCount, TransferTarget, YearEndSummary, YearEndTerms,
};
use sportello_model::{rome, Page};
use time::OffsetDateTime;

use super::entity::{prepaid_account, year_closing, year_end_credit};
use super::ledger::{self, NewMovement};
use crate::accounts::entity::user;
use crate::auth::Principal;
use crate::children::entity::{child, enrolment};
use crate::communications::letters::{self, Outgoing, Recipient, Sender};
use crate::db::{fetch_page, upsert, EnteId, TenantScoped};
use crate::entes::entity::service;
use crate::error::{ApiError, ApiResult};
use crate::schools::service::Places;

/// The year's closing, if the office has asked ahead or closed it.
async fn closing<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    year: SchoolYear,
) -> ApiResult<Option<year_closing::Model>> {
    Ok(year_closing::Entity::find_in_ente(ente_id)
        .filter(year_closing::Column::SchoolYear.eq(year))
        .one(db)
        .await?)
}

/// Child id → guardian id, for every child of the comune.
async fn guardians<C: ConnectionTrait>(db: &C, ente_id: EnteId) -> ApiResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = child::Entity::find_in_ente(ente_id)
        .select_only()
        .column(child::Column::Id)
        .column(child::Column::GuardianId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The active enrolments of `year`, each with its child's guardian.
async fn cards<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    year: SchoolYear,
) -> ApiResult<Vec<(i64, enrolment::Model)>> {
    let guardians = guardians(db, ente_id).await?;
    Ok(enrolment::Entity::find_in_ente(ente_id)
        .filter(enrolment::Column::SchoolYear.eq(year))
        .filter(enrolment::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|e| guardians.get(&e.child_id).map(|g| (*g, e)))
        .collect())
}

/// (guardian, service) of every active enrolment of `year`.
async fn enrolled<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    year: SchoolYear,
) -> ApiResult<HashSet<(i64, i64)>> {
    Ok(cards(db, ente_id, year)
        .await?
        .into_iter()
        .map(|(guardian, e)| (guardian, e.service_id))
        .collect())
}

/// The accounts with credit whose family has no child enrolled in the account's
/// service in the year after `year`: what a closing lists.
async fn credits_to_list<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    year: SchoolYear,
) -> ApiResult<Vec<prepaid_account::Model>> {
    let staying = enrolled(db, ente_id, year.next()).await?;
    Ok(prepaid_account::Entity::find_in_ente(ente_id)
        .filter(prepaid_account::Column::BalanceCents.gt(0))
        .order_by_asc(prepaid_account::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|a| !staying.contains(&(a.guardian_id, a.service_id)))
        .collect())
}

/// What the office reads of a year: its terms and dates, the credits by status, and
/// before the closing what it would list.
pub async fn summary(
    db: &DatabaseConnection,
    ente_id: EnteId,
    year: SchoolYear,
) -> ApiResult<YearEndSummary> {
    let closing = closing(db, ente_id, year).await?;
    // Summed here: a database's SUM of a bigint is a numeric on PostgreSQL.
    let rows: Vec<(CreditStatus, Option<i64>)> = year_end_credit::Entity::find_in_ente(ente_id)
        .select_only()
        .column(year_end_credit::Column::Status)
        .column(year_end_credit::Column::CreditCents)
        .filter(year_end_credit::Column::SchoolYear.eq(year))
        .into_tuple()
        .all(db)
        .await?;
    let mut statuses: Vec<StatusCount> = Vec::new();
    for (status, credit) in rows {
        let cents = credit.unwrap_or(0);
        match statuses.iter_mut().find(|s| s.status == status) {
            Some(s) => {
                s.count += 1;
                s.total += cents_to_decimal(cents);
            }
            None => statuses.push(StatusCount {
                status,
                count: 1,
                total: cents_to_decimal(cents),
            }),
        }
    }
    statuses.sort_by_key(|s| CreditStatus::ALL.iter().position(|a| *a == s.status));
    let closed = closing.as_ref().is_some_and(|c| c.closed_at.is_some());
    let to_list = if closed {
        Vec::new()
    } else {
        credits_to_list(db, ente_id, year).await?
    };
    Ok(YearEndSummary {
        school_year: year.to_string(),
        minimum_refund: closing
            .as_ref()
            .map(|c| cents_to_decimal(c.minimum_refund_cents)),
        choice_deadline: closing.as_ref().map(|c| c.choice_deadline),
        asked_at: closing.as_ref().and_then(|c| c.asked_at),
        closed_at: closing.as_ref().and_then(|c| c.closed_at),
        statuses,
        to_list: to_list.len() as u64,
        to_list_total: cents_to_decimal(to_list.iter().map(|a| a.balance_cents).sum()),
    })
}

/// The credits of a year, optionally of one status, page by page.
pub async fn list(
    db: &DatabaseConnection,
    ente_id: EnteId,
    year: SchoolYear,
    status: Option<CreditStatus>,
    paging: PageRequest,
) -> ApiResult<Page<year_end_credit::Model>> {
    let mut query = year_end_credit::Entity::find_in_ente(ente_id)
        .filter(year_end_credit::Column::SchoolYear.eq(year))
        .order_by_asc(year_end_credit::Column::Id);
    if let Some(status) = status {
        query = query.filter(year_end_credit::Column::Status.eq(status));
    }
    Ok(fetch_page(query.paginate(db, paging.per_page), paging, |c| c).await?)
}

/// The credits as the office reads them: with the family's and the services' names.
pub async fn office_rows<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    credits: Vec<year_end_credit::Model>,
) -> ApiResult<Vec<OfficeCredit>> {
    let services = service_names(db, ente_id).await?;
    let names: HashMap<i64, String> = user::Entity::find_in_ente(ente_id)
        .filter(user::Column::Id.is_in(credits.iter().map(|c| c.guardian_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.full_name()))
        .collect();
    let targets: HashMap<i64, i64> = prepaid_account::Entity::find_in_ente(ente_id)
        .filter(
            prepaid_account::Column::Id.is_in(credits.iter().filter_map(|c| c.target_account_id)),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.service_id))
        .collect();
    Ok(credits
        .into_iter()
        .map(|c| OfficeCredit {
            id: c.id,
            guardian_id: c.guardian_id,
            guardian: names.get(&c.guardian_id).cloned().unwrap_or_default(),
            service: services.get(&c.service_id).cloned().unwrap_or_default(),
            credit: c.credit_cents.map(cents_to_decimal),
            status: c.status,
            choice: c.choice,
            target_service: c
                .target_account_id
                .and_then(|a| targets.get(&a))
                .and_then(|s| services.get(s))
                .cloned(),
            iban: c.iban,
            asked_ahead: c.asked_ahead,
        })
        .collect())
}

async fn service_names<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
) -> ApiResult<HashMap<i64, String>> {
    Ok(service::Entity::find_in_ente(ente_id)
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

/// The sibling's prepaid services a family's credit on `service_id` may move to: the
/// other prepaid services its children are enrolled in next year.
async fn transfer_targets<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    guardian_id: i64,
    service_id: i64,
    year: SchoolYear,
) -> ApiResult<Vec<TransferTarget>> {
    let children: HashMap<i64, String> = child::Entity::find_in_ente(ente_id)
        .filter(child::Column::GuardianId.eq(guardian_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.first_name))
        .collect();
    let rows = enrolment::Entity::find_in_ente(ente_id)
        .filter(enrolment::Column::ChildId.is_in(children.keys().copied()))
        .filter(enrolment::Column::SchoolYear.eq(year.next()))
        .filter(enrolment::Column::Active.eq(true))
        .filter(enrolment::Column::ServiceId.ne(service_id))
        .order_by_asc(enrolment::Column::Id)
        .all(db)
        .await?;
    let prepaid: HashMap<i64, String> = service::Entity::find_in_ente(ente_id)
        .filter(service::Column::Kind.eq(ServiceKind::Prepaid))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let mut targets: Vec<TransferTarget> = Vec::new();
    for e in rows {
        let (Some(name), Some(first_name)) =
            (prepaid.get(&e.service_id), children.get(&e.child_id))
        else {
            continue;
        };
        match targets.iter_mut().find(|t| t.service_id == e.service_id) {
            Some(t) => t.children = format!("{}, {first_name}", t.children),
            None => targets.push(TransferTarget {
                service_id: e.service_id,
                service: name.clone(),
                children: first_name.clone(),
            }),
        }
    }
    Ok(targets)
}

/// The credit `id` of the comune (of the family `guardian`, when given), claimed for a
/// change in the caller's transaction: the first statement is a write, so that of two
/// changes at once the second waits for the first and reads what it made. 404 when it
/// is not there.
async fn claim_credit<C: ConnectionTrait>(
    txn: &C,
    ente_id: EnteId,
    id: i64,
    guardian: Option<i64>,
) -> ApiResult<year_end_credit::Model> {
    let mut scope = Condition::all().add(year_end_credit::Column::Id.eq(id));
    if let Some(guardian) = guardian {
        scope = scope.add(year_end_credit::Column::GuardianId.eq(guardian));
    }
    year_end_credit::Entity::update_many()
        .col_expr(
            year_end_credit::Column::Status,
            Expr::col(year_end_credit::Column::Status).into(),
        )
        .filter(year_end_credit::Column::EnteId.eq(ente_id))
        .filter(scope.clone())
        .exec(txn)
        .await?;
    year_end_credit::Entity::find_in_ente(ente_id)
        .filter(scope)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound)
}

async fn family_credit<C: ConnectionTrait>(
    db: &C,
    principal: &Principal,
    credit: year_end_credit::Model,
    closing: &year_closing::Model,
    today: time::Date,
) -> ApiResult<FamilyCredit> {
    let services = service_names(db, principal.ente_id).await?;
    let balance = match credit.credit_cents {
        Some(cents) => cents,
        None => prepaid_account::Entity::find_in_ente(principal.ente_id)
            .filter(prepaid_account::Column::Id.eq(credit.account_id))
            .one(db)
            .await?
            .map_or(0, |a| a.balance_cents),
    };
    let targets = transfer_targets(
        db,
        principal.ente_id,
        credit.guardian_id,
        credit.service_id,
        credit.school_year,
    )
    .await?;
    let target_service_id = match credit.target_account_id {
        Some(account) => prepaid_account::Entity::find_in_ente(principal.ente_id)
            .filter(prepaid_account::Column::Id.eq(account))
            .one(db)
            .await?
            .map(|a| a.service_id),
        None => None,
    };
    Ok(FamilyCredit {
        id: credit.id,
        school_year: credit.school_year.to_string(),
        service_id: credit.service_id,
        service: services
            .get(&credit.service_id)
            .cloned()
            .unwrap_or_default(),
        credit: cents_to_decimal(balance),
        closed: closing.closed_at.is_some(),
        status: credit.status,
        choice: credit.choice,
        iban: credit.iban.as_deref().map(masked_iban),
        target_service_id,
        choice_deadline: closing.choice_deadline,
        minimum_refund: cents_to_decimal(closing.minimum_refund_cents),
        transfer_targets: targets,
        asked_ahead: credit.asked_ahead,
        open: credit.status.open() && today <= closing.choice_deadline,
    })
}

/// The family's credits left at the end of a year, the latest year first.
pub async fn of_family(
    db: &DatabaseConnection,
    principal: &Principal,
    now: OffsetDateTime,
) -> ApiResult<Vec<FamilyCredit>> {
    let credits = year_end_credit::Entity::find_in_ente(principal.ente_id)
        .filter(year_end_credit::Column::GuardianId.eq(principal.user_id))
        .order_by_desc(year_end_credit::Column::SchoolYear)
        .order_by_asc(year_end_credit::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(credits.len());
    for credit in credits {
        let Some(closing) = closing(db, principal.ente_id, credit.school_year).await? else {
            continue;
        };
        out.push(family_credit(db, principal, credit, &closing, rome::today(now)).await?);
    }
    Ok(out)
}

/// Moves the credit to the account of the target service in the caller's transaction:
/// a debit and a credit of the same amount, each keyed so it is made once.
async fn transfer<C: ConnectionTrait>(
    txn: &C,
    credit: &year_end_credit::Model,
    target_service_id: i64,
    by: i64,
    now: OffsetDateTime,
) -> ApiResult<year_end_credit::ActiveModel> {
    let ente_id = credit.ente_id;
    let source = prepaid_account::Entity::find_in_ente(ente_id)
        .filter(prepaid_account::Column::Id.eq(credit.account_id))
        .one(txn)
        .await?
        .ok_or_else(|| ApiError::internal("year-end account vanished"))?;
    let amount = credit.credit_cents.unwrap_or(0).min(source.balance_cents);
    if amount <= 0 {
        return Err(ApiError::Conflict(
            "Sul conto non c'è più credito da trasferire.".into(),
        ));
    }
    let target = ledger::account(txn, ente_id, credit.guardian_id, target_service_id, now).await?;
    let names = service_names(txn, ente_id).await?;
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let key = |side: &str| format!("{ente_id}:year-end:{}:{side}", credit.id);
    let out = ledger::append(
        txn,
        &source,
        NewMovement {
            request_key: Some(key("out")),
            created_by: Some(by),
            ..NewMovement::new(
                MovementKind::Transfer,
                -amount,
                format!(
                    "Credito dell'anno {} trasferito al servizio {}",
                    credit.school_year,
                    name(target_service_id)
                ),
            )
        },
        now,
    )
    .await?;
    ledger::append(
        txn,
        &target,
        NewMovement {
            request_key: Some(key("in")),
            created_by: Some(by),
            ..NewMovement::new(
                MovementKind::Transfer,
                amount,
                format!(
                    "Credito dell'anno {} trasferito dal servizio {}",
                    credit.school_year,
                    name(credit.service_id)
                ),
            )
        },
        now,
    )
    .await?;
    let mut row = credit.clone().into_active_model();
    row.status = Set(CreditStatus::Transferred);
    row.target_account_id = Set(Some(target.id));
    row.movement_id = Set(Some(out.id));
    row.settled_at = Set(Some(now));
    row.settled_by = Set(Some(by));
    Ok(row)
}

/// The family chooses (or changes its choice) before the deadline. Once the year is
/// closed the choice applies at once (a transfer moves the credit, a refund waits for
/// the office); asked ahead, it is kept and applies at the closing.
pub async fn choose(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
    request: &CreditChoiceRequest,
    now: OffsetDateTime,
) -> ApiResult<FamilyCredit> {
    let today = rome::today(now);
    let txn = db.begin().await?;
    let credit = claim_credit(&txn, principal.ente_id, id, Some(principal.user_id)).await?;
    let closing = closing(&txn, principal.ente_id, credit.school_year)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !credit.status.open() {
        return Err(ApiError::Conflict(format!(
            "Per questo credito non si può più scegliere: {}.",
            credit.status.label().to_lowercase()
        )));
    }
    if today > closing.choice_deadline {
        return Err(ApiError::Conflict(deadline_passed(closing.choice_deadline)));
    }
    let targets: Vec<i64> = transfer_targets(
        &txn,
        principal.ente_id,
        credit.guardian_id,
        credit.service_id,
        credit.school_year,
    )
    .await?
    .into_iter()
    .map(|t| t.service_id)
    .collect();
    let iban = request
        .check(&ChoiceContext {
            today,
            deadline: closing.choice_deadline,
            minimum_refund_cents: closing.minimum_refund_cents,
            credit_cents: credit.credit_cents,
            transfer_targets: &targets,
        })
        .map_err(ApiError::Validation)?;
    let closed = closing.closed_at.is_some();
    let mut row = match (request.choice, request.target_service_id) {
        (CreditChoice::Transfer, Some(target)) if closed => {
            transfer(&txn, &credit, target, principal.user_id, now).await?
        }
        _ => credit.clone().into_active_model(),
    };
    if !closed || request.choice != CreditChoice::Transfer {
        row.status = Set(match (closed, request.choice) {
            (false, _) => CreditStatus::Chosen,
            (true, CreditChoice::CarryOver) => CreditStatus::CarriedOver,
            (true, _) => CreditStatus::RefundRequested,
        });
        row.target_account_id = Set(match request.target_service_id {
            Some(service_id) if request.choice == CreditChoice::Transfer => Some(
                ledger::account(&txn, principal.ente_id, principal.user_id, service_id, now)
                    .await?
                    .id,
            ),
            _ => None,
        });
    }
    row.choice = Set(Some(request.choice));
    row.iban = Set(iban);
    row.chosen_at = Set(Some(now));
    row.chosen_by = Set(Some(principal.user_id));
    let saved = row.update(&txn).await?;
    let out = family_credit(&txn, principal, saved, &closing, today).await?;
    txn.commit().await?;
    Ok(out)
}

/// The office records the refund the family asked for: a refund movement of the credit
/// (at most what the account still holds), made once however often it is recorded.
pub async fn record_refund(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<(OfficeCredit, bool)> {
    let txn = db.begin().await?;
    let credit = claim_credit(&txn, principal.ente_id, id, None).await?;
    let made = match credit.status {
        CreditStatus::Refunded => false,
        CreditStatus::RefundRequested => {
            let account = prepaid_account::Entity::find_in_ente(principal.ente_id)
                .filter(prepaid_account::Column::Id.eq(credit.account_id))
                .one(&txn)
                .await?
                .ok_or_else(|| ApiError::internal("year-end account vanished"))?;
            let amount = credit.credit_cents.unwrap_or(0).min(account.balance_cents);
            if amount <= 0 {
                return Err(ApiError::Conflict(
                    "Sul conto non c'è più credito da rimborsare.".into(),
                ));
            }
            let movement = ledger::append(
                &txn,
                &account,
                NewMovement {
                    request_key: Some(format!("{}:year-end:{}:refund", credit.ente_id, credit.id)),
                    created_by: Some(principal.user_id),
                    ..NewMovement::new(
                        MovementKind::Refund,
                        -amount,
                        format!(
                            "Rimborso del credito dell'anno {} sull'IBAN {}",
                            credit.school_year,
                            credit.iban.as_deref().map(masked_iban).unwrap_or_default()
                        ),
                    )
                },
                now,
            )
            .await?;
            let mut row = credit.clone().into_active_model();
            row.status = Set(CreditStatus::Refunded);
            row.movement_id = Set(Some(movement.id));
            row.settled_at = Set(Some(now));
            row.settled_by = Set(Some(principal.user_id));
            row.update(&txn).await?;
            true
        }
        other => {
            return Err(ApiError::Conflict(format!(
                "La famiglia non ha chiesto il rimborso: {}.",
                other.label().to_lowercase()
            )))
        }
    };
    let saved = year_end_credit::Entity::find_in_ente(principal.ente_id)
        .filter(year_end_credit::Column::Id.eq(credit.id))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::internal("year-end credit vanished"))?;
    let row = office_rows(&txn, principal.ente_id, vec![saved])
        .await?
        .pop();
    txn.commit().await?;
    Ok((
        row.ok_or_else(|| ApiError::internal("year-end credit vanished"))?,
        made,
    ))
}

/// The comune's sender, for the letters of the year end.
pub struct Letters<'a> {
    pub ente_name: &'a str,
    pub sender: &'a Sender,
}

/// The letter asking a family to choose.
fn letter_body(
    ente_name: &str,
    year: SchoolYear,
    service: &str,
    credit: Option<i64>,
    terms: &year_closing::Model,
    asked_ahead: bool,
) -> (String, String) {
    let title = format!(
        "Credito del servizio {service}: scegli entro il {}",
        date(terms.choice_deadline)
    );
    let opening = match credit {
        Some(cents) => format!(
            "L'anno scolastico {year} è chiuso e sul conto del servizio **{service}** resta un credito di **{}**.",
            euro_cents(cents)
        ),
        None => format!(
            "Per l'anno scolastico {year} risulta che tuo figlio o tua figlia termina il ciclo di studi e non è iscritto al servizio **{service}** per il prossimo anno. Ti chiediamo fin d'ora cosa fare del credito che resterà sul conto: abbiamo già proposto il rimborso, basta indicare l'IBAN."
        ),
    };
    let minimum = if terms.minimum_refund_cents > 0 {
        format!(
            " Il Comune rimborsa crediti da {} in su.",
            euro_cents(terms.minimum_refund_cents)
        )
    } else {
        String::new()
    };
    let body = format!(
        "{opening}\n\nPuoi mantenerlo per i prossimi anni, trasferirlo al servizio di un fratello o una sorella oppure chiederne il rimborso su un conto intestato a te.{minimum}\n\nScegli dall'area personale, alla voce Pagamenti, entro il **{}**: dopo, il credito resta sul conto.{}\n\n{ente_name}",
        date(terms.choice_deadline),
        if asked_ahead { "\n\nL'importo definitivo sarà quello presente alla chiusura dell'anno." } else { "" }
    );
    (title, body)
}

async fn write_letters<C: ConnectionTrait>(
    txn: &C,
    letters_from: &Letters<'_>,
    ente_id: EnteId,
    terms: &year_closing::Model,
    credits: &[(i64, i64, Option<i64>)],
    asked_ahead: bool,
    now: OffsetDateTime,
) -> ApiResult<()> {
    let names = service_names(txn, ente_id).await?;
    for (guardian_id, service_id, credit) in credits {
        let service = names.get(service_id).cloned().unwrap_or_default();
        let (title, body) = letter_body(
            letters_from.ente_name,
            terms.school_year,
            &service,
            *credit,
            terms,
            asked_ahead,
        );
        letters::write(
            txn,
            &Outgoing {
                ente_id,
                sender: letters_from.sender,
                communication_id: None,
                kind: LetterKind::YearEnd,
                title: &title,
                body: &body,
                attachment_id: None,
                urgent: false,
                payment_data: None,
            },
            &[Recipient {
                guardian_id: *guardian_id,
                children: Vec::new(),
            }],
            now,
        )
        .await?;
    }
    Ok(())
}

/// Saves the year's terms in the caller's transaction: a new closing row, or the terms
/// of the row the ask-ahead made.
async fn save_terms<C: ConnectionTrait>(
    txn: &C,
    ente_id: EnteId,
    year: SchoolYear,
    terms: &YearEndTerms,
    minimum: i64,
) -> ApiResult<year_closing::Model> {
    // A write first: of two at once, the second waits for the first to commit (SQLite's
    // write lock, PostgreSQL's unique key) and then reads its closing.
    upsert(
        txn,
        [year_closing::ActiveModel {
            ente_id: Set(ente_id),
            school_year: Set(year),
            minimum_refund_cents: Set(minimum),
            choice_deadline: Set(terms.choice_deadline),
            ..Default::default()
        }],
        [
            year_closing::Column::EnteId,
            year_closing::Column::SchoolYear,
        ],
        [],
    )
    .await?;
    let existing = closing(txn, ente_id, year)
        .await?
        .ok_or_else(|| ApiError::internal("year closing vanished"))?;
    if existing.closed_at.is_some() {
        return Err(ApiError::Conflict(format!(
            "L'anno scolastico {year} è già stato chiuso."
        )));
    }
    let mut row = existing.into_active_model();
    row.minimum_refund_cents = Set(minimum);
    row.choice_deadline = Set(terms.choice_deadline);
    Ok(row.update(txn).await?)
}

/// A credit of `account` awaiting the family's choice: asked ahead (no credit known
/// yet), or listed at the closing with its credit.
fn new_credit(
    account: &prepaid_account::Model,
    year: SchoolYear,
    credit_cents: Option<i64>,
    now: OffsetDateTime,
) -> year_end_credit::ActiveModel {
    year_end_credit::ActiveModel {
        ente_id: Set(account.ente_id),
        school_year: Set(year),
        account_id: Set(account.id),
        guardian_id: Set(account.guardian_id),
        service_id: Set(account.service_id),
        credit_cents: Set(credit_cents),
        status: Set(CreditStatus::Awaiting),
        asked_ahead: Set(credit_cents.is_none()),
        created_at: Set(now),
        ..Default::default()
    }
}

/// May: the families of the children in the last class of their school's order, not
/// enrolled next year, are asked ahead what to do with the credit (the refund
/// pre-filled). Families asked before are not asked again. Returns how many were asked.
pub async fn ask_ahead(
    db: &DatabaseConnection,
    principal: &Principal,
    year: SchoolYear,
    terms: &YearEndTerms,
    letters_from: &Letters<'_>,
    now: OffsetDateTime,
) -> ApiResult<u64> {
    let today = rome::today(now);
    if year != SchoolYear::containing(today) {
        return Err(ApiError::Conflict(format!(
            "Si chiede in anticipo solo per l'anno scolastico in corso, il {}.",
            SchoolYear::containing(today)
        )));
    }
    let minimum = terms.check(today).map_err(ApiError::Validation)?;
    let ente_id = principal.ente_id;
    let txn = db.begin().await?;
    let mut saved = save_terms(&txn, ente_id, year, terms, minimum).await?;
    let staying_next = enrolled(&txn, ente_id, year.next()).await?;
    // A family stays in a service while one of its children does not leave it.
    let mut leaving: HashSet<(i64, i64)> = HashSet::new();
    let mut staying: HashSet<(i64, i64)> = staying_next;
    let places = Places::of_ente(&txn, ente_id).await?;
    for (guardian_id, card) in cards(&txn, ente_id, year).await? {
        let key = (guardian_id, card.service_id);
        if places.last_of_cycle(card.class_id) {
            leaving.insert(key);
        } else {
            staying.insert(key);
        }
    }
    let prepaid: HashSet<i64> = service::Entity::find_in_ente(ente_id)
        .filter(service::Column::Kind.eq(ServiceKind::Prepaid))
        .all(&txn)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let asked_before: HashSet<(i64, i64)> = year_end_credit::Entity::find_in_ente(ente_id)
        .filter(year_end_credit::Column::SchoolYear.eq(year))
        .all(&txn)
        .await?
        .into_iter()
        .map(|c| (c.guardian_id, c.service_id))
        .collect();
    let mut asked = Vec::new();
    let mut families: Vec<&(i64, i64)> = leaving
        .iter()
        .filter(|k| !staying.contains(k) && prepaid.contains(&k.1) && !asked_before.contains(k))
        .collect();
    families.sort();
    for &(guardian_id, service_id) in families {
        let account = ledger::account(&txn, ente_id, guardian_id, service_id, now).await?;
        new_credit(&account, year, None, now).insert(&txn).await?;
        asked.push((guardian_id, service_id, None));
    }
    let mut row = saved.clone().into_active_model();
    row.asked_at = Set(Some(now));
    saved = row.update(&txn).await?;
    write_letters(&txn, letters_from, ente_id, &saved, &asked, true, now).await?;
    txn.commit().await?;
    Ok(asked.len() as u64)
}

/// Closes the year: every account with credit and no child enrolled in its service
/// next year is listed with its credit; the choices made ahead apply (a transfer moves
/// the credit, a refund below the minimum keeps it); the families still to choose get a
/// letter. A year is closed once (409 after). Returns the credits listed.
pub async fn close(
    db: &DatabaseConnection,
    principal: &Principal,
    year: SchoolYear,
    terms: &YearEndTerms,
    letters_from: &Letters<'_>,
    now: OffsetDateTime,
) -> ApiResult<u64> {
    let minimum = terms
        .check(rome::today(now))
        .map_err(ApiError::Validation)?;
    let ente_id = principal.ente_id;
    let txn = db.begin().await?;
    let saved = save_terms(&txn, ente_id, year, terms, minimum).await?;
    let mut existing: HashMap<i64, year_end_credit::Model> =
        year_end_credit::Entity::find_in_ente(ente_id)
            .filter(year_end_credit::Column::SchoolYear.eq(year))
            .all(&txn)
            .await?
            .into_iter()
            .map(|c| (c.account_id, c))
            .collect();
    let mut to_ask = Vec::new();
    let listed = credits_to_list(&txn, ente_id, year).await?;
    for account in &listed {
        let credit = account.balance_cents;
        match existing.remove(&account.id) {
            None => {
                new_credit(account, year, Some(credit), now)
                    .insert(&txn)
                    .await?;
                to_ask.push((account.guardian_id, account.service_id, Some(credit)));
            }
            Some(ahead) => {
                let settled =
                    apply_ahead(&txn, ahead, credit, minimum, principal.user_id, now).await?;
                if settled.status == CreditStatus::Awaiting {
                    to_ask.push((account.guardian_id, account.service_id, Some(credit)));
                }
            }
        }
    }
    // Asked ahead, but with nothing left or a child enrolled after all: nothing to do.
    for (_, ahead) in existing {
        let mut row = ahead.into_active_model();
        row.credit_cents = Set(Some(0));
        row.status = Set(CreditStatus::CarriedOver);
        row.update(&txn).await?;
    }
    let mut row = saved.into_active_model();
    row.closed_at = Set(Some(now));
    row.closed_by = Set(Some(principal.user_id));
    let saved = row.update(&txn).await?;
    write_letters(&txn, letters_from, ente_id, &saved, &to_ask, false, now).await?;
    txn.commit().await?;
    Ok(listed.len() as u64)
}

/// At the closing, what a family chose ahead applies to the credit now known; a refund
/// below the minimum, or no choice, waits for the family's choice.
async fn apply_ahead<C: ConnectionTrait>(
    txn: &C,
    ahead: year_end_credit::Model,
    credit: i64,
    minimum: i64,
    by: i64,
    now: OffsetDateTime,
) -> ApiResult<year_end_credit::Model> {
    let with_credit = year_end_credit::Model {
        credit_cents: Some(credit),
        ..ahead.clone()
    };
    let target_service = match ahead.target_account_id {
        Some(account) => prepaid_account::Entity::find_in_ente(ahead.ente_id)
            .filter(prepaid_account::Column::Id.eq(account))
            .one(txn)
            .await?
            .map(|a| a.service_id),
        None => None,
    };
    let mut row = match (ahead.choice, target_service) {
        (Some(CreditChoice::Transfer), Some(service_id)) => {
            transfer(txn, &with_credit, service_id, by, now).await?
        }
        _ => with_credit.clone().into_active_model(),
    };
    row.credit_cents = Set(Some(credit));
    match ahead.choice {
        Some(CreditChoice::Refund) if credit >= minimum => {
            row.status = Set(CreditStatus::RefundRequested)
        }
        Some(CreditChoice::CarryOver) => row.status = Set(CreditStatus::CarriedOver),
        Some(CreditChoice::Transfer) if target_service.is_some() => {}
        _ => row.status = Set(CreditStatus::Awaiting),
    }
    Ok(row.update(txn).await?)
}
