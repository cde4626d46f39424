//! Operators review the submissions of a form: the list with filters, a detail with
//! attachments and history, the CSV export, and the decisions — accept (which, for a
//! form that enrols, creates the child when new and the card for the form's school year
//! in the same transaction), refuse, block, "da validare". Drafts are the family's own
//! and never shown here.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QueryTrait, SqlErr, TransactionTrait,
};
use sportello_model::children::MealType;
use sportello_model::entes::ServiceKind;
use sportello_model::format::{date as italian_date, hour_minute};
use sportello_model::forms::{
    render_answer, AcceptRequest, ChildAnswer, EnrolmentTerms, FormDefinition, NewChild,
    SubmissionAction, SubmissionDetail, SubmissionState, SubmissionSummary,
};
use sportello_model::page::PageRequest;
use sportello_model::{dates, rome, FiscalCode, Page};
use time::{Date, OffsetDateTime};

use super::definitions::{self, definition_of};
use super::entity::{submission, upload};
use super::submissions::{attachment_of, detail_of, names, record, summaries, transition};
use crate::auth::Principal;
use crate::children::entity::{child, enrolment};
use crate::db::{fetch_page, EnteId, TenantScoped};
use crate::entes::entity::service;
use crate::error::{ApiError, ApiResult};

/// States an operator sees: everything sent.
const SEEN: [SubmissionState; 6] = [
    SubmissionState::Sent,
    SubmissionState::SuspendedUnpaid,
    SubmissionState::ToValidate,
    SubmissionState::Accepted,
    SubmissionState::Refused,
    SubmissionState::Blocked,
];

/// What the list of a form's submissions is narrowed to.
pub struct Filter {
    pub state: Option<SubmissionState>,
    /// Sent on or after / on or before these Rome days.
    pub sent_from: Option<Date>,
    pub sent_to: Option<Date>,
}

