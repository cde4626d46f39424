//! Benchmark: the statement endpoint on an account with 100 000 movements.
//!
//! Starts the real server (with `SPORTELLO_BIN`, default the release build), loads
//! 100 000 ledger movements into Mario Albertini's Refezione Scolastica account, then
//! prints the first page's median and p99 latency (sequential requests) and the
//! throughput of the statement and of the health endpoint under the same concurrent
//! load (8 connections, then 100), with their ratio. Run it with `scripts/bench-statement`.

use std::time::{Duration, Instant};

use e2e::bench::{load, ms, percentile};
use e2e::{TestServer, MARIO};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use sportello_model::paths;
use sportello_model::payments::PaymentService;

const MOVEMENTS: i64 = 100_000;
const BATCH: i64 = 1_000;
const SEQUENTIAL: usize = 1_000;
/// The concurrent connections of the throughput runs: a quiet office, the 8:59 rush.
const CONNECTIONS: [usize; 2] = [8, 100];
const LOAD_TIME: Duration = Duration::from_secs(5);

async fn load_movements(server: &TestServer, account_id: i64, ente_id: i64) {
    let db = server.database().await;
    let backend = db.get_database_backend();
    let mut balance = 0i64;
    for batch in 0..MOVEMENTS / BATCH {
        let mut values = Vec::with_capacity(BATCH as usize);
        for i in 0..BATCH {
            let n = batch * BATCH + i;
            let amount = if n % 10 == 0 { 5_000 } else { -500 };
            balance += amount;
            let kind = if amount > 0 { "recharge" } else { "meal" };
            values.push(format!(
                "({ente_id}, {account_id}, '{kind}', {amount}, {balance}, 'Movimento di prova {n}', '2026-11-23 10:00:00+00:00')"
            ));
        }
        db.execute(Statement::from_string(
            backend,
            format!(
                "INSERT INTO ledger_movements (ente_id, account_id, kind, amount_cents, balance_after_cents, description, created_at) VALUES {}",
                values.join(",")
            ),
        ))
        .await
        .expect("insert movements");
    }
    db.execute(Statement::from_string(
        backend,
        format!(
            "UPDATE prepaid_accounts SET balance_cents = {balance}, movement_count = {MOVEMENTS} WHERE id = {account_id}"
        ),
    ))
    .await
    .expect("update balance");
}

#[tokio::main]
async fn main() {
    e2e::bench::measure_release_build();
    let server = TestServer::start().await;
    let tokens = server.login("demo", MARIO).await;
    let client = reqwest::Client::new();
    let services: Vec<PaymentService> = client
        .get(server.api(&paths::payment_services()))
        .bearer_auth(&tokens.access_token)
        .send()
        .await
        .expect("services")
        .json()
        .await
        .expect("services json");
    let service_id = services
        .iter()
        .find(|s| s.service_name == "Refezione Scolastica")
        .expect("Refezione Scolastica")
        .service_id;
    let db = server.database().await;
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT id, ente_id FROM prepaid_accounts WHERE service_id = {service_id} AND guardian_id = {}", tokens.user.id),
        ))
        .await
        .expect("query account")
        .expect("the account exists after the services call");
    let account_id: i64 = row.try_get("", "id").expect("id");
    let ente_id: i64 = row.try_get("", "ente_id").expect("ente_id");
    let started = Instant::now();
    load_movements(&server, account_id, ente_id).await;
    println!(
        "Caricati {MOVEMENTS} movimenti in {:.1} s ({})",
        started.elapsed().as_secs_f64(),
        e2e::bench::backend()
    );

    let statement_url = server.api(&paths::statement(service_id));
    let health_url = server.api(&paths::health());
    for _ in 0..50 {
        client
            .get(&statement_url)
            .bearer_auth(&tokens.access_token)
            .send()
            .await
            .expect("warm-up");
    }
    let mut latencies = Vec::with_capacity(SEQUENTIAL);
    for _ in 0..SEQUENTIAL {
        let t = Instant::now();
        let res = client
            .get(&statement_url)
            .bearer_auth(&tokens.access_token)
            .send()
            .await
            .expect("statement");
        assert_eq!(res.status(), StatusCode::OK);
        res.bytes().await.expect("body");
        latencies.push(t.elapsed());
    }
    latencies.sort();
    let p50 = percentile(&latencies, 0.50);
    let p99 = percentile(&latencies, 0.99);
    println!(
        "Stato contabile, prima pagina ({SEQUENTIAL} richieste in sequenza): mediana {:.2} ms, p99 {:.2} ms, max {:.2} ms — obiettivo p99 < 10 ms: {}",
        ms(p50),
        ms(p99),
        latencies.last().copied().map(ms).unwrap_or_default(),
        if p99 < Duration::from_millis(10) { "RAGGIUNTO" } else { "NON RAGGIUNTO" }
    );
    for connections in CONNECTIONS {
        let (statement_rps, _) = load(
            &statement_url,
            Some(&tokens.access_token),
            connections,
            LOAD_TIME,
        )
        .await;
        let (health_rps, _) = load(&health_url, None, connections, LOAD_TIME).await;
        let ratio = statement_rps / health_rps;
        println!(
            "Throughput con {connections} connessioni per {} s: stato contabile {statement_rps:.0} req/s, health {health_rps:.0} req/s, rapporto {ratio:.2} — obiettivo ≥ 0,25: {}",
            LOAD_TIME.as_secs(),
            if ratio >= 0.25 { "RAGGIUNTO" } else { "NON RAGGIUNTO" }
        );
    }
}
