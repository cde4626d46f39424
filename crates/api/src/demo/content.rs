//! The comuni's public news and documents.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};
use time::macros::date;
use time::{Date, OffsetDateTime};

use crate::content::entity::{document, news, news_attachment};
use crate::db::EnteId;
use crate::pdf::text_document;

pub(super) struct News {
    pub published_on: Date,
    pub title: &'static str,
    pub summary: &'static str,
    pub body: &'static str,
    pub attachment: Option<Attachment>,
}

/// A news item's attachment, made into a PDF of its paragraphs.
pub(super) struct Attachment {
    pub title: &'static str,
    pub file_name: &'static str,
    pub paragraphs: &'static [&'static str],
}

/// A document, made into a PDF of its paragraphs.
pub(super) struct Document {
    pub published_on: Date,
    pub title: &'static str,
    pub description: &'static str,
    pub file_name: &'static str,
    pub paragraphs: &'static [&'static str],
}

pub(super) struct Content {
    pub news: &'static [News],
    pub documents: &'static [Document],
}

pub(super) const DEMO: Content = Content {
    news: &[
        News {
            published_on: date!(2026 - 09 - 01),
            title: "Avvio del servizio di refezione scolastica",
            summary: "Dal 14/09/2026 riprende il servizio mensa per le scuole primarie.",
            body: "Il servizio di refezione scolastica riprende lunedì 14/09/2026. La presenza al pasto è segnata automaticamente: per disdire il pasto usa la sezione Prenotazioni entro le ore 15:00 del giorno stesso.",
            attachment: Some(Attachment {
                title: "Orari del servizio di refezione scolastica",
                file_name: "orari-refezione-2026-2027.pdf",
                paragraphs: &[
                    "Comune di Demo — Servizio di refezione scolastica, anno scolastico 2026/2027.",
                    "Il pranzo è servito dal lunedì al venerdì alle ore 12:30 nelle scuole primarie.",
                ],
            }),
        },
        News {
            published_on: date!(2026 - 10 - 15),
            title: "Ricariche con pagoPA",
            summary: "Il conto elettronico si ricarica online o presso tabaccherie, uffici postali e banche.",
            body: "Dalla sezione Pagamenti puoi ricaricare il conto online con carta, MyBank, PayPal o Satispay, oppure creare un avviso di pagamento da pagare presso qualsiasi punto pagoPA.",
            attachment: None,
        },
        News {
            published_on: date!(2026 - 11 - 02),
            title: "Iscrizioni al trasporto scolastico",
            summary: "Le domande per il secondo quadrimestre si presentano online entro il 30/11/2026.",
            body: "Le famiglie interessate al servizio di trasporto scolastico per il secondo quadrimestre possono presentare la domanda online dalla sezione Moduli online entro il 30/11/2026.",
            attachment: None,
        },
    ],
    documents: &[
        Document {
            published_on: date!(2026 - 09 - 01),
            title: "Menù scolastico autunno-inverno 2026/2027",
            description: "Il menù delle scuole primarie, valido da settembre a marzo.",
            file_name: "menu-autunno-inverno-2026-2027.pdf",
            paragraphs: &[
                "Comune di Demo — Servizio di refezione scolastica.",
                "Lunedì: pasta al pomodoro, frittata con spinaci, frutta di stagione.",
                "Martedì: risotto alla milanese, petto di pollo al forno, carote julienne.",
                "Mercoledì: passato di verdure, merluzzo gratinato, patate al vapore.",
                "Giovedì: pasta al pesto, formaggio, insalata verde.",
                "Venerdì: pizza margherita, prosciutto cotto, frutta e yogurt.",
                "Le diete sanitarie ed etico-religiose sono preparate secondo la richiesta presentata all'ufficio scuola. Costo del pasto: 5,00 €.",
            ],
        },
        Document {
            published_on: date!(2026 - 08 - 20),
            title: "Informativa sul trattamento dei dati personali",
            description: "Informativa privacy per i servizi scolastici (art. 13 GDPR).",
            file_name: "informativa-privacy-servizi-scolastici.pdf",
            paragraphs: &[
                "Il Comune di Demo, titolare del trattamento, tratta i dati personali delle famiglie e degli alunni al solo fine di erogare i servizi scolastici richiesti: refezione, trasporto, iscrizioni e pagamenti.",
                "I dati sono conservati per il tempo previsto dalla legge e non sono comunicati a terzi, salvo ai gestori dei servizi e a pagoPA per i pagamenti.",
                "Per esercitare i tuoi diritti scrivi all'ufficio scuola del Comune.",
            ],
        },
    ],
};

pub(super) const ESEMPIO: Content = Content {
    news: &[News {
        published_on: date!(2026 - 09 - 10),
        title: "Accesso al portale solo con SPID o CIE",
        summary: "Per accedere all'area personale usa la tua identità digitale.",
        body: "L'accesso all'area personale è possibile unicamente tramite SPID o CIE. Le disdette dei pasti sono possibili dal martedì al venerdì entro le ore 09:30.",
        attachment: None,
    }],
    documents: &[Document {
        published_on: date!(2026 - 09 - 10),
        title: "Regolamento del servizio mensa",
        description: "Regole di iscrizione, ricarica e disdetta del pasto.",
        file_name: "regolamento-mensa.pdf",
        paragraphs: &["Le ricariche del conto mensa sono ammesse solo per multipli di 5,40 €, pari al costo di un pasto."],
    }],
};

/// Inserts the news with their attachments, then the documents, in their order.
pub(super) async fn insert<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    content: &Content,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    for n in content.news {
        let saved = news::ActiveModel {
            ente_id: Set(ente_id),
            title: Set(n.title.into()),
            summary: Set(n.summary.into()),
            body: Set(n.body.into()),
            published_on: Set(n.published_on),
            ..Default::default()
        }
        .insert(db)
        .await?;
        if let Some(a) = &n.attachment {
            let file = text_document(a.title, a.paragraphs);
            news_attachment::ActiveModel {
                ente_id: Set(ente_id),
                news_id: Set(saved.id),
                file_name: Set(a.file_name.into()),
                content_type: Set("application/pdf".into()),
                size_bytes: Set(file.len() as i64),
                content: Set(file),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    for d in content.documents {
        let file = text_document(d.title, d.paragraphs);
        document::ActiveModel {
            ente_id: Set(ente_id),
            title: Set(d.title.into()),
            description: Set(d.description.into()),
            file_name: Set(d.file_name.into()),
            content_type: Set("application/pdf".into()),
            size_bytes: Set(file.len() as i64),
            content: Set(file),
            published_on: Set(d.published_on),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}
