//! Comunicazioni: the family's letters and unread count; the operators' compositions,
//! their attachment, preview, sending and history.

use sportello_model::forms::UploadInfo;
use sportello_model::letters::{
    AudienceChoices, CommunicationPreview, CommunicationSummary, FamilyChoice, Letter,
    LetterDetail, NewCommunication, UnreadLetters,
};
use sportello_model::{paths, Page};

use super::client::{get_authed, get_page_authed, post_authed, post_file_authed, ApiResult};
use crate::session::Session;

/// The family's letters, newest first.
pub async fn my_letters(session: Session, page: u64, per_page: u64) -> ApiResult<Page<Letter>> {
    get_page_authed(session, &paths::my_letters(), page, per_page).await
}

/// How many of the family's letters are unread.
pub async fn unread_letters(session: Session) -> ApiResult<UnreadLetters> {
    get_authed(session, &paths::my_letters_unread(), &[]).await
}

/// Opens a letter, which marks it read.
pub async fn open_letter(session: Session, id: i64) -> ApiResult<LetterDetail> {
    get_authed(session, &paths::my_letter(id), &[]).await
}

/// The services, schools and classes an audience is chosen from.
pub async fn audience_choices(session: Session) -> ApiResult<AudienceChoices> {
    get_authed(session, &paths::communication_audiences(), &[]).await
}

/// Families whose guardian's name or codice fiscale holds the words of `text`.
pub async fn search_families(session: Session, text: &str) -> ApiResult<Vec<FamilyChoice>> {
    get_authed(
        session,
        &paths::communication_families(),
        &[("q", text.to_owned())],
    )
    .await
}

/// Anteprima: the letter as families will read it and how many will get it.
pub async fn preview_communication(
    session: Session,
    communication: &NewCommunication,
) -> ApiResult<CommunicationPreview> {
    post_authed(
        session,
        &paths::communication_preview(),
        Some(communication),
    )
    .await
}

/// Allegato: keeps `file` (named `name`) to attach to a communication.
pub async fn attach_to_communication(
    session: Session,
    name: &str,
    file: &web_sys::Blob,
) -> ApiResult<UploadInfo> {
    let query = [("name", name.to_owned())];
    post_file_authed(session, &paths::communication_attachments(), &query, file).await
}

/// Invia: one letter per family (the same request id sends once).
pub async fn send_communication(
    session: Session,
    communication: &NewCommunication,
) -> ApiResult<CommunicationSummary> {
    post_authed(session, &paths::communications(), Some(communication)).await
}

/// The communications sent, newest first.
pub async fn communications(
    session: Session,
    page: u64,
    per_page: u64,
) -> ApiResult<Page<CommunicationSummary>> {
    get_page_authed(session, &paths::communications(), page, per_page).await
}
