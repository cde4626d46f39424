//! Scuole e classi, and the office's enrolment editor — with the server's clock at
//! Tuesday 24/11/2026 (school year 2026/2027): the administrator adds a school and its
//! classes (every field of a bad one named in Italian), operators read them and canteen
//! staff do not, another comune's school is 404; an operator adds a card to a child in a
//! class, changes it and ends it; another child's badge is the badge's error; the roster
//! of the day shows the class by its record (a renamed class at once) and no longer the
//! child whose card ended.

use e2e::{
    field_error, json, problem, TestServer, User, CARLO_OPERATOR_ESEMPIO, GIULIA_OPERATOR, MARIO,
    MARTA_ADMIN, PAOLO_CANTEEN,
};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sportello_model::bookings::AttendanceRow;
use sportello_model::children::{ChildDetail, Enrolment, MealType};
use sportello_model::entes::Service;
use sportello_model::paths;
use sportello_model::schools::{School, SchoolCycle, SchoolDetail};

const DAY: &str = "2026-11-24";
const PASCOLI: &str = "Scuola Primaria Pascoli";

async fn server() -> TestServer {
    TestServer::start_with(&[("SPORTELLO_FAKE_NOW", "2026-11-24T10:00:00Z")]).await
}

fn school(name: &str, cycle: &str) -> Value {
    json!({ "name": name, "address": "Via dei Tigli 4, Demo", "code": "", "cycle": cycle, "active": true })
}

fn class(name: &str, grade: u8) -> Value {
    json!({ "school_year": "2026/2027", "name": name, "grade": grade })
}

async fn roster(paolo: &User<'_>, service: i64) -> Vec<AttendanceRow> {
    paolo
        .get_ok(&format!(
            "{}?service_id={service}&day={DAY}",
            paths::roster()
        ))
        .await
}

fn class_of<'a>(rows: &'a [AttendanceRow], child: &str) -> Option<(&'a str, &'a str)> {
    rows.iter()
        .find(|r| r.child_name == child)
        .map(|r| (r.school.as_str(), r.class_name.as_str()))
}

