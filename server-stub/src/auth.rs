//! Credentials and authorisation: the one place that decides who may do what.
//!
//! Owns token generation (32 bytes from the OS RNG, base64url, `v_`/`a_` prefix), token hashing
//! (only SHA-256 digests reach the store), argon2id password hashing and verification, and the
//! pure policy functions ([`may_read`], [`may_send`], [`may_accept`], [`may_end`],
//! [`may_go_online`]) that the store applies inside its transactions, so REST and socket paths
//! share one rule set. It does not own sockets or HTTP.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use protocol::{ConversationStatus, Identity, Role, SessionResponse};
use rand::TryRngCore as _;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

use crate::store::{Db, StoreError};

/// Prefix of visitor tokens; lets us reject a token presented for the wrong role cheaply.
const VISITOR_PREFIX: &str = "v_";
const AGENT_PREFIX: &str = "a_";
/// The demo section every seeded agent belongs to.
pub const DEMO_SECTION: &str = "demo";

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
fn dummy_hash() -> &'static str {
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

// ---------------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------------

/// Why a credential operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("unknown e-mail or wrong password")]
    BadCredentials,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Create an anonymous visitor named `name` (already validated) and a token for them.
pub async fn visitor_session(db: &Db, name: String) -> Result<SessionResponse, StoreError> {
    let token = new_token(Role::Visitor);
    let hash = hash_token(&token);
    let me = db
        .call(move |s| {
            let me = s.create_visitor(&name)?;
            s.create_session(&hash, Role::Visitor, me.id)?;
            Ok(me)
        })
        .await?;
    Ok(SessionResponse { token, me })
}

/// Check an agent's e-mail and password; on success issue a new agent token.
pub async fn login(db: &Db, email: &str, password: String) -> Result<SessionResponse, AuthError> {
    let email = normalise_email(email);
    let found = db.call(move |s| s.agent_credentials(&email)).await?;
    // argon2 is deliberately slow: keep it off the async workers.
    let verified = tokio::task::spawn_blocking(move || match found {
        Some((agent, phc)) => verify_password(&password, &phc).then_some(agent),
        None => {
            let _ = verify_password(&password, dummy_hash());
            None
        }
    })
    .await
    .map_err(|e| StoreError::Blocking(e.to_string()))?;
    let me = verified.ok_or(AuthError::BadCredentials)?;
    let token = issue_session(db, &me).await?;
    Ok(SessionResponse { token, me })
}

/// Issue and store a new token for an existing identity (login, and seeding in tests).
pub async fn issue_session(db: &Db, me: &Identity) -> Result<String, StoreError> {
    let token = new_token(me.role);
    let hash = hash_token(&token);
    let (role, id) = (me.role, me.id);
    db.call(move |s| s.create_session(&hash, role, id)).await?;
    Ok(token)
}

/// Forget a token. Unknown tokens are ignored (logout is idempotent).
pub async fn logout(db: &Db, token: &str) -> Result<(), StoreError> {
    if let Some((_, hash)) = parse_token(token) {
        db.call(move |s| s.delete_session(&hash)).await?;
    }
    Ok(())
}

/// Who holds `token`, if anyone.
pub async fn authenticate(db: &Db, token: &str) -> Result<Option<Identity>, StoreError> {
    let Some((role, hash)) = parse_token(token) else {
        return Ok(None);
    };
    let me = db.call(move |s| s.session_identity(&hash)).await?;
    // The prefix is only a hint; the stored role decides, and they must agree.
    Ok(me.filter(|me| me.role == role))
}

/// Create an agent with an argon2id hash of `password`. Real code used by seeding and tests.
pub async fn add_agent(
    db: &Db,
    email: &str,
    name: &str,
    password: &str,
) -> Result<Identity, StoreError> {
    let phc = hash_password(password);
    add_agent_with_hash(db, email, name, phc).await
}

async fn add_agent_with_hash(
    db: &Db,
    email: &str,
    name: &str,
    phc: String,
) -> Result<Identity, StoreError> {
    let (email, name) = (normalise_email(email), name.to_owned());
    db.call(move |s| s.create_agent(&email, &name, &phc, DEMO_SECTION))
        .await
}

/// On first start (no agent yet) create the demo agents Ada and Grace. Returns the password
/// used when it seeded, so the caller can print it once.
pub async fn seed_demo_agents(
    db: &Db,
    password: Option<String>,
) -> Result<Option<String>, StoreError> {
    if db.call(|s| s.agent_count()).await? > 0 {
        return Ok(None);
    }
    let password = password.unwrap_or_else(random_password);
    // One hash for both: they share the password anyway, and argon2 is slow in debug builds.
    let pw = password.clone();
    let phc = tokio::task::spawn_blocking(move || hash_password(&pw))
        .await
        .map_err(|e| StoreError::Blocking(e.to_string()))?;
    add_agent_with_hash(db, "ada@example.com", "Ada", phc.clone()).await?;
    add_agent_with_hash(db, "grace@example.com", "Grace", phc).await?;
    Ok(Some(password))
}

fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

// ---------------------------------------------------------------------------------------------
// Policy: pure decisions, applied by the store inside the transaction that acts on them
// ---------------------------------------------------------------------------------------------

