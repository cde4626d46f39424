//! Moduli online: the comune's forms — the enrolments for next school year into the
//! canteen (with the account gate) and school transport, the cedole librarie, the nido
//! ranking and a closed summer-camp form — and the first family's cedole request, sent
//! with an attachment.

use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};
use serde_json::json;
use sportello_model::forms::{
    protocol_number, Answers, Condition, Field, FieldKind, FormDefinition, FormScope, FormStatus,
    IseeRange, OptionPoints, Points, Section, SubmissionState,
};
use sportello_model::rome;
use sportello_model::school_year::SchoolYear;
use time::{Duration, OffsetDateTime};

use super::custom;
use super::families::{Seeded, SCHOOLS};
use crate::entes::entity::{ente, service};
use crate::forms::definitions::new_row;
use crate::forms::entity::{event, submission, upload};
use crate::forms::submissions::sent_keys;

fn field(key: &str, label: &str, required: bool, kind: FieldKind) -> Field {
    Field {
        key: key.into(),
        label: label.into(),
        help: String::new(),
        required,
        kind,
        shown_when: None,
        points: None,
    }
}

fn section(title: &str, fields: Vec<Field>) -> Section {
    Section {
        title: title.into(),
        description: String::new(),
        fields,
    }
}

fn privacy() -> Field {
    field(
        "privacy",
        "Informativa sul trattamento dei dati personali",
        true,
        FieldKind::Consent {
            text: "Dichiaro di aver letto l'informativa sul trattamento dei dati personali (Regolamento UE 2016/679).".into(),
        },
    )
}

fn schools() -> Vec<String> {
    SCHOOLS.iter().map(|s| (*s).to_owned()).collect()
}

