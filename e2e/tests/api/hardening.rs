//! What an attacker or a careless client sends: huge pages, oversized fields and bodies,
//! odd paths, sloppy headers and dates. Each answer is an Italian problem+json, never a
//! dropped connection, a plain-text error or silently accepted data; and every answer
//! carries the browser security headers.

use e2e::payments::{NODE_SUBJECT, SUBJECT_HEADER};
use e2e::{client, field_error, problem, TestServer, GIULIA_OPERATOR, MARIO};
use reqwest::StatusCode;
use sportello_model::children::{ChildDetail, ChildSummary};
use sportello_model::{paths, Page, Problem};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const HUGE_PAGE: &str = "461168601842738792";
const NOT_A_DAY: &str = "La data deve essere nel formato AAAA-MM-GG";

#[tokio::test]
async fn a_huge_page_is_refused_on_every_list_with_the_field_named() {
    let server = TestServer::start().await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let http = client();
    let children: Page<ChildSummary> = mario.get_ok(&paths::children()).await;
    let child: ChildDetail = giulia.get_ok(&paths::child(children.items[0].id)).await;

    let public = [
        paths::entes(),
        paths::news("demo"),
        paths::documents("demo"),
    ];
    let guardian = [
        paths::children(),
        paths::statement(service),
        paths::service_notices(service),
        paths::emissions(),
        paths::receipts(),
    ];
    let operator = [
        paths::children(),
        paths::family_statement(service, child.guardian_id),
    ];
    let mut lists: Vec<(Option<&str>, String)> =
        public.iter().map(|p| (None, p.to_string())).collect();
    lists.extend(
        guardian
            .into_iter()
            .map(|p| (Some(mario.access_token.as_str()), p)),
    );
    lists.extend(
        operator
            .into_iter()
            .map(|p| (Some(giulia.access_token.as_str()), p)),
    );

    for (token, list) in &lists {
        let get = |query: String| {
            let request = http.get(server.api(&format!("{list}?{query}")));
            match token {
                Some(token) => request.bearer_auth(token),
                None => request,
            }
            .send()
        };
        // The list itself works.
        assert_eq!(
            get(String::new()).await.unwrap().status(),
            StatusCode::OK,
            "{list}"
        );
        for (query, name) in [
            (format!("page={HUGE_PAGE}"), "page"),
            ("page=100001".to_string(), "page"),
            ("page=0".to_string(), "page"),
            ("page=-1".to_string(), "page"),
            ("page=99999999999999999999999".to_string(), "page"),
            ("page=uno".to_string(), "page"),
            ("per_page=0".to_string(), "per_page"),
            ("per_page=101".to_string(), "per_page"),
        ] {
            let res = get(query.clone())
                .await
                .unwrap_or_else(|e| panic!("{list}?{query}: the connection dropped: {e}"));
            assert!(!field_error(res, name).await.is_empty(), "{list}?{query}");
        }
        // The last page allowed is simply empty.
        let last = get("page=100000&per_page=100".to_string()).await.unwrap();
        assert_eq!(last.status(), StatusCode::OK, "{list}");
    }
    let huge = server
        .public(&format!("{}?page={HUGE_PAGE}", paths::entes()))
        .await;
    assert_eq!(
        field_error(huge, "page").await,
        "Il numero di pagina deve essere compreso tra 1 e 100.000."
    );
}

fn header<'r>(res: &'r reqwest::Response, name: &str) -> &'r str {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{} has no {name}", res.url()))
}

