//! Configuration from environment variables, with safe defaults for local use.
//! Secrets are [`SecretString`]s: `Debug` shows them redacted, and they are exposed
//! only where they are used.

use std::env;

use secrecy::SecretString;

/// Where the server runs; production refuses unsafe defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Test,
    Production,
}

/// How the log is written: one JSON object per line for a log collector (the default in
/// production), or readable text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Text,
}

/// A SPID or CIE identity provider of the federation (or the development one).
#[derive(Debug, Clone)]
pub struct OidcProviderConfig {
    /// Identifier in addresses: `spid`, `cie`.
    pub id: String,
    /// Label on the login button.
    pub label: String,
    /// Entity id (and OpenID issuer); its metadata comes from its trust chain.
    pub issuer: String,
    /// Ids of the trust marks the provider must carry, valid, to be used
    /// (`OIDC_<ID>_TRUST_MARKS`, comma-separated).
    pub trust_marks: Vec<String>,
}

/// The installation in the SPID/CIE OpenID Connect federation.
#[derive(Debug, Clone, Default)]
pub struct FederationConfig {
    /// PEM private keys, the first active: federation (`FEDERATION_KEYS`), OIDC signature
    /// (`OIDC_SIGNING_KEYS`) and OIDC encryption (`OIDC_ENCRYPTION_KEYS`). Outside
    /// production, generated at start-up when unset.
    pub keys: Option<FederationKeysConfig>,
    /// The trust anchor: entity id (`FEDERATION_TRUST_ANCHOR`) and its public keys as a
    /// JWK Set (`FEDERATION_TRUST_ANCHOR_JWKS`). Outside production, the development one
    /// when unset.
    pub trust_anchor: Option<(String, serde_json::Value)>,
    /// Superiors of the installation (`FEDERATION_AUTHORITY_HINTS`); the trust anchor when
    /// empty.
    pub authority_hints: Vec<String>,
    /// Trust marks issued to the installation, as a JSON array (`FEDERATION_TRUST_MARKS`).
    pub trust_marks: serde_json::Value,
    /// `FEDERATION_ORGANIZATION_NAME`.
    pub organization_name: String,
    /// `FEDERATION_CONTACTS`, comma-separated e-mail addresses.
    pub contacts: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct FederationKeysConfig {
    pub federation: SecretString,
    pub oidc_signing: SecretString,
    pub oidc_encryption: SecretString,
}

/// The pagoPA station through which the node delivers the comuni's receipts
/// (`paSendRT`, `paSendRTV2`): one per installation, run by its intermediary, serving
/// every comune of the installation.
///
/// pagoPA's node calls stations over HTTPS with mutual TLS, presenting pagoPA's client
/// certificate. The TLS-terminating proxy in front of the portal verifies it and passes
/// its subject in `subject_header`, overwriting whatever a client sent there; the
/// portal accepts a call only when that subject is `subject`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagopaStation {
    /// `idBrokerPA`: the intermediary's fiscal code (`PAGOPA_BROKER_ID`).
    pub broker_id: String,
    /// `idStation` (`PAGOPA_STATION_ID`).
    pub station_id: String,
    /// Header with the verified client certificate's subject
    /// (`PAGOPA_NODE_SUBJECT_HEADER`, default `X-SSL-Client-S-DN`).
    pub subject_header: String,
    /// Subject of pagoPA's client certificate (`PAGOPA_NODE_SUBJECT`).
    pub subject: String,
}

/// The station outside production, when none is configured; the simulator presents
/// [`DEV_NODE_SUBJECT`] as pagoPA's node would present its certificate.
pub const DEV_BROKER_ID: &str = "01234567890";
pub const DEV_STATION_ID: &str = "01234567890_01";
pub const DEV_NODE_SUBJECT: &str = "CN=Nodo dei Pagamenti simulato,O=Sportello";
/// Header of the verified client certificate's subject, unless configured.
pub const DEFAULT_SUBJECT_HEADER: &str = "X-SSL-Client-S-DN";

