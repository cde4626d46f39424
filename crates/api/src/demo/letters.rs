//! Comunicazioni: the first family's letters of the last weeks — the winter menu about
//! both children (already read), the transport's retta, and an early-exit notice with
//! its timetable attached about the child the delegate follows.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, QueryFilter,
};
use sportello_model::auth::Role;
use sportello_model::letters::LetterKind;
use time::{Duration, OffsetDateTime};

use super::custom;
use super::families::Seeded;
use crate::accounts::entity::user;
use crate::communications::entity::{letter, letter_attachment, letter_child};
use crate::db::TenantScoped;
use crate::entes::entity::ente;

struct Demo {
    kind: LetterKind,
    title: &'static str,
    body: &'static str,
    days_ago: i64,
    read: bool,
    /// Indexes of the family's children it is about.
    children: &'static [usize],
    attachment: Option<(&'static str, &'static str)>,
}

const LETTERS: [Demo; 3] = [
    Demo {
        kind: LetterKind::Information,
        title: "Menù invernale della refezione scolastica",
        body: "Gentile famiglia,\n\ndal **1° dicembre** è in vigore il menù invernale, approvato dal servizio di igiene degli alimenti dell'ASL.\n\n- quattro settimane a rotazione\n- frutta di stagione ogni giorno\n- le diete sanitarie restano invariate\n\nIl menù completo è pubblicato tra i documenti del portale.",
        days_ago: 20,
        read: true,
        children: &[0, 1],
        attachment: None,
    },
    Demo {
        kind: LetterKind::Emission,
        title: "Trasporto Scolastico: retta di novembre",
        body: "Gentile famiglia,\n\nè stata emessa la retta del **Trasporto Scolastico** di novembre. La trovi, con l'avviso di pagamento pagoPA, nella sezione Pagamenti.",
        days_ago: 10,
        read: false,
        children: &[0],
        attachment: None,
    },
    Demo {
        kind: LetterKind::ServiceNotice,
        title: "Uscita anticipata per l'assemblea sindacale",
        body: "Gentile famiglia,\n\nvenerdì le lezioni terminano alle **12:30** per l'assemblea sindacale del personale: la mensa non sarà servita e i pasti prenotati non saranno addebitati.\n\nIn allegato gli orari del trasporto per quel giorno.",
        days_ago: 2,
        read: false,
        children: &[1],
        attachment: Some((
            "orari-uscita-anticipata.pdf",
            "Partenza degli scuolabus alle 12:40 da tutti i plessi.",
        )),
    },
];

/// Inserts the first family's letters.
pub(super) async fn insert<C: ConnectionTrait>(
    db: &C,
    ente: &ente::Model,
    family: &Seeded,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let operator = user::Entity::find_in_ente(ente.ente_id())
        .filter(user::Column::Role.eq(Role::Operator))
        .one(db)
        .await?
        .ok_or_else(|| custom("no demo operator"))?;
    for demo in LETTERS {
        let sent = now - Duration::days(demo.days_ago);
        let attachment_id = match demo.attachment {
            Some((name, text)) => {
                let content = crate::pdf::text_document(demo.title, &[text]);
                Some(
                    letter_attachment::ActiveModel {
                        ente_id: Set(ente.ente_id()),
                        file_name: Set(name.into()),
                        content_type: Set("application/pdf".into()),
                        size_bytes: Set(content.len() as i64),
                        content: Set(content),
                        uploaded_by: Set(operator.id),
                        created_at: Set(sent),
                        ..Default::default()
                    }
                    .insert(db)
                    .await?
                    .id,
                )
            }
            None => None,
        };
        let row = letter::ActiveModel {
            ente_id: Set(ente.ente_id()),
            communication_id: Set(None),
            guardian_id: Set(family.guardian.id),
            kind: Set(demo.kind),
            title: Set(demo.title.into()),
            body: Set(demo.body.into()),
            attachment_id: Set(attachment_id),
            by_email: Set(true),
            by_sms: Set(false),
            created_at: Set(sent),
            read_at: Set(demo.read.then_some(sent + Duration::hours(3))),
            ..Default::default()
        }
        .insert(db)
        .await?;
        for index in demo.children {
            letter_child::ActiveModel {
                ente_id: Set(ente.ente_id()),
                letter_id: Set(row.id),
                child_id: Set(family.children[*index].id),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}
