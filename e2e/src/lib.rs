//! Test harness: starts the real `sportello` binary on a free port with a fresh database
//! (SQLite by default, PostgreSQL when `TEST_DATABASE_URL` is set) and talks to it over
//! HTTP like any client would.

pub mod bench;
pub mod browser;
pub mod contacts;
pub mod integrations;
pub mod payments;
pub mod smtp;
mod user;

pub use user::User;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::{Client, Method, Response, StatusCode};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, QueryResult, Statement};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use sportello_model::auth::TokenResponse;
use sportello_model::{paths, Problem};

/// The JWT secret the test servers run with, so tests can forge tokens signed with it.
pub const TEST_JWT_SECRET: &str = "e2e-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
/// Password of every demo account.
pub const DEMO_PASSWORD: &str = "Sportello2026";
pub const MARIO: &str = "LBRMRA80E12F205M";
pub const LAURA_DELEGATE: &str = "BNCLRA82P43F205R";
pub const ANNA: &str = "CLMNNA85M52F205M";
pub const GIULIA_OPERATOR: &str = "RSSGLI75A41F205C";
/// Comune di Demo's administrator.
pub const MARTA_ADMIN: &str = "GLLMRT70C55F205C";
pub const PAOLO_CANTEEN: &str = "VRDPLA70B05F205C";
pub const GIUSEPPE_ESEMPIO: &str = "FRRGPP78D15E897B";
pub const CARLO_OPERATOR_ESEMPIO: &str = "BRNCRL72R10E897G";

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("e2e sits inside the workspace")
        .to_path_buf()
}

/// The server binary: `SPORTELLO_BIN`, or the workspace's debug build.
pub fn server_binary() -> PathBuf {
    let path = std::env::var_os("SPORTELLO_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug/sportello"));
    assert!(
        path.exists(),
        "server binary {} not found: run `cargo build -p sportello-api` first (the test command does)",
        path.display()
    );
    path
}

/// A fresh, empty database for one server.
enum TestDatabase {
    Sqlite { _dir: PathBuf },
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    async fn create() -> (TestDatabase, String) {
        let id = uuid::Uuid::new_v4().simple().to_string();
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("sportello_e2e_{}", &id[..16]);
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("connect to TEST_DATABASE_URL");
                admin
                    .execute(Statement::from_string(
                        admin.get_database_backend(),
                        format!("CREATE DATABASE {name}"),
                    ))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let url = replace_database(&admin_url, &name);
                (TestDatabase::Postgres { admin_url, name }, url)
            }
            _ => {
                let dir = std::env::temp_dir().join(format!("sportello-e2e-{id}"));
                std::fs::create_dir_all(&dir).expect("temp dir");
                let url = format!("sqlite://{}?mode=rwc", dir.join("sportello.db").display());
                (TestDatabase::Sqlite { _dir: dir }, url)
            }
        }
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let mut parsed = url::Url::parse(url).expect("TEST_DATABASE_URL is a URL");
    parsed.set_path(&format!("/{name}"));
    parsed.to_string()
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match self {
            TestDatabase::Sqlite { _dir } => {
                std::fs::remove_dir_all(&*_dir).ok();
            }
            TestDatabase::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop from a separate thread with its own runtime: we may be inside one.
                std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    rt.block_on(async {
                        if let Ok(admin) = Database::connect(&admin_url).await {
                            admin
                                .execute(Statement::from_string(
                                    admin.get_database_backend(),
                                    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                                ))
                                .await
                                .ok();
                        }
                    });
                })
                .join()
                .ok();
            }
        }
    }
}

/// The server binary with the test configuration on `database_url` (demo data, test
/// environment, any free port), for a test to add arguments or variables and run.
pub fn server_command(database_url: &str) -> Command {
    let mut command = Command::new(server_binary());
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SPORTELLO_ENV", "test")
        .env("SPORTELLO_BIND", "127.0.0.1:0")
        .env("DATABASE_URL", database_url)
        .env("JWT_SECRET", TEST_JWT_SECRET)
        .env("SPORTELLO_DEMO_DATA", "true")
        .env("SPORTELLO_STATIC_DIR", workspace_root().join("dist"))
        .env("RUST_LOG", "warn,tracing_actix_web=error,actix_files=off")
        .env("SPORTELLO_CHARGE_JOB", "false");
    command
}

/// A running server with its own database; stopped and cleaned up on drop.
pub struct TestServer {
    pub url: String,
    pub database_url: String,
    process: Child,
    /// The database this server created, dropped with it; a replica has none of its own.
    _database: Option<TestDatabase>,
}

