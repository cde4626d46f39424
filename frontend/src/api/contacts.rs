//! Contatti e preferenze: the user's e-mail and mobile number, changed with a code sent
//! to the new one, and the channels letters come by.

use sportello_model::contacts::{
    ChannelPreferences, ContactChange, ContactConfirmation, Contacts, PendingChange,
};
use sportello_model::paths;

use super::client::{get_authed, post_authed, put_authed, ApiResult};
use crate::session::Session;

pub async fn my_contacts(session: Session) -> ApiResult<Contacts> {
    get_authed(session, &paths::my_contacts(), &[]).await
}

/// Chooses the channels letters come by.
pub async fn set_channels(session: Session, channels: ChannelPreferences) -> ApiResult<Contacts> {
    put_authed(session, &paths::my_channels(), &channels).await
}

/// Asks for a new e-mail or mobile number: a code is sent to it.
pub async fn request_contact_change(
    session: Session,
    change: ContactChange,
) -> ApiResult<PendingChange> {
    post_authed(session, &paths::my_contact_changes(), Some(&change)).await
}

/// Confirms the new e-mail or mobile number with the code received.
pub async fn confirm_contact_change(
    session: Session,
    confirmation: ContactConfirmation,
) -> ApiResult<Contacts> {
    post_authed(
        session,
        &paths::my_contact_confirmation(),
        Some(&confirmation),
    )
    .await
}
