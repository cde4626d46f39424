//! Running the service: liveness and readiness, a database that takes no writes, start-up
//! with an unreachable database and `sportello check`.

use std::time::{Duration, Instant};

use e2e::{client, problem, server_command, value, TestServer, DEMO_PASSWORD, MARIO};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, TransactionTrait};
use sportello_model::paths;

/// A PostgreSQL address nobody listens on, with a password that must never be printed.
const UNREACHABLE: &str = "postgres://sportello:segreto-da-non-stampare@127.0.0.1:1/sportello";

#[tokio::test]
async fn liveness_and_readiness_answer_when_the_database_takes_writes() {
    let server = TestServer::start().await;
    let live = server.public(&paths::health_live()).await;
    assert_eq!(value(live, StatusCode::OK).await["status"], "ok");
    let ready = value(server.public(&paths::health_ready()).await, StatusCode::OK).await;
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["database_write"], true);
    assert_eq!(ready["migrations_current"], true);
}

/// Three replicas started at the same moment on one fresh database (issue 16): one at a
/// time migrates and loads the demo data, so all three come up ready and the demo data
/// is there once — two comuni, Mario once, the retta paid at the counter credited once.
#[tokio::test]
async fn replicas_started_together_on_a_fresh_database_all_come_up_with_the_demo_data_once() {
    let servers = TestServer::start_together(3).await;
    for server in &servers {
        let ready = value(server.public(&paths::health_ready()).await, StatusCode::OK).await;
        assert_eq!(ready["status"], "ready", "{}", server.url);
        assert_eq!(ready["migrations_current"], true, "{}", server.url);
    }
    let server = &servers[0];
    assert_eq!(server.scalar::<i64>("SELECT COUNT(*) FROM entes").await, 2);
    let marios = format!("SELECT COUNT(*) FROM users WHERE fiscal_code = '{MARIO}'");
    assert_eq!(server.scalar::<i64>(&marios).await, 1);
    assert_eq!(
        server.scalar::<i64>("SELECT COUNT(*) FROM receipts").await,
        1
    );
    assert_eq!(ledger_breaks(&server.database_url).await, 0);
    for server in &servers {
        server.login("demo", MARIO).await;
    }
}

