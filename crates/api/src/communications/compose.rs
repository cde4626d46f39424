//! Operators compose a communication: the audience (a service's, a school's or a
//! class's families this school year, the families with a negative balance, or families
//! chosen by name), the text, an optional attachment, the preview with the number of
//! recipients, then the sending — one letter per family in one transaction, once per
//! request id — and the history with how many families have read each.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, SqlErr, TransactionTrait,
};
use sportello_model::auth::Role;
use sportello_model::forms::UploadInfo;
use sportello_model::letters::{
    body_html, Audience, AudienceChoices, CommunicationPreview, CommunicationSummary, FamilyChoice,
    NewCommunication, SchoolClasses, ATTACHMENT_MAX_BYTES,
};
use sportello_model::page::PageRequest;
use sportello_model::school_year::SchoolYear;
use sportello_model::{rome, FieldError, Page};
use time::OffsetDateTime;

use super::entity::{communication, letter, letter_attachment};
use super::letters::{info, write, Outgoing, Recipient, Sender};
use crate::accounts::entity::user;
use crate::auth::Principal;
use crate::children::entity::{child, enrolment};
use crate::children::service::{cards_on, enrolled_on};
use crate::db::{fetch_page, EnteId, TenantScoped};
use crate::entes::entity::service;
use crate::entes::service::service_dto;
use crate::error::{ApiError, ApiResult};
use crate::http::checked_upload;
use crate::payments::entity::prepaid_account;
use crate::schools::service::Places;

/// Families a search answers at most.
const SEARCH_RESULTS: u64 = 20;

/// The families of the children `cards` names, each with those children.
async fn families_of_cards(
    db: &DatabaseConnection,
    ente_id: EnteId,
    cards: Select<enrolment::Entity>,
) -> ApiResult<Vec<Recipient>> {
    let pairs: Vec<(i64, i64)> = child::Entity::find_in_ente(ente_id)
        .select_only()
        .column(child::Column::GuardianId)
        .column(child::Column::Id)
        .filter(
            child::Column::Id.in_subquery(
                cards
                    .select_only()
                    .column(enrolment::Column::ChildId)
                    .into_query(),
            ),
        )
        .into_tuple()
        .all(db)
        .await?;
    let mut families: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for (guardian_id, child_id) in pairs {
        families.entry(guardian_id).or_default().insert(child_id);
    }
    active_guardians(db, ente_id, families).await
}

/// The families of `families` whose guardian's account is active.
async fn active_guardians(
    db: &DatabaseConnection,
    ente_id: EnteId,
    families: BTreeMap<i64, BTreeSet<i64>>,
) -> ApiResult<Vec<Recipient>> {
    let inactive: BTreeSet<i64> = user::Entity::find_in_ente(ente_id)
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Role.eq(Role::Guardian))
        .filter(user::Column::Active.eq(false))
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(families
        .into_iter()
        .filter(|(guardian_id, _)| !inactive.contains(guardian_id))
        .map(|(guardian_id, children)| Recipient {
            guardian_id,
            children: children.into_iter().collect(),
        })
        .collect())
}

async fn find_service(
    db: &DatabaseConnection,
    ente_id: EnteId,
    service_id: i64,
) -> ApiResult<service::Model> {
    service::Entity::find_in_ente(ente_id)
        .filter(service::Column::Id.eq(service_id))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::field("audience.service_id", "Il servizio scelto non esiste."))
}