/// How the connection to the SMTP server is protected (`SMTP_SECURITY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `starttls` (the default, port 587): plain connection upgraded to TLS, required.
    StartTls,
    /// `tls` (port 465): TLS from the first byte.
    Tls,
    /// `plain` (port 25): no TLS, for a relay on this machine only.
    Plain,
}

/// The SMTP server e-mails are sent through.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// `SMTP_HOST`.
    pub host: String,
    /// `SMTP_PORT`; by default 587, 465 or 25 after the security.
    pub port: u16,
    pub security: SmtpSecurity,
    /// `SMTP_USERNAME` and `SMTP_PASSWORD`, set together or not at all.
    pub credentials: Option<(String, SecretString)>,
    /// `SMTP_FROM`: the sender's address.
    pub from: String,
    /// `SMTP_FROM_NAME`: the sender's name; the comune's name when unset.
    pub from_name: Option<String>,
    /// `SMTP_TIMEOUT_SECONDS` (default 15): connecting and each command.
    pub timeout: std::time::Duration,
}

/// The outbox's worker.
#[derive(Debug, Clone)]
pub struct OutboxConfig {
    /// `SPORTELLO_OUTBOX_WORKER` (default true): this replica delivers messages.
    pub worker: bool,
    /// `SPORTELLO_OUTBOX_MAX_ATTEMPTS` (default 6): attempts before a message is dead.
    pub max_attempts: i32,
    /// `SPORTELLO_OUTBOX_POLL_MS` (default 1000): the wait when nothing is due.
    pub poll: std::time::Duration,
    /// Outside production: channels without a real service go to the development sink
    /// (`SPORTELLO_DEV_SINK`, default true), listed on `/dev/outbox`.
    pub dev_sink: bool,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    /// May carry the database password.
    pub database_url: SecretString,
    /// Address to listen on; port 0 picks a free one (printed at start-up).
    pub bind: String,
    /// Public base address of the portal, e.g. `https://scuola.comune.example.it`.
    /// When unset it is derived from the bound address.
    pub public_url: Option<String>,
    pub jwt_secret: SecretString,
    pub access_token_ttl_seconds: u64,
    pub refresh_token_ttl_days: i64,
    /// Requests an API client may make each minute (`SPORTELLO_CLIENT_RATE_LIMIT`,
    /// default 600); beyond them 429 until the minute is over.
    pub client_rate_limit: u32,
    /// Folder of the built SPA (Trunk's `dist`).
    pub static_dir: String,
    /// Load the demo comuni, families and content into an empty database.
    pub demo_data: bool,
    /// OIDC providers from `OIDC_PROVIDERS`; empty means: use the development provider
    /// (outside production only).
    pub oidc_providers: Vec<OidcProviderConfig>,
    pub federation: FederationConfig,
    /// Whether the development identity provider is served under `/dev-idp`.
    pub dev_idp: bool,
    /// Test environment only: the development trust anchor misbehaves on purpose.
    pub dev_anchor_fault: Option<crate::dev_idp::trust_anchor::AnchorFault>,
    /// Marks cookies `Secure` (HTTPS only).
    pub secure_cookies: bool,
    /// The station receiving receipts from pagoPA's node; without one the station's
    /// endpoint is off (and the simulator cannot deliver receipts).
    pub pagopa_station: Option<PagopaStation>,
    /// Bearer token of `/metrics`; without it the metrics are not served.
    pub metrics_token: Option<SecretString>,
    /// Serve the built-in pagoPA simulator (checkout and counter); never in production.
    pub pagopa_simulator: bool,
    /// pagoPA GPD service: base URL and subscription key. When set, notices are
    /// registered there as debt positions.
    pub pagopa_gpd: Option<(String, SecretString)>,
    /// pagoPA Checkout's API for ente carts, up to and including the version
    /// (`PAGOPA_CHECKOUT_URL`, e.g. `https://api.platform.pagopa.it/checkout/ec/v1`).
    /// Unset, online payments go to the simulator's Checkout when it is served, and are
    /// not offered otherwise.
    pub pagopa_checkout_url: Option<String>,
    /// pagoPA GPD-payments receipts API (`PAGOPA_GPD_PAYMENTS_URL`,
    /// `PAGOPA_GPD_PAYMENTS_KEY`): where the receipts of comuni that use only GPD are
    /// fetched.
    pub pagopa_gpd_payments: Option<(String, SecretString)>,
    /// pagoPA FdR service for organizations (`PAGOPA_FDR_URL`, `PAGOPA_FDR_KEY`): where
    /// the flussi di rendicontazione are read on schedule.
    pub pagopa_fdr: Option<(String, SecretString)>,
    /// Seconds between two runs of the job fetching receipts from GPD-payments
    /// (`SPORTELLO_RECEIPTS_JOB_SECONDS`, default 60; each notice itself is asked about
    /// less and less often).
    pub receipts_job_every: std::time::Duration,
    /// Seconds between two imports from the FdR service (`SPORTELLO_FLOWS_JOB_SECONDS`,
    /// default 3600).
    pub flows_job_every: std::time::Duration,
    /// Test environment only: the server's clock starts at this instant and runs on
    /// from there, so deadlines can be tested at a chosen time of day.
    pub fake_now: Option<time::OffsetDateTime>,
    /// Charge the meals of closed days on a schedule inside the server.
    pub charge_job: bool,
    /// `SPORTELLO_LOG_FORMAT`: `json` (default in production) or `text`.
    pub log_format: LogFormat,
    /// Each comune's App IO service and SMS gateway account, from the channels file
    /// (`SPORTELLO_CHANNELS_FILE`); none when unset.
    pub channel_settings: sportello_notify::Settings,
    /// E-mail over SMTP; without it e-mails go to the development sink outside
    /// production, and wait in the outbox in production.
    pub smtp: Option<SmtpConfig>,
    pub outbox: OutboxConfig,
}