/// The forms of the comune, open around `now` but the closed one.
fn definitions(
    now: OffsetDateTime,
    refezione: &service::Model,
    trasporto: &service::Model,
) -> Vec<(FormDefinition, FormStatus)> {
    let today = rome::today(now);
    let next = SchoolYear::containing(today).next();
    let open = |title: String, description: &str, scope, sections| FormDefinition {
        title,
        description: description.into(),
        school_year: next,
        opens_on: today - Duration::days(14),
        closes_on: today + Duration::days(60),
        scope,
        delegates_allowed: false,
        service_id: None,
        requires_settled_account: false,
        sections,
    };
    let mut canteen = open(
        format!("Refezione scolastica {next}"),
        "Iscrizione al servizio di refezione scolastica per il prossimo anno scolastico. L'iscrizione è possibile solo con il conto mensa in regola.",
        FormScope::PerChild,
        vec![
            section(
                "Alunno",
                vec![
                    field("alunno", "Alunno da iscrivere", true, FieldKind::Child),
                    field("scuola", "Scuola e classe", true, FieldKind::SchoolClass { schools: schools() }),
                ],
            ),
            section(
                "Dieta",
                vec![field("dieta", "Tipologia pasto", true, FieldKind::Diet)],
            ),
            section(
                "Tariffa",
                vec![Field {
                    help: "Con l'ISEE l'ufficio applica la fascia che lo comprende; senza, sceglie la fascia al momento dell'accettazione.".into(),
                    ..field("isee", "ISEE del nucleo familiare", false, FieldKind::Isee { max: Decimal::new(10_000_000, 2) })
                }],
            ),
            section(
                "Dichiarazioni",
                vec![
                    field("telefono", "Telefono per le comunicazioni urgenti", true, FieldKind::Phone),
                    privacy(),
                ],
            ),
        ],
    );
    canteen.service_id = Some(refezione.id);
    canteen.requires_settled_account = true;

    let mut transport = open(
        format!("Trasporto scolastico {next}"),
        "Iscrizione al trasporto scolastico: scegli la fermata di salita.",
        FormScope::PerChild,
        vec![
            section(
                "Alunno",
                vec![
                    field("alunno", "Alunno da iscrivere", true, FieldKind::Child),
                    field(
                        "scuola",
                        "Scuola e classe",
                        true,
                        FieldKind::SchoolClass { schools: schools() },
                    ),
                ],
            ),
            section(
                "Percorso",
                vec![
                    field(
                        "fermata",
                        "Fermata di salita",
                        true,
                        FieldKind::SingleChoice {
                            options: vec![
                                "Piazza Roma".into(),
                                "Via Verdi angolo Via Manzoni".into(),
                                "Frazione San Rocco".into(),
                            ],
                        },
                    ),
                    field("ritorno", "Anche il ritorno", true, FieldKind::YesNo),
                    privacy(),
                ],
            ),
        ],
    );
    transport.service_id = Some(trasporto.id);

    let mut cedole = open(
        "Richiesta cedole librarie".into(),
        "Cedole per i libri di testo gratuiti della scuola primaria.",
        FormScope::PerChild,
        vec![section(
            "Richiesta",
            vec![
                field("alunno", "Alunno", true, FieldKind::Child),
                field(
                    "scuola",
                    "Scuola e classe",
                    true,
                    FieldKind::SchoolClass { schools: schools() },
                ),
                field(
                    "documento",
                    "Documento d'identità del richiedente",
                    false,
                    FieldKind::Upload {
                        max_bytes: 2 * 1024 * 1024,
                    },
                ),
                privacy(),
            ],
        )],
    );
    cedole.delegates_allowed = true;

    let mut nido_attends = field(
        "nido_attuale",
        "Nido frequentato ora",
        true,
        FieldKind::ShortText { max_chars: 120 },
    );
    nido_attends.shown_when = Some(Condition {
        field: "frequenta".into(),
        equals: json!(true),
    });
    let mut nido_isee = field(
        "isee",
        "ISEE del nucleo familiare",
        true,
        FieldKind::Isee {
            max: Decimal::new(10_000_000, 2),
        },
    );
    nido_isee.points = Some(Points::IseeRanges {
        ranges: vec![
            IseeRange {
                up_to: Decimal::new(800_000, 2),
                points: 30,
            },
            IseeRange {
                up_to: Decimal::new(1_500_000, 2),
                points: 20,
            },
            IseeRange {
                up_to: Decimal::new(2_500_000, 2),
                points: 10,
            },
        ],
    });
    let mut nido_work = field(
        "lavoro",
        "Genitori che lavorano",
        true,
        FieldKind::SingleChoice {
            options: vec!["Nessuno".into(), "Uno".into(), "Entrambi".into()],
        },
    );
    nido_work.points = Some(Points::Choices {
        options: vec![
            OptionPoints {
                option: "Uno".into(),
                points: 10,
            },
            OptionPoints {
                option: "Entrambi".into(),
                points: 20,
            },
        ],
    });
    let mut nido_already = field(
        "frequenta",
        "Il bambino frequenta già un nido",
        true,
        FieldKind::YesNo,
    );
    nido_already.points = Some(Points::YesNo { yes: 5, no: 0 });
    let nido = open(
        format!("Graduatoria asilo nido {next}"),
        "Domanda di ammissione all'asilo nido comunale: la graduatoria tiene conto dell'ISEE e della situazione lavorativa.",
        FormScope::PerFamily,
        vec![section(
            "Domanda",
            vec![
                field("bambino", "Nome e cognome del bambino", true, FieldKind::ShortText { max_chars: 120 }),
                field("nascita", "Data di nascita", true, FieldKind::Date { earliest: Some(today - Duration::days(3 * 366)), latest: Some(today) }),
                nido_isee,
                nido_work,
                nido_already,
                nido_attends,
                field("email", "E-mail per la graduatoria", true, FieldKind::Email),
                privacy(),
            ],
        )],
    );

    let mut summer = open(
        "Centro estivo".into(),
        "Iscrizione al centro estivo comunale (chiusa).",
        FormScope::PerChild,
        vec![section(
            "Iscrizione",
            vec![
                field("alunno", "Alunno", true, FieldKind::Child),
                field(
                    "settimane",
                    "Settimane",
                    true,
                    FieldKind::MultipleChoice {
                        options: vec!["Luglio 1".into(), "Luglio 2".into(), "Luglio 3".into()],
                        max_selected: Some(2),
                    },
                ),
                field("iban", "IBAN per il rimborso", false, FieldKind::Iban),
            ],
        )],
    );
    summer.school_year = SchoolYear::containing(today);
    summer.opens_on = today - Duration::days(120);
    summer.closes_on = today - Duration::days(60);

    vec![
        (canteen, FormStatus::Published),
        (transport, FormStatus::Published),
        (cedole, FormStatus::Published),
        (nido, FormStatus::Published),
        (summer, FormStatus::Closed),
    ]
}

