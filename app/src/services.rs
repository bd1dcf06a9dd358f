//! Server-side plumbing for server functions: the policy (limits, timeouts),
//! the signing key, the session cookie, the client's address, CSRF.
//! Provided to every request as context by the server crate.

use crate::db::{self, Db, SessionRow};
use crate::error::AppError;
use axum::http::{header, HeaderMap, HeaderValue};
use hmac::{Hmac, Mac};
use leptos::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::Arc;

pub const SESSION_COOKIE: &str = "onetrip_session";

/// Limits and timeouts. Defaults suit a public service; tests and the
/// end-to-end server loosen the per-address limits (every test comes from
/// 127.0.0.1).
#[derive(Debug, Clone)]
pub struct Policy {
    /// Send the session cookie with `Secure` (off only for plain-HTTP development).
    pub cookie_secure: bool,
    pub session_idle_ms: i64,
    pub session_absolute_ms: i64,
    /// At most one code per number in this interval.
    pub code_interval_ms: i64,
    /// At most this many codes per number per hour.
    pub codes_per_mobile_hour: i64,
    /// At most this many codes per client address per hour.
    pub codes_per_ip_hour: i64,
    /// Public lookups per client address per 10 minutes.
    pub lookups_per_ip_10min: i64,
    /// Failed lookups per receipt number per hour (against guessing the digits).
    pub failed_lookups_per_receipt_hour: i64,
    /// Show `/dev/outbox`: recent messages, codes included. Development only.
    pub dev_outbox: bool,
    /// How many reverse proxies of our own stand in front (0: none). With
    /// `n`, the client is the address the outermost of them appended to
    /// `X-Forwarded-For`: the `n`-th entry from the right. Entries further
    /// left were written by the client and are never believed.
    pub trusted_proxies: usize,
    /// Largest single uploaded file.
    pub max_file_bytes: i64,
    /// Largest total of all files of one application.
    pub max_application_bytes: i64,
    /// The public address of the service, for links printed on letters
    /// (their QR codes), without a trailing slash.
    pub public_url: String,
    /// Appointment rules: the booking window, the cut-off, the per-person cap.
    pub booking: crate::domain::booking::BookingRules,
    /// Most data rows one spreadsheet (and so one upload) may carry.
    pub filing_max_rows: usize,
    /// Largest spreadsheet file taken in.
    pub filing_max_file_bytes: usize,
    /// What certificate numbers name: the province's abbreviation and the
    /// city or county (浙(2026)明州市不动产权第0000001号).
    pub cert_province: String,
    pub cert_city: String,
    /// A payment channel is configured: clerks may open payment orders the
    /// applicant pays online.
    pub online_payment: bool,
    /// The utilities this centre is connected to (登记+X), by code.
    pub utilities: Vec<String>,
    /// An identity service is configured (real-name and face checks).
    pub identity_service: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            cookie_secure: true,
            session_idle_ms: 2 * 3600 * 1000,
            session_absolute_ms: 12 * 3600 * 1000,
            code_interval_ms: 60 * 1000,
            codes_per_mobile_hour: 5,
            codes_per_ip_hour: 30,
            lookups_per_ip_10min: 30,
            failed_lookups_per_receipt_hour: 10,
            dev_outbox: false,
            trusted_proxies: 0,
            max_file_bytes: 50 * 1024 * 1024,
            max_application_bytes: 300 * 1024 * 1024,
            public_url: "http://127.0.0.1:3000".into(),
            booking: Default::default(),
            filing_max_rows: 5_000,
            filing_max_file_bytes: 10 * 1024 * 1024,
            cert_province: "浙".into(),
            cert_city: "明州市".into(),
            online_payment: false,
            utilities: Vec::new(),
            identity_service: false,
        }
    }
}

#[derive(Clone)]
pub struct Services {
    secret: Arc<Vec<u8>>,
    pub policy: Policy,
    /// Wakes the outbox worker when a message is queued.
    pub outbox_wake: Arc<tokio::sync::Notify>,
    /// Wakes the filing worker when a spreadsheet is taken in.
    pub filing_wake: Arc<tokio::sync::Notify>,
    /// Refusals of the shared rate counters, remembered in this process.
    pub refusals: Arc<Refusals>,
    /// Rate counters of read paths, in memory and shared in batches.
    pub counters: Arc<crate::rates::Counters>,
    /// The public pages' copy of the matter catalogue.
    pub catalogue: Arc<db::CatalogueCache>,
    /// Bookable slots: one booking at a time each, "full" remembered.
    pub slot_gates: Arc<SlotGates>,
    /// The centre's seal (derived from the secret key).
    pub seal: Arc<crate::ops::seal::Seal>,
}