/// Shortest JWT secret accepted, in bytes.
const MIN_JWT_SECRET_LEN: usize = 32;

/// Used only outside production, where a real secret is mandatory.
const DEV_JWT_SECRET: &str = "sportello-development-secret-not-for-production";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Invalid(String),
}

fn var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse_var<T: std::str::FromStr>(name: &str, default: T) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| ConfigError::Invalid(format!("{name}: valore non valido «{v}»"))),
    }
}

fn flag(name: &str, default: bool) -> Result<bool, ConfigError> {
    match var(name).as_deref().map(str::trim) {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(ConfigError::Invalid(format!(
            "{name}: atteso true o false, trovato «{other}»"
        ))),
    }
}

impl Config {
    /// Reads the configuration. In production a missing or weak `JWT_SECRET` is an error.
    pub fn from_env() -> Result<Config, ConfigError> {
        let environment = match var("SPORTELLO_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("test") => Environment::Test,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(ConfigError::Invalid(format!(
                    "SPORTELLO_ENV: atteso development, test o production, trovato «{other}»"
                )))
            }
        };
        let production = environment == Environment::Production;
        let jwt_secret = match var("JWT_SECRET") {
            Some(secret) if secret.len() >= MIN_JWT_SECRET_LEN && secret != DEV_JWT_SECRET => {
                secret
            }
            Some(_) if production => {
                return Err(ConfigError::Invalid(format!(
                    "JWT_SECRET è troppo corto: in produzione serve un segreto casuale di almeno {MIN_JWT_SECRET_LEN} caratteri (ad esempio: openssl rand -base64 48)."
                )))
            }
            None if production => {
                return Err(ConfigError::Invalid(format!(
                    "JWT_SECRET non è impostato: in produzione serve un segreto casuale di almeno {MIN_JWT_SECRET_LEN} caratteri (ad esempio: openssl rand -base64 48). Il server non parte senza."
                )))
            }
            Some(secret) => secret,
            None => DEV_JWT_SECRET.to_string(),
        };
        let oidc_providers = match var("OIDC_PROVIDERS") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(provider_from_env)
                .collect::<Result<Vec<_>, _>>()?,
        };
        let federation = federation_from_env()?;
        if production && !oidc_providers.is_empty() {
            if federation.keys.is_none() {
                return Err(ConfigError::Invalid("OIDC_PROVIDERS richiede FEDERATION_KEYS, OIDC_SIGNING_KEYS e OIDC_ENCRYPTION_KEYS (chiavi private PEM).".into()));
            }
            if federation.trust_anchor.is_none() {
                return Err(ConfigError::Invalid("OIDC_PROVIDERS richiede FEDERATION_TRUST_ANCHOR e FEDERATION_TRUST_ANCHOR_JWKS.".into()));
            }
        }
        let dev_idp = !production && flag("SPORTELLO_DEV_IDP", true)?;
        let pagopa_simulator = !production && flag("SPORTELLO_PAGOPA_SIMULATOR", true)?;
        Ok(Config {
            environment,
            database_url: var("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://data/sportello.db?mode=rwc".into())
                .into(),
            bind: var("SPORTELLO_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            public_url: var("PUBLIC_URL").map(|u| u.trim_end_matches('/').to_string()),
            jwt_secret: jwt_secret.into(),
            access_token_ttl_seconds: parse_var("ACCESS_TOKEN_TTL_SECONDS", 900)?,
            refresh_token_ttl_days: parse_var("REFRESH_TOKEN_TTL_DAYS", 30)?,
            client_rate_limit: parse_var("SPORTELLO_CLIENT_RATE_LIMIT", 600)?.max(1),
            static_dir: var("SPORTELLO_STATIC_DIR").unwrap_or_else(|| "dist".into()),
            demo_data: flag("SPORTELLO_DEMO_DATA", !production)?,
            oidc_providers,
            federation,
            dev_idp,
            dev_anchor_fault: match var("SPORTELLO_DEV_ANCHOR_FAULT") {
                None => None,
                Some(value) if environment == Environment::Test => Some(value.parse().map_err(|_| {
                    ConfigError::Invalid(format!(
                        "SPORTELLO_DEV_ANCHOR_FAULT: atteso expired_statement, wrong_signature, policy_violation, trust_mark_expired, trust_mark_other_subject o trust_mark_unknown_issuer, trovato «{value}»"
                    ))
                })?),
                Some(_) => {
                    return Err(ConfigError::Invalid(
                        "SPORTELLO_DEV_ANCHOR_FAULT è ammesso solo con SPORTELLO_ENV=test.".into(),
                    ))
                }
            },
            secure_cookies: flag("SPORTELLO_SECURE_COOKIES", production)?,
            pagopa_station: station_from_env(production)?,
            pagopa_simulator,
            metrics_token: var("SPORTELLO_METRICS_TOKEN").map(SecretString::from),
            charge_job: flag("SPORTELLO_CHARGE_JOB", true)?,
            log_format: match var("SPORTELLO_LOG_FORMAT").as_deref().map(str::trim) {
                None if production => LogFormat::Json,
                None => LogFormat::Text,
                Some("json") => LogFormat::Json,
                Some("text") => LogFormat::Text,
                Some(other) => {
                    return Err(ConfigError::Invalid(format!(
                        "SPORTELLO_LOG_FORMAT: atteso json o text, trovato «{other}»"
                    )))
                }
            },
            fake_now: match var("SPORTELLO_FAKE_NOW") {
                Some(value) if environment == Environment::Test => Some(
                    time::OffsetDateTime::parse(
                        &value,
                        &time::format_description::well_known::Rfc3339,
                    )
                    .map_err(|_| {
                        ConfigError::Invalid(format!(
                            "SPORTELLO_FAKE_NOW: atteso un istante RFC 3339, trovato «{value}»"
                        ))
                    })?,
                ),
                Some(_) => {
                    return Err(ConfigError::Invalid(
                        "SPORTELLO_FAKE_NOW è ammesso solo con SPORTELLO_ENV=test.".into(),
                    ))
                }
                None => None,
            },
            pagopa_checkout_url: var("PAGOPA_CHECKOUT_URL")
                .map(|u| u.trim().trim_end_matches('/').to_string()),
            pagopa_gpd: service_vars("PAGOPA_GPD_URL", "PAGOPA_GPD_KEY")?,
            pagopa_gpd_payments: service_vars("PAGOPA_GPD_PAYMENTS_URL", "PAGOPA_GPD_PAYMENTS_KEY")?,
            pagopa_fdr: service_vars("PAGOPA_FDR_URL", "PAGOPA_FDR_KEY")?,
            receipts_job_every: std::time::Duration::from_secs(parse_var(
                "SPORTELLO_RECEIPTS_JOB_SECONDS",
                60,
            )?),
            flows_job_every: std::time::Duration::from_secs(parse_var(
                "SPORTELLO_FLOWS_JOB_SECONDS",
                3600,
            )?),
            channel_settings: channels_from_env()?,
            smtp: smtp_from_env()?,
            outbox: OutboxConfig {
                worker: flag("SPORTELLO_OUTBOX_WORKER", true)?,
                max_attempts: parse_var(
                    "SPORTELLO_OUTBOX_MAX_ATTEMPTS",
                    sportello_model::communications::DEFAULT_MAX_ATTEMPTS,
                )?
                .max(1),
                poll: std::time::Duration::from_millis(parse_var(
                    "SPORTELLO_OUTBOX_POLL_MS",
                    1000,
                )?),
                dev_sink: !production && flag("SPORTELLO_DEV_SINK", true)?,
            },
        })
    }
}

