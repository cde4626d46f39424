//! Rette in one batch: a month's retta for every active enrolment of an emissions
//! service, each its quota by `model::rette::month_quota` (pro rata of the days of the
//! month inside the service's calendar period, when the service says so), previewed
//! with count and total, then issued one by one through `emissions::issue`, each with
//! its pagoPA notice. The unique key (ente, service, month, enrolment) makes a month
//! issued once, however often or concurrently it is asked.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, QuerySelect};
use sportello_model::entes::ServiceKind;
use sportello_model::money::cents_to_decimal;
use sportello_model::payments::CheckedEmission;
use sportello_model::rette::{
    check_month, month_quota, MonthQuota, NewRetteBatch, RettaMonth, RetteBatchIssued,
    RetteBatchLine, RetteBatchPreview, RetteBatchQuery, SkipReason, SkippedEnrolment,
};
use sportello_model::rome;
use sportello_pagopa::PaymentGateway;
use time::OffsetDateTime;

use super::emissions::{self, Retta};
use super::entity::emission;
use crate::accounts::entity::user;
use crate::bookings::calendar::school_calendar;
use crate::children::entity::{child, enrolment};
use crate::children::service::enrolled_on;
use crate::db::{EnteId, TenantScoped};
use crate::entes::entity::service;
use crate::entes::service::by_id as ente_by_id;
use crate::error::{ApiError, ApiResult};

/// An enrolment of the batch with its family.
struct Enrolled {
    enrolment: enrolment::Model,
    child: child::Model,
    guardian: user::Model,
}

impl Enrolled {
    fn child_name(&self) -> String {
        format!("{} {}", self.child.first_name, self.child.last_name)
    }
}

/// What the batch would do now: the rette to issue and the enrolments left out.
struct Plan {
    service: service::Model,
    month: RettaMonth,
    due: Vec<(Enrolled, MonthQuota)>,
    skipped: Vec<(Enrolled, SkipReason)>,
}

