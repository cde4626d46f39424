//! Login with codice fiscale and password, the current user, password reset.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    TransactionTrait,
};
use sportello_model::auth::{validate_new_password, Me};
use sportello_model::{spa, FiscalCode};
use time::OffsetDateTime;

use super::devices;
use super::entity::{password_reset_token, user};
use super::secrets::{hash_password, random_token, token_hash, verify_password};
use super::sessions::{self, IssuedSession};
use super::throttle::{self, ThrottleKey};
use crate::communications::enqueue_email;
use crate::db::{EnteId, TenantScoped};
use crate::entes::entity::ente;
use crate::error::{ApiError, ApiResult};

const RESET_TOKEN_TTL: time::Duration = time::Duration::hours(1);

/// A successful login: the user, their ente and the new session.
pub struct LoggedIn {
    pub user: user::Model,
    pub ente: ente::Model,
    pub session: IssuedSession,
}

/// Who is asking: the client's address and the browser's device cookie, if it has one.
pub struct Client<'a> {
    pub ip: &'a str,
    pub device: Option<&'a str>,
}

/// Parses a codice fiscale field into a 400 naming the field.
pub fn parse_fiscal_code(field: &str, value: &str) -> ApiResult<FiscalCode> {
    FiscalCode::parse(value).map_err(|e| ApiError::field(field, e.to_string()))
}

pub async fn find_by_fiscal_code(
    db: &DatabaseConnection,
    ente_id: EnteId,
    code: &FiscalCode,
) -> ApiResult<Option<user::Model>> {
    Ok(user::Entity::find_in_ente(ente_id)
        .filter(user::Column::FiscalCode.eq(code.clone()))
        .one(db)
        .await?)
}

/// The failed-login counters that hold this attempt: a device the account logged in from
/// before answers only for its own failures; any other device also for its address's,
/// and for the account's ceiling over every device it never logged in from.
async fn login_keys(
    db: &DatabaseConnection,
    ente_id: EnteId,
    code: &FiscalCode,
    found: Option<&user::Model>,
    client: &Client<'_>,
) -> ApiResult<Vec<ThrottleKey>> {
    if let Some(device) = devices::presented(client.device) {
        if devices::is_known(db, found.map(|u| u.id), device).await? {
            return Ok(vec![ThrottleKey::account_on_device(
                ente_id,
                code.as_str(),
                &devices::device_hash(device),
            )]);
        }
    }
    Ok(vec![
        ThrottleKey::account_from_client(ente_id, code.as_str(), client.ip),
        ThrottleKey::account(ente_id, code.as_str()),
        ThrottleKey::client(client.ip),
    ])
}

pub async fn login_with_password(
    db: &DatabaseConnection,
    now: OffsetDateTime,
    ente: ente::Model,
    fiscal_code: &str,
    password: &str,
    client: &Client<'_>,
    refresh_ttl_days: i64,
) -> ApiResult<LoggedIn> {
    let mut errors = Vec::new();
    let code = match FiscalCode::parse(fiscal_code) {
        Ok(code) => Some(code),
        Err(e) => {
            errors.push(sportello_model::FieldError::new(
                "fiscal_code",
                e.to_string(),
            ));
            None
        }
    };
    if password.is_empty() {
        errors.push(sportello_model::FieldError::new(
            "password",
            "La password è obbligatoria.",
        ));
    }
    let Some(code) = code.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    if !ente.password_login_enabled {
        return Err(ApiError::BadRequest(format!(
            "Il {} consente l'accesso solo con SPID o CIE.",
            ente.name
        )));
    }
    let found = find_by_fiscal_code(db, ente.ente_id(), &code).await?;
    let keys = login_keys(db, ente.ente_id(), &code, found.as_ref(), client).await?;
    throttle::ensure_not_locked(db, &keys, now)
        .await
        .inspect_err(|_| crate::operations::metrics::login_failed("locked"))?;
    let hash = found.as_ref().and_then(|u| u.password_hash.clone());
    let ok = verify_password(password, hash.as_deref()).await?;
    let user = match found {
        Some(user) if ok && user.active => user,
        _ => {
            crate::operations::metrics::login_failed("credentials");
            throttle::record_failure(db, &keys, now).await?;
            return Err(ApiError::Unauthorized(
                "Codice fiscale o password non corretti.".into(),
            ));
        }
    };
    throttle::clear(db, &keys[0]).await?;
    let session = sessions::start(db, &user, refresh_ttl_days, now).await?;
    Ok(LoggedIn {
        user,
        ente,
        session,
    })
}