/// The comuni's channels from the file named by `SPORTELLO_CHANNELS_FILE`: every client
/// is built here, so a wrong setting stops the server at start-up.
fn channels_from_env() -> Result<sportello_notify::Settings, ConfigError> {
    const NAME: &str = "SPORTELLO_CHANNELS_FILE";
    let Some(path) = var(NAME) else {
        return Ok(sportello_notify::Settings::default());
    };
    let text = std::fs::read_to_string(path.trim())
        .map_err(|e| ConfigError::Invalid(format!("{NAME}: impossibile leggere «{path}» ({e})")))?;
    sportello_notify::Settings::from_json(&text)
        .map_err(|e| ConfigError::Invalid(format!("{NAME}: {e}")))
}

fn smtp_from_env() -> Result<Option<SmtpConfig>, ConfigError> {
    let Some(host) = var("SMTP_HOST").map(|h| h.trim().to_string()) else {
        return Ok(None);
    };
    let security = match var("SMTP_SECURITY").as_deref().map(str::trim) {
        None | Some("starttls") => SmtpSecurity::StartTls,
        Some("tls") => SmtpSecurity::Tls,
        Some("plain") => SmtpSecurity::Plain,
        Some(other) => {
            return Err(ConfigError::Invalid(format!(
                "SMTP_SECURITY: atteso starttls, tls o plain, trovato «{other}»"
            )))
        }
    };
    if security == SmtpSecurity::Plain
        && !["localhost", "127.0.0.1", "::1"].contains(&host.as_str())
    {
        return Err(ConfigError::Invalid(format!(
            "SMTP_SECURITY=plain è ammesso solo verso un server su questa macchina (localhost), non verso «{host}»: usa starttls o tls."
        )));
    }
    let default_port = match security {
        SmtpSecurity::StartTls => 587,
        SmtpSecurity::Tls => 465,
        SmtpSecurity::Plain => 25,
    };
    let credentials = match (var("SMTP_USERNAME"), var("SMTP_PASSWORD")) {
        (Some(user), Some(password)) => Some((user, SecretString::from(password))),
        (None, None) => None,
        _ => {
            return Err(ConfigError::Invalid(
                "SMTP_USERNAME e SMTP_PASSWORD vanno impostati insieme.".into(),
            ))
        }
    };
    let from = var("SMTP_FROM").ok_or_else(|| {
        ConfigError::Invalid(
            "SMTP_FROM non è impostato: serve l'indirizzo mittente delle e-mail (ad esempio noreply@comune.example.it).".into(),
        )
    })?;
    Ok(Some(SmtpConfig {
        host,
        port: parse_var("SMTP_PORT", default_port)?,
        security,
        credentials,
        from: from.trim().to_string(),
        from_name: var("SMTP_FROM_NAME").map(|n| n.trim().to_string()),
        timeout: std::time::Duration::from_secs(parse_var("SMTP_TIMEOUT_SECONDS", 15)?),
    }))
}

