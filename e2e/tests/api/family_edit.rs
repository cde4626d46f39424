//! The office edits families: an operator creates a family (the guardian, invited by
//! e-mail to choose a password, with the prepaid account of Refezione Scolastica), a
//! codice fiscale the comune already has is refused on its field, the guardian's
//! details are corrected; children are added and corrected (a bad codice fiscale, or a
//! birth date it does not record, is an Italian field error and changes nothing); a
//! delegate is added for one child, logs in with SPID and sees that child only, is moved
//! to the other child and removed (their account stays); the comune's delegate with the
//! same codice fiscale is linked, not made twice. Another comune's operator gets 404 on
//! each of these, canteen staff and the guardian 403.

use std::time::Duration;

use e2e::smtp::SmtpServer;
use e2e::{
    field_error, json, problem, TestServer, CARLO_OPERATOR_ESEMPIO, GIULIA_OPERATOR,
    LAURA_DELEGATE, MARIO, PAOLO_CANTEEN,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sportello_model::children::{ChildSummary, Sex};
use sportello_model::family_edit::FAMILY_EXISTS;
use sportello_model::registry::{FamilyDetail, FamilyHit};
use sportello_model::{paths, spa, Page};

const GILDA: &str = "NRIGLI88H49F205K";
const GILDA_EMAIL: &str = "gilda.neri@example.it";
/// Sara, born 15/05/2018, and Luca, born 01/01/2016.
const SARA: &str = "BNCSRA18E55F205Y";
const LUCA: &str = "BNCLCU16A01F205G";
/// A delegate new to the comune.
const ALESSIO: &str = "ZNNLSS79M10F205K";
/// Greta Albertini, a child of Mario's family.
const GRETA: &str = "LBRGRT15C50F205H";

fn gilda() -> Value {
    json!({
        "fiscal_code": " nrigli88h49f205k ", "first_name": "Gilda", "last_name": "Neri",
        "email": GILDA_EMAIL, "mobile": "333 123 4567", "send_invitation": true
    })
}

fn sara() -> Value {
    json!({
        "fiscal_code": SARA, "first_name": "Sara", "last_name": "Neri",
        "birth_date": "2018-05-15", "sex": "F"
    })
}

fn child_id(family: &FamilyDetail, fiscal_code: &str) -> i64 {
    family
        .children
        .iter()
        .find(|c| c.fiscal_code == fiscal_code)
        .unwrap_or_else(|| panic!("{fiscal_code} in {family:?}"))
        .id
}

fn delegate_children(family: &FamilyDetail, fiscal_code: &str) -> Option<Vec<String>> {
    family
        .delegates
        .iter()
        .find(|d| d.person.fiscal_code == fiscal_code)
        .map(|d| d.children.clone())
}

async fn visible_children(server: &TestServer, fiscal_code: &str) -> Vec<String> {
    let user = server.spid_user("demo", fiscal_code).await;
    let page: Page<ChildSummary> = user.get_ok(&paths::children()).await;
    page.items.into_iter().map(|c| c.first_name).collect()
}

#[tokio::test]
async fn the_office_creates_a_family_and_edits_its_guardian_children_and_delegates() {
    let smtp = SmtpServer::start();
    let server = TestServer::with_smtp(smtp.port, &[]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;

    // A new family: the guardian as typed, the prepaid account, the invitation.
    let family: FamilyDetail = json(
        giulia.post(&paths::families(), &gilda()).await,
        StatusCode::CREATED,
    )
    .await;
    let id = family.guardian.id;
    assert_eq!(family.guardian.fiscal_code, GILDA);
    assert_eq!(family.guardian.name, "Gilda Neri");
    assert_eq!(family.guardian.mobile.as_deref(), Some("+393331234567"));
    assert!(family.children.is_empty() && family.delegates.is_empty());
    let accounts: Vec<&str> = family
        .accounts
        .iter()
        .map(|a| a.service_name.as_str())
        .collect();
    assert_eq!(accounts, ["Refezione Scolastica"]);
    let mails = smtp.wait_for(GILDA_EMAIL, 1, Duration::from_secs(15)).await;
    let text = mails[0].text();
    assert!(text.contains("con il ruolo di Intestatario"), "{text}");
    assert!(text.contains("anche con SPID o CIE"), "{text}");
    let page = format!("{}?token=", spa::page("demo", "reimposta-password"));
    assert!(text.contains(&page), "{text}");
    let found: Page<FamilyHit> = giulia
        .get_ok(&format!("{}?q={GILDA}", paths::families()))
        .await;
    assert_eq!(found.items.len(), 1);

    // The same codice fiscale again, or Mario's: refused on the field, nothing made.
    let users: i64 = server.scalar("SELECT COUNT(*) FROM users").await;
    for code in [GILDA, MARIO] {
        let again = json!({ "fiscal_code": code, "first_name": "Altra", "last_name": "Persona" });
        assert_eq!(
            field_error(giulia.post(&paths::families(), &again).await, "fiscal_code").await,
            FAMILY_EXISTS
        );
    }
    assert_eq!(
        server.scalar::<i64>("SELECT COUNT(*) FROM users").await,
        users
    );

    // The guardian corrected: names and e-mail, no mobile; not Mario's codice fiscale.
    let corrected = json!({
        "fiscal_code": GILDA, "first_name": "Gilda", "last_name": "Neri Bassi",
        "email": "gilda@example.it", "mobile": ""
    });
    let family: FamilyDetail = json(
        giulia.put(&paths::family(id), &corrected).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(family.guardian.name, "Gilda Neri Bassi");
    assert_eq!(family.guardian.email.as_deref(), Some("gilda@example.it"));
    assert_eq!(family.guardian.mobile, None);
    // Without an e-mail, letters no longer go by e-mail; with it again, they do.
    let letters_by_email = format!("SELECT COUNT(*) FROM users WHERE id = {id} AND channel_email");
    assert_eq!(server.scalar::<i64>(&letters_by_email).await, 1);
    let mut no_email = corrected.clone();
    no_email["email"] = json!("");
    let family: FamilyDetail = json(
        giulia.put(&paths::family(id), &no_email).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(family.guardian.email, None);
    assert_eq!(server.scalar::<i64>(&letters_by_email).await, 0);
    json::<FamilyDetail>(
        giulia.put(&paths::family(id), &corrected).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(server.scalar::<i64>(&letters_by_email).await, 1);
    let mut as_mario = corrected.clone();
    as_mario["fiscal_code"] = json!(MARIO);
    assert_eq!(
        field_error(
            giulia.put(&paths::family(id), &as_mario).await,
            "fiscal_code"
        )
        .await,
        FAMILY_EXISTS
    );

    // Children: a bad codice fiscale, a birth date it does not record, then Sara and Luca.
    let mut bad = sara();
    bad["fiscal_code"] = json!("BNCSRA18E55F205X");
    let message = field_error(
        giulia.post(&paths::family_children(id), &bad).await,
        "fiscal_code",
    )
    .await;
    assert!(
        message.starts_with("Il codice fiscale non è valido"),
        "{message}"
    );
    let mut wrong_day = sara();
    wrong_day["birth_date"] = json!("2018-05-16");
    assert_eq!(
        field_error(
            giulia.post(&paths::family_children(id), &wrong_day).await,
            "birth_date"
        )
        .await,
        "La data di nascita non corrisponde a quella del codice fiscale."
    );
    assert_eq!(
        server
            .scalar::<i64>(&format!(
                "SELECT COUNT(*) FROM children WHERE guardian_id = {id}"
            ))
            .await,
        0
    );
    json::<FamilyDetail>(
        giulia.post(&paths::family_children(id), &sara()).await,
        StatusCode::CREATED,
    )
    .await;
    let luca = json!({
        "fiscal_code": LUCA, "first_name": "Luca", "last_name": "Neri",
        "birth_date": "2016-01-01", "sex": "M"
    });
    let family: FamilyDetail = json(
        giulia.post(&paths::family_children(id), &luca).await,
        StatusCode::CREATED,
    )
    .await;
    let (sara_id, luca_id) = (child_id(&family, SARA), child_id(&family, LUCA));
    let names: Vec<&str> = family.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Luca Neri", "Sara Neri"]);
    assert_eq!(
        field_error(
            giulia.post(&paths::family_children(id), &sara()).await,
            "fiscal_code"
        )
        .await,
        "Esiste già un alunno con questo codice fiscale."
    );

    // Sara corrected: birth place and address; Greta's codice fiscale is refused.
    let mut sara_more = sara();
    sara_more["birth_place"] = json!("Milano (MI)");
    sara_more["address"] = json!("Via Roma 1, Milano");
    let family: FamilyDetail = json(
        giulia
            .put(&paths::family_child(id, sara_id), &sara_more)
            .await,
        StatusCode::OK,
    )
    .await;
    let sara_now = family.children.iter().find(|c| c.id == sara_id).unwrap();
    assert_eq!(
        (
            sara_now.birth_place.as_str(),
            sara_now.address.as_str(),
            sara_now.sex
        ),
        ("Milano (MI)", "Via Roma 1, Milano", Sex::Female)
    );
    let mut as_greta = sara();
    as_greta["fiscal_code"] = json!(GRETA);
    as_greta["birth_date"] = json!("2015-03-10");
    assert_eq!(
        field_error(
            giulia
                .put(&paths::family_child(id, sara_id), &as_greta)
                .await,
            "fiscal_code"
        )
        .await,
        "Esiste già un alunno con questo codice fiscale."
    );

    // A delegate for Sara: with SPID they see Sara only.
    let alessio = json!({
        "fiscal_code": ALESSIO, "first_name": "Alessio", "last_name": "Zanni",
        "children": [sara_id]
    });
    let family: FamilyDetail = json(
        giulia.post(&paths::family_delegates(id), &alessio).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        delegate_children(&family, ALESSIO),
        Some(vec!["Sara Neri".to_string()])
    );
    let alessio_id = family.delegates[0].person.id;
    assert_eq!(visible_children(&server, ALESSIO).await, ["Sara"]);

    // Another family's child is not this family's to give; Luca instead of Sara.
    let greta_id = server
        .child_named(&server.login("demo", MARIO).await.access_token, "Greta")
        .await;
    let delegate_path = paths::family_delegate(id, alessio_id);
    assert!(field_error(
        giulia
            .put(&delegate_path, &json!({ "children": [greta_id] }))
            .await,
        "children"
    )
    .await
    .contains("figli di questa famiglia"));
    let family: FamilyDetail = json(
        giulia
            .put(&delegate_path, &json!({ "children": [luca_id] }))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        delegate_children(&family, ALESSIO),
        Some(vec!["Luca Neri".to_string()])
    );
    assert_eq!(visible_children(&server, ALESSIO).await, ["Luca"]);

    // Laura, already a delegate of the comune, is linked as she is.
    let laura = json!({
        "fiscal_code": LAURA_DELEGATE, "first_name": "Laura", "last_name": "Diversa",
        "children": [sara_id]
    });
    let family: FamilyDetail = json(
        giulia.post(&paths::family_delegates(id), &laura).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(family.delegates.len(), 2);
    let lauras: i64 = server
        .scalar(&format!(
            "SELECT COUNT(*) FROM users WHERE fiscal_code = '{LAURA_DELEGATE}'"
        ))
        .await;
    assert_eq!(lauras, 1);
    assert!(visible_children(&server, LAURA_DELEGATE)
        .await
        .contains(&"Sara".to_string()));

    // Alessio removed: the link goes, the account stays.
    let family: FamilyDetail = json(giulia.delete(&delegate_path).await, StatusCode::OK).await;
    assert_eq!(delegate_children(&family, ALESSIO), None);
    let accounts: i64 = server
        .scalar(&format!(
            "SELECT COUNT(*) FROM users WHERE fiscal_code = '{ALESSIO}'"
        ))
        .await;
    assert_eq!(accounts, 1);
    assert!(visible_children(&server, ALESSIO).await.is_empty());
    problem(giulia.delete(&delegate_path).await, StatusCode::NOT_FOUND).await;

    // Another comune's operator: 404 on each; canteen staff and the guardian: 403.
    let carlo = server.spid_user("esempio", CARLO_OPERATOR_ESEMPIO).await;
    let paolo = server.user("demo", PAOLO_CANTEEN).await;
    let mario = server.user("demo", MARIO).await;
    let laura_id = family.delegates[0].person.id;
    let children = json!({ "children": [sara_id] });
    for (user, status) in [
        (&carlo, StatusCode::NOT_FOUND),
        (&paolo, StatusCode::FORBIDDEN),
        (&mario, StatusCode::FORBIDDEN),
    ] {
        let answers = [
            user.put(&paths::family(id), &corrected).await,
            user.post(&paths::family_children(id), &luca).await,
            user.put(&paths::family_child(id, sara_id), &sara()).await,
            user.post(&paths::family_delegates(id), &alessio).await,
            user.put(&paths::family_delegate(id, laura_id), &children)
                .await,
            user.delete(&paths::family_delegate(id, laura_id)).await,
        ];
        for answer in answers {
            problem(answer, status).await;
        }
    }
    for user in [&paolo, &mario] {
        problem(
            user.post(&paths::families(), &gilda()).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let unchanged: FamilyDetail = giulia.get_ok(&paths::family(id)).await;
    assert_eq!(unchanged.delegates.len(), 1);
    assert_eq!(unchanged.children.len(), 2);
}