/// Starts the server binary on `database_url` and waits for the address it announces.
async fn spawn_server(
    database_url: &str,
    extra_env: &[(&str, &str)],
    log: Stdio,
) -> (Child, String) {
    let mut command = server_command(database_url);
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log);
    for (k, v) in extra_env {
        command.env(k, v);
    }
    let mut process = command.spawn().expect("start the server binary");
    let stdout = process.stdout.take().expect("stdout piped");
    let first_line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).ok();
        line
    });
    let line = tokio::time::timeout(Duration::from_secs(60), first_line)
        .await
        .expect("server announced its address within 60 s")
        .expect("read stdout");
    let url = line
        .split_whitespace()
        .last()
        .filter(|u| u.starts_with("http://"))
        .unwrap_or_else(|| panic!("unexpected first line from server: {line:?}"))
        .to_string();
    (process, url)
}

impl TestServer {
    /// Starts the server with the demo data loaded.
    pub async fn start() -> TestServer {
        Self::start_with(&[]).await
    }

    pub async fn start_with(extra_env: &[(&str, &str)]) -> TestServer {
        Self::start_logging(extra_env, Stdio::inherit()).await
    }

    /// Starts the server with its log (standard error) going to `log`.
    pub async fn start_logging(extra_env: &[(&str, &str)], log: impl Into<Stdio>) -> TestServer {
        let (database, database_url) = TestDatabase::create().await;
        let (process, url) = spawn_server(&database_url, extra_env, log.into()).await;
        TestServer {
            url,
            database_url,
            process,
            _database: Some(database),
        }
    }

    /// `count` replicas of the server started at the same moment on one fresh database,
    /// as a platform starts them on a first deployment: they race to migrate it and load
    /// the demo data. The database is dropped with the last.
    pub async fn start_together(count: usize) -> Vec<TestServer> {
        let (database, database_url) = TestDatabase::create().await;
        let started = futures_util::future::join_all(
            (0..count).map(|_| spawn_server(&database_url, &[], Stdio::inherit())),
        )
        .await;
        let mut database = Some(database);
        let mut servers: Vec<TestServer> = started
            .into_iter()
            .rev()
            .map(|(process, url)| TestServer {
                url,
                database_url: database_url.clone(),
                process,
                _database: database.take(),
            })
            .collect();
        servers.reverse();
        servers
    }

