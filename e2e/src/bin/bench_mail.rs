//! Benchmark: 10 000 e-mails delivered by the outbox's worker to a local SMTP server.
//!
//! Starts a real SMTP server on localhost (`e2e::smtp`) and the real server (with
//! `SPORTELLO_BIN`, default the release build) sending to it, queues 10 000 e-mails of
//! Comune di Demo in the outbox, and measures until the SMTP server has received them
//! all: messages per second, and the server's resident memory while sending (sampled)
//! and at its peak. Run it with `scripts/bench-mail`; set `TEST_DATABASE_URL` for
//! PostgreSQL.

use std::time::{Duration, Instant};

use e2e::smtp::SmtpServer;
use e2e::TestServer;

const MESSAGES: usize = 10_000;
/// The target of issue 13.
const TARGET_PER_SECOND: f64 = 100.0;

/// A `kB` figure of the process's `/proc` status (`VmRSS`, `VmHWM`), in MiB.
fn memory(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim_start_matches(':').split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"))
}

#[tokio::main]
async fn main() {
    e2e::bench::measure_release_build();
    let smtp = SmtpServer::start();
    let server = TestServer::with_smtp(smtp.port, &[]).await;
    let pid = server.pid();
    // Let start-up work (demo data, first requests) settle before measuring.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = memory(pid, "VmRSS");

    let queued = Instant::now();
    server.queue_emails(MESSAGES).await;
    let queue_time = queued.elapsed();
    let started = Instant::now();
    let mut samples = Vec::new();
    let deadline = started + Duration::from_secs(600);
    while smtp.count() < MESSAGES && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        samples.push((smtp.count(), memory(pid, "VmRSS")));
    }
    let elapsed = started.elapsed();
    let delivered = smtp.count();
    let rate = delivered as f64 / elapsed.as_secs_f64();
    let peak = memory(pid, "VmHWM");

    println!("E-mail delivered through the outbox to a local SMTP server");
    println!(
        "  queued:     {MESSAGES} messages in {:.2} s",
        queue_time.as_secs_f64()
    );
    println!(
        "  delivered:  {delivered} in {:.2} s",
        elapsed.as_secs_f64()
    );
    println!("  throughput: {rate:.0} messages/s (target ≥ {TARGET_PER_SECOND:.0})");
    println!("  server RSS: {before:.1} MiB before sending, peak {peak:.1} MiB");
    let step = (samples.len() / 8).max(1);
    let last = samples.len().saturating_sub(1);
    for (i, (count, rss)) in samples.iter().enumerate() {
        if i % step == 0 || i == last {
            println!("    after {count:>6} messages: {rss:.1} MiB");
        }
    }
    assert_eq!(delivered, MESSAGES, "every message delivered");
}