/// What a server on a database that takes no writes answers: alive, not ready (503 with
/// the reason and `Retry-After`), reads served, and a login (which writes the session)
/// refused with 503 problem+json, never 500.
async fn assert_alive_reads_but_not_ready(server_url: &str) {
    let api = |path: String| format!("{server_url}{}{path}", paths::BASE);
    let http = client();
    let live = http.get(api(paths::health_live())).send().await.unwrap();
    assert_eq!(live.status(), StatusCode::OK);
    let ready = http.get(api(paths::health_ready())).send().await.unwrap();
    assert_eq!(ready.headers()["retry-after"], "2");
    let refused = problem(ready, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(refused.kind, "https://sportello.dev/problemi/unavailable");
    assert!(
        refused.detail.contains("non accetta scritture"),
        "{refused:?}"
    );
    let entes = http.get(api(paths::entes())).send().await.unwrap();
    assert_eq!(entes.status(), StatusCode::OK);
    let login = http
        .post(api(paths::login("demo")))
        .json(&serde_json::json!({ "fiscal_code": MARIO, "password": DEMO_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert!(login.headers().contains_key("retry-after"));
    let refused = problem(login, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(refused.detail.contains("riprova"), "{refused:?}");
}

#[tokio::test]
async fn a_database_that_takes_no_writes_is_not_ready_and_refuses_writes_with_503() {
    let server = TestServer::start().await;
    if server.database_url.starts_with("postgres") {
        // The database turns read-only and its connections drop (as on a failover to a
        // standby): the pool reconnects by itself onto read-only sessions.
        let name = server.database_url.rsplit('/').next().unwrap().to_string();
        // From another database: sessions on this one turn read-only too.
        let admin = Database::connect(std::env::var("TEST_DATABASE_URL").unwrap())
            .await
            .unwrap();
        let set_read_only = |on: bool| {
            format!(
                "ALTER DATABASE {name} SET default_transaction_read_only = {}",
                if on { "on" } else { "off" }
            )
        };
        let drop_connections = format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}'"
        );
        admin
            .execute_unprepared(&set_read_only(true))
            .await
            .unwrap();
        admin.execute_unprepared(&drop_connections).await.unwrap();
        assert_alive_reads_but_not_ready(&server.url).await;
        // Writable again: ready again without a restart.
        admin
            .execute_unprepared(&set_read_only(false))
            .await
            .unwrap();
        admin.execute_unprepared(&drop_connections).await.unwrap();
        let ready = server.public(&paths::health_ready()).await;
        assert_eq!(value(ready, StatusCode::OK).await["status"], "ready");
        server.login("demo", MARIO).await;
    } else {
        // The same SQLite file opened read-only by a second server.
        let read_only = server.database_url.replace("mode=rwc", "mode=ro");
        let second = TestServer::start_with(&[
            ("DATABASE_URL", &read_only),
            ("SPORTELLO_DEMO_DATA", "false"),
        ])
        .await;
        assert_alive_reads_but_not_ready(&second.url).await;
    }
}

#[tokio::test]
async fn start_up_with_an_unreachable_database_fails_at_once_naming_it_without_the_password() {
    let started = Instant::now();
    let output = tokio::task::spawn_blocking(|| {
        server_command(UNREACHABLE)
            .arg("serve")
            .output()
            .expect("run the server")
    })
    .await
    .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "took {:?}",
        started.elapsed()
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr
            .contains("database postgres://sportello:***@127.0.0.1:1/sportello non raggiungibile"),
        "{stderr}"
    );
    assert!(
        stderr.to_lowercase().contains("connection refused"),
        "{stderr}"
    );
    assert!(!stderr.contains("segreto-da-non-stampare"), "{stderr}");
}

#[tokio::test]
async fn check_validates_a_deployment_without_serving() {
    let server = TestServer::start().await;
    let spa = std::env::temp_dir().join(format!("sportello-spa-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&spa).unwrap();
    std::fs::write(spa.join("index.html"), "<!doctype html>").unwrap();
    let run = |url: String, static_dir: String| {
        tokio::task::spawn_blocking(move || {
            server_command(&url)
                .env("SPORTELLO_STATIC_DIR", static_dir)
                .arg("check")
                .output()
                .expect("run sportello check")
        })
    };
    let output = run(
        server.database_url.clone(),
        spa.to_string_lossy().into_owned(),
    )
    .await
    .unwrap();
    std::fs::remove_dir_all(&spa).ok();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("OK   database raggiungibile"), "{stdout}");
    assert!(
        stdout.contains("OK   schema del database aggiornato"),
        "{stdout}"
    );

    let output = run(UNREACHABLE.into(), "/nessuna/cartella".into())
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "ERRORE database postgres://sportello:***@127.0.0.1:1/sportello non raggiungibile"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("ERRORE interfaccia web non trovata: manca /nessuna/cartella/index.html"),
        "{stdout}"
    );
    assert!(!stdout.contains("segreto-da-non-stampare"), "{stdout}");
}

/// A rolling restart loses no request: on SIGTERM under load the server stops accepting
/// connections, finishes every request it had started (logins being worked out, and
/// logins whose body was still arriving) and exits cleanly.
#[tokio::test]
async fn sigterm_finishes_the_requests_under_way_then_exits() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut server = TestServer::start().await;
    let address = server.url.trim_start_matches("http://").to_string();
    let body = serde_json::json!({ "fiscal_code": MARIO, "password": DEMO_PASSWORD }).to_string();
    let (first_half, second_half) = body.split_at(body.len() / 2);
    let head = format!(
        "POST {}{} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        paths::BASE,
        paths::login("demo"),
        body.len()
    );
    let send = |part: String| {
        let address = address.clone();
        async move {
            let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
            stream.write_all(part.as_bytes()).await.unwrap();
            stream
        }
    };
    let mut arriving = Vec::new();
    for _ in 0..4 {
        arriving.push(send(format!("{head}{first_half}")).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut working = Vec::new();
    for _ in 0..8 {
        working.push(send(format!("{head}{body}")).await);
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    server.terminate();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        tokio::net::TcpStream::connect(&address).await.is_err(),
        "a stopping server accepts no new connection"
    );
    for stream in &mut arriving {
        stream.write_all(second_half.as_bytes()).await.unwrap();
    }
    for mut stream in arriving.into_iter().chain(working) {
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("access_token"), "{answer}");
    }
    let status = server.exit_status(Duration::from_secs(20)).await;
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
}

/// The one number `sql` selects from the database at `url`.
async fn count(url: &str, sql: &str) -> i64 {
    let db = Database::connect(url).await.unwrap();
    let statement = sea_orm::Statement::from_string(db.get_database_backend(), sql);
    let row = db.query_one(statement).await.unwrap().unwrap();
    let count: i64 = row.try_get_by_index(0).unwrap();
    db.close().await.ok();
    count
}

/// Accounts whose balance or movement count differs from their ledger, and receipts
/// credited more than once, in the database at `url`.
async fn ledger_breaks(url: &str) -> i64 {
    count(
        url,
        "SELECT \
        (SELECT COUNT(*) FROM prepaid_accounts a WHERE a.balance_cents <> \
            (SELECT COALESCE(SUM(m.amount_cents), 0) FROM ledger_movements m WHERE m.account_id = a.id) \
          OR a.movement_count <> \
            (SELECT COUNT(*) FROM ledger_movements m WHERE m.account_id = a.id)) \
      + (SELECT COUNT(*) FROM (SELECT receipt_row_id FROM ledger_movements \
            WHERE receipt_row_id IS NOT NULL GROUP BY receipt_row_id HAVING COUNT(*) > 1) twice)",
    )
    .await
}

async fn movement_count(url: &str) -> i64 {
    count(url, "SELECT COUNT(*) FROM ledger_movements").await
}

/// `sportello backup` while families pay: the copy restores (SQLite: the file is the
/// database; PostgreSQL: `pg_restore` into a new database) to a ledger that adds up, with
/// the payments made before the copy, and a server starts on it.
#[tokio::test]
async fn a_backup_taken_while_families_pay_restores_to_a_ledger_that_adds_up() {
    let server = TestServer::start().await;
    let before = movement_count(&server.database_url).await;
    let (paid, mut paid_so_far) = tokio::sync::watch::channel(0usize);
    let payments = async {
        let (family, service) = server.canteen_family(MARIO).await;
        for done in 1..=12 {
            let notice = family.new_notice(service, "5.00").await;
            server.pay_at_counter(&notice.notice_number).await;
            paid.send(done).unwrap();
        }
    };
    let folder = std::env::temp_dir().join(format!("sportello-backup-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("copia.db");
    let copy = async {
        paid_so_far.wait_for(|done| *done >= 4).await.unwrap();
        let (url, file) = (server.database_url.clone(), file.clone());
        tokio::task::spawn_blocking(move || {
            server_command(&url)
                .arg("backup")
                .arg(&file)
                .output()
                .expect("run sportello backup")
        })
        .await
        .unwrap()
    };
    let ((), output) = tokio::join!(payments, copy);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let after = movement_count(&server.database_url).await;
    assert_eq!(after, before + 12);

    let restored = if let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") {
        let name = format!("{}_copia", server.database_url.rsplit('/').next().unwrap());
        let admin = Database::connect(&admin_url).await.unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        let mut restored = url::Url::parse(&admin_url).unwrap();
        restored.set_path(&format!("/{name}"));
        let status = std::process::Command::new("pg_restore")
            .args(["--no-owner", "--dbname", restored.as_str()])
            .arg(&file)
            .status()
            .unwrap();
        assert!(status.success());
        restored.to_string()
    } else {
        format!("sqlite://{}?mode=rwc", file.display())
    };
    assert_eq!(ledger_breaks(&restored).await, 0);
    let copied = movement_count(&restored).await;
    assert!(
        (before + 4..=after).contains(&copied),
        "{before} {copied} {after}"
    );
    {
        // A server starts on the copy and serves the family its account.
        let second = TestServer::start_with(&[
            ("DATABASE_URL", &restored),
            ("SPORTELLO_DEMO_DATA", "false"),
        ])
        .await;
        let (family, service) = second.canteen_family(MARIO).await;
        assert!(family.statement(service).await.movements.total > 0);
    }
    if let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") {
        let admin = Database::connect(&admin_url).await.unwrap();
        let name = restored.rsplit('/').next().unwrap();
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
    }
    std::fs::remove_dir_all(&folder).ok();
}

const METRICS_TOKEN: &str = "metriche-solo-per-chi-gestisce";

/// Prometheus metrics: not served without a configured token, 401 without it, and for its
/// bearer the requests and their latency by route, refused logins, receipts by outcome,
/// the pool, the e-mail outbox and its lag, and when each job last ran — with no codice
/// fiscale anywhere.
#[tokio::test]
async fn metrics_are_served_only_to_the_bearer_of_the_metrics_token() {
    let plain = TestServer::start().await;
    assert_eq!(plain.page("/metrics").await.status(), StatusCode::NOT_FOUND);
    drop(plain);

    // This replica does not deliver, so the reset e-mail waits in the outbox.
    let server = TestServer::start_with(&[
        ("SPORTELLO_METRICS_TOKEN", METRICS_TOKEN),
        ("SPORTELLO_OUTBOX_WORKER", "false"),
    ])
    .await;
    let scrape = |token: &'static str| {
        client()
            .get(format!("{}/metrics", server.url))
            .bearer_auth(token)
            .send()
    };
    problem(scrape("").await.unwrap(), StatusCode::UNAUTHORIZED).await;
    problem(
        scrape("indovinato").await.unwrap(),
        StatusCode::UNAUTHORIZED,
    )
    .await;

    server.public(&paths::entes()).await;
    let refused = server
        .try_login(&client(), "demo", MARIO, "sbagliata")
        .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let (family, service) = server.canteen_family(MARIO).await;
    let notice = family.new_notice(service, "5.00").await;
    server.pay_at_counter(&notice.notice_number).await;
    let reset = server.ask_password_reset(&client(), MARIO).await;
    assert_eq!(reset.status(), StatusCode::ACCEPTED);

    // The reset e-mail is queued just after the answer.
    let mut text = String::new();
    for _ in 0..50 {
        let res = scrape(METRICS_TOKEN).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"));
        text = res.text().await.unwrap();
        if text.contains("outbox_pending_emails 1") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for expected in [
        "outbox_pending_emails 1",
        "outbox_oldest_pending_seconds",
        r#"http_requests_total{method="GET",route="/api/v1/entes",status="200"}"#,
        r#"job_last_run_timestamp_seconds{job="cancelling abandoned online notices"}"#,
        r#"login_failures_total{reason="credentials"} 1"#,
        r#"pagopa_receipts_total{outcome="accepted"} 1"#,
        r#"db_pool_connections{state="idle"}"#,
        "db_pool_max_connections",
        "http_request_duration_seconds_bucket",
    ] {
        assert!(text.contains(expected), "{expected} missing in:\n{text}");
    }
    assert!(!text.contains(MARIO), "{text}");
}

/// The log is JSON, one object per line, for a log collector. Every request is logged once
/// with its method, route pattern, status and the request id its answer carried in
/// `X-Request-Id`; an error answer's event names its kind and refused fields only; and
/// nothing a family typed or owns reaches the log: no codice fiscale (also as SPID's
/// `TINIT-`), no name, no password, no query string (an OIDC code or state), no client
/// address.
#[tokio::test]
async fn the_log_is_json_with_a_line_per_request_and_no_personal_data() {
    let folder = std::env::temp_dir().join(format!("sportello-log-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("server.log");
    let log = std::fs::File::create(&path).unwrap();
    let server = TestServer::start_logging(
        &[("RUST_LOG", "info"), ("SPORTELLO_LOG_FORMAT", "json")],
        log,
    )
    .await;

    let refused = server
        .try_login(&client(), "demo", e2e::ANNA, "sbagliata")
        .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let refused_id = refused.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    let (family, service) = server.canteen_family(MARIO).await;
    let notice = family.new_notice(service, "7.00").await;
    server.pay_at_counter(&notice.notice_number).await;
    let bad = family
        .post(
            &paths::service_notices(service),
            &serde_json::json!({ "amount": "-3" }),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let reset = server.ask_password_reset(&client(), MARIO).await;
    assert_eq!(reset.status(), StatusCode::ACCEPTED);
    server.spid_login("esempio", e2e::GIUSEPPE_ESEMPIO).await;
    drop(server);

    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_dir_all(&folder).ok();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let login = lines
        .iter()
        .find(|line| line["span"]["request_id"] == refused_id.as_str())
        .unwrap_or_else(|| panic!("no line with request id {refused_id}:\n{text}"));
    assert_eq!(login["span"]["route"], "/api/v1/entes/{slug}/auth/login");
    assert_eq!(login["span"]["method"], "POST");
    assert_eq!(login["span"]["status"], 401);
    assert!(
        lines.iter().any(|line| line["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.ends_with(r#"Validation(["amount"])"#))),
        "{text}"
    );
    for personal in [
        MARIO,
        e2e::ANNA,
        e2e::GIUSEPPE_ESEMPIO,
        "Albertini",
        "Ferrari",
        "sbagliata",
        "state=",
        "code=",
        "client_ip",
        "user_agent",
    ] {
        assert!(!text.contains(personal), "{personal} in the log:\n{text}");
    }
}

/// When PostgreSQL ends the server's connections under load (a failover, a restart), the
/// requests under way that only read or set a state (lists, a meal booking's PUT) are
/// answered as if nothing happened: the server sends each again once, on a new
/// connection. A login (a POST) is never sent again: it answers 503 with `Retry-After`
/// and opened no session.
#[tokio::test]
async fn requests_cut_off_by_a_lost_connection_are_sent_again_only_when_idempotent() {
    if std::env::var("TEST_DATABASE_URL").map_or(true, |url| url.is_empty()) {
        // SQLite is a file: there is no connection for the database to end.
        return;
    }
    let folder = std::env::temp_dir().join(format!("sportello-log-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("server.log");
    let log = std::fs::File::create(&path).unwrap();
    let server = TestServer::start_logging(
        &[
            ("SPORTELLO_FAKE_NOW", "2026-11-24T10:00:00Z"),
            ("RUST_LOG", "warn,sportello_api::retry=info"),
            ("SPORTELLO_METRICS_TOKEN", METRICS_TOKEN),
        ],
        log,
    )
    .await;
    let (family, service) = server.canteen_family(MARIO).await;
    let sofia = server.child_named(family.token(), "Sofia").await;
    let sessions = "SELECT COUNT(*) FROM refresh_tokens";
    let sessions_before: i64 = server.scalar(sessions).await;

    // Every statement reading the comuni waits behind this lock, so the requests are under
    // way in the database when their connections end.
    let admin = server.database().await;
    let lock = admin.begin().await.unwrap();
    lock.execute_unprepared("LOCK TABLE entes IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let http = client();
    let reads: Vec<_> = (0..3)
        .map(|_| tokio::spawn(http.get(server.api(&paths::entes())).send()))
        .collect();
    let booking = tokio::spawn(
        http.put(server.api(&paths::booking_day(sofia, "2026-11-26")))
            .bearer_auth(family.token())
            .json(&serde_json::json!({ "service_id": service, "choice": "absent" }))
            .send(),
    );
    let login = tokio::spawn(
        http.post(server.api(&paths::login("demo")))
            .json(&serde_json::json!({ "fiscal_code": MARIO, "password": DEMO_PASSWORD }))
            .send(),
    );
    let waiting = sea_orm::Statement::from_string(
        sea_orm::DbBackend::Postgres,
        "SELECT COUNT(*) FROM pg_stat_activity \
         WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    let started = Instant::now();
    loop {
        // Statistics are read once per transaction unless cleared.
        lock.execute_unprepared("SELECT pg_stat_clear_snapshot()")
            .await
            .unwrap();
        let row = lock.query_one(waiting.clone()).await.unwrap().unwrap();
        if row.try_get_by_index::<i64>(0).unwrap() >= 5 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "requests not under way"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    lock.execute_unprepared(
        "SELECT pg_stat_clear_snapshot(); \
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .await
    .unwrap();
    lock.commit().await.unwrap();

    for read in reads {
        let entes = value(read.await.unwrap().unwrap(), StatusCode::OK).await;
        assert!(
            entes["items"].as_array().is_some_and(|e| !e.is_empty()),
            "{entes}"
        );
    }
    let booked = booking.await.unwrap().unwrap();
    assert_eq!(booked.status(), StatusCode::OK);
    let absent: i64 = server
        .scalar(&format!(
            "SELECT COUNT(*) FROM bookings WHERE child_id = {sofia} \
             AND day = '2026-11-26' AND choice = 'absent'"
        ))
        .await;
    assert_eq!(absent, 1);
    let login = login.await.unwrap().unwrap();
    assert_eq!(login.headers()["retry-after"], "2");
    let refused = problem(login, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(refused.kind, "https://sportello.dev/problemi/unavailable");
    assert_eq!(server.scalar::<i64>(sessions).await, sessions_before);
    let metrics = client()
        .get(format!("{}/metrics", server.url))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"http_requests_sent_again_total{status="200"} 4"#),
        "{metrics}"
    );
    drop(server);

    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_dir_all(&folder).ok();
    let sent_again = text
        .lines()
        .filter(|l| l.contains("request sent again after a lost database connection"))
        .count();
    assert_eq!(sent_again, 4, "{text}");
}
