//! The centre's seal: an Ed25519 key that signs electronic certificates'
//! statements (and, later, signed application forms). Every replica derives
//! the same key from the server's secret key (HMAC-SHA-256 of a fixed label),
//! so there is no second secret to distribute; a replaced secret key is a new
//! seal (documents sealed before still verify by their key id against the
//! keys published at `/verify/key`, which lists the current one).
//!
//! Anyone can check a statement offline with the public key:
//! `openssl pkeyutl -verify -pubin -inkey seal.pem -rawin -in statement.json -sigfile sig.bin`.

use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

const LABEL: &[u8] = b"onetrip seal v1";

#[derive(Clone)]
pub struct Seal {
    key: SigningKey,
    key_id: String,
}

impl std::fmt::Debug for Seal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seal")
            .field("key_id", &self.key_id)
            .finish()
    }
}

impl Seal {
    pub fn from_secret(secret: &[u8]) -> Seal {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
        mac.update(LABEL);
        let seed: [u8; 32] = mac.finalize().into_bytes().into();
        let key = SigningKey::from_bytes(&seed);
        let key_id = key_id(&key.verifying_key());
        Seal { key, key_id }
    }

    /// The first 16 hex digits of the public key's SHA-256.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The signature of `message`, base64.
    pub fn sign(&self, message: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.key.sign(message).to_bytes())
    }

    /// Whether `signature` (base64) is this seal's on `message`.
    pub fn verify(&self, message: &[u8], signature: &str) -> bool {
        verify_with(&self.key.verifying_key(), message, signature)
    }

    /// The public key as a PEM (SubjectPublicKeyInfo), as OpenSSL reads it.
    pub fn public_pem(&self) -> String {
        // The DER of an Ed25519 SubjectPublicKeyInfo is this 12-byte prefix
        // and the 32-byte key (RFC 8410).
        let mut der = vec![
            0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
        ];
        der.extend_from_slice(self.key.verifying_key().as_bytes());
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n")
    }

    /// The raw public key, base64 (32 bytes).
    pub fn public_raw(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.key.verifying_key().as_bytes())
    }
}

fn key_id(k: &VerifyingKey) -> String {
    hex::encode(&Sha256::digest(k.as_bytes())[..8])
}

/// Check a signature with a public key as `/verify/key.json` publishes it
/// (32 bytes, base64): what a verifier does offline.
pub fn verify_with_public(public_b64: &str, message: &[u8], signature: &str) -> bool {
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(public_b64.trim()) else {
        return false;
    };
    let Ok(raw) = <[u8; 32]>::try_from(raw.as_slice()) else {
        return false;
    };
    let Ok(key) = VerifyingKey::from_bytes(&raw) else {
        return false;
    };
    verify_with(&key, message, signature)
}

pub fn verify_with(key: &VerifyingKey, message: &[u8], signature: &str) -> bool {
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(&bytes) else {
        return false;
    };
    key.verify(message, &sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_secret_one_seal_and_a_changed_message_fails() {
        let a = Seal::from_secret(b"secret one");
        let b = Seal::from_secret(b"secret one");
        let c = Seal::from_secret(b"secret two");
        assert_eq!(a.key_id(), b.key_id());
        assert_ne!(a.key_id(), c.key_id());
        let sig = a.sign(b"statement");
        assert!(b.verify(b"statement", &sig));
        assert!(!a.verify(b"statement!", &sig));
        assert!(!c.verify(b"statement", &sig));
        assert!(!a.verify(b"statement", "not base64 at all"));
        assert!(!a.verify(b"statement", ""));
        assert!(a
            .public_pem()
            .starts_with("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"));
    }
}
