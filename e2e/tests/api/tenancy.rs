//! Who sees which child: per role, per family, per ente. A record that is not yours is
//! "not found", never "forbidden", and never its data.

use e2e::{
    json, problem, TestServer, ANNA, CARLO_OPERATOR_ESEMPIO, GIULIA_OPERATOR, GIUSEPPE_ESEMPIO,
    LAURA_DELEGATE, MARIO, PAOLO_CANTEEN,
};
use reqwest::StatusCode;
use sportello_model::children::{ChildDetail, ChildSummary, MealType};
use sportello_model::entes::ServiceKind;
use sportello_model::paths;
use sportello_model::Page;

async fn children(server: &TestServer, token: &str) -> Vec<(i64, String)> {
    let page: Page<ChildSummary> =
        json(server.get(token, &paths::children()).await, StatusCode::OK).await;
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

#[tokio::test]
async fn guardian_sees_own_children_with_the_service_card() {
    let server = TestServer::start().await;
    let mario = server.login("demo", MARIO).await;
    let list = children(&server, &mario.access_token).await;
    assert_eq!(names(&list), ["Greta Albertini", "Sofia Albertini"]);

    let sofia: ChildDetail = json(
        server
            .get(
                &mario.access_token,
                &paths::child(id_of(&list, "Sofia Albertini")),
            )
            .await,
        StatusCode::OK,
    )
    .await;
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

    let raw: serde_json::Value = json(
        server
            .get(&mario.access_token, &paths::child(sofia.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        raw["enrolments"][0]["quota"], "100.00",
        "money is a string on the wire"
    );
}

#[tokio::test]
async fn delegate_sees_only_the_delegated_child_without_fee_data() {
    let server = TestServer::start().await;
    let mario = server.login("demo", MARIO).await;
    let family = children(&server, &mario.access_token).await;
    let laura = server.login("demo", LAURA_DELEGATE).await;
    let list = children(&server, &laura.access_token).await;
    assert_eq!(names(&list), ["Sofia Albertini"]);
    let sofia: serde_json::Value = json(
        server
            .get(
                &laura.access_token,
                &paths::child(id_of(&family, "Sofia Albertini")),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    // The fee band (an income indicator) and the quota are not sent to a delegate at
    // all; what the meal bookings need is.
    let card = &sofia["enrolments"][0];
    assert_eq!(card["class_name"], "2a");
    assert_eq!(card["meal_type"], "DIETA SANITARIA");
    assert!(card.get("fee_band").is_none(), "{card}");
    assert!(card.get("quota").is_none(), "{card}");
    problem(
        server
            .get(
                &laura.access_token,
                &paths::child(id_of(&family, "Greta Albertini")),
            )
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn operators_see_every_child_of_their_comune_only() {
    let server = TestServer::start().await;
    let giulia = server.login("demo", GIULIA_OPERATOR).await;
    let ours = children(&server, &giulia.access_token).await;
    assert_eq!(
        names(&ours),
        ["Greta Albertini", "Sofia Albertini", "Luca Colombo"]
    );
    let sofia: ChildDetail = json(
        server
            .get(
                &giulia.access_token,
                &paths::child(id_of(&ours, "Sofia Albertini")),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(sofia.fiscal_code, "LBRSFO17L61F205U");
    assert_eq!(
        sofia.enrolments[0].fee_band.as_deref(),
        Some("Fascia c.p. 5 q.f100")
    );
    assert!(sofia.enrolments[0].quota.is_some());
    let carlo = server.spid_login("esempio", CARLO_OPERATOR_ESEMPIO).await;
    let theirs = children(&server, &carlo.access_token).await;
    assert_eq!(names(&theirs), ["Elena Ferrari"]);
    for (id, _) in &ours {
        problem(
            server.get(&carlo.access_token, &paths::child(id)).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    problem(
        server
            .get(&giulia.access_token, &paths::child(theirs[0].0))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

/// Canteen staff work from the day's roster (name, class, diet): the registry with codici
/// fiscali, addresses, guardians and fee bands is refused, list and detail alike.
#[tokio::test]
async fn canteen_staff_are_refused_the_children_registry() {
    let server = TestServer::start().await;
    let giulia = server.login("demo", GIULIA_OPERATOR).await;
    let ours = children(&server, &giulia.access_token).await;
    let paolo = server.login("demo", PAOLO_CANTEEN).await;
    let list = problem(
        server.get(&paolo.access_token, &paths::children()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(list.detail.contains("presenze mensa"), "{}", list.detail);
    for (id, _) in &ours {
        let refused = problem(
            server.get(&paolo.access_token, &paths::child(id)).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        assert!(!refused.detail.contains("LBR"), "{}", refused.detail);
    }
}

#[tokio::test]
async fn another_family_or_another_comune_answers_not_found() {
    let server = TestServer::start().await;
    let mario = server.login("demo", MARIO).await;
    let anna = server.login("demo", ANNA).await;
    let giuseppe = server.spid_login("esempio", GIUSEPPE_ESEMPIO).await;
    let albertini = children(&server, &mario.access_token).await;
    let colombo = children(&server, &anna.access_token).await;
    let ferrari = children(&server, &giuseppe.access_token).await;
    assert_eq!(names(&colombo), ["Luca Colombo"]);
    assert_eq!(names(&ferrari), ["Elena Ferrari"]);

    let not_found = problem(
        server
            .get(&mario.access_token, &paths::child(colombo[0].0))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert!(!not_found.detail.contains("Luca"));
    for (id, _) in &albertini {
        problem(
            server.get(&anna.access_token, &paths::child(id)).await,
            StatusCode::NOT_FOUND,
        )
        .await;
        problem(
            server.get(&giuseppe.access_token, &paths::child(id)).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
    problem(
        server
            .get(&mario.access_token, &paths::child(ferrari[0].0))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Ids that exist nowhere answer the same.
    problem(
        server
            .get(&mario.access_token, &paths::child("999999"))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        server.get(&mario.access_token, &paths::child("abc")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
