//! Paying online: a cart of up to five open notices of the family (rette, recharges) sent
//! to pagoPA Checkout, which answers with the page the parent's browser goes to. Every
//! online payment goes this way; a single notice is a cart of one. Checkout brings the
//! parent back to the portal with `esito` (`ok`, `annullato`, `errore`) and the cart's
//! id; the receipts, not the return, make the notices paid.

use std::collections::HashSet;

use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use sportello_model::money::cents_to_decimal;
use sportello_model::payments::{Cart, NewCart, NoticePurpose, NoticeStatus};
use sportello_model::{rome, spa};
use sportello_pagopa::{CartNotice, CartRequest, CheckoutClient, Error as PagopaError, ReturnUrls};
use time::OffsetDateTime;

use super::entity::{emission, payment_cart, payment_cart_notice, payment_notice};
use super::notices;
use crate::accounts::entity::user;
use crate::auth::Principal;
use crate::db::TenantScoped;
use crate::entes::service::by_id as ente_by_id;
use crate::error::{ApiError, ApiResult};

/// How long the portal holds a cart's notices as being paid.
const CART_TTL: time::Duration = time::Duration::minutes(30);

/// Why a notice cannot go into a cart, if it cannot: it is not open.
pub fn unpayable(notice: &payment_notice::Model, now: OffsetDateTime) -> Option<String> {
    match notices::status(notice, rome::today(now)) {
        NoticeStatus::Open => None,
        other => Some(format!(
            "L'avviso {} non può essere pagato: è «{}».",
            notice.notice_number.formatted(),
            other.label().to_lowercase()
        )),
    }
}

/// The answer when no Checkout is configured.
fn checkout_unavailable() -> ApiError {
    ApiError::Conflict(
        "Il pagamento online non è disponibile: paga l'avviso presso uno sportello pagoPA (banca, ufficio postale, tabaccheria).".into(),
    )
}

