//! Operators review the submissions of a form: the list with filters and the counts per
//! state, a detail with attachments and history, the CSV export, and the decisions —
//! accept (which, for a form that enrols, creates the child when new and the card for
//! the form's school year in the same transaction, its band and amounts from the ISEE
//! declared unless the operator sets them), accept in bulk, refuse, block, "da validare".
//! Drafts are the family's own and never shown here.

use std::collections::HashSet;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QueryTrait, SqlErr, TransactionTrait,
};
use sportello_model::children::MealType;
use sportello_model::entes::ServiceKind;
use sportello_model::format::{date as italian_date, hour_minute};
use sportello_model::forms::{
    render_answer, AcceptRequest, Answers, BulkOutcome, ChildAnswer, Decision, EnrolmentProposal,
    EnrolmentTerms, FormDefinition, NewChild, StateCount, SubmissionAction, SubmissionDetail,
    SubmissionState, SubmissionSummary,
};
use sportello_model::letters::LetterKind;
use sportello_model::page::PageRequest;
use sportello_model::{dates, rome, FiscalCode, Page};
use time::{Date, OffsetDateTime};

use super::definitions::{self, definition_of};
use super::entity::{submission, upload};
use super::submissions::{attachment_of, detail_of, names, record, summaries, transition};
use crate::auth::Principal;
use crate::children::entity::{child, enrolment};
use crate::communications::letters::{self, Outgoing, Recipient, Sender};
use crate::db::{EnteId, TenantScoped};
use crate::entes::entity::service;
use crate::entes::service::fee_bands;
use crate::error::{ApiError, ApiResult};
use crate::schools::service::Places;

/// Badges given on accepting are this plus the child's id.
const GENERATED_BADGE_BASE: i64 = 900_000;

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
    /// The school answered.
    pub school: Option<String>,
    /// Words found in the family's or the child's name or in the protocol number.
    pub text: Option<String>,
}

