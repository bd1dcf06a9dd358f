//! Signatures of the HTTP integration points (payment channel, tax
//! authority, utilities): `X-OneTrip-Signature: t=<unix seconds>,v1=<hex>`
//! where the hex is HMAC-SHA-256 over `<t>.<body>` with the shared secret.
//! A signature more than five minutes from now is refused (a replay of an
//! old message), whatever its content.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const HEADER: &str = "x-onetrip-signature";

/// How far a signature's time may be from ours.
pub const TOLERANCE_SECS: i64 = 300;

fn mac(secret: &[u8], t: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m
}

/// The header value for `body` signed at `now_secs`.
pub fn header_value(secret: &[u8], now_secs: i64, body: &[u8]) -> String {
    let sig = hex::encode(mac(secret, now_secs, body).finalize().into_bytes());
    format!("t={now_secs},v1={sig}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no signature")]
    Missing,
    #[error("the signature header is malformed")]
    Malformed,
    #[error("the signature is too old or from the future")]
    Stale,
    #[error("the signature does not match")]
    Mismatch,
}

/// Check a header value against `body` (constant-time comparison).
pub fn verify(
    secret: &[u8],
    header: Option<&str>,
    body: &[u8],
    now_secs: i64,
) -> Result<(), SignatureError> {
    let h = header.ok_or(SignatureError::Missing)?;
    let mut t = None;
    let mut v1 = None;
    for part in h.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(sig)) = (t, v1) else {
        return Err(SignatureError::Malformed);
    };
    if (now_secs - t).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    mac(secret, t, body)
        .verify_slice(&sig)
        .map_err(|_| SignatureError::Mismatch)
}

pub fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_checks_and_fails_on_any_change() {
        let h = header_value(b"secret", 1_800_000_000, b"{\"a\":1}");
        assert_eq!(
            verify(b"secret", Some(&h), b"{\"a\":1}", 1_800_000_010),
            Ok(())
        );
        assert_eq!(
            verify(b"secret", Some(&h), b"{\"a\":2}", 1_800_000_010),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"other", Some(&h), b"{\"a\":1}", 1_800_000_010),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(
                b"secret",
                Some(&h),
                b"{\"a\":1}",
                1_800_000_000 + TOLERANCE_SECS + 1
            ),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(b"secret", None, b"", 0),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(b"secret", Some("t=1,v1=zz"), b"", 1),
            Err(SignatureError::Malformed)
        );
        // The time is part of what is signed: moving it breaks the signature.
        let moved = h.replace("t=1800000000", "t=1800000005");
        assert_eq!(
            verify(b"secret", Some(&moved), b"{\"a\":1}", 1_800_000_010),
            Err(SignatureError::Mismatch)
        );
    }
}
