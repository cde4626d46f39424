//! Families fill forms: the forms open now, drafts saved and resumed, files attached,
//! sending (protocol number, confirmation e-mail, the enrolment gate), the PDF copy,
//! their submissions with the operator's reason, and cancelling one not yet processed.
//!
//! A guardian acts for the family; a delegate for the family of the children delegated
//! to them, and only on forms that allow delegates. Another family's submission is 404.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, Query as SqlQuery};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QueryTrait, Select, SqlErr,
    TransactionTrait,
};
use sportello_model::auth::Role;
use sportello_model::format::{date as italian_date, euro_cents, hour_minute};
use sportello_model::forms::{
    check_answers, protocol_number, render_answer, AnswerContext, Answers, ChildAnswer, FieldKind,
    FormDefinition, FormDetail, FormScope, FormStatus, FormSummary, Stage, SubmissionAction,
    SubmissionDetail, SubmissionEvent, SubmissionNotice, SubmissionState, SubmissionSummary,
    UploadInfo, DIET_CERTIFICATE_MAX_BYTES,
};
use sportello_model::page::PageRequest;
use sportello_model::paths;
use sportello_model::payments::NoticeStatus;
use sportello_model::{rome, Page};
use sportello_pagopa::PaymentGateway;
use time::{Date, OffsetDateTime};

use super::definitions::{self, definition_of};
use super::entity::{event, form, submission, upload};
use crate::accounts::entity::user;
use crate::auth::Principal;
use crate::children::entity::{child, enrolment};
use crate::children::service::{enrolled_on, visible_children};
use crate::communications::enqueue_email;
use crate::db::{fetch_page, EnteId, TenantScoped};
use crate::entes::entity::service;
use crate::entes::service::by_id as ente_by_id;
use crate::error::{ApiError, ApiResult};
use crate::http::checked_upload;
use crate::payments::entity::payment_notice;
use crate::payments::ledger::find_account;
use crate::payments::notices::{self, NewNotice};
use crate::schools::service::Places;

/// The family a principal fills forms for.
pub struct Family {
    /// The guardian (intestatario).
    pub guardian_id: i64,
    /// The children the principal may fill forms for.
    pub children: Vec<i64>,
    /// A delegate: only forms that allow delegates.
    pub delegate: bool,
    pub ente_id: EnteId,
    pub actor_id: i64,
}

pub async fn family(db: &DatabaseConnection, principal: &Principal) -> ApiResult<Family> {
    let children = visible_children(principal).all(db).await?;
    let guardian_id = match principal.role {
        Role::Guardian => principal.user_id,
        _ => children.first().map(|c| c.guardian_id).ok_or_else(|| {
            ApiError::Forbidden(
                "Non risulti delegato per alcun figlio: i moduli li compila l'intestatario.".into(),
            )
        })?,
    };
    Ok(Family {
        guardian_id,
        children: children.iter().map(|c| c.id).collect(),
        delegate: principal.role != Role::Guardian,
        ente_id: principal.ente_id,
        actor_id: principal.user_id,
    })
}

/// The family's submissions the principal may see.
fn visible(family: &Family) -> Select<submission::Entity> {
    let own = submission::Entity::find_in_ente(family.ente_id)
        .filter(submission::Column::FamilyId.eq(family.guardian_id));
    if !family.delegate {
        return own;
    }
    own.filter(
        submission::Column::FormId.in_subquery(
            SqlQuery::select()
                .column(form::Column::Id)
                .from(form::Entity)
                .and_where(form::Column::EnteId.eq(family.ente_id))
                .and_where(form::Column::DelegatesAllowed.eq(true))
                .to_owned(),
        ),
    )
}