/// Refusals by the shared rate counters (`db::rate_hit`), remembered in
/// this process until the counter would let the client in again: a client
/// that keeps knocking is refused from memory, without a database
/// transaction, so refusing is cheap. The shared counters stay the only
/// authority for letting anyone in (each instance learns its refusals on its
/// own), and a remembered refusal never outlasts the counter's own.
#[derive(Debug, Default)]
pub struct Refusals {
    until_ms: std::sync::Mutex<std::collections::HashMap<String, i64>>,
}

impl Refusals {
    /// Remembered buckets kept before expired ones are swept.
    const SWEEP_AT: usize = 10_000;

    /// Seconds until the longest-refused of `buckets` may be tried again,
    /// if any of them is refused.
    pub fn refused(&self, buckets: &[&str]) -> Option<u64> {
        let now = db::now_ms();
        let until = self.until_ms.lock().unwrap_or_else(|e| e.into_inner());
        buckets
            .iter()
            .filter_map(|b| until.get(*b))
            .filter(|at| **at > now)
            .max()
            .map(|at| ((at - now) as u64).div_ceil(1000).max(1))
    }

    /// Remember that `bucket` refuses for `retry_after_secs`.
    pub fn remember(&self, bucket: &str, retry_after_secs: u64) {
        let now = db::now_ms();
        let mut until = self.until_ms.lock().unwrap_or_else(|e| e.into_inner());
        if until.len() >= Self::SWEEP_AT {
            until.retain(|_, at| *at > now);
        }
        if until.len() < Self::SWEEP_AT * 10 {
            until.insert(
                bucket.to_string(),
                now + retry_after_secs.saturating_mul(1000) as i64,
            );
        }
    }
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl Services {
    pub fn new(secret: Vec<u8>, policy: Policy) -> Self {
        let seal = Arc::new(crate::ops::seal::Seal::from_secret(&secret));
        Services {
            seal,
            secret: Arc::new(secret),
            policy,
            outbox_wake: Arc::new(tokio::sync::Notify::new()),
            filing_wake: Arc::new(tokio::sync::Notify::new()),
            refusals: Arc::new(Refusals::default()),
            counters: Arc::new(crate::rates::Counters::default()),
            catalogue: Arc::new(db::CatalogueCache::default()),
            slot_gates: Arc::new(SlotGates::default()),
        }
    }

    /// A keyed hash (HMAC-SHA-256), hex: for codes and for rate-limit keys,
    /// so neither codes nor phone numbers nor addresses are stored in clear.
    pub fn keyed_hash(&self, parts: &[&str]) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC accepts any key length");
        for p in parts {
            mac.update(p.as_bytes());
            mac.update(&[0]);
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// Compare a code with its stored keyed hash in constant time.
    pub fn code_matches(&self, challenge: &str, code: &str, stored_hex: &str) -> bool {
        let Ok(stored) = hex::decode(stored_hex) else {
            return false;
        };
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC accepts any key length");
        for p in [challenge, code] {
            mac.update(p.as_bytes());
            mac.update(&[0]);
        }
        mac.verify_slice(&stored).is_ok()
    }
}

/// 32 random bytes, hex: session tokens, CSRF tokens, code challenges.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// A six-digit code, uniformly distributed.
pub fn random_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::thread_rng().gen_range(0..1_000_000u32))
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub fn services() -> Result<Services, AppError> {
    use_context::<Services>().ok_or_else(|| request_gone("services"))
}

pub fn database() -> Result<Db, AppError> {
    use_context::<Db>().ok_or_else(|| request_gone("db"))
}

/// The server provides both contexts to every request, so one is missing only
/// when the request's reactive owner was already disposed: the browser left
/// (a second tap navigated away) while the page was still being rendered.
/// Nobody is waiting for the answer; that is not an internal error.
pub(crate) fn request_gone(what: &'static str) -> AppError {
    tracing::debug!(what, "request ended before its data was read (client left)");
    AppError::Unavailable {
        retry_after_secs: 1,
    }
}

pub async fn request_headers() -> HeaderMap {
    leptos_axum::extract::<HeaderMap>()
        .await
        .unwrap_or_default()
}

/// The client's address: the socket peer, or the first `X-Forwarded-For`
/// entry when the deployment says a proxy in front is trusted.
pub async fn client_ip(policy: &Policy) -> String {
    if policy.trusted_proxies > 0 {
        let headers = request_headers().await;
        let values: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if let Some(ip) = forwarded_client(&values, policy.trusted_proxies) {
            return ip.to_string();
        }
    }
    match leptos_axum::extract::<axum::extract::ConnectInfo<SocketAddr>>().await {
        Ok(axum::extract::ConnectInfo(addr)) => addr.ip().to_string(),
        Err(_) => "unknown".into(),
    }
}

/// The client's address behind `hops` proxies of our own: each appends the
/// address it received the request from to `X-Forwarded-For`, so the
/// `hops`-th entry from the right is what the outermost proxy saw. Anything
/// left of it came from the client and may be forged. `None` when the
/// header is missing, too short or not an address (then the peer address
/// is used).
pub fn forwarded_client(values: &[&str], hops: usize) -> Option<std::net::IpAddr> {
    let entries: Vec<&str> = values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    if hops == 0 || entries.len() < hops {
        return None;
    }
    entries[entries.len() - hops].parse().ok()
}

/// A browser's plain form post (no JavaScript, or a native submit): it wants
/// a page back, so errors are answered by redirecting to the form.
pub async fn is_form_post() -> bool {
    let headers = request_headers().await;
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// The language the citizen chose (the language switch's cookie); Chinese
/// unless they chose English.
pub async fn request_lang() -> crate::domain::Lang {
    let headers = request_headers().await;
    match cookie_value(&headers, crate::components::language::LANG_COOKIE).as_deref() {
        Some("en") => crate::domain::Lang::En,
        _ => crate::domain::Lang::Zh,
    }
}

pub(crate) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub(crate) fn session_token_hash(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers, SESSION_COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|t| sha256_hex(&t))
}

/// The signed-in citizen for plain axum handlers (uploads, downloads), which
/// run outside the Leptos request context.
pub async fn session_for_headers(
    db: &Db,
    services: &Services,
    headers: &HeaderMap,
) -> Result<Option<SessionRow>, sqlx::Error> {
    match session_token_hash(headers) {
        Some(hash) => db::live_session(db, &hash, services.policy.session_idle_ms).await,
        None => Ok(None),
    }
}

/// A form's CSRF token must be the session's own (compared in constant time).
pub fn check_csrf(session: &SessionRow, token: &str) -> Result<(), AppError> {
    same_token(&session.csrf_token, token)
}

/// Compare a presented token with the session's in constant time (hashes of
/// equal length, every byte looked at).
pub(crate) fn same_token(expected: &str, presented: &str) -> Result<(), AppError> {
    let a = sha256_hex(expected);
    let b = sha256_hex(presented);
    if a.as_bytes()
        .iter()
        .zip(b.as_bytes())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
    {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The hash of the session token this request carries (to rotate it away).
pub async fn presented_session_hash() -> Option<String> {
    session_token_hash(&request_headers().await)
}

fn set_cookie(value: String) {
    if let (Some(opts), Ok(v)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&value),
    ) {
        opts.append_header(header::SET_COOKIE, v);
    }
}

pub fn set_session_cookie(token: &str, policy: &Policy) {
    let secure = if policy.cookie_secure { "; Secure" } else { "" };
    set_cookie(format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        policy.session_absolute_ms / 1000
    ));
}

pub fn clear_session_cookie(policy: &Policy) {
    let secure = if policy.cookie_secure { "; Secure" } else { "" };
    set_cookie(format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"
    ));
}