/// Seeds the forms; `family` (the first) has sent the cedole librarie request for their
/// first child, with a document attached.
pub(super) async fn insert<C: ConnectionTrait>(
    db: &C,
    ente: &ente::Model,
    family: &Seeded,
    refezione: &service::Model,
    trasporto: &service::Model,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let mut cedole = None;
    for (definition, status) in definitions(now, refezione, trasporto) {
        let row = new_row(ente.ente_id(), &definition, status, now)
            .map_err(custom)?
            .insert(db)
            .await?;
        if definition.delegates_allowed {
            cedole = Some((row, definition));
        }
    }
    let (form, definition) = cedole.ok_or_else(|| custom("no demo cedole form"))?;
    let child = family
        .children
        .first()
        .ok_or_else(|| custom("a demo family without children"))?;
    let sent_at = now - Duration::days(2);
    let answers: Answers = serde_json::from_value(json!({
        "alunno": { "child_id": child.id },
        "scuola": { "school": SCHOOLS[0], "class_name": "5a" },
        "privacy": true,
    }))
    .map_err(custom)?;
    let sent = submission::ActiveModel {
        ente_id: Set(ente.ente_id()),
        form_id: Set(form.id),
        family_id: Set(family.guardian.id),
        child_id: Set(Some(child.id)),
        state: Set(SubmissionState::Saved),
        answers: Set(serde_json::to_string(&answers).map_err(custom)?),
        protocol_number: Set(None),
        sent_at: Set(None),
        operator_note: Set(None),
        created_at: Set(sent_at),
        updated_at: Set(sent_at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let document = crate::pdf::text_document(
        "Documento d'identità",
        &[&format!(
            "Copia del documento di {}",
            family.guardian.full_name()
        )],
    );
    let attached = upload::ActiveModel {
        ente_id: Set(ente.ente_id()),
        submission_id: Set(sent.id),
        file_name: Set("documento-identita.pdf".into()),
        content_type: Set("application/pdf".into()),
        size_bytes: Set(document.len() as i64),
        content: Set(document),
        created_at: Set(sent_at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let id = sent.id;
    let mut answers = answers;
    answers.insert("documento".into(), json!(attached.id));
    let mut sent: submission::ActiveModel = sent.into();
    sent.answers = Set(serde_json::to_string(&answers).map_err(custom)?);
    sent.state = Set(SubmissionState::Sent);
    sent.protocol_number = Set(Some(protocol_number(rome::today(sent_at), id)));
    sent.sent_at = Set(Some(sent_at));
    sent.once_key = Set(sent_keys(&definition, &answers).1);
    let sent = sent.update(db).await?;
    for state in [SubmissionState::Saved, SubmissionState::Sent] {
        event::ActiveModel {
            ente_id: Set(ente.ente_id()),
            submission_id: Set(sent.id),
            state: Set(state),
            actor_id: Set(Some(family.guardian.id)),
            at: Set(sent_at),
            note: Set(None),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}