async fn find_own(
    db: &DatabaseConnection,
    family: &Family,
    id: i64,
) -> ApiResult<submission::Model> {
    visible(family)
        .filter(submission::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The definition of a form the family may fill now, or why not.
fn fillable(row: &form::Model, family: &Family, now: OffsetDateTime) -> ApiResult<FormDefinition> {
    let definition = definition_of(row)?;
    match row.status {
        FormStatus::Draft => return Err(ApiError::NotFound),
        FormStatus::Closed => {
            return Err(ApiError::Conflict(format!(
                "Il modulo «{}» è chiuso: non si può più compilare.",
                definition.title
            )))
        }
        FormStatus::Published => {}
    }
    if family.delegate && !definition.delegates_allowed {
        return Err(ApiError::Forbidden(
            "Questo modulo può essere compilato e inviato solo dall'intestatario.".into(),
        ));
    }
    if !definition.is_open(now) {
        return Err(ApiError::Conflict(definition.closed_message(now)));
    }
    Ok(definition)
}

/// Published forms whose window includes today (Europe/Rome), soonest to close first.
pub async fn open_forms(
    db: &DatabaseConnection,
    principal: &Principal,
    now: OffsetDateTime,
) -> ApiResult<Vec<FormSummary>> {
    let today = rome::today(now);
    let rows = form::Entity::find_in_ente(principal.ente_id)
        .filter(form::Column::Status.eq(FormStatus::Published))
        .filter(form::Column::OpensOn.lte(today))
        .filter(form::Column::ClosesOn.gte(today))
        .apply_if(
            (principal.role != Role::Guardian).then_some(true),
            |q, allowed| q.filter(form::Column::DelegatesAllowed.eq(allowed)),
        )
        .order_by_asc(form::Column::ClosesOn)
        .order_by_asc(form::Column::Id)
        .all(db)
        .await?;
    rows.iter().map(definitions::summary).collect()
}

/// A form to fill now.
pub async fn open_form(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<FormDetail> {
    let family = family(db, principal).await?;
    let row = definitions::find(db, principal.ente_id, id).await?;
    fillable(&row, &family, now)?;
    definitions::detail_of(db, row).await
}

async fn upload_ids<C: ConnectionTrait>(db: &C, row: &submission::Model) -> ApiResult<Vec<i64>> {
    Ok(upload::Entity::find_in_ente(row.ente_id)
        .filter(upload::Column::SubmissionId.eq(row.id))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}

/// The file `upload_id` attached to the submission `row`.
pub async fn attachment_of(
    db: &DatabaseConnection,
    row: &submission::Model,
    upload_id: i64,
) -> ApiResult<upload::Model> {
    upload::Entity::find_in_ente(row.ente_id)
        .filter(upload::Column::SubmissionId.eq(row.id))
        .filter(upload::Column::Id.eq(upload_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A file the family attached to one of its submissions.
pub async fn attachment(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
    upload_id: i64,
) -> ApiResult<upload::Model> {
    let family = family(db, principal).await?;
    attachment_of(db, &find_own(db, &family, id).await?, upload_id).await
}

pub fn parse_answers(row: &submission::Model) -> ApiResult<Answers> {
    serde_json::from_str(&row.answers)
        .map_err(|e| ApiError::internal(format!("submission {} answers: {e}", row.id)))
}

fn stored(answers: &Answers) -> ApiResult<String> {
    serde_json::to_string(answers).map_err(ApiError::internal)
}

/// Records a state change: who, when, with the note.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    row: &submission::Model,
    state: SubmissionState,
    actor_id: i64,
    note: Option<String>,
    now: OffsetDateTime,
) -> ApiResult<()> {
    insert_event(db, row, state, Some(actor_id), note, now).await
}

/// Who moved a submission when no person did: pagoPA's receipt.
const PAGOPA: &str = "pagoPA";

/// Records a state change by a user, or by pagoPA (`actor_id` none).
async fn insert_event<C: ConnectionTrait>(
    db: &C,
    row: &submission::Model,
    state: SubmissionState,
    actor_id: Option<i64>,
    note: Option<String>,
    now: OffsetDateTime,
) -> ApiResult<()> {
    event::ActiveModel {
        ente_id: Set(row.ente_id),
        submission_id: Set(row.id),
        state: Set(state),
        actor_id: Set(actor_id),
        at: Set(now),
        note: Set(note),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Moves a submission by `action` to its next state with the operator's `note` (none
/// clears an earlier one), in one statement that fails (0 rows) when another request
/// moved it first; the caller's transaction records the event.
pub async fn transition<C: ConnectionTrait>(
    db: &C,
    row: &submission::Model,
    action: SubmissionAction,
    note: Option<&str>,
    now: OffsetDateTime,
) -> ApiResult<SubmissionState> {
    let to = row
        .state
        .after(action)
        .ok_or_else(|| ApiError::Conflict(row.state.refusal(action)))?;
    let from: Vec<SubmissionState> = SubmissionState::ALL
        .into_iter()
        .filter(|s| s.after(action) == Some(to))
        .collect();
    let moved = submission::Entity::update_many()
        .col_expr(submission::Column::State, Expr::value(to.as_str()))
        .col_expr(submission::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            submission::Column::OperatorNote,
            Expr::value(note.map(str::to_owned)),
        )
        .filter(submission::Column::EnteId.eq(row.ente_id))
        .filter(submission::Column::Id.eq(row.id))
        .filter(submission::Column::State.is_in(from))
        .exec(db)
        .await?
        .rows_affected;
    if moved == 0 {
        let now_in = submission::Entity::find_in_ente(row.ente_id)
            .filter(submission::Column::Id.eq(row.id))
            .one(db)
            .await?
            .ok_or(ApiError::NotFound)?;
        return Err(ApiError::Conflict(now_in.state.refusal(action)));
    }
    Ok(to)
}

/// Starts a submission as a draft with the answers given so far.
pub async fn start(
    db: &DatabaseConnection,
    principal: &Principal,
    form_id: i64,
    answers: Answers,
    now: OffsetDateTime,
) -> ApiResult<SubmissionDetail> {
    let family = family(db, principal).await?;
    let row = definitions::find(db, principal.ente_id, form_id).await?;
    let definition = fillable(&row, &family, now)?;
    let context = AnswerContext {
        today: rome::today(now),
        children: &family.children,
        uploads: &[],
    };
    ApiError::check(check_answers(&definition, &answers, Stage::Draft, &context))?;
    let answers = renewed(db, &family, &definition, answers, now).await?;
    let txn = db.begin().await?;
    let saved = submission::ActiveModel {
        ente_id: Set(principal.ente_id),
        form_id: Set(row.id),
        family_id: Set(family.guardian_id),
        child_id: Set(None),
        state: Set(SubmissionState::Saved),
        answers: Set(stored(&answers)?),
        protocol_number: Set(None),
        sent_at: Set(None),
        operator_note: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    record(
        &txn,
        &saved,
        SubmissionState::Saved,
        principal.user_id,
        None,
        now,
    )
    .await?;
    txn.commit().await?;
    detail_of(db, saved, rome::today(now)).await
}

/// A renewal: when a form that enrols is started for one of the family's children
/// enrolled this school year in its service, the answers the family has not given yet
/// come from that card (the same school, the next class, the same diet).
async fn renewed(
    db: &DatabaseConnection,
    family: &Family,
    definition: &FormDefinition,
    mut answers: Answers,
    now: OffsetDateTime,
) -> ApiResult<Answers> {
    let (Some(service_id), Some(ChildAnswer::ChildId(child_id))) =
        (definition.service_id, definition.child_answer(&answers))
    else {
        return Ok(answers);
    };
    if !family.children.contains(&child_id) {
        return Ok(answers);
    }
    let card = enrolled_on(family.ente_id, service_id, rome::today(now))
        .filter(enrolment::Column::ChildId.eq(child_id))
        .one(db)
        .await?;
    if let Some(card) = card {
        let places = Places::of_ente(db, family.ente_id).await?;
        definition.renew(
            &mut answers,
            &places.school(card.school_id),
            &places.class(card.class_id),
            card.meal_type,
        );
    }
    Ok(answers)
}

/// What a family changes in a submission only while it is a draft (Salvata).
#[derive(Debug, Clone, Copy)]
enum DraftChange {
    Save,
    Attach,
    Detach,
}

/// The family's submission `id` for `change`: 409 once it is no longer a draft (sent or
/// cancelled), saying what can no longer be done.
async fn own_draft(
    db: &DatabaseConnection,
    family: &Family,
    id: i64,
    change: DraftChange,
) -> ApiResult<submission::Model> {
    let row = find_own(db, family, id).await?;
    if row.state == SubmissionState::Saved {
        return Ok(row);
    }
    let refused = match change {
        DraftChange::Save => "non si può più modificare",
        DraftChange::Attach => "non si possono più allegare documenti",
        DraftChange::Detach => "i documenti allegati non si possono più togliere",
    };
    Err(ApiError::Conflict(format!(
        "La domanda è «{}»: {refused}.",
        row.state.label()
    )))
}

/// Saves the answers of a draft (resumed later, from any device).
pub async fn save(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
    answers: Answers,
    now: OffsetDateTime,
) -> ApiResult<SubmissionDetail> {
    let family = family(db, principal).await?;
    let row = own_draft(db, &family, id, DraftChange::Save).await?;
    let form_row = definitions::find(db, principal.ente_id, row.form_id).await?;
    let definition = fillable(&form_row, &family, now)?;
    let uploads = upload_ids(db, &row).await?;
    let context = AnswerContext {
        today: rome::today(now),
        children: &family.children,
        uploads: &uploads,
    };
    ApiError::check(check_answers(&definition, &answers, Stage::Draft, &context))?;
    let moved = submission::Entity::update_many()
        .col_expr(submission::Column::Answers, Expr::value(stored(&answers)?))
        .col_expr(submission::Column::UpdatedAt, Expr::value(now))
        .filter(submission::Column::EnteId.eq(row.ente_id))
        .filter(submission::Column::Id.eq(row.id))
        .filter(submission::Column::State.eq(SubmissionState::Saved))
        .exec(db)
        .await?
        .rows_affected;
    if moved == 0 {
        return Err(ApiError::Conflict(
            "La domanda è stata appena inviata o cancellata: non si può più modificare.".into(),
        ));
    }
    detail_of(db, find_own(db, &family, id).await?, rome::today(now)).await
}

/// What the enrolment gate asks to settle first: the family's account of the prepaid
/// service the form enrols into, when the form requires it settled and it is negative.
struct Unsettled {
    service: service::Model,
    due_cents: i64,
}

impl Unsettled {
    fn refusal(&self) -> String {
        format!(
            "Per iscriversi occorre saldare {} del conto {}.",
            euro_cents(self.due_cents),
            self.service.name
        )
    }
}

async fn unsettled(
    db: &DatabaseConnection,
    ente_id: EnteId,
    guardian_id: i64,
    definition: &FormDefinition,
) -> ApiResult<Option<Unsettled>> {
    let Some(service_id) = definition
        .service_id
        .filter(|_| definition.requires_settled_account)
    else {
        return Ok(None);
    };
    let Some(account) = find_account(db, ente_id, guardian_id, service_id).await? else {
        return Ok(None);
    };
    if account.balance_cents >= 0 {
        return Ok(None);
    }
    let service = service::Entity::find_in_ente(ente_id)
        .filter(service::Column::Id.eq(service_id))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal("the service of a form vanished"))?;
    Ok(Some(Unsettled {
        service,
        due_cents: -account.balance_cents,
    }))
}

/// The existing child a submission is for, and what a sent one is the only one of for
/// its family and form (the `once_key` of the unique index over the submissions in
/// force): that child, or the family for a form per family; a new child has none.
pub fn sent_keys(definition: &FormDefinition, answers: &Answers) -> (Option<i64>, Option<String>) {
    let child_id = match definition.child_answer(answers) {
        Some(ChildAnswer::ChildId(id)) => Some(id),
        _ => None,
    };
    let once_key = match (child_id, definition.scope) {
        (Some(id), _) => Some(format!("child:{id}")),
        (None, FormScope::PerFamily) => Some("family".to_owned()),
        (None, _) => None,
    };
    (child_id, once_key)
}

/// A draft checked for sending: complete and valid answers, within the window.
struct Ready {
    row: submission::Model,
    definition: FormDefinition,
    child_id: Option<i64>,
    once_key: Option<String>,
}

/// The draft `row` checked for sending by `action` (Invia, or Paga e invia).
async fn ready(
    db: &DatabaseConnection,
    family: &Family,
    row: submission::Model,
    action: SubmissionAction,
    now: OffsetDateTime,
) -> ApiResult<Ready> {
    if row.state != SubmissionState::Saved {
        return Err(ApiError::Conflict(row.state.refusal(action)));
    }
    let form_row = definitions::find(db, family.ente_id, row.form_id).await?;
    let definition = fillable(&form_row, family, now)?;
    let answers = parse_answers(&row)?;
    let uploads = upload_ids(db, &row).await?;
    let context = AnswerContext {
        today: rome::today(now),
        children: &family.children,
        uploads: &uploads,
    };
    ApiError::check(check_answers(&definition, &answers, Stage::Send, &context))?;
    let (child_id, once_key) = sent_keys(&definition, &answers);
    Ok(Ready {
        row,
        definition,
        child_id,
        once_key,
    })
}

/// Marks the draft as sent into `to` (Inviata, or Sospesa per insoluto) with its
/// protocol number, in one statement that fails (0 rows) when another request sent or
/// cancelled it first, and records the event. Returns the protocol number, or none when
/// it was not moved.
async fn mark_sent<C: ConnectionTrait>(
    txn: &C,
    ready: &Ready,
    to: SubmissionState,
    actor_id: i64,
    now: OffsetDateTime,
) -> ApiResult<Option<String>> {
    let row = &ready.row;
    let protocol = protocol_number(rome::today(now), row.id);
    let moved = submission::Entity::update_many()
        .col_expr(submission::Column::State, Expr::value(to.as_str()))
        .col_expr(
            submission::Column::ProtocolNumber,
            Expr::value(protocol.clone()),
        )
        .col_expr(submission::Column::SentAt, Expr::value(now))
        .col_expr(submission::Column::ChildId, Expr::value(ready.child_id))
        .col_expr(
            submission::Column::OnceKey,
            Expr::value(ready.once_key.clone()),
        )
        .col_expr(submission::Column::UpdatedAt, Expr::value(now))
        .filter(submission::Column::EnteId.eq(row.ente_id))
        .filter(submission::Column::Id.eq(row.id))
        .filter(submission::Column::State.eq(SubmissionState::Saved))
        .exec(txn)
        .await
        .map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => ApiError::Conflict(
                "Hai già inviato questo modulo: trovi la domanda in «I miei moduli».".into(),
            ),
            _ => e.into(),
        })?
        .rows_affected;
    if moved == 0 {
        return Ok(None);
    }
    record(txn, row, to, actor_id, None, now).await?;
    Ok(Some(protocol))
}

/// Queues the e-mail confirming to the family's guardian that the submission was sent.
async fn confirm_by_email<C: ConnectionTrait>(
    txn: &C,
    family: &Family,
    title: &str,
    comune: &str,
    protocol: &str,
    now: OffsetDateTime,
) -> ApiResult<()> {
    let guardian = user::Entity::find_in_ente(family.ente_id)
        .filter(user::Column::Id.eq(family.guardian_id))
        .one(txn)
        .await?;
    let Some((name, email)) = guardian.and_then(|g| Some((g.full_name(), g.email?))) else {
        return Ok(());
    };
    let local = rome::local(now);
    let body = format!(
        "Gentile {name},\n\nla domanda «{title}» è stata inviata al {comune} il {} alle {} con il numero di protocollo {protocol}.\n\nPuoi seguirne lo stato e scaricarne la copia in PDF da «I miei moduli» dello Sportello.\n",
        italian_date(local.date()),
        hour_minute(local.time()),
    );
    enqueue_email(
        txn,
        family.ente_id,
        &email,
        &format!("Domanda inviata: {title}"),
        &body,
        now,
    )
    .await?;
    Ok(())
}

/// Sends a draft: complete and valid answers, within the window, past the enrolment
/// gate; it gets its protocol number and the family a confirmation e-mail.
pub async fn send(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
    comune: &str,
    now: OffsetDateTime,
) -> ApiResult<SubmissionDetail> {
    let family = family(db, principal).await?;
    let row = find_own(db, &family, id).await?;
    let ready = ready(db, &family, row, SubmissionAction::Send, now).await?;
    if let Some(debt) = unsettled(db, family.ente_id, family.guardian_id, &ready.definition).await?
    {
        return Err(ApiError::AccountToSettle(debt.refusal()));
    }
    let txn = db.begin().await?;
    let Some(protocol) =
        mark_sent(&txn, &ready, SubmissionState::Sent, principal.user_id, now).await?
    else {
        return Err(ApiError::Conflict(
            "La domanda è già stata inviata o cancellata.".into(),
        ));
    };
    confirm_by_email(
        &txn,
        &family,
        &ready.definition.title,
        comune,
        &protocol,
        now,
    )
    .await?;
    txn.commit().await?;
    detail_of(db, find_own(db, &family, id).await?, rome::today(now)).await
}

/// «Paga e invia»: sends a draft that the enrolment gate alone stops, with ONE pagoPA
/// notice for exactly the amount due: a recharge of the family's account of the service,
/// so that paying it brings the balance to zero. The submission gets its protocol number
/// (it counts as sent: one per child) and waits, Sospesa per insoluto, until pagoPA's
/// receipt of the notice moves it to Da validare ([`notice_paid`]). Asked again, by a
/// retry or at the same moment, it answers the same submission with the same notice.
pub async fn pay_and_send(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    principal: &Principal,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<SubmissionDetail> {
    let today = rome::today(now);
    let family = family(db, principal).await?;
    let row = find_own(db, &family, id).await?;
    if row.state == SubmissionState::SuspendedUnpaid {
        return detail_of(db, row, today).await;
    }
    let ready = ready(db, &family, row, SubmissionAction::Settle, now).await?;
    let Some(debt) = unsettled(db, family.ente_id, family.guardian_id, &ready.definition).await?
    else {
        return Err(ApiError::Conflict(
            "Il conto del servizio è in regola: invia la domanda con «Invia».".into(),
        ));
    };
    let ente = ente_by_id(db, family.ente_id).await?;
    let guardian = user::Entity::find_in_ente(family.ente_id)
        .filter(user::Column::Id.eq(family.guardian_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let txn = db.begin().await?;
    // The move comes first: of two requests at once, the second waits on it, finds the
    // draft already moved and answers with the notice the first one made.
    let Some(protocol) = mark_sent(
        &txn,
        &ready,
        SubmissionState::SuspendedUnpaid,
        principal.user_id,
        now,
    )
    .await?
    else {
        txn.rollback().await?;
        let row = find_own(db, &family, id).await?;
        return match row.state {
            SubmissionState::SuspendedUnpaid => detail_of(db, row, today).await,
            state => Err(ApiError::Conflict(state.refusal(SubmissionAction::Settle))),
        };
    };
    let notice = notices::create(
        &txn,
        &ente,
        NewNotice::recharge(&debt.service, &guardian, debt.due_cents, false, today),
        now,
    )
    .await?;
    submission::Entity::update_many()
        .col_expr(submission::Column::NoticeId, Expr::value(notice.id))
        .filter(submission::Column::EnteId.eq(family.ente_id))
        .filter(submission::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    confirm_by_email(
        &txn,
        &family,
        &ready.definition.title,
        &ente.name,
        &protocol,
        now,
    )
    .await?;
    notices::register_and_commit(txn, gateway, &ente, &notice, &guardian).await?;
    detail_of(db, find_own(db, &family, id).await?, today).await
}

/// pagoPA's receipt of `notice` is being applied in `txn`, beside its ledger movement: the
/// submission sent by «Paga e invia» that waits for it moves on to Da validare, with
/// pagoPA as who moved it.
pub async fn notice_paid<C: ConnectionTrait>(
    txn: &C,
    notice: &payment_notice::Model,
    at: OffsetDateTime,
) -> ApiResult<()> {
    let waiting = submission::Entity::find_in_ente(notice.ente_id)
        .filter(submission::Column::NoticeId.eq(notice.id))
        .filter(submission::Column::State.eq(SubmissionState::SuspendedUnpaid))
        .one(txn)
        .await?;
    let Some(row) = waiting else {
        return Ok(());
    };
    let state = transition(txn, &row, SubmissionAction::NoticePaid, None, at).await?;
    let note = format!(
        "Pagato l'avviso {} di {}.",
        notice.notice_number,
        euro_cents(notice.amount_cents)
    );
    insert_event(txn, &row, state, None, Some(note), at).await
}

/// Cancels a submission the comune has not processed yet (a draft, one just sent, or one
/// waiting for its notice, which is withdrawn from pagoPA first so it can no longer be
/// paid).
pub async fn cancel(
    db: &DatabaseConnection,
    gateway: Option<&dyn PaymentGateway>,
    principal: &Principal,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<SubmissionDetail> {
    let today = rome::today(now);
    let family = family(db, principal).await?;
    let row = find_own(db, &family, id).await?;
    if let (SubmissionState::SuspendedUnpaid, Some(notice_id)) = (row.state, row.notice_id) {
        let notice =
            notices::find_for_guardian(db, family.ente_id, family.guardian_id, notice_id).await?;
        if notices::status(&notice, today) == NoticeStatus::Open {
            let gateway = gateway.ok_or_else(notices::pagopa_unavailable)?;
            let ente = ente_by_id(db, family.ente_id).await?;
            notices::cancel(db, gateway, &ente, &notice).await?;
        }
    }
    let txn = db.begin().await?;
    let state = transition(&txn, &row, SubmissionAction::Cancel, None, now).await?;
    record(&txn, &row, state, principal.user_id, None, now).await?;
    txn.commit().await?;
    detail_of(db, find_own(db, &family, id).await?, today).await
}

pub async fn mine(
    db: &DatabaseConnection,
    principal: &Principal,
    paging: PageRequest,
    now: OffsetDateTime,
) -> ApiResult<Page<SubmissionSummary>> {
    let family = family(db, principal).await?;
    let paginator = visible(&family)
        .order_by_desc(submission::Column::UpdatedAt)
        .order_by_desc(submission::Column::Id)
        .paginate(db, paging.per_page);
    let page = fetch_page(paginator, paging, |row| row).await?;
    Ok(Page {
        items: summaries(db, principal.ente_id, page.items, rome::today(now)).await?,
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    })
}

pub async fn mine_detail(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<SubmissionDetail> {
    let family = family(db, principal).await?;
    detail_of(db, find_own(db, &family, id).await?, rome::today(now)).await
}

/// The copy of a sent submission as a PDF: the comune, the protocol number and every
/// answer as the family gave it.
pub async fn pdf(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
    comune: &str,
) -> ApiResult<(String, Vec<u8>)> {
    let family = family(db, principal).await?;
    let row = find_own(db, &family, id).await?;
    let (Some(protocol), Some(sent_at)) = (row.protocol_number.clone(), row.sent_at) else {
        return Err(ApiError::Conflict(
            "La copia in PDF è disponibile dopo l'invio della domanda.".into(),
        ));
    };
    let form_row = definitions::find(db, row.ente_id, row.form_id).await?;
    let definition = definition_of(&form_row)?;
    let answers = parse_answers(&row)?;
    let (children, files) = names(db, &row).await?;
    let sent = rome::local(sent_at);
    let mut paragraphs = vec![
        comune.to_owned(),
        format!(
            "Domanda n. {protocol} inviata il {} alle {}. Stato: {}.",
            italian_date(sent.date()),
            hour_minute(sent.time()),
            row.state.label()
        ),
        format!("Anno scolastico {}.", definition.school_year),
    ];
    for section in &definition.sections {
        paragraphs.push(section.title.to_uppercase());
        for field in &section.fields {
            if let Some(value) = answers.get(&field.key) {
                let text = render_answer(
                    field,
                    value,
                    &|id| children.get(&id).cloned().unwrap_or_default(),
                    &|id| files.get(&id).cloned().unwrap_or_default(),
                );
                paragraphs.push(format!("{}: {text}", field.label));
            }
        }
    }
    Ok((
        format!("domanda-{}.pdf", protocol.replace('/', "-")),
        crate::pdf::text_document(&definition.title, &paragraphs),
    ))
}

/// The names of the family's children and of the submission's files, for reading
/// answers.
pub async fn names(
    db: &DatabaseConnection,
    row: &submission::Model,
) -> ApiResult<(HashMap<i64, String>, HashMap<i64, String>)> {
    let children = child::Entity::find_in_ente(row.ente_id)
        .filter(child::Column::GuardianId.eq(row.family_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, format!("{} {}", c.first_name, c.last_name)))
        .collect();
    let files = upload::Entity::find_in_ente(row.ente_id)
        .filter(upload::Column::SubmissionId.eq(row.id))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.file_name))
        .collect();
    Ok((children, files))
}

/// Attaches a file to a draft for the field `field` (an attachment, or a diet's medical
/// certificate): PDF, JPEG or PNG as its content says, within the field's size.
pub async fn attach(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
    field: &str,
    file_name: &str,
    content: Vec<u8>,
    now: OffsetDateTime,
) -> ApiResult<UploadInfo> {
    let family = family(db, principal).await?;
    let row = own_draft(db, &family, id, DraftChange::Attach).await?;
    let form_row = definitions::find(db, principal.ente_id, row.form_id).await?;
    let definition = fillable(&form_row, &family, now)?;
    let max_bytes = match definition.field(field).map(|f| &f.kind) {
        Some(FieldKind::Upload { max_bytes }) => *max_bytes,
        Some(FieldKind::Diet) => DIET_CERTIFICATE_MAX_BYTES,
        _ => {
            return Err(ApiError::field(
                "field",
                "Il modulo non ha un allegato con questo codice.",
            ))
        }
    };
    let (name, content_type) = checked_upload(file_name, &content, max_bytes)?;
    let saved = upload::ActiveModel {
        ente_id: Set(row.ente_id),
        submission_id: Set(row.id),
        file_name: Set(name),
        content_type: Set(content_type.to_owned()),
        size_bytes: Set(content.len() as i64),
        content: Set(content),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(UploadInfo {
        id: saved.id,
        file_name: saved.file_name,
        content_type: saved.content_type,
        size_bytes: saved.size_bytes,
    })
}

/// Removes a file from a draft (the family chose another one, or none).
pub async fn detach(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
    upload_id: i64,
    now: OffsetDateTime,
) -> ApiResult<SubmissionDetail> {
    let family = family(db, principal).await?;
    let row = own_draft(db, &family, id, DraftChange::Detach).await?;
    let file = attachment_of(db, &row, upload_id).await?;
    upload::Entity::delete_many()
        .filter(upload::Column::EnteId.eq(row.ente_id))
        .filter(upload::Column::SubmissionId.eq(row.id))
        .filter(upload::Column::Id.eq(file.id))
        .exec(db)
        .await?;
    detail_of(db, row, rome::today(now)).await
}

/// Submissions as listed: form title, family and child names, state, the notice one
/// sent by «Paga e invia» waits for (its status as seen on `today`).
pub async fn summaries(
    db: &DatabaseConnection,
    ente_id: EnteId,
    rows: Vec<submission::Model>,
    today: Date,
) -> ApiResult<Vec<SubmissionSummary>> {
    let forms: HashMap<i64, FormDefinition> = form::Entity::find_in_ente(ente_id)
        .filter(form::Column::Id.is_in(rows.iter().map(|r| r.form_id)))
        .all(db)
        .await?
        .iter()
        .map(|f| Ok((f.id, definition_of(f)?)))
        .collect::<ApiResult<_>>()?;
    let families: HashMap<i64, String> = user::Entity::find_in_ente(ente_id)
        .filter(user::Column::Id.is_in(rows.iter().map(|r| r.family_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.full_name()))
        .collect();
    let mut places = super::ranking::places(db, ente_id, rows.iter().map(|r| r.id)).await?;
    let parsed = rows
        .iter()
        .map(|row| {
            let definition = forms
                .get(&row.form_id)
                .ok_or_else(|| ApiError::internal("submission without its form"))?;
            Ok((definition, definition.child_answer(&parse_answers(row)?)))
        })
        .collect::<ApiResult<Vec<_>>>()?;
    // The child of a sent submission, or the one its draft names among the family's.
    let named = parsed.iter().filter_map(|(_, answer)| match answer {
        Some(ChildAnswer::ChildId(id)) => Some(*id),
        _ => None,
    });
    let children: HashMap<i64, (i64, String)> = child::Entity::find_in_ente(ente_id)
        .filter(child::Column::Id.is_in(rows.iter().filter_map(|r| r.child_id).chain(named)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| {
            let name = format!("{} {}", c.first_name, c.last_name);
            (c.id, (c.guardian_id, name))
        })
        .collect();
    let mut awaited: HashMap<i64, payment_notice::Model> =
        payment_notice::Entity::find_in_ente(ente_id)
            .filter(payment_notice::Column::Id.is_in(rows.iter().filter_map(|r| r.notice_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|n| (n.id, n))
            .collect();
    rows.into_iter()
        .zip(parsed)
        .map(|(row, (definition, answer))| {
            let child_name = match (row.child_id, answer) {
                (Some(id), _) => children.get(&id).map(|(_, name)| name.clone()),
                (None, Some(ChildAnswer::ChildId(id))) => children
                    .get(&id)
                    .filter(|(guardian, _)| *guardian == row.family_id)
                    .map(|(_, name)| name.clone()),
                (None, Some(ChildAnswer::NewChild(new))) => Some(format!(
                    "{} {}",
                    new.first_name.trim(),
                    new.last_name.trim()
                )),
                _ => None,
            };
            Ok(SubmissionSummary {
                id: row.id,
                form_id: row.form_id,
                form_title: definition.title.clone(),
                state: row.state,
                state_label: row.state.label().into(),
                family_name: families.get(&row.family_id).cloned().unwrap_or_default(),
                child_name,
                protocol_number: row.protocol_number,
                sent_at: row.sent_at,
                operator_note: row.operator_note,
                ranking: places.remove(&row.id),
                updated_at: row.updated_at,
                notice: row.notice_id.and_then(|id| awaited.remove(&id)).map(|n| {
                    SubmissionNotice {
                        checkout_url: paths::absolute(&paths::notice_checkout(n.id)),
                        notice: notices::dto(n, today),
                    }
                }),
            })
        })
        .collect()
}

/// A submission with its answers, attachments and history.
pub async fn detail_of(
    db: &DatabaseConnection,
    row: submission::Model,
    today: Date,
) -> ApiResult<SubmissionDetail> {
    let answers = parse_answers(&row)?;
    let uploads = upload::Entity::find_in_ente(row.ente_id)
        .filter(upload::Column::SubmissionId.eq(row.id))
        .order_by_asc(upload::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| UploadInfo {
            id: u.id,
            file_name: u.file_name,
            content_type: u.content_type,
            size_bytes: u.size_bytes,
        })
        .collect();
    let events = event::Entity::find_in_ente(row.ente_id)
        .filter(event::Column::SubmissionId.eq(row.id))
        .order_by_asc(event::Column::Id)
        .all(db)
        .await?;
    let actors: HashMap<i64, String> = user::Entity::find_in_ente(row.ente_id)
        .filter(user::Column::Id.is_in(events.iter().filter_map(|e| e.actor_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.full_name()))
        .collect();
    let history = events
        .into_iter()
        .map(|e| SubmissionEvent {
            state: e.state,
            actor_name: match e.actor_id {
                Some(id) => actors.get(&id).cloned().unwrap_or_default(),
                None => PAGOPA.to_owned(),
            },
            at: e.at,
            note: e.note,
        })
        .collect();
    let ente_id = row.ente_id;
    let summary = summaries(db, ente_id, vec![row], today)
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("summary of one submission"))?;
    Ok(SubmissionDetail {
        summary,
        answers,
        uploads,
        history,
    })
}
