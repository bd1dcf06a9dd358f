//! Configuration from environment variables; nothing is required to start.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `LEPTOS_SITE_ADDR` | `127.0.0.1:3000` | address to listen on (Leptos' own) |
//! | `DATABASE_URL` | `sqlite://<data dir>/onetrip.db` | `sqlite://…` or `postgres://…` |
//! | `ONETRIP_DATA_DIR` | `data` | files: SQLite database, secret key, uploads |
//! | `ONETRIP_SECRET_KEY` | generated into `<data dir>/secret.key` | ≥ 64 hex chars, signs cookies |
//! | `RUST_LOG` | `info` | log filter (tracing-subscriber syntax) |
//! | `ONETRIP_LOG_FORMAT` | `text` | `text` or `json` |
//! | `ONETRIP_SMS_SENDER` | `log` | `log` or `webhook` (an SMS gateway) |
//! | `ONETRIP_SMS_WEBHOOK_URL` | — | where the webhook sender POSTs each message |
//! | `ONETRIP_SMS_WEBHOOK_TOKEN` | — | sent as `Authorization: Bearer …` |
//! | `ONETRIP_EMAIL_SENDER` | `log` | `log` or `smtp` |
//! | `ONETRIP_SMTP_URL` | — | e.g. `smtps://user:pass@smtp.example.com:465` |
//! | `ONETRIP_SMTP_FROM` | — | e.g. `一趟办 <noreply@example.com>` |
//! | `ONETRIP_DEV_OUTBOX` | `0` | `1` shows `/dev/outbox` (codes included): development only |
//! | `ONETRIP_COOKIE_SECURE` | `1` | `0` drops `Secure` from the session cookie (plain-HTTP testing) |
//! | `ONETRIP_TRUST_PROXY` | `0` | `1` takes the client address from `X-Forwarded-For` |
//! | `ONETRIP_CODES_PER_IP_HOUR` | `30` | sign-in codes per client address per hour |
//! | `ONETRIP_LOOKUPS_PER_IP_10MIN` | `30` | public progress lookups per address per 10 minutes |
//! | `ONETRIP_MAX_FILE_MB` | `50` | largest uploaded file |
//! | `ONETRIP_MAX_APPLICATION_MB` | `300` | all files of one application together |
//! | `ONETRIP_STORE` | `local` | `local` (`<data dir>/documents`) or `s3://bucket[/prefix]` (with the `AWS_*` variables) |
//! | `ONETRIP_PUBLIC_URL` | `http://<LEPTOS_SITE_ADDR>` | the address citizens reach, printed as the letters' QR codes |
//! | `ONETRIP_PDF_FONT` | WenQuanYi Micro Hei or Noto Sans CJK from Debian's fonts | TrueType/OpenType font (`.ttf`, `.otf`, `.ttc`) with Chinese glyphs, subsetted into the letters |
//! | `ONETRIP_PAY_GATEWAY_URL` | — | the payment channel (OneTrip's payment contract); unset: fees at the window only |
//! | `ONETRIP_PAY_SECRET` | — | ≥ 16 characters, signs the payment messages both ways |
//! | `ONETRIP_IDENTITY_URL` | — | the identity service (real-name and face checks) for zero-trip confirmations |
//! | `ONETRIP_IDENTITY_SECRET` | — | ≥ 16 characters, signs the identity messages both ways |
//! | `ONETRIP_UTILITY_URLS` | — | `water=https://…,power=…,gas=…,broadband=…`: the utilities of 登记+X |
//! | `ONETRIP_UTILITY_SECRET` | — | ≥ 16 characters, signs the utility messages both ways |
//! | `ONETRIP_TAX_SECRET` | — | ≥ 16 characters, signs the tax authority's confirmations |
//! | `ONETRIP_PDFTOPPM` | `pdftoppm` on `PATH` | path of Poppler's `pdftoppm` for PDF previews, or `off` |

