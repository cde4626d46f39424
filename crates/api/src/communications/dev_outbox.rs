//! `/dev/outbox`, outside production only: the last messages of the outbox of every
//! comune, with their text, so that a developer reads what the development sink
//! "delivered" (a password-reset link, a confirmation code) as a family would.

use actix_web::{get, web, HttpResponse};
use sea_orm::{EntityTrait, QueryOrder, QuerySelect};
use sportello_model::format;

use super::entity::outbox_message;
use crate::error::ApiResult;
use crate::http::escape_html;
use crate::startup::AppState;

/// Messages shown, newest first.
const SHOWN: u64 = 50;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(page);
}

#[get("/outbox")]
async fn page(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let messages = outbox_message::Entity::find()
        .order_by_desc(outbox_message::Column::Id)
        .limit(SHOWN)
        .all(&state.db)
        .await?;
    let rows: String = messages
        .iter()
        .map(|m| {
            format!(
                "<article><h2>{subject}</h2><p>{channel} a <strong>{recipient}</strong> · {date} · {status}</p>{attachment}<pre>{body}</pre></article>",
                subject = escape_html(&m.subject),
                channel = m.channel.label(),
                recipient = escape_html(&m.recipient),
                date = format::date_at_time(m.created_at),
                status = m.status.label(),
                attachment = m
                    .attachment_name
                    .as_deref()
                    .map(|name| format!("<p>Allegato: {}</p>", escape_html(name)))
                    .unwrap_or_default(),
                body = escape_html(&m.body),
            )
        })
        .collect();
    let empty = if messages.is_empty() {
        "<p>Nessun messaggio.</p>"
    } else {
        ""
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            r#"<!doctype html>
<html lang="it"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Messaggi inviati in sviluppo</title></head>
<body><main>
<h1>Messaggi inviati in sviluppo</h1>
<p>Fuori produzione i canali senza un servizio configurato consegnano qui (e nel log del server): e-mail, SMS e messaggi App IO, gli ultimi {SHOWN}.</p>
{empty}{rows}
</main></body></html>"#
        )))
}
