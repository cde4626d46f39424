//! Shared steps of the integrator journeys: an administrator makes an API client, and
//! the program exchanges its credentials for a token at the OAuth endpoint.

use reqwest::StatusCode;
use serde_json::json;
use sportello_model::integrations::{ApiClientSecret, ClientToken, Scope};
use sportello_model::paths;

use crate::{json, TestServer};

/// An API client made by the administrator whose token is `admin`.
pub struct Client {
    pub made: ApiClientSecret,
    /// The id of the client's own account, to which its actions are attributed.
    pub user_id: i64,
}

impl TestServer {
    /// An API client named `name` with `scopes`, made by the administrator `admin`.
    pub async fn api_client(&self, admin: &str, name: &str, scopes: &[Scope]) -> Client {
        let made: ApiClientSecret = json(
            self.post_json(
                admin,
                &paths::office_api_clients(),
                &json!({ "name": name, "scopes": scopes }),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let user_id = self
            .scalar(&format!(
                "SELECT user_id FROM api_clients WHERE id = {}",
                made.client.id
            ))
            .await;
        Client { made, user_id }
    }

    /// The token endpoint's answer to `form` (form-encoded), sent without other
    /// credentials.
    pub async fn oauth_token(&self, form: &[(&str, &str)]) -> reqwest::Response {
        crate::client()
            .post(self.api(&paths::oauth_token()))
            .form(form)
            .send()
            .await
            .expect("token request")
    }

    /// An access token for `client` with the scopes it was granted.
    pub async fn client_token(&self, client: &Client) -> ClientToken {
        json(
            self.oauth_token(&[
                ("grant_type", "client_credentials"),
                ("client_id", &client.made.client.client_id),
                ("client_secret", &client.made.client_secret),
            ])
            .await,
            StatusCode::OK,
        )
        .await
    }
}