impl Filter {
    /// Whether a listed submission with its answers passes the school and text filters.
    fn keeps(
        &self,
        definition: &FormDefinition,
        answers: &Answers,
        summary: &SubmissionSummary,
    ) -> bool {
        let school = self.school.as_deref().is_none_or(|wanted| {
            definition
                .school_class_answer(answers)
                .is_some_and(|place| place.school == wanted)
        });
        let text = self.text.as_deref().is_none_or(|text| {
            let haystack = [
                Some(summary.family_name.as_str()),
                summary.child_name.as_deref(),
                summary.protocol_number.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
            text.to_lowercase()
                .split_whitespace()
                .all(|word| haystack.contains(word))
        });
        school && text
    }
}

async fn find(db: &DatabaseConnection, ente_id: EnteId, id: i64) -> ApiResult<submission::Model> {
    submission::Entity::find_in_ente(ente_id)
        .filter(submission::Column::Id.eq(id))
        .filter(submission::Column::State.is_in(SEEN))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The sent submissions of a form, in the order they were sent, narrowed by state and
/// day sent in the query and by school and text on the answers and names read (a form's
/// submissions are at most the comune's families, a few thousand), then paged.
pub async fn list(
    db: &DatabaseConnection,
    ente_id: EnteId,
    form_id: i64,
    filter: Filter,
    paging: PageRequest,
    today: Date,
) -> ApiResult<Page<SubmissionSummary>> {
    let form_row = definitions::find(db, ente_id, form_id).await?;
    let definition = definition_of(&form_row)?;
    let start = |day: Date| rome::to_utc(day.midnight());
    let rows = submission::Entity::find_in_ente(ente_id)
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
        .all(db)
        .await?;
    let answers = rows
        .iter()
        .map(|row| serde_json::from_str::<Answers>(&row.answers).map_err(ApiError::internal))
        .collect::<ApiResult<Vec<_>>>()?;
    let kept: Vec<SubmissionSummary> = summaries(db, ente_id, rows, today)
        .await?
        .into_iter()
        .zip(answers)
        .filter(|(summary, answers)| filter.keeps(&definition, answers, summary))
        .map(|(summary, _)| summary)
        .collect();
    let total = kept.len() as u64;
    let skip = paging.offset().unwrap_or(u64::MAX);
    Ok(Page {
        items: kept
            .into_iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
            .take(usize::try_from(paging.per_page).unwrap_or(usize::MAX))
            .collect(),
        page: paging.page,
        per_page: paging.per_page,
        total,
    })
}

/// How many sent submissions of a form are in each state an operator sees.
pub async fn counts(
    db: &DatabaseConnection,
    ente_id: EnteId,
    form_id: i64,
) -> ApiResult<Vec<StateCount>> {
    let form_row = definitions::find(db, ente_id, form_id).await?;
    let mut counts = Vec::with_capacity(SEEN.len());
    for state in SEEN {
        let count = submission::Entity::find_in_ente(ente_id)
            .filter(submission::Column::FormId.eq(form_row.id))
            .filter(submission::Column::State.eq(state))
            .count(db)
            .await?;
        counts.push(StateCount {
            state,
            label: state.label().into(),
            count,
        });
    }
    Ok(counts)
}

pub async fn detail(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
    today: Date,
) -> ApiResult<SubmissionDetail> {
    detail_of(db, find(db, ente_id, id).await?, today).await
}

/// A submission of the comune as it is, with its family (the guardian's user id), for
/// the Registro attività.
pub async fn as_it_is(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
    today: Date,
) -> ApiResult<(i64, SubmissionDetail)> {
    let row = find(db, ente_id, id).await?;
    Ok((row.family_id, detail_of(db, row, today).await?))
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
    sender: &Sender,
    id: i64,
    action: SubmissionAction,
    decision: &Decision,
    now: OffsetDateTime,
) -> ApiResult<SubmissionDetail> {
    ApiError::check(decision.problems())?;
    let note = decision.note.trim();
    let row = find(db, principal.ente_id, id).await?;
    let form_row = definitions::find(db, principal.ente_id, row.form_id).await?;
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
    let outcome = Outcome {
        form_title: &form_row.title,
        state,
        note: Some(note),
        child_id: row.child_id,
    };
    tell_family(&txn, &row, outcome, sender, now).await?;
    txn.commit().await?;
    detail(db, principal.ente_id, id, rome::today(now)).await
}

/// What accepting a submission would enrol: the service's bands, the ISEE declared and
/// the terms the operator's form starts from.
pub async fn proposal(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
) -> ApiResult<EnrolmentProposal> {
    let row = find(db, ente_id, id).await?;
    let form_row = definitions::find(db, ente_id, row.form_id).await?;
    let definition = definition_of(&form_row)?;
    let answers: Answers = serde_json::from_str(&row.answers).map_err(ApiError::internal)?;
    let isee = definition.isee_answer(&answers);
    let Some(service_id) = definition.service_id else {
        return Ok(EnrolmentProposal {
            service_name: None,
            bands: Vec::new(),
            isee,
            suggested: AcceptRequest::default(),
        });
    };
    let service = service::Entity::find_in_ente(ente_id)
        .filter(service::Column::Id.eq(service_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let bands = fee_bands(db, ente_id, service_id).await?;
    Ok(EnrolmentProposal {
        service_name: Some(service.name),
        suggested: AcceptRequest::suggested(&bands, isee),
        bands,
        isee,
    })
}

/// Accepts a submission. For a form that enrols into a service it creates, in the same
/// transaction, the child when new and the card for the form's school year: two accepts
/// at once move the submission once (the state change is one conditional statement),
/// and a card is unique per child, service and school year and per submission.
pub async fn accept(
    db: &DatabaseConnection,
    principal: &Principal,
    sender: &Sender,
    id: i64,
    request: &AcceptRequest,
    now: OffsetDateTime,
) -> ApiResult<SubmissionDetail> {
    let row = find(db, principal.ente_id, id).await?;
    accept_row(db, principal, sender, &row, request, now).await?;
    detail(db, principal.ente_id, id, rome::today(now)).await
}

async fn accept_row(
    db: &DatabaseConnection,
    principal: &Principal,
    sender: &Sender,
    row: &submission::Model,
    request: &AcceptRequest,
    now: OffsetDateTime,
) -> ApiResult<()> {
    let form_row = definitions::find(db, principal.ente_id, row.form_id).await?;
    let definition = definition_of(&form_row)?;
    let terms = match definition.service_id {
        Some(service_id) => {
            let answers: Answers =
                serde_json::from_str(&row.answers).map_err(ApiError::internal)?;
            let bands = fee_bands(db, principal.ente_id, service_id).await?;
            Some(
                request
                    .terms(&bands, definition.isee_answer(&answers))
                    .map_err(ApiError::Validation)?,
            )
        }
        None => None,
    };
    let txn = db.begin().await?;
    let state = transition(&txn, row, SubmissionAction::Accept, None, now).await?;
    let child_id = match (definition.service_id, terms) {
        (Some(service_id), Some(terms)) => {
            Some(enrol(&txn, row, &definition, service_id, terms).await?)
        }
        _ => row.child_id,
    };
    record(&txn, row, state, principal.user_id, None, now).await?;
    let outcome = Outcome {
        form_title: &form_row.title,
        state,
        note: None,
        child_id,
    };
    tell_family(&txn, row, outcome, sender, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Accetta selezionate: each submission of the form accepted as by itself (its own
/// transaction, the band of its ISEE, a new badge), answering for each whether it was
/// and, when not, why. A failure of the database stops the rest: what was accepted
/// stays, and sending the same list again accepts only what is left.
pub async fn accept_many(
    db: &DatabaseConnection,
    principal: &Principal,
    sender: &Sender,
    form_id: i64,
    ids: &[i64],
    now: OffsetDateTime,
) -> ApiResult<Vec<BulkOutcome>> {
    if ids.is_empty() {
        return Err(ApiError::field(
            "ids",
            "Scegli almeno una domanda da accettare.",
        ));
    }
    let form_row = definitions::find(db, principal.ente_id, form_id).await?;
    let mut seen = HashSet::new();
    let mut outcomes = Vec::with_capacity(ids.len());
    for &id in ids.iter().filter(|id| seen.insert(**id)) {
        let accepted = match find(db, principal.ente_id, id).await {
            Ok(row) if row.form_id == form_row.id => {
                accept_row(db, principal, sender, &row, &AcceptRequest::default(), now).await
            }
            Ok(_) | Err(ApiError::NotFound) => Err(ApiError::Conflict(
                "La domanda non è tra quelle inviate per questo modulo.".into(),
            )),
            Err(other) => Err(other),
        };
        let (accepted, message) = match accepted {
            Ok(()) => (true, SubmissionState::Accepted.label().to_owned()),
            Err(ApiError::Validation(errors)) => (
                false,
                errors
                    .iter()
                    .map(|e| e.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Err(refused @ (ApiError::Conflict(_) | ApiError::NotFound)) => {
                (false, refused.problem().detail)
            }
            Err(other) => return Err(other),
        };
        outcomes.push(BulkOutcome {
            id,
            accepted,
            message,
        });
    }
    Ok(outcomes)
}

async fn enrol(
    txn: &DatabaseTransaction,
    row: &submission::Model,
    definition: &FormDefinition,
    service_id: i64,
    terms: EnrolmentTerms,
) -> ApiResult<i64> {
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
    let badge = badge_for(txn, &child, terms.badge).await?;
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
    let (school_id, class_id) = Places::of_ente(txn, row.ente_id)
        .await?
        .find_or_make(
            txn,
            definition.school_year,
            &place.school,
            &place.class_name,
        )
        .await?;
    let inserted = enrolment::ActiveModel {
        ente_id: Set(row.ente_id),
        child_id: Set(child.id),
        service_id: Set(service.id),
        badge: Set(badge),
        school_id: Set(school_id),
        class_id: Set(class_id),
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
    Ok(child.id)
}

/// The comune's decision on a submission, as the family's letter tells it.
struct Outcome<'a> {
    form_title: &'a str,
    state: SubmissionState,
    /// The operator's reason or note.
    note: Option<&'a str>,
    /// The child the submission is about, when there is one.
    child_id: Option<i64>,
}

/// Writes the family an "Esito modulo" letter about the decision, in the decision's
/// transaction.
async fn tell_family(
    txn: &DatabaseTransaction,
    row: &submission::Model,
    outcome: Outcome<'_>,
    sender: &Sender,
    now: OffsetDateTime,
) -> ApiResult<()> {
    let mut body = format!(
        "La domanda n. {} per il modulo «{}» è ora **{}**.",
        row.protocol_number.as_deref().unwrap_or_default(),
        outcome.form_title,
        outcome.state.label()
    );
    if let Some(note) = outcome.note {
        body.push_str(&format!("\n\nNota dell'ufficio: {note}"));
    }
    body.push_str("\n\nTrovi la domanda e la sua storia in «I miei moduli».");
    let title = format!("Esito della domanda: {}", outcome.form_title);
    letters::write(
        txn,
        &Outgoing {
            ente_id: row.ente_id,
            sender,
            communication_id: None,
            kind: LetterKind::FormOutcome,
            title: &title,
            body: &body,
            attachment_id: None,
            urgent: false,
            payment_data: None,
        },
        &[Recipient {
            guardian_id: row.family_id,
            children: outcome.child_id.into_iter().collect(),
        }],
        now,
    )
    .await?;
    Ok(())
}

/// The badge (tessera) of a child's new card: the one typed, else the child's own from
/// another card, else a new one made from the child's id (`900012`), so that two new
/// ones never meet. A badge is one child's in the comune: one already another child's is
/// refused.
async fn badge_for(
    txn: &DatabaseTransaction,
    child: &child::Model,
    typed: Option<String>,
) -> ApiResult<String> {
    let badge = match typed {
        Some(badge) => badge,
        None => match enrolment::Entity::find_in_ente(child.ente_id)
            .filter(enrolment::Column::ChildId.eq(child.id))
            .order_by_desc(enrolment::Column::Id)
            .one(txn)
            .await?
        {
            Some(card) => card.badge,
            None => format!("{}", GENERATED_BADGE_BASE + child.id),
        },
    };
    let taken = enrolment::Entity::find_in_ente(child.ente_id)
        .filter(enrolment::Column::Badge.eq(badge.as_str()))
        .filter(enrolment::Column::ChildId.ne(child.id))
        .count(txn)
        .await?;
    if taken > 0 {
        return Err(ApiError::field(
            "badge",
            format!("La tessera {badge} è già di un altro alunno: indicane un'altra."),
        ));
    }
    Ok(badge)
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
            let answers =
                serde_json::from_str::<Answers>(&row.answers).map_err(ApiError::internal)?;
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