/// Redirect a form post (303 semantics: the browser follows with a GET).
pub fn redirect(path: &str) {
    leptos_axum::redirect(path);
}

/// Only same-site paths may be redirect targets.
pub fn local_path(p: &str) -> Option<String> {
    (p.starts_with('/')
        && !p.starts_with("//")
        && !p.contains('\\')
        && !p.chars().any(|c| c.is_control()))
    .then(|| p.to_string())
}

/// Percent-encode a value for a query string (the language switch's encoder).
pub fn q(v: &str) -> String {
    crate::components::language::urlencode(v)
}

// ---- staff --------------------------------------------------------------

pub const STAFF_COOKIE: &str = "onetrip_staff";

pub(crate) fn staff_token_hash(headers: &HeaderMap) -> Option<String> {
    token_hash_in(headers, STAFF_COOKIE)
}

/// The SHA-256 of a well-formed session token in cookie `name`.
pub(crate) fn token_hash_in(headers: &HeaderMap, name: &str) -> Option<String> {
    cookie_value(headers, name)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|t| sha256_hex(&t))
}

/// The signed-in staff member for plain axum handlers (document downloads).
pub async fn staff_for_headers(
    db: &Db,
    services: &Services,
    headers: &HeaderMap,
) -> Result<Option<db::StaffSession>, sqlx::Error> {
    match staff_token_hash(headers) {
        Some(hash) => db::live_staff_session(db, &hash, services.policy.session_idle_ms).await,
        None => Ok(None),
    }
}

