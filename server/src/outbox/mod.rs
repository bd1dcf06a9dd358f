//! Delivery of the notifications outbox: one trait for senders, three senders
//! (log, SMTP e-mail, HTTPS webhook for an SMS gateway), and the background
//! worker that delivers due messages with retries and exponential backoff.

mod senders;
mod worker;

pub use senders::{LogSender, SmtpSender, WebhookSender};
pub use worker::{Worker, WorkerSettings};

use std::sync::Arc;

/// One message, rendered, as a sender receives it.
#[derive(Debug, Clone)]
pub struct Message {
    /// Stable across retries: gateways can use it to drop duplicates.
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub template: String,
    pub params: serde_json::Value,
    pub subject: String,
    pub text: String,
}

/// Something that can deliver a message. An `Err` is retried later with
/// backoff; its text is recorded on the message (it must not contain the
/// recipient or the message text).
#[async_trait::async_trait]
pub trait Sender: Send + Sync {
    fn name(&self) -> &'static str;
    async fn send(&self, message: &Message) -> Result<(), String>;
}

/// The sender for each channel.
#[derive(Clone)]
pub struct Senders {
    pub sms: Arc<dyn Sender>,
    pub email: Arc<dyn Sender>,
}

impl Senders {
    /// Both channels print to the server log (the development default).
    pub fn log() -> Senders {
        Senders {
            sms: Arc::new(LogSender),
            email: Arc::new(LogSender),
        }
    }

    pub fn for_channel(&self, channel: &str) -> &Arc<dyn Sender> {
        match channel {
            "email" => &self.email,
            _ => &self.sms,
        }
    }
}

impl std::fmt::Debug for Senders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Senders")
            .field("sms", &self.sms.name())
            .field("email", &self.email.name())
            .finish()
    }
}