fn assert_security_headers(res: &reqwest::Response) {
    let csp = header(res, "content-security-policy");
    for directive in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(directive), "{}: {csp}", res.url());
    }
    let scripts = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap();
    assert!(!scripts.contains("unsafe-inline"), "{csp}");
    assert_eq!(header(res, "x-content-type-options"), "nosniff");
    assert_eq!(
        header(res, "referrer-policy"),
        "strict-origin-when-cross-origin"
    );
    assert!(
        res.headers().get("strict-transport-security").is_none(),
        "HSTS is for production only"
    );
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_personal_data_is_not_stored() {
    let server = TestServer::start().await;
    let mario = server.user("demo", MARIO).await;

    assert_security_headers(&server.page("/demo/accedi").await);
    let docs = server.page("/api/docs").await;
    assert_security_headers(&docs);
    let docs = docs.text().await.unwrap();
    assert!(
        !docs.contains("<script>"),
        "Swagger UI starts from a file, not an inline script"
    );

    let me = mario.get(&paths::me()).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_security_headers(&me);
    assert_eq!(header(&me, "cache-control"), "no-store");

    let service = mario.refezione().await.service_id;
    let notice = mario.new_notice(service, "47,60").await;
    let pdf = mario.document(&notice.pdf_url).await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(header(&pdf, "content-type"), "application/pdf");
    assert_security_headers(&pdf);
    assert_eq!(header(&pdf, "cache-control"), "no-store");

    let statement = mario.get(&paths::statement(service)).await;
    assert_eq!(header(&statement, "cache-control"), "no-store");
    let refused = server.get("forged", &paths::children()).await;
    assert_security_headers(&refused);
    assert_eq!(header(&refused, "cache-control"), "no-store");
}

#[tokio::test]
async fn production_adds_strict_transport_security() {
    let server = TestServer::start_with(&[
        ("SPORTELLO_ENV", "production"),
        ("SPORTELLO_DEMO_DATA", "false"),
    ])
    .await;
    let res = server.public(&paths::health()).await;
    assert_eq!(
        header(&res, "strict-transport-security"),
        "max-age=31536000; includeSubDomains"
    );
}

/// Sends raw bytes, for requests a well-behaved client library would not make.
async fn raw(server: &TestServer, request: String) -> (u16, String, String) {
    let address = server.url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.ok();
    let answer = String::from_utf8_lossy(&answer).to_string();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {answer:?}"));
    let content_type = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type:")
                .map(|v| v.trim().to_string())
        })
        .unwrap_or_default();
    (status, content_type, body.to_string())
}

fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
}

