//! Pagamenti: prepaid accounts and their statements, recharges, payment notices,
//! emissions and receipts.

use sportello_model::low_balance::{LowBalanceAlert, LowBalanceSettings};
use sportello_model::payments::{
    AccountCorrection, Cart, CheckoutStarted, EmissionDetail, EmissionSummary, Movement, NewCart,
    Notice, PaymentService, ReceiptSummary, RechargeRequest, Statement,
};
use sportello_model::rette::{
    EmissionCancellation, NewRetteBatch, RetteBatchIssued, RetteBatchPreview, RetteBatchQuery,
};
use sportello_model::{paths, Page};

use super::client::{get_authed, get_page_authed, post_authed, put_authed, ApiResult};
use crate::session::Session;

pub async fn payment_services(session: Session) -> ApiResult<Vec<PaymentService>> {
    get_authed(session, &paths::payment_services(), &[]).await
}

pub async fn statement(
    session: Session,
    service_id: i64,
    page: u64,
    per_page: u64,
) -> ApiResult<Statement> {
    get_page_authed(session, &paths::statement(service_id), page, per_page).await
}

/// A family's statement of a prepaid service, for an operator.
pub async fn family_statement(
    session: Session,
    service_id: i64,
    guardian_id: i64,
    page: u64,
    per_page: u64,
) -> ApiResult<Statement> {
    let path = paths::family_statement(service_id, guardian_id);
    get_page_authed(session, &path, page, per_page).await
}

/// An operator's refund or adjustment of a family's account. Sent again with the same
/// `request_id`, it answers the movement the first try made instead of adding another.
pub async fn correct_account(
    session: Session,
    service_id: i64,
    guardian_id: i64,
    correction: &AccountCorrection,
) -> ApiResult<Movement> {
    let path = paths::family_movements(service_id, guardian_id);
    post_authed(session, &path, Some(correction)).await
}

/// Ricarica online: the notice and the pagoPA checkout page to send the browser to.
pub async fn recharge_online(
    session: Session,
    service_id: i64,
    request: &RechargeRequest,
) -> ApiResult<CheckoutStarted> {
    post_authed(session, &paths::recharges(service_id), Some(request)).await
}

/// Nuovo avviso di pagamento, to pay later online or at a pagoPA counter.
pub async fn create_notice(
    session: Session,
    service_id: i64,
    request: &RechargeRequest,
) -> ApiResult<Notice> {
    post_authed(session, &paths::service_notices(service_id), Some(request)).await
}

pub async fn notices(
    session: Session,
    service_id: i64,
    page: u64,
    per_page: u64,
) -> ApiResult<Page<Notice>> {
    get_page_authed(session, &paths::service_notices(service_id), page, per_page).await
}

/// Paga avviso: the pagoPA checkout page for an open notice.
pub async fn pay_notice(session: Session, notice_id: i64) -> ApiResult<CheckoutStarted> {
    post_authed::<(), _>(session, &paths::notice_checkout(notice_id), None).await
}

/// Paga selezionati: a pagoPA Checkout cart of up to five open notices. Sent again with
/// the same `request_id`, it answers the cart the first try opened.
pub async fn pay_cart(session: Session, request: &NewCart) -> ApiResult<Cart> {
    post_authed(session, &paths::carts(), Some(request)).await
}

/// A cart and its notices' status now, to follow its payment after pagoPA.
pub async fn cart(session: Session, id: i64) -> ApiResult<Cart> {
    get_authed(session, &paths::cart(id), &[]).await
}

/// On return from the checkout: the notice once pagoPA has been asked for its receipt
/// (for a comune without a station of its own; elsewhere the notice as it is).
pub async fn verify_notice(session: Session, notice_id: i64) -> ApiResult<Notice> {
    post_authed::<(), _>(session, &paths::notice_verify(notice_id), None).await
}

/// Annulla avviso: withdraws an open recharge notice the family made.
pub async fn cancel_notice(session: Session, notice_id: i64) -> ApiResult<Notice> {
    post_authed::<(), _>(session, &paths::notice_cancel(notice_id), None).await
}

pub async fn emissions(
    session: Session,
    page: u64,
    per_page: u64,
) -> ApiResult<Page<EmissionSummary>> {
    get_page_authed(session, &paths::emissions(), page, per_page).await
}

pub async fn emission(session: Session, id: i64) -> ApiResult<EmissionDetail> {
    get_authed(session, &paths::emission(id), &[]).await
}

/// What issuing a service's month of rette would do.
pub async fn emission_batch_preview(
    session: Session,
    query: &RetteBatchQuery,
) -> ApiResult<RetteBatchPreview> {
    post_authed(session, &paths::emission_batch_preview(), Some(query)).await
}

/// Issues a service's month of rette; a month issued before issues nothing new.
pub async fn issue_emission_batch(
    session: Session,
    batch: &NewRetteBatch,
) -> ApiResult<RetteBatchIssued> {
    post_authed(session, &paths::emission_batches(), Some(batch)).await
}

/// Cancels an unpaid retta and its notice, with the reason the family reads.
pub async fn cancel_emission(
    session: Session,
    id: i64,
    cancellation: &EmissionCancellation,
) -> ApiResult<EmissionDetail> {
    post_authed(session, &paths::emission_cancel(id), Some(cancellation)).await
}

pub async fn receipts(
    session: Session,
    page: u64,
    per_page: u64,
) -> ApiResult<Page<ReceiptSummary>> {
    get_page_authed(session, &paths::receipts(), page, per_page).await
}

/// Avviso saldo basso: the threshold, the balance and the meal days ahead.
pub async fn low_balance_alert(session: Session, service_id: i64) -> ApiResult<LowBalanceAlert> {
    get_authed(session, &paths::low_balance_alert(service_id), &[]).await
}

/// Sets the threshold of the low-balance alert (empty or `"0"`: off).
pub async fn set_low_balance_alert(
    session: Session,
    service_id: i64,
    settings: &LowBalanceSettings,
) -> ApiResult<LowBalanceAlert> {
    put_authed(session, &paths::low_balance_alert(service_id), settings).await
}
