//! Contatti e preferenze: the user's e-mail and mobile number and the channels letters
//! come by.
//!
//! A new e-mail or number is asked for ([`request_change`]): a 6-digit code goes through
//! the outbox to the new address (e-mail channel) or number (SMS channel), and only its
//! hash is kept, for 15 minutes, one per user and kind (a new request replaces it; a few
//! requests an hour at most). Typing the code ([`confirm_change`]) applies the change;
//! each try is counted before it is checked, so five wrong ones void the request however
//! many arrive at once. The old e-mail is told of the change. An e-mail already used by
//! another account of the comune is refused.

use rand::Rng;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};
use sportello_model::communications::Channel as Kind;
use sportello_model::contacts::{
    display, ChannelPreferences, ContactChange, ContactConfirmation, ContactKind, Contacts,
    PendingChange, CODE_MAX_TRIES, CODE_TTL_MINUTES,
};
use sportello_model::sms::MobileNumber;
use time::OffsetDateTime;

use super::entity::{contact_code, user};
use super::secrets::token_hash;
use super::throttle::{self, ThrottleKey};
use crate::communications::outbox::{self, NewMessage};
use crate::communications::{app_io_available, enqueue_email};
use crate::db::{upsert, TenantScoped};
use crate::entes::entity::ente;
use crate::error::{ApiError, ApiResult};