async fn find(db: &DatabaseConnection, ente_id: EnteId, id: i64) -> ApiResult<submission::Model> {
    submission::Entity::find_in_ente(ente_id)
        .filter(submission::Column::Id.eq(id))
        .filter(submission::Column::State.is_in(SEEN))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

pub async fn list(
    db: &DatabaseConnection,
    ente_id: EnteId,
    form_id: i64,
    filter: Filter,
    paging: PageRequest,
    today: Date,
) -> ApiResult<Page<SubmissionSummary>> {
    let form_row = definitions::find(db, ente_id, form_id).await?;
    let start = |day: Date| rome::to_utc(day.midnight());
    let paginator = submission::Entity::find_in_ente(ente_id)
        .filter(submission::Column::FormId.eq(form_row.id))
        .filter(submission::Column::State.is_in(SEEN))
        .apply_if(filter.state, |q, state| {
            q.filter(submission::Column::State.eq(state))
        })
        .apply_if(filter.sent_from, |q, day| {
            q.filter(submission::Column::SentAt.gte(start(day)))
        })
        .apply_if(filter.sent_to.and_then(|d| d.next_day()), |q, day| {
            q.filter(submission::Column::SentAt.lt(start(day)))
        })
        .order_by_asc(submission::Column::SentAt)
        .order_by_asc(submission::Column::Id)
        .paginate(db, paging.per_page);
    let page = fetch_page(paginator, paging, |row| row).await?;
    Ok(Page {
        items: summaries(db, ente_id, page.items, today).await?,
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    })
}

pub async fn detail(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
    today: Date,
) -> ApiResult<SubmissionDetail> {
    detail_of(db, find(db, ente_id, id).await?, today).await
}

/// A file attached to a submission: its name, type and content.
pub async fn attachment(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
    upload_id: i64,
) -> ApiResult<upload::Model> {
    attachment_of(db, &find(db, ente_id, id).await?, upload_id).await
}

/// Refuses, blocks or puts "da validare" with the operator's reason or note, which the
/// family reads.
pub async fn decide(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
    action: SubmissionAction,
    note: &str,
    now: OffsetDateTime,
) -> ApiResult<SubmissionDetail> {
    let note = note.trim();
    if note.is_empty() {
        return Err(ApiError::field(
            "note",
            "Scrivi il motivo: la famiglia lo leggerà in «I miei moduli».",
        ));
    }
    let row = find(db, principal.ente_id, id).await?;
    let txn = db.begin().await?;
    let state = transition(&txn, &row, action, Some(note), now).await?;
    record(
        &txn,
        &row,
        state,
        principal.user_id,
        Some(note.to_owned()),
        now,
    )
    .await?;
    txn.commit().await?;
    detail(db, principal.ente_id, id, rome::today(now)).await
}

/// Accepts a submission. For a form that enrols into a service it creates, in the same
/// transaction, the child when new and the card for the form's school year: two accepts
/// at once move the submission once (the state change is one conditional statement),
/// and a card is unique per child, service and school year and per submission.
pub async fn accept(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
    request: &AcceptRequest,
    now: OffsetDateTime,
) -> ApiResult<SubmissionDetail> {
    let row = find(db, principal.ente_id, id).await?;
    let form_row = definitions::find(db, principal.ente_id, row.form_id).await?;
    let definition = definition_of(&form_row)?;
    let terms = match definition.service_id {
        Some(_) => Some(request.terms().map_err(ApiError::Validation)?),
        None => None,
    };
    let txn = db.begin().await?;
    let state = transition(&txn, &row, SubmissionAction::Accept, None, now).await?;
    if let (Some(service_id), Some(terms)) = (definition.service_id, terms) {
        enrol(&txn, &row, &definition, service_id, terms).await?;
    }
    record(&txn, &row, state, principal.user_id, None, now).await?;
    txn.commit().await?;
    detail(db, principal.ente_id, id, rome::today(now)).await
}

async fn enrol(
    txn: &DatabaseTransaction,
    row: &submission::Model,
    definition: &FormDefinition,
    service_id: i64,
    terms: EnrolmentTerms,
) -> ApiResult<()> {
    let answers = serde_json::from_str(&row.answers).map_err(ApiError::internal)?;
    let child = match definition.child_answer(&answers) {
        Some(ChildAnswer::ChildId(child_id)) => child::Entity::find_in_ente(row.ente_id)
            .filter(child::Column::Id.eq(child_id))
            .filter(child::Column::GuardianId.eq(row.family_id))
            .one(txn)
            .await?
            .ok_or_else(|| {
                ApiError::Conflict("Il figlio indicato non risulta più della famiglia.".into())
            })?,
        Some(ChildAnswer::NewChild(new)) => new_child(txn, row, &new).await?,
        None => return Err(ApiError::internal("enrolment form without a child answer")),
    };
    let place = definition
        .school_class_answer(&answers)
        .ok_or_else(|| ApiError::internal("enrolment form without a school answer"))?;
    let service = service::Entity::find_in_ente(row.ente_id)
        .filter(service::Column::Id.eq(service_id))
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let meal_type = match service.kind {
        ServiceKind::Prepaid => definition
            .diet_answer(&answers)
            .map_or(MealType::Base, |d| d.meal_type),
        ServiceKind::Emissions => MealType::NoMeals,
    };
    let inserted = enrolment::ActiveModel {
        ente_id: Set(row.ente_id),
        child_id: Set(child.id),
        service_id: Set(service.id),
        badge: Set(terms.badge),
        school: Set(place.school),
        class_name: Set(place.class_name),
        fee_band: Set(terms.fee_band),
        quota_cents: Set(terms.quota_cents),
        meal_price_cents: Set(terms.meal_price_cents),
        meal_type: Set(meal_type),
        active: Set(true),
        school_year: Set(definition.school_year),
        submission_id: Set(Some(row.id)),
        ..Default::default()
    }
    .insert(txn)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(ApiError::Conflict(format!(
                "{} {} ha già la scheda del servizio {} per l'anno scolastico {}.",
                child.first_name, child.last_name, service.name, definition.school_year
            )))
        }
        Err(e) => return Err(e.into()),
    }
    submission::Entity::update_many()
        .col_expr(submission::Column::ChildId, Expr::value(child.id))
        .filter(submission::Column::EnteId.eq(row.ente_id))
        .filter(submission::Column::Id.eq(row.id))
        .exec(txn)
        .await?;
    Ok(())
}