    /// Another replica of the server on this server's database (migrated and loaded
    /// already), as a platform runs two behind one address.
    pub async fn replica(&self, extra_env: &[(&str, &str)]) -> TestServer {
        let (process, url) = spawn_server(&self.database_url, extra_env, Stdio::inherit()).await;
        TestServer {
            url,
            database_url: self.database_url.clone(),
            process,
            _database: None,
        }
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}{}{}", self.url, paths::BASE, path)
    }

    /// The server clock's "now" (test environment only).
    pub async fn now(&self) -> time::OffsetDateTime {
        clock_now(client().get(self.api("/test/clock")).send().await.unwrap()).await
    }

    /// Today in Rome by the server clock.
    pub async fn today(&self) -> time::Date {
        sportello_model::rome::today(self.now().await)
    }

    /// Moves the server clock forward by `by` (whole seconds; test environment only) and
    /// returns its new "now". Everything the server does from then on happens at the new
    /// time: deadlines pass, tokens and links expire, lock-outs end.
    pub async fn advance_clock(&self, by: Duration) -> time::OffsetDateTime {
        let res = client()
            .post(self.api("/test/clock"))
            .json(&serde_json::json!({ "advance_seconds": by.as_secs() }))
            .send()
            .await
            .unwrap();
        clock_now(res).await
    }

    /// Direct access to the server's database, for what no API exposes (the e-mail outbox).
    pub async fn database(&self) -> DatabaseConnection {
        Database::connect(&self.database_url)
            .await
            .expect("connect to the test database")
    }

    /// The rows `sql` returns from the server's database.
    pub async fn query(&self, sql: &str) -> Vec<QueryResult> {
        let db = self.database().await;
        let statement = Statement::from_string(db.get_database_backend(), sql);
        db.query_all(statement).await.expect("query")
    }

    /// The first column of the first row `sql` returns from the server's database.
    pub async fn scalar<T: sea_orm::TryGetable>(&self, sql: &str) -> T {
        let rows = self.query(sql).await;
        let row = rows.first().unwrap_or_else(|| panic!("no row from {sql}"));
        row.try_get_by_index(0)
            .expect("a value of the column's type")
    }

    /// Asks Comune di Demo for a password reset link for `fiscal_code`, from `http`.
    pub async fn ask_password_reset(&self, http: &Client, fiscal_code: &str) -> Response {
        let body = serde_json::json!({ "fiscal_code": fiscal_code });
        let url = self.api(&paths::password_reset("demo"));
        http.post(url)
            .json(&body)
            .send()
            .await
            .expect("reset request")
    }

    /// Logs in with codice fiscale and password; panics unless it succeeds.
    pub async fn login(&self, slug: &str, fiscal_code: &str) -> TokenResponse {
        let res = self
            .try_login(&client(), slug, fiscal_code, DEMO_PASSWORD)
            .await;
        assert_eq!(res.status(), StatusCode::OK, "login of {fiscal_code}");
        res.json().await.expect("token response")
    }

    /// Logs in with codice fiscale and password: the user, to send requests as.
    pub async fn user(&self, slug: &str, fiscal_code: &str) -> User<'_> {
        User::new(self, self.login(slug, fiscal_code).await)
    }

    /// Logs in through SPID (see `spid_login`): the user, to send requests as.
    pub async fn spid_user(&self, slug: &str, fiscal_code: &str) -> User<'_> {
        User::new(self, self.spid_login(slug, fiscal_code).await)
    }

    /// GET an API path without logging in.
    pub async fn public(&self, path: &str) -> Response {
        client().get(self.api(path)).send().await.expect("request")
    }

    /// GET an API path without logging in, asserting 200, and decode its JSON body.
    pub async fn public_ok<T: DeserializeOwned>(&self, path: &str) -> T {
        json(self.public(path).await, StatusCode::OK).await
    }

    /// GET a path outside the API (`/api/docs`, a document's URL) without logging in.
    pub async fn page(&self, path: &str) -> Response {
        let url = format!("{}{path}", self.url);
        client().get(url).send().await.expect("request")
    }

    pub async fn try_login(
        &self,
        client: &Client,
        slug: &str,
        fiscal_code: &str,
        password: &str,
    ) -> Response {
        client
            .post(self.api(&paths::login(slug)))
            .json(&serde_json::json!({ "fiscal_code": fiscal_code, "password": password }))
            .send()
            .await
            .expect("login request")
    }

    /// Logs in through SPID with the development identity provider and returns the
    /// tokens, as the SPA gets them after the callback (a refresh with the cookie).
    pub async fn spid_login(&self, slug: &str, fiscal_code: &str) -> TokenResponse {
        let browser = client();
        self.oidc_login(&browser, slug, "spid", fiscal_code).await;
        json(self.refresh(&browser, None).await, StatusCode::OK).await
    }

    /// Asks for new tokens with `refresh_token` in the body or, given none, with the
    /// session cookie `client` keeps (as the SPA does).
    pub async fn refresh(&self, client: &Client, refresh_token: Option<&str>) -> Response {
        let request = client.post(self.api(&paths::refresh()));
        match refresh_token {
            Some(token) => request.json(&serde_json::json!({ "refresh_token": token })),
            None => request,
        }
        .send()
        .await
        .expect("refresh request")
    }

    /// The id of the child with this first name among those `token` may see.
    pub async fn child_named(&self, token: &str, first_name: &str) -> i64 {
        let children: sportello_model::Page<sportello_model::children::ChildSummary> = json(
            self.get(token, &format!("{}?per_page=100", paths::children()))
                .await,
            StatusCode::OK,
        )
        .await;
        children
            .items
            .iter()
            .find(|c| c.first_name == first_name)
            .unwrap_or_else(|| panic!("{first_name} is not visible"))
            .id
    }

    /// GET with a bearer token.
    pub async fn get(&self, token: &str, path: &str) -> Response {
        self.send(Method::GET, token, path, None).await
    }

    /// POST a JSON body with a bearer token.
    pub async fn post_json(&self, token: &str, path: &str, body: &impl Serialize) -> Response {
        self.send(Method::POST, token, path, Some(json_body(body)))
            .await
    }

    /// PUT a JSON body with a bearer token.
    pub async fn put_json(&self, token: &str, path: &str, body: &impl Serialize) -> Response {
        self.send(Method::PUT, token, path, Some(json_body(body)))
            .await
    }

    /// DELETE with a bearer token.
    pub async fn delete(&self, token: &str, path: &str) -> Response {
        self.send(Method::DELETE, token, path, None).await
    }

    async fn send(&self, method: Method, token: &str, path: &str, body: Option<Value>) -> Response {
        let request = client().request(method, self.api(path)).bearer_auth(token);
        match body {
            Some(body) => request.json(&body),
            None => request,
        }
        .send()
        .await
        .expect("request")
    }
}

async fn clock_now(res: Response) -> time::OffsetDateTime {
    let body = value(res, StatusCode::OK).await;
    let now = body["now"].as_str().expect("now in the clock's answer");
    time::OffsetDateTime::parse(now, &time::format_description::well_known::Rfc3339)
        .expect("RFC 3339 instant")
}

fn json_body(body: &impl Serialize) -> Value {
    serde_json::to_value(body).expect("a serialisable request body")
}

