//! Benchmark: the last minute before the meal cutoff, when every parent who keeps a
//! child at home cancels today's meal.
//!
//! Starts the real server (with `SPORTELLO_BIN`, default the release build) with its
//! clock on Tuesday 24/11/2026, whose meals Comune di Demo lets families change until
//! 15:00 in Rome, and adds 2 000 families with two children each. Then:
//! 1. **The rush**: with the clock a minute before the cutoff, each family cancels
//!    today's meal of its first child, 100 requests at a time. Every request must be
//!    answered 200 (no 5xx, no time-out, no "database is locked"), the database must hold
//!    each cancellation exactly once, and the rush must end before the cutoff. It prints
//!    the throughput against `/health`'s under the same load in the same run.
//! 2. **The cutoff under load**: two seconds before the cutoff, with 100 connections
//!    reading month calendars, 200 families cancel the meal of their second child at
//!    once; the clock passes the cutoff while they are being served. Those that arrived
//!    before it are accepted, as the cutoff is judged at a request's arrival; a change
//!    sent after it is refused.
//! 3. **Login under the rush**: the month calendar's p99 under 50 connections, alone and
//!    while 200 families log in with their password at 50 connections at once.
//!
//! Run it with `scripts/bench-rush` (SQLite), or with `TEST_DATABASE_URL` set for
//! PostgreSQL.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use e2e::bench::{
    guardian_fiscal_code, guardian_token, ids, load, ms, percentile, seed_families, Families,
};
use e2e::{TestServer, DEMO_PASSWORD, MARIO};
use reqwest::{Client, RequestBuilder, StatusCode};
use sportello_model::paths;
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};

const FAMILIES: usize = 2_000;
const SCHOOLS: usize = 10;
const CONNECTIONS: usize = 100;
/// Families whose change arrives in the last two seconds before the cutoff.
const LAST_SECONDS: usize = 200;
const LOGINS: usize = 200;
const LOGIN_CONNECTIONS: usize = 50;
const LOAD_TIME: Duration = Duration::from_secs(5);
const TODAY: Date = date!(2026 - 11 - 24);
/// Comune di Demo's cutoff of today's meals: 15:00 in Rome.
const CUTOFF: OffsetDateTime = datetime!(2026 - 11 - 24 14:00 UTC);
/// Throughput of the meal changes against `/health`'s that the rush must reach.
const TARGET_RATIO: f64 = 0.10;

/// One request's outcome: its status (or why there was none), its body and when it ended.
struct Answer {
    status: Result<StatusCode, String>,
    body: String,
    latency: Duration,
    ended: Instant,
}

impl Answer {
    async fn of(request: RequestBuilder) -> Answer {
        let started = Instant::now();
        let (status, body) = match request.send().await {
            Ok(res) => {
                let status = res.status();
                (Ok(status), res.text().await.unwrap_or_default())
            }
            Err(err) => (Err(err.to_string()), String::new()),
        };
        Answer {
            status,
            body,
            latency: started.elapsed(),
            ended: Instant::now(),
        }
    }

    fn ok(&self) -> bool {
        self.status == Ok(StatusCode::OK)
    }
}

fn http(connections: usize) -> Client {
    Client::builder()
        .pool_max_idle_per_host(connections)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("http client")
}

/// Sends the requests `request(0..count)` over `connections` connections, each taking
/// the next when its answer is in: the answers in the requests' order.
async fn send_all(
    client: &Client,
    count: usize,
    connections: usize,
    request: impl Fn(&Client, usize) -> RequestBuilder + Send + Sync + 'static,
) -> Vec<Answer> {
    let next = Arc::new(AtomicUsize::new(0));
    let request = Arc::new(request);
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (client, next, request) = (client.clone(), next.clone(), request.clone());
            tokio::spawn(async move {
                let mut answers = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= count {
                        return answers;
                    }
                    answers.push((i, Answer::of(request(&client, i)).await));
                }
            })
        })
        .collect();
    let mut all = Vec::with_capacity(count);
    for worker in workers {
        all.extend(worker.await.expect("worker"));
    }
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, answer)| answer).collect()
}

