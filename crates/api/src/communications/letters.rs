//! The family's letters: the list newest first, the unread count, opening one (which
//! marks it read), its PDF and attachment; and writing letters — one per family, with
//! its messages on the family's channels (e-mail, App IO, SMS) queued in the same
//! transaction.
//!
//! A guardian reads the family's letters; a delegate those about the children delegated
//! to them (`children::service::visible_children`). Another family's letter is 404.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select,
};
use sportello_model::app_io;
use sportello_model::auth::Role;
use sportello_model::communications::Channel as Kind;
use sportello_model::contacts::{letter_channels, ChannelPreferences, Reachable};
use sportello_model::format::date as italian_date;
use sportello_model::forms::UploadInfo;
use sportello_model::letters::{
    body_html, body_paragraphs, delivery_line, sms_text, Channel, Letter, LetterDetail, LetterKind,
};
use sportello_model::page::PageRequest;
use sportello_model::sms::MobileNumber;
use sportello_model::{rome, FiscalCode, Page};
use time::OffsetDateTime;

use super::entity::{letter, letter_attachment, letter_child};
use super::outbox::NewMessage;
use super::{app_io_available, enqueue_messages, insert_batches, BATCH};
use crate::accounts::entity::user;
use crate::auth::Principal;
use crate::children::entity::child;
use crate::children::service::visible_children;
use crate::db::{fetch_page, EnteId, TenantScoped};
use crate::entes::entity::ente;
use crate::error::{ApiError, ApiResult};

/// The letters `principal` may read: a guardian the family's, a delegate those about the
/// children delegated to them.
fn visible(principal: &Principal) -> Select<letter::Entity> {
    let in_ente = letter::Entity::find_in_ente(principal.ente_id);
    if principal.role == Role::Guardian {
        return in_ente.filter(letter::Column::GuardianId.eq(principal.user_id));
    }
    let children = visible_children(principal)
        .select_only()
        .column(child::Column::Id)
        .into_query();
    in_ente.filter(
        letter::Column::Id.in_subquery(
            letter_child::Entity::find_in_ente(principal.ente_id)
                .select_only()
                .column(letter_child::Column::LetterId)
                .filter(letter_child::Column::ChildId.in_subquery(children))
                .into_query(),
        ),
    )
}

