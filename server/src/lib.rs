//! The OneTrip server: configuration, telemetry and the axum router around
//! the Leptos app. `router(state)` is public so tests can drive the whole
//! application on a fresh database without a fixed port.

pub mod api_v1;
mod bookings;
pub mod cli;
pub mod config;
pub mod deadlines;
mod dev;
pub mod documents;
mod ecerts;
mod extract;
pub mod filings;
pub mod identity;
pub mod letters;
pub mod metrics;
mod middleware;
pub mod outbox;
pub mod payments;
pub mod register;
pub mod reminders;
mod routes;
pub mod signed_form;
mod stats;
pub mod telemetry;
pub mod utilities;

use app::db::{Db, OpenError};
use axum::extract::FromRef;
use axum::Router;
use leptos::prelude::LeptosOptions;
use std::net::SocketAddr;

pub use config::{Config, ConfigError};

/// mimalloc for every thread of the server: the filing worker, SQLite's
/// worker threads and the request handlers allocate and free many small
/// strings across threads, where glibc's allocator spent a fifth of a
/// 100,000-row import in its own bookkeeping.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Everything a request handler may need.
#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub db: Db,
    pub services: app::services::Services,
    /// Uploads and the document store; `None` only in tests that need no files.
    pub documents: Option<documents::Documents>,
    /// The payment channel; `None`: fees are taken at the window only.
    pub payments: Option<payments::Payments>,
    /// The secret the tax authority signs its confirmations with.
    pub tax_secret: Option<std::sync::Arc<Vec<u8>>>,
    /// The utilities this centre is connected to (登记+X).
    pub utilities: Option<utilities::Utilities>,
    /// The identity service (real-name and face checks).
    pub identity: Option<identity::Identity>,
}

impl AppState {
    pub fn new(
        leptos: LeptosOptions,
        db: Db,
        policy: app::services::Policy,
        secret: Vec<u8>,
    ) -> Self {
        AppState {
            leptos,
            db,
            services: app::services::Services::new(secret, policy),
            documents: None,
            payments: None,
            tax_secret: None,
            utilities: None,
            identity: None,
        }
    }

    /// Take fees online through `payments` (clerks may open payment orders).
    pub fn with_payments(mut self, payments: payments::Payments) -> Self {
        self.services.policy.online_payment = true;
        self.payments = Some(payments);
        self
    }

    /// Verify identities (zero-trip confirmations) with `identity`.
    pub fn with_identity(mut self, identity: identity::Identity) -> Self {
        self.services.policy.identity_service = true;
        self.identity = Some(identity);
        self
    }

    /// Pass utility requests (登记+X) to `utilities`.
    pub fn with_utilities(mut self, u: utilities::Utilities) -> Self {
        let mut offered: Vec<String> = u.urls.keys().cloned().collect();
        offered.sort_by_key(|c| {
            app::domain::aftercare::UTILITIES
                .iter()
                .position(|(x, _, _)| x == c)
                .unwrap_or(9)
        });
        self.services.policy.utilities = offered;
        self.utilities = Some(u);
        self
    }

    /// Accept the tax authority's confirmations signed with `secret`.
    pub fn with_tax_secret(mut self, secret: Vec<u8>) -> Self {
        self.tax_secret = Some(std::sync::Arc::new(secret));
        self
    }

    pub fn with_documents(mut self, documents: documents::Documents) -> Self {
        self.documents = Some(documents);
        self
    }