#[tokio::test]
async fn odd_paths_huge_bodies_and_long_addresses_get_italian_problems() {
    let server = TestServer::start().await;
    // Inside the API: an Italian problem. Elsewhere the path is either refused with one
    // or, with the dots resolved inside the SPA's folder, is a page of the SPA (its own
    // "not found"); never a file from outside, never a plain-text or empty answer.
    for path in [
        "/api/v1/../../etc/passwd",
        "/api/v1/entes/demo/news/..%2f..%2f..%2fetc",
        "/api/v1/%2e%2e/%2e%2e/Cargo.toml",
    ] {
        let (status, content_type, body) = raw(&server, get(path)).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(content_type, "application/problem+json", "{path}: {body}");
    }
    for path in [
        "/..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/css/..%5c..%5cCargo.toml",
        "/css/%2e%2e/%2e%2e/Cargo.toml",
        "/.git/config",
        "/%00",
    ] {
        let (status, content_type, body) = raw(&server, get(path)).await;
        assert!(status < 500 || status == 503, "{path}: {status} {body}");
        assert!(
            content_type == "application/problem+json" || content_type.starts_with("text/html"),
            "{path}: {status} {content_type} {body}"
        );
        if content_type == "application/problem+json" {
            let problem: Problem = serde_json::from_str(&body).unwrap();
            assert_eq!(problem.status, status, "{path}");
            assert!(problem.detail.contains("richiesta") || problem.detail.contains("risorsa"));
        }
        assert!(
            !body.contains("root:") && !body.contains("[workspace]"),
            "{path}"
        );
    }

    // Long addresses: the portal reads up to 32 KiB and refuses longer ones itself.
    let long = format!("/api/v1/entes?page=1&x={}", "a".repeat(6000));
    let (status, content_type, _) = raw(&server, get(&long)).await;
    assert_eq!((status, content_type.as_str()), (200, "application/json"));
    for long in [
        format!("/api/v1/entes?page=1&x={}", "a".repeat(40_000)),
        format!("/api/v1/{}", "a".repeat(40_000)),
        format!("/demo/{}", "a".repeat(40_000)),
    ] {
        let (status, content_type, body) = raw(&server, get(&long)).await;
        assert_eq!(
            (status, content_type.as_str()),
            (414, "application/problem+json")
        );
        let problem: Problem = serde_json::from_str(&body).unwrap();
        assert_eq!(problem.detail, "L'indirizzo richiesto è troppo lungo.");
    }
    // Beyond about 64 KiB actix's HTTP codec refuses the request before the portal
    // sees it: an empty 400 is all it can say.
    let (status, _, body) = raw(&server, get(&format!("/api/v1/{}", "a".repeat(70_000)))).await;
    assert_eq!((status, body.as_str()), (400, ""));

    let http = client();
    let big = http
        .post(server.api(&paths::pagopa_station()))
        .header(SUBJECT_HEADER, NODE_SUBJECT)
        .header("content-type", "text/xml")
        .body(vec![b' '; 10 * 1024 * 1024])
        .send()
        .await
        .expect("an answer, not a dropped connection");
    let refused = problem(big, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(refused.detail, "Il corpo della richiesta è troppo grande.");

    let wrong_method = http
        .delete(server.api(&paths::entes()))
        .send()
        .await
        .unwrap();
    let status = wrong_method.status();
    assert!(
        status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED,
        "{status}"
    );
    problem(wrong_method, status).await;
}

#[tokio::test]
async fn sloppy_requests_get_italian_field_errors() {
    let server = TestServer::start().await;
    let mario = server.user("demo", MARIO).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let http = client();

    // RFC 7235: the scheme is case-insensitive.
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let me = http
            .get(server.api(&paths::me()))
            .header("Authorization", format!("{scheme} {}", mario.access_token))
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), StatusCode::OK, "{scheme}");
    }
    for header in [
        "Basic abc",
        "Bearer",
        "Bearer ",
        mario.access_token.as_str(),
    ] {
        let me = http
            .get(server.api(&paths::me()))
            .header("Authorization", header)
            .send()
            .await
            .unwrap();
        problem(me, StatusCode::UNAUTHORIZED).await;
    }

    // A broken logout body is refused, and the session stays open.
    for body in ["{", "[]", r#"{"refresh_token": 5}"#] {
        let res = http
            .post(server.api(&paths::logout()))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        problem(res, StatusCode::BAD_REQUEST).await;
    }
    let res = http
        .post(server.api(&paths::logout()))
        .json(&serde_json::json!({ "refresh_token": 5 }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        field_error(res, "refresh_token").await,
        "Tipo di valore errato."
    );
    assert_eq!(mario.get(&paths::me()).await.status(), StatusCode::OK);

    // Months are YYYY-MM, days YYYY-MM-DD: nothing else, in path and query alike.
    let service = mario.refezione().await.service_id;
    let sofia = server.child_named(mario.token(), "Sofia").await;
    for month in ["2026-1", "2026-13", "26-11", "2026-011", "+2026-11"] {
        let res = mario.get(&paths::month(sofia, service, month)).await;
        let refused = field_error(res, "month").await;
        assert!(refused.starts_with("Il mese deve essere nel formato AAAA-MM"));
    }
    let ok = mario.get(&paths::month(sofia, service, "2026-11")).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let absent = serde_json::json!({ "service_id": service, "choice": "absent" });
    for day in ["2026-11-4", "2026-1-04", "2026-02-30", "9999-12-31"] {
        let res = mario.put(&paths::booking_day(sofia, day), &absent).await;
        assert!(field_error(res, "day").await.starts_with(NOT_A_DAY));
        let roster = format!("{}?service_id={service}&day={day}", paths::roster());
        let res = giulia.get(&roster).await;
        assert!(field_error(res, "day").await.starts_with(NOT_A_DAY));
        let range = serde_json::json!({ "service_id": service, "from": day, "to": "2026-11-30", "choice": "absent" });
        let res = mario.post(&paths::booking_range(sofia), &range).await;
        assert!(field_error(res, "from").await.starts_with(NOT_A_DAY));
    }

    // Every text field has a limit, and a wrong type or value is named in Italian.
    let login = |body: serde_json::Value| {
        http.post(server.api(&paths::login("demo")))
            .json(&body)
            .send()
    };
    let long = "A".repeat(10_000);
    for (body, name, message) in [
        (
            serde_json::json!({ "fiscal_code": long, "password": "x" }),
            "fiscal_code",
            "Il campo può contenere al massimo 32 caratteri.",
        ),
        (
            serde_json::json!({ "fiscal_code": MARIO, "password": "x".repeat(129) }),
            "password",
            "Il campo può contenere al massimo 128 caratteri.",
        ),
        (
            serde_json::json!({ "fiscal_code": 5, "password": "x" }),
            "fiscal_code",
            "Tipo di valore errato.",
        ),
        (
            serde_json::json!({ "fiscal_code": MARIO }),
            "password",
            "Campo obbligatorio.",
        ),
    ] {
        let res = login(body).await.unwrap();
        assert_eq!(field_error(res, name).await, message);
    }

    let closure = serde_json::json!({ "from": "2027-01-04", "to": "2027-01-04", "description": "x".repeat(100_000) });
    let closure = giulia.post(&paths::closures(service), &closure).await;
    assert_eq!(
        field_error(closure, "description").await,
        "Il campo può contenere al massimo 120 caratteri."
    );
    let school = "s".repeat(5000);
    let roster = format!(
        "{}?service_id={service}&day=2026-11-24&school={school}",
        paths::roster()
    );
    assert_eq!(
        field_error(giulia.get(&roster).await, "school").await,
        "Il campo può contenere al massimo 200 caratteri."
    );

    // A correction is a refund or an adjustment: never a meal.
    let child: ChildDetail = giulia.get_ok(&paths::child(sofia)).await;
    let meal = serde_json::json!({ "kind": "meal", "amount": "1", "reason": "Prova", "request_id": "r-meal" });
    let res = giulia
        .post(&paths::family_movements(service, child.guardian_id), &meal)
        .await;
    assert_eq!(
        field_error(res, "kind").await,
        "Valore non ammesso: scegli tra refund, adjustment."
    );
}

