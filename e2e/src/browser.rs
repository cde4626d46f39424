//! Browser harness: Debian's headless Chromium driven over WebDriver (`chromedriver` and
//! fantoccini), with explicit waits, an axe-core accessibility audit, downloads saved to a
//! folder the journey can read and, when a journey fails, a screenshot and the page's HTML
//! under `target/e2e-artifacts/<test name>/`.

use std::fmt;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use hyper_util::client::legacy::connect::HttpConnector;
use serde::Deserialize;
use serde_json::{json, Value};
use sportello_model::spa;

use crate::{workspace_root, DEMO_PASSWORD};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// A phone held upright, in CSS pixels. Headless Chromium keeps its window at least 500
/// pixels wide, so the page is given this size through mobile emulation as well.
const PHONE: (u32, u32) = (390, 844);
/// Longest wait for anything the page should do: generous for a busy 2-core machine.
const WAIT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(100);
/// The WCAG 2.1 A and AA rules of axe-core.
const AXE_TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// `chromedriver` on a free port in its own process group, so that dropping it also ends
/// the Chromium processes it started, whatever state the session is in.
struct ChromeDriver {
    url: String,
    process: Child,
    scratch: PathBuf,
}

impl ChromeDriver {
    async fn start() -> ChromeDriver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free local port")
            .port();
        let scratch = std::env::temp_dir().join(format!(
            "sportello-browser-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&scratch).expect("browser scratch directory");
        let process = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg("--silent")
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("start {CHROMEDRIVER} ({e}): install it with `scripts/setup --browser`")
            });
        let mut driver = ChromeDriver {
            url: format!("http://127.0.0.1:{port}"),
            process,
            scratch,
        };
        driver.wait_until_ready().await;
        driver
    }

    async fn wait_until_ready(&mut self) {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(Some(status)) = self.process.try_wait() {
                panic!("chromedriver exited at start-up: {status}");
            }
            let ready = match http.get(format!("{}/status", self.url)).send().await {
                Ok(res) => res
                    .json::<Value>()
                    .await
                    .is_ok_and(|status| status["value"]["ready"] == true),
                Err(_) => false,
            };
            if ready {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver not ready within {WAIT:?}"
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Where Chromium saves the files the page downloads.
    fn downloads(&self) -> PathBuf {
        self.scratch.join("downloads")
    }

    fn capabilities(&self) -> Capabilities {
        let profile = self.scratch.join("profile");
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            format!("--window-size={},{}", PHONE.0, PHONE.1),
            format!("--user-data-dir={}", profile.display()),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": args,
                "mobileEmulation": {
                    "deviceMetrics": { "width": PHONE.0, "height": PHONE.1, "pixelRatio": 1 },
                },
                "prefs": {
                    "download.default_directory": self.downloads(),
                    "download.prompt_for_download": false,
                },
            },
            "timeouts": { "script": 30_000, "pageLoad": 30_000, "implicit": 0 },
        });
        match capabilities {
            Value::Object(map) => map,
            _ => unreachable!("capabilities are a JSON object"),
        }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        if let Ok(pid) = libc::pid_t::try_from(self.process.id()) {
            // SAFETY: kill(2) with a negative pid signals the process group that
            // `process_group(0)` created for chromedriver; it touches no memory of ours.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        self.process.wait().ok();
        std::fs::remove_dir_all(&self.scratch).ok();
    }
}

/// Why a wait has not succeeded yet; the last one is shown when the wait times out.
#[derive(Debug)]
pub struct NotYet(pub String);

impl From<CmdError> for NotYet {
    fn from(error: CmdError) -> Self {
        NotYet(error.to_string())
    }
}

/// One headless Chromium session on a server. Every helper waits explicitly for what it
/// needs and panics with a readable message when it does not come.
pub struct Browser {
    client: Client,
    base_url: String,
    driver: ChromeDriver,
}