fn station_from_env(production: bool) -> Result<Option<PagopaStation>, ConfigError> {
    let subject_header =
        var("PAGOPA_NODE_SUBJECT_HEADER").unwrap_or_else(|| DEFAULT_SUBJECT_HEADER.into());
    let station = |broker_id: String, station_id: String, subject: String| PagopaStation {
        broker_id,
        station_id,
        subject_header: subject_header.clone(),
        subject,
    };
    match (
        var("PAGOPA_BROKER_ID"),
        var("PAGOPA_STATION_ID"),
        var("PAGOPA_NODE_SUBJECT"),
    ) {
        (Some(broker), Some(id), Some(subject)) => Ok(Some(station(broker, id, subject))),
        (None, None, None) if production => Ok(None),
        (None, None, None) => Ok(Some(station(
            DEV_BROKER_ID.into(),
            DEV_STATION_ID.into(),
            DEV_NODE_SUBJECT.into(),
        ))),
        _ => Err(ConfigError::Invalid(
            "PAGOPA_BROKER_ID, PAGOPA_STATION_ID e PAGOPA_NODE_SUBJECT vanno impostati insieme."
                .into(),
        )),
    }
}

/// The base URL and subscription key of a pagoPA service, set together or not at all.
fn service_vars(url: &str, key: &str) -> Result<Option<(String, SecretString)>, ConfigError> {
    match (var(url), var(key)) {
        (Some(url), Some(key)) => Ok(Some((url, key.into()))),
        (None, None) => Ok(None),
        _ => Err(ConfigError::Invalid(format!(
            "{url} e {key} vanno impostati insieme."
        ))),
    }
}