/// The families an audience names today, and its Italian description.
async fn recipients(
    db: &DatabaseConnection,
    ente_id: EnteId,
    audience: &Audience,
    now: OffsetDateTime,
) -> ApiResult<(Vec<Recipient>, String)> {
    let today = rome::today(now);
    let found = match audience {
        Audience::Service { service_id } => {
            let service = find_service(db, ente_id, *service_id).await?;
            let families =
                families_of_cards(db, ente_id, enrolled_on(ente_id, service.id, today)).await?;
            return Ok((families, audience.describe(Some(&service.name))));
        }
        Audience::School { school } => {
            let places = Places::of_ente(db, ente_id).await?;
            let cards = cards_on(ente_id, today)
                .filter(enrolment::Column::SchoolId.is_in(places.school_named(school)));
            families_of_cards(db, ente_id, cards).await?
        }
        Audience::Class { school, class_name } => {
            let places = Places::of_ente(db, ente_id).await?;
            let class = places.school_named(school).and_then(|school_id| {
                places.class_named(school_id, SchoolYear::containing(today), class_name)
            });
            let cards = cards_on(ente_id, today).filter(enrolment::Column::ClassId.is_in(class));
            families_of_cards(db, ente_id, cards).await?
        }
        Audience::NegativeBalance => {
            let guardians: BTreeSet<i64> = prepaid_account::Entity::find_in_ente(ente_id)
                .select_only()
                .column(prepaid_account::Column::GuardianId)
                .filter(prepaid_account::Column::BalanceCents.lt(0))
                .into_tuple::<i64>()
                .all(db)
                .await?
                .into_iter()
                .collect();
            let families = guardians
                .into_iter()
                .map(|g| (g, BTreeSet::new()))
                .collect();
            active_guardians(db, ente_id, families).await?
        }
        Audience::Families { guardian_ids } => {
            let chosen: BTreeSet<i64> = guardian_ids.iter().copied().collect();
            let known: BTreeSet<i64> = user::Entity::find_in_ente(ente_id)
                .select_only()
                .column(user::Column::Id)
                .filter(user::Column::Id.is_in(chosen.iter().copied()))
                .filter(user::Column::Role.eq(Role::Guardian))
                .filter(user::Column::Active.eq(true))
                .into_tuple::<i64>()
                .all(db)
                .await?
                .into_iter()
                .collect();
            if known != chosen {
                return Err(ApiError::field(
                    "audience.guardian_ids",
                    "Una delle famiglie scelte non risulta tra le famiglie del comune.",
                ));
            }
            known
                .into_iter()
                .map(|guardian_id| Recipient {
                    guardian_id,
                    children: Vec::new(),
                })
                .collect()
        }
    };
    Ok((found, audience.describe(None)))
}

async fn find_attachment(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: Option<i64>,
) -> ApiResult<()> {
    let Some(id) = id else {
        return Ok(());
    };
    letter_attachment::Entity::find_in_ente(ente_id)
        .filter(letter_attachment::Column::Id.eq(id))
        .count(db)
        .await?
        .eq(&1)
        .then_some(())
        .ok_or_else(|| ApiError::field("attachment_id", "L'allegato indicato non esiste."))
}

/// *Anteprima*: the letter as the family will see it and how many families get it.
pub async fn preview(
    db: &DatabaseConnection,
    ente_id: EnteId,
    request: &NewCommunication,
    now: OffsetDateTime,
) -> ApiResult<CommunicationPreview> {
    find_attachment(db, ente_id, request.attachment_id).await?;
    let (families, audience_label) = recipients(db, ente_id, &request.audience, now).await?;
    Ok(CommunicationPreview {
        recipients: families.len() as u64,
        audience_label,
        kind_label: request.kind.label().into(),
        title: request.title.trim().into(),
        body_html: body_html(request.body.trim()),
    })
}

fn no_family() -> ApiError {
    ApiError::Validation(vec![FieldError::new(
        "audience",
        "Nessuna famiglia corrisponde ai destinatari scelti: la comunicazione non è stata inviata.",
    )])
}

async fn already_sent(
    db: &DatabaseConnection,
    ente_id: EnteId,
    request_key: &str,
) -> ApiResult<Option<communication::Model>> {
    Ok(communication::Entity::find_in_ente(ente_id)
        .filter(communication::Column::RequestKey.eq(request_key))
        .one(db)
        .await?)
}

