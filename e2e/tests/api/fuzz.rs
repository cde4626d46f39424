//! Property-based fuzzing of every operation of the OpenAPI document with schemathesis
//! (installed by the test command into `.venv-test/`), against the real server with the
//! demo data and a fixed clock: without login, as a guardian and as an operator. Any
//! 5xx, dropped connection or answer the document does not describe fails the test.

use std::process::Command;

use e2e::{workspace_root, TestServer, GIULIA_OPERATOR, MARIO};

/// Checks left out, and why: the document cannot express the domain rules that refuse
/// schema-valid data (an amount below the comune's minimum, a codice fiscale with a
/// wrong check character, a day outside the school year), so valid-looking requests are
/// rightly refused; and a method a path does not have answers 404, like any unknown
/// address, rather than 405.
const EXCLUDED_CHECKS: &str = "positive_data_acceptance,unsupported_method";

fn schemathesis() -> std::path::PathBuf {
    let st = workspace_root().join(".venv-test/bin/st");
    assert!(
        st.exists(),
        "schemathesis is not installed: run `scripts/setup --browser` (the test command does)"
    );
    st
}

async fn fuzz(server: &TestServer, who: &str, token: Option<&str>) {
    let st = schemathesis();
    let report = std::env::temp_dir().join(format!(
        "sportello-schemathesis-{who}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&report).expect("report folder");
    let mut command = Command::new(st);
    // schemathesis keeps a cache in its working folder: the scratch one, not the repository.
    command
        .current_dir(&report)
        .arg("run")
        .arg(format!("{}/api/openapi.json", server.url))
        .args(["--url", &server.api("")])
        .args(["--checks", "all", "--exclude-checks", EXCLUDED_CHECKS])
        // One worker: hypothesis' source inspection is not thread-safe on every Python.
        .args(["--max-examples", "25", "--max-time", "50", "--workers", "1"])
        .args(["--seed", "2026", "--request-timeout", "20"])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--suppress-health-check", "all", "--no-color"])
        .arg("--report-dir")
        .arg(&report)
        .env("NO_COLOR", "1");
    if let Some(token) = token {
        // Logging out would end the session the rest of the run needs.
        command
            .args(["-H", &format!("Authorization: Bearer {token}")])
            .args(["--exclude-path", "/auth/logout"]);
    }
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("run schemathesis");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "schemathesis found problems {who}:\n{stdout}\n{stderr}"
    );
    std::fs::remove_dir_all(&report).ok();
}

#[tokio::test]
async fn the_api_matches_its_document_under_fuzzing() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", "2026-11-24T08:00:00Z")]).await;
    let guardian = server.login("demo", MARIO).await;
    let operator = server.login("demo", GIULIA_OPERATOR).await;
    fuzz(&server, "without login", None).await;
    fuzz(&server, "as the guardian", Some(&guardian.access_token)).await;
    fuzz(&server, "as the operator", Some(&operator.access_token)).await;
}
