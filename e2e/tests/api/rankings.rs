//! Graduatorie: a ranking form gives points per answer; the office reads the ranked list
//! (points from highest, a tie broken by the time sent), publishes it once, and each
//! family then sees its own position and points — never another family's. A definition
//! with points that do not fit its questions is refused with Italian field errors.

use std::time::Duration;

use e2e::{field_error, json, problem, TestServer, User, ANNA, GIULIA_OPERATOR, MARIO};

use crate::forms::publish;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sportello_model::forms::{
    FormOverview, Ranking, RankingPlace, SubmissionDetail, SubmissionSummary,
};
use sportello_model::{paths, Page};

/// Tuesday 20/07/2027, 10:00 in Rome.
const SUMMER: &str = "2027-07-20T08:00:00Z";

/// A nido ranking form, per child: ISEE ranges, working parents, already at a nido.
fn nido() -> Value {
    json!({
        "title": "Graduatoria asilo nido 2027/2028",
        "school_year": "2027/2028",
        "opens_on": "2027-07-11",
        "closes_on": "2027-08-31",
        "scope": "per_child",
        "sections": [{
            "title": "Domanda",
            "fields": [
                { "key": "bambino", "label": "Bambino", "required": true, "kind": { "type": "child" } },
                { "key": "isee", "label": "ISEE", "required": true,
                  "kind": { "type": "isee", "max": "100000.00" },
                  "points": { "type": "isee_ranges", "ranges": [
                      { "up_to": "8000.00", "points": 30 },
                      { "up_to": "15000.00", "points": 20 }
                  ] } },
                { "key": "lavoro", "label": "Genitori che lavorano", "required": true,
                  "kind": { "type": "single_choice", "options": ["Nessuno", "Uno", "Entrambi"] },
                  "points": { "type": "choices", "options": [
                      { "option": "Uno", "points": 10 },
                      { "option": "Entrambi", "points": 20 }
                  ] } },
                { "key": "frequenta", "label": "Frequenta già un nido", "required": true,
                  "kind": { "type": "yes_no" },
                  "points": { "type": "yes_no", "yes": 5, "no": 0 } }
            ]
        }]
    })
}

/// Sends the family's answers for `child`: ISEE value, working parents, at a nido.
async fn send(family: &User<'_>, form: i64, child: i64, isee: &str, work: &str, nido: bool) -> i64 {
    let answers = json!({
        "bambino": { "child_id": child },
        "isee": { "value": isee, "attested_on": "2027-01-15" },
        "lavoro": work,
        "frequenta": nido
    });
    let started: SubmissionDetail = json(
        family
            .post(
                &paths::start_submission(form),
                &json!({ "answers": answers }),
            )
            .await,
        StatusCode::CREATED,
    )
    .await;
    let id = started.summary.id;
    let sent = family.post_empty(&paths::my_submission_send(id)).await;
    json::<SubmissionDetail>(sent, StatusCode::OK).await;
    id
}

async fn places(family: &User<'_>, form: i64) -> Vec<(i64, Option<RankingPlace>)> {
    let mine: Page<SubmissionSummary> = family.get_ok(&paths::my_submissions()).await;
    mine.items
        .into_iter()
        .filter(|s| s.form_id == form)
        .map(|s| (s.id, s.ranking))
        .collect()
}