async fn find(db: &DatabaseConnection, principal: &Principal, id: i64) -> ApiResult<letter::Model> {
    visible(principal)
        .filter(letter::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

fn channels(row: &letter::Model) -> Vec<Channel> {
    [
        (row.by_email, Channel::Email),
        (row.by_sms, Channel::Sms),
        (row.by_app_io, Channel::AppIo),
    ]
    .into_iter()
    .filter_map(|(went, channel)| went.then_some(channel))
    .collect()
}

fn dto(row: &letter::Model) -> Letter {
    let channels = channels(row);
    Letter {
        id: row.id,
        kind: row.kind,
        kind_label: row.kind.label().into(),
        title: row.title.clone(),
        sent_at: row.created_at,
        read_at: row.read_at,
        delivery_line: delivery_line(&channels),
        channels,
        has_attachment: row.attachment_id.is_some(),
    }
}

/// Comunicazioni: the family's letters, newest first.
pub async fn list(
    db: &DatabaseConnection,
    principal: &Principal,
    paging: PageRequest,
) -> ApiResult<Page<Letter>> {
    let paginator = visible(principal)
        .order_by_desc(letter::Column::CreatedAt)
        .order_by_desc(letter::Column::Id)
        .paginate(db, paging.per_page);
    Ok(fetch_page(paginator, paging, |row| dto(&row)).await?)
}

/// A family's letters, newest first, for the office's family page (reading them there
/// marks nothing read).
pub async fn of_family(
    db: &DatabaseConnection,
    ente_id: EnteId,
    guardian_id: i64,
    paging: PageRequest,
) -> ApiResult<Page<Letter>> {
    let paginator = letter::Entity::find_in_ente(ente_id)
        .filter(letter::Column::GuardianId.eq(guardian_id))
        .order_by_desc(letter::Column::CreatedAt)
        .order_by_desc(letter::Column::Id)
        .paginate(db, paging.per_page);
    Ok(fetch_page(paginator, paging, |row| dto(&row)).await?)
}

/// How many of the family's letters nobody has opened yet.
pub async fn unread(db: &DatabaseConnection, principal: &Principal) -> ApiResult<u64> {
    Ok(visible(principal)
        .filter(letter::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

async fn attachment_of(
    db: &DatabaseConnection,
    row: &letter::Model,
) -> ApiResult<Option<letter_attachment::Model>> {
    let Some(id) = row.attachment_id else {
        return Ok(None);
    };
    Ok(Some(
        letter_attachment::Entity::find_in_ente(row.ente_id)
            .filter(letter_attachment::Column::Id.eq(id))
            .one(db)
            .await?
            .ok_or_else(|| ApiError::internal("a letter's attachment is missing"))?,
    ))
}

/// What the family and the operator see of an attachment.
pub(super) fn info(file: &letter_attachment::Model) -> UploadInfo {
    UploadInfo {
        id: file.id,
        file_name: file.file_name.clone(),
        content_type: file.content_type.clone(),
        size_bytes: file.size_bytes,
    }
}

/// Opens a letter: the first opening marks it read at `now` (one conditional update, so
/// the first time stays).
pub async fn open(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
    now: OffsetDateTime,
) -> ApiResult<LetterDetail> {
    let mut row = find(db, principal, id).await?;
    if row.read_at.is_none() {
        letter::Entity::update_many()
            .col_expr(letter::Column::ReadAt, Expr::value(now))
            .filter(letter::Column::EnteId.eq(row.ente_id))
            .filter(letter::Column::Id.eq(row.id))
            .filter(letter::Column::ReadAt.is_null())
            .exec(db)
            .await?;
        row = find(db, principal, id).await?;
    }
    let attachment = attachment_of(db, &row).await?.map(|a| info(&a));
    Ok(LetterDetail {
        letter: dto(&row),
        body_html: body_html(&row.body),
        attachment,
    })
}

/// *Scarica*: the letter as a PDF with the comune's name, the kind and the Italian date.
pub async fn pdf(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
    comune: &str,
) -> ApiResult<(String, Vec<u8>)> {
    let row = find(db, principal, id).await?;
    let day = rome::local(row.created_at).date();
    let mut paragraphs = vec![
        comune.to_owned(),
        format!("{} del {}", row.kind.label(), italian_date(day)),
    ];
    paragraphs.extend(body_paragraphs(&row.body));
    if let Some(file) = attachment_of(db, &row).await? {
        paragraphs.push(format!("Allegato: {}", file.file_name));
    }
    paragraphs.push(delivery_line(&channels(&row)));
    Ok((
        format!("comunicazione-{}.pdf", row.id),
        crate::pdf::text_document(&row.title, &paragraphs),
    ))
}

/// The file attached to a letter; 404 when it has none.
pub async fn attachment(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
) -> ApiResult<letter_attachment::Model> {
    let row = find(db, principal, id).await?;
    attachment_of(db, &row).await?.ok_or(ApiError::NotFound)
}

/// The comune letters come from: its name (for the e-mail, the SMS and App IO), and
/// whether it writes through App IO.
pub struct Sender {
    pub name: String,
    pub app_io: bool,
}

impl Sender {
    /// The comune `ente_id`, with its channels of `settings`.
    pub async fn of(
        db: &DatabaseConnection,
        settings: &sportello_notify::Settings,
        ente_id: EnteId,
    ) -> ApiResult<Sender> {
        let ente = crate::entes::service::by_id(db, ente_id).await?;
        Ok(Sender::for_ente(settings, &ente))
    }

    /// The comune `ente`, with its channels of `settings`.
    pub fn for_ente(settings: &sportello_notify::Settings, ente: &ente::Model) -> Sender {
        Sender {
            app_io: app_io_available(settings, &ente.slug),
            name: ente.name.clone(),
        }
    }
}

/// What is written to every recipient.
pub struct Outgoing<'a> {
    pub ente_id: EnteId,
    /// The comune it comes from.
    pub sender: &'a Sender,
    pub communication_id: Option<i64>,
    pub kind: LetterKind,
    pub title: &'a str,
    pub body: &'a str,
    pub attachment_id: Option<i64>,
    /// An urgent notice: an SMS as well.
    pub urgent: bool,
    /// App IO's `payment_data` of a letter asking to pay: the family pays from the app.
    pub payment_data: Option<serde_json::Value>,
}

/// A family a letter goes to: its guardian, and the children it is about.
pub struct Recipient {
    pub guardian_id: i64,
    pub children: Vec<i64>,
}

/// Writes one letter per recipient in the caller's transaction, with the children each
/// is about, and queues its messages on the channels its guardian gets letters by
/// ([`letter_channels`]: e-mail, App IO by codice fiscale, SMS to a confirmed number for
/// an urgent notice or when chosen). Letters of a communication are written in batches; a
/// letter alone (a form's outcome) as one row. Returns each guardian's letter id.
pub async fn write<C: ConnectionTrait>(
    txn: &C,
    outgoing: &Outgoing<'_>,
    recipients: &[Recipient],
    now: OffsetDateTime,
) -> ApiResult<HashMap<i64, i64>> {
    let guardians = guardians(txn, outgoing.ente_id, recipients).await?;
    let channels_of = |guardian_id: i64| {
        guardians
            .get(&guardian_id)
            .map(|user| {
                letter_channels(
                    ChannelPreferences {
                        email: user.channel_email,
                        sms: user.channel_sms,
                        app_io: user.channel_app_io,
                    },
                    Reachable {
                        email: user.email.is_some(),
                        mobile: user.mobile.is_some(),
                        app_io: outgoing.sender.app_io,
                    },
                    outgoing.urgent,
                )
            })
            .unwrap_or_default()
    };
    let row = |r: &Recipient| {
        let channels = channels_of(r.guardian_id);
        letter::ActiveModel {
            ente_id: Set(outgoing.ente_id),
            communication_id: Set(outgoing.communication_id),
            guardian_id: Set(r.guardian_id),
            kind: Set(outgoing.kind),
            title: Set(outgoing.title.to_owned()),
            body: Set(outgoing.body.to_owned()),
            attachment_id: Set(outgoing.attachment_id),
            by_email: Set(channels.contains(&Channel::Email)),
            by_sms: Set(channels.contains(&Channel::Sms)),
            by_app_io: Set(channels.contains(&Channel::AppIo)),
            created_at: Set(now),
            read_at: Set(None),
            ..Default::default()
        }
    };
    let letter_ids: HashMap<i64, i64> = match outgoing.communication_id {
        Some(communication_id) => {
            insert_batches(txn, recipients.iter().map(&row).collect()).await?;
            letter::Entity::find_in_ente(outgoing.ente_id)
                .select_only()
                .column(letter::Column::GuardianId)
                .column(letter::Column::Id)
                .filter(letter::Column::CommunicationId.eq(communication_id))
                .into_tuple::<(i64, i64)>()
                .all(txn)
                .await?
                .into_iter()
                .collect()
        }
        None => {
            let mut ids = HashMap::new();
            for r in recipients {
                ids.insert(r.guardian_id, row(r).insert(txn).await?.id);
            }
            ids
        }
    };
    let mut about = Vec::new();
    for r in recipients {
        let letter_id = *letter_ids
            .get(&r.guardian_id)
            .ok_or_else(|| ApiError::internal("a letter just written is missing"))?;
        about.extend(r.children.iter().map(|child_id| letter_child::ActiveModel {
            ente_id: Set(outgoing.ente_id),
            letter_id: Set(letter_id),
            child_id: Set(*child_id),
            ..Default::default()
        }));
    }
    insert_batches(txn, about).await?;
    let subject = format!("{}: {}", outgoing.sender.name, outgoing.title);
    let text = email_text(outgoing);
    let sms = sms_text(&outgoing.sender.name, outgoing.title);
    let io_subject = app_io::shorten(&subject, *app_io::SUBJECT_LENGTH.end());
    let io_text = app_io_text(outgoing);
    let mut messages = Vec::new();
    for r in recipients {
        let Some(user) = guardians.get(&r.guardian_id) else {
            continue;
        };
        for channel in channels_of(r.guardian_id) {
            let (kind, recipient, subject, body) = match channel {
                Channel::Email => (Kind::Email, user.email.clone(), &subject, &text),
                Channel::Sms => (
                    Kind::Sms,
                    user.mobile.as_ref().map(|m| m.as_str().to_owned()),
                    &subject,
                    &sms,
                ),
                Channel::AppIo => (
                    Kind::AppIo,
                    Some(user.fiscal_code.as_str().to_owned()),
                    &io_subject,
                    &io_text,
                ),
            };
            if let Some(recipient) = recipient {
                messages.push(NewMessage {
                    channel: kind,
                    recipient,
                    subject: subject.clone(),
                    body: body.clone(),
                    attachment: None,
                    payment_data: matches!(kind, Kind::AppIo)
                        .then(|| outgoing.payment_data.clone())
                        .flatten(),
                });
            }
        }
    }
    enqueue_messages(txn, outgoing.ente_id, messages, now).await?;
    Ok(letter_ids)
}

/// Where the family finds a letter, at the end of its e-mail and App IO message.
const WHERE_TO_FIND: &str = "Trovi questa comunicazione, anche in PDF, nell'area personale del portale dei servizi scolastici, alla voce Comunicazioni.";

/// The App IO message of a letter: its text (IO renders the same Markdown) within IO's
/// limit, and where to find it.
fn app_io_text(outgoing: &Outgoing<'_>) -> String {
    let tail = format!("\n\n{WHERE_TO_FIND}");
    let room = app_io::MARKDOWN_LENGTH.end() - app_io::io_length(&tail);
    format!("{}{tail}", app_io::shorten(outgoing.body.trim(), room))
}

/// The e-mail of a letter: its kind, title and text, and where to find it.
fn email_text(outgoing: &Outgoing<'_>) -> String {
    let mut text = format!("{}\n\n{}\n\n", outgoing.kind.label(), outgoing.title);
    for paragraph in body_paragraphs(outgoing.body) {
        text.push_str(&paragraph);
        text.push_str("\n\n");
    }
    if outgoing.attachment_id.is_some() {
        text.push_str("La comunicazione ha un allegato: lo trovi nell'area personale.\n\n");
    }
    text.push_str(&format!("{WHERE_TO_FIND}\n\n{}", outgoing.sender.name));
    text
}

/// How a recipient's guardian is reached: e-mail, confirmed mobile number, codice
/// fiscale (App IO), and chosen channels.
struct Guardian {
    email: Option<String>,
    mobile: Option<MobileNumber>,
    fiscal_code: FiscalCode,
    channel_email: bool,
    channel_sms: bool,
    channel_app_io: bool,
}

/// The recipients' guardians, by id.
async fn guardians<C: ConnectionTrait>(
    db: &C,
    ente_id: EnteId,
    recipients: &[Recipient],
) -> ApiResult<HashMap<i64, Guardian>> {
    let mut found = HashMap::new();
    for batch in recipients.chunks(BATCH) {
        let rows = user::Entity::find_in_ente(ente_id)
            .filter(user::Column::Id.is_in(batch.iter().map(|r| r.guardian_id)))
            .all(db)
            .await?;
        found.extend(rows.into_iter().map(|user| {
            (
                user.id,
                Guardian {
                    email: user
                        .email
                        .map(|e| e.trim().to_owned())
                        .filter(|e| !e.is_empty()),
                    mobile: user.mobile,
                    fiscal_code: user.fiscal_code,
                    channel_email: user.channel_email,
                    channel_sms: user.channel_sms,
                    channel_app_io: user.channel_app_io,
                },
            )
        }));
    }
    Ok(found)
}