/// The staff form's CSRF token must be the staff session's own.
pub fn check_staff_csrf(session: &db::StaffSession, token: &str) -> Result<(), AppError> {
    same_token(&session.csrf_token, token)
}

pub async fn presented_staff_hash() -> Option<String> {
    staff_token_hash(&request_headers().await)
}

pub fn set_staff_cookie(token: &str, policy: &Policy) {
    set_strict_cookie(
        STAFF_COOKIE,
        token,
        policy.session_absolute_ms / 1000,
        policy,
    );
}

pub fn clear_staff_cookie(policy: &Policy) {
    set_strict_cookie(STAFF_COOKIE, "", 0, policy);
}

/// A `SameSite=Strict`, HttpOnly session cookie (staff and developers).
fn set_strict_cookie(name: &str, token: &str, max_age: i64, policy: &Policy) {
    let secure = if policy.cookie_secure { "; Secure" } else { "" };
    set_cookie(format!(
        "{name}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ));
}

// ---- developer organisations -------------------------------------------

pub const ORG_COOKIE: &str = "onetrip_org";

/// The signed-in member of a developer organisation, for plain axum
/// handlers (spreadsheet uploads and downloads).
pub async fn org_for_headers(
    db: &Db,
    services: &Services,
    headers: &HeaderMap,
) -> Result<Option<db::OrgSession>, sqlx::Error> {
    match token_hash_in(headers, ORG_COOKIE) {
        Some(hash) => db::live_org_session(db, &hash, services.policy.session_idle_ms).await,
        None => Ok(None),
    }
}

pub fn check_org_csrf(session: &db::OrgSession, token: &str) -> Result<(), AppError> {
    same_token(&session.csrf_token, token)
}

pub async fn presented_org_hash() -> Option<String> {
    token_hash_in(&request_headers().await, ORG_COOKIE)
}

pub fn set_org_cookie(token: &str, policy: &Policy) {
    set_strict_cookie(ORG_COOKIE, token, policy.session_absolute_ms / 1000, policy);
}

/// A just-made API token travels to the page that shows it once in this
/// short-lived cookie (never in a URL), read and cleared by that page.
pub const NEW_TOKEN_COOKIE: &str = "onetrip_new_token";

pub fn set_new_token_cookie(token: &str, policy: &Policy) {
    let secure = if policy.cookie_secure { "; Secure" } else { "" };
    let max_age = if token.is_empty() { 0 } else { 300 };
    set_cookie(format!(
        "{NEW_TOKEN_COOKIE}={token}; Path=/developer; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ));
}

pub async fn new_token_cookie() -> Option<String> {
    cookie_value(&request_headers().await, NEW_TOKEN_COOKIE).filter(|t| !t.is_empty())
}

pub fn clear_org_cookie(policy: &Policy) {
    set_strict_cookie(ORG_COOKIE, "", 0, policy);
}

/// Hash a password with argon2id (memory-hard; run off the async runtime).
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordHasher, SaltString};
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| AppError::internal("hash task", e))?
    .map_err(|e| AppError::internal("hash", e))
}

/// Check a password against a stored argon2 hash, off the async runtime.
pub async fn verify_password(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordHash, PasswordVerifier};
        PasswordHash::new(&stored)
            .map(|h| {
                argon2::Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::forwarded_client;

    #[test]
    fn the_client_is_what_our_outermost_proxy_saw_not_what_the_client_wrote() {
        let ip = |s: &str| Some(s.parse().unwrap());
        // One proxy: the right-most entry, whatever the client put before it.
        assert_eq!(
            forwarded_client(&["6.6.6.6, 203.0.113.9"], 1),
            ip("203.0.113.9")
        );
        assert_eq!(forwarded_client(&["203.0.113.9"], 1), ip("203.0.113.9"));
        // Several headers are one list.
        assert_eq!(
            forwarded_client(&["1.1.1.1", "203.0.113.9"], 1),
            ip("203.0.113.9")
        );
        // Two proxies (CDN, then our balancer): second from the right.
        assert_eq!(
            forwarded_client(&["6.6.6.6, 198.51.100.7, 10.0.0.2"], 2),
            ip("198.51.100.7")
        );
        // Too short, garbage, none configured: no answer (the peer is used).
        assert_eq!(forwarded_client(&["10.0.0.2"], 2), None);
        assert_eq!(forwarded_client(&["not an address"], 1), None);
        assert_eq!(forwarded_client(&[], 1), None);
        assert_eq!(forwarded_client(&["203.0.113.9"], 0), None);
        assert_eq!(forwarded_client(&["2001:db8::1"], 1), ip("2001:db8::1"));
    }
}

/// One gate per bookable slot in this process, and the slots the database
/// has just answered "full" for. Bookings of one slot pass their gate one at
/// a time; once the database has said the slot is full, the rest of a crowd
/// pressing "book" is answered from memory instead of queueing for the
/// database's write lock one by one. The database stays the only judge of a
/// seat (a unique index per seat); "full" is remembered for
/// [`SlotGates::FULL_FOR`] at most, and forgotten at once when this process
/// cancels a booking (another replica's cancellation shows within
/// `FULL_FOR`).
#[derive(Debug, Default)]
pub struct SlotGates {
    gates: std::sync::Mutex<SlotMap>,
}

type SlotMap = std::collections::HashMap<String, (Arc<tokio::sync::Mutex<()>>, Option<i64>)>;

impl SlotGates {
    pub const FULL_FOR: std::time::Duration = std::time::Duration::from_secs(2);
    const SWEEP_AT: usize = 10_000;

    /// Wait for the slot's gate; answer whether the slot was just found full.
    pub async fn enter(&self, slot: &str) -> (tokio::sync::OwnedMutexGuard<()>, bool) {
        let gate = {
            let mut gates = self.gates.lock().unwrap_or_else(|e| e.into_inner());
            if gates.len() >= Self::SWEEP_AT {
                let now = db::now_ms();
                gates.retain(|_, (g, full)| {
                    Arc::strong_count(g) > 1 || full.is_some_and(|until| until > now)
                });
            }
            gates.entry(slot.to_string()).or_default().0.clone()
        };
        let guard = gate.lock_owned().await;
        let now = db::now_ms();
        let full = self
            .gates
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(slot)
            .and_then(|(_, full)| *full)
            .is_some_and(|until| until > now);
        (guard, full)
    }

    /// Whether the database said a moment ago that `slot` is full (no wait).
    pub fn known_full(&self, slot: &str) -> bool {
        let now = db::now_ms();
        self.gates
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(slot)
            .and_then(|(_, full)| *full)
            .is_some_and(|until| until > now)
    }

    /// Like [`SlotGates::enter`], waiting at most `wait`: `None` when the
    /// queue at the gate is longer than that (the caller answers 503 with
    /// Retry-After rather than keep the person waiting).
    pub async fn enter_within(
        &self,
        slot: &str,
        wait: std::time::Duration,
    ) -> Option<(tokio::sync::OwnedMutexGuard<()>, bool)> {
        tokio::time::timeout(wait, self.enter(slot)).await.ok()
    }

    /// The database answered that `slot` is full.
    pub fn full(&self, slot: &str) {
        let until = db::now_ms() + Self::FULL_FOR.as_millis() as i64;
        if let Some(entry) = self
            .gates
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(slot)
        {
            entry.1 = Some(until);
        }
    }

    /// A booking was cancelled or moved here: seats may be free again.
    pub fn seats_freed(&self) {
        for (_, full) in self
            .gates
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values_mut()
        {
            *full = None;
        }
    }
}
