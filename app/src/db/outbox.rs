//! The notifications outbox. A message is written in the same transaction as
//! the event that causes it and delivered later by the worker, so a crash
//! between commit and send delays a message but never loses it.

use super::{now_ms, Db, WriteTx};
use crate::domain::Lang;
use crate::{execute, execute_tx, fetch_all};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Sms,
    Email,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub template: String,
    pub params: String,
    pub lang: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub sender: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

impl OutboxRow {
    pub fn lang(&self) -> Lang {
        Lang::from_code(&self.lang)
    }
    pub fn params(&self) -> serde_json::Value {
        serde_json::from_str(&self.params).unwrap_or(serde_json::Value::Null)
    }
}

/// Queue a message inside the caller's transaction.
pub async fn enqueue(
    tx: &mut WriteTx,
    channel: Channel,
    recipient: &str,
    template: &str,
    params: &serde_json::Value,
    lang: Lang,
) -> Result<String, sqlx::Error> {
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    execute_tx!(
        tx,
        "INSERT INTO outbox (id, channel, recipient, template, params, lang, status, attempts, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7)",
        &id,
        channel.code(),
        recipient,
        template,
        params.to_string(),
        lang.code(),
        now
    )?;
    Ok(id)
}

const COLUMNS: &str = "id, channel, recipient, template, params, lang, status, attempts, next_attempt_at, last_error, sender, created_at, sent_at";

/// Messages due for a delivery attempt, oldest first.
pub async fn due_messages(db: &Db, limit: i64) -> Result<Vec<OutboxRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1
         ORDER BY next_attempt_at, created_at LIMIT $2"
    );
    fetch_all!(db, OutboxRow, &sql, now_ms(), limit)
}

/// Take a lease on one message: only the worker whose update matches sends
/// it (several replicas may run workers). Until the lease ends nobody else
/// picks it; if this worker dies, the message becomes due again.
pub async fn claim(db: &Db, row: &OutboxRow, lease_ms: i64) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let n = execute!(
        db,
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $3
         WHERE id = $1 AND status = 'pending' AND next_attempt_at = $2",
        &row.id,
        row.next_attempt_at,
        now + lease_ms
    )?;
    Ok(n == 1)
}

/// Hold a fresh message until `until` (to go out with what follows it to
/// the same person); only if nobody has touched it meanwhile.
pub async fn hold(db: &Db, row: &OutboxRow, until: i64) -> Result<bool, sqlx::Error> {
    let n = execute!(
        db,
        "UPDATE outbox SET next_attempt_at = $3
         WHERE id = $1 AND status = 'pending' AND attempts = 0 AND next_attempt_at = $2",
        &row.id,
        row.next_attempt_at,
        until
    )?;
    Ok(n == 1)
}

/// The other untried messages waiting for one recipient on one channel,
/// oldest first (held ones included): candidates to go in the same text.
pub async fn waiting_for(db: &Db, row: &OutboxRow) -> Result<Vec<OutboxRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox
          WHERE recipient = $1 AND channel = $2 AND lang = $3 AND status = 'pending'
            AND attempts = 0 AND id <> $4
          ORDER BY created_at, id LIMIT 20"
    );
    fetch_all!(
        db,
        OutboxRow,
        &sql,
        &row.recipient,
        &row.channel,
        &row.lang,
        &row.id
    )
}

pub async fn mark_sent(db: &Db, id: &str, sender: &str) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE outbox SET status = 'sent', sent_at = $2, sender = $3, last_error = NULL WHERE id = $1",
        id,
        now_ms(),
        sender
    )?;
    Ok(())
}

/// Record a failed attempt: retry at `retry_at`, or give up (`None`).
pub async fn mark_failed(
    db: &Db,
    id: &str,
    sender: &str,
    error: &str,
    retry_at: Option<i64>,
) -> Result<(), sqlx::Error> {
    let error: String = error.chars().take(500).collect();
    match retry_at {
        Some(at) => execute!(
            db,
            "UPDATE outbox SET next_attempt_at = $2, last_error = $3, sender = $4 WHERE id = $1",
            id,
            at,
            error,
            sender
        )?,
        None => execute!(
            db,
            "UPDATE outbox SET status = 'failed', last_error = $2, sender = $3 WHERE id = $1",
            id,
            error,
            sender
        )?,
    };
    Ok(())
}

/// The most recent messages, newest first (the development outbox page).
pub async fn recent_messages(db: &Db, limit: i64) -> Result<Vec<OutboxRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM outbox ORDER BY created_at DESC, id LIMIT $1");
    fetch_all!(db, OutboxRow, &sql, limit)
}

/// The latest messages to one recipient.
pub async fn recent_messages_to(
    db: &Db,
    recipient: &str,
    limit: i64,
) -> Result<Vec<OutboxRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE recipient = $1 ORDER BY created_at DESC, id LIMIT $2"
    );
    fetch_all!(db, OutboxRow, &sql, recipient, limit)
}

pub async fn message(db: &Db, id: &str) -> Result<Option<OutboxRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = $1");
    crate::fetch_optional!(db, OutboxRow, &sql, id)
}
