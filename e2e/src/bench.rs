//! Measuring for the benchmark commands: concurrent load on an endpoint and percentiles.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

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
