//! Reconciliation with the treasury: the flussi di rendicontazione (FdR) are imported —
//! from pagoPA's FdR service on a schedule, or as the XML file an operator downloaded —
//! and matched by IUV against the comune's paid notices (whose receipts were accepted).
//! The report lists receipts no flow has reported after the comune's grace days,
//! payments of a flow with no receipt, and payments whose amounts differ.
//!
//! A flow is stored once per flow id and revision (a unique key: importing it again
//! changes nothing); a later revision supersedes the earlier ones, whose payments then no
//! longer count.

use std::collections::HashMap;
use std::time::Duration;

use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use sportello_model::money::cents_to_decimal;
use sportello_model::page::PageRequest;
use sportello_model::payments::NoticeState;
use sportello_model::reconciliation::{
    flow_due_before, Discrepancy, DiscrepancyKind, FlowImported, FlowSource, FlowSummary,
};
use sportello_model::{rome, Page};
use sportello_pagopa::{FdrClient, Flow};
use time::{OffsetDateTime, PrimitiveDateTime, Time};

use super::entity::{fdr_flow, fdr_payment, payment_notice, receipt};
use crate::db::{fetch_page, upsert, EnteId, TenantScoped};
use crate::entes::entity::ente;
use crate::error::{ApiError, ApiResult};

/// Rows of payments inserted per statement (SQLite allows 32766 parameters).
const INSERT_CHUNK: usize = 500;
/// How far back the scheduled import looks for published flows.
const LOOK_BACK: Duration = Duration::from_secs(35 * 24 * 60 * 60);

fn summary(flow: fdr_flow::Model) -> FlowSummary {
    FlowSummary {
        id: flow.id,
        flow_id: flow.flow_id,
        revision: flow.revision,
        psp_id: flow.psp_id,
        flow_at: flow.flow_at,
        regulation_id: flow.regulation_id,
        regulation_date: flow.regulation_date,
        payments: flow.payment_count,
        total: cents_to_decimal(flow.total_cents),
        source: flow.source,
        imported_at: flow.imported_at,
        superseded: flow.superseded,
    }
}

/// Stores `flow` for the comune, unless the same flow and revision is already stored (then
/// nothing changes and `created` is false). Refuses a flow addressed to another comune.
pub async fn import(
    db: &DatabaseConnection,
    ente: &ente::Model,
    flow: &Flow,
    source: FlowSource,
    now: OffsetDateTime,
) -> ApiResult<FlowImported> {
    if flow.receiver != ente.fiscal_code.as_str() {
        return Err(ApiError::BadRequest(format!(
            "Il flusso {} è destinato all'ente con codice fiscale {}, non a {} ({}).",
            flow.flow_id, flow.receiver, ente.name, ente.fiscal_code
        )));
    }
    let ente_id = ente.ente_id();
    let txn = db.begin().await?;
    let created = upsert(
        &txn,
        [fdr_flow::ActiveModel {
            ente_id: Set(ente_id),
            flow_id: Set(flow.flow_id.clone()),
            revision: Set(flow.revision),
            psp_id: Set(flow.psp_id.clone()),
            flow_at: Set(flow.flow_at),
            regulation_id: Set(flow.regulation_id.clone()),
            regulation_date: Set(flow.regulation_date),
            payment_count: Set(flow.payments.len() as i64),
            total_cents: Set(flow.total_cents()),
            source: Set(source),
            superseded: Set(false),
            imported_at: Set(now),
            ..Default::default()
        }],
        [
            fdr_flow::Column::EnteId,
            fdr_flow::Column::FlowId,
            fdr_flow::Column::Revision,
        ],
        [],
    )
    .await?
        == 1;
    let same_flow = || {
        fdr_flow::Entity::find_in_ente(ente_id).filter(fdr_flow::Column::FlowId.eq(&flow.flow_id))
    };
    let stored = same_flow()
        .filter(fdr_flow::Column::Revision.eq(flow.revision))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::internal("flow vanished"))?;
    if created {
        for chunk in flow.payments.chunks(INSERT_CHUNK) {
            fdr_payment::Entity::insert_many(chunk.iter().map(|p| fdr_payment::ActiveModel {
                ente_id: Set(ente_id),
                flow_row_id: Set(stored.id),
                iuv: Set(p.iuv.clone()),
                iur: Set(p.iur.clone()),
                transfer_index: Set(p.transfer_index),
                amount_cents: Set(p.amount_cents),
                outcome: Set(p.outcome),
                paid_on: Set(p.day),
                ..Default::default()
            }))
            .exec_without_returning(&txn)
            .await?;
        }
        let latest: Option<i64> = same_flow()
            .select_only()
            .column_as(fdr_flow::Column::Revision.max(), "latest")
            .into_tuple::<Option<i64>>()
            .one(&txn)
            .await?
            .flatten();
        fdr_flow::Entity::update_many()
            .col_expr(fdr_flow::Column::Superseded, Expr::value(true))
            .filter(fdr_flow::Column::EnteId.eq(ente_id))
            .filter(fdr_flow::Column::FlowId.eq(&flow.flow_id))
            .filter(fdr_flow::Column::Revision.lt(latest.unwrap_or(flow.revision)))
            .exec(&txn)
            .await?;
    }
    let stored = same_flow()
        .filter(fdr_flow::Column::Id.eq(stored.id))
        .one(&txn)
        .await?
        .ok_or_else(|| ApiError::internal("flow vanished"))?;
    txn.commit().await?;
    Ok(FlowImported {
        flow: summary(stored),
        created,
    })
}

