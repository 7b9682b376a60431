//! Secrets and their digests: bearer tokens and agent passwords.
//!
//! Owns token generation (32 bytes from the OS RNG, base64url, `v_`/`a_` prefix), token hashing
//! ([`TokenHash`]: only SHA-256 digests reach the store), and argon2id password hashing and
//! verification. Pure functions with no I/O besides the OS RNG, so the store can name
//! [`TokenHash`] without depending on anything that uses the store. A *credential* is a token
//! as the store keeps it (its digest, in the `sessions` table); `sessions.rs` issues and
//! revokes them.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use protocol::Role;
use rand::TryRngCore as _;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

/// Prefix of visitor tokens; lets us reject a token presented for the wrong role cheaply.
const VISITOR_PREFIX: &str = "v_";
const AGENT_PREFIX: &str = "a_";

/// SHA-256 of a whole token string: what the `sessions` table stores and is searched by.
/// Looking up by digest means the database never compares secrets byte by byte.
pub type TokenHash = [u8; 32];

/// A new bearer token for `role`: ≥128 bits from the OS RNG (we use 256).
pub fn new_token(role: Role) -> String {
    let mut bytes = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the OS random number generator failed");
    let prefix = match role {
        Role::Visitor => VISITOR_PREFIX,
        Role::Agent => AGENT_PREFIX,
    };
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The role a token claims by its prefix, and its digest; `None` when it is not one of ours.
pub fn parse_token(token: &str) -> Option<(Role, TokenHash)> {
    let role = if token.starts_with(VISITOR_PREFIX) {
        Role::Visitor
    } else if token.starts_with(AGENT_PREFIX) {
        Role::Agent
    } else {
        return None;
    };
    // 2 prefix bytes + 43 base64url characters; anything else was never issued.
    if token.len() != 45 {
        return None;
    }
    Some((role, hash_token(token)))
}

/// SHA-256 of the token string.
pub fn hash_token(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

/// An argon2id PHC string for `password`, with a fresh random salt.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    OsRng
        .try_fill_bytes(&mut salt)
        .expect("the OS random number generator failed");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt length");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

/// Constant-time (inside argon2) check of `password` against a stored PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(hash) => Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of a random password, verified against for unknown e-mails so that "no such agent"
/// costs as much time as "wrong password" and does not leak which e-mails exist.
pub fn dummy_password_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_password()))
}

/// A random password for demo agents when none is configured.
pub fn random_password() -> String {
    let mut bytes = [0u8; 12];
    OsRng
        .try_fill_bytes(&mut bytes)
        .expect("the OS random number generator failed");
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_parse_back() {
        let a = new_token(Role::Visitor);
        let b = new_token(Role::Visitor);
        assert_ne!(a, b);
        assert!(a.starts_with("v_") && new_token(Role::Agent).starts_with("a_"));
        assert_eq!(URL_SAFE_NO_PAD.decode(&a[2..]).unwrap().len(), 32);
        let (role, hash) = parse_token(&a).unwrap();
        assert_eq!(role, Role::Visitor);
        assert_eq!(hash, hash_token(&a));
        assert_ne!(hash, hash_token(&b));
        assert!(parse_token("x_abc").is_none());
        assert!(parse_token("v_short").is_none());
    }

    #[test]
    fn token_hash_is_sha256_of_the_whole_token() {
        // Known vector: SHA-256("abc").
        let h = hash_token("abc");
        assert_eq!(
            h[..4],
            [0xba, 0x78, 0x16, 0xbf],
            "sha256(abc) starts ba7816bf"
        );
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let phc = hash_password("correct horse");
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &phc));
        assert!(!verify_password("wrong", &phc));
        assert!(!verify_password("x", "not a phc string"));
    }
}