#[tokio::test]
async fn the_test_clock_is_served_only_in_the_test_environment() {
    let server = TestServer::start().await;
    let advance = |server: &TestServer, seconds: u64| {
        let body = serde_json::json!({ "advance_seconds": seconds });
        client().post(server.api("/test/clock")).json(&body).send()
    };
    field_error(advance(&server, 0).await.unwrap(), "advance_seconds").await;
    let before = server.now().await;
    let after = server
        .advance_clock(std::time::Duration::from_secs(3600))
        .await;
    assert!(
        after - before >= time::Duration::hours(1),
        "{before} {after}"
    );

    let development = TestServer::start_with(&[("SPORTELLO_ENV", "development")]).await;
    let clock = development.public("/test/clock").await;
    problem(clock, StatusCode::NOT_FOUND).await;
    let advanced = advance(&development, 3600).await.unwrap();
    problem(advanced, StatusCode::NOT_FOUND).await;
    let openapi = server.page("/api/openapi.json").await.text().await.unwrap();
    assert!(!openapi.contains("/test/clock"));
}

/// A NUL character fits in no field (PostgreSQL refuses it in any text column): in a
/// path, a query or a JSON body it is refused with a 400 problem, never a 500.
#[tokio::test]
async fn a_nul_character_anywhere_is_refused_with_an_italian_problem() {
    let server = TestServer::start().await;
    const NUL: &str = "La richiesta contiene un carattere non ammesso (NUL).";
    for path in [
        "/auth/oidc/callback?code=TRA&state=%F2%AE%A2%8B%00%1B",
        "/entes/de%00mo",
        "/entes/demo/news?page=1&x=%00",
    ] {
        let refused = problem(server.public(path).await, StatusCode::BAD_REQUEST).await;
        assert_eq!(refused.detail, NUL, "{path}");
    }
    let problem = problem(
        client()
            .post(server.api("/entes/demo/auth/login"))
            .json(&serde_json::json!({ "fiscal_code": "LBRMRA80E12F205M\u{0}", "password": "x" }))
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(problem.detail, NUL);
}
