//! Benchmark: the import of a comune's registry of 10 000 families with 20 000 children.
//!
//! Starts the real server (with `SPORTELLO_BIN`, default the debug build; the script
//! uses the release build) and builds a registry file of 10 000 families, each with two
//! children enrolled in the canteen and an opening balance: 20 000 rows. Times the
//! office's dry run, the import (one transaction) and the same file imported again
//! (nothing changes), then a plain multi-row bulk insert of the same rows (guardians,
//! children, enrolments, accounts, opening movements) in one transaction on a fresh
//! database of another server, and prints the import's ratio to it. The target is under
//! 30 s on SQLite and PostgreSQL. Run it with `scripts/bench-import`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use e2e::bench::fiscal_code;
use e2e::{TestServer, GIULIA_OPERATOR};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
use sportello_model::paths;
use sportello_model::registry::ImportReport;
use sportello_model::school_year::SchoolYear;

const FAMILIES: usize = 10_000;
const ROWS_PER_STATEMENT: usize = 1000;
const TARGET: Duration = Duration::from_secs(30);
const BAND: &str = "Fascia c.p. 3 q.f80";

struct Family {
    guardian: String,
    children: [String; 2],
    balance_cents: i64,
}

fn families() -> Vec<Family> {
    (0..FAMILIES)
        .map(|f| Family {
            guardian: fiscal_code(f, "80A01F205"),
            children: [
                fiscal_code(2 * f, "16A41F205"),
                fiscal_code(2 * f + 1, "18C05F205"),
            ],
            balance_cents: (f as i64 % 50) * 100 - 1000,
        })
        .collect()
}

fn registry_file(families: &[Family], school_year: SchoolYear) -> String {
    let mut file = String::from("cf_intestatario;nome_intestatario;cognome_intestatario;email_intestatario;cf_alunno;nome_alunno;cognome_alunno;data_nascita;servizio;anno_scolastico;scuola;classe;fascia;dieta;badge;saldo_iniziale\n");
    for (f, family) in families.iter().enumerate() {
        for (c, child) in family.children.iter().enumerate() {
            let balance = if c == 0 {
                let cents = family.balance_cents;
                format!(
                    "{}{},{:02}",
                    if cents < 0 { "-" } else { "" },
                    cents.abs() / 100,
                    cents.abs() % 100
                )
            } else {
                String::new()
            };
            file.push_str(&format!(
                "{};Genitore;Prova {f};genitore{f}@example.it;{child};Alunno;Prova {f}-{c};{};REF;{school_year};Scuola {:02};{}a;{BAND};;{};{balance}\n",
                family.guardian,
                if c == 0 { "01/01/2016" } else { "05/03/2018" },
                f % 40 + 1,
                f % 5 + 1,
                700_000 + 2 * f + c,
            ));
        }
    }
    file
}

async fn execute<C: ConnectionTrait>(db: &C, sql: String) {
    db.execute(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("bench SQL");
}

async fn insert_rows<C: ConnectionTrait>(db: &C, table: &str, columns: &str, rows: Vec<String>) {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        execute(
            db,
            format!("INSERT INTO {table} ({columns}) VALUES {}", chunk.join(",")),
        )
        .await;
    }
}

