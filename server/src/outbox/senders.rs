use super::{Message, Sender};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// Masked for logs: 138****5678, a***@example.com.
pub fn mask_recipient(r: &str) -> String {
    if let Some((user, domain)) = r.split_once('@') {
        let first: String = user.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    if r.len() == 11 && r.is_ascii() {
        return format!("{}****{}", &r[..3], &r[7..]);
    }
    "***".into()
}

/// Prints each message to the server log (recipient masked). The default, so
/// that a development machine needs no gateway; testers read codes from the
/// log or from the development outbox page.
pub struct LogSender;

#[async_trait::async_trait]
impl Sender for LogSender {
    fn name(&self) -> &'static str {
        "log"
    }
    async fn send(&self, m: &Message) -> Result<(), String> {
        tracing::info!(
            target: "onetrip::outbox",
            id = %m.id,
            channel = %m.channel,
            to = %mask_recipient(&m.recipient),
            template = %m.template,
            text = %m.text,
            "message delivered to the log"
        );
        Ok(())
    }
}

/// Posts each message as JSON to an HTTPS endpoint (an SMS gateway or a
/// relay): `{id, channel, to, template, params, text}`, with
/// `Idempotency-Key: <id>` and an optional bearer token. Any 2xx is success.
pub struct WebhookSender {
    url: String,
    token: Option<String>,
    client: reqwest::Client,
}

impl WebhookSender {
    pub fn new(url: String, token: Option<String>) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(WebhookSender { url, token, client })
    }
}

#[async_trait::async_trait]
impl Sender for WebhookSender {
    fn name(&self) -> &'static str {
        "webhook"
    }
    async fn send(&self, m: &Message) -> Result<(), String> {
        let mut req = self
            .client
            .post(&self.url)
            .header("idempotency-key", &m.id)
            .json(&serde_json::json!({
                "id": m.id,
                "channel": m.channel,
                "to": m.recipient,
                "template": m.template,
                "params": m.params,
                "text": m.text,
            }));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.map_err(|e| {
            // reqwest errors may carry the URL; keep only the kind.
            if e.is_timeout() {
                "webhook: timed out".to_string()
            } else if e.is_connect() {
                "webhook: connection failed".to_string()
            } else {
                "webhook: request failed".to_string()
            }
        })?;
        if res.status().is_success() {
            Ok(())
        } else {
            Err(format!("webhook: HTTP {}", res.status().as_u16()))
        }
    }
}

/// E-mail through an SMTP server (lettre), e.g.
/// `smtps://user:password@smtp.example.com:465` or
/// `smtp://relay.internal:25?tls=required`.
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpSender {
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("ONETRIP_SMTP_URL is not a valid SMTP URL: {e}"))?
            .timeout(Some(Duration::from_secs(15)))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| format!("ONETRIP_SMTP_FROM is not a valid address: {e}"))?;
        Ok(SmtpSender { transport, from })
    }
}

#[async_trait::async_trait]
impl Sender for SmtpSender {
    fn name(&self) -> &'static str {
        "smtp"
    }
    async fn send(&self, m: &Message) -> Result<(), String> {
        let to = m
            .recipient
            .parse::<Mailbox>()
            .map_err(|_| "smtp: recipient is not an e-mail address".to_string())?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(m.subject.clone())
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(m.text.clone())
            .map_err(|e| format!("smtp: cannot build message: {e}"))?;
        self.transport.send(email).await.map(|_| ()).map_err(|e| {
            if e.is_permanent() {
                "smtp: permanent failure".to_string()
            } else {
                "smtp: transient failure".to_string()
            }
        })
    }
}
