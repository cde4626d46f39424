//! Measuring for the benchmark commands: concurrent load on an endpoint and percentiles.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use sportello_model::school_year::SchoolYear;
use time::{Date, OffsetDateTime};

/// Makes [`crate::server_binary`] the release build of the server unless `SPORTELLO_BIN`
/// names one: the benchmarks measure what runs in production. The `scripts/bench-*`
/// build it first (`cargo build --release -p sportello-api --bin sportello`).
pub fn measure_release_build() {
    if std::env::var_os("SPORTELLO_BIN").is_none() {
        std::env::set_var(
            "SPORTELLO_BIN",
            crate::workspace_root().join("target/release/sportello"),
        );
    }
}

/// The `p` quantile (0.0–1.0) of sorted latencies.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Milliseconds, for printing.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// GETs `url` from `connections` workers for `time`: requests per second and the sorted
/// latencies of every request. Panics on an answer other than 200.
pub async fn load(
    url: &str,
    token: Option<&str>,
    connections: usize,
    time: Duration,
) -> (f64, Vec<Duration>) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .expect("client");
    let deadline = Instant::now() + time;
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let client = client.clone();
            let url = url.to_string();
            let token = token.map(str::to_string);
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let started = Instant::now();
                    let mut request = client.get(&url);
                    if let Some(token) = &token {
                        request = request.bearer_auth(token);
                    }
                    let res = request.send().await.expect("request");
                    assert_eq!(res.status(), StatusCode::OK);
                    res.bytes().await.expect("body");
                    latencies.push(started.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.expect("worker"));
    }
    all.sort();
    (all.len() as f64 / time.as_secs_f64(), all)
}

/// A valid codice fiscale for seeded rows: `Z` and five letters numbering `n`, then
/// `rest` (9 characters: year, month, day, place), then the check character. In `n`'s
/// order when sorted.
pub fn fiscal_code(n: usize, rest: &str) -> String {
    let mut letters = [b'A'; 5];
    let mut left = n;
    for letter in letters.iter_mut().rev() {
        *letter = b'A' + (left % 26) as u8;
        left /= 26;
    }
    let first15 = format!("Z{}{rest}", String::from_utf8_lossy(&letters));
    let check = sportello_model::fiscal_code::check_character(first15.as_bytes());
    format!("{first15}{check}")
}

/// The statements that seed the primary schools `schools` of the comune `ente_id`, each
/// with the classes `classes` (named by their grade first, `3B`) of `school_year`.
pub fn schools_sql(
    ente_id: i64,
    school_year: impl std::fmt::Display,
    schools: &[String],
    classes: &[String],
) -> [String; 2] {
    let school_year = school_year.to_string();
    let school_rows: Vec<String> = schools
        .iter()
        .map(|name| format!("({ente_id}, '{name}', '', '', 'primaria', TRUE)"))
        .collect();
    let class_rows: Vec<String> = schools
        .iter()
        .flat_map(|school| {
            let school_year = &school_year;
            classes.iter().map(move |class| {
                let grade = sportello_model::schools::grade_of_name(class).unwrap_or(1);
                format!(
                    "({ente_id}, (SELECT id FROM schools WHERE ente_id = {ente_id} AND name = '{school}'), '{school_year}', '{class}', {grade})"
                )
            })
        })
        .collect();
    [
        format!(
            "INSERT INTO schools (ente_id, name, address, code, cycle, active) VALUES {}",
            school_rows.join(",")
        ),
        format!(
            "INSERT INTO school_classes (ente_id, school_id, school_year, name, grade) VALUES {}",
            class_rows.join(",")
        ),
    ]
}

/// The SQL values of a card's `school_id, class_id` for a school and class that
/// [`schools_sql`] seeded.
pub fn place_sql(
    ente_id: i64,
    school_year: impl std::fmt::Display,
    school: &str,
    class: &str,
) -> String {
    let school_id =
        format!("(SELECT id FROM schools WHERE ente_id = {ente_id} AND name = '{school}')");
    format!(
        "{school_id}, (SELECT id FROM school_classes WHERE school_id = {school_id} AND school_year = '{school_year}' AND name = '{class}')"
    )
}