impl Browser {
    /// Starts chromedriver and a fresh Chromium (new profile, phone-sized window).
    pub async fn start(base_url: &str) -> Browser {
        let driver = ChromeDriver::start().await;
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(driver.capabilities())
            .connect(&driver.url)
            .await
            .unwrap_or_else(|e| panic!("start {CHROMIUM} through chromedriver: {e}"));
        let browser = Browser {
            client,
            base_url: base_url.trim_end_matches('/').to_string(),
            driver,
        };
        browser
            .cdp(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": CSP_RECORDER }),
            )
            .await;
        browser
    }

    /// Runs `journey` in a fresh browser. When it panics, the screenshot and the HTML of the
    /// page are saved under `target/e2e-artifacts/<test name>/` before the panic goes on;
    /// the browser and chromedriver are stopped either way.
    pub async fn run(base_url: &str, journey: impl AsyncFnOnce(&Browser)) {
        let artifacts = artifacts_dir();
        std::fs::remove_dir_all(&artifacts).ok();
        let browser = Browser::start(base_url).await;
        let outcome = AssertUnwindSafe(async {
            journey(&browser).await;
            browser.assert_no_csp_violations().await;
        })
        .catch_unwind()
        .await;
        if outcome.is_err() {
            browser.save_artifacts(&artifacts).await;
        }
        browser.close().await;
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    }