/// The comune's flows, newest first.
pub async fn list_flows(
    db: &DatabaseConnection,
    ente_id: EnteId,
    paging: PageRequest,
) -> ApiResult<Page<FlowSummary>> {
    let paginator = fdr_flow::Entity::find_in_ente(ente_id)
        .order_by_desc(fdr_flow::Column::FlowAt)
        .order_by_desc(fdr_flow::Column::Id)
        .paginate(db, paging.per_page);
    Ok(fetch_page(paginator, paging, summary).await?)
}

/// The IUVs of the comune's paid notices (their receipt accepted).
fn paid_iuvs(ente_id: EnteId) -> SelectStatement {
    Query::select()
        .column(payment_notice::Column::Iuv)
        .from(payment_notice::Entity)
        .and_where(payment_notice::Column::EnteId.eq(ente_id))
        .and_where(payment_notice::Column::Status.eq(NoticeState::Paid))
        .to_owned()
}

/// The comune's flows that count: not superseded by a later revision.
fn current_flows(ente_id: EnteId) -> SelectStatement {
    Query::select()
        .column(fdr_flow::Column::Id)
        .from(fdr_flow::Entity)
        .and_where(fdr_flow::Column::EnteId.eq(ente_id))
        .and_where(fdr_flow::Column::Superseded.eq(false))
        .to_owned()
}

/// The IUVs reported by the comune's current flows.
fn reported_iuvs(ente_id: EnteId) -> SelectStatement {
    Query::select()
        .column(fdr_payment::Column::Iuv)
        .from(fdr_payment::Entity)
        .and_where(fdr_payment::Column::EnteId.eq(ente_id))
        .and_where(fdr_payment::Column::FlowRowId.in_subquery(current_flows(ente_id)))
        .to_owned()
}