/// What the policy needs to know about a conversation.
#[derive(Debug, Clone)]
pub struct ConversationFacts {
    pub visitor_id: i64,
    pub status: ConversationStatus,
    /// Agents who joined, in join order.
    pub agent_ids: Vec<i64>,
}

/// Why an action was refused; each maps to one stable [`protocol::ErrorCode`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// Does not exist, or the caller may not see it: deliberately indistinguishable.
    #[error("no such conversation")]
    NotFound,
    /// The caller's role may not do this at all.
    #[error("not allowed for this role")]
    Forbidden,
    #[error("the conversation has ended")]
    Ended,
    /// Someone else accepted first; names them (agents only ever see this).
    #[error("{0} already accepted this chat")]
    AlreadyAccepted(String),
}

/// Visitors read only their own conversations; agents only those they participate in.
pub fn may_read(who: &Identity, c: Option<&ConversationFacts>) -> Result<(), Denied> {
    let c = c.ok_or(Denied::NotFound)?;
    let allowed = match who.role {
        Role::Visitor => c.visitor_id == who.id,
        Role::Agent => c.agent_ids.contains(&who.id),
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied::NotFound)
    }
}

/// Sending needs read access and an open conversation.
pub fn may_send(who: &Identity, c: Option<&ConversationFacts>) -> Result<(), Denied> {
    may_read(who, c)?;
    match c.map(|c| c.status) {
        Some(ConversationStatus::Ended) => Err(Denied::Ended),
        _ => Ok(()),
    }
}

/// Only agents accept, and only requests still waiting. `winner` names who took it otherwise.
pub fn may_accept(
    who: &Identity,
    c: Option<&ConversationFacts>,
    winner: impl FnOnce() -> String,
) -> Result<(), Denied> {
    if who.role != Role::Agent {
        return Err(Denied::Forbidden);
    }
    let c = c.ok_or(Denied::NotFound)?;
    match c.status {
        ConversationStatus::Waiting => Ok(()),
        ConversationStatus::Active | ConversationStatus::Ended if !c.agent_ids.is_empty() => {
            Err(Denied::AlreadyAccepted(winner()))
        }
        _ => Err(Denied::NotFound),
    }
}

/// Only a participating agent ends a conversation, once.
pub fn may_end(who: &Identity, c: Option<&ConversationFacts>) -> Result<(), Denied> {
    if who.role != Role::Agent {
        return Err(Denied::Forbidden);
    }
    may_send(who, c)
}

/// Only agents have an online state and see the queue.
pub fn may_go_online(who: &Identity) -> Result<(), Denied> {
    match who.role {
        Role::Agent => Ok(()),
        Role::Visitor => Err(Denied::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visitor(id: i64) -> Identity {
        Identity {
            role: Role::Visitor,
            id,
            name: "v".into(),
        }
    }
    fn agent(id: i64) -> Identity {
        Identity {
            role: Role::Agent,
            id,
            name: "a".into(),
        }
    }
    fn facts(status: ConversationStatus, agents: &[i64]) -> ConversationFacts {
        ConversationFacts {
            visitor_id: 1,
            status,
            agent_ids: agents.to_vec(),
        }
    }

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

    #[test]
    fn visitors_see_only_their_own_conversations() {
        let c = facts(ConversationStatus::Waiting, &[]);
        assert_eq!(may_read(&visitor(1), Some(&c)), Ok(()));
        assert_eq!(may_read(&visitor(2), Some(&c)), Err(Denied::NotFound));
        assert_eq!(may_read(&visitor(1), None), Err(Denied::NotFound));
        assert_eq!(may_send(&visitor(2), Some(&c)), Err(Denied::NotFound));
    }

    #[test]
    fn agents_need_to_participate() {
        let c = facts(ConversationStatus::Active, &[7]);
        assert_eq!(may_read(&agent(7), Some(&c)), Ok(()));
        assert_eq!(may_read(&agent(8), Some(&c)), Err(Denied::NotFound));
        assert_eq!(may_end(&agent(8), Some(&c)), Err(Denied::NotFound));
        assert_eq!(may_end(&agent(7), Some(&c)), Ok(()));
        let ended = facts(ConversationStatus::Ended, &[7]);
        assert_eq!(may_send(&agent(7), Some(&ended)), Err(Denied::Ended));
        // a stranger learns nothing about an ended chat either
        assert_eq!(may_send(&agent(8), Some(&ended)), Err(Denied::NotFound));
    }

    #[test]
    fn accept_rules() {
        let waiting = facts(ConversationStatus::Waiting, &[]);
        let taken = facts(ConversationStatus::Active, &[7]);
        assert_eq!(
            may_accept(&visitor(1), Some(&waiting), String::new),
            Err(Denied::Forbidden)
        );
        assert_eq!(may_accept(&agent(8), Some(&waiting), String::new), Ok(()));
        assert_eq!(
            may_accept(&agent(8), Some(&taken), || "Ada".into()),
            Err(Denied::AlreadyAccepted("Ada".into()))
        );
        assert_eq!(
            may_accept(&agent(8), None, String::new),
            Err(Denied::NotFound)
        );
        assert_eq!(may_go_online(&visitor(1)), Err(Denied::Forbidden));
    }
}
