//! The office's families: the search by name, codice fiscale or badge, the family page,
//! and the import of the registry from the previous system's CSV (dry run, import, the
//! same file again).

use e2e::{
    json, problem, TestServer, CARLO_OPERATOR_ESEMPIO, GIULIA_OPERATOR, MARIO, PAOLO_CANTEEN,
};
use reqwest::StatusCode;
use sportello_model::paths;
use sportello_model::payments::{MovementKind, Statement};
use sportello_model::registry::{FamilyDetail, FamilyHit, ImportReport};
use sportello_model::Page;

const HEADER: &str = "cf_intestatario;nome_intestatario;cognome_intestatario;email_intestatario;cf_alunno;nome_alunno;cognome_alunno;data_nascita;servizio;anno_scolastico;scuola;classe;fascia;dieta;badge;saldo_iniziale";

/// Two families of Comune di Demo's previous system: Marco Rossi with Pietro (canteen
/// and transport) and Chiara, 23,40 € of credit; Luca Verdi with Matteo, 5,00 € owed.
const GOOD: [&str; 4] = [
    "RSSMRC80A01F205Z;Marco;Rossi;marco.rossi@example.it;RSSPTR15B10F205K;Pietro;Rossi;10/02/2015;REF;2026/2027;Scuola Primaria Pascoli;5a;Fascia c.p. 1 q.f0;;900001;23,40",
    "RSSMRC80A01F205Z;Marco;Rossi;marco.rossi@example.it;RSSCHR17C52F205P;Chiara;Rossi;12/03/2017;REF;2026/2027;Scuola Primaria Pascoli;3a;Fascia c.p. 1 q.f0;DIETA SANITARIA;900002;",
    "RSSMRC80A01F205Z;Marco;Rossi;marco.rossi@example.it;RSSPTR15B10F205K;Pietro;Rossi;10/02/2015;TRA;2026/2027;Scuola Primaria Pascoli;5a;Fascia unica;;900001;",
    "VRDLCA79D15F205Q;Luca;Verdi;;VRDMTT16E20F205Q;Matteo;Verdi;20/05/2016;REF;2026/2027;Scuola Primaria Rodari;4b;Fascia c.p. 3 q.f80;;900003;-5,00",
];

/// Rows 6 to 12 of the bad file, each with one mistake.
const BAD: [&str; 7] = [
    "RSSMRC80A01F205X;Marco;Rossi;;RSSPTR15B10F205K;Pietro;Rossi;10/02/2015;REF;2026/2027;;;Fascia c.p. 1 q.f0;;;",
    "NRIGNN82H50F205G;Gianna;Neri;;NRIPLA15L41F205H;Paola;Neri;01/07/2015;XYZ;2026/2027;;;Fascia unica;;;",
    "NRIGNN82H50F205G;Gianna;Neri;;NRIPLA15L41F205H;Paola;Neri;01/07/2015;REF;2026/2027;;;Fascia Z;;;",
    "NRIGNN82H50F205G;Gianna;Neri;;NRIPLA15L41F205H;Paola;Neri;31/02/2015;TRA;2026/2027;;;Fascia unica;;;",
    "NRIGNN82H50F205G;Gianna;Neri;;NRIPLA15L41F205H;Paola;Neri;01/07/2015;REF;2025/2026;;;Fascia c.p. 1 q.f0;;;12,345",
    "RSSMRC80A01F205Z;Marco;Rossi;marco.rossi@example.it;RSSPTR15B10F205K;Pietro;Rossi;10/02/2015;REF;2026/2027;Scuola Primaria Pascoli;5a;Fascia c.p. 1 q.f0;;900001;",
    "NRIGNN82H50F205G;Gianna;Neri;;LBRGRT15C50F205H;Greta;Albertini;10/03/2015;REF;2026/2027;;;Fascia c.p. 1 q.f0;;;",
];

fn csv(rows: &[&str]) -> String {
    std::iter::once(HEADER)
        .chain(rows.iter().copied())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// Rows of the registry's tables, to show that nothing changed.
async fn registry_counts(server: &TestServer) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "users",
        "children",
        "enrolments",
        "prepaid_accounts",
        "ledger_movements",
    ] {
        counts.push(
            server
                .scalar::<i64>(&format!("SELECT COUNT(*) FROM {table}"))
                .await,
        );
    }
    counts
}

