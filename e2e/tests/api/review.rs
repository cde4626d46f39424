//! Moduli online, the office's side: a form's submissions narrowed by state, school, day
//! sent and names or protocol, with the counts per state; «Accetta selezionate» accepting
//! each as by itself and saying why one was not, also against a single accept at the
//! same moment; the card's band, quota and meal price from the ISEE declared, the badge
//! the child's own or a new one, and the operator's own terms.

use e2e::{field_error, json, problem, TestServer, User, ANNA, GIULIA_OPERATOR, MARIO};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sportello_model::children::ChildDetail;
use sportello_model::forms::{
    BulkOutcome, EnrolmentProposal, StateCount, SubmissionDetail, SubmissionState,
    SubmissionSummary,
};
use sportello_model::{paths, Page};

use crate::forms::{canteen_form, publish, start, SUMMER};

const PASCOLI: &str = "Scuola Primaria Pascoli";
const RODARI: &str = "Scuola Primaria Rodari";

/// The canteen enrolment of the forms journeys, without the account gate, in two schools
/// and asking the ISEE (optional).
fn isee_form(service: i64) -> Value {
    let mut form = canteen_form(service, false);
    let fields = &mut form["sections"][0]["fields"];
    fields[1]["kind"]["schools"] = json!([PASCOLI, RODARI]);
    fields
        .as_array_mut()
        .expect("the form's fields")
        .push(json!({ "key": "isee", "label": "ISEE", "required": false,
                      "kind": { "type": "isee", "max": "100000.00" } }));
    form
}

/// Sends the form for `alunno` in `school`, with the ISEE `isee` when given.
async fn send(
    family: &User<'_>,
    form: i64,
    alunno: Value,
    school: &str,
    isee: Option<&str>,
) -> SubmissionSummary {
    let mut answers = json!({
        "alunno": alunno,
        "scuola": { "school": school, "class_name": "2a" },
        "dieta": { "meal_type": "PASTO BASE" },
        "privacy": true
    });
    if let Some(value) = isee {
        answers["isee"] = json!({ "value": value, "attested_on": "2027-01-15" });
    }
    let draft = start(family, form, answers).await;
    let sent = family
        .post_empty(&paths::my_submission_send(draft.summary.id))
        .await;
    json::<SubmissionDetail>(sent, StatusCode::OK).await.summary
}

async fn listed(office: &User<'_>, form: i64, query: &str) -> Page<SubmissionSummary> {
    office
        .get_ok(&format!("{}?{query}", paths::form_submissions(form)))
        .await
}

fn ids(page: &Page<SubmissionSummary>) -> Vec<i64> {
    page.items.iter().map(|s| s.id).collect()
}

#[tokio::test]
async fn the_office_narrows_a_forms_submissions_by_state_school_day_and_names() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", SUMMER)]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let form = publish(&giulia, &isee_form(service)).await;

    let sofia = server.child_named(mario.token(), "Sofia").await;
    let sofia = send(&mario, form.id, json!({ "child_id": sofia }), PASCOLI, None).await;
    // The next day (Rome), two more.
    server
        .advance_clock(std::time::Duration::from_secs(24 * 3600))
        .await;
    // A day later the sessions have expired: everyone logs in again.
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let mario = server.user("demo", MARIO).await;
    let anna = server.user("demo", ANNA).await;
    let greta = server.child_named(mario.token(), "Greta").await;
    let greta = send(&mario, form.id, json!({ "child_id": greta }), RODARI, None).await;
    let luca = server.child_named(anna.token(), "Luca").await;
    let luca = send(&anna, form.id, json!({ "child_id": luca }), PASCOLI, None).await;

    let all = listed(&giulia, form.id, "").await;
    assert_eq!(
        ids(&all),
        [sofia.id, greta.id, luca.id],
        "in the order sent"
    );
    let rodari = listed(&giulia, form.id, &format!("school={RODARI}")).await;
    assert_eq!(ids(&rodari), [greta.id]);
    let second_day = listed(&giulia, form.id, "sent_from=2027-07-21&sent_to=2027-07-21").await;
    assert_eq!(ids(&second_day), [greta.id, luca.id]);
    let first_day = listed(&giulia, form.id, "sent_to=2027-07-20").await;
    assert_eq!(ids(&first_day), [sofia.id]);
    // Words of the family's or the child's name, in any case, or the protocol number.
    let colombo = listed(&giulia, form.id, "q=colombo").await;
    assert_eq!(ids(&colombo), [luca.id]);
    let greta_albertini = listed(&giulia, form.id, "q=ALBERTINI%20greta").await;
    assert_eq!(ids(&greta_albertini), [greta.id]);
    let protocol = sofia.protocol_number.clone().expect("a protocol number");
    let by_protocol = listed(&giulia, form.id, &format!("q={protocol}")).await;
    assert_eq!(ids(&by_protocol), [sofia.id]);
    let nobody = listed(&giulia, form.id, &format!("school={RODARI}&q=colombo")).await;
    assert_eq!((nobody.total, nobody.items.len()), (0, 0));
    // Page by page over what the filters keep.
    let second = listed(
        &giulia,
        form.id,
        "school=Scuola%20Primaria%20Pascoli&per_page=1&page=2",
    )
    .await;
    assert_eq!((ids(&second), second.total), (vec![luca.id], 2));

    // A refusal moves it to its state's filter and count.
    let refused = giulia
        .post(
            &paths::review_refuse(greta.id),
            &json!({ "note": "Greta frequenterà la scuola secondaria." }),
        )
        .await;
    json::<SubmissionDetail>(refused, StatusCode::OK).await;
    let refused = listed(&giulia, form.id, "state=refused").await;
    assert_eq!(ids(&refused), [greta.id]);
    let counts: Vec<StateCount> = giulia.get_ok(&paths::form_submission_counts(form.id)).await;
    let counts: Vec<(&str, u64)> = counts.iter().map(|c| (c.label.as_str(), c.count)).collect();
    assert_eq!(
        counts,
        [
            ("Inviata", 2),
            ("Sospesa per insoluto", 0),
            ("Da validare", 0),
            ("Accettata", 0),
            ("Rifiutata", 1),
            ("Bloccata", 0)
        ]
    );

    // Wrong filters are refused next to their field.
    let backwards = giulia
        .get(&format!(
            "{}?sent_from=2027-07-21&sent_to=2027-07-20",
            paths::form_submissions(form.id)
        ))
        .await;
    assert_eq!(
        field_error(backwards, "sent_to").await,
        "La data finale non può precedere quella iniziale."
    );
    let long = giulia
        .get(&format!(
            "{}?q={}",
            paths::form_submissions(form.id),
            "x".repeat(101)
        ))
        .await;
    assert_eq!(
        field_error(long, "q").await,
        "Il campo può contenere al massimo 100 caratteri."
    );
}

