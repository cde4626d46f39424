//! Personale: the administrator invites an operator, whose invitation (read from a real
//! SMTP server) carries the link to choose a password; with it the new operator logs in
//! and works; a codice fiscale the comune already has is refused, and every field of a
//! bad invitation is named in Italian; the administrator turns the account off and its
//! session ends at once, and on again; an administrator cannot lock themselves out; an
//! operator and canteen staff may not manage staff, another comune's account is 404.

use std::time::Duration;

use e2e::smtp::SmtpServer;
use e2e::{
    client, field_error, json, problem, TestServer, GIULIA_OPERATOR, MARIO, MARTA_ADMIN,
    PAOLO_CANTEEN,
};
use reqwest::StatusCode;
use serde_json::json;
use sportello_model::auth::Role;
use sportello_model::staff::StaffMember;
use sportello_model::{paths, spa};

const EMAIL: &str = "elena.neri@comune.demo.it";
const ELENA: &str = "NRELNE85M41F205U";
const PASSWORD: &str = "UfficioScuola2026";

fn invitation(fiscal_code: &str) -> serde_json::Value {
    json!({
        "fiscal_code": fiscal_code, "first_name": "Elena", "last_name": "Neri",
        "email": EMAIL, "role": "operator"
    })
}

#[tokio::test]
async fn an_invited_operator_chooses_a_password_works_and_is_turned_off() {
    let smtp = SmtpServer::start();
    let server = TestServer::with_smtp(smtp.port, &[]).await;
    let marta = server.user("demo", MARTA_ADMIN).await;

    let invited: StaffMember = json(
        marta
            .post(&paths::office_staff(), &invitation(" nrelne85m41f205u "))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(invited.fiscal_code, ELENA);
    assert_eq!(
        (invited.role, invited.role_label.as_str()),
        (Role::Operator, "Operatore")
    );
    assert_eq!(invited.state_label, "Invitato");
    assert!(invited.active && !invited.password_set);
    let staff: Vec<StaffMember> = marta.get_ok(&paths::office_staff()).await;
    assert!(staff.iter().any(|m| m.id == invited.id));
    assert!(
        staff.iter().all(|m| m.role != Role::Guardian),
        "families are not staff"
    );

    // The e-mail: the role, the link to choose a password, SPID and CIE.
    let mails = smtp.wait_for(EMAIL, 1, Duration::from_secs(15)).await;
    assert_eq!(
        mails[0].subject(),
        "Comune di Demo: invito al portale dei servizi scolastici"
    );
    let text = mails[0].text();
    assert!(text.contains("con il ruolo di Operatore"), "{text}");
    assert!(text.contains("entro 7 giorni"), "{text}");
    assert!(text.contains("anche con SPID o CIE"), "{text}");
    let page = format!("{}?token=", spa::page("demo", "reimposta-password"));
    assert!(text.contains(&page), "{text}");
    let token = text
        .split("token=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the link's token");

    // The password chosen with it: Elena logs in and works as an operator.
    let http = client();
    let body = json!({ "token": token, "new_password": PASSWORD });
    let set = http
        .post(server.api(&paths::password_reset_confirm()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::NO_CONTENT);
    let login = server.try_login(&http, "demo", ELENA, PASSWORD).await;
    let tokens: sportello_model::auth::TokenResponse = json(login, StatusCode::OK).await;
    let families = server
        .get(
            &tokens.access_token,
            &format!("{}?q=albertini", paths::families()),
        )
        .await;
    assert_eq!(families.status(), StatusCode::OK);
    let staff: Vec<StaffMember> = marta.get_ok(&paths::office_staff()).await;
    let elena = staff.iter().find(|m| m.id == invited.id).unwrap();
    assert_eq!(elena.state_label, "Attivo");
    assert!(elena.password_set);

    // The same codice fiscale again, or a family's: refused.
    for taken in [ELENA, MARIO] {
        let again = marta.post(&paths::office_staff(), &invitation(taken)).await;
        let refused = problem(again, StatusCode::CONFLICT).await;
        assert!(
            refused.detail.contains("ha già un account del Comune"),
            "{}",
            refused.detail
        );
    }

    // Turned off: her session ends at once, and she cannot log in again.
    let off: StaffMember = json(
        marta
            .put(
                &paths::office_staff_member(invited.id),
                &json!({ "role": "operator", "active": false }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(off.state_label, "Disattivato");
    let refused = server.get(&tokens.access_token, &paths::me()).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let login = server.try_login(&http, "demo", ELENA, PASSWORD).await;
    assert_eq!(login.status(), StatusCode::UNAUTHORIZED);
    let resend = marta
        .post_empty(&paths::office_staff_invitation(invited.id))
        .await;
    problem(resend, StatusCode::CONFLICT).await;

    // On again, as an administrator this time.
    let on: StaffMember = json(
        marta
            .put(
                &paths::office_staff_member(invited.id),
                &json!({ "role": "administrator", "active": true }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (on.role_label.as_str(), on.state_label.as_str()),
        ("Amministratore", "Attivo")
    );
    let login = server.try_login(&http, "demo", ELENA, PASSWORD).await;
    let tokens: sportello_model::auth::TokenResponse = json(login, StatusCode::OK).await;
    let settings = server
        .get(&tokens.access_token, &paths::office_staff())
        .await;
    assert_eq!(settings.status(), StatusCode::OK);
}

#[tokio::test]
async fn bad_invitations_and_changes_are_refused_in_italian() {
    let server = TestServer::start().await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    let bad = marta
        .post(
            &paths::office_staff(),
            &json!({
                "fiscal_code": "NRELNE85", "first_name": " ", "last_name": "Neri",
                "email": "elena.neri", "role": "guardian"
            }),
        )
        .await;
    let problem = problem(bad, StatusCode::BAD_REQUEST).await;
    let fields: Vec<&str> = problem.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["fiscal_code", "first_name", "email", "role"]);
    assert!(problem
        .errors
        .iter()
        .any(|e| e.message == "Scrivi il nome."));

    // Marta cannot turn herself off nor stop being an administrator.
    let me: Vec<StaffMember> = marta.get_ok(&paths::office_staff()).await;
    let marta_id = me.iter().find(|m| m.fiscal_code == MARTA_ADMIN).unwrap().id;
    let off = marta
        .put(
            &paths::office_staff_member(marta_id),
            &json!({ "role": "administrator", "active": false }),
        )
        .await;
    assert_eq!(
        field_error(off, "active").await,
        "Non puoi disattivare il tuo account: chiedilo a un altro amministratore."
    );
    let demoted = marta
        .put(
            &paths::office_staff_member(marta_id),
            &json!({ "role": "operator", "active": true }),
        )
        .await;
    assert!(field_error(demoted, "role")
        .await
        .starts_with("Non puoi togliere"));

    // A family's account is not staff: 404, as one that does not exist.
    let mario: i64 = server
        .scalar(&format!(
            "SELECT id FROM users WHERE fiscal_code = '{MARIO}'"
        ))
        .await;
    let family = marta
        .put(
            &paths::office_staff_member(mario),
            &json!({ "role": "operator", "active": true }),
        )
        .await;
    assert_eq!(family.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_administrators_manage_staff() {
    let server = TestServer::start().await;
    for who in [GIULIA_OPERATOR, PAOLO_CANTEEN, MARIO] {
        let user = server.user("demo", who).await;
        let list = user.get(&paths::office_staff()).await;
        assert_eq!(list.status(), StatusCode::FORBIDDEN, "{who}");
        let invite = user.post(&paths::office_staff(), &invitation(ELENA)).await;
        assert_eq!(invite.status(), StatusCode::FORBIDDEN, "{who}");
    }
    let anonymous = server.public(&paths::office_staff()).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}
