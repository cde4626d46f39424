//! The rate limit of the API clients, around the whole `/api/v1` scope: each client may
//! make `SPORTELLO_CLIENT_RATE_LIMIT` requests a minute (counted in the database, so two
//! replicas count together); every answer to a client says its limit, what is left and
//! the seconds until the minute is over, with the headers of AgID's interoperability
//! guidelines (ModI: `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`),
//! and beyond the limit the answer is 429 with `Retry-After`. People are not limited
//! here (their logins have their own throttle).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};
use sea_orm::sea_query::{Alias, Expr, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter};

use crate::auth::bearer;
use crate::error::ApiError;
use crate::startup::AppState;

const TABLE: &str = "api_client_usage";

mod usage {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "api_client_usage")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub client_id: i64,
        /// Minutes since 1970.
        pub minute: i64,
        pub requests: i32,
    }

    crate::db::entity_basics!();
}

/// Counts one request of `client` in `minute`: the requests of the minute so far.
async fn count(db: &DatabaseConnection, client: i64, minute: i64) -> Result<i64, DbErr> {
    let requests = || Alias::new("requests");
    let insert = Query::insert()
        .into_table(Alias::new(TABLE))
        .columns([Alias::new("client_id"), Alias::new("minute"), requests()])
        .values_panic([client.into(), minute.into(), 1.into()])
        .on_conflict(
            OnConflict::columns([Alias::new("client_id"), Alias::new("minute")])
                .value(
                    requests(),
                    Expr::col((Alias::new(TABLE), requests())).add(1),
                )
                .to_owned(),
        )
        .returning_col(requests())
        .to_owned();
    let row = db
        .query_one(db.get_database_backend().build(&insert))
        .await?
        .ok_or_else(|| DbErr::Custom("no count returned".into()))?;
    let count: i32 = row.try_get_by_index(0)?;
    if count == 1 {
        // A new minute: the client's earlier ones are done with.
        usage::Entity::delete_many()
            .filter(usage::Column::ClientId.eq(client))
            .filter(usage::Column::Minute.lt(minute))
            .exec(db)
            .await?;
    }
    Ok(i64::from(count))
}

/// The API client of the request's token, if it is one's.
fn client_of(req: &ServiceRequest, state: &AppState) -> Option<i64> {
    let token = bearer(req.request()).ok()?;
    let claims = state.jwt.verify(&token, state.now()).ok()?;
    claims.client_id()
}

/// The middleware: see the module.
pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Err(ApiError::internal("application state missing").into());
    };
    let Some(client) = client_of(&req, &state) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let now = state.now().unix_timestamp();
    let reset = 60 - now.rem_euclid(60);
    let limit = i64::from(state.config.client_rate_limit);
    let used = match count(&state.db, client, now.div_euclid(60)).await {
        Ok(used) => used,
        Err(err) => {
            let (req, _) = req.into_parts();
            return Ok(ServiceResponse::new(
                req,
                ApiError::from(err).error_response(),
            ));
        }
    };
    let mut res = if used > limit {
        let (req, _) = req.into_parts();
        let refusal = ApiError::TooManyRequests {
            detail: format!(
                "Il client ha superato il limite di {limit} richieste al minuto: riprova tra {reset} secondi."
            ),
            retry_after: reset as u64,
        };
        ServiceResponse::new(req, refusal.error_response())
    } else {
        next.call(req).await?.map_into_boxed_body()
    };
    for (name, value) in [
        ("x-ratelimit-limit", limit),
        ("x-ratelimit-remaining", (limit - used).max(0)),
        ("x-ratelimit-reset", reset),
    ] {
        res.headers_mut()
            .insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
    Ok(res)
}