#[tokio::test]
async fn the_office_finds_a_family_by_name_fiscal_code_or_badge_and_reads_its_page() {
    let server = TestServer::start().await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let search = |q: &str| format!("{}?q={q}", paths::families());
    for q in [
        "albertini",
        "mario%20alb",
        "LBRGRT15C50F205H",
        "sofia",
        "621494",
    ] {
        let found: Page<FamilyHit> = giulia.get_ok(&search(q)).await;
        let names: Vec<&str> = found
            .items
            .iter()
            .map(|f| f.guardian_name.as_str())
            .collect();
        assert_eq!(names, ["Mario Albertini"], "{q}");
        assert_eq!(
            found.items[0].children,
            ["Greta Albertini", "Sofia Albertini"]
        );
    }
    // Luca's badge finds Anna.
    let anna: Page<FamilyHit> = giulia.get_ok(&search("621502")).await;
    assert_eq!(anna.items[0].guardian_name, "Anna Colombo");
    let none: Page<FamilyHit> = giulia.get_ok(&search("nessuno")).await;
    assert_eq!(none.total, 0);
    let short = problem(giulia.get(&search("a")).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(short.errors[0].field, "q");

    let mario = server.user("demo", MARIO).await;
    let family: FamilyDetail = giulia.get_ok(&paths::family(mario.user.id)).await;
    assert_eq!(family.guardian.name, "Mario Albertini");
    assert_eq!(family.guardian.fiscal_code, MARIO);
    let children: Vec<&str> = family.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(children, ["Greta Albertini", "Sofia Albertini"]);
    let greta_services: Vec<&str> = family.children[0]
        .enrolments
        .iter()
        .map(|e| e.service_code.as_str())
        .collect();
    assert_eq!(greta_services, ["REF", "TRA"]);
    assert_eq!(family.delegates.len(), 1);
    assert_eq!(family.delegates[0].person.name, "Laura Bianchi");
    assert_eq!(family.delegates[0].children, ["Sofia Albertini"]);

    // The canteen's staff may not; another comune's operator does not see the family.
    let paolo = server.user("demo", PAOLO_CANTEEN).await;
    problem(paolo.get(&search("albertini")).await, StatusCode::FORBIDDEN).await;
    problem(
        paolo.get(&paths::family(mario.user.id)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let carlo = server.spid_user("esempio", CARLO_OPERATOR_ESEMPIO).await;
    problem(
        carlo.get(&paths::family(mario.user.id)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let theirs: Page<FamilyHit> = carlo.get_ok(&search("albertini")).await;
    assert_eq!(theirs.total, 0);
    // A family's own guardian is not the office.
    problem(
        mario.get(&paths::family(mario.user.id)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

#[tokio::test]
async fn the_dry_run_reports_every_bad_row_and_column_and_changes_nothing() {
    let server = TestServer::start().await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let before = registry_counts(&server).await;
    let file = csv(&[&GOOD[..], &BAD[..]].concat());
    let report: ImportReport = json(
        giulia
            .post_file(&paths::registry_import_check(), "text/csv", file.clone())
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(!report.applied);
    assert_eq!(report.rows, 11);
    let found: Vec<(u64, &str)> = report
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (6, "cf_intestatario"),
            (7, "servizio"),
            (8, "fascia"),
            (9, "data_nascita"),
            (10, "saldo_iniziale"),
            (11, "cf_alunno"),
            (12, "cf_alunno"),
        ],
        "{:#?}",
        report.errors
    );
    assert_eq!(report.error_count, 7);
    let messages: Vec<&str> = report.errors.iter().map(|e| e.message.as_str()).collect();
    assert!(
        messages[1].starts_with("Il servizio «XYZ» non esiste"),
        "{}",
        messages[1]
    );
    assert_eq!(
        messages[5],
        "L'alunno è già iscritto a questo servizio per l'anno 2026/2027 alla riga 2."
    );
    assert_eq!(
        messages[6],
        "L'alunno è già in anagrafe con un altro intestatario."
    );
    assert_eq!(
        registry_counts(&server).await,
        before,
        "a dry run changes nothing"
    );

    // The import of a file with errors is refused as a whole, with the same errors.
    let refused = problem(
        giulia
            .post_file(&paths::registry_import(), "text/csv", file)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(refused.errors.len(), 7);
    assert_eq!(refused.errors[0].field, "riga 6: cf_intestatario");
    assert_eq!(registry_counts(&server).await, before);

    // A file naming none of the columns is not a registry: refused as a whole.
    let not_a_registry = giulia
        .post_file(
            &paths::registry_import_check(),
            "text/csv",
            "nome;cognome\n".into(),
        )
        .await;
    assert_eq!(not_a_registry.status(), StatusCode::BAD_REQUEST);

    // A file with some of the columns says which are missing.
    let headless: ImportReport = json(
        giulia
            .post_file(
                &paths::registry_import_check(),
                "text/csv",
                "cf_intestatario;nome\n".into(),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(headless.error_count, 15);
    assert_eq!(
        headless.errors[0].message,
        "Nella riga di intestazione manca la colonna «anno_scolastico»."
    );
}

#[tokio::test]
async fn an_import_and_the_same_file_again_change_the_registry_once() {
    let server = TestServer::start().await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let file = csv(&GOOD);
    let dry: ImportReport = json(
        giulia
            .post_file(&paths::registry_import_check(), "text/csv", file.clone())
            .await,
        StatusCode::OK,
    )
    .await;
    let before = registry_counts(&server).await;
    let imported: ImportReport = json(
        giulia
            .post_file(&paths::registry_import(), "text/csv", file.clone())
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(imported.applied);
    assert_eq!(
        (
            imported.rows,
            imported.new_families,
            imported.new_children,
            imported.new_enrolments,
            imported.new_balances,
            imported.unchanged_rows,
            imported.error_count,
        ),
        (4, 2, 3, 4, 2, 0, 0)
    );
    assert_eq!(
        ImportReport {
            applied: true,
            ..dry
        },
        imported,
        "the dry run foretold it"
    );
    let after = registry_counts(&server).await;
    // users, children, enrolments, accounts, movements
    let added: Vec<i64> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
    assert_eq!(added, [2, 3, 4, 2, 2]);

    // The same file again: nothing new, every row unchanged.
    let again: ImportReport = json(
        giulia
            .post_file(&paths::registry_import(), "text/csv", file)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            again.new_families,
            again.new_children,
            again.new_enrolments,
            again.new_balances
        ),
        (0, 0, 0, 0)
    );
    assert_eq!(again.unchanged_rows, 4);
    assert_eq!(registry_counts(&server).await, after);

    // Marco is found by Chiara's badge; his opening balance is one movement of 23,40 €.
    let found: Page<FamilyHit> = giulia
        .get_ok(&format!("{}?q=900002", paths::families()))
        .await;
    assert_eq!(found.items.len(), 1);
    let marco = &found.items[0];
    assert_eq!(marco.guardian_name, "Marco Rossi");
    assert_eq!(marco.children, ["Chiara Rossi", "Pietro Rossi"]);
    let family: FamilyDetail = giulia.get_ok(&paths::family(marco.guardian_id)).await;
    assert_eq!(family.accounts.len(), 1);
    assert_eq!(family.accounts[0].balance.to_string(), "23.40");
    assert_eq!(family.accounts[0].movements, 1);
    let pietro = &family.children[1];
    assert_eq!(pietro.name, "Pietro Rossi");
    assert_eq!(pietro.enrolments.len(), 2);
    assert_eq!(
        pietro.enrolments[0].fee_band.as_deref(),
        Some("Fascia c.p. 1 q.f0")
    );
    let statement: Statement = giulia
        .get_ok(&paths::family_statement(
            family.accounts[0].service_id,
            marco.guardian_id,
        ))
        .await;
    assert_eq!(statement.movements.items.len(), 1);
    let opening = &statement.movements.items[0];
    assert_eq!(opening.kind, MovementKind::OpeningBalance);
    assert_eq!(opening.amount.to_string(), "23.40");

    // Luca Verdi owes 5,00 €.
    let verdi: Page<FamilyHit> = giulia
        .get_ok(&format!("{}?q=VRDLCA79D15F205Q", paths::families()))
        .await;
    let family: FamilyDetail = giulia
        .get_ok(&paths::family(verdi.items[0].guardian_id))
        .await;
    assert_eq!(family.accounts[0].balance.to_string(), "-5.00");

    // The canteen's staff may not import.
    let paolo = server.user("demo", PAOLO_CANTEEN).await;
    problem(
        paolo
            .post_file(&paths::registry_import_check(), "text/csv", csv(&GOOD))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}
