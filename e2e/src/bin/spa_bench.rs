//! Benchmark: the SPA's weight and how fast the children page becomes usable.
//!
//! Prints the bytes of the WebAssembly and JavaScript in `dist/` (the built SPA), raw and
//! gzipped at level 9, against the budget of 600 KB gzipped. Then starts the real server
//! (`SPORTELLO_BIN`, the release build in the script) with the demo data and, in headless Chromium
//! with Mario Albertini's session cookie, loads `/demo/utenti` ten times with an empty
//! cache and ten times with the cache of the previous visit, and prints the median,
//! minimum and maximum time from the start of navigation to the children list being on
//! screen. The login is done before and is not timed. Run it with `scripts/bench-spa`.

use std::io::Write;
use std::path::Path;

use e2e::browser::{Browser, NotYet};
use e2e::{workspace_root, TestServer, DEMO_PASSWORD, MARIO};
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::{json, Value};
use sportello_model::paths;

const RUNS: usize = 10;
/// wasm + JS, gzipped, for the whole app as it grows (1 KB = 1000 bytes).
const BUDGET_BYTES: u64 = 600_000;

/// Installed before any page script: notes when `#children-list` first reaches the screen,
/// in milliseconds since the navigation started.
const WATCH_CHILDREN_LIST: &str = r#"
new MutationObserver((_, observer) => {
  if (document.getElementById("children-list")) {
    observer.disconnect();
    requestAnimationFrame(() => { window.__childrenListShown = performance.now(); });
  }
}).observe(document, { childList: true, subtree: true });
"#;

const LOGIN: &str = r#"
const [url, fiscalCode, password, done] = arguments;
fetch(url, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ fiscal_code: fiscalCode, password }),
}).then((res) => done(res.status), (e) => done(String(e)));
"#;

struct Asset {
    name: String,
    raw: u64,
    gzipped: u64,
}

fn gzipped_len(bytes: &[u8]) -> u64 {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).expect("gzip in memory");
    encoder.finish().expect("gzip in memory").len() as u64
}

/// The `.wasm` and `.js` files Trunk puts at the top of `dist/`: the app itself (the
/// Swagger UI under `dist/swagger-ui/` belongs to the API documentation, not the app).
fn bundle(dist: &Path) -> Vec<Asset> {
    let entries = std::fs::read_dir(dist).unwrap_or_else(|e| {
        panic!(
            "read {} ({e}): build the SPA with `scripts/build-spa`",
            dist.display()
        )
    });
    let mut assets: Vec<Asset> = entries
        .map(|entry| entry.expect("dist entry").path())
        .filter(|path| {
            path.is_file()
                && path
                    .extension()
                    .is_some_and(|ext| ext == "wasm" || ext == "js")
        })
        .map(|path| {
            let bytes = std::fs::read(&path).expect("read asset");
            Asset {
                name: path
                    .file_name()
                    .expect("file name")
                    .to_string_lossy()
                    .into_owned(),
                raw: bytes.len() as u64,
                gzipped: gzipped_len(&bytes),
            }
        })
        .collect();
    assert!(
        assets.iter().any(|a| a.name.ends_with(".wasm")),
        "no .wasm in {}: build the SPA with `scripts/build-spa`",
        dist.display()
    );
    assets.sort_by(|a, b| a.name.cmp(&b.name));
    assets
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

fn print_bundle(assets: &[Asset]) -> bool {
    println!("SPA bundle (dist/), 1 KB = 1000 bytes");
    println!("  {:<48} {:>12} {:>12}", "file", "raw", "gzip -9");
    for asset in assets {
        println!(
            "  {:<48} {:>12} {:>12}",
            asset.name,
            kb(asset.raw),
            kb(asset.gzipped)
        );
    }
    let total = |f: fn(&Asset) -> u64, ext: &str| -> u64 {
        assets.iter().filter(|a| a.name.ends_with(ext)).map(f).sum()
    };
    for (label, ext) in [("wasm", ".wasm"), ("JS", ".js"), ("wasm + JS", "")] {
        println!(
            "  {:<48} {:>12} {:>12}",
            format!("total {label}"),
            kb(total(|a| a.raw, ext)),
            kb(total(|a| a.gzipped, ext))
        );
    }
    let gzipped = total(|a| a.gzipped, "");
    let pass = gzipped < BUDGET_BYTES;
    println!(
        "Budget: wasm + JS under {} gzipped: {} ({})",
        kb(BUDGET_BYTES),
        if pass { "PASS" } else { "FAIL" },
        kb(gzipped)
    );
    pass
}

/// Loads `/demo/utenti` and returns the milliseconds from the start of navigation to the
/// children list on screen, as the page itself measured them.
async fn time_to_children_list(browser: &Browser) -> f64 {
    browser.goto("/demo/utenti").await;
    browser
        .wait_for("the children list", async |client| {
            match client
                .execute("return window.__childrenListShown ?? null;", vec![])
                .await?
            {
                Value::Number(ms) => Ok(ms.as_f64().expect("milliseconds")),
                other => Err(NotYet(format!("not yet shown ({other})"))),
            }
        })
        .await
}

fn summary(label: &str, samples: &mut [f64]) {
    samples.sort_by(f64::total_cmp);
    let n = samples.len();
    let median = if n.is_multiple_of(2) {
        (samples[n / 2 - 1] + samples[n / 2]) / 2.0
    } else {
        samples[n / 2]
    };
    println!(
        "  {label:<12} median {median:>7.0} ms   min {:>7.0} ms   max {:>7.0} ms",
        samples[0],
        samples[n - 1]
    );
}

async fn measure(server: &TestServer) -> (Vec<f64>, Vec<f64>) {
    let browser = Browser::start(&server.url).await;
    browser.goto(&paths::absolute(&paths::health())).await;
    let status = browser
        .client()
        .execute_async(
            LOGIN,
            vec![
                json!(paths::absolute(&paths::login("demo"))),
                json!(MARIO),
                json!(DEMO_PASSWORD),
            ],
        )
        .await
        .expect("log in from the page");
    assert_eq!(status, 200, "login of {MARIO}");
    browser
        .cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": WATCH_CHILDREN_LIST }),
        )
        .await;
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        browser.cdp("Network.clearBrowserCache", json!({})).await;
        cold.push(time_to_children_list(&browser).await);
        warm.push(time_to_children_list(&browser).await);
    }
    browser.close().await;
    (cold, warm)
}

#[tokio::main]
async fn main() {
    let pass = print_bundle(&bundle(&workspace_root().join("dist")));

    let server = TestServer::start().await;
    println!();
    println!(
        "Time to usable: /demo/utenti until the children list is on screen, headless Chromium \
         390x844, logged in by cookie, {RUNS} runs ({})",
        e2e::server_binary().display()
    );
    let (mut cold, mut warm) = measure(&server).await;
    summary("empty cache", &mut cold);
    summary("warm cache", &mut warm);

    if !pass {
        std::process::exit(1);
    }
}