#[tokio::test]
async fn accetta_selezionate_accepts_each_by_its_isee_band_once_and_says_why_not() {
    let server = TestServer::start_with(&[("SPORTELLO_FAKE_NOW", SUMMER)]).await;
    let giulia = server.user("demo", GIULIA_OPERATOR).await;
    let second = server.user("demo", GIULIA_OPERATOR).await;
    let (mario, service) = server.canteen_family(MARIO).await;
    let anna = server.user("demo", ANNA).await;
    let form = publish(&giulia, &isee_form(service)).await;

    let sofia_id = server.child_named(mario.token(), "Sofia").await;
    let sofia = send(
        &mario,
        form.id,
        json!({ "child_id": sofia_id }),
        PASCOLI,
        Some("8.500,00"),
    )
    .await;
    let greta_id = server.child_named(mario.token(), "Greta").await;
    let greta = send(
        &mario,
        form.id,
        json!({ "child_id": greta_id }),
        RODARI,
        None,
    )
    .await;
    let pietro = json!({ "new_child": { "first_name": "Pietro", "last_name": "Albertini",
                                        "fiscal_code": "RSSMRA85T10A562S", "birth_date": "2021-10-10" } });
    let pietro = send(&mario, form.id, pietro, PASCOLI, Some("3000")).await;
    let luca_id = server.child_named(anna.token(), "Luca").await;
    let luca = send(
        &anna,
        form.id,
        json!({ "child_id": luca_id }),
        PASCOLI,
        Some("20.000,00"),
    )
    .await;

    // What the operator's form starts from: the band of the ISEE with its amounts.
    let proposal: EnrolmentProposal = giulia.get_ok(&paths::review_terms(sofia.id)).await;
    assert_eq!(
        proposal.service_name.as_deref(),
        Some("Refezione Scolastica")
    );
    assert_eq!(
        proposal.isee.map(|i| i.to_string()).as_deref(),
        Some("8500.00")
    );
    assert_eq!(
        (
            proposal.suggested.fee_band.as_str(),
            proposal.suggested.quota.as_str(),
            proposal.suggested.meal_price.as_str(),
            proposal.suggested.badge.as_str()
        ),
        ("Fascia c.p. 3 q.f80", "80,00", "4,20", "")
    );
    assert_eq!(proposal.bands.len(), 3);

    // Luca is accepted alone first, with a band the operator names and its amounts.
    let own_terms = json!({ "fee_band": "Fascia c.p. 1 q.f0" });
    let alone = giulia
        .post(&paths::review_accept(luca.id), &own_terms)
        .await;
    json::<SubmissionDetail>(alone, StatusCode::OK).await;
    // A badge that is another child's is refused.
    let taken = giulia
        .post(
            &paths::review_accept(sofia.id),
            &json!({ "badge": "621502" }),
        )
        .await;
    assert_eq!(
        field_error(taken, "badge").await,
        "La tessera 621502 è già di un altro alunno: indicane un'altra."
    );

    // Accetta selezionate while another operator accepts Sofia's by itself.
    let bulk = json!({ "ids": [sofia.id, greta.id, pietro.id, luca.id, sofia.id] });
    let (bulk_path, single_path, no_terms) = (
        paths::form_bulk_accept(form.id),
        paths::review_accept(sofia.id),
        json!({}),
    );
    let (outcomes, single) = tokio::join!(
        giulia.post(&bulk_path, &bulk),
        second.post(&single_path, &no_terms),
    );
    let outcomes: Vec<BulkOutcome> = json(outcomes, StatusCode::OK).await;
    let by_id = |id: i64| {
        outcomes
            .iter()
            .find(|o| o.id == id)
            .unwrap_or_else(|| panic!("no outcome for {id}"))
    };
    assert_eq!(
        outcomes.len(),
        4,
        "one outcome per submission: {outcomes:?}"
    );
    let sofia_by_bulk = by_id(sofia.id).accepted;
    assert_eq!(
        single.status() == StatusCode::OK,
        !sofia_by_bulk,
        "Sofia's is accepted by one of the two"
    );
    if !sofia_by_bulk {
        assert_eq!(
            by_id(sofia.id).message,
            "Non è possibile accettare una domanda nello stato «Accettata»."
        );
    }
    assert!(!by_id(greta.id).accepted);
    assert_eq!(by_id(greta.id).message, "Indica la fascia.");
    assert!(by_id(pietro.id).accepted, "{:?}", by_id(pietro.id));
    assert_eq!(by_id(pietro.id).message, "Accettata");
    assert_eq!(
        (by_id(luca.id).accepted, by_id(luca.id).message.as_str()),
        (
            false,
            "Non è possibile accettare una domanda nello stato «Accettata»."
        )
    );
    let cards: i64 = server
        .scalar(&format!(
            "SELECT COUNT(*) FROM enrolments WHERE submission_id = {}",
            sofia.id
        ))
        .await;
    assert_eq!(cards, 1, "one card for Sofia's submission");

    // Sofia's card: the band of 8.500,00 € with its quota and meal price, her own badge.
    let card = |detail: ChildDetail| {
        detail
            .enrolments
            .into_iter()
            .find(|e| e.school_year == "2027/2028")
            .expect("next year's card")
    };
    let sofia_card = card(mario.get_ok(&paths::child(sofia_id)).await);
    assert_eq!(sofia_card.fee_band.as_deref(), Some("Fascia c.p. 3 q.f80"));
    assert_eq!(
        sofia_card.quota.map(|q| q.to_string()).as_deref(),
        Some("80.00")
    );
    assert_eq!(sofia_card.meal_price.to_string(), "4.20");
    assert_eq!(sofia_card.badge, "621494", "the badge of her other card");
    // Pietro is new: the lowest band and a new badge made from his id.
    let pietro_id = server.child_named(mario.token(), "Pietro").await;
    let pietro_card = card(mario.get_ok(&paths::child(pietro_id)).await);
    assert_eq!(pietro_card.fee_band.as_deref(), Some("Fascia c.p. 1 q.f0"));
    assert_eq!(pietro_card.meal_price.to_string(), "2.50");
    assert_eq!(pietro_card.badge, format!("{}", 900_000 + pietro_id));
    // Luca's: the band the operator named, with that band's amounts.
    let luca_card = card(anna.get_ok(&paths::child(luca_id)).await);
    assert_eq!(
        (
            luca_card.fee_band.as_deref(),
            luca_card.meal_price.to_string()
        ),
        (Some("Fascia c.p. 1 q.f0"), "2.50".to_owned())
    );

    // Who accepted, and when, is in each history.
    let detail: SubmissionDetail = giulia.get_ok(&paths::review(pietro.id)).await;
    let last = detail.history.last().expect("an event");
    assert_eq!(
        (last.state, last.actor_name.as_str()),
        (SubmissionState::Accepted, "Giulia Rossi")
    );

    // Greta's, with no ISEE, needs the band; a band the comune does not list, its amounts.
    let custom = giulia
        .post(
            &paths::review_accept(greta.id),
            &json!({ "fee_band": "Fascia esonero" }),
        )
        .await;
    let custom = problem(custom, StatusCode::BAD_REQUEST).await;
    let fields: Vec<&str> = custom.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["quota", "meal_price"]);
    let nothing = giulia
        .post(&paths::form_bulk_accept(form.id), &json!({ "ids": [] }))
        .await;
    assert_eq!(
        field_error(nothing, "ids").await,
        "Scegli almeno una domanda da accettare."
    );
}
