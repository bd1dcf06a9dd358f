use super::{Message, Senders};
use app::db::{self, Db, OutboxRow};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// The first retry waits this long; each further one twice as long.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// After this many attempts a message is marked failed.
    pub max_attempts: i64,
    /// How long a claimed message is reserved for one delivery attempt.
    pub lease: Duration,
    /// Look for due messages at least this often (also woken on enqueue).
    pub poll: Duration,
    /// A case's text waits this long for others to the same person, and
    /// they go as one (zero: each at once). Codes never wait.
    pub merge_window: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            backoff_base: Duration::from_secs(10),
            backoff_max: Duration::from_secs(3600),
            max_attempts: 10,
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(2),
            merge_window: Duration::ZERO,
        }
    }
}

/// Delivers due outbox messages. Several workers (one per replica) may run
/// against one database: each message is claimed by a conditional update
/// before it is sent.
pub struct Worker {
    pub db: Db,
    pub senders: Senders,
    pub wake: Arc<Notify>,
    pub settings: WorkerSettings,
    /// Prune old sessions, codes and rate-limit rows (idle timeout for sessions).
    pub session_idle_ms: i64,
}

impl Worker {
    /// Run until the task is dropped or aborted.
    pub async fn run(self) {
        let mut last_prune = std::time::Instant::now() - Duration::from_secs(3600);
        loop {
            if let Err(e) = self.deliver_due().await {
                tracing::warn!(error = %e, "outbox: database unavailable; will retry");
            }
            if last_prune.elapsed() > Duration::from_secs(600) {
                last_prune = std::time::Instant::now();
                let _ = db::prune_rate_hits(&self.db).await;
                let _ = app::rates::prune(&self.db).await;
                let _ = db::prune_sessions_and_codes(&self.db, self.session_idle_ms).await;
            }
            tokio::select! {
                _ = self.wake.notified() => {},
                _ = tokio::time::sleep(self.settings.poll) => {},
            }
        }
    }

    /// One pass: every message due now gets one delivery attempt. Returns how
    /// many were attempted.
    pub async fn deliver_due(&self) -> Result<usize, sqlx::Error> {
        let mut attempted = 0;
        loop {
            let due = db::due_messages(&self.db, 20).await?;
            if due.is_empty() {
                return Ok(attempted);
            }
            let mut claimed_any = false;
            let lease = self.settings.lease.as_millis() as i64;
            let window = self.settings.merge_window.as_millis() as i64;
            for row in due {
                let merging = window > 0
                    && row.channel == "sms"
                    && row.attempts == 0
                    && app::domain::notify::mergeable(&row.template);
                if merging && row.created_at + window > db::now_ms() {
                    // Wait for what may follow; it is due again then.
                    claimed_any |= db::hold(&self.db, &row, row.created_at + window).await?;
                    continue;
                }
                if !db::claim(&self.db, &row, lease).await? {
                    continue; // another worker has it
                }
                claimed_any = true;
                let mut group = vec![row];
                if merging {
                    for other in db::waiting_for(&self.db, &group[0]).await? {
                        if app::domain::notify::mergeable(&other.template)
                            && db::claim(&self.db, &other, lease).await?
                        {
                            group.push(other);
                        }
                    }
                }
                attempted += group.len();
                self.deliver(&group).await?;
            }
            if !claimed_any {
                return Ok(attempted);
            }
        }
    }

    /// Send one message, or several to one person as one text (each keeps
    /// its own row: all are marked sent, or all retried, together).
    async fn deliver(&self, group: &[OutboxRow]) -> Result<(), sqlx::Error> {
        let first = &group[0];
        let sender = self.senders.for_channel(&first.channel);
        let lang = first.lang();
        let mut texts = Vec::with_capacity(group.len());
        let mut rows = Vec::with_capacity(group.len());
        for row in group {
            match app::domain::notify::render(&row.template, &row.params(), lang) {
                Some(t) => {
                    texts.push(t);
                    rows.push(row);
                }
                None => {
                    db::mark_failed(&self.db, &row.id, sender.name(), "unknown template", None)
                        .await?
                }
            }
        }
        let Some(lead) = rows.first() else {
            return Ok(());
        };
        let text = if texts.len() == 1 {
            texts.remove(0)
        } else {
            app::domain::notify::merge(&texts, lang)
        };
        let message = Message {
            id: lead.id.clone(),
            channel: lead.channel.clone(),
            recipient: lead.recipient.clone(),
            template: if rows.len() == 1 {
                lead.template.clone()
            } else {
                "merged".into()
            },
            params: if rows.len() == 1 {
                lead.params()
            } else {
                serde_json::Value::Array(rows.iter().map(|r| r.params()).collect())
            },
            subject: app::domain::notify::subject(&lead.template, lang).to_string(),
            text,
        };
        match sender.send(&message).await {
            Ok(()) => {
                for r in &rows {
                    db::mark_sent(&self.db, &r.id, sender.name()).await?;
                }
                Ok(())
            }
            Err(e) => {
                for r in &rows {
                    let attempts = r.attempts + 1;
                    let retry_at = (attempts < self.settings.max_attempts)
                        .then(|| db::now_ms() + self.backoff(attempts).as_millis() as i64);
                    tracing::warn!(
                        id = %r.id,
                        attempts,
                        sender = sender.name(),
                        error = %e,
                        gave_up = retry_at.is_none(),
                        "outbox: delivery failed"
                    );
                    db::mark_failed(&self.db, &r.id, sender.name(), &e, retry_at).await?;
                }
                Ok(())
            }
        }
    }

    /// Wait before attempt `attempts + 1`: base · 2^(attempts-1), capped.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let exp = attempts.clamp(1, 20) as u32 - 1;
        self.settings
            .backoff_base
            .saturating_mul(2u32.saturating_pow(exp))
            .min(self.settings.backoff_max)
    }
}