impl TestServer {
    /// Sends SIGTERM, as a platform does to stop a replica.
    pub fn terminate(&self) {
        let pid = libc::pid_t::try_from(self.process.id()).expect("pid fits");
        // SAFETY: kill(2) with a pid this test started and a valid signal number.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0, "SIGTERM sent");
    }

    /// The server process's id (for its memory in the benchmarks).
    pub fn pid(&self) -> u32 {
        self.process.id()
    }

    /// How the server process ended, if it did within `within`.
    pub async fn exit_status(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.process.try_wait().expect("wait for the server") {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.process.kill().ok();
        self.process.wait().ok();
    }
}

/// A client that does not follow redirects (tests look at them) and keeps cookies.
pub fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}

/// Asserts a JSON body with the given status and decodes it.
pub async fn json<T: DeserializeOwned>(res: Response, status: StatusCode) -> T {
    let actual = res.status();
    let body = res.text().await.expect("body");
    assert_eq!(actual, status, "unexpected status; body: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("bad JSON ({e}): {body}"))
}

/// Asserts an RFC 7807 problem with the given status and decodes it.
pub async fn problem(res: Response, status: StatusCode) -> Problem {
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert_eq!(content_type, "application/problem+json");
    let p: Problem = json(res, status).await;
    assert_eq!(p.status, status.as_u16());
    assert!(!p.detail.is_empty());
    p
}

/// Asserts a 400 problem with an error on `field` and returns that error's message.
pub async fn field_error(res: Response, field: &str) -> String {
    let p = problem(res, StatusCode::BAD_REQUEST).await;
    let message = p.field_message(field);
    message
        .unwrap_or_else(|| panic!("no error for {field}: {p:?}"))
        .to_string()
}

/// Reads a JSON value, for fields not worth a type.
pub async fn value(res: Response, status: StatusCode) -> Value {
    json(res, status).await
}

impl TestServer {
    /// Walks the SPID/CIE login through the development identity provider like a browser:
    /// start → provider's page → "Autorizza" with `fiscal_code` → callback. Returns the
    /// callback's response (a redirect, with the session cookie on success).
    pub async fn oidc_login(
        &self,
        client: &Client,
        slug: &str,
        provider: &str,
        fiscal_code: &str,
    ) -> Response {
        self.oidc_login_with(
            client,
            slug,
            provider,
            fiscal_code,
            &format!("/{slug}/utenti"),
            &[],
        )
        .await
    }

    /// As `oidc_login`, asking to return to `redirect_to`, written into the query string
    /// as given (so `%09` reaches the server as a tab), with `extra` fields posted on the
    /// provider's page (`decision`, `acr`, the development provider's `fault`) in place of
    /// the usual ones of the same name.
    pub async fn oidc_login_with(
        &self,
        client: &Client,
        slug: &str,
        provider: &str,
        fiscal_code: &str,
        redirect_to: &str,
        extra: &[(&str, &str)],
    ) -> Response {
        let start = client
            .get(self.api(&format!(
                "{}?redirect_to={redirect_to}",
                paths::oidc_start(slug, provider)
            )))
            .send()
            .await
            .expect("start");
        assert_eq!(
            start.status(),
            StatusCode::FOUND,
            "start redirects to the provider"
        );
        let authorize = url::Url::parse(location(&start)).expect("provider URL");
        assert!(authorize.path().ends_with("/dev-idp/authorize"));
        let page = client
            .get(authorize.clone())
            .send()
            .await
            .expect("provider page");
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.expect("html");
        assert!(html.contains("Identity provider di sviluppo"));
        let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
        form.push(("fiscal_code".into(), fiscal_code.into()));
        form.push(("given_name".into(), "Test".into()));
        form.push(("family_name".into(), "Utente".into()));
        form.push(("decision".into(), "allow".into()));
        form.retain(|(name, _)| !extra.iter().any(|(replaced, _)| replaced == name));
        form.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut action = authorize.clone();
        action.set_query(None);
        let approved = client
            .post(action)
            .form(&form)
            .send()
            .await
            .expect("authorize");
        assert_eq!(
            approved.status(),
            StatusCode::FOUND,
            "provider redirects back"
        );
        let callback = location(&approved).to_string();
        client.get(callback).send().await.expect("callback")
    }

    /// Asserts that `client` holds no session: its refresh cookie is refused.
    pub async fn assert_no_session(&self, client: &Client) {
        problem(
            client
                .post(self.api(&paths::refresh()))
                .send()
                .await
                .expect("refresh request"),
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
}

/// The `Location` header of a redirect.
pub fn location(res: &Response) -> &str {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location header")
}

/// What `read` returns once it holds something (a stand-in's messages, a mailbox), or
/// the last empty read after 15 seconds.
pub async fn eventually<T>(mut read: impl FnMut() -> Vec<T>) -> Vec<T> {
    for _ in 0..150 {
        let found = read();
        if !found.is_empty() {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    read()
}