    /// Ends the WebDriver session (Chromium quits), then chromedriver.
    pub async fn close(self) {
        tokio::time::timeout(WAIT, self.client.close()).await.ok();
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Absolute address of `path` on the server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Loads `path` as if typed in the address bar.
    pub async fn goto(&self, path: &str) {
        let url = self.url(path);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// The path of the current address, e.g. `/demo/utenti`.
    pub async fn path(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("current address")
            .path()
            .to_string()
    }

    /// Repeats `attempt` every 100 ms until it succeeds; panics after 20 s with `what` and
    /// the last reason it gave.
    pub async fn wait_for<T>(
        &self,
        what: &str,
        mut attempt: impl AsyncFnMut(&Client) -> Result<T, NotYet>,
    ) -> T {
        let deadline = Instant::now() + WAIT;
        loop {
            match attempt(&self.client).await {
                Ok(value) => return value,
                Err(NotYet(last)) if Instant::now() >= deadline => {
                    let at = match self.client.current_url().await {
                        Ok(url) => url.to_string(),
                        Err(e) => format!("an unknown address ({e})"),
                    };
                    panic!("waited {WAIT:?} for {what} on {at}; last: {last}")
                }
                Err(_) => tokio::time::sleep(POLL).await,
            }
        }
    }

    /// The visible element matching the CSS selector, once there is one.
    pub async fn find(&self, css: &str) -> Element {
        self.find_by(&format!("`{css}`"), Locator::Css(css)).await
    }

    /// The visible element a locator (CSS, XPath…) finds, once there is one.
    pub async fn find_by(&self, what: &str, locator: Locator<'_>) -> Element {
        self.wait_for(&format!("{what} to be visible"), async |client| {
            let element = client.find(locator).await?;
            if element.is_displayed().await? {
                Ok(element)
            } else {
                Err(NotYet("present but hidden".into()))
            }
        })
        .await
    }

    /// Clicks the element once it is visible and can take the click. The element is
    /// centred first: with phone emulation, typing can leave the visual viewport away from
    /// the layout one, and WebDriver would then click beside the element.
    pub async fn click(&self, css: &str) {
        self.click_by(&format!("`{css}`"), Locator::Css(css)).await
    }

    /// Like [`Browser::click`], for the element a locator (CSS, XPath…) finds.
    pub async fn click_by(&self, what: &str, locator: Locator<'_>) {
        self.wait_for(&format!("{what} to take a click"), async |client| {
            let element = client.find(locator).await?;
            let reference = serde_json::to_value(&element).map_err(|e| NotYet(e.to_string()))?;
            client
                .execute(
                    "arguments[0].scrollIntoView({block: 'center', inline: 'nearest', behavior: 'instant'});",
                    vec![reference],
                )
                .await?;
            element.click().await?;
            Ok(())
        })
        .await
    }

    /// Loads `path` and waits until `css` (its heading, an alert) reads `expected`; returns
    /// the element's whole text.
    pub async fn open_page(&self, path: &str, css: &str, expected: &str) -> String {
        self.goto(path).await;
        self.wait_for_text(css, expected).await
    }

    /// Clicks `button` (a form's submit, a choice in a menu) and waits until `answer` reads
    /// `expected`, the page's Italian reply; returns the answer's whole text.
    pub async fn submit(&self, button: &str, answer: &str, expected: &str) -> String {
        self.click(button).await;
        self.wait_for_text(answer, expected).await
    }

    /// The visible link whose text contains `text`, inside the element with id `within`.
    pub async fn link(&self, within: &str, text: &str) -> Element {
        let xpath = link_xpath(within, text);
        self.find_by(&format!("the link to {text}"), Locator::XPath(&xpath))
            .await
    }

    /// Clicks the link whose text contains `text`, inside the element with id `within`.
    pub async fn follow_link(&self, within: &str, text: &str) {
        let xpath = link_xpath(within, text);
        self.click_by(&format!("the link to {text}"), Locator::XPath(&xpath))
            .await
    }

    /// Replaces the text of an input, keystroke by keystroke as a person would type it.
    pub async fn fill(&self, css: &str, text: &str) {
        let input = self.find(css).await;
        input.clear().await.expect("clear the field");
        input.send_keys(text).await.expect("type into the field");
    }

    /// Sets the value of a field the way a picker does, with an `input` event: a date
    /// field takes `2026-11-27` whatever the browser's locale shows.
    pub async fn set_value(&self, css: &str, value: &str) {
        let input = self.find(css).await;
        let reference = serde_json::to_value(&input).expect("an element reference");
        self.client
            .execute(
                "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', { bubbles: true }));",
                vec![reference, json!(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("set the value of `{css}`: {e}"));
    }

    /// Chooses the option `value` of a drop-down list, with the `change` event a person's
    /// choice fires.
    pub async fn choose(&self, css: &str, value: &str) {
        let select = self.find(css).await;
        let reference = serde_json::to_value(&select).expect("an element reference");
        self.client
            .execute(
                "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', { bubbles: true }));",
                vec![reference, json!(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("choose {value} in `{css}`: {e}"));
    }

    /// The visible text of the element, spaces normalised (non-breaking ones included).
    pub async fn text(&self, css: &str) -> String {
        self.wait_for(&format!("the text of `{css}`"), async |client| {
            Ok(normalise(
                &client.find(Locator::Css(css)).await?.text().await?,
            ))
        })
        .await
    }

    /// Waits until the element's visible text contains `expected`; returns the whole text.
    pub async fn wait_for_text(&self, css: &str, expected: &str) -> String {
        self.wait_for(&format!("`{css}` to read {expected:?}"), async |client| {
            let text = normalise(&client.find(Locator::Css(css)).await?.text().await?);
            if text.contains(expected) {
                Ok(text)
            } else {
                Err(NotYet(format!("it reads {text:?}")))
            }
        })
        .await
    }

    /// How many elements match the CSS selector now, without waiting: 0 checks that the
    /// page does not offer something.
    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("look for `{css}`: {e}"))
            .len()
    }

    /// Waits until no element matches the CSS selector (an alert closed, an action gone).
    pub async fn wait_until_gone(&self, css: &str) {
        self.wait_for(&format!("`{css}` to be gone"), async |client| match client
            .find(Locator::Css(css))
            .await
        {
            Ok(_) => Err(NotYet("still there".into())),
            Err(_) => Ok(()),
        })
        .await
    }

    /// Runs `script` in the page and returns what it returns.
    pub async fn execute(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("run `{script}`: {e}"))
    }

    /// The id of the element that has the keyboard focus ("" when it has none).
    pub async fn focused_id(&self) -> String {
        let id = self.execute("return document.activeElement.id;").await;
        id.as_str().unwrap_or_default().to_owned()
    }

    /// Gives the page a phone screen of `width` × `height` CSS pixels until the next page
    /// load (chromedriver applies its own phone at each load).
    pub async fn emulate_phone(&self, width: u32, height: u32) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": true }),
        )
        .await;
    }

    /// Gives the page a desktop screen, 1280 × 900 CSS pixels, until the next page load.
    pub async fn emulate_desktop(&self) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false }),
        )
        .await;
    }

    /// Waits until the field with id `field` says `expected` in its error, `#{field}-error`,
    /// then checks that the field is marked invalid and described by that error, as every
    /// field of the portal is.
    pub async fn assert_field_error(&self, field: &str, expected: &str) {
        let error = format!("{field}-error");
        self.wait_for_text(&format!("#{error}"), expected).await;
        let input = format!("#{field}");
        assert_eq!(
            self.attr(&input, "aria-invalid").await.as_deref(),
            Some("true"),
            "{field} is marked invalid"
        );
        let described_by = self
            .attr(&input, "aria-describedby")
            .await
            .unwrap_or_default();
        assert!(
            described_by.split(' ').any(|id| id == error),
            "the message is tied to {field}: aria-describedby={described_by:?}"
        );
    }

    /// An attribute of the element, once the element is there.
    pub async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.wait_for(&format!("`{css}`"), async |client| {
            Ok(client.find(Locator::Css(css)).await?.attr(name).await?)
        })
        .await
    }

    /// A property of the element (what an input holds now), once the element is there.
    pub async fn prop(&self, css: &str, name: &str) -> Option<String> {
        self.wait_for(&format!("`{css}`"), async |client| {
            Ok(client.find(Locator::Css(css)).await?.prop(name).await?)
        })
        .await
    }

    /// Waits until the address is `path` (query and fragment aside).
    pub async fn wait_for_path(&self, path: &str) {
        self.wait_for(&format!("the address {path}"), async |client| {
            let url = client.current_url().await?;
            if url.path() == path {
                Ok(())
            } else {
                Err(NotYet(format!("at {url}")))
            }
        })
        .await
    }

    /// The file `name` the page downloaded into the session's scratch folder, once Chromium
    /// has finished saving it (it writes a `.crdownload` file first, then renames it).
    pub async fn downloaded(&self, name: &str) -> PathBuf {
        let dir = self.driver.downloads();
        let path = dir.join(name);
        self.wait_for(&format!("the download {name}"), async |_| {
            if path.is_file() {
                return Ok(path.clone());
            }
            let present: Vec<String> = std::fs::read_dir(&dir)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .map(|entry| entry.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            Err(NotYet(format!("{} holds {present:?}", dir.display())))
        })
        .await
    }

    /// Runs axe-core's WCAG 2.1 A/AA rules on the page as it is now; panics on serious or
    /// critical violations and prints the minor and moderate ones. `page` names it in the messages.
    pub async fn assert_accessible(&self, page: &str) {
        let loaded = self
            .client
            .execute("return typeof window.axe;", vec![])
            .await
            .expect("look for axe-core");
        if loaded == "undefined" {
            let script = format!("{}\nreturn typeof window.axe;", axe_source());
            let loaded = self
                .client
                .execute(&script, vec![])
                .await
                .expect("inject axe-core");
            assert_eq!(loaded, "object", "axe-core did not load on {page}");
        }
        let outcome = self
            .client
            .execute_async(AXE_RUN, vec![json!(AXE_TAGS)])
            .await
            .unwrap_or_else(|e| panic!("run axe-core on {page}: {e}"));
        let outcome: AxeOutcome = serde_json::from_value(outcome).expect("axe-core outcome");
        let violations = match outcome {
            AxeOutcome::Done { violations } => violations,
            AxeOutcome::Failed { error } => panic!("axe-core failed on {page}: {error}"),
        };
        let (blocking, minor): (Vec<Violation>, Vec<Violation>) =
            violations.into_iter().partition(Violation::is_blocking);
        for violation in &minor {
            eprintln!("axe on {page}, not blocking: {violation}");
        }
        let blocking: Vec<String> = blocking.iter().map(ToString::to_string).collect();
        assert!(
            blocking.is_empty(),
            "{} serious or critical WCAG 2.1 AA violation(s) on {page}:\n{}",
            blocking.len(),
            blocking.join("\n")
        );
    }

    /// Panics if the page reported any Content-Security-Policy violation since the
    /// browser opened the portal (recorded by [`CSP_RECORDER`]).
    pub async fn assert_no_csp_violations(&self) {
        let seen = self
            .execute(
                "try { return sessionStorage.getItem('csp-violations'); } catch (e) { return null; }",
            )
            .await;
        let seen: Vec<String> = seen
            .as_str()
            .map(|s| serde_json::from_str(s).expect("recorded violations are JSON"))
            .unwrap_or_default();
        assert!(
            seen.is_empty(),
            "the Content-Security-Policy blocked: {seen:#?}"
        );
    }

    /// Saves `screenshot.png` (the viewport), `page.html` (the live DOM) and `url.txt`.
    pub async fn save_artifacts(&self, dir: &Path) {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("cannot create {}: {e}", dir.display());
            return;
        }
        let url = self.client.current_url().await.map(|u| u.to_string());
        let screenshot = self.client.screenshot().await;
        let html = self.client.source().await;
        let saved = [
            ("url.txt", url.map(String::into_bytes)),
            ("screenshot.png", screenshot),
            ("page.html", html.map(String::into_bytes)),
        ];
        for (name, content) in saved {
            let path = dir.join(name);
            match content {
                Ok(bytes) => match std::fs::write(&path, bytes) {
                    Ok(()) => eprintln!("saved {}", path.display()),
                    Err(e) => eprintln!("cannot write {}: {e}", path.display()),
                },
                Err(e) => eprintln!("cannot capture {name}: {e}"),
            }
        }
    }

    /// Runs a Chrome DevTools Protocol command through chromedriver
    /// (`Network.clearBrowserCache`, `Page.addScriptToEvaluateOnNewDocument`…).
    pub async fn cdp(&self, command: &'static str, params: Value) -> Value {
        self.client
            .issue_cmd(Cdp { command, params })
            .await
            .unwrap_or_else(|e| panic!("DevTools command {command}: {e}"))
    }
}

