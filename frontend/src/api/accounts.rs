//! Logging in and out, SPID/CIE, and the password reset.

use sportello_model::auth::{
    LoginRequest, PasswordResetConfirm, PasswordResetRequest, RefreshRequest, TokenResponse,
};
use sportello_model::paths::{self, BASE};

use super::client::{access_token, decode, post, url_encode, ApiResult};

pub async fn login(slug: &str, request: &LoginRequest) -> ApiResult<TokenResponse> {
    decode(post(&paths::login(url_encode(slug)), request, None).await?).await
}

/// Closes the session on the server (access token and refresh cookie).
pub async fn logout() -> ApiResult<()> {
    post(
        &paths::logout(),
        &RefreshRequest::default(),
        access_token().as_deref(),
    )
    .await
    .map(drop)
}

pub async fn request_password_reset(slug: &str, request: &PasswordResetRequest) -> ApiResult<()> {
    post(&paths::password_reset(url_encode(slug)), request, None)
        .await
        .map(drop)
}

pub async fn confirm_password_reset(request: &PasswordResetConfirm) -> ApiResult<()> {
    post(&paths::password_reset_confirm(), request, None)
        .await
        .map(drop)
}

/// Full-page address that starts a SPID or CIE login and comes back to `return_to`.
pub fn oidc_start_url(slug: &str, provider: &str, return_to: &str) -> String {
    format!(
        "{BASE}{}?redirect_to={}",
        paths::oidc_start(url_encode(slug), url_encode(provider)),
        url_encode(return_to)
    )
}