    /// The outbox worker for this state's database, woken by its enqueues.
    pub fn worker(
        &self,
        senders: outbox::Senders,
        settings: outbox::WorkerSettings,
    ) -> outbox::Worker {
        outbox::Worker {
            db: self.db.clone(),
            senders,
            wake: self.services.outbox_wake.clone(),
            settings,
            session_idle_ms: self.services.policy.session_idle_ms,
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// The complete application: pages, server functions, static assets, health
/// check, and the security and observability layers.
pub fn router(state: AppState) -> Router {
    routes::build(state)
}

/// Why the server could not start: one sentence naming the setting.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Database(#[from] OpenError),
    #[error("cannot listen on LEPTOS_SITE_ADDR {addr}: {reason}")]
    Bind { addr: SocketAddr, reason: String },
    #[error("RUST_LOG is not a valid log filter: {0}")]
    LogFilter(String),
    #[error("the server stopped with an error: {0}")]
    Serve(String),
}

/// Open the database named by `url`, bring its schema up to date, and load
/// the matter catalogue on the first start.
pub async fn open_database(url: &str) -> Result<Db, OpenError> {
    let db = Db::open(url).await?;
    db.migrate().await?;
    let backend = db.backend().name();
    match app::db::seed_calendar_if_empty(&db, app::db::CALENDAR_SEED).await {
        Ok(true) => tracing::info!("working-day calendar loaded from seed/calendar.json"),
        Ok(false) => {}
        Err(reason) => return Err(OpenError::Migrate { backend, reason }),
    }
    match app::db::seed_catalogue_if_empty(&db, app::db::SEED).await {
        Ok(true) => tracing::info!("matter catalogue loaded from seed/matters.json"),
        Ok(false) => {}
        Err(e) => {
            return Err(OpenError::Migrate {
                backend,
                reason: e.to_string(),
            })
        }
    }
    match app::db::help::seed_if_empty(&db, app::db::help::SEED).await {
        Ok(true) => tracing::info!("help articles loaded from seed/help.json"),
        Ok(false) => {}
        Err(reason) => return Err(OpenError::Migrate { backend, reason }),
    }
    Ok(db)
}

/// Start the server from the environment and serve until SIGTERM or Ctrl-C.
pub async fn run() -> Result<(), StartError> {
    let (filter, format) = Config::logging_from_env()?;
    telemetry::init(&filter, format).map_err(StartError::LogFilter)?;
    let config = Config::from_env()?;
    let db = open_database(&config.database_url).await?;
    same_key_as_the_others(&db, &config.secret_key).await?;
    tracing::info!(backend = db.backend().name(), "database ready");

    let listener = tokio::net::TcpListener::bind(config.site_addr)
        .await
        .map_err(|e| StartError::Bind {
            addr: config.site_addr,
            reason: match e.kind() {
                std::io::ErrorKind::AddrInUse => {
                    "the address is already in use by another program".into()
                }
                std::io::ErrorKind::PermissionDenied => "permission denied".into(),
                _ => e.to_string(),
            },
        })?;
    let data_dir_err = |e: std::io::Error| {
        StartError::Config(ConfigError::DataDir {
            path: config.data_dir.clone(),
            reason: e.to_string(),
        })
    };
    let documents = match &config.s3_store {
        None => documents::Documents::local(&config.data_dir).map_err(data_dir_err)?,
        Some(url) => {
            let store = documents::ObjectStoreStore::from_url(url).map_err(|reason| {
                StartError::Config(ConfigError::Setting(format!(
                    "ONETRIP_STORE {url}: {reason}"
                )))
            })?;
            tracing::info!(store = %url, "documents and the parts of uploads in progress are stored in an S3-compatible object store");
            documents::Documents::with_store(&config.data_dir, std::sync::Arc::new(store))
                .map_err(data_dir_err)?
        }
    };
    match documents.sweep(&db).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(removed = n, "swept unfinished uploads"),
        Err(e) => tracing::warn!(error = %e, "could not sweep unfinished uploads"),
    }
    let state = AppState::new(
        config.leptos.clone(),
        db.clone(),
        config.policy.clone(),
        config.secret_key.bytes().to_vec(),
    )
    .with_documents(documents.clone());
    let state = match &config.payment_gateway {
        Some((url, secret)) => {
            let p = payments::Payments::http(
                url,
                secret.as_bytes().to_vec(),
                &config.policy.public_url,
            )
            .map_err(|e| {
                StartError::Config(ConfigError::Setting(format!(
                    "ONETRIP_PAY_GATEWAY_URL: {e}"
                )))
            })?;
            tracing::info!("fees can be paid online through the configured payment channel");
            state.with_payments(p)
        }
        None => state,
    };
    let state = match &config.tax_secret {
        Some(s) => state.with_tax_secret(s.as_bytes().to_vec()),
        None => state,
    };
    let state = match &config.utilities {
        Some((urls, secret)) => state.with_utilities(utilities::Utilities::new(
            urls.clone(),
            secret.as_bytes().to_vec(),
            &config.policy.public_url,
        )),
        None => state,
    };
    let state = match &config.identity {
        Some((url, secret)) => state.with_identity(
            identity::Identity::http(url, secret.as_bytes().to_vec(), &config.policy.public_url)
                .map_err(|e| {
                    StartError::Config(ConfigError::Setting(format!("ONETRIP_IDENTITY_URL: {e}")))
                })?,
        ),
        None => state,
    };
    let utility_job = state.utilities.clone().map(|u| {
        tokio::spawn(
            utilities::UtilityJob {
                db: db.clone(),
                utilities: u,
                every: std::time::Duration::from_secs(5),
            }
            .run(),
        )
    });
    let payment_job = state.payments.clone().map(|p| {
        tokio::spawn(
            payments::PaymentJob {
                db: db.clone(),
                payments: p,
                wake: state.services.outbox_wake.clone(),
                every: std::time::Duration::from_secs(10),
                recheck: std::time::Duration::from_secs(300),
            }
            .run(),
        )
    });
    let preview_settings = documents::PreviewSettings::default();
    match &preview_settings.pdftoppm {
        Some(p) => {
            tracing::info!(pdftoppm = %p.display(), "previews: PDF first pages with pdftoppm")
        }
        None => tracing::info!(
            "previews: pdftoppm not found; PDFs get no first-page image (install poppler-utils)"
        ),
    }
    let previews = tokio::spawn(documents.preview_worker(&db, preview_settings).run());
    let deadlines = tokio::spawn(
        deadlines::DeadlineJob {
            db: db.clone(),
            every: std::time::Duration::from_secs(300),
        }
        .run(),
    );
    let reminders = tokio::spawn(
        reminders::ReminderJob {
            db: db.clone(),
            every: std::time::Duration::from_secs(60),
            close_minutes: config.policy.booking.close_minutes,
        }
        .run(),
    );
    let filings = tokio::spawn(
        filings::FilingJob {
            db: db.clone(),
            wake: state.services.filing_wake.clone(),
            every: std::time::Duration::from_secs(30),
        }
        .run(),
    );
    if config.policy.dev_outbox {
        tracing::warn!("ONETRIP_DEV_OUTBOX=1: /dev/outbox shows every message, codes included; never enable this in production");
    }
    tracing::info!(senders = ?config.senders, "notifications outbox worker started");
    if config.senders.sms.name() == "log" && !config.policy.dev_outbox {
        tracing::warn!("ONETRIP_SMS_SENDER=log (the default): texts, sign-in codes included, go to this log and reach nobody; configure a real sender (webhook) before citizens use this server");
    }
    let worker = tokio::spawn(
        state
            .worker(
                config.senders.clone(),
                outbox::WorkerSettings {
                    merge_window: config.sms_merge,
                    ..outbox::WorkerSettings::default()
                },
            )
            .run(),
    );
    let shared_counters = state.services.counters.clone();
    let counters = tokio::spawn(sync_counters(
        shared_counters.clone(),
        db.clone(),
        std::time::Duration::from_secs(1),
    ));
    tracing::info!(addr = %config.site_addr, "serving on http://{}", config.site_addr);
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| StartError::Serve(e.to_string()))?;
    worker.abort();
    for j in [payment_job, utility_job].into_iter().flatten() {
        j.abort();
    }
    previews.abort();
    deadlines.abort();
    reminders.abort();
    filings.abort();
    counters.abort();
    // The last second's hits, so the next process counts them.
    let _ = shared_counters.sync(&db).await;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Every replica of one database must hold the same secret key (it signs
/// cookies and sign-in challenges): the first start records its
/// fingerprint, and a start with another key is refused, saying why.
/// `ONETRIP_SECRET_KEY_REPLACED=1` records a key replaced on purpose.
async fn same_key_as_the_others(db: &Db, key: &config::SecretKey) -> Result<(), StartError> {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(b"onetrip secret key fingerprint\0");
    h.update(key.bytes());
    let mine = hex::encode(h.finalize());
    let replace = std::env::var("ONETRIP_SECRET_KEY_REPLACED").is_ok_and(|v| v == "1");
    let agreed = app::db::agree_setting(db, "secret_key_fingerprint", &mine, replace)
        .await
        .map_err(|e| {
            StartError::Database(OpenError::Connect {
                backend: db.backend().name(),
                reason: e.to_string(),
            })
        })?;
    if agreed != mine {
        return Err(StartError::Config(ConfigError::Setting(
            "ONETRIP_SECRET_KEY is not the key this database was first used with: every replica of one database needs the same key (copy it from the others). If the key was replaced on purpose (all sessions end), start once with ONETRIP_SECRET_KEY_REPLACED=1".into(),
        )));
    }
    Ok(())
}

/// Share this process's rate counts with the other replicas every `every`
/// (and read theirs). A failed sync keeps the counts for the next one.
pub async fn sync_counters(
    counters: std::sync::Arc<app::rates::Counters>,
    db: Db,
    every: std::time::Duration,
) {
    let mut failing = false;
    loop {
        tokio::time::sleep(every).await;
        match counters.sync(&db).await {
            Ok(()) => failing = false,
            Err(e) if !failing => {
                failing = true;
                tracing::warn!(error = %e, "rate counters could not be shared; kept for the next try");
            }
            Err(_) => {}
        }
    }
}

/// Resolves on SIGTERM (service managers) or Ctrl-C (a terminal).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