/// Runs `sql` on the benchmark's own connection.
pub async fn execute<C: ConnectionTrait>(db: &C, sql: String) {
    db.execute(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("bench SQL");
}

/// The `id` column of the rows `sql` returns.
pub async fn ids(db: &DatabaseConnection, sql: String) -> Vec<i64> {
    db.query_all(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("bench query")
        .iter()
        .map(|row| row.try_get("", "id").expect("id"))
        .collect()
}

/// Ids of the seeded rows of `table` whose codice fiscale starts with `prefix`, in its order.
async fn seeded_ids(db: &DatabaseConnection, table: &str, ente_id: i64, prefix: &str) -> Vec<i64> {
    let sql = format!(
        "SELECT id FROM {table} WHERE ente_id = {ente_id} AND fiscal_code LIKE '{prefix}%' ORDER BY fiscal_code"
    );
    ids(db, sql).await
}

/// A table and the columns a benchmark fills.
pub type Table = (&'static str, &'static str);

const USERS: Table = (
    "users",
    "ente_id, role, fiscal_code, first_name, last_name, password_hash, active, created_at",
);
const CHILDREN: Table = (
    "children",
    "ente_id, guardian_id, first_name, last_name, fiscal_code, birth_date, birth_place, sex, address",
);
const ENROLMENTS: Table = (
    "enrolments",
    "ente_id, child_id, service_id, badge, school_id, class_id, fee_band, quota_cents, meal_price_cents, meal_type, active, school_year",
);

/// Rows per multi-row insert of the seeding.
const ROWS_PER_STATEMENT: usize = 1_000;

/// Inserts `rows` (SQL value tuples) into `table` a thousand at a time.
pub async fn insert_rows<C: ConnectionTrait>(db: &C, (table, columns): Table, rows: Vec<String>) {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        execute(
            db,
            format!("INSERT INTO {table} ({columns}) VALUES {}", chunk.join(",")),
        )
        .await;
    }
}

/// The codice fiscale of the guardian of the `n`th seeded family.
pub fn guardian_fiscal_code(n: usize) -> String {
    fiscal_code(n, "80A01F205")
}

/// What [`seed_families`] added: the guardians' ids in the families' order, and their
/// children's, two per family (`children[2 * f]` and `children[2 * f + 1]`).
pub struct Families {
    pub guardians: Vec<i64>,
    pub children: Vec<i64>,
}

/// `families` families with two children each, enrolled in the canteen `service_id` for
/// the school year of `day` across `schools` schools; the guardians log in with
/// `password_hash` (a stored argon2 hash) when given. Their codici fiscali start with
/// `Z`, which no demo account's does.
pub async fn seed_families(
    db: &DatabaseConnection,
    ente_id: i64,
    service_id: i64,
    families: usize,
    schools: usize,
    day: Date,
    password_hash: Option<&str>,
) -> Families {
    let hash = password_hash.map_or("NULL".to_string(), |h| format!("'{h}'"));
    let users = (0..families).map(|f| {
        format!(
            "({ente_id}, 'guardian', '{}', 'Genitore', 'Prova {f}', {hash}, TRUE, '2026-09-01 08:00:00+00:00')",
            guardian_fiscal_code(f)
        )
    });
    insert_rows(db, USERS, users.collect()).await;
    let guardians = seeded_ids(db, "users", ente_id, "Z").await;
    let children = (0..families * 2).map(|c| {
        let guardian = guardians[c / 2];
        format!(
            "({ente_id}, {guardian}, 'Alunno', 'Prova {c}', '{}', '2018-05-05', 'Milano', 'F', 'Via Roma 1')",
            fiscal_code(c, "18E45F205")
        )
    });
    insert_rows(db, CHILDREN, children.collect()).await;
    let children = seeded_ids(db, "children", ente_id, "Z").await;
    let school_year = SchoolYear::containing(day);
    let school = |i: usize| format!("Scuola {:02}", i % schools + 1);
    let class = |i: usize| format!("{}{}", i % 5 + 1, ["A", "B", "C"][i % 3]);
    let school_names: Vec<String> = (0..schools).map(school).collect();
    let classes: Vec<String> = (0..15).map(class).collect();
    for sql in schools_sql(ente_id, school_year, &school_names, &classes) {
        execute(db, sql).await;
    }
    let enrolments =
        children.iter().enumerate().map(|(i, id)| {
            format!(
            "({ente_id}, {id}, {service_id}, '{}', {}, 'B', 0, {}, '{}', TRUE, '{school_year}')",
            900_000 + i,
            place_sql(ente_id, school_year, &school(i), &class(i)),
            420 + (i % 3) as i64 * 40,
            if i % 10 == 0 { "DIETA SANITARIA" } else { "PASTO BASE" }
        )
        });
    insert_rows(db, ENROLMENTS, enrolments.collect()).await;
    Families {
        guardians,
        children,
    }
}

/// An access token of the seeded guardian `user_id` of comune `ente_id`, signed with the
/// test servers' key and valid for an hour from `now` (the server's clock), in a
/// session of its own: what a family's SPA holds after logging in, without the cost of
/// thousands of password logins before the measure.
pub fn guardian_token(user_id: i64, ente_id: i64, now: OffsetDateTime) -> String {
    let now = now.unix_timestamp();
    let claims = serde_json::json!({
        "iss": "sportello",
        "aud": "sportello-api",
        "sub": user_id.to_string(),
        "ente": ente_id,
        "role": "guardian",
        "sid": uuid::Uuid::new_v4().to_string(),
        "iat": now,
        "exp": now + 3_600,
    });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(crate::TEST_JWT_SECRET.as_bytes()),
    )
    .expect("a signed token")
}

/// The database the benchmark runs on, as the figures name it.
pub fn backend() -> &'static str {
    if std::env::var("TEST_DATABASE_URL").is_ok() {
        "PostgreSQL"
    } else {
        "SQLite"
    }
}

/// The id of Comune di Demo's canteen (its prepaid service), as its public page lists it.
pub async fn canteen_service(server: &crate::TestServer) -> i64 {
    let ente: sportello_model::entes::EnteDetail = crate::json(
        crate::client()
            .get(server.api(&sportello_model::paths::ente("demo")))
            .send()
            .await
            .expect("ente"),
        reqwest::StatusCode::OK,
    )
    .await;
    ente.services
        .iter()
        .find(|s| s.kind == sportello_model::entes::ServiceKind::Prepaid)
        .expect("the canteen")
        .id
}
