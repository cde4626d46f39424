//! A logged-in user of a test server: the tokens it got and the requests it sends with
//! its bearer token, so that a journey reads `mario.get_ok(&paths::emissions())`.

use std::ops::Deref;

use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sportello_model::auth::TokenResponse;

use crate::{json, TestServer};

/// A user logged in on a [`TestServer`]; derefs to its [`TokenResponse`]
/// (`mario.access_token`, `mario.user.id`).
pub struct User<'a> {
    pub server: &'a TestServer,
    tokens: TokenResponse,
}

impl Deref for User<'_> {
    type Target = TokenResponse;

    fn deref(&self) -> &TokenResponse {
        &self.tokens
    }
}

impl<'a> User<'a> {
    pub(crate) fn new(server: &'a TestServer, tokens: TokenResponse) -> User<'a> {
        User { server, tokens }
    }

    /// The same login sending its requests to `replica` (another server process on the
    /// same database).
    pub fn on<'b>(&self, replica: &'b TestServer) -> User<'b> {
        User::new(replica, self.tokens.clone())
    }

    /// The bearer token its requests carry.
    pub fn token(&self) -> &str {
        &self.tokens.access_token
    }

    /// GET an API path.
    pub async fn get(&self, path: &str) -> Response {
        self.server.get(self.token(), path).await
    }

    /// GET an API path, asserting 200, and decode its JSON body.
    pub async fn get_ok<T: DeserializeOwned>(&self, path: &str) -> T {
        json(self.get(path).await, StatusCode::OK).await
    }

    /// POST a JSON body to an API path.
    pub async fn post(&self, path: &str, body: &impl Serialize) -> Response {
        self.server.post_json(self.token(), path, body).await
    }

    /// POST an empty JSON object (`{}`), as the SPA's action buttons do.
    pub async fn post_empty(&self, path: &str) -> Response {
        self.post(path, &serde_json::json!({})).await
    }

    /// POST with no body at all, as a plain form-less client does.
    pub async fn post_bare(&self, path: &str) -> Response {
        self.server
            .send(reqwest::Method::POST, self.token(), path, None)
            .await
    }

    /// POST a file as the body, with its content type (a CSV registry, an XML flow).
    pub async fn post_file(&self, path: &str, content_type: &str, body: String) -> Response {
        self.send_file(reqwest::Method::POST, path, content_type, body)
            .await
    }

    /// Like [`User::post_file`], with PUT (a file replaced).
    pub async fn put_file(&self, path: &str, content_type: &str, body: String) -> Response {
        self.send_file(reqwest::Method::PUT, path, content_type, body)
            .await
    }

    async fn send_file(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: String,
    ) -> Response {
        crate::client()
            .request(method, self.server.api(path))
            .bearer_auth(self.token())
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// PUT a JSON body to an API path.
    pub async fn put(&self, path: &str, body: &impl Serialize) -> Response {
        self.server.put_json(self.token(), path, body).await
    }

    /// DELETE an API path.
    pub async fn delete(&self, path: &str) -> Response {
        self.server.delete(self.token(), path).await
    }
}