async fn find_user(db: &DatabaseConnection, ente: &ente::Model, id: i64) -> ApiResult<user::Model> {
    user::Entity::find_in_ente(ente.ente_id())
        .filter(user::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The user's contacts, channels and changes waiting for their code at `now`.
pub async fn contacts(
    db: &DatabaseConnection,
    settings: &sportello_notify::Settings,
    ente: &ente::Model,
    user_id: i64,
    now: OffsetDateTime,
) -> ApiResult<Contacts> {
    let user = find_user(db, ente, user_id).await?;
    let pending = contact_code::Entity::find_in_ente(ente.ente_id())
        .filter(contact_code::Column::UserId.eq(user.id))
        .filter(contact_code::Column::ExpiresAt.gt(now))
        .filter(contact_code::Column::Tries.lt(CODE_MAX_TRIES))
        .all(db)
        .await?
        .into_iter()
        .map(|code| PendingChange {
            kind: code.kind,
            value: display(code.kind, &code.value),
            expires_at: code.expires_at,
        })
        .collect();
    Ok(Contacts {
        email: user.email.clone().filter(|e| !e.trim().is_empty()),
        mobile: user.mobile.as_ref().map(|m| m.as_str().to_owned()),
        mobile_display: user.mobile.as_ref().map(MobileNumber::display),
        channels: ChannelPreferences {
            email: user.channel_email,
            sms: user.channel_sms,
            app_io: user.channel_app_io,
        },
        app_io_available: app_io_available(settings, &ente.slug),
        pending,
    })
}

/// Sets the channels letters come by, when the user can be reached on each.
pub async fn set_channels(
    db: &DatabaseConnection,
    settings: &sportello_notify::Settings,
    ente: &ente::Model,
    user_id: i64,
    preferences: ChannelPreferences,
    now: OffsetDateTime,
) -> ApiResult<Contacts> {
    let current = contacts(db, settings, ente, user_id, now).await?;
    preferences
        .check(current.reachable())
        .map_err(ApiError::Validation)?;
    user::Entity::update_many()
        .col_expr(user::Column::ChannelEmail, Expr::value(preferences.email))
        .col_expr(user::Column::ChannelSms, Expr::value(preferences.sms))
        .col_expr(user::Column::ChannelAppIo, Expr::value(preferences.app_io))
        .filter(user::Column::EnteId.eq(ente.ente_id()))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    contacts(db, settings, ente, user_id, now).await
}

/// The stored form of a code: bound to the user, the kind and the value it confirms.
fn code_hash(user_id: i64, kind: ContactKind, value: &str, code: &str) -> String {
    token_hash(&format!("{user_id}:{}:{value}:{code}", kind.as_str()))
}

/// Refuses an e-mail address another account of the comune uses.
async fn ensure_email_free<C: sea_orm::ConnectionTrait>(
    db: &C,
    ente: &ente::Model,
    user_id: i64,
    email: &str,
) -> ApiResult<()> {
    let taken = user::Entity::find_in_ente(ente.ente_id())
        .filter(user::Column::Id.ne(user_id))
        .filter(Expr::expr(Func::lower(Expr::col(user::Column::Email))).eq(email.to_lowercase()))
        .one(db)
        .await?;
    if taken.is_some() {
        return Err(ApiError::field(
            "value",
            "Questo indirizzo e-mail è già usato da un altro account del comune: indicane un altro.",
        ));
    }
    Ok(())
}

/// The message that carries `code` to the new address or number.
fn code_message(ente: &ente::Model, kind: ContactKind, value: &str, code: &str) -> NewMessage {
    match kind {
        ContactKind::Email => NewMessage::email(
            value,
            "Codice di conferma del nuovo indirizzo e-mail",
            &format!(
                "Per confermare questo indirizzo e-mail sul portale dei servizi scolastici del {}, inserisci il codice:\n\n{code}\n\nIl codice vale {CODE_TTL_MINUTES} minuti. Se non hai chiesto tu la modifica, ignora questo messaggio: il tuo indirizzo resta invariato.\n",
                ente.name
            ),
        ),
        ContactKind::Mobile => NewMessage {
            channel: Kind::Sms,
            recipient: value.to_owned(),
            subject: "Codice di conferma del nuovo numero di cellulare".into(),
            body: format!(
                "{}: il codice per confermare il tuo numero di cellulare è {code}. Vale {CODE_TTL_MINUTES} minuti.",
                ente.name
            ),
            attachment: None,
            payment_data: None,
        },
    }
}

/// Asks to change the user's e-mail or mobile number: a new code replaces any waiting
/// one and goes through the outbox to the new address or number.
pub async fn request_change(
    db: &DatabaseConnection,
    ente: &ente::Model,
    user_id: i64,
    change: &ContactChange,
    now: OffsetDateTime,
) -> ApiResult<PendingChange> {
    let user = find_user(db, ente, user_id).await?;
    let current = match change.kind {
        ContactKind::Email => user.email.clone(),
        ContactKind::Mobile => user.mobile.as_ref().map(|m| m.as_str().to_owned()),
    };
    let value = change
        .check(current.as_deref())
        .map_err(ApiError::Validation)?;
    if change.kind == ContactKind::Email {
        ensure_email_free(db, ente, user.id, &value).await?;
    }
    let key = [ThrottleKey::contact_change(ente.ente_id(), user.id)];
    throttle::ensure_not_locked(db, &key, now).await?;
    if !throttle::admit(db, &key, now).await? {
        return Err(ApiError::TooManyRequests {
            detail: "Hai chiesto troppi codici di conferma. Riprova tra un'ora.".into(),
            retry_after: 3600,
        });
    }
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
    let expires_at = now + time::Duration::minutes(CODE_TTL_MINUTES);
    let txn = db.begin().await?;
    upsert(
        &txn,
        [contact_code::ActiveModel {
            ente_id: Set(ente.ente_id()),
            user_id: Set(user.id),
            kind: Set(change.kind),
            value: Set(value.clone()),
            code_hash: Set(code_hash(user.id, change.kind, &value, &code)),
            tries: Set(0),
            created_at: Set(now),
            expires_at: Set(expires_at),
            ..Default::default()
        }],
        [contact_code::Column::UserId, contact_code::Column::Kind],
        [
            contact_code::Column::Value,
            contact_code::Column::CodeHash,
            contact_code::Column::Tries,
            contact_code::Column::CreatedAt,
            contact_code::Column::ExpiresAt,
        ],
    )
    .await?;
    outbox::enqueue(
        &txn,
        ente.ente_id(),
        code_message(ente, change.kind, &value, &code),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(PendingChange {
        kind: change.kind,
        value: display(change.kind, &value),
        expires_at,
    })
}

fn code_error(message: impl Into<String>) -> ApiError {
    ApiError::field("code", message)
}

/// Confirms a change with the code sent to the new address or number: the new value
/// applies, and the e-mail the user had is told.
pub async fn confirm_change(
    db: &DatabaseConnection,
    settings: &sportello_notify::Settings,
    ente: &ente::Model,
    user_id: i64,
    confirmation: &ContactConfirmation,
    now: OffsetDateTime,
) -> ApiResult<Contacts> {
    let digits = confirmation.check().map_err(ApiError::Validation)?;
    let kind = confirmation.kind;
    let waiting = contact_code::Entity::find_in_ente(ente.ente_id())
        .filter(contact_code::Column::UserId.eq(user_id))
        .filter(contact_code::Column::Kind.eq(kind))
        .one(db)
        .await?
        .ok_or_else(|| {
            code_error(format!(
                "Non c'è una modifica del tuo {} in attesa di conferma: chiedi un nuovo codice.",
                kind.label()
            ))
        })?;
    if waiting.expires_at <= now {
        return Err(code_error("Il codice è scaduto: chiedi un nuovo codice."));
    }
    // The try counts before the code is compared: concurrent guesses cannot exceed the
    // limit.
    let counted = contact_code::Entity::update_many()
        .col_expr(
            contact_code::Column::Tries,
            Expr::col(contact_code::Column::Tries).add(1),
        )
        .filter(contact_code::Column::EnteId.eq(ente.ente_id()))
        .filter(contact_code::Column::Id.eq(waiting.id))
        .filter(contact_code::Column::CodeHash.eq(waiting.code_hash.clone()))
        .filter(contact_code::Column::Tries.lt(CODE_MAX_TRIES))
        .exec(db)
        .await?;
    if counted.rows_affected == 0 {
        return Err(code_error(
            "Hai inserito un codice errato troppe volte: chiedi un nuovo codice.",
        ));
    }
    if code_hash(user_id, kind, &waiting.value, &digits) != waiting.code_hash {
        let left = CODE_MAX_TRIES - waiting.tries - 1;
        return Err(code_error(match left {
            0 => "Codice errato. Hai esaurito i tentativi: chiedi un nuovo codice.".to_owned(),
            1 => "Codice errato: hai ancora 1 tentativo.".to_owned(),
            n => format!("Codice errato: hai ancora {n} tentativi."),
        }));
    }
    let user = find_user(db, ente, user_id).await?;
    let txn = db.begin().await?;
    let used = contact_code::Entity::delete_many()
        .filter(contact_code::Column::EnteId.eq(ente.ente_id()))
        .filter(contact_code::Column::Id.eq(waiting.id))
        .filter(contact_code::Column::CodeHash.eq(waiting.code_hash.clone()))
        .exec(&txn)
        .await?;
    if used.rows_affected == 0 {
        // Confirmed at the same time by another request, or replaced by a new code.
        txn.rollback().await?;
        return contacts(db, settings, ente, user_id, now).await;
    }
    let mut update = user::Entity::update_many()
        .filter(user::Column::EnteId.eq(ente.ente_id()))
        .filter(user::Column::Id.eq(user.id));
    let what = match kind {
        ContactKind::Email => {
            ensure_email_free(&txn, ente, user.id, &waiting.value).await?;
            update = update.col_expr(user::Column::Email, Expr::value(waiting.value.clone()));
            format!("l'indirizzo e-mail è ora {}", waiting.value)
        }
        ContactKind::Mobile => {
            let number = MobileNumber::parse(&waiting.value).map_err(ApiError::internal)?;
            let shown = number.display();
            update = update.col_expr(user::Column::Mobile, Expr::value(number));
            format!("il numero di cellulare è ora {shown}")
        }
    };
    update.exec(&txn).await?;
    if let Some(old) = user.email.as_deref().filter(|e| !e.trim().is_empty()) {
        enqueue_email(
            &txn,
            ente.ente_id(),
            old,
            &format!("Modifica del tuo {}", kind.label()),
            &format!(
                "Gentile {},\n\nsul portale dei servizi scolastici del {} {what}.\n\nSe non hai fatto tu la modifica, contatta subito l'ufficio scuola del comune.\n",
                user.full_name(),
                ente.name
            ),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    contacts(db, settings, ente, user_id, now).await
}