/// Asserts that every answer is 200, describing the others: server errors, time-outs
/// and "database is locked" are what the rush must never show.
fn all_ok(what: &str, answers: &[Answer]) {
    let failed: Vec<String> = answers
        .iter()
        .filter(|a| !a.ok())
        .map(|a| format!("{:?}: {}", a.status, a.body))
        .collect();
    let locked = failed
        .iter()
        .filter(|f| f.contains("database is locked"))
        .count();
    assert!(
        failed.is_empty(),
        "{what}: {} richieste non riuscite ({locked} con 'database is locked'), per esempio {:?}",
        failed.len(),
        failed.iter().take(3).collect::<Vec<_>>()
    );
}

/// Month calendars of the families' first children read over `connections` connections
/// until `stop`: every answer.
fn read_calendars(
    client: &Client,
    urls: Arc<Vec<(String, String)>>,
    connections: usize,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<Vec<Answer>> {
    let client = client.clone();
    tokio::spawn(async move {
        let workers: Vec<_> = (0..connections)
            .map(|w| {
                let (client, urls, stop) = (client.clone(), urls.clone(), stop.clone());
                tokio::spawn(async move {
                    let (url, token) = &urls[w % urls.len()];
                    let mut answers = Vec::new();
                    while !stop.load(Ordering::SeqCst) {
                        answers.push(Answer::of(client.get(url).bearer_auth(token)).await);
                    }
                    answers
                })
            })
            .collect();
        let mut all = Vec::new();
        for worker in workers {
            all.extend(worker.await.expect("calendar reader"));
        }
        all
    })
}

/// Reads calendars over `connections` connections while `during` runs: its result and
/// the calendars' sorted latencies.
async fn calendars_during<T>(
    client: &Client,
    urls: &Arc<Vec<(String, String)>>,
    connections: usize,
    during: impl std::future::Future<Output = T>,
) -> (T, Vec<Duration>) {
    let stop = Arc::new(AtomicBool::new(false));
    let readers = read_calendars(client, urls.clone(), connections, stop.clone());
    let result = during.await;
    stop.store(true, Ordering::SeqCst);
    let answers = readers.await.expect("calendar readers");
    all_ok("calendario del mese", &answers);
    let mut latencies: Vec<Duration> = answers.iter().map(|a| a.latency).collect();
    latencies.sort();
    (result, latencies)
}

/// Moves the server clock forward to at most `to` (whole seconds): its new "now".
async fn clock_to(server: &TestServer, to: OffsetDateTime) -> OffsetDateTime {
    let now = server.now().await;
    let ahead = (to - now).whole_seconds();
    assert!(ahead >= 0, "the server clock is already past {to}");
    server
        .advance_clock(Duration::from_secs(ahead as u64))
        .await
}

/// Counts the seeded children with a cancelled meal today.
async fn cancelled_today(server: &TestServer, children: &[i64]) -> (i64, i64) {
    let list: Vec<String> = children.iter().map(i64::to_string).collect();
    let rows = server
        .query(&format!(
            "SELECT COUNT(*) AS n, COUNT(DISTINCT child_id) AS distinct_children FROM bookings \
             WHERE day = '{TODAY}' AND choice = 'absent' AND child_id IN ({})",
            list.join(",")
        ))
        .await;
    (
        rows[0].try_get("", "n").expect("count"),
        rows[0]
            .try_get("", "distinct_children")
            .expect("distinct count"),
    )
}

fn rate(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

fn verdict(reached: bool) -> &'static str {
    if reached {
        "RAGGIUNTO"
    } else {
        "NON RAGGIUNTO"
    }
}

#[tokio::main]
async fn main() {
    e2e::bench::measure_release_build();
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", "2026-11-24T13:40:00Z")]).await;
    let backend = e2e::bench::backend();
    let service_id = e2e::bench::canteen_service(&server).await;
    let db = server.database().await;
    let ente_id = ids(&db, "SELECT id FROM entes WHERE slug = 'demo'".into()).await[0];
    let mario_hash: String = server
        .scalar(&format!(
            "SELECT password_hash FROM users WHERE fiscal_code = '{MARIO}'"
        ))
        .await;
    let Families {
        guardians,
        children,
    } = seed_families(
        &db,
        ente_id,
        service_id,
        FAMILIES,
        SCHOOLS,
        TODAY,
        Some(&mario_hash),
    )
    .await;
    let now = server.now().await;
    let tokens: Arc<Vec<String>> = Arc::new(
        guardians
            .iter()
            .map(|&g| guardian_token(g, ente_id, now))
            .collect(),
    );
    let client = http(CONNECTIONS + LAST_SECONDS);
    let (health_rps, health_latencies) =
        load(&server.api(&paths::health()), None, CONNECTIONS, LOAD_TIME).await;
    println!(
        "{backend}: {FAMILIES} famiglie con due alunni ciascuna; health con {CONNECTIONS} connessioni: {health_rps:.0} req/s, p99 {:.1} ms",
        ms(percentile(&health_latencies, 0.99)),
    );

    // 1. The rush.
    let first: Vec<i64> = children.iter().step_by(2).copied().collect();
    let second: Vec<i64> = children.iter().skip(1).step_by(2).copied().collect();
    let api = server.api("");
    let cancel = |children: Vec<i64>, tokens: Arc<Vec<String>>| {
        let api = api.clone();
        move |client: &Client, i: usize| {
            client
                .put(format!("{api}{}", paths::booking_day(children[i], TODAY)))
                .bearer_auth(&tokens[i])
                .json(&serde_json::json!({ "service_id": service_id, "choice": "absent" }))
        }
    };
    let began = clock_to(&server, CUTOFF - time::Duration::seconds(59)).await;
    let started = Instant::now();
    let answers = send_all(
        &client,
        FAMILIES,
        CONNECTIONS,
        cancel(first.clone(), tokens.clone()),
    )
    .await;
    let rush = started.elapsed();
    let ended = server.now().await;
    all_ok("disdette", &answers);
    let (stored, distinct) = cancelled_today(&server, &first).await;
    assert_eq!(
        (stored, distinct),
        (FAMILIES as i64, FAMILIES as i64),
        "each cancellation stored exactly once"
    );
    assert!(ended < CUTOFF, "the rush ended after the cutoff: {ended}");
    let mut latencies: Vec<Duration> = answers.iter().map(|a| a.latency).collect();
    latencies.sort();
    let rush_rps = rate(FAMILIES, rush);
    println!(
        "Disdette di oggi dalle {} alle {} (ora del server, UTC): {FAMILIES} su {FAMILIES} accettate e salvate una volta, in {:.2} s, {rush_rps:.0} req/s, p99 {:.1} ms (mediana {:.1} ms)",
        began.time(),
        ended.time(),
        rush.as_secs_f64(),
        ms(percentile(&latencies, 0.99)),
        ms(percentile(&latencies, 0.50)),
    );
    println!(
        "Rapporto di throughput disdette / health {:.2} — obiettivo ≥ {TARGET_RATIO:.2}: {}",
        rush_rps / health_rps,
        verdict(rush_rps / health_rps >= TARGET_RATIO)
    );

    // 2. The cutoff under load.
    let calendars: Arc<Vec<(String, String)>> = Arc::new(
        (0..CONNECTIONS)
            .map(|f| {
                (
                    server.api(&paths::month(first[f], service_id, "2026-11")),
                    tokens[f].clone(),
                )
            })
            .collect(),
    );
    // Every connection of the calendars and the last seconds' changes is open before.
    let warm = send_all(
        &client,
        CONNECTIONS + LAST_SECONDS,
        CONNECTIONS + LAST_SECONDS,
        {
            let health = server.api(&paths::health());
            move |client: &Client, _: usize| client.get(&health)
        },
    )
    .await;
    all_ok("health", &warm);
    clock_to(&server, CUTOFF - time::Duration::seconds(2)).await;
    let late_request = cancel(second.clone(), tokens.clone());
    let ((last_seconds, passed_at), _) =
        calendars_during(&client, &calendars, CONNECTIONS, async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let changes = send_all(
                &client,
                LAST_SECONDS,
                LAST_SECONDS,
                cancel(second.clone(), tokens.clone()),
            );
            let passing = async {
                // Every change has arrived before the clock passes the cutoff.
                tokio::time::sleep(Duration::from_millis(300)).await;
                server.advance_clock(Duration::from_secs(5)).await;
                Instant::now()
            };
            let (changes, passed_at) = tokio::join!(changes, passing);
            (changes, passed_at)
        })
        .await;
    all_ok("disdette arrivate prima dell'orario limite", &last_seconds);
    let answered_after = last_seconds.iter().filter(|a| a.ended > passed_at).count();
    let late = Answer::of(late_request(&client, FAMILIES - 1)).await;
    assert_eq!(
        late.status,
        Ok(StatusCode::CONFLICT),
        "a change after the cutoff: {}",
        late.body
    );
    assert!(late.body.contains("entro le ore 15:00"), "{}", late.body);
    let (stored, _) = cancelled_today(&server, &second).await;
    assert_eq!(
        stored, LAST_SECONDS as i64,
        "the changes that arrived in time are stored, the late one is not"
    );
    println!(
        "Orario limite sotto carico: {LAST_SECONDS} disdette arrivate nei due secondi prima delle 15:00 tutte accettate ({answered_after} risposte dopo che l'orologio del server aveva passato le 15:00); una disdetta arrivata dopo: 409 «{}»",
        serde_json::from_str::<serde_json::Value>(&late.body).expect("problem")["detail"]
            .as_str()
            .unwrap_or_default()
    );

    // 3. Login under the rush.
    let login_connections = &calendars[..LOGIN_CONNECTIONS];
    let login_calendars = Arc::new(login_connections.to_vec());
    let (_, alone) = calendars_during(
        &client,
        &login_calendars,
        LOGIN_CONNECTIONS,
        tokio::time::sleep(LOAD_TIME),
    )
    .await;
    let login_url = server.api(&paths::login("demo"));
    let ((logins, login_time), with_logins) =
        calendars_during(&client, &login_calendars, LOGIN_CONNECTIONS, async {
            let started = Instant::now();
            let logins = send_all(&http(LOGIN_CONNECTIONS), LOGINS, LOGIN_CONNECTIONS, {
                move |client: &Client, i: usize| {
                    client.post(&login_url).json(&serde_json::json!({
                        "fiscal_code": guardian_fiscal_code(i),
                        "password": DEMO_PASSWORD,
                    }))
                }
            })
            .await;
            (logins, started.elapsed())
        })
        .await;
    all_ok("accessi con password", &logins);
    let mut login_latencies: Vec<Duration> = logins.iter().map(|a| a.latency).collect();
    login_latencies.sort();
    let (p99_alone, p99_with) = (percentile(&alone, 0.99), percentile(&with_logins, 0.99));
    println!(
        "Accessi con password: {LOGINS} con {LOGIN_CONNECTIONS} connessioni in {:.2} s ({:.0} al secondo), p99 {:.0} ms",
        login_time.as_secs_f64(),
        rate(LOGINS, login_time),
        ms(percentile(&login_latencies, 0.99)),
    );
    println!(
        "Calendario del mese con {LOGIN_CONNECTIONS} connessioni: p99 {:.1} ms da solo ({:.0} req/s), {:.1} ms durante gli accessi ({:.0} req/s); rapporto {:.1}",
        ms(p99_alone),
        rate(alone.len(), LOAD_TIME),
        ms(p99_with),
        rate(with_logins.len(), login_time),
        p99_with.as_secs_f64() / p99_alone.as_secs_f64(),
    );
}
