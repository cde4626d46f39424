//! Who is logged in: the session context shared by every page.

use leptos::prelude::*;
use leptos::task::spawn_local;
use sportello_model::auth::{Me, Role, TokenResponse};

use crate::api;

/// What the SPA knows about the user.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionState {
    /// Asking the server whether the refresh cookie still opens a session.
    Restoring,
    Anonymous,
    SignedIn(Me),
}

#[derive(Clone, Copy)]
pub struct Session {
    state: RwSignal<SessionState>,
    /// How many times the user logged out: a protected page mounted before the last
    /// logout is being left for the home page and must not ask to log in again.
    logouts: StoredValue<u32>,
}

impl Session {
    /// Creates the session, provides it as context and tries to restore it from the
    /// refresh cookie (a reload, or the return from a SPID/CIE login).
    pub fn provide() -> Session {
        let session = Session {
            state: RwSignal::new(SessionState::Restoring),
            logouts: StoredValue::new(0),
        };
        provide_context(session);
        spawn_local(async move {
            match api::refresh().await {
                Ok(tokens) => session.signed_in(tokens),
                Err(_) => session.state.update(|state| {
                    if *state == SessionState::Restoring {
                        *state = SessionState::Anonymous;
                    }
                }),
            }
        });
        session
    }

    /// Whether the session is still being restored (tracked).
    pub fn restoring(&self) -> bool {
        self.state.with(|state| *state == SessionState::Restoring)
    }

    /// The user logged in to the comune `slug` (tracked).
    pub fn user_in(&self, slug: &str) -> Option<Me> {
        self.state.with(|state| match state {
            SessionState::SignedIn(me) if me.ente_slug == slug => Some(me.clone()),
            _ => None,
        })
    }

    /// The role of the user logged in to `slug` (tracked).
    pub fn role_in(&self, slug: &str) -> Option<Role> {
        self.state.with(|state| match state {
            SessionState::SignedIn(me) if me.ente_slug == slug => Some(me.role),
            _ => None,
        })
    }

    pub fn signed_in(&self, tokens: TokenResponse) {
        api::set_access_token(Some(tokens.access_token));
        let next = SessionState::SignedIn(tokens.user);
        if self.state.with_untracked(|state| *state != next) {
            self.state.set(next);
        }
    }

    /// Forgets the user; protected pages then send them to the login page.
    pub fn signed_out(&self) {
        api::set_access_token(None);
        self.state.set(SessionState::Anonymous);
    }

    /// The user chose "Esci": forget them without sending them to the login page.
    pub fn logged_out(&self) {
        self.logouts.update_value(|count| *count += 1);
        self.signed_out();
    }

    /// Counter of deliberate logouts (untracked).
    pub fn logouts(&self) -> u32 {
        self.logouts.get_value()
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