/// The child a submission names as new: registered with the family, or the family's
/// own when the comune knows the codice fiscale already.
async fn new_child(
    txn: &DatabaseTransaction,
    row: &submission::Model,
    new: &NewChild,
) -> ApiResult<child::Model> {
    let fiscal_code = FiscalCode::parse(&new.fiscal_code)
        .map_err(|e| ApiError::Conflict(format!("Il codice fiscale del figlio: {e}")))?;
    let birth_date = dates::parse_day(&new.birth_date)
        .map_err(|e| ApiError::Conflict(format!("La data di nascita del figlio: {e}")))?;
    let known = child::Entity::find_in_ente(row.ente_id)
        .filter(child::Column::FiscalCode.eq(fiscal_code.clone()))
        .one(txn)
        .await?;
    if let Some(known) = known {
        return if known.guardian_id == row.family_id {
            Ok(known)
        } else {
            Err(ApiError::Conflict(
                "Un bambino con questo codice fiscale è registrato con un'altra famiglia: l'iscrizione va verificata con l'ufficio.".into(),
            ))
        };
    }
    Ok(child::ActiveModel {
        ente_id: Set(row.ente_id),
        guardian_id: Set(row.family_id),
        first_name: Set(new.first_name.trim().to_owned()),
        last_name: Set(new.last_name.trim().to_owned()),
        sex: Set(fiscal_code.sex()),
        fiscal_code: Set(fiscal_code),
        birth_date: Set(birth_date),
        birth_place: Set(String::new()),
        address: Set(String::new()),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}

/// Every sent submission of a form as CSV: one row each, one column per question, `;`
/// between columns and a UTF-8 byte order mark so that Excel reads the accents.
pub async fn export_csv(
    db: &DatabaseConnection,
    ente_id: EnteId,
    form_id: i64,
    today: Date,
) -> ApiResult<(String, Vec<u8>)> {
    let form_row = definitions::find(db, ente_id, form_id).await?;
    let definition = definition_of(&form_row)?;
    let rows = submission::Entity::find_in_ente(ente_id)
        .filter(submission::Column::FormId.eq(form_row.id))
        .filter(submission::Column::State.is_in(SEEN))
        .order_by_asc(submission::Column::SentAt)
        .order_by_asc(submission::Column::Id)
        .all(db)
        .await?;
    let mut body = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(&mut body);
        let mut header: Vec<String> = [
            "Protocollo",
            "Inviata il",
            "Stato",
            "Intestatario",
            "Figlio",
        ]
        .map(String::from)
        .to_vec();
        header.extend(definition.fields().map(|f| f.label.clone()));
        header.push("Motivo o nota dell'ufficio".into());
        writer.write_record(&header).map_err(ApiError::internal)?;
        let listed = summaries(db, ente_id, rows.clone(), today).await?;
        for (row, summary) in rows.iter().zip(listed) {
            let answers = serde_json::from_str::<sportello_model::forms::Answers>(&row.answers)
                .map_err(ApiError::internal)?;
            let (children, files) = names(db, row).await?;
            let sent = summary
                .sent_at
                .map(rome::local)
                .map(|t| format!("{} {}", italian_date(t.date()), hour_minute(t.time())))
                .unwrap_or_default();
            let mut record = vec![
                summary.protocol_number.clone().unwrap_or_default(),
                sent,
                summary.state_label.clone(),
                summary.family_name.clone(),
                summary.child_name.clone().unwrap_or_default(),
            ];
            record.extend(definition.fields().map(|field| {
                answers
                    .get(&field.key)
                    .map(|value| {
                        render_answer(
                            field,
                            value,
                            &|id| children.get(&id).cloned().unwrap_or_default(),
                            &|id| files.get(&id).cloned().unwrap_or_default(),
                        )
                    })
                    .unwrap_or_default()
            }));
            record.push(summary.operator_note.clone().unwrap_or_default());
            writer.write_record(&record).map_err(ApiError::internal)?;
        }
        writer.flush().map_err(ApiError::internal)?;
    }
    Ok((format!("domande-modulo-{}.csv", form_row.id), body))
}
