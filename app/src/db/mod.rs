//! One place that opens the database, and the portable queries.
//!
//! OneTrip runs on SQLite (embedded, the default) or PostgreSQL. Both are
//! driven through [`Db`], an enum over the two native pools, so each backend
//! keeps its own driver (no `Any` driver and its missing types). Queries are
//! written once in portable SQL with `$1, $2…` placeholders, which both
//! backends accept, and run on whichever pool is active by the macros below.
//!
//! Time is stored as BIGINT Unix epoch milliseconds (UTC) in every table, and
//! calendar dates as TEXT `YYYY-MM-DD`; see `migrations/README.md`.

pub mod aftercare;
mod alerts;
mod api_tokens;
mod applications;
mod batch_review;
mod bookings;
mod calendar;
mod cases;
mod catalogue;
mod citizens;
mod documents;
pub mod ecerts;
mod filings;
pub mod help;
pub mod identity;
mod orgs;
mod outbox;
pub mod payments;
mod people;
pub mod ratings;
pub mod register;
mod sites;
mod staff;
mod visits;

pub use alerts::*;
pub use api_tokens::*;
pub use applications::*;
pub use batch_review::*;
pub use bookings::*;
pub use calendar::*;
pub use cases::*;
pub use catalogue::*;
pub use citizens::*;
pub use documents::*;
pub use filings::*;
pub use orgs::*;
pub use outbox::*;
pub use people::*;
pub use sites::*;
pub use staff::*;
pub use visits::*;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Why the database could not be opened; each message names the setting.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("DATABASE_URL must start with sqlite:// or postgres:// (got a value starting with {scheme:?})")]
    Scheme { scheme: String },
    #[error("DATABASE_URL is not a valid {backend} connection URL: {reason}")]
    Malformed {
        backend: &'static str,
        reason: String,
    },
    #[error("could not open the database named by DATABASE_URL ({backend}): {reason}")]
    Connect {
        backend: &'static str,
        reason: String,
    },
    #[error("could not apply the database migrations ({backend}): {reason}")]
    Migrate {
        backend: &'static str,
        reason: String,
    },
}

/// Milliseconds since the Unix epoch, UTC: the one way OneTrip stores instants.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Db {
    /// Open a pool from a `DATABASE_URL`-style string. SQLite files are created
    /// when missing, in WAL mode with foreign keys on and a busy timeout.
    pub async fn open(url: &str) -> Result<Db, OpenError> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => {
                let opts = SqliteConnectOptions::from_str(url)
                    .map_err(|e| OpenError::Malformed {
                        backend: "sqlite",
                        reason: e.to_string(),
                    })?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10));
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(10))
                    // SQLite rolls a transaction back by itself on some
                    // failures (a full disk, an I/O error); sqlx's ROLLBACK
                    // then fails and it keeps counting the transaction as
                    // open, so every later BEGIN on that connection failed
                    // ("non-zero transaction depth"): a full disk left the
                    // service answering 500 after room was made. A connection
                    // that is still in a transaction once its queued rollback
                    // has run is closed instead of reused.
                    .after_release(|conn, _| {
                        Box::pin(async move {
                            use sqlx::TransactionManager as _;
                            type Tm = sqlx::sqlite::SqliteTransactionManager;
                            if Tm::get_transaction_depth(conn) == 0 {
                                return Ok(true);
                            }
                            // A dropped transaction's rollback is queued: run it.
                            let _ = sqlx::query("SELECT 1").execute(&mut *conn).await;
                            Ok(Tm::get_transaction_depth(conn) == 0)
                        })
                    })
                    .connect_with(opts)
                    .await
                    .map_err(|e| OpenError::Connect {
                        backend: "sqlite",
                        reason: e.to_string(),
                    })?;
                Ok(Db::Sqlite(pool))
            }
            "postgres" | "postgresql" => {
                let opts = PgConnectOptions::from_str(url).map_err(|e| OpenError::Malformed {
                    backend: "postgres",
                    reason: e.to_string(),
                })?;
                // A database that does not hand out a connection within 3 s
                // is answered as unavailable (503, Retry-After), not waited on.
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(3))
                    .connect_with(opts)
                    .await
                    .map_err(|e| OpenError::Connect {
                        backend: "postgres",
                        reason: e.to_string(),
                    })?;
                Ok(Db::Postgres(pool))
            }
            other => Err(OpenError::Scheme {
                scheme: other.chars().take(12).collect(),
            }),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Apply the migrations of the active backend. Both directories carry the
    /// same version numbers.
    pub async fn migrate(&self) -> Result<(), OpenError> {
        let backend = self.backend().name();
        let res = match self {
            Db::Sqlite(p) => sqlx::migrate!("../migrations/sqlite").run(p).await,
            Db::Postgres(p) => sqlx::migrate!("../migrations/postgres").run(p).await,
        };
        res.map_err(|e| OpenError::Migrate {
            backend,
            reason: e.to_string(),
        })
    }

    /// A cheap round trip for the health check.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        match self {
            Db::Sqlite(p) => sqlx::query("SELECT 1").execute(p).await.map(|_| ()),
            Db::Postgres(p) => sqlx::query("SELECT 1").execute(p).await.map(|_| ()),
        }
    }

    /// Start a write transaction that cannot fail half-way with SQLITE_BUSY:
    /// on SQLite it is `BEGIN IMMEDIATE`, which takes the write lock up front
    /// (waiting up to the busy timeout) instead of upgrading a read lock later.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        match self {
            Db::Sqlite(p) => Ok(WriteTx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?)),
            Db::Postgres(p) => Ok(WriteTx::Postgres(p.begin().await?)),
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

