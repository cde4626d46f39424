//! The comune's set-up: its settings and logo, its services and their fee bands, its
//! staff accounts.

use sportello_model::entes::{EnteSettingsForm, LogoSaved, Service, ServiceDetail, ServiceForm};
use sportello_model::fee_bands::FeeBandsForm;
use sportello_model::paths;
use sportello_model::staff::{StaffChange, StaffInvite, StaffMember};

use super::client::{get_authed, post_authed, post_file_authed, put_authed, ApiResult};
use crate::session::Session;

pub async fn ente_settings(session: Session) -> ApiResult<EnteSettingsForm> {
    get_authed(session, &paths::office_settings(), &[]).await
}

pub async fn save_ente_settings(
    session: Session,
    form: &EnteSettingsForm,
) -> ApiResult<EnteSettingsForm> {
    put_authed(session, &paths::office_settings(), form).await
}

/// Replaces the comune's logo with the image the administrator chose.
pub async fn upload_logo(session: Session, image: &web_sys::Blob) -> ApiResult<LogoSaved> {
    post_file_authed(session, &paths::office_logo(), &[], image).await
}

pub async fn office_services(session: Session) -> ApiResult<Vec<Service>> {
    get_authed(session, &paths::office_services(), &[]).await
}

pub async fn office_service(session: Session, id: i64) -> ApiResult<ServiceDetail> {
    get_authed(session, &paths::office_service(id), &[]).await
}

pub async fn create_service(session: Session, form: &ServiceForm) -> ApiResult<ServiceDetail> {
    post_authed(session, &paths::office_services(), Some(form)).await
}

pub async fn update_service(
    session: Session,
    id: i64,
    form: &ServiceForm,
) -> ApiResult<ServiceDetail> {
    put_authed(session, &paths::office_service(id), form).await
}

/// Saves the service's whole bands table.
pub async fn save_bands(
    session: Session,
    id: i64,
    form: &FeeBandsForm,
) -> ApiResult<ServiceDetail> {
    put_authed(session, &paths::office_service_bands(id), form).await
}

pub async fn office_staff(session: Session) -> ApiResult<Vec<StaffMember>> {
    get_authed(session, &paths::office_staff(), &[]).await
}

/// Creates the account and e-mails the invitation.
pub async fn invite_staff(session: Session, invite: &StaffInvite) -> ApiResult<StaffMember> {
    post_authed(session, &paths::office_staff(), Some(invite)).await
}

/// Changes the role, or turns the account off or on.
pub async fn change_staff(
    session: Session,
    id: i64,
    change: &StaffChange,
) -> ApiResult<StaffMember> {
    put_authed(session, &paths::office_staff_member(id), change).await
}

/// Sends the invitation again, with a new link.
pub async fn invite_staff_again(session: Session, id: i64) -> ApiResult<StaffMember> {
    post_authed::<(), _>(session, &paths::office_staff_invitation(id), None).await
}
