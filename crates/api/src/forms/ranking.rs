//! Graduatorie: a ranking form's submissions in force ordered by their points
//! (`model::forms::points_of`), ties broken by the time sent; publishing stores the
//! positions of that moment, which families then see beside their submission.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, SqlErr, TransactionTrait,
};
use sportello_model::format::date as italian_date;
use sportello_model::forms::{
    points_of, ranking_order, FormDefinition, Ranking, RankingEntry, RankingPlace, SubmissionState,
    SubmissionSummary,
};
use sportello_model::rome;
use time::{Date, OffsetDateTime};

use super::definitions::{self, definition_of};
use super::entity::{form, ranking, submission};
use super::submissions::{parse_answers, summaries};
use crate::db::{EnteId, TenantScoped};
use crate::error::{ApiError, ApiResult};

/// The submissions a graduatoria ranks: sent and not refused, blocked or cancelled.
const RANKED: [SubmissionState; 3] = [
    SubmissionState::Sent,
    SubmissionState::ToValidate,
    SubmissionState::Accepted,
];

/// A ranking form of the ente, with its definition; 409 for a form without points.
async fn ranking_form<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    id: i64,
) -> ApiResult<(form::Model, FormDefinition)> {
    let row = definitions::find(db, ente_id, id).await?;
    let definition = definition_of(&row)?;
    if !definition.is_ranking() {
        return Err(ApiError::Conflict(
            "Il modulo non assegna punteggi alle risposte: non ha una graduatoria.".into(),
        ));
    }
    Ok((row, definition))
}

fn entry(position: u32, points: u32, summary: SubmissionSummary) -> ApiResult<RankingEntry> {
    Ok(RankingEntry {
        position,
        points,
        submission_id: summary.id,
        protocol_number: summary
            .protocol_number
            .ok_or_else(|| ApiError::internal("ranked submission without protocol"))?,
        family_name: summary.family_name,
        child_name: summary.child_name,
        state: summary.state,
        state_label: summary.state_label,
        sent_at: summary
            .sent_at
            .ok_or_else(|| ApiError::internal("ranked submission not sent"))?,
    })
}

/// The graduatoria as it stands now.
async fn current(
    db: &DatabaseConnection,
    ente_id: EnteId,
    form_row: &form::Model,
    definition: &FormDefinition,
    today: Date,
) -> ApiResult<Vec<RankingEntry>> {
    let rows = submission::Entity::find_in_ente(ente_id)
        .filter(submission::Column::FormId.eq(form_row.id))
        .filter(submission::Column::State.is_in(RANKED))
        .all(db)
        .await?;
    let mut scored = rows
        .iter()
        .map(|row| {
            let points = points_of(definition, &parse_answers(row)?);
            Ok((points, row.sent_at.unwrap_or(row.updated_at), row.id))
        })
        .collect::<ApiResult<Vec<_>>>()?;
    scored.sort_by(|a, b| ranking_order(*a, *b));
    let mut names: HashMap<i64, SubmissionSummary> = summaries(db, ente_id, rows, today)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    scored
        .into_iter()
        .zip(1..)
        .map(|((points, _, id), position)| {
            let summary = names
                .remove(&id)
                .ok_or_else(|| ApiError::internal("ranked submission without summary"))?;
            entry(position, points, summary)
        })
        .collect()
}

/// The graduatoria as published.
async fn published(
    db: &DatabaseConnection,
    ente_id: EnteId,
    stored: Vec<ranking::Model>,
    today: Date,
) -> ApiResult<Vec<RankingEntry>> {
    let rows = submission::Entity::find_in_ente(ente_id)
        .filter(submission::Column::Id.is_in(stored.iter().map(|r| r.submission_id)))
        .all(db)
        .await?;
    let mut names: HashMap<i64, SubmissionSummary> = summaries(db, ente_id, rows, today)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    stored
        .into_iter()
        .map(|place| {
            let summary = names
                .remove(&place.submission_id)
                .ok_or_else(|| ApiError::internal("ranked submission without summary"))?;
            entry(place.position as u32, place.points as u32, summary)
        })
        .collect()
}

async fn stored<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    form_id: i64,
) -> ApiResult<Vec<ranking::Model>> {
    Ok(ranking::Entity::find_in_ente(ente_id)
        .filter(ranking::Column::FormId.eq(form_id))
        .order_by_asc(ranking::Column::Position)
        .all(db)
        .await?)
}

/// A form's graduatoria: as published, or as it stands now until then.
pub async fn get(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
    today: Date,
) -> ApiResult<Ranking> {
    let (row, definition) = ranking_form(db, ente_id, id).await?;
    let places = stored(db, ente_id, row.id).await?;
    let published_at = places.first().map(|p| p.published_at);
    let entries = if places.is_empty() {
        current(db, ente_id, &row, &definition, today).await?
    } else {
        published(db, ente_id, places, today).await?
    };
    Ok(Ranking {
        form_id: row.id,
        form_title: definition.title,
        published_at,
        entries,
    })
}

fn already_published(at: OffsetDateTime) -> ApiError {
    ApiError::Conflict(format!(
        "La graduatoria è già stata pubblicata il {}.",
        italian_date(rome::local(at).date())
    ))
}

/// Publishes the graduatoria as it stands at `now`: its positions are stored and the
/// families see theirs. Once only: a form's positions are unique, so a second publish,
/// also at the same moment, is refused (409).
pub async fn publish(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<Ranking> {
    let (row, definition) = ranking_form(db, ente_id, id).await?;
    if let Some(place) = stored(db, ente_id, row.id).await?.first() {
        return Err(already_published(place.published_at));
    }
    let entries = current(db, ente_id, &row, &definition, rome::today(now)).await?;
    if entries.is_empty() {
        return Err(ApiError::Conflict(
            "Non ci sono domande inviate da mettere in graduatoria.".into(),
        ));
    }
    let txn = db.begin().await?;
    let inserted = ranking::Entity::insert_many(entries.iter().map(|e| ranking::ActiveModel {
        ente_id: Set(ente_id),
        form_id: Set(row.id),
        submission_id: Set(e.submission_id),
        position: Set(e.position as i32),
        points: Set(e.points as i32),
        published_at: Set(now),
        ..Default::default()
    }))
    .exec(&txn)
    .await;
    match inserted {
        Ok(_) => txn.commit().await?,
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(already_published(now))
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Ranking {
        form_id: row.id,
        form_title: definition.title,
        published_at: Some(now),
        entries,
    })
}

/// The published places of `submissions`, by submission id.
pub async fn places<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    submissions: impl IntoIterator<Item = i64>,
) -> ApiResult<HashMap<i64, RankingPlace>> {
    let places = ranking::Entity::find_in_ente(ente_id)
        .filter(ranking::Column::SubmissionId.is_in(submissions))
        .all(db)
        .await?;
    if places.is_empty() {
        return Ok(HashMap::new());
    }
    let sizes: HashMap<i64, i64> = ranking::Entity::find_in_ente(ente_id)
        .filter(ranking::Column::FormId.is_in(places.iter().map(|p| p.form_id)))
        .select_only()
        .column(ranking::Column::FormId)
        .column_as(Expr::col(ranking::Column::Id).count(), "size")
        .group_by(ranking::Column::FormId)
        .into_tuple::<(i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(places
        .into_iter()
        .map(|p| {
            let place = RankingPlace {
                position: p.position as u32,
                points: p.points as u32,
                of: sizes.get(&p.form_id).copied().unwrap_or_default() as u32,
            };
            (p.submission_id, place)
        })
        .collect())
}
