//! The comune's API clients, for its administrators: each client is an account of its
//! own (role `integrator`, a reserved codice fiscale that is no person's, no password),
//! so that the Registro attività and every record's author name it, and a row of
//! `api_clients` with its public id, the hash of its secret and its scopes.

use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, TransactionTrait,
};
use sportello_model::auth::Role;
use sportello_model::integrations::{scope_text, ApiClient, ApiClientForm, ApiClientSecret};
use sportello_model::FiscalCode;
use time::OffsetDateTime;

use super::entity::api_client;
use crate::accounts::entity::user;
use crate::accounts::secrets::{random_token, token_hash};
use crate::db::{EnteId, TenantScoped};
use crate::error::{ApiError, ApiResult};

/// What the account of a client is called after the client's name.
const ACCOUNT_SUFFIX: &str = "(client API)";
/// Tries at a reserved codice fiscale not taken yet in the comune.
const ACCOUNT_CODE_TRIES: usize = 5;

fn dto(row: api_client::Model) -> ApiClient {
    ApiClient {
        scopes: row.granted(),
        active: row.revoked_at.is_none(),
        id: row.id,
        name: row.name,
        client_id: row.client_id,
        created_at: row.created_at,
        rotated_at: row.rotated_at,
        last_used_at: row.last_used_at,
        revoked_at: row.revoked_at,
    }
}

/// The comune's API clients, the active ones first, by name.
pub async fn list(db: &DatabaseConnection, ente_id: EnteId) -> ApiResult<Vec<ApiClient>> {
    let mut rows = api_client::Entity::find_in_ente(ente_id)
        .order_by_asc(api_client::Column::Name)
        .order_by_asc(api_client::Column::Id)
        .all(db)
        .await?;
    rows.sort_by_key(|row| row.revoked_at.is_some());
    Ok(rows.into_iter().map(dto).collect())
}