/// A write transaction on whichever backend is active.
pub enum WriteTx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl WriteTx {
    pub fn backend(&self) -> Backend {
        match self {
            WriteTx::Sqlite(_) => Backend::Sqlite,
            WriteTx::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            WriteTx::Sqlite(t) => t.commit().await,
            WriteTx::Postgres(t) => t.commit().await,
        }
    }
}

/// Run the same `query_as` on whichever pool (or transaction) is active.
/// `fetch_all!(db, Row, "SELECT … WHERE a = $1", a)`.
#[macro_export]
macro_rules! fetch_all {
    ($db:expr, $ty:ty, $sql:expr $(, $bind:expr)* $(,)?) => {
        match $db {
            $crate::db::Db::Sqlite(p) => sqlx::query_as::<_, $ty>($sql)$(.bind($bind))*.fetch_all(p).await,
            $crate::db::Db::Postgres(p) => sqlx::query_as::<_, $ty>($sql)$(.bind($bind))*.fetch_all(p).await,
        }
    };
}

/// Like [`fetch_all!`] for at most one row.
#[macro_export]
macro_rules! fetch_optional {
    ($db:expr, $ty:ty, $sql:expr $(, $bind:expr)* $(,)?) => {
        match $db {
            $crate::db::Db::Sqlite(p) => sqlx::query_as::<_, $ty>($sql)$(.bind($bind))*.fetch_optional(p).await,
            $crate::db::Db::Postgres(p) => sqlx::query_as::<_, $ty>($sql)$(.bind($bind))*.fetch_optional(p).await,
        }
    };
}

/// Execute a statement inside a [`WriteTx`]; returns rows affected.
#[macro_export]
macro_rules! execute_tx {
    ($tx:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        match $tx {
            $crate::db::WriteTx::Sqlite(t) => sqlx::query($sql)$(.bind($bind))*.execute(&mut **t).await.map(|r| r.rows_affected()),
            $crate::db::WriteTx::Postgres(t) => sqlx::query($sql)$(.bind($bind))*.execute(&mut **t).await.map(|r| r.rows_affected()),
        }
    };
}

/// Fetch one scalar inside a [`WriteTx`].
#[macro_export]
macro_rules! fetch_scalar_tx {
    ($tx:expr, $ty:ty, $sql:expr $(, $bind:expr)* $(,)?) => {
        match $tx {
            $crate::db::WriteTx::Sqlite(t) => sqlx::query_scalar::<_, $ty>($sql)$(.bind($bind))*.fetch_one(&mut **t).await,
            $crate::db::WriteTx::Postgres(t) => sqlx::query_scalar::<_, $ty>($sql)$(.bind($bind))*.fetch_one(&mut **t).await,
        }
    };
}

/// Like [`fetch_optional!`] inside a [`WriteTx`].
#[macro_export]
macro_rules! fetch_optional_tx {
    ($tx:expr, $ty:ty, $sql:expr $(, $bind:expr)* $(,)?) => {
        match $tx {
            $crate::db::WriteTx::Sqlite(t) => sqlx::query_as::<_, $ty>($sql)$(.bind($bind))*.fetch_optional(&mut **t).await,
            $crate::db::WriteTx::Postgres(t) => sqlx::query_as::<_, $ty>($sql)$(.bind($bind))*.fetch_optional(&mut **t).await,
        }
    };
}