/// One page of the report's `kind` of differences for the comune on `now`.
pub async fn discrepancies(
    db: &DatabaseConnection,
    ente: &ente::Model,
    kind: DiscrepancyKind,
    paging: PageRequest,
    now: OffsetDateTime,
) -> ApiResult<Page<Discrepancy>> {
    let ente_id = ente.ente_id();
    match kind {
        DiscrepancyKind::ReceiptWithoutFlow => {
            let grace = u32::try_from(ente.flow_grace_days).unwrap_or(0);
            let due_before = rome::to_utc(PrimitiveDateTime::new(
                flow_due_before(rome::today(now), grace),
                Time::MIDNIGHT,
            ));
            let paginator = payment_notice::Entity::find_in_ente(ente_id)
                .filter(payment_notice::Column::Status.eq(NoticeState::Paid))
                .filter(payment_notice::Column::PaidAt.lt(due_before))
                .filter(payment_notice::Column::Iuv.not_in_subquery(reported_iuvs(ente_id)))
                .order_by_asc(payment_notice::Column::PaidAt)
                .order_by_asc(payment_notice::Column::Id)
                .paginate(db, paging.per_page);
            let page = fetch_page(paginator, paging, |n| n).await?;
            let receipts = receipts_of(db, ente_id, page.items.iter()).await?;
            Ok(map_page(page, |n| {
                let r = n.receipt_row_id.and_then(|id| receipts.get(&id));
                Discrepancy {
                    kind,
                    iuv: n.iuv.clone(),
                    notice_number: Some(n.notice_number.to_string()),
                    receipt_id: r.map(|r| r.receipt_id.clone()),
                    receipt_amount: r.map(|r| cents_to_decimal(r.amount_cents)),
                    paid_at: n.paid_at,
                    flow_id: None,
                    iur: None,
                    flow_amount: None,
                    flow_outcome: None,
                    flow_day: None,
                }
            }))
        }
        DiscrepancyKind::PaymentWithoutReceipt | DiscrepancyKind::AmountMismatch => {
            let mut query = fdr_payment::Entity::find_in_ente(ente_id)
                .filter(fdr_payment::Column::FlowRowId.in_subquery(current_flows(ente_id)));
            query = match kind {
                DiscrepancyKind::PaymentWithoutReceipt => {
                    query.filter(fdr_payment::Column::Iuv.not_in_subquery(paid_iuvs(ente_id)))
                }
                _ => query
                    .filter(fdr_payment::Column::Iuv.in_subquery(paid_iuvs(ente_id)))
                    .filter(
                        Expr::tuple([
                            Expr::col(fdr_payment::Column::Iuv).into(),
                            Expr::col(fdr_payment::Column::AmountCents).into(),
                        ])
                        .not_in_subquery(
                            paid_iuvs(ente_id)
                                .column(payment_notice::Column::AmountCents)
                                .to_owned(),
                        ),
                    ),
            };
            let paginator = query
                .order_by_asc(fdr_payment::Column::PaidOn)
                .order_by_asc(fdr_payment::Column::Id)
                .paginate(db, paging.per_page);
            let page = fetch_page(paginator, paging, |p| p).await?;
            let flows: HashMap<i64, String> = fdr_flow::Entity::find_in_ente(ente_id)
                .filter(fdr_flow::Column::Id.is_in(page.items.iter().map(|p| p.flow_row_id)))
                .all(db)
                .await?
                .into_iter()
                .map(|f| (f.id, f.flow_id))
                .collect();
            let notices: HashMap<String, payment_notice::Model> =
                payment_notice::Entity::find_in_ente(ente_id)
                    .filter(
                        payment_notice::Column::Iuv.is_in(page.items.iter().map(|p| p.iuv.clone())),
                    )
                    .all(db)
                    .await?
                    .into_iter()
                    .map(|n| (n.iuv.clone(), n))
                    .collect();
            let receipts = receipts_of(db, ente_id, notices.values()).await?;
            Ok(map_page(page, |p| {
                let notice = notices.get(&p.iuv);
                let r = notice
                    .and_then(|n| n.receipt_row_id)
                    .and_then(|id| receipts.get(&id));
                Discrepancy {
                    kind,
                    iuv: p.iuv.clone(),
                    notice_number: notice.map(|n| n.notice_number.to_string()),
                    receipt_id: r.map(|r| r.receipt_id.clone()),
                    receipt_amount: r.map(|r| cents_to_decimal(r.amount_cents)),
                    paid_at: r.map(|r| r.paid_at),
                    flow_id: flows.get(&p.flow_row_id).cloned(),
                    iur: Some(p.iur.clone()),
                    flow_amount: Some(cents_to_decimal(p.amount_cents)),
                    flow_outcome: Some(p.outcome),
                    flow_day: Some(p.paid_on),
                }
            }))
        }
    }
}

fn map_page<T, U>(page: Page<T>, map: impl FnMut(&T) -> U) -> Page<U> {
    Page {
        items: page.items.iter().map(map).collect(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    }
}

/// The receipts of these paid notices of the comune, by row id.
async fn receipts_of<'a>(
    db: &DatabaseConnection,
    ente_id: EnteId,
    notices: impl Iterator<Item = &'a payment_notice::Model>,
) -> ApiResult<HashMap<i64, receipt::Model>> {
    Ok(receipt::Entity::find()
        .filter(receipt::Column::EnteId.eq(ente_id))
        .filter(receipt::Column::Id.is_in(notices.filter_map(|n| n.receipt_row_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect())
}

/// The job: for every comune, the flows published on pagoPA's FdR service in the last
/// weeks that are not stored yet. Returns how many were imported. A flow already stored
/// (same id and revision) is not fetched again; a comune whose flows cannot be listed is
/// skipped until the next run, one whose flow cannot be read stops the run.
pub async fn import_published(
    db: &DatabaseConnection,
    client: &FdrClient,
    now: OffsetDateTime,
) -> ApiResult<usize> {
    let mut imported = 0;
    for ente in ente::Entity::find().all(db).await? {
        // A comune pagoPA does not know (not onboarded on FdR) does not stop the others.
        let published = match client
            .published_flows(&ente.fiscal_code, now - LOOK_BACK)
            .await
        {
            Ok(published) => published,
            Err(err) => {
                tracing::warn!(ente = %ente.slug, %err, "flussi di rendicontazione not listed");
                continue;
            }
        };
        for listed in published {
            let stored = fdr_flow::Entity::find_in_ente(ente.ente_id())
                .filter(fdr_flow::Column::FlowId.eq(&listed.fdr))
                .filter(fdr_flow::Column::Revision.eq(listed.revision))
                .count(db)
                .await?;
            if stored > 0 {
                continue;
            }
            let flow = client
                .flow(&ente.fiscal_code, &listed)
                .await
                .map_err(|e| ApiError::Conflict(e.to_string()))?;
            if import(db, &ente, &flow, FlowSource::Api, now)
                .await?
                .created
            {
                imported += 1;
            }
        }
    }
    Ok(imported)
}