/// A client of the comune (404 for any other).
pub async fn find<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    id: i64,
) -> ApiResult<api_client::Model> {
    api_client::Entity::find_in_ente(ente_id)
        .filter(api_client::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A client of the comune as the page shows it (404 for any other).
pub async fn get(db: &DatabaseConnection, ente_id: EnteId, id: i64) -> ApiResult<ApiClient> {
    Ok(dto(find(db, ente_id, id).await?))
}

/// The client's account: the comune's, with a reserved codice fiscale not taken yet.
async fn new_account<C: ConnectionTrait>(
    txn: &C,
    ente_id: EnteId,
    name: &str,
    now: OffsetDateTime,
) -> ApiResult<user::Model> {
    for _ in 0..ACCOUNT_CODE_TRIES {
        let code = FiscalCode::of_api_client(rand::rngs::OsRng.next_u32());
        let taken = user::Entity::find_in_ente(ente_id)
            .filter(user::Column::FiscalCode.eq(code.as_str()))
            .one(txn)
            .await?
            .is_some();
        if taken {
            continue;
        }
        let row = user::ActiveModel {
            ente_id: Set(ente_id),
            role: Set(Role::Integrator),
            fiscal_code: Set(code),
            first_name: Set(name.to_owned()),
            last_name: Set(ACCOUNT_SUFFIX.to_owned()),
            email: Set(None),
            password_hash: Set(None),
            active: Set(true),
            created_at: Set(now),
            ..Default::default()
        };
        return Ok(row.insert(txn).await?);
    }
    Err(ApiError::internal(
        "no free codice fiscale for an API client",
    ))
}

/// A new client with its scopes; its secret is in the answer, and only there.
pub async fn create(
    db: &DatabaseConnection,
    ente_id: EnteId,
    author: i64,
    form: &ApiClientForm,
    now: OffsetDateTime,
) -> ApiResult<ApiClientSecret> {
    let (name, scopes) = form.check().map_err(ApiError::Validation)?;
    let secret = random_token();
    let txn = db.begin().await?;
    let account = new_account(&txn, ente_id, &name, now).await?;
    let row = api_client::ActiveModel {
        ente_id: Set(ente_id),
        user_id: Set(account.id),
        name: Set(name),
        client_id: Set(format!("sportello-{}", &random_token()[..24])),
        secret_hash: Set(token_hash(&secret)),
        scopes: Set(scope_text(&scopes)),
        secret_version: Set(1),
        created_by: Set(author),
        created_at: Set(now),
        rotated_at: Set(None),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(ApiClientSecret {
        client: dto(row),
        client_secret: secret,
    })
}

/// The refusal of a change to a revoked client.
fn revoked() -> ApiError {
    ApiError::Conflict("Il client è stato revocato: creane uno nuovo.".into())
}

/// A client's new name and scopes. Scopes taken away stop working at once, also for
/// the tokens already issued.
pub async fn change(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
    form: &ApiClientForm,
) -> ApiResult<ApiClient> {
    let (name, scopes) = form.check().map_err(ApiError::Validation)?;
    let txn = db.begin().await?;
    let row = find(&txn, ente_id, id).await?;
    if row.revoked_at.is_some() {
        return Err(revoked());
    }
    user::Entity::update_many()
        .col_expr(user::Column::FirstName, name.clone().into())
        .filter(user::Column::EnteId.eq(ente_id))
        .filter(user::Column::Id.eq(row.user_id))
        .exec(&txn)
        .await?;
    let mut active = row.into_active_model();
    active.name = Set(name);
    active.scopes = Set(scope_text(&scopes));
    let row = active.update(&txn).await?;
    txn.commit().await?;
    Ok(dto(row))
}

/// A new secret for the client: the earlier one, and every token issued with it, stop
/// working at once.
pub async fn rotate(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<ApiClientSecret> {
    let secret = random_token();
    let txn = db.begin().await?;
    let row = find(&txn, ente_id, id).await?;
    if row.revoked_at.is_some() {
        return Err(revoked());
    }
    let version = row.secret_version;
    // One rotation at a time: the version read is the version replaced.
    let changed = api_client::Entity::update_many()
        .col_expr(api_client::Column::SecretHash, token_hash(&secret).into())
        .col_expr(api_client::Column::SecretVersion, (version + 1).into())
        .col_expr(api_client::Column::RotatedAt, Some(now).into())
        .filter(api_client::Column::EnteId.eq(ente_id))
        .filter(api_client::Column::Id.eq(id))
        .filter(api_client::Column::SecretVersion.eq(version))
        .exec(&txn)
        .await?;
    if changed.rows_affected != 1 {
        return Err(ApiError::Conflict(
            "Il segreto è stato appena sostituito da un'altra richiesta: ricarica la pagina."
                .into(),
        ));
    }
    let row = find(&txn, ente_id, id).await?;
    txn.commit().await?;
    Ok(ApiClientSecret {
        client: dto(row),
        client_secret: secret,
    })
}

/// Revokes the client for good: it gets no more tokens and its tokens stop working.
/// Revoking a revoked client changes nothing.
pub async fn revoke(
    db: &DatabaseConnection,
    ente_id: EnteId,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<ApiClient> {
    let txn = db.begin().await?;
    let row = find(&txn, ente_id, id).await?;
    if row.revoked_at.is_none() {
        api_client::Entity::update_many()
            .col_expr(api_client::Column::RevokedAt, Some(now).into())
            .filter(api_client::Column::EnteId.eq(ente_id))
            .filter(api_client::Column::Id.eq(id))
            .filter(api_client::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
        user::Entity::update_many()
            .col_expr(user::Column::Active, false.into())
            .filter(user::Column::EnteId.eq(ente_id))
            .filter(user::Column::Id.eq(row.user_id))
            .exec(&txn)
            .await?;
    }
    let row = find(&txn, ente_id, id).await?;
    txn.commit().await?;
    Ok(dto(row))
}
