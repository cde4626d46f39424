//! Each comune's own App IO service and SMS gateway account, read from the installation's
//! channels file (JSON, kept beside the other secrets of the deployment), by comune slug:
//!
//! ```json
//! {
//!   "demo": {
//!     "app_io": {"service_id": "01JD4ZQ7X9V3T2K8M5N6P1R0SW", "api_key": "…"},
//!     "sms": {"provider": "twilio", "account_sid": "AC…", "api_key": "SK…",
//!             "api_secret": "…", "sender": "ComuneDemo"}
//!   }
//! }
//! ```
//!
//! `base_url` may be given for either channel (IO's UAT, a proxy); it defaults to the
//! provider's production address. A comune without an entry, or without a channel, has
//! no such channel. Keys and secrets become [`SecretString`]s at once and are never in a
//! `Debug` output or an error message.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

use crate::{io, sms, DeliveryError};

/// How long one request to a provider may take.
const TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AppIoFile {
    service_id: String,
    api_key: String,
    base_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum SmsProvider {
    Twilio,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SmsFile {
    provider: SmsProvider,
    account_sid: String,
    api_key: String,
    api_secret: String,
    sender: String,
    base_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ComuneFile {
    app_io: Option<AppIoFile>,
    sms: Option<SmsFile>,
}

/// A comune's App IO service.
#[derive(Debug, Clone)]
pub struct AppIoService {
    /// The service's id in IO's back office, to tell the comune's services apart.
    pub service_id: String,
    pub client: io::Client,
}

/// The channels of one comune.
#[derive(Debug, Clone, Default)]
pub struct ComuneChannels {
    pub app_io: Option<AppIoService>,
    pub sms: Option<sms::Client>,
}

/// The channels of every comune, by slug.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    comuni: BTreeMap<String, ComuneChannels>,
}

/// A channels file that cannot be used; `Display` is Italian and never shows a secret.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// Not JSON of the expected shape; where, without the value found there.
    #[error("il file dei canali non è valido alla riga {line}, colonna {column}: {problem}")]
    Shape {
        line: usize,
        column: usize,
        problem: &'static str,
    },
    /// A comune's channel is set up wrong.
    #[error("comune «{comune}», {channel}: {error}")]
    Channel {
        comune: String,
        channel: &'static str,
        error: DeliveryError,
    },
}

impl Settings {
    /// Reads a channels file and builds every client, so a mistake stops the server at
    /// start-up rather than a message later.
    pub fn from_json(text: &str) -> Result<Self, SettingsError> {
        let file: BTreeMap<String, ComuneFile> =
            serde_json::from_str(text).map_err(|e| SettingsError::Shape {
                line: e.line(),
                column: e.column(),
                problem: match e.classify() {
                    serde_json::error::Category::Data => {
                        "atteso, per ogni comune, app_io (service_id, api_key, base_url) e sms (provider \"twilio\", account_sid, api_key, api_secret, sender, base_url)"
                    }
                    _ => "non è JSON",
                },
            })?;
        let mut comuni = BTreeMap::new();
        for (slug, comune) in file {
            let fail = |channel, error| SettingsError::Channel {
                comune: slug.clone(),
                channel,
                error,
            };
            let app_io = comune
                .app_io
                .map(|service| {
                    let client = io::Client::new(io::Config {
                        base_url: service.base_url.unwrap_or_else(|| io::BASE_URL.into()),
                        subscription_key: SecretString::from(service.api_key),
                        timeout: TIMEOUT,
                    })?;
                    if service.service_id.trim().is_empty() {
                        return Err(DeliveryError::Config(
                            "manca l'identificativo del servizio App IO".into(),
                        ));
                    }
                    Ok(AppIoService {
                        service_id: service.service_id.trim().to_string(),
                        client,
                    })
                })
                .transpose()
                .map_err(|e| fail("App IO", e))?;
            let sms = comune
                .sms
                .map(|account| match account.provider {
                    SmsProvider::Twilio => sms::Client::new(sms::Config {
                        base_url: account.base_url.unwrap_or_else(|| sms::BASE_URL.into()),
                        account_sid: account.account_sid,
                        api_key: account.api_key,
                        api_secret: SecretString::from(account.api_secret),
                        sender: account.sender,
                        timeout: TIMEOUT,
                    }),
                })
                .transpose()
                .map_err(|e| fail("SMS", e))?;
            comuni.insert(slug, ComuneChannels { app_io, sms });
        }
        Ok(Settings { comuni })
    }

    /// The comune's channels; none when the file does not name it.
    pub fn comune(&self, slug: &str) -> Option<&ComuneChannels> {
        self.comuni.get(slug)
    }

    /// The comune's App IO client, when it has an IO service.
    pub fn app_io(&self, slug: &str) -> Option<&io::Client> {
        self.comune(slug)?.app_io.as_ref().map(|io| &io.client)
    }

    /// Whether any comune has an App IO service.
    pub fn any_app_io(&self) -> bool {
        self.comuni.values().any(|c| c.app_io.is_some())
    }

    /// Whether any comune has an SMS gateway account.
    pub fn any_sms(&self) -> bool {
        self.comuni.values().any(|c| c.sms.is_some())
    }

    /// The comune's SMS gateway client, when it has one.
    pub fn sms(&self, slug: &str) -> Option<&sms::Client> {
        self.comune(slug)?.sms.as_ref()
    }
}

/// For the start-up log: `demo: App IO (servizio 01JD…), SMS`.
impl fmt::Display for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.comuni.is_empty() {
            return f.write_str("nessun comune con App IO o SMS");
        }
        for (i, (slug, comune)) in self.comuni.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            let mut channels = Vec::new();
            if let Some(io) = &comune.app_io {
                channels.push(format!("App IO (servizio {})", io.service_id));
            }
            if comune.sms.is_some() {
                channels.push("SMS".to_string());
            }
            if channels.is_empty() {
                channels.push("nessun canale".to_string());
            }
            write!(f, "{slug}: {}", channels.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IO_KEY: &str = "io-api-key-3f9a1c";
    const SMS_SECRET: &str = "twilio-secret-8e2b4d";

    fn file(sms_sender: &str) -> String {
        serde_json::json!({
            "demo": {
                "app_io": {"service_id": "01JD4ZQ7X9V3T2K8M5N6P1R0SW", "api_key": IO_KEY},
                "sms": {"provider": "twilio",
                        "account_sid": "AC0123456789abcdef0123456789abcdef",
                        "api_key": "SK0123456789abcdef0123456789abcdef",
                        "api_secret": SMS_SECRET, "sender": sms_sender},
            },
            "altro": {"app_io": {"service_id": "01JD4ZQ7X9V3T2K8M5N6P1R0SX", "api_key": "k",
                                 "base_url": "https://api.uat.io.pagopa.it/api/v1"}},
        })
        .to_string()
    }

    #[test]
    fn each_comune_gets_its_own_clients() {
        let channels = Settings::from_json(&file("ComuneDemo")).expect("valid");
        assert!(channels.app_io("demo").is_some());
        assert!(channels.sms("demo").is_some());
        assert!(channels.app_io("altro").is_some());
        assert!(channels.sms("altro").is_none());
        assert!(channels.comune("nessuno").is_none());
        assert!(channels.any_app_io() && channels.any_sms());
        assert!(!Settings::default().any_app_io());
        assert_eq!(
            channels.to_string(),
            "altro: App IO (servizio 01JD4ZQ7X9V3T2K8M5N6P1R0SX); demo: App IO (servizio 01JD4ZQ7X9V3T2K8M5N6P1R0SW), SMS"
        );
        let debug = format!("{channels:?}");
        assert!(!debug.contains(IO_KEY), "{debug}");
        assert!(!debug.contains(SMS_SECRET), "{debug}");
    }

    #[test]
    fn a_wrong_setting_names_the_comune_and_channel_and_no_secret() {
        let error = Settings::from_json(&file("Comune di Demo")).expect_err("sender too long");
        assert_eq!(
            error.to_string(),
            "comune «demo», SMS: Configurazione del canale non valida: il mittente degli SMS deve essere un nome di al massimo 11 lettere e cifre o un numero con prefisso internazionale."
        );
        let typo = file("ComuneDemo").replace("api_secret", "api_secrett");
        let error = Settings::from_json(&typo).expect_err("unknown field");
        assert!(!error.to_string().contains(SMS_SECRET), "{error}");
        assert!(error
            .to_string()
            .starts_with("il file dei canali non è valido alla riga 1"));
        let other = file("ComuneDemo").replace("twilio", "skebby");
        assert!(Settings::from_json(&other).is_err());
    }
}