#[tokio::test]
async fn a_ranking_orders_by_points_then_time_sent_and_families_see_their_place_once_published() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", SUMMER)]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let mario = server.user("demo", MARIO).await;
    let anna = server.user("demo", ANNA).await;
    let greta = server.child_named(mario.token(), "Greta").await;
    let sofia = server.child_named(mario.token(), "Sofia").await;
    let luca = server.child_named(anna.token(), "Luca").await;
    let form = publish(&giulia, &nido()).await;

    // Greta and Luca both earn 20 + 10 = 30 points, Greta first; Sofia 30 + 20 + 5.
    let greta_sent = send(&mario, form.id, greta, "12.000,00", "Uno", false).await;
    server.advance_clock(Duration::from_secs(300)).await;
    let luca_sent = send(&anna, form.id, luca, "15.000,00", "Uno", false).await;
    server.advance_clock(Duration::from_secs(300)).await;
    let sofia_sent = send(&mario, form.id, sofia, "7.999,99", "Entrambi", true).await;

    let ranking: Ranking = giulia.get_ok(&paths::form_ranking(form.id)).await;
    assert_eq!(ranking.published_at, None);
    let order: Vec<(u32, i64, u32)> = ranking
        .entries
        .iter()
        .map(|e| (e.position, e.submission_id, e.points))
        .collect();
    assert_eq!(
        order,
        [(1, sofia_sent, 55), (2, greta_sent, 30), (3, luca_sent, 30)]
    );
    assert_eq!(ranking.entries[2].family_name, "Anna Colombo");
    assert_eq!(
        ranking.entries[2].child_name.as_deref(),
        Some("Luca Colombo")
    );

    // The operators' list counts the submissions and knows it ranks them.
    let forms: Page<FormOverview> = giulia.get_ok(&paths::forms()).await;
    let listed = forms
        .items
        .iter()
        .find(|f| f.form.id == form.id)
        .expect("the new form");
    assert_eq!((listed.submissions, listed.ranking), (3, true));

    // Nothing for the families until it is published; they never read the list itself.
    assert_eq!(places(&mario, form.id).await.len(), 2);
    assert!(places(&mario, form.id)
        .await
        .iter()
        .all(|(_, p)| p.is_none()));
    let refused = anna.get(&paths::form_ranking(form.id)).await;
    problem(refused, StatusCode::FORBIDDEN).await;

    let published: Ranking = json(
        giulia
            .post_empty(&paths::form_ranking_publish(form.id))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(published.published_at.is_some());
    assert_eq!(published.entries, ranking.entries);
    let again = giulia
        .post_empty(&paths::form_ranking_publish(form.id))
        .await;
    let again = problem(again, StatusCode::CONFLICT).await;
    assert_eq!(
        again.detail,
        "La graduatoria è già stata pubblicata il 20/07/2027."
    );

    // A submission sent after publishing does not move the published positions.
    let mario = server.user("demo", MARIO).await;
    let anna = server.user("demo", ANNA).await;
    let mut mine = places(&mario, form.id).await;
    mine.sort_by_key(|(id, _)| *id);
    assert_eq!(
        mine,
        [
            (
                greta_sent,
                Some(RankingPlace {
                    position: 2,
                    points: 30,
                    of: 3
                })
            ),
            (
                sofia_sent,
                Some(RankingPlace {
                    position: 1,
                    points: 55,
                    of: 3
                })
            ),
        ]
    );
    let theirs = places(&anna, form.id).await;
    assert_eq!(
        theirs,
        [(
            luca_sent,
            Some(RankingPlace {
                position: 3,
                points: 30,
                of: 3
            })
        )]
    );
    assert_eq!(
        theirs[0].1.as_ref().map(RankingPlace::label).as_deref(),
        Some("Graduatoria: 3° posto su 3, 30 punti")
    );
    // Another family's submission stays theirs.
    let other = anna.get(&paths::my_submission(sofia_sent)).await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let stored: Ranking = giulia.get_ok(&paths::form_ranking(form.id)).await;
    assert_eq!(stored.entries, published.entries);

    // A form that gives no points has no ranking.
    let open: Vec<FormOverview> = forms.items;
    let plain = open
        .iter()
        .find(|f| !f.ranking)
        .expect("a demo form without points");
    let none = giulia.get(&paths::form_ranking(plain.form.id)).await;
    problem(none, StatusCode::CONFLICT).await;
}

#[tokio::test]
async fn points_that_do_not_fit_their_question_are_refused_in_italian() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", SUMMER)]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let mut bad = nido();
    let fields = &mut bad["sections"][0]["fields"];
    fields[1]["points"]["ranges"][1]["up_to"] = json!("5000.00");
    fields[2]["points"]["options"][0]["option"] = json!("Tre");
    fields[3]["points"] = json!({ "type": "yes_no", "yes": 1001, "no": 0 });
    fields[0]["points"] = json!({ "type": "yes_no", "yes": 1, "no": 0 });
    let res = giulia.post(&paths::forms(), &bad).await;
    let refused = problem(res, StatusCode::BAD_REQUEST).await;
    let messages: Vec<(&str, &str)> = refused
        .errors
        .iter()
        .map(|e| (e.field.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        [
            ("sections.0.fields.0.points", "Questi punti non si applicano a questa domanda: si danno alle risposte di una scelta, a un sì/no o alle fasce ISEE."),
            ("sections.0.fields.1.points", "Le fasce ISEE vanno indicate dalla più bassa alla più alta, ciascuna con un limite diverso."),
            ("sections.0.fields.2.points", "Dai i punti alle risposte possibili della domanda, una volta ciascuna."),
            ("sections.0.fields.3.points", "Una risposta può valere al massimo 1000 punti."),
        ]
    );
    // Negative points are not a number of points.
    let mut negative = nido();
    negative["sections"][0]["fields"][3]["points"]["yes"] = json!(-5);
    let res = giulia.post(&paths::forms(), &negative).await;
    assert_eq!(
        field_error(res, "sections[0].fields[3].points").await,
        "Valore non valido."
    );
}