/// Like [`fetch_all!`] inside a [`WriteTx`].
#[macro_export]
macro_rules! fetch_all_tx {
    ($tx:expr, $ty:ty, $sql:expr $(, $bind:expr)* $(,)?) => {
        match $tx {
            $crate::db::WriteTx::Sqlite(t) => sqlx::query_as::<_, $ty>($sql)$(.bind($bind))*.fetch_all(&mut **t).await,
            $crate::db::WriteTx::Postgres(t) => sqlx::query_as::<_, $ty>($sql)$(.bind($bind))*.fetch_all(&mut **t).await,
        }
    };
}

/// Execute a statement on the pool (its own implicit transaction).
#[macro_export]
macro_rules! execute {
    ($db:expr, $sql:expr $(, $bind:expr)* $(,)?) => {
        match $db {
            $crate::db::Db::Sqlite(p) => sqlx::query($sql)$(.bind($bind))*.execute(p).await.map(|r| r.rows_affected()),
            $crate::db::Db::Postgres(p) => sqlx::query($sql)$(.bind($bind))*.execute(p).await.map(|r| r.rows_affected()),
        }
    };
}

/// A value bound to a statement whose text is built at run time (multi-row
/// inserts, `IN` lists), where the macros' fixed argument lists do not fit.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Text(&'a str),
    Int(i64),
    /// A number or NULL.
    OptInt(Option<i64>),
}

macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for a in $args {
            q = match *a {
                Arg::Text(s) => q.bind(s),
                Arg::Int(n) => q.bind(n),
                Arg::OptInt(n) => q.bind(n),
            };
        }
        q
    }};
}

/// A statement built at run time with its values, each written with its
/// backend's own placeholder: `?` on SQLite (numbered ones make SQLite look
/// each one up by name, which grows with their square in a statement of
/// thousands), `$n` on PostgreSQL. A value used twice is bound twice.
/// PostgreSQL plans each one for its values (not persistent): a plan kept
/// from when a table was empty would go on scanning it as it fills.
pub struct Built<'a> {
    backend: Backend,
    sql: String,
    args: Vec<Arg<'a>>,
}

impl<'a> Built<'a> {
    pub fn new(backend: Backend) -> Self {
        Built {
            backend,
            sql: String::new(),
            args: Vec::new(),
        }
    }

    /// Statement text.
    pub fn sql(&mut self, text: &str) -> &mut Self {
        self.sql.push_str(text);
        self
    }

    /// A value, as a placeholder.
    pub fn arg(&mut self, a: Arg<'a>) -> &mut Self {
        self.args.push(a);
        match self.backend {
            Backend::Sqlite => self.sql.push('?'),
            Backend::Postgres => {
                let n = self.args.len();
                self.sql.push_str(&format!("${n}"));
            }
        }
        self
    }

    /// Values separated by commas (an `IN` list, a row of `VALUES`).
    pub fn list(&mut self, values: impl IntoIterator<Item = Arg<'a>>) -> &mut Self {
        for (i, a) in values.into_iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.arg(a);
        }
        self
    }

    pub async fn execute(&self, tx: &mut WriteTx) -> Result<u64, sqlx::Error> {
        match tx {
            WriteTx::Sqlite(t) => bind_args!(sqlx::query(&self.sql), &self.args)
                .execute(&mut **t)
                .await
                .map(|r| r.rows_affected()),
            WriteTx::Postgres(t) => {
                bind_args!(sqlx::query(&self.sql).persistent(false), &self.args)
                    .execute(&mut **t)
                    .await
                    .map(|r| r.rows_affected())
            }
        }
    }

    pub async fn fetch_all<T>(&self, tx: &mut WriteTx) -> Result<Vec<T>, sqlx::Error>
    where
        T: Send
            + Unpin
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        match tx {
            WriteTx::Sqlite(t) => {
                bind_args!(sqlx::query_as::<_, T>(&self.sql), &self.args)
                    .fetch_all(&mut **t)
                    .await
            }
            WriteTx::Postgres(t) => {
                bind_args!(
                    sqlx::query_as::<_, T>(&self.sql).persistent(false),
                    &self.args
                )
                .fetch_all(&mut **t)
                .await
            }
        }
    }
}