async fn plan(
    db: &DatabaseConnection,
    ente_id: EnteId,
    service_id: i64,
    month: RettaMonth,
) -> ApiResult<Plan> {
    let service = service::Entity::find_in_ente(ente_id)
        .filter(service::Column::Id.eq(service_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    if service.kind != ServiceKind::Emissions {
        return Err(ApiError::field(
            "service_id",
            "Il servizio non è gestito a emissione retta: le sue iscrizioni non pagano rette.",
        ));
    }
    // Without a calendar set, the period is the school year of the month's first day.
    let calendar = school_calendar(db, ente_id, service.id, month.first_day()).await?;
    let period = (calendar.first_day, calendar.last_day);
    let enrolments = enrolled_on(ente_id, service.id, month.first_day())
        .all(db)
        .await?;
    let children: HashMap<i64, child::Model> = child::Entity::find_in_ente(ente_id)
        .filter(child::Column::Id.is_in(enrolments.iter().map(|e| e.child_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let guardians: HashMap<i64, user::Model> = user::Entity::find_in_ente(ente_id)
        .filter(user::Column::Id.is_in(children.values().map(|c| c.guardian_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|g| (g.id, g))
        .collect();
    let issued: HashSet<i64> = emission::Entity::find_in_ente(ente_id)
        .filter(emission::Column::ServiceId.eq(service.id))
        .filter(emission::Column::BatchMonth.eq(month.key()))
        .select_only()
        .column(emission::Column::EnrolmentId)
        .into_tuple::<Option<i64>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect();
    let mut enrolled: Vec<Enrolled> = enrolments
        .into_iter()
        .filter_map(|enrolment| {
            let child = children.get(&enrolment.child_id)?.clone();
            let guardian = guardians.get(&child.guardian_id)?.clone();
            Some(Enrolled {
                enrolment,
                child,
                guardian,
            })
        })
        .collect();
    enrolled.sort_by(|a, b| {
        (&a.child.last_name, &a.child.first_name, a.enrolment.id).cmp(&(
            &b.child.last_name,
            &b.child.first_name,
            b.enrolment.id,
        ))
    });
    let (mut due, mut skipped) = (Vec::new(), Vec::new());
    for e in enrolled {
        let quota = if issued.contains(&e.enrolment.id) {
            Err(SkipReason::AlreadyIssued)
        } else {
            month_quota(e.enrolment.quota_cents, service.pro_rata, month, period)
        };
        match quota {
            Ok(quota) => due.push((e, quota)),
            Err(reason) => skipped.push((e, reason)),
        }
    }
    Ok(Plan {
        service,
        month,
        due,
        skipped,
    })
}

fn total_cents(due: &[(Enrolled, MonthQuota)]) -> i64 {
    due.iter().map(|(_, quota)| quota.amount_cents).sum()
}

/// What issuing the rette of a service and month would do now.
pub async fn preview(
    db: &DatabaseConnection,
    ente_id: EnteId,
    query: &RetteBatchQuery,
) -> ApiResult<RetteBatchPreview> {
    let month = check_month(&query.month).map_err(|e| ApiError::Validation(vec![e]))?;
    let plan = plan(db, ente_id, query.service_id, month).await?;
    Ok(RetteBatchPreview {
        title: plan.month.title(),
        pro_rata: plan.service.pro_rata,
        count: plan.due.len() as u64,
        total: cents_to_decimal(total_cents(&plan.due)),
        lines: plan
            .due
            .iter()
            .map(|(e, quota)| RetteBatchLine {
                enrolment_id: e.enrolment.id,
                child_name: e.child_name(),
                guardian_name: e.guardian.full_name(),
                fee_band: e.enrolment.fee_band.clone(),
                quota: cents_to_decimal(e.enrolment.quota_cents),
                amount: cents_to_decimal(quota.amount_cents),
                days: quota.days,
                month_days: quota.month_days,
            })
            .collect(),
        skipped: plan
            .skipped
            .iter()
            .map(|(e, reason)| SkippedEnrolment {
                enrolment_id: e.enrolment.id,
                child_name: e.child_name(),
                guardian_name: e.guardian.full_name(),
                fee_band: e.enrolment.fee_band.clone(),
                reason: *reason,
            })
            .collect(),
        service_name: plan.service.name,
    })
}

/// The one line of detail of a batch's retta: the band's quota, or its part.
fn line_description(band: &str, quota: MonthQuota) -> String {
    if quota.is_part() {
        format!(
            "Quota {band}: {} giorni su {}",
            quota.days, quota.month_days
        )
    } else {
        format!("Quota mensile {band}")
    }
}

/// Issues the rette of a service and month not issued yet, each in its own transaction
/// with its notice registered on pagoPA. A retta issued meanwhile by another request
/// counts as already issued. If pagoPA refuses one, the answer (409) says how many were
/// issued before it: asking again issues only the others.
pub async fn issue(
    db: &DatabaseConnection,
    gateway: &dyn PaymentGateway,
    ente_id: EnteId,
    new: &NewRetteBatch,
    now: OffsetDateTime,
) -> ApiResult<RetteBatchIssued> {
    let month = new.check(rome::today(now)).map_err(ApiError::Validation)?;
    let plan = plan(db, ente_id, new.service_id, month).await?;
    let ente = ente_by_id(db, ente_id).await?;
    let mut already_issued = plan
        .skipped
        .iter()
        .filter(|(_, reason)| *reason == SkipReason::AlreadyIssued)
        .count() as u64;
    let not_due = plan.skipped.len() as u64 - already_issued;
    let (mut issued, mut total) = (0u64, 0i64);
    for (e, quota) in plan.due {
        let checked = CheckedEmission {
            title: month.title(),
            lines: vec![(
                line_description(&e.enrolment.fee_band, quota),
                quota.amount_cents,
            )],
            total_cents: quota.amount_cents,
            external_ref: None,
        };
        let retta = Retta {
            guardian: e.guardian,
            service: plan.service.clone(),
            child: Some(e.child),
            checked,
            due_date: new.due_date,
            batch: Some((e.enrolment.id, month.key())),
        };
        match emissions::issue(db, gateway, &ente, retta, now).await {
            Ok(Some(_)) => {
                issued += 1;
                total += quota.amount_cents;
            }
            Ok(None) => already_issued += 1,
            Err(ApiError::Conflict(reason)) => {
                return Err(ApiError::Conflict(format!(
                    "{reason} Rette emesse prima dell'interruzione: {issued}. Emettendo di nuovo si emettono solo le altre."
                )))
            }
            Err(err) => return Err(err),
        }
    }
    tracing::info!(
        request_id = new.request_id.trim(),
        service = plan.service.id,
        month = %month.key(),
        issued,
        already_issued,
        "rette issued in a batch"
    );
    Ok(RetteBatchIssued {
        title: month.title(),
        issued,
        total: cents_to_decimal(total),
        already_issued,
        not_due,
    })
}