/// *Invia*: one letter per family of the audience, with their messages, in one
/// transaction. The same request id sends once: a retry or a second click gets the
/// communication the first made. Returns it and whether it is new.
pub async fn send(
    db: &DatabaseConnection,
    principal: &Principal,
    sender: &Sender,
    request: &NewCommunication,
    now: OffsetDateTime,
) -> ApiResult<(CommunicationSummary, bool)> {
    let ente_id = principal.ente_id;
    // The key starts with the ente, so one comune's key never names another's row.
    let request_key = format!("{}:{}", ente_id.get(), request.request_id.trim());
    if let Some(done) = already_sent(db, ente_id, &request_key).await? {
        return Ok((summary(db, done).await?, false));
    }
    find_attachment(db, ente_id, request.attachment_id).await?;
    let (families, audience_label) = recipients(db, ente_id, &request.audience, now).await?;
    if families.is_empty() {
        return Err(no_family());
    }
    let txn = db.begin().await?;
    let inserted = communication::ActiveModel {
        ente_id: Set(ente_id),
        request_key: Set(request_key.clone()),
        author_id: Set(principal.user_id),
        kind: Set(request.kind),
        title: Set(request.title.trim().to_owned()),
        body: Set(request.body.trim().to_owned()),
        audience: Set(serde_json::to_string(&request.audience).map_err(ApiError::internal)?),
        audience_label: Set(audience_label),
        urgent: Set(request.urgent),
        attachment_id: Set(request.attachment_id),
        recipients: Set(families.len() as i64),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let row = match inserted {
        Ok(row) => row,
        Err(err) => {
            txn.rollback().await?;
            // The same request, sent again while the first was being written.
            if !matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
                return Err(err.into());
            }
            let done = already_sent(db, ente_id, &request_key)
                .await?
                .ok_or_else(|| ApiError::internal("request key vanished"))?;
            return Ok((summary(db, done).await?, false));
        }
    };
    write(
        &txn,
        &Outgoing {
            ente_id,
            sender,
            communication_id: Some(row.id),
            kind: row.kind,
            title: &row.title,
            body: &row.body,
            attachment_id: row.attachment_id,
            urgent: row.urgent,
            payment_data: None,
        },
        &families,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok((summary(db, row).await?, true))
}

async fn read_counts(
    db: &DatabaseConnection,
    ente_id: EnteId,
    ids: Vec<i64>,
) -> ApiResult<BTreeMap<i64, i64>> {
    let counts: Vec<(Option<i64>, i64)> = letter::Entity::find_in_ente(ente_id)
        .select_only()
        .column(letter::Column::CommunicationId)
        .column_as(Expr::col(letter::Column::Id).count(), "read")
        .filter(letter::Column::CommunicationId.is_in(ids))
        .filter(letter::Column::ReadAt.is_not_null())
        .group_by(letter::Column::CommunicationId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .filter_map(|(id, n)| id.map(|id| (id, n)))
        .collect())
}

fn summary_of(row: communication::Model, read: i64) -> CommunicationSummary {
    CommunicationSummary {
        id: row.id,
        kind: row.kind,
        kind_label: row.kind.label().into(),
        title: row.title,
        audience_label: row.audience_label,
        urgent: row.urgent,
        sent_at: row.created_at,
        recipients: row.recipients as u64,
        read: read as u64,
    }
}

async fn summary(
    db: &DatabaseConnection,
    row: communication::Model,
) -> ApiResult<CommunicationSummary> {
    let read = read_counts(db, row.ente_id, vec![row.id]).await?;
    let n = read.get(&row.id).copied().unwrap_or(0);
    Ok(summary_of(row, n))
}

/// The communications sent, newest first, with recipients and how many have read.
pub async fn history(
    db: &DatabaseConnection,
    ente_id: EnteId,
    paging: PageRequest,
) -> ApiResult<Page<CommunicationSummary>> {
    let paginator = communication::Entity::find_in_ente(ente_id)
        .order_by_desc(communication::Column::CreatedAt)
        .order_by_desc(communication::Column::Id)
        .paginate(db, paging.per_page);
    let page = fetch_page(paginator, paging, |row| row).await?;
    let read = read_counts(db, ente_id, page.items.iter().map(|c| c.id).collect()).await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|row| {
                let n = read.get(&row.id).copied().unwrap_or(0);
                summary_of(row, n)
            })
            .collect(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    })
}

