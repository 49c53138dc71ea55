//! Opaque random tokens (session cookies, API tokens, setup links) and the digests stored in
//! their place, so a copy of the database yields no usable credential.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::OsRng;
use rand_core::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// 256 random bits, base64url, after `prefix` (which tells a reader what the token is for).
pub fn new_token(prefix: &str) -> SecretString {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    SecretString::from(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// The stored form of a token. A fast hash is enough: the tokens carry 256 random bits, so
/// there is nothing to guess.
pub fn digest(token: &SecretString) -> String {
    Sha256::digest(token.expose_secret().as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_as_digests() {
        let a = new_token("sbt_");
        let b = new_token("sbt_");
        assert!(a.expose_secret().starts_with("sbt_"));
        assert_eq!(a.expose_secret().len(), 4 + 43);
        assert_ne!(a.expose_secret(), b.expose_secret());
        assert_eq!(digest(&a), digest(&a));
        assert_ne!(digest(&a), digest(&b));
        assert_eq!(digest(&a).len(), 64);
        assert!(!digest(&a).contains(&a.expose_secret()[4..]));
    }
}