use leptos::prelude::LeptosOptions;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// A start-up problem, phrased as one sentence naming the setting.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("LEPTOS_SITE_ADDR must be an address like 127.0.0.1:3000 (got {0:?})")]
    SiteAddr(String),
    #[error("Leptos configuration could not be read: {0}")]
    Leptos(String),
    #[error("ONETRIP_DATA_DIR {path:?} cannot be created or written to: {reason}")]
    DataDir { path: PathBuf, reason: String },
    #[error("ONETRIP_SECRET_KEY must be at least 64 hexadecimal characters (32 bytes)")]
    SecretKeyFormat,
    #[error("the secret key file {path:?} cannot be read or written: {reason}")]
    SecretKeyFile { path: PathBuf, reason: String },
    #[error("ONETRIP_LOG_FORMAT must be text or json (got {0:?})")]
    LogFormat(String),
    #[error("{0}")]
    Setting(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// The cookie-signing key; deliberately not `Debug`-printable.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub leptos: LeptosOptions,
    pub site_addr: SocketAddr,
    pub database_url: String,
    pub data_dir: PathBuf,
    pub secret_key: SecretKey,
    pub log_filter: String,
    pub log_format: LogFormat,
    pub policy: app::services::Policy,
    pub senders: crate::outbox::Senders,
    /// Texts about a person's cases within this window go as one
    /// (`ONETRIP_SMS_MERGE_SECS`, default 60; 0 sends each at once).
    pub sms_merge: std::time::Duration,
    /// `None`: the local store under the data directory.
    pub s3_store: Option<String>,
    /// The payment channel (`ONETRIP_PAY_GATEWAY_URL`) and the secret its
    /// messages are signed with (`ONETRIP_PAY_SECRET`); `None`: fees are
    /// taken at the window only.
    pub payment_gateway: Option<(String, String)>,
    /// The secret the tax authority signs its confirmations with
    /// (`ONETRIP_TAX_SECRET`); `None`: the tax hook answers 404.
    pub tax_secret: Option<String>,
    /// The utilities' endpoints (`ONETRIP_UTILITY_URLS`,
    /// `water=https://…,power=https://…`) and the secret their messages are
    /// signed with (`ONETRIP_UTILITY_SECRET`); `None`: 登记+X is not offered.
    pub utilities: Option<(std::collections::HashMap<String, String>, String)>,
    /// The identity service (`ONETRIP_IDENTITY_URL`) and the secret its
    /// messages are signed with (`ONETRIP_IDENTITY_SECRET`); `None`: matters
    /// that need a verified identity are confirmed at the window.
    pub identity: Option<(String, String)>,
}

fn flag(name: &str, default: bool) -> Result<bool, ConfigError> {
    match var(name).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes") => Ok(true),
        Some("0" | "false" | "no") => Ok(false),
        Some(_) => Err(ConfigError::Setting(format!("{name} must be 0 or 1"))),
    }
}

fn number(name: &str, default: i64) -> Result<i64, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| ConfigError::Setting(format!("{name} must be a positive whole number"))),
    }
}

/// Limits, timeouts and switches for the citizen services.
pub fn policy_from_env() -> Result<app::services::Policy, ConfigError> {
    let d = app::services::Policy::default();
    Ok(app::services::Policy {
        cookie_secure: flag("ONETRIP_COOKIE_SECURE", d.cookie_secure)?,
        dev_outbox: flag("ONETRIP_DEV_OUTBOX", d.dev_outbox)?,
        trusted_proxies: match var("ONETRIP_TRUST_PROXY").as_deref().map(str::trim) {
            None | Some("0") | Some("false") | Some("no") => 0,
            Some("true") | Some("yes") => 1,
            Some(_) => number("ONETRIP_TRUST_PROXY", 1)?.min(10) as usize,
        },
        codes_per_ip_hour: number("ONETRIP_CODES_PER_IP_HOUR", d.codes_per_ip_hour)?,
        lookups_per_ip_10min: number("ONETRIP_LOOKUPS_PER_IP_10MIN", d.lookups_per_ip_10min)?,
        max_file_bytes: number("ONETRIP_MAX_FILE_MB", d.max_file_bytes / (1024 * 1024))?
            * 1024
            * 1024,
        max_application_bytes: number(
            "ONETRIP_MAX_APPLICATION_MB",
            d.max_application_bytes / (1024 * 1024),
        )? * 1024
            * 1024,
        public_url: match var("ONETRIP_PUBLIC_URL") {
            None => d.public_url,
            Some(u) if u.starts_with("https://") || u.starts_with("http://") => {
                u.trim_end_matches('/').to_string()
            }
            Some(_) => {
                return Err(ConfigError::Setting(
                    "ONETRIP_PUBLIC_URL must start with https:// (or http://)".into(),
                ))
            }
        },
        cert_province: var("ONETRIP_CERT_PROVINCE").unwrap_or(d.cert_province),
        cert_city: var("ONETRIP_CERT_CITY").unwrap_or(d.cert_city),
        booking: app::domain::booking::BookingRules {
            days_ahead: number(
                "ONETRIP_BOOKING_DAYS_AHEAD",
                i64::from(d.booking.days_ahead),
            )?
            .min(90) as u32,
            close_minutes: number("ONETRIP_BOOKING_CLOSE_MINUTES", d.booking.close_minutes)?,
            max_future: number("ONETRIP_BOOKING_MAX_FUTURE", d.booking.max_future)?,
            no_show_limit: number("ONETRIP_BOOKING_NO_SHOW_LIMIT", d.booking.no_show_limit)?,
            no_show_days: number("ONETRIP_BOOKING_NO_SHOW_DAYS", d.booking.no_show_days)?,
        },
        filing_max_rows: number("ONETRIP_FILING_MAX_ROWS", d.filing_max_rows as i64)? as usize,
        filing_max_file_bytes: number(
            "ONETRIP_FILING_MAX_FILE_MB",
            (d.filing_max_file_bytes / (1024 * 1024)) as i64,
        )? as usize
            * 1024
            * 1024,
        ..d
    })
}

