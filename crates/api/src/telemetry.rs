//! Structured logs (tracing): JSON in production, readable text elsewhere.

use tracing_subscriber::{fmt, EnvFilter};

use crate::config::Environment;

pub fn init(environment: Environment) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if environment == Environment::Production {
        builder.json().init();
    } else {
        builder.init();
    }
}