/// Families whose guardian's name or codice fiscale holds every word of `text`.
pub async fn search_families(
    db: &DatabaseConnection,
    ente_id: EnteId,
    text: &str,
) -> ApiResult<Vec<FamilyChoice>> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| format!("%{}%", w.to_lowercase().replace(['%', '_'], "")))
        .filter(|w| w.len() > 2)
        .collect();
    if words.is_empty() {
        return Err(ApiError::field(
            "q",
            "Scrivi almeno una parola del nome, del cognome o del codice fiscale.",
        ));
    }
    let lower = |column: user::Column| Expr::expr(Func::lower(Expr::col(column)));
    let mut query = user::Entity::find_in_ente(ente_id)
        .filter(user::Column::Role.eq(Role::Guardian))
        .filter(user::Column::Active.eq(true));
    for word in words {
        query = query.filter(
            lower(user::Column::FirstName)
                .like(word.clone())
                .or(lower(user::Column::LastName).like(word.clone()))
                .or(lower(user::Column::FiscalCode).like(word)),
        );
    }
    Ok(query
        .order_by_asc(user::Column::LastName)
        .order_by_asc(user::Column::FirstName)
        .limit(SEARCH_RESULTS)
        .all(db)
        .await?
        .into_iter()
        .map(|u| FamilyChoice {
            guardian_id: u.id,
            name: u.full_name(),
            fiscal_code: u.fiscal_code.to_string(),
        })
        .collect())
}

/// The services, and the schools with their classes of this school year's cards.
pub async fn audience_choices(
    db: &DatabaseConnection,
    ente_id: EnteId,
    now: OffsetDateTime,
) -> ApiResult<AudienceChoices> {
    let services = service::Entity::find_in_ente(ente_id)
        .order_by_asc(service::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(service_dto)
        .collect();
    let cards: Vec<(Option<i64>, Option<i64>)> = cards_on(ente_id, rome::today(now))
        .select_only()
        .column(enrolment::Column::SchoolId)
        .column(enrolment::Column::ClassId)
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    let places = Places::of_ente(db, ente_id).await?;
    let mut schools: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (school_id, class_id) in cards {
        let class_name = places.class(class_id);
        let classes = schools.entry(places.school(school_id)).or_default();
        if !class_name.trim().is_empty() {
            classes.insert(class_name);
        }
    }
    Ok(AudienceChoices {
        services,
        schools: schools
            .into_iter()
            .filter(|(school, _)| !school.trim().is_empty())
            .map(|(school, classes)| SchoolClasses {
                school,
                classes: classes.into_iter().collect(),
            })
            .collect(),
    })
}

/// Keeps a file to attach to a communication: PDF, JPEG or PNG by its content.
pub async fn attach(
    db: &DatabaseConnection,
    principal: &Principal,
    file_name: &str,
    content: Vec<u8>,
    now: OffsetDateTime,
) -> ApiResult<UploadInfo> {
    let (name, content_type) = checked_upload(file_name, &content, ATTACHMENT_MAX_BYTES)?;
    let saved = letter_attachment::ActiveModel {
        ente_id: Set(principal.ente_id),
        file_name: Set(name),
        content_type: Set(content_type.to_owned()),
        size_bytes: Set(content.len() as i64),
        content: Set(content),
        uploaded_by: Set(principal.user_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(info(&saved))
}