/// The steps of a person on the pages of Comune di Demo, the comune of the demo data.
impl Browser {
    /// Opens the login page and waits for its form.
    pub async fn open_login(&self) {
        self.goto(&spa::login(COMUNE)).await;
        self.find("#login-fiscal-code").await;
    }

    /// Types a codice fiscale and a password into the login form, without sending it.
    pub async fn type_credentials(&self, fiscal_code: &str, password: &str) {
        self.fill("#login-fiscal-code", fiscal_code).await;
        self.fill("#login-password", password).await;
    }

    /// Logs in with codice fiscale and the demo password and waits for the personal area,
    /// auditing both pages.
    pub async fn log_in(&self, fiscal_code: &str) {
        self.open_login().await;
        self.assert_accessible("the login page").await;
        self.type_credentials(fiscal_code, DEMO_PASSWORD).await;
        self.click("#login-submit").await;
        self.wait_for_path(&spa::personal_area(COMUNE)).await;
        self.find("#greeting").await;
        self.assert_accessible("the personal area").await;
    }

    /// Opens a page from the menu, `#menu-{page}`, and waits for its address.
    pub async fn open_menu(&self, page: &str) {
        self.click(&format!("#menu-{page}")).await;
        self.wait_for_path(&spa::page(COMUNE, page)).await;
    }