pub fn me(user: &user::Model, ente: &ente::Model) -> Me {
    Me {
        id: user.id,
        ente_slug: ente.slug.clone(),
        ente_name: ente.name.clone(),
        role: user.role,
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        fiscal_code: user.fiscal_code.to_string(),
        email: user.email.clone(),
    }
}

/// Asks for a reset link by e-mail. Answers the same, after the same work, whether or not
/// the account exists: the request is counted per client address and per account (a few
/// e-mails an hour at most), and the link is looked up and queued after the answer.
pub async fn request_password_reset(
    db: &DatabaseConnection,
    now: OffsetDateTime,
    ente: &ente::Model,
    fiscal_code: &str,
    client_ip: &str,
    public_url: &str,
) -> ApiResult<()> {
    let code = parse_fiscal_code("fiscal_code", fiscal_code)?;
    let keys = [
        ThrottleKey::reset_client(client_ip),
        ThrottleKey::reset_account(ente.ente_id(), code.as_str()),
    ];
    if !throttle::admit(db, &keys, now).await? {
        tracing::info!(
            ente = ente.ente_id().get(),
            "password reset request over its limit: no e-mail"
        );
        return Ok(());
    }
    let (db, ente, public_url) = (db.clone(), ente.clone(), public_url.to_owned());
    tokio::spawn(async move {
        if let Err(err) = send_reset_link(&db, now, &ente, &code, &public_url).await {
            tracing::error!(?err, "password reset e-mail not queued");
        }
    });
    Ok(())
}

/// Queues a reset link to the account's e-mail, when there is such an active account.
async fn send_reset_link(
    db: &DatabaseConnection,
    now: OffsetDateTime,
    ente: &ente::Model,
    code: &FiscalCode,
    public_url: &str,
) -> ApiResult<()> {
    let Some(user) = find_by_fiscal_code(db, ente.ente_id(), code).await? else {
        return Ok(());
    };
    let Some(email) = user.email.clone().filter(|_| user.active) else {
        return Ok(());
    };
    let txn = db.begin().await?;
    let link = password_link(&txn, ente, &user, RESET_TOKEN_TTL, public_url, now).await?;
    let body = format!(
        "Gentile {},\n\nabbiamo ricevuto una richiesta di reimpostazione della password per l'accesso al portale dei servizi scolastici del {}.\n\nPer scegliere una nuova password apri questo collegamento entro un'ora:\n{link}\n\nSe non hai fatto tu la richiesta, ignora questo messaggio: la tua password resta invariata.\n",
        user.full_name(),
        ente.name
    );
    enqueue_email(
        &txn,
        ente.ente_id(),
        &email,
        "Reimpostazione della password",
        &body,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A link to the page where `user` chooses a new password, valid for `ttl`: its token
/// is stored hashed in the caller's transaction.
pub async fn password_link<C: ConnectionTrait>(
    txn: &C,
    ente: &ente::Model,
    user: &user::Model,
    ttl: time::Duration,
    public_url: &str,
    now: OffsetDateTime,
) -> ApiResult<String> {
    let token = random_token();
    password_reset_token::Entity::insert(password_reset_token::ActiveModel {
        ente_id: Set(ente.ente_id()),
        user_id: Set(user.id),
        token_hash: Set(token_hash(&token)),
        created_at: Set(now),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    Ok(format!(
        "{public_url}{}",
        spa::password_reset(&ente.slug, &token)
    ))
}

/// Sets a new password with a valid, unused reset token; closes every open session.
pub async fn confirm_password_reset(
    db: &DatabaseConnection,
    now: OffsetDateTime,
    token: &str,
    new_password: &str,
) -> ApiResult<()> {
    validate_new_password("new_password", new_password)
        .map_err(|e| ApiError::Validation(vec![e]))?;
    let invalid = || {
        ApiError::field(
            "token",
            "Il collegamento per reimpostare la password non è valido o è scaduto: richiedine uno nuovo.",
        )
    };
    let stored = password_reset_token::Entity::find()
        .filter(password_reset_token::Column::TokenHash.eq(token_hash(token.trim())))
        .one(db)
        .await?
        .filter(|t| t.used_at.is_none() && t.expires_at > now)
        .ok_or_else(invalid)?;
    let hash = hash_password(new_password).await?;
    let txn = db.begin().await?;
    let claimed = password_reset_token::Entity::update_many()
        .col_expr(password_reset_token::Column::UsedAt, Expr::value(now))
        .filter(password_reset_token::Column::Id.eq(stored.id))
        .filter(password_reset_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(invalid());
    }
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .filter(user::Column::Id.eq(stored.user_id))
        .exec(&txn)
        .await?;
    sessions::revoke_user(&txn, stored.user_id, now).await?;
    txn.commit().await?;
    Ok(())
}
