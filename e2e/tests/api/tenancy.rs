//! Who sees which child: per role, per family, per ente. A record that is not yours is
//! "not found", never "forbidden", and never its data.

use e2e::{problem, TestServer, User, ANNA, CARLO_OPERATOR_ESEMPIO, GIULIA_OPERATOR};
use e2e::{GIUSEPPE_ESEMPIO, LAURA_DELEGATE, MARIO, PAOLO_CANTEEN};
use reqwest::StatusCode;
use sportello_model::children::{ChildDetail, ChildSummary, MealType};
use sportello_model::entes::ServiceKind;
use sportello_model::Page;
use sportello_model::{paths, Problem};

/// (id, full name) of every child `user` may see, all on one page.
async fn children(user: &User<'_>) -> Vec<(i64, String)> {
    let page: Page<ChildSummary> = user.get_ok(&paths::children()).await;
    assert_eq!(page.total as usize, page.items.len());
    page.items
        .into_iter()
        .map(|c| (c.id, format!("{} {}", c.first_name, c.last_name)))
        .collect()
}

fn names(list: &[(i64, String)]) -> Vec<&str> {
    list.iter().map(|(_, n)| n.as_str()).collect()
}

fn id_of(list: &[(i64, String)], name: &str) -> i64 {
    list.iter().find(|(_, n)| n == name).unwrap().0
}

/// Asserts that `user` is refused the child's card with `status`: the problem.
async fn refused(user: &User<'_>, id: impl std::fmt::Display, status: StatusCode) -> Problem {
    problem(user.get(&paths::child(id)).await, status).await
}

#[tokio::test]
async fn guardian_sees_own_children_with_the_service_card() {
    let server = TestServer::start().await;
    let mario = server.user("demo", MARIO).await;
    let list = children(&mario).await;
    assert_eq!(names(&list), ["Greta Albertini", "Sofia Albertini"]);

    let path = paths::child(id_of(&list, "Sofia Albertini"));
    let sofia: ChildDetail = mario.get_ok(&path).await;
    assert_eq!(sofia.fiscal_code, "LBRSFO17L61F205U");
    assert_eq!(sofia.guardian_name, "Mario Albertini");
    assert_eq!(sofia.birth_date.to_string(), "2017-07-21");
    let card = &sofia.enrolments[0];
    assert_eq!(card.service_name, "Refezione Scolastica");
    assert_eq!(card.service_kind, ServiceKind::Prepaid);
    assert_eq!(card.badge, "621494");
    assert_eq!(card.school, "Scuola Primaria Pascoli");
    assert_eq!(card.class_name, "2a");
    assert_eq!(card.fee_band.as_deref(), Some("Fascia c.p. 5 q.f100"));
    assert_eq!(card.quota.map(|q| q.to_string()).as_deref(), Some("100.00"));
    assert_eq!(card.meal_price.to_string(), "5.00");
    assert_eq!(card.meal_type, MealType::Medical);
    assert!(card.active);
    assert_eq!(
        sportello_model::format::euro(card.meal_price),
        "5,00 €",
        "the SPA shows it the Italian way"
    );

    let raw: serde_json::Value = mario.get_ok(&path).await;
    assert_eq!(
        raw["enrolments"][0]["quota"], "100.00",
        "money is a string on the wire"
    );
}

#[tokio::test]
async fn delegate_sees_only_the_delegated_child_without_fee_data() {
    let server = TestServer::start().await;
    let family = children(&server.user("demo", MARIO).await).await;
    let laura = server.user("demo", LAURA_DELEGATE).await;
    let list = children(&laura).await;
    assert_eq!(names(&list), ["Sofia Albertini"]);
    let sofia = paths::child(id_of(&family, "Sofia Albertini"));
    let sofia: serde_json::Value = laura.get_ok(&sofia).await;
    // The fee band (an income indicator) and the quota are not sent to a delegate at
    // all; what the meal bookings need is.
    let card = &sofia["enrolments"][0];
    assert_eq!(card["class_name"], "2a");
    assert_eq!(card["meal_type"], "DIETA SANITARIA");
    assert!(card.get("fee_band").is_none(), "{card}");
    assert!(card.get("quota").is_none(), "{card}");
    let greta = id_of(&family, "Greta Albertini");
    refused(&laura, greta, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn operators_see_every_child_of_their_comune_only() {
    let server = TestServer::start().await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let ours = children(&giulia).await;
    assert_eq!(
        names(&ours),
        ["Greta Albertini", "Sofia Albertini", "Luca Colombo"]
    );
    let sofia = paths::child(id_of(&ours, "Sofia Albertini"));
    let sofia: ChildDetail = giulia.get_ok(&sofia).await;
    assert_eq!(sofia.fiscal_code, "LBRSFO17L61F205U");
    assert_eq!(
        sofia.enrolments[0].fee_band.as_deref(),
        Some("Fascia c.p. 5 q.f100")
    );
    assert!(sofia.enrolments[0].quota.is_some());
    let carlo = server.spid_user("esempio", CARLO_OPERATOR_ESEMPIO).await;
    let theirs = children(&carlo).await;
    assert_eq!(names(&theirs), ["Elena Ferrari"]);
    for (id, _) in &ours {
        refused(&carlo, id, StatusCode::NOT_FOUND).await;
    }
    refused(&giulia, theirs[0].0, StatusCode::NOT_FOUND).await;
}

/// Canteen staff work from the day's roster (name, class, diet): the registry with codici
/// fiscali, addresses, guardians and fee bands is refused, list and detail alike.
#[tokio::test]
async fn canteen_staff_are_refused_the_children_registry() {
    let server = TestServer::start().await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let ours = children(&giulia).await;
    let paolo = server.user("demo", PAOLO_CANTEEN).await;
    let list = paolo.get(&paths::children()).await;
    let list = problem(list, StatusCode::FORBIDDEN).await.detail;
    assert!(list.contains("presenze mensa"), "{list}");
    for (id, _) in &ours {
        let refused = refused(&paolo, id, StatusCode::FORBIDDEN).await.detail;
        assert!(!refused.contains("LBR"), "{refused}");
    }
}

#[tokio::test]
async fn another_family_or_another_comune_answers_not_found() {
    let server = TestServer::start().await;
    let mario = server.user("demo", MARIO).await;
    let anna = server.user("demo", ANNA).await;
    let giuseppe = server.spid_user("esempio", GIUSEPPE_ESEMPIO).await;
    let albertini = children(&mario).await;
    let colombo = children(&anna).await;
    let ferrari = children(&giuseppe).await;
    assert_eq!(names(&colombo), ["Luca Colombo"]);
    assert_eq!(names(&ferrari), ["Elena Ferrari"]);

    let not_found = refused(&mario, colombo[0].0, StatusCode::NOT_FOUND).await;
    assert!(!not_found.detail.contains("Luca"));
    for (id, _) in &albertini {
        refused(&anna, id, StatusCode::NOT_FOUND).await;
        refused(&giuseppe, id, StatusCode::NOT_FOUND).await;
    }
    refused(&mario, ferrari[0].0, StatusCode::NOT_FOUND).await;
    // Ids that exist nowhere answer the same.
    refused(&mario, "999999", StatusCode::NOT_FOUND).await;
    refused(&mario, "abc", StatusCode::NOT_FOUND).await;
}
