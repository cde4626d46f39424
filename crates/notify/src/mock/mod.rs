//! Local stand-ins for the providers, for tests: real HTTP servers on 127.0.0.1
//! (wiremock) that answer as the providers' published API descriptions say, check what
//! the client sends (method, path, credentials, body shape and lengths) and refuse what
//! the provider would refuse, with the provider's own error bodies. Each keeps the
//! messages it accepted for the test to read.

mod app_io;
mod twilio;

pub use app_io::{AppIoStandIn, IoRefusal};
pub use twilio::{QueuedSms, TwilioRefusal, TwilioStandIn};

use std::sync::{Arc, Mutex, MutexGuard};

/// State shared between a stand-in and its responders.
#[derive(Default)]
struct Shared<T>(Arc<Mutex<T>>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, T> {
        // A test that panicked while holding the lock has failed already.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