/// The family's open notices `ids`, in the order given: 404 for one the guardian does
/// not have in this comune, a field error on `notice_ids` for one that cannot be paid
/// (already paid, cancelled, expired, or made for an online attempt that ended).
async fn payable_notices(
    db: &DatabaseConnection,
    principal: &Principal,
    ids: &[i64],
    now: OffsetDateTime,
) -> ApiResult<Vec<payment_notice::Model>> {
    let found = payment_notice::Entity::find_in_ente(principal.ente_id)
        .filter(payment_notice::Column::GuardianId.eq(principal.user_id))
        .filter(payment_notice::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let mut notices = Vec::with_capacity(ids.len());
    for id in ids {
        let notice = found
            .iter()
            .find(|n| n.id == *id)
            .cloned()
            .ok_or(ApiError::NotFound)?;
        if let Some(reason) = unpayable(&notice, now) {
            return Err(ApiError::field("notice_ids", reason));
        }
        if notice.online_only {
            return Err(ApiError::field(
                "notice_ids",
                format!(
                    "L'avviso {} apparteneva a un pagamento online non completato: per ricaricare avvia una nuova ricarica.",
                    notice.notice_number.formatted()
                ),
            ));
        }
        notices.push(notice);
    }
    Ok(notices)
}

/// Where Checkout brings the parent back to: the retta's page or the service's page
/// for one notice, the service's page for notices of one service, Pagamenti otherwise.
async fn return_path(
    db: &DatabaseConnection,
    principal: &Principal,
    slug: &str,
    notices: &[payment_notice::Model],
) -> ApiResult<String> {
    let services: HashSet<i64> = notices.iter().map(|n| n.service_id).collect();
    Ok(match notices {
        [notice] if notice.purpose == NoticePurpose::Emission => {
            match emission::Entity::find_in_ente(principal.ente_id)
                .filter(emission::Column::NoticeId.eq(notice.id))
                .one(db)
                .await?
            {
                Some(bill) => spa::emission(slug, bill.id),
                None => spa::prepaid_service(slug, notice.service_id),
            }
        }
        _ if services.len() == 1 => spa::prepaid_service(slug, notices[0].service_id),
        _ => spa::payments(slug),
    })
}

/// The cart opened by the family's request `request_key`, if any.
async fn opened_by(
    db: &DatabaseConnection,
    principal: &Principal,
    request_key: &str,
) -> ApiResult<Option<payment_cart::Model>> {
    Ok(payment_cart::Entity::find_in_ente(principal.ente_id)
        .filter(payment_cart::Column::GuardianId.eq(principal.user_id))
        .filter(payment_cart::Column::RequestKey.eq(request_key))
        .one(db)
        .await?)
}

/// "Paga selezionati": a cart of the family's open notices of `request`. The same
/// request again answers the cart it opened (200, not 201), and Checkout is not asked
/// twice.
pub async fn pay(
    db: &DatabaseConnection,
    checkout: Option<&CheckoutClient>,
    principal: &Principal,
    request: &NewCart,
    public_url: &str,
    now: OffsetDateTime,
) -> ApiResult<(bool, Cart)> {
    let key = request.request_id.trim();
    if let Some(cart) = opened_by(db, principal, key).await? {
        return Ok((false, dto(db, principal, cart, now).await?));
    }
    let notices = payable_notices(db, principal, &request.notice_ids, now).await?;
    open(db, checkout, principal, notices, key, public_url, now).await
}

/// Opens a Checkout cart of `notices` (payable notices of the principal, checked by the
/// caller) for the request `request_key`; returns whether it is new, and the cart. A
/// request racing one with the same key gets the cart the other opened.
pub async fn open(
    db: &DatabaseConnection,
    checkout: Option<&CheckoutClient>,
    principal: &Principal,
    notices: Vec<payment_notice::Model>,
    request_key: &str,
    public_url: &str,
    now: OffsetDateTime,
) -> ApiResult<(bool, Cart)> {
    let checkout = checkout.ok_or_else(checkout_unavailable)?;
    let ente = ente_by_id(db, principal.ente_id).await?;
    let guardian = user::Entity::find_by_id(principal.user_id)
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let back = format!(
        "{public_url}{}",
        return_path(db, principal, &ente.slug, &notices).await?
    );
    // Stored first, so that a retry finds it (the unique key refuses a second row).
    let txn = db.begin().await?;
    let inserted = payment_cart::ActiveModel {
        ente_id: Set(principal.ente_id),
        guardian_id: Set(principal.user_id),
        request_key: Set(request_key.into()),
        checkout_url: Set(String::new()),
        created_at: Set(now),
        expires_at: Set(now + CART_TTL),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let cart = match inserted {
        Ok(cart) => cart,
        Err(err) => {
            txn.rollback().await?;
            return match opened_by(db, principal, request_key).await? {
                Some(cart) => Ok((false, dto(db, principal, cart, now).await?)),
                None => Err(err.into()),
            };
        }
    };
    payment_cart_notice::Entity::insert_many(notices.iter().map(|n| {
        payment_cart_notice::ActiveModel {
            cart_id: Set(cart.id),
            notice_id: Set(n.id),
            ..Default::default()
        }
    }))
    .exec(&txn)
    .await?;
    txn.commit().await?;

    let outcome = |esito: &str| {
        let separator = if back.contains('?') { '&' } else { '?' };
        format!("{back}{separator}esito={esito}&carrello={}", cart.id)
    };
    let request = CartRequest {
        payment_notices: notices
            .iter()
            .map(|n| CartNotice {
                notice_number: n.notice_number.clone(),
                fiscal_code: ente.fiscal_code.clone(),
                amount: n.amount_cents,
                company_name: ente.name.clone(),
                description: n.description.clone(),
            })
            .collect(),
        return_urls: ReturnUrls {
            return_ok_url: outcome("ok"),
            return_cancel_url: outcome("annullato"),
            return_error_url: outcome("errore"),
        },
        email_notice: guardian.email.clone(),
        id_cart: Some(format!("{}-{}", ente.fiscal_code, cart.id)),
    };
    let checkout_url = match checkout.create_cart(&request).await {
        Ok(url) => url,
        Err(err) => {
            // Nothing was opened: the cart goes, and the same request may try again.
            payment_cart::Entity::delete_many()
                .filter(payment_cart::Column::EnteId.eq(principal.ente_id))
                .filter(payment_cart::Column::Id.eq(cart.id))
                .exec(db)
                .await?;
            return Err(refused(err));
        }
    };
    let mut opened: payment_cart::ActiveModel = cart.into();
    opened.checkout_url = Set(checkout_url);
    let cart = opened.update(db).await?;
    Ok((true, dto(db, principal, cart, now).await?))
}

/// Checkout's refusal, in words for the parent; the details go to the log.
fn refused(err: PagopaError) -> ApiError {
    match &err {
        PagopaError::CartNotPayable { detail } | PagopaError::CartRefused { detail, .. } => {
            tracing::warn!(%err, %detail, "pagoPA Checkout refused a cart")
        }
        _ => tracing::warn!(%err, "pagoPA Checkout did not open a cart"),
    }
    ApiError::Conflict(err.to_string())
}

/// A cart of the family, or 404.
pub async fn find(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<Cart> {
    let cart = payment_cart::Entity::find_in_ente(principal.ente_id)
        .filter(payment_cart::Column::GuardianId.eq(principal.user_id))
        .filter(payment_cart::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    dto(db, principal, cart, now).await
}

async fn dto(
    db: &DatabaseConnection,
    principal: &Principal,
    cart: payment_cart::Model,
    now: OffsetDateTime,
) -> ApiResult<Cart> {
    if cart.checkout_url.is_empty() {
        return Err(ApiError::Conflict(
            "Il pagamento è in apertura su pagoPA: riprova tra qualche secondo.".into(),
        ));
    }
    let lines = Query::select()
        .column(payment_cart_notice::Column::NoticeId)
        .from(payment_cart_notice::Entity)
        .and_where(payment_cart_notice::Column::CartId.eq(cart.id))
        .to_owned();
    let notices = payment_notice::Entity::find_in_ente(principal.ente_id)
        .filter(payment_notice::Column::Id.in_subquery(lines))
        .order_by_asc(payment_notice::Column::Id)
        .all(db)
        .await?;
    let total = notices
        .iter()
        .try_fold(0i64, |sum, n| sum.checked_add(n.amount_cents))
        .ok_or_else(|| ApiError::internal("cart total out of range"))?;
    let today = rome::today(now);
    Ok(Cart {
        id: cart.id,
        notices: notices
            .into_iter()
            .map(|n| notices::dto(n, today))
            .collect(),
        total: cents_to_decimal(total),
        checkout_url: cart.checkout_url,
    })
}

/// The notices of carts still being paid at `now`: an online-only one of them is not
/// withdrawn yet.
pub fn being_paid(now: OffsetDateTime) -> SelectStatement {
    let live = Query::select()
        .column(payment_cart::Column::Id)
        .from(payment_cart::Entity)
        .and_where(payment_cart::Column::ExpiresAt.gt(now))
        .to_owned();
    Query::select()
        .column(payment_cart_notice::Column::NoticeId)
        .from(payment_cart_notice::Entity)
        .and_where(payment_cart_notice::Column::CartId.in_subquery(live))
        .to_owned()
}