/// The sender of each channel, from `ONETRIP_SMS_SENDER` / `ONETRIP_EMAIL_SENDER`.
pub fn senders_from_env() -> Result<crate::outbox::Senders, ConfigError> {
    use crate::outbox::{LogSender, Senders, SmtpSender, WebhookSender};
    use std::sync::Arc;
    let sms: Arc<dyn crate::outbox::Sender> = match var("ONETRIP_SMS_SENDER").as_deref() {
        None | Some("log") => Arc::new(LogSender),
        Some("webhook") => {
            let url = var("ONETRIP_SMS_WEBHOOK_URL").ok_or_else(|| {
                ConfigError::Setting(
                    "ONETRIP_SMS_SENDER=webhook needs ONETRIP_SMS_WEBHOOK_URL".into(),
                )
            })?;
            if !(url.starts_with("https://")
                || url.starts_with("http://127.0.0.1")
                || url.starts_with("http://localhost"))
            {
                return Err(ConfigError::Setting(
                    "ONETRIP_SMS_WEBHOOK_URL must be an https:// URL (plain http only to localhost)".into(),
                ));
            }
            Arc::new(
                WebhookSender::new(url, var("ONETRIP_SMS_WEBHOOK_TOKEN"))
                    .map_err(ConfigError::Setting)?,
            )
        }
        Some(other) => {
            return Err(ConfigError::Setting(format!(
                "ONETRIP_SMS_SENDER must be log or webhook (got {other:?})"
            )))
        }
    };
    let email: Arc<dyn crate::outbox::Sender> = match var("ONETRIP_EMAIL_SENDER").as_deref() {
        None | Some("log") => Arc::new(LogSender),
        Some("smtp") => {
            let url = var("ONETRIP_SMTP_URL").ok_or_else(|| {
                ConfigError::Setting("ONETRIP_EMAIL_SENDER=smtp needs ONETRIP_SMTP_URL".into())
            })?;
            let from = var("ONETRIP_SMTP_FROM").ok_or_else(|| {
                ConfigError::Setting("ONETRIP_EMAIL_SENDER=smtp needs ONETRIP_SMTP_FROM".into())
            })?;
            Arc::new(SmtpSender::new(&url, &from).map_err(ConfigError::Setting)?)
        }
        Some(other) => {
            return Err(ConfigError::Setting(format!(
                "ONETRIP_EMAIL_SENDER must be log or smtp (got {other:?})"
            )))
        }
    };
    Ok(Senders { sms, email })
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    /// Read the logging settings alone, so logging can start before anything
    /// else can fail.
    pub fn logging_from_env() -> Result<(String, LogFormat), ConfigError> {
        let filter = var("RUST_LOG").unwrap_or_else(|| "info".into());
        let format = match var("ONETRIP_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(ConfigError::LogFormat(other.into())),
        };
        Ok((filter, format))
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        let (log_filter, log_format) = Self::logging_from_env()?;
        if let Some(addr) = var("LEPTOS_SITE_ADDR") {
            if addr.parse::<SocketAddr>().is_err() {
                return Err(ConfigError::SiteAddr(addr));
            }
        }
        // Without cargo-leptos at build time the output name is unknown; name
        // it here so Leptos does not print its own warning on every start.
        if option_env!("LEPTOS_OUTPUT_NAME").is_none() && var("LEPTOS_OUTPUT_NAME").is_none() {
            std::env::set_var("LEPTOS_OUTPUT_NAME", "onetrip");
        }
        let mut leptos = leptos::prelude::get_configuration(None)
            .map_err(|e| ConfigError::Leptos(e.to_string()))?
            .leptos_options;
        // cargo-leptos writes hash.txt next to the binary when it hashes asset
        // names; honour it unless LEPTOS_HASH_FILES says otherwise.
        if var("LEPTOS_HASH_FILES").is_none() {
            leptos.hash_files = std::env::current_exe()
                .ok()
                .and_then(|p| p.parent().map(|d| d.join(leptos.hash_file.as_ref())))
                .is_some_and(|p| p.exists());
        }
        let data_dir = PathBuf::from(var("ONETRIP_DATA_DIR").unwrap_or_else(|| "data".into()));
        prepare_data_dir(&data_dir)?;
        let database_url = var("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("onetrip.db").display()));
        let secret_key = match var("ONETRIP_SECRET_KEY") {
            Some(hex_key) => parse_key(&hex_key)?,
            None => load_or_create_key(&data_dir.join("secret.key"))?,
        };
        let mut policy = policy_from_env()?;
        if var("ONETRIP_PUBLIC_URL").is_none() {
            policy.public_url = format!("http://{}", leptos.site_addr);
        }
        let payment_gateway = match (var("ONETRIP_PAY_GATEWAY_URL"), var("ONETRIP_PAY_SECRET")) {
            (None, _) => None,
            (Some(url), Some(secret))
                if (url.starts_with("https://") || url.starts_with("http://"))
                    && secret.len() >= 16 =>
            {
                Some((url, secret))
            }
            _ => {
                return Err(ConfigError::Setting(
                    "ONETRIP_PAY_GATEWAY_URL must be an http(s) address and ONETRIP_PAY_SECRET at least 16 characters".into(),
                ))
            }
        };
        policy.online_payment = payment_gateway.is_some();
        let tax_secret = match var("ONETRIP_TAX_SECRET") {
            Some(s) if s.len() < 16 => {
                return Err(ConfigError::Setting(
                    "ONETRIP_TAX_SECRET must be at least 16 characters".into(),
                ))
            }
            other => other,
        };
        let utilities =
            match (var("ONETRIP_UTILITY_URLS"), var("ONETRIP_UTILITY_SECRET")) {
                (None, _) => None,
                (Some(urls), Some(secret)) if secret.len() >= 16 => Some((
                    crate::utilities::Utilities::parse_urls(&urls)
                        .map_err(|e| ConfigError::Setting(format!("ONETRIP_UTILITY_URLS: {e}")))?,
                    secret,
                )),
                _ => return Err(ConfigError::Setting(
                    "ONETRIP_UTILITY_URLS needs ONETRIP_UTILITY_SECRET (at least 16 characters)"
                        .into(),
                )),
            };
        let identity = match (var("ONETRIP_IDENTITY_URL"), var("ONETRIP_IDENTITY_SECRET")) {
            (None, _) => None,
            (Some(url), Some(secret))
                if (url.starts_with("https://") || url.starts_with("http://"))
                    && secret.len() >= 16 =>
            {
                Some((url, secret))
            }
            _ => {
                return Err(ConfigError::Setting(
                    "ONETRIP_IDENTITY_URL must be an http(s) address and ONETRIP_IDENTITY_SECRET at least 16 characters".into(),
                ))
            }
        };
        policy.identity_service = identity.is_some();
        Ok(Config {
            identity,
            utilities,
            payment_gateway,
            tax_secret,
            site_addr: leptos.site_addr,
            leptos,
            database_url,
            data_dir,
            secret_key,
            log_filter,
            log_format,
            policy,
            senders: senders_from_env()?,
            sms_merge: std::time::Duration::from_secs(
                match var("ONETRIP_SMS_MERGE_SECS").as_deref().map(str::trim) {
                    Some("0") => 0,
                    _ => number("ONETRIP_SMS_MERGE_SECS", 60)?.min(600) as u64,
                },
            ),
            s3_store: match var("ONETRIP_STORE").as_deref() {
                None | Some("local") => None,
                Some(url) if url.starts_with("s3://") && url.len() > 5 => Some(url.to_string()),
                Some(_) => {
                    return Err(ConfigError::Setting(
                        "ONETRIP_STORE must be local or s3://bucket[/prefix]".into(),
                    ))
                }
            },
        })
    }
}

/// Create the data directory and prove it is writable with a probe file.
pub fn prepare_data_dir(dir: &Path) -> Result<(), ConfigError> {
    let err = |e: std::io::Error| ConfigError::DataDir {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(err)?;
    let probe = dir.join(".write-probe");
    std::fs::write(&probe, b"ok").map_err(err)?;
    std::fs::remove_file(&probe).map_err(err)?;
    Ok(())
}

fn parse_key(hex_key: &str) -> Result<SecretKey, ConfigError> {
    let bytes = hex::decode(hex_key.trim()).map_err(|_| ConfigError::SecretKeyFormat)?;
    if bytes.len() < 32 {
        return Err(ConfigError::SecretKeyFormat);
    }
    Ok(SecretKey(bytes))
}

/// Read the key file, or create it with 64 random bytes, readable by the owner only.
fn load_or_create_key(path: &Path) -> Result<SecretKey, ConfigError> {
    let err = |e: std::io::Error| ConfigError::SecretKeyFile {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    match std::fs::read_to_string(path) {
        Ok(text) => parse_key(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = vec![0u8; 64];
            rand::Rng::fill(&mut rand::thread_rng(), bytes.as_mut_slice());
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut file = opts.open(path).map_err(err)?;
            file.write_all(hex::encode(&bytes).as_bytes())
                .map_err(err)?;
            file.sync_all().map_err(err)?;
            Ok(SecretKey(bytes))
        }
        Err(e) => Err(err(e)),
    }
}
