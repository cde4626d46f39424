//! Integrazioni: the comune's API clients, for its administrators.

use sportello_model::integrations::{ApiClient, ApiClientForm, ApiClientSecret};
use sportello_model::paths;

use super::client::{get_authed, post_authed, put_authed, ApiResult};
use crate::session::Session;

pub async fn api_clients(session: Session) -> ApiResult<Vec<ApiClient>> {
    get_authed(session, &paths::office_api_clients(), &[]).await
}

/// Creates a client; the answer holds its secret, shown this once.
pub async fn create_api_client(
    session: Session,
    form: &ApiClientForm,
) -> ApiResult<ApiClientSecret> {
    post_authed(session, &paths::office_api_clients(), Some(form)).await
}

/// Changes a client's name and scopes.
pub async fn change_api_client(
    session: Session,
    id: i64,
    form: &ApiClientForm,
) -> ApiResult<ApiClient> {
    put_authed(session, &paths::office_api_client(id), form).await
}

/// A new secret: the earlier one stops working.
pub async fn rotate_api_client_secret(session: Session, id: i64) -> ApiResult<ApiClientSecret> {
    post_authed::<(), _>(session, &paths::office_api_client_secret(id), None).await
}

/// Revokes the client for good.
pub async fn revoke_api_client(session: Session, id: i64) -> ApiResult<ApiClient> {
    post_authed::<(), _>(session, &paths::office_api_client_revocation(id), None).await
}
