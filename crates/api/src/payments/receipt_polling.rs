//! Receipts fetched from pagoPA for the comuni that use only GPD (`entes.pagopa_gpd_only`):
//! with no station of their own, the node delivers no `paSendRT` to them, so the server
//! asks GPD-payments for the receipt of each notice still open — on a schedule, and when
//! the family comes back from the checkout (`verify`). Every receipt found goes through
//! `receipts::process`, so one found twice (by the job and by a return at the same time)
//! counts once.
//!
//! Bounded: at most [`BATCH`] notices per run, none a week after its last payable day; a
//! notice without receipt is asked again after a wait that doubles each time, from
//! [`FIRST_WAIT`] up to [`LONGEST_WAIT`]; a run
//! stops at the first answer that is not "paid" or "not paid" (pagoPA unreachable or
//! refusing), so an outage is met with one request per run, not a storm.

use std::time::Duration;

use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use sportello_model::payments::{Notice, NoticeState};
use sportello_model::rome;
use sportello_pagopa::GpdReceiptsClient;
use time::OffsetDateTime;

use super::entity::payment_notice;
use super::{notices, receipts, service};
use crate::auth::Principal;
use crate::db::TenantScoped;
use crate::entes::entity::ente;
use crate::entes::service::by_id as ente_by_id;
use crate::error::{ApiError, ApiResult};

/// Most notices asked about in one run of the job.
const BATCH: u64 = 50;
/// Wait before a notice without receipt is asked about again, the first time.
const FIRST_WAIT: Duration = Duration::from_secs(5 * 60);
/// Longest wait between two questions about the same notice.
const LONGEST_WAIT: Duration = Duration::from_secs(6 * 60 * 60);

/// How long after its last payable day a notice is still asked about: a payment made
/// on that day may reach GPD-payments later.
const AFTER_EXPIRY: time::Duration = time::Duration::days(7);

/// Shortest time between two questions about the same notice from returns to the
/// checkout (a family reloading the page asks pagoPA at most this often).
const VERIFY_EVERY: Duration = Duration::from_secs(10);

/// The wait after the `polls`-th question without receipt.
fn wait_after(polls: i32) -> Duration {
    let doublings = u32::try_from(polls.saturating_sub(1)).unwrap_or(0).min(16);
    FIRST_WAIT
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(LONGEST_WAIT)
}

/// What asking pagoPA about one notice found.
enum Asked {
    /// A receipt, processed.
    Receipt,
    /// Not paid yet.
    NotPaid,
}

/// Asks pagoPA for the receipt of `notice` and processes it; without one, schedules the
/// next question. An error of pagoPA's also schedules it, and is returned.
async fn ask(
    db: &DatabaseConnection,
    client: &GpdReceiptsClient,
    ente: &ente::Model,
    notice: &payment_notice::Model,
    now: OffsetDateTime,
) -> ApiResult<Asked> {
    match client
        .receipt(&ente.fiscal_code, &notice.notice_number.iuv(), now)
        .await
    {
        Ok(Some(receipt)) => {
            receipts::process(db, &receipt, now).await?;
            Ok(Asked::Receipt)
        }
        Ok(None) => {
            schedule(db, notice, now).await?;
            Ok(Asked::NotPaid)
        }
        Err(err) => {
            schedule(db, notice, now).await?;
            Err(ApiError::Conflict(err.to_string()))
        }
    }
}

/// Records one more question without receipt and when to ask next.
async fn schedule(
    db: &DatabaseConnection,
    notice: &payment_notice::Model,
    now: OffsetDateTime,
) -> ApiResult<()> {
    let polls = notice.receipt_polls.saturating_add(1);
    payment_notice::Entity::update_many()
        .col_expr(payment_notice::Column::ReceiptPolls, Expr::value(polls))
        .col_expr(
            payment_notice::Column::ReceiptPollAt,
            Expr::value(now + wait_after(polls)),
        )
        .filter(payment_notice::Column::EnteId.eq(notice.ente_id))
        .filter(payment_notice::Column::Id.eq(notice.id))
        .exec(db)
        .await?;
    Ok(())
}

/// The job: asks about the open notices of the GPD-only comuni that are due. Returns how
/// many receipts were found.
pub async fn poll_due(
    db: &DatabaseConnection,
    client: &GpdReceiptsClient,
    now: OffsetDateTime,
) -> ApiResult<usize> {
    let entes = ente::Entity::find()
        .filter(ente::Column::PagopaGpdOnly.eq(true))
        .all(db)
        .await?;
    if entes.is_empty() {
        return Ok(0);
    }
    let due = payment_notice::Entity::find()
        .filter(payment_notice::Column::EnteId.is_in(entes.iter().map(ente::Model::ente_id)))
        .filter(payment_notice::Column::Status.eq(NoticeState::Open))
        .filter(
            Condition::any()
                .add(payment_notice::Column::ExpiresOn.is_null())
                .add(payment_notice::Column::ExpiresOn.gte(rome::today(now) - AFTER_EXPIRY)),
        )
        .filter(
            Condition::any()
                .add(payment_notice::Column::ReceiptPollAt.is_null())
                .add(payment_notice::Column::ReceiptPollAt.lte(now)),
        )
        .order_by_asc(payment_notice::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut found = 0;
    for notice in due {
        let Some(ente) = entes.iter().find(|e| e.ente_id() == notice.ente_id) else {
            continue;
        };
        if let Asked::Receipt = ask(db, client, ente, &notice, now).await? {
            found += 1;
        }
    }
    Ok(found)
}

/// On the family's return from the checkout: for a comune that uses only GPD, asks
/// pagoPA for the receipt of the guardian's open notice now, and answers the notice as it
/// then is (paid once its receipt is in; open while pagoPA has none yet). Elsewhere the
/// node delivers receipts and the notice is answered as it is.
pub async fn verify(
    db: &DatabaseConnection,
    client: Option<&GpdReceiptsClient>,
    principal: &Principal,
    notice_id: i64,
    now: OffsetDateTime,
) -> ApiResult<Notice> {
    let notice =
        notices::find_for_guardian(db, principal.ente_id, principal.user_id, notice_id).await?;
    let ente = ente_by_id(db, principal.ente_id).await?;
    let last_asked = notice
        .receipt_poll_at
        .map(|next| next - wait_after(notice.receipt_polls));
    let recently = last_asked.is_some_and(|at| at + VERIFY_EVERY > now);
    if let (NoticeState::Open, true, false, Some(client)) =
        (notice.status, ente.pagopa_gpd_only, recently, client)
    {
        if let Err(err) = ask(db, client, &ente, &notice, now).await {
            tracing::warn!(notice = notice.id, %err, "receipt not fetched on return from checkout");
            return Err(ApiError::Conflict(
                "Non è stato possibile verificare ora il pagamento con pagoPA: se hai pagato, la ricevuta verrà acquisita a breve.".into(),
            ));
        }
    }
    let notice = payment_notice::Entity::find_in_ente(principal.ente_id)
        .filter(payment_notice::Column::Id.eq(notice.id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(service::notice_dto(notice, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_longest() {
        assert_eq!(wait_after(1), FIRST_WAIT);
        assert_eq!(wait_after(2), FIRST_WAIT * 2);
        assert_eq!(wait_after(4), FIRST_WAIT * 8);
        assert_eq!(wait_after(10), LONGEST_WAIT);
        assert_eq!(wait_after(i32::MAX), LONGEST_WAIT);
    }
}
