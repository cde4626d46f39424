//! Benchmark: meal bookings at the scale of a large comune.
//!
//! Starts the real server (with `SPORTELLO_BIN`, default the release build) with its
//! clock at Tuesday 24/11/2026, 11:00 in Rome, and adds 20 000 children (10 000
//! families) across 40 schools to Comune di Demo's canteen. Then it prints:
//! - the time to charge Monday 23/11 through the operator's endpoint, and the time of a
//!   plain multi-row bulk insert of the same number of ledger rows in the same run,
//!   with their ratio;
//! - the month-calendar endpoint's throughput and p99 latency under 100 concurrent
//!   connections, and the health endpoint's under the same load, with the ratios of
//!   throughput and p99 against their targets (≥ 0.25 and ≤ 3).
//!
//! Run it with `scripts/bench-bookings` (SQLite), or with `TEST_DATABASE_URL` set for
//! PostgreSQL.

use std::time::{Duration, Instant};

use e2e::bench::{ids, insert_rows, load, ms, percentile, seed_families, Families, Table};
use e2e::{json, TestServer, GIULIA_OPERATOR, MARIO};
use reqwest::StatusCode;
use sea_orm::{DatabaseConnection, TransactionTrait};
use sportello_model::bookings::ChargeReport;
use sportello_model::paths;

const CHILDREN: usize = 20_000;
const SCHOOLS: usize = 40;
const CONNECTIONS: usize = 100;
const LOAD_TIME: Duration = Duration::from_secs(10);
const CHARGED_DAY: &str = "2026-11-23";

const BOOKINGS: Table = (
    "bookings",
    "ente_id, child_id, service_id, day, choice, updated_by, updated_at",
);
const LEDGER: Table = (
    "ledger_movements",
    "ente_id, account_id, kind, amount_cents, balance_after_cents, description, service_day, meal_key, created_at",
);

/// 10 000 families with two children each, enrolled in the canteen of this school year
/// across 40 schools; a tenth of the children cancelled by their families.
async fn seed(db: &DatabaseConnection, ente_id: i64, service_id: i64) {
    let Families {
        guardians,
        children,
    } = seed_families(
        db,
        ente_id,
        service_id,
        CHILDREN / 2,
        SCHOOLS,
        time::macros::date!(2026 - 11 - 24),
        None,
    )
    .await;
    let cancelled = children.iter().step_by(10).enumerate().map(|(i, id)| {
        let guardian = guardians[i * 5];
        format!("({ente_id}, {id}, {service_id}, '{CHARGED_DAY}', 'absent', {guardian}, '2026-11-23 06:00:00+00:00')")
    });
    insert_rows(db, BOOKINGS, cancelled.collect()).await;
}

/// The same number of ledger rows as the charging wrote, with one plain multi-row
/// insert per thousand rows inside one transaction: the floor for writing them.
async fn bulk_insert(db: &DatabaseConnection, ente_id: i64, rows: u64) -> Duration {
    let account: i64 = ids(
        db,
        format!("SELECT id FROM prepaid_accounts WHERE ente_id = {ente_id} ORDER BY id LIMIT 1"),
    )
    .await[0];
    let values: Vec<String> = (0..rows)
        .map(|n| {
            format!(
                "({ente_id}, {account}, 'meal', -420, -420, 'Pasto del 20/11/2026 - Alunno Prova {n}', '2026-11-20', 'bulk:{n}', '2026-11-24 10:00:00+00:00')"
            )
        })
        .collect();
    let started = Instant::now();
    let txn = db.begin().await.expect("begin");
    insert_rows(&txn, LEDGER, values).await;
    txn.commit().await.expect("commit");
    started.elapsed()
}

async fn charge(server: &TestServer, token: &str, service_id: i64) -> (ChargeReport, Duration) {
    let started = Instant::now();
    let report = json(
        server
            .post_json(
                token,
                &paths::charges(),
                &serde_json::json!({ "service_id": service_id, "day": CHARGED_DAY }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    (report, started.elapsed())
}

#[tokio::main]
async fn main() {
    e2e::bench::measure_release_build();
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", "2026-11-24T10:00:00Z")]).await;
    let backend = e2e::bench::backend();
    let service_id = e2e::bench::canteen_service(&server).await;
    let db = server.database().await;
    let ente_id = ids(&db, "SELECT id FROM entes WHERE slug = 'demo'".into()).await[0];

    let started = Instant::now();
    seed(&db, ente_id, service_id).await;
    println!(
        "{backend}: {CHILDREN} alunni di {} famiglie in {SCHOOLS} scuole caricati in {:.1} s",
        CHILDREN / 2,
        started.elapsed().as_secs_f64()
    );

    let giulia = server.login("demo", GIULIA_OPERATOR).await;
    let (report, charging) = charge(&server, &giulia.access_token, service_id).await;
    let bulk = bulk_insert(&db, ente_id, report.charged).await;
    println!(
        "Addebito del 23/11/2026: {} pasti addebitati ({} già addebitati, {} assenti) in {:.2} s — obiettivo < 10 s: {}",
        report.charged,
        report.already_charged,
        report.absent,
        charging.as_secs_f64(),
        if charging < Duration::from_secs(10) { "RAGGIUNTO" } else { "NON RAGGIUNTO" }
    );
    println!(
        "Inserimento semplice delle stesse {} righe: {:.2} s; rapporto addebito / inserimento {:.1}",
        report.charged,
        bulk.as_secs_f64(),
        charging.as_secs_f64() / bulk.as_secs_f64()
    );
    let (again, again_time) = charge(&server, &giulia.access_token, service_id).await;
    assert_eq!(again.charged, 0, "a second run charges nothing");
    println!(
        "Secondo addebito dello stesso giorno: 0 pasti, {} già addebitati, in {:.2} s",
        again.already_charged,
        again_time.as_secs_f64()
    );

    let mario = server.login("demo", MARIO).await;
    let sofia = server.child_named(&mario.access_token, "Sofia").await;
    let month = server.api(&paths::month(sofia, service_id, "2026-11"));
    load(&month, Some(&mario.access_token), CONNECTIONS, LOAD_TIME).await;
    let (month_rps, month_latencies) =
        load(&month, Some(&mario.access_token), CONNECTIONS, LOAD_TIME).await;
    let (health_rps, health_latencies) =
        load(&server.api(&paths::health()), None, CONNECTIONS, LOAD_TIME).await;
    let month_p99 = percentile(&month_latencies, 0.99);
    let health_p99 = percentile(&health_latencies, 0.99);
    let throughput = month_rps / health_rps;
    let latency = month_p99.as_secs_f64() / health_p99.as_secs_f64();
    println!(
        "Calendario del mese con {CONNECTIONS} connessioni per {} s: {month_rps:.0} req/s, p99 {:.1} ms (mediana {:.1} ms)",
        LOAD_TIME.as_secs(),
        ms(month_p99),
        ms(percentile(&month_latencies, 0.50)),
    );
    println!(
        "Health con lo stesso carico: {health_rps:.0} req/s, p99 {:.1} ms",
        ms(health_p99),
    );
    println!(
        "Rapporti calendario / health: throughput {throughput:.2} (obiettivo ≥ 0,25: {}), p99 {latency:.2} (obiettivo ≤ 3: {})",
        achieved(throughput >= 0.25),
        achieved(latency <= 3.0),
    );
}

fn achieved(yes: bool) -> &'static str {
    if yes {
        "RAGGIUNTO"
    } else {
        "NON RAGGIUNTO"
    }
}