#[tokio::test]
async fn the_administrator_keeps_the_schools_and_their_classes() {
    let server = server().await;
    let marta = server.user("demo", MARTA_ADMIN).await;

    // The demo cards' schools are records, with the classes of this year.
    let schools: Vec<School> = marta.get_ok(&paths::office_schools()).await;
    let pascoli = schools
        .iter()
        .find(|s| s.name == PASCOLI)
        .expect("the demo school");
    assert_eq!(pascoli.cycle, SchoolCycle::Primaria);
    let detail: SchoolDetail = marta.get_ok(&paths::office_school(pascoli.id)).await;
    let fifth = detail
        .classes
        .iter()
        .find(|c| c.name == "5a")
        .expect("Greta's class");
    assert_eq!((fifth.grade, fifth.last_of_cycle), (5, true));
    assert_eq!(fifth.school_year, "2026/2027");

    // A new school: every field of a bad one is named.
    let bad =
        json!({ "name": " ", "address": "", "code": "MI12", "cycle": "infanzia", "active": true });
    let refused = problem(
        marta.post(&paths::office_schools(), &bad).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(refused.field_message("name").is_some(), "{refused:?}");
    assert!(refused.field_message("code").is_some(), "{refused:?}");
    let made: SchoolDetail = json(
        marta
            .post(
                &paths::office_schools(),
                &school("Scuola dell'Infanzia Arcobaleno", "infanzia"),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert!(made.classes.is_empty());
    let again = marta
        .post(&paths::office_schools(), &school(PASCOLI, "primaria"))
        .await;
    assert_eq!(
        field_error(again, "name").await,
        "Il comune ha già una scuola «Scuola Primaria Pascoli»."
    );

    // Its classes: a fourth year is no infanzia's; the third is its last.
    let classes = paths::office_school_classes(made.school.id);
    let fourth = marta.post(&classes, &class("4A", 4)).await;
    assert_eq!(
        field_error(fourth, "grade").await,
        "L'anno di corso di una scuola dell'infanzia va da 1 a 3."
    );
    let with_class: SchoolDetail = json(
        marta.post(&classes, &class(" Sezione Gialla ", 3)).await,
        StatusCode::CREATED,
    )
    .await;
    let gialla = &with_class.classes[0];
    assert_eq!(gialla.name, "Sezione Gialla");
    assert!(gialla.last_of_cycle);
    let twice = marta.post(&classes, &class("sezione gialla", 2)).await;
    assert_eq!(
        field_error(twice, "name").await,
        "La scuola ha già la classe sezione gialla nell'anno scolastico 2026/2027."
    );
    let renamed: SchoolDetail = json(
        marta
            .put(
                &paths::office_school_class(made.school.id, gialla.id),
                &class("Sezione Verde", 2),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (renamed.classes[0].name.as_str(), renamed.classes[0].grade),
        ("Sezione Verde", 2)
    );
    // A primaria cannot become an infanzia while it has a fifth class.
    let shrink = marta
        .put(
            &paths::office_school(pascoli.id),
            &school(PASCOLI, "infanzia"),
        )
        .await;
    field_error(shrink, "cycle").await;
    let moved: SchoolDetail = json(
        marta
            .put(
                &paths::office_school(made.school.id),
                &json!({ "name": "Scuola dell'Infanzia Arcobaleno", "address": "Via Nuova 1",
                          "code": "miaa81201b", "cycle": "infanzia", "active": true }),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (moved.school.address.as_str(), moved.school.code.as_str()),
        ("Via Nuova 1", "MIAA81201B")
    );

    // Operators read them and change nothing; canteen staff do not read them; another
    // comune's operator does not find them.
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let seen: Vec<School> = giulia.get_ok(&paths::office_schools()).await;
    assert_eq!(seen.len(), schools.len() + 1);
    let denied = giulia
        .post(&paths::office_schools(), &school("Altra", "primaria"))
        .await;
    problem(denied, StatusCode::FORBIDDEN).await;
    let paolo = server.user("demo", PAOLO_CANTEEN).await;
    problem(
        paolo.get(&paths::office_schools()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let carlo = server.spid_user("esempio", CARLO_OPERATOR_ESEMPIO).await;
    problem(
        carlo.get(&paths::office_school(pascoli.id)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let theirs: Vec<School> = carlo.get_ok(&paths::office_schools()).await;
    assert!(theirs
        .iter()
        .all(|s| s.id != pascoli.id && s.id != made.school.id));
}

/// The Pascoli's id and the class `name` of this year, made by the administrator.
async fn pascoli_class(marta: &User<'_>, name: &str, grade: u8) -> (i64, i64) {
    let schools: Vec<School> = marta.get_ok(&paths::office_schools()).await;
    let pascoli = schools
        .iter()
        .find(|s| s.name == PASCOLI)
        .expect("Pascoli")
        .id;
    let detail: SchoolDetail = json(
        marta
            .post(&paths::office_school_classes(pascoli), &class(name, grade))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let made = detail
        .classes
        .iter()
        .find(|c| c.name == name)
        .expect("the new class")
        .id;
    (pascoli, made)
}

fn card(service: i64, school: i64, class: i64, band: &str, meal: MealType, badge: &str) -> Value {
    json!({
        "service_id": service, "school_year": "2026/2027", "school_id": school,
        "class_id": class, "fee_band": band, "meal_type": meal, "badge": badge
    })
}

#[tokio::test]
async fn an_operator_enrols_a_child_changes_the_card_and_ends_it() {
    let server = server().await;
    let marta = server.user("demo", MARTA_ADMIN).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let paolo = server.user("demo", PAOLO_CANTEEN).await;
    let (mario, refezione) = server.canteen_family(MARIO).await;
    let sofia = server.child_named(mario.token(), "Sofia").await;
    let services: Vec<Service> = giulia.get_ok(&paths::office_services()).await;
    let trasporto = services.iter().find(|s| s.code == "TRA").expect("TRA").id;
    let (pascoli, second_b) = pascoli_class(&marta, "2b", 2).await;

    // On the roster Sofia is in her class by its record.
    assert_eq!(
        class_of(&roster(&paolo, refezione).await, "Sofia Albertini"),
        Some((PASCOLI, "2a"))
    );

    // A transport card: the band's quota, no meals; her own badge again is fine.
    let enrolments = paths::child_enrolments(sofia);
    let added: Enrolment = json(
        giulia
            .post(
                &enrolments,
                &card(
                    trasporto,
                    pascoli,
                    second_b,
                    "Fascia unica",
                    MealType::NoMeals,
                    "621494",
                ),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        (added.school.as_str(), added.class_name.as_str()),
        (PASCOLI, "2b")
    );
    assert_eq!(added.quota.map(|q| q.to_string()).as_deref(), Some("47.60"));
    assert!(added.active);
    // Her sister's badge is another child's; a second card of the year is refused.
    let greta_badge = giulia
        .post(
            &enrolments,
            &card(
                trasporto,
                pascoli,
                second_b,
                "Fascia unica",
                MealType::NoMeals,
                "621493",
            ),
        )
        .await;
    assert_eq!(
        field_error(greta_badge, "badge").await,
        "La tessera 621493 è già di un altro alunno: indicane un'altra."
    );
    let twice = giulia
        .post(
            &enrolments,
            &card(
                trasporto,
                pascoli,
                second_b,
                "Fascia unica",
                MealType::NoMeals,
                "621494",
            ),
        )
        .await;
    field_error(twice, "school_year").await;
    // A band the service does not have, a canteen card without a diet.
    let wrong = giulia
        .post(
            &enrolments,
            &card(
                refezione,
                pascoli,
                second_b,
                "Fascia unica",
                MealType::NoMeals,
                "621494",
            ),
        )
        .await;
    let refused = problem(wrong, StatusCode::BAD_REQUEST).await;
    assert!(refused.field_message("fee_band").is_some(), "{refused:?}");
    assert!(refused.field_message("meal_type").is_some(), "{refused:?}");

    // Her canteen card moves to 2b: the roster follows, and a renamed class at once.
    let detail: ChildDetail = giulia.get_ok(&paths::child(sofia)).await;
    let canteen = detail
        .enrolments
        .iter()
        .find(|c| c.service_id == refezione)
        .expect("Sofia's canteen card");
    let band = canteen.fee_band.clone().expect("the band, for the office");
    let moved: Enrolment = json(
        giulia
            .put(
                &paths::child_enrolment(sofia, canteen.id),
                &card(
                    refezione,
                    pascoli,
                    second_b,
                    &band,
                    MealType::Medical,
                    "621494",
                ),
            )
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(moved.class_id, Some(second_b));
    assert_eq!(moved.meal_price.to_string(), "5.00");
    assert_eq!(
        class_of(&roster(&paolo, refezione).await, "Sofia Albertini"),
        Some((PASCOLI, "2b"))
    );
    let renamed = marta
        .put(
            &paths::office_school_class(pascoli, second_b),
            &class("2B Girasoli", 2),
        )
        .await;
    json::<SchoolDetail>(renamed, StatusCode::OK).await;
    assert_eq!(
        class_of(&roster(&paolo, refezione).await, "Sofia Albertini"),
        Some((PASCOLI, "2B Girasoli"))
    );
    // The class's year cannot change while cards name it.
    let year = marta
        .put(
            &paths::office_school_class(pascoli, second_b),
            &json!({ "school_year": "2027/2028", "name": "2B Girasoli", "grade": 2 }),
        )
        .await;
    field_error(year, "school_year").await;

    // Canteen staff and another comune's operator cannot touch the cards.
    let denied = paolo
        .post(&paths::child_enrolment_end(sofia, canteen.id), &json!({}))
        .await;
    problem(denied, StatusCode::FORBIDDEN).await;
    let carlo = server.spid_user("esempio", CARLO_OPERATOR_ESEMPIO).await;
    let elsewhere = carlo
        .post(&paths::child_enrolment_end(sofia, canteen.id), &json!({}))
        .await;
    problem(elsewhere, StatusCode::NOT_FOUND).await;

    // Ended: no longer on the roster.
    let ended: Enrolment = json(
        giulia
            .post_empty(&paths::child_enrolment_end(sofia, canteen.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(!ended.active);
    assert_eq!(
        class_of(&roster(&paolo, refezione).await, "Sofia Albertini"),
        None
    );
}