fn provider_from_env(id: &str) -> Result<OidcProviderConfig, ConfigError> {
    let key = id.to_ascii_uppercase();
    let required = |suffix: &str| {
        var(&format!("OIDC_{key}_{suffix}")).ok_or_else(|| {
            ConfigError::Invalid(format!(
                "OIDC_{key}_{suffix} non è impostato per il provider «{id}» elencato in OIDC_PROVIDERS"
            ))
        })
    };
    Ok(OidcProviderConfig {
        id: id.to_ascii_lowercase(),
        label: var(&format!("OIDC_{key}_LABEL")).unwrap_or_else(|| key.clone()),
        issuer: required("ISSUER")?.trim_end_matches('/').to_string(),
        trust_marks: list_var(&format!("OIDC_{key}_TRUST_MARKS")),
    })
}

fn json_var(name: &str) -> Result<Option<serde_json::Value>, ConfigError> {
    var(name)
        .map(|v| {
            serde_json::from_str(&v)
                .map_err(|_| ConfigError::Invalid(format!("{name}: JSON non valido")))
        })
        .transpose()
}

fn list_var(name: &str) -> Vec<String> {
    var(name)
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn federation_from_env() -> Result<FederationConfig, ConfigError> {
    let keys = match (
        var("FEDERATION_KEYS"),
        var("OIDC_SIGNING_KEYS"),
        var("OIDC_ENCRYPTION_KEYS"),
    ) {
        (Some(federation), Some(oidc_signing), Some(oidc_encryption)) => {
            Some(FederationKeysConfig {
                federation: federation.into(),
                oidc_signing: oidc_signing.into(),
                oidc_encryption: oidc_encryption.into(),
            })
        }
        (None, None, None) => None,
        _ => return Err(ConfigError::Invalid(
            "FEDERATION_KEYS, OIDC_SIGNING_KEYS e OIDC_ENCRYPTION_KEYS vanno impostate insieme."
                .into(),
        )),
    };
    let trust_anchor = match (
        var("FEDERATION_TRUST_ANCHOR"),
        json_var("FEDERATION_TRUST_ANCHOR_JWKS")?,
    ) {
        (Some(id), Some(jwks)) if jwks.get("keys").is_some_and(|k| k.is_array()) => {
            Some((id.trim_end_matches('/').to_string(), jwks))
        }
        (None, None) => None,
        _ => {
            return Err(ConfigError::Invalid(
                "FEDERATION_TRUST_ANCHOR e FEDERATION_TRUST_ANCHOR_JWKS (un JWK Set: {\"keys\": [...]}) vanno impostati insieme.".into(),
            ))
        }
    };
    let trust_marks = json_var("FEDERATION_TRUST_MARKS")?.unwrap_or(serde_json::json!([]));
    if !trust_marks.is_array() {
        return Err(ConfigError::Invalid(
            "FEDERATION_TRUST_MARKS: atteso un array JSON di trust mark.".into(),
        ));
    }
    Ok(FederationConfig {
        keys,
        trust_anchor,
        authority_hints: list_var("FEDERATION_AUTHORITY_HINTS"),
        trust_marks,
        organization_name: var("FEDERATION_ORGANIZATION_NAME")
            .unwrap_or_else(|| "Sportello".into()),
        contacts: list_var("FEDERATION_CONTACTS"),
    })
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn debug_output_shows_no_secret() {
        let secrets = [
            (
                "DATABASE_URL",
                "postgres://sportello:pw-database-7f3a@db/sportello",
            ),
            ("JWT_SECRET", "jwt-secret-5b1c9e0d7a2f4e6b8c3d1a9f0e7b5c2d"),
            ("PAGOPA_GPD_KEY", "gpd-subscription-key-4c8e2a"),
            ("FEDERATION_KEYS", "federation-key-6e0b3f"),
            ("OIDC_SIGNING_KEYS", "oidc-signing-key-2a7c1d"),
            ("OIDC_ENCRYPTION_KEYS", "oidc-encryption-key-9f4e8b"),
            ("SMTP_PASSWORD", "smtp-password-8d2f6a"),
        ];
        for (name, value) in secrets {
            env::set_var(name, value);
        }
        let (io_key, sms_secret) = ("io-service-key-1d7f", "twilio-secret-9a4c");
        let channels =
            env::temp_dir().join(format!("sportello-channels-{}.json", std::process::id()));
        std::fs::write(
            &channels,
            serde_json::json!({"demo": {
                "app_io": {"service_id": "01JD4ZQ7X9V3T2K8M5N6P1R0SW", "api_key": io_key},
                "sms": {"provider": "twilio", "account_sid": "AC0123456789abcdef0123456789abcdef",
                        "api_key": "SK0123456789abcdef0123456789abcdef",
                        "api_secret": sms_secret, "sender": "ComuneDemo"},
            }})
            .to_string(),
        )
        .expect("a temporary file");
        env::set_var("SPORTELLO_CHANNELS_FILE", &channels);
        for (name, value) in [
            ("SPORTELLO_ENV", "production"),
            (
                "PAGOPA_GPD_URL",
                "https://api.uat.platform.pagopa.it/gpd/v1",
            ),
            ("OIDC_PROVIDERS", "spid"),
            ("SMTP_HOST", "smtp.example.it"),
            ("SMTP_USERNAME", "sportello"),
            ("SMTP_FROM", "noreply@comune.example.it"),
            ("OIDC_SPID_ISSUER", "https://idp.example.it"),
            ("FEDERATION_TRUST_ANCHOR", "https://registry.spid.gov.it"),
            ("FEDERATION_TRUST_ANCHOR_JWKS", r#"{"keys": []}"#),
        ] {
            env::set_var(name, value);
        }
        let config = Config::from_env().expect("valid configuration");
        let debug = format!("{config:?}");
        for (name, value) in secrets {
            assert!(!debug.contains(value), "{name} in {debug}");
        }
        for value in [io_key, sms_secret] {
            assert!(!debug.contains(value), "a channel's secret in {debug}");
        }
        assert!(config.channel_settings.app_io("demo").is_some());
        assert!(config.channel_settings.sms("demo").is_some());
        std::fs::remove_file(channels).expect("removed");
        assert_eq!(config.jwt_secret.expose_secret(), secrets[1].1);
        let (_, gpd_key) = config.pagopa_gpd.as_ref().expect("GPD configured");
        assert_eq!(gpd_key.expose_secret(), secrets[2].1);
        let keys = config.federation.keys.as_ref().expect("federation keys");
        assert_eq!(keys.oidc_encryption.expose_secret(), secrets[5].1);
    }
}