/// The same rows the import writes, with plain multi-row inserts in one transaction; the
/// ids of guardians and children are read back once each, as little as a bulk load needs.
async fn bulk_insert(
    db: &DatabaseConnection,
    families: &[Family],
    school_year: SchoolYear,
) -> Duration {
    let ente_id = scalar_in(db, "SELECT id FROM entes WHERE slug = 'demo'").await;
    let service_id = scalar_in(
        db,
        &format!("SELECT id FROM services WHERE ente_id = {ente_id} AND code = 'REF'"),
    )
    .await;
    let now = "'2026-09-01 08:00:00+00:00'";
    let started = Instant::now();
    let txn = db.begin().await.expect("begin");
    let guardians = families.iter().enumerate().map(|(f, family)| {
        format!(
            "({ente_id}, 'guardian', '{}', 'Genitore', 'Prova {f}', 'genitore{f}@example.it', TRUE, {now})",
            family.guardian
        )
    });
    insert_rows(
        &txn,
        "users",
        "ente_id, role, fiscal_code, first_name, last_name, email, active, created_at",
        guardians.collect(),
    )
    .await;
    let first_guardian = scalar_in(
        &txn,
        &format!("SELECT MIN(id) FROM users WHERE fiscal_code LIKE 'Z%' AND ente_id = {ente_id}"),
    )
    .await;
    let children = families.iter().enumerate().flat_map(|(f, family)| {
        family.children.iter().enumerate().map(move |(c, child)| {
            format!(
                "({ente_id}, {}, 'Alunno', 'Prova {f}-{c}', '{child}', '{}', '', '{}', '')",
                first_guardian + f as i64,
                if c == 0 { "2016-01-01" } else { "2018-03-05" },
                if c == 0 { "F" } else { "M" },
            )
        })
    });
    insert_rows(&txn, "children", "ente_id, guardian_id, first_name, last_name, fiscal_code, birth_date, birth_place, sex, address", children.collect()).await;
    let first_child = scalar_in(
        &txn,
        &format!(
            "SELECT MIN(id) FROM children WHERE fiscal_code LIKE 'Z%' AND ente_id = {ente_id}"
        ),
    )
    .await;
    let school = |f: usize| format!("Scuola {:02}", f % 40 + 1);
    let class = |f: usize| format!("{}A", f % 5 + 1);
    let schools: Vec<String> = (0..40).map(school).collect();
    let classes: Vec<String> = (0..5).map(class).collect();
    for sql in e2e::bench::schools_sql(ente_id, school_year, &schools, &classes) {
        execute(&txn, sql).await;
    }
    // The ids of the schools and classes, read once: a bulk load knows them.
    let places: HashMap<(String, String), (i64, i64)> = txn
        .query_all(Statement::from_string(
            txn.get_database_backend(),
            format!(
                "SELECT s.name, c.name, s.id, c.id FROM school_classes c \
                 JOIN schools s ON s.id = c.school_id WHERE s.ente_id = {ente_id}"
            ),
        ))
        .await
        .expect("the schools and classes")
        .iter()
        .map(|row| {
            let text = |i| row.try_get_by_index::<String>(i).expect("a name");
            let id = |i| row.try_get_by_index::<i64>(i).expect("an id");
            ((text(0), text(1)), (id(2), id(3)))
        })
        .collect();
    let cards = (0..2 * families.len()).map(|n| {
        let f = n / 2;
        let (school_id, class_id) = places[&(school(f), class(f))];
        format!(
            "({ente_id}, {}, {service_id}, '{}', {school_id}, {class_id}, '{BAND}', 8000, 420, 'PASTO BASE', TRUE, '{school_year}')",
            first_child + n as i64,
            700_000 + n,
        )
    });
    insert_rows(&txn, "enrolments", "ente_id, child_id, service_id, badge, school_id, class_id, fee_band, quota_cents, meal_price_cents, meal_type, active, school_year", cards.collect()).await;
    let with_balance: Vec<(usize, i64)> = families
        .iter()
        .enumerate()
        .filter(|(_, family)| family.balance_cents != 0)
        .map(|(f, family)| (f, family.balance_cents))
        .collect();
    let accounts = with_balance.iter().map(|(f, cents)| {
        let guardian = first_guardian + *f as i64;
        format!("({ente_id}, {guardian}, {service_id}, {cents}, 1, {now})")
    });
    insert_rows(
        &txn,
        "prepaid_accounts",
        "ente_id, guardian_id, service_id, balance_cents, movement_count, updated_at",
        accounts.collect(),
    )
    .await;
    let first_account = scalar_in(
        &txn,
        &format!("SELECT MIN(id) FROM prepaid_accounts WHERE guardian_id >= {first_guardian}"),
    )
    .await;
    let movements = with_balance.iter().enumerate().map(|(n, (f, cents))| {
        let account = first_account + n as i64;
        format!(
            "({ente_id}, {account}, 'opening_balance', {cents}, {cents}, 'Saldo iniziale importato dal sistema precedente', 'bulk:{f}', {now}, '2026-09-01')"
        )
    });
    insert_rows(&txn, "ledger_movements", "ente_id, account_id, kind, amount_cents, balance_after_cents, description, request_key, created_at, occurred_on", movements.collect()).await;
    txn.commit().await.expect("commit");
    started.elapsed()
}

async fn scalar_in<C: ConnectionTrait>(db: &C, sql: &str) -> i64 {
    db.query_one(Statement::from_string(
        db.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .expect("bench query")
    .expect("a row")
    .try_get_by_index::<i64>(0)
    .expect("a number")
}

async fn send(
    server: &TestServer,
    token: &str,
    path: &str,
    file: &str,
) -> (ImportReport, Duration) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .expect("client");
    let started = Instant::now();
    let res = client
        .post(server.api(path))
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "text/csv")
        .body(file.to_owned())
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    let report: ImportReport = res.json().await.expect("report");
    (report, started.elapsed())
}

#[tokio::main]
async fn main() {
    let backend = e2e::bench::backend();
    let server = TestServer::start().await;
    let school_year = SchoolYear::containing(server.today().await);
    let families = families();
    let file = registry_file(&families, school_year);
    let giulia = server.login("demo", GIULIA_OPERATOR).await;
    let token = &giulia.access_token;

    let (dry, dry_time) = send(&server, token, &paths::registry_import_check(), &file).await;
    assert_eq!(dry.error_count, 0, "{:?}", dry.errors);
    println!(
        "{backend}: prova di importazione di {} righe ({} famiglie, {} alunni) in {:.2} s",
        dry.rows,
        dry.new_families,
        dry.new_children,
        dry_time.as_secs_f64()
    );
    let (done, import_time) = send(&server, token, &paths::registry_import(), &file).await;
    assert!(done.applied);
    assert_eq!(
        (done.new_families, done.new_children),
        (FAMILIES as u64, 2 * FAMILIES as u64)
    );
    println!(
        "Importazione: {} famiglie, {} alunni, {} iscrizioni, {} saldi iniziali in {:.2} s — obiettivo < {} s: {}",
        done.new_families,
        done.new_children,
        done.new_enrolments,
        done.new_balances,
        import_time.as_secs_f64(),
        TARGET.as_secs(),
        if import_time < TARGET { "RAGGIUNTO" } else { "NON RAGGIUNTO" }
    );
    let (again, again_time) = send(&server, token, &paths::registry_import(), &file).await;
    assert_eq!(
        (
            again.new_families,
            again.new_children,
            again.new_enrolments,
            again.new_balances
        ),
        (0, 0, 0, 0)
    );
    println!(
        "Stesso file di nuovo: nulla di nuovo ({} righe invariate) in {:.2} s",
        again.unchanged_rows,
        again_time.as_secs_f64()
    );

    let fresh = TestServer::start().await;
    let db = fresh.database().await;
    let bulk = bulk_insert(&db, &families, school_year).await;
    println!(
        "Inserimento semplice delle stesse righe: {:.2} s; rapporto importazione / inserimento {:.1}",
        bulk.as_secs_f64(),
        import_time.as_secs_f64() / bulk.as_secs_f64()
    );
}