    /// Opens the page of the child named `name` from the cards of the list with id `list`
    /// and waits for the page's heading to name the child.
    pub async fn open_child(&self, list: &str, name: &str) {
        self.follow_link(list, name).await;
        self.wait_for_text("#child-name", name).await;
    }

    /// Opens the office's page of the family of `guardian`, found in Famiglie by `words`.
    pub async fn open_family(&self, words: &str, guardian: &str) {
        self.goto(&spa::page(COMUNE, "famiglie")).await;
        self.fill("#families-q", words).await;
        self.click("#families-search-submit").await;
        self.wait_for_text("#families-results", guardian).await;
        self.follow_link("families-results", guardian).await;
        self.wait_for_text("#family-name", guardian).await;
    }

    /// Opens a service's payments (`Refezione Scolastica`…) from the Pagamenti menu.
    pub async fn open_service(&self, name: &str) {
        self.open_menu("pagamenti").await;
        self.follow_link("payment-services", name).await;
    }
}

/// The CSS selector of a field of a child's card for a service: `service_field("REF",
/// "badge")` is the badge number on the Refezione Scolastica card.
pub fn service_field(service: &str, field: &str) -> String {
    format!(r#"section.service-card[data-service-code="{service}"] dd[data-field="{field}"]"#)
}

/// The comune of the demo data, whose pages the journeys visit.
const COMUNE: &str = "demo";

/// A link whose text contains `text`, inside the element with id `within`.
fn link_xpath(within: &str, text: &str) -> String {
    format!("//*[@id='{within}']//a[contains(normalize-space(.), '{text}')]")
}

/// Runs first in every page: keeps each Content-Security-Policy violation the page
/// reports in the tab's session storage, where it outlives navigations in the portal.
const CSP_RECORDER: &str = r#"document.addEventListener('securitypolicyviolation', (e) => {
  const seen = JSON.parse(sessionStorage.getItem('csp-violations') || '[]');
  seen.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} on ${e.documentURI} (${e.sourceFile}:${e.lineNumber})`);
  sessionStorage.setItem('csp-violations', JSON.stringify(seen));
});"#;

/// Collapses runs of white space, non-breaking spaces included, into single spaces.
fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `target/e2e-artifacts/<test name>/`; libtest names each test's thread after the test.
fn artifacts_dir() -> PathBuf {
    let thread = std::thread::current();
    let test = thread
        .name()
        .filter(|name| *name != "main")
        .unwrap_or("browser")
        .replace("::", "-");
    workspace_root().join("target/e2e-artifacts").join(test)
}

fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = workspace_root().join("node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "read {} ({e}): install the npm packages with `scripts/setup`",
                path.display()
            )
        })
    })
}

/// Runs axe on the document with the given tags and hands back the violations, trimmed to
/// what a reader needs.
const AXE_RUN: &str = r#"
const [tags, done] = arguments;
axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] })
  .then((results) => done({
    violations: results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, summary: n.failureSummary })),
    })),
  }))
  .catch((e) => done({ error: String(e) }));
"#;

#[derive(Deserialize)]
#[serde(untagged)]
enum AxeOutcome {
    Done { violations: Vec<Violation> },
    Failed { error: String },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Violation {
    id: String,
    impact: Option<String>,
    help: String,
    help_url: String,
    nodes: Vec<ViolationNode>,
}

#[derive(Deserialize)]
struct ViolationNode {
    target: Value,
    html: String,
    summary: Option<String>,
}

impl Violation {
    fn is_blocking(&self) -> bool {
        matches!(self.impact.as_deref(), Some("serious" | "critical"))
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let impact = self.impact.as_deref().unwrap_or("unknown");
        writeln!(
            f,
            "[{impact}] {}: {} ({})",
            self.id, self.help, self.help_url
        )?;
        for node in &self.nodes {
            writeln!(f, "    at {}: {}", node.target, node.html)?;
            if let Some(summary) = &node.summary {
                for line in summary.lines() {
                    writeln!(f, "      {line}")?;
                }
            }
        }
        Ok(())
    }
}

/// A DevTools command through chromedriver's `goog/cdp/execute` endpoint.
#[derive(Debug)]
struct Cdp {
    command: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.command, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}
