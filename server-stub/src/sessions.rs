//! Sign-in sessions: the async services that start, check and end them.
//!
//! Owns anonymous visitor sign-up, agent login (argon2 runs in the bounded
//! [`PasswordPool`], never on the async workers), [`authenticate`] (token → who holds it, plus
//! the digest the hub files the socket under) and [`authenticate_as`] (the same, for one role
//! only), logout, and seeding the demo agents on first start. A session is represented by a
//! *credential*: the digest of its bearer token in the store ([`crate::credentials`]). This
//! module sits above the store; only the REST handlers, the socket layer and start-up call it,
//! so nothing the store or the hub depends on depends on it.

use protocol::{Identity, Role, SessionResponse};

use crate::credentials::{self, TokenHash};
use crate::passwords::{HashError, PasswordPool};
use crate::store::{Db, StoreError};

/// The demo section every seeded agent belongs to.
pub const DEMO_SECTION: &str = "demo";

/// Why a login failed.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("unknown e-mail or wrong password")]
    BadCredentials,
    /// The hash could not run (every hashing thread busy for the whole wait, or a failure).
    #[error(transparent)]
    Hashing(#[from] HashError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why seeding the demo agents failed (the server then does not start).
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Hashing(#[from] HashError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A token that resolved to someone.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub me: Identity,
    /// The token's digest: the credential a socket is filed under, so signing out can close
    /// exactly the sockets that used it.
    pub credential: TokenHash,
}

/// Create an anonymous visitor named `name` (already validated) and a token for them.
pub async fn visitor_session(db: &Db, name: String) -> Result<SessionResponse, StoreError> {
    let token = credentials::new_token(Role::Visitor);
    let hash = credentials::hash_token(&token);
    let me = db
        .call(move |s| {
            let me = s.create_visitor(&name)?;
            s.create_credential(&hash, me.principal)?;
            Ok(me)
        })
        .await?;
    Ok(SessionResponse { token, me })
}

/// Check an agent's e-mail and password; on success issue a new agent token. The hash runs in
/// `pool`; an unknown e-mail is checked against a dummy hash, so it costs the same.
pub async fn login(
    db: &Db,
    pool: &PasswordPool,
    email: &str,
    password: String,
) -> Result<SessionResponse, LoginError> {
    let email = normalise_email(email);
    let (agent, phc) = db
        .call(move |s| s.agent_password_hash(&email))
        .await?
        .unzip();
    let verified = pool.verify(password, phc).await?;
    let me = agent
        .filter(|_| verified)
        .ok_or(LoginError::BadCredentials)?;
    let token = issue_credential(db, &me).await?;
    Ok(SessionResponse { token, me })
}

/// Issue and store a new token for an existing identity (login, and seeding in tests).
pub async fn issue_credential(db: &Db, me: &Identity) -> Result<String, StoreError> {
    let token = credentials::new_token(me.role());
    let hash = credentials::hash_token(&token);
    let principal = me.principal;
    db.call(move |s| s.create_credential(&hash, principal))
        .await?;
    Ok(token)
}

/// Forget a credential (its holder was authenticated by the caller, for the right role).
/// The caller closes the sockets that used it.
pub async fn logout(db: &Db, credential: TokenHash) -> Result<(), StoreError> {
    db.call(move |s| s.delete_credential(&credential)).await
}

/// Who holds `token`, if anyone, and its digest.
pub async fn authenticate(db: &Db, token: &str) -> Result<Option<Authenticated>, StoreError> {
    let Some((role, credential)) = credentials::parse_token(token) else {
        return Ok(None);
    };
    let me = db.call(move |s| s.credential_holder(&credential)).await?;
    // The prefix is only a hint; the stored role decides, and they must agree.
    Ok(me
        .filter(|me| me.role() == role)
        .map(|me| Authenticated { me, credential }))
}

/// Who holds `token`, if anyone, provided it is a `role` token: the one rule every endpoint
/// for one role goes through (REST: [`crate::auth`]). A token of another role is `None`
/// before the store is asked.
pub async fn authenticate_as(
    db: &Db,
    token: &str,
    role: Role,
) -> Result<Option<Authenticated>, StoreError> {
    if credentials::parse_token(token).is_none_or(|(claimed, _)| claimed != role) {
        return Ok(None);
    }
    Ok(authenticate(db, token)
        .await?
        .filter(|who| who.me.role() == role))
}

/// Create an agent with an argon2id hash of `password`, hashed in `pool` like every other.
pub async fn add_agent(
    db: &Db,
    pool: &PasswordPool,
    email: &str,
    name: &str,
    password: &str,
) -> Result<Identity, SeedError> {
    let phc = pool.hash(password.to_owned()).await?;
    Ok(add_agent_with_hash(db, email, name, phc).await?)
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
    pool: &PasswordPool,
    password: Option<String>,
) -> Result<Option<String>, SeedError> {
    if db.call(|s| s.agent_count()).await? > 0 {
        return Ok(None);
    }
    let password = password.unwrap_or_else(credentials::random_password);
    // One hash (and so one salt) per agent, though they share the password: with a shared salt,
    // one stolen hash cracked is both accounts cracked, and equal hashes show the equal
    // passwords to anyone who reads the table.
    for (email, name) in [("ada@example.com", "Ada"), ("grace@example.com", "Grace")] {
        let phc = pool.hash(password.clone()).await?;
        add_agent_with_hash(db, email, name, phc).await?;
    }
    Ok(Some(password))
}

/// The form an e-mail is stored, looked up and rate-limited under.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}
