//! Benchmark: a communication to 10 000 families.
//!
//! Starts the real server (with `SPORTELLO_BIN`, default the release build), loads
//! 10 000 families — a guardian with an e-mail address and a child enrolled at one
//! school this school year — then times the operator's
//! *Anteprima* and *Invia* of a communication to that school: one letter per family,
//! with the children it is about and the e-mail of each queued in the outbox, in one
//! transaction. Prints the figures; the target is under 10 s on SQLite and PostgreSQL.
//! Run it with `scripts/bench-letters`.

use std::time::Instant;

use e2e::{TestServer, GIULIA_OPERATOR};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use sportello_model::letters::{CommunicationPreview, CommunicationSummary};
use sportello_model::paths;
use sportello_model::school_year::SchoolYear;

const FAMILIES: i64 = 10_000;
const BATCH: i64 = 500;
const SCHOOL: &str = "Scuola Primaria Benchmark";
const TARGET_SECONDS: f64 = 10.0;

/// The codice fiscale of the `n`th family's guardian, and of its child.
fn guardian(n: i64) -> String {
    e2e::bench::fiscal_code(n as usize, "80A01F205")
}

fn pupil(n: i64) -> String {
    e2e::bench::fiscal_code(n as usize, "16A01F205")
}

/// Inserts `FAMILIES` guardians, each with a child enrolled at [`SCHOOL`] in the
/// Refezione Scolastica of Comune di Demo this school year.
async fn load_families(server: &TestServer, school_year: SchoolYear) {
    let db = server.database().await;
    let backend = db.get_database_backend();
    let scalar = |sql: &'static str| {
        let db = &db;
        async move {
            db.query_one(Statement::from_string(backend, sql))
                .await
                .expect("query")
                .expect("a row")
                .try_get_by_index::<i64>(0)
                .expect("a number")
        }
    };
    let ente_id = scalar("SELECT id FROM entes WHERE slug = 'demo'").await;
    let service_id = scalar(
        "SELECT s.id FROM services s JOIN entes e ON e.id = s.ente_id WHERE e.slug = 'demo' AND s.code = 'REF'",
    )
    .await;
    let execute = |sql: String| {
        let db = &db;
        async move {
            db.execute(Statement::from_string(backend, sql))
                .await
                .expect("insert");
        }
    };
    let classes: Vec<String> = (1..=5).map(|grade| format!("{grade}A")).collect();
    for sql in e2e::bench::schools_sql(ente_id, school_year, &[SCHOOL.to_owned()], &classes) {
        execute(sql).await;
    }
    for batch in 0..FAMILIES / BATCH {
        let range = batch * BATCH..(batch + 1) * BATCH;
        let guardians: Vec<String> = range
            .clone()
            .map(|n| {
                format!(
                    "({ente_id}, 'guardian', '{}', 'Genitore', 'Numero {n}', 'genitore{n}@example.it', TRUE, '2026-09-01 08:00:00+00:00')",
                    guardian(n)
                )
            })
            .collect();
        execute(format!(
            "INSERT INTO users (ente_id, role, fiscal_code, first_name, last_name, email, active, created_at) VALUES {}",
            guardians.join(",")
        ))
        .await;
        let children: Vec<String> = range
            .clone()
            .map(|n| {
                format!(
                    "({ente_id}, (SELECT id FROM users WHERE ente_id = {ente_id} AND fiscal_code = '{}'), 'Alunno', 'Numero {n}', '{}', '2016-01-01', 'Demo', 'M', 'Via Roma 1')",
                    guardian(n),
                    pupil(n)
                )
            })
            .collect();
        execute(format!(
            "INSERT INTO children (ente_id, guardian_id, first_name, last_name, fiscal_code, birth_date, birth_place, sex, address) VALUES {}",
            children.join(",")
        ))
        .await;
        let cards: Vec<String> = range
            .map(|n| {
                format!(
                    "({ente_id}, (SELECT id FROM children WHERE ente_id = {ente_id} AND fiscal_code = '{}'), {service_id}, 'B{n}', {}, 'Fascia unica', 0, 500, 'PASTO BASE', TRUE, '{school_year}')",
                    pupil(n),
                    e2e::bench::place_sql(ente_id, school_year, SCHOOL, &format!("{}A", 1 + n % 5))
                )
            })
            .collect();
        execute(format!(
            "INSERT INTO enrolments (ente_id, child_id, service_id, badge, school_id, class_id, fee_band, quota_cents, meal_price_cents, meal_type, active, school_year) VALUES {}",
            cards.join(",")
        ))
        .await;
    }
}

#[tokio::main]
async fn main() {
    e2e::bench::measure_release_build();
    let server = TestServer::start().await;
    let database = e2e::bench::backend();
    let started = Instant::now();
    load_families(&server, SchoolYear::containing(server.today().await)).await;
    println!(
        "Caricate {FAMILIES} famiglie in {:.1} s ({database})",
        started.elapsed().as_secs_f64()
    );

    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let communication = json!({
        "request_id": "benchmark-1",
        "kind": "service_notice",
        "title": "Mensa chiusa domani per sciopero",
        "body": "Gentile famiglia,\n\ndomani la mensa resta **chiusa** per lo sciopero del personale.",
        "audience": { "kind": "school", "school": SCHOOL },
    });
    let started = Instant::now();
    let res = giulia
        .post(&paths::communication_preview(), &communication)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let preview: CommunicationPreview = res.json().await.expect("preview");
    let preview_time = started.elapsed().as_secs_f64();
    assert_eq!(preview.recipients, FAMILIES as u64);
    println!(
        "Anteprima per {} famiglie: {preview_time:.2} s",
        preview.recipients
    );

    let started = Instant::now();
    let res = giulia.post(&paths::communications(), &communication).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let sent: CommunicationSummary = res.json().await.expect("summary");
    let send_time = started.elapsed().as_secs_f64();
    assert_eq!(sent.recipients, FAMILIES as u64);
    let db = server.database().await;
    let count = |sql: String| {
        let db = &db;
        async move {
            db.query_one(Statement::from_string(db.get_database_backend(), sql))
                .await
                .expect("count")
                .expect("a row")
                .try_get_by_index::<i64>(0)
                .expect("a number")
        }
    };
    let letters = count(format!(
        "SELECT COUNT(*) FROM letters WHERE communication_id = {}",
        sent.id
    ))
    .await;
    let emails = count(
        "SELECT COUNT(*) FROM outbox_messages WHERE subject = 'Comune di Demo: Mensa chiusa domani per sciopero'".into(),
    )
    .await;
    assert_eq!((letters, emails), (FAMILIES, FAMILIES));
    println!(
        "Invia: {letters} lettere e {emails} e-mail in coda in {send_time:.2} s ({:.0} lettere/s) — obiettivo < {TARGET_SECONDS:.0} s: {}",
        letters as f64 / send_time,
        if send_time < TARGET_SECONDS {
            "raggiunto"
        } else {
            "NON raggiunto"
        }
    );
    // Sent again with the same request id: nothing more is written.
    let started = Instant::now();
    let res = giulia.post(&paths::communications(), &communication).await;
    assert_eq!(res.status(), StatusCode::OK);
    println!(
        "Invia di nuovo (stesso request_id): {:.3} s, nessuna lettera in più",
        started.elapsed().as_secs_f64()
    );
}
