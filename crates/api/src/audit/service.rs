//! Reading the Registro attività: the comune's rows, newest first, filtered by person,
//! family and days (Europe/Rome), page by page or whole as CSV.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, DatabaseConnection, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use sportello_model::audit::{self, AuditEvent, AuditFilter};
use sportello_model::page::PageRequest;
use sportello_model::{format, rome, Page};
use time::OffsetDateTime;

use super::entity::audit_event;
use crate::accounts::entity::user;
use crate::db::{fetch_page, EnteId, TenantScoped};
use crate::error::ApiResult;
use crate::reports::service::csv_file;

/// The most rows one CSV file holds (the newest).
pub const CSV_MAX_ROWS: u64 = 50_000;

fn filtered(ente_id: EnteId, filter: AuditFilter) -> Select<audit_event::Entity> {
    let mut select = audit_event::Entity::find_in_ente(ente_id);
    if let Some(actor) = filter.actor {
        select = select.filter(audit_event::Column::ActorId.eq(actor));
    }
    if let Some(family) = filter.family {
        select = select.filter(audit_event::Column::FamilyId.eq(family));
    }
    if let Some(from) = filter.from {
        select = select.filter(audit_event::Column::At.gte(rome::to_utc(from.midnight())));
    }
    if let Some(to) = filter.to {
        let next = to.next_day().unwrap_or(to).midnight();
        select = select.filter(audit_event::Column::At.lt(rome::to_utc(next)));
    }
    select
        .order_by_desc(audit_event::Column::At)
        .order_by_desc(audit_event::Column::Id)
}

fn json(text: Option<String>) -> Option<serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

fn view(row: audit_event::Model, families: &HashMap<i64, String>) -> AuditEvent {
    AuditEvent {
        id: row.id,
        at: row.at,
        actor_id: row.actor_id,
        actor_name: row.actor_name,
        actor_role: row.actor_role,
        label: audit::label(&row.operation)
            .map(str::to_owned)
            .unwrap_or_else(|| row.operation.clone()),
        operation: row.operation,
        method: row.method,
        route: row.route,
        target: json(Some(row.target)).unwrap_or_default(),
        family_name: row.family_id.and_then(|id| families.get(&id).cloned()),
        family_id: row.family_id,
        before: json(row.before),
        after: json(row.after),
        status: u16::try_from(row.status).unwrap_or_default(),
    }
}

/// The names of the families (guardians) of `rows`.
async fn family_names(
    db: &DatabaseConnection,
    ente_id: EnteId,
    rows: &[audit_event::Model],
) -> ApiResult<HashMap<i64, String>> {
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.family_id).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(user::Entity::find_in_ente(ente_id)
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.full_name()))
        .collect())
}

/// A page of the comune's rows.
pub async fn list(
    db: &DatabaseConnection,
    ente_id: EnteId,
    filter: AuditFilter,
    paging: PageRequest,
) -> ApiResult<Page<AuditEvent>> {
    let paginator = filtered(ente_id, filter).paginate(db, paging.per_page);
    let page = fetch_page(paginator, paging, |row| row).await?;
    let families = family_names(db, ente_id, &page.items).await?;
    Ok(Page {
        items: page.items.into_iter().map(|r| view(r, &families)).collect(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    })
}

const CSV_HEADER: [&str; 8] = [
    "Data e ora",
    "Persona",
    "Ruolo",
    "Operazione",
    "Famiglia",
    "Destinazione",
    "Prima",
    "Dopo",
];

/// The rows of the filters as CSV (`;`, UTF-8 with BOM), newest first, at most
/// [`CSV_MAX_ROWS`].
pub async fn csv(
    db: &DatabaseConnection,
    ente_id: EnteId,
    filter: AuditFilter,
    now: OffsetDateTime,
) -> ApiResult<(String, Vec<u8>)> {
    let rows = filtered(ente_id, filter)
        .limit(CSV_MAX_ROWS)
        .all(db)
        .await?;
    let families = family_names(db, ente_id, &rows).await?;
    let text =
        |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    let body = csv_file(
        CSV_HEADER,
        rows.into_iter().map(|row| {
            let event = view(row, &families);
            [
                format::date_time(event.at),
                event.actor_name.clone(),
                event.actor_role.label().to_owned(),
                event.label.clone(),
                event.family_name.clone().unwrap_or_default(),
                event.target.to_string(),
                text(&event.before),
                text(&event.after),
            ]
        }),
    )?;
    let day = rome::today(now);
    Ok((format!("registro-attivita-{day}.csv"), body))
}
