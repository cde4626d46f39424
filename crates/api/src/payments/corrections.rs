//! Operators' corrections to a family's prepaid account: refunds of credit paid back
//! outside the portal and adjustments either way, each with its reason. A retried
//! request (same request id) appends nothing more. A correction that takes the balance
//! below the family's threshold sends the low-balance alert (`low_balance`).

use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, SqlErr, TransactionTrait,
};
use sportello_model::auth::Role;
use sportello_model::format::euro;
use sportello_model::money::cents_to_decimal;
use sportello_model::page::PageRequest;
use sportello_model::payments::{AccountCorrection, CorrectionKind, Movement, Statement};
use time::OffsetDateTime;

use super::entity::ledger_movement;
use super::ledger::{self, NewMovement};
use super::low_balance::{self, Alerting};
use super::service::statement_of;
use crate::accounts::entity::user;
use crate::auth::Principal;
use crate::db::{EnteId, TenantScoped};
use crate::entes::service::{by_id as ente_by_id, prepaid_service, settings};
use crate::error::{ApiError, ApiResult};

/// The guardian of the ente with this id; anyone else (another comune's, not a guardian)
/// is 404. Who may ask is the handler's extractor.
async fn family(db: &DatabaseConnection, principal: &Principal, guardian_id: i64) -> ApiResult<()> {
    user::Entity::find_in_ente(principal.ente_id)
        .filter(user::Column::Id.eq(guardian_id))
        .filter(user::Column::Role.eq(Role::Guardian))
        .one(db)
        .await?
        .map(|_| ())
        .ok_or(ApiError::NotFound)
}

/// A family's statement, for an operator.
pub async fn family_statement(
    db: &DatabaseConnection,
    principal: &Principal,
    service_id: i64,
    guardian_id: i64,
    paging: PageRequest,
    now: OffsetDateTime,
) -> ApiResult<Statement> {
    family(db, principal, guardian_id).await?;
    statement_of(db, principal.ente_id, guardian_id, service_id, paging, now).await
}

async fn already_made(
    db: &DatabaseConnection,
    ente_id: EnteId,
    account_id: i64,
    request_key: &str,
) -> ApiResult<Option<Movement>> {
    let Some(existing) = ledger_movement::Entity::find()
        .filter(ledger_movement::Column::RequestKey.eq(request_key))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if existing.account_id != account_id {
        return Err(ApiError::Conflict(
            "Questo identificativo di richiesta è già stato usato per un'altra operazione.".into(),
        ));
    }
    Ok(ledger::to_dtos(db, ente_id, vec![existing]).await?.pop())
}

/// Appends the correction, or finds the one a previous try of the same request made.
/// Returns the movement and whether it is new.
pub async fn correct(
    db: &DatabaseConnection,
    principal: &Principal,
    service_id: i64,
    guardian_id: i64,
    request: &AccountCorrection,
    alerting: Alerting<'_>,
    now: OffsetDateTime,
) -> ApiResult<(Movement, bool)> {
    family(db, principal, guardian_id).await?;
    let cents = request.movement_cents().map_err(ApiError::Validation)?;
    let service = prepaid_service(db, principal.ente_id, service_id).await?;
    let negative_allowed =
        settings(&ente_by_id(db, principal.ente_id).await?).negative_balance_allowed;
    let request_key = format!("{}:{}", principal.ente_id, request.request_id.trim());
    let account =
        ledger::account_for_reading(db, principal.ente_id, guardian_id, service.id, now).await?;
    if let Some(done) = already_made(db, principal.ente_id, account.id, &request_key).await? {
        return Ok((done, false));
    }
    let txn = db.begin().await?;
    let appended = ledger::append(
        &txn,
        &account,
        NewMovement {
            request_key: Some(request_key.clone()),
            created_by: Some(principal.user_id),
            ..NewMovement::new(
                request.kind.into(),
                cents,
                format!("{}: {}", request.kind.label(), request.reason.trim()),
            )
        },
        now,
    )
    .await;
    let movement = match appended {
        Ok(movement) => movement,
        Err(err) => {
            txn.rollback().await?;
            // The same request, retried while the first try was still running.
            if !matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
                return Err(err.into());
            }
            return already_made(db, principal.ente_id, account.id, &request_key)
                .await?
                .map(|m| (m, false))
                .ok_or_else(|| ApiError::internal("request key vanished"));
        }
    };
    let after = movement.balance_after_cents;
    let before = after - cents;
    if cents < 0 && after < 0 && (request.kind == CorrectionKind::Refund || !negative_allowed) {
        txn.rollback().await?;
        return Err(ApiError::Conflict(
            if request.kind == CorrectionKind::Refund {
                format!(
                    "Il rimborso non può superare il saldo disponibile di {}.",
                    euro(cents_to_decimal(before.max(0)))
                )
            } else {
                format!(
                    "Il saldo scenderebbe a {}: il Comune non ammette saldi negativi.",
                    euro(cents_to_decimal(after))
                )
            },
        ));
    }
    txn.commit().await?;
    if cents < 0 {
        low_balance::alert_due(
            db,
            alerting,
            principal.ente_id,
            service.id,
            Some(account.id),
            now,
        )
        .await?;
    }
    let dto = ledger::to_dtos(db, principal.ente_id, vec![movement])
        .await?
        .pop()
        .ok_or_else(|| ApiError::internal("movement vanished"))?;
    Ok((dto, true))
}
