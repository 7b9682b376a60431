//! Sign-in sessions: the async services that start, check and end them.
//!
//! [`Sessions`] owns anonymous visitor sign-up, agent login (argon2 runs in the bounded
//! [`PasswordPool`], never on the async workers), authentication (token → who holds it, plus
//! the digest the hub files the socket under), lifetimes (sliding expiry per role,
//! [`Lifetimes`]; housekeeping refreshes what open sockets use and deletes what expired),
//! listing and ending one's sessions, logout, and password changes (which end every session).
//! Free functions create agents and seed the demo agents on first start. A session is
//! represented by a *credential*: the digest of its bearer token in the store
//! ([`crate::credentials`]). This module sits above the store; only the REST handlers, the
//! socket layer and start-up call it, so nothing the store or the hub depends on depends on it.

use std::time::Duration;

use protocol::helpdesk::ContactSessionResponse;
use protocol::{
    Identity, InputError, Millis, Principal, Role, SessionId, SessionInfo, SessionResponse,
    VisitorId,
};

use crate::credentials::{self, TokenHash};
use crate::identity::Claims;
use crate::passwords::{HashError, PasswordPool};
use crate::store::{ContactSignIn, Db, NewCredential, StoreError, now_millis};

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

/// How long a session lives without being used. Expiry slides: every use (a REST call, a
/// socket opening, a socket staying open) moves it to a full lifetime from then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    pub visitor: Duration,
    pub agent: Duration,
}

impl Lifetimes {
    pub fn of(&self, role: Role) -> Duration {
        match role {
            Role::Visitor => self.visitor,
            Role::Agent => self.agent,
        }
    }

    /// How stale a session's `last_used_at` may get before a use writes it again: a tenth of
    /// its lifetime, at most a minute. Bounds the writes a busy session causes (a REST call a
    /// second is still one write a minute); the expiry then falls at most that much short of a
    /// full lifetime from the last use.
    pub fn refresh_after(&self, role: Role) -> Duration {
        (self.of(role) / 10).min(Duration::from_secs(60))
    }

    /// How often housekeeping refreshes the sessions of open sockets and deletes expired ones:
    /// a quarter of the shorter lifetime, at most a minute, so an open socket's session is
    /// refreshed several times before it could expire.
    pub fn housekeeping_every(&self) -> Duration {
        (self.visitor.min(self.agent) / 4).min(Duration::from_secs(60))
    }

    fn expiry(&self, role: Role, now: Millis) -> Millis {
        now.saturating_add(millis(self.of(role)))
    }
}

fn millis(d: Duration) -> Millis {
    Millis::try_from(d.as_millis()).unwrap_or(Millis::MAX)
}

/// Longest `User-Agent` kept to tell a holder's devices apart, in bytes.
pub const MAX_DEVICE_BYTES: usize = 256;

/// The device label stored with a session: the `User-Agent`, cut to [`MAX_DEVICE_BYTES`] on a
/// character boundary, control characters (a tab is the one a header may hold) made spaces:
/// it is shown in the console.
pub fn device_label(user_agent: Option<&str>) -> String {
    let mut out = String::new();
    let chars = user_agent.unwrap_or("").trim().chars();
    for c in chars.map(|c| if c.is_control() { ' ' } else { c }) {
        if out.len() + c.len_utf8() > MAX_DEVICE_BYTES {
            break;
        }
        out.push(c);
    }
    out
}

/// A token that resolved to someone.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub me: Identity,
    /// The token's digest: the credential a socket is filed under, so signing out can close
    /// exactly the sockets that used it.
    pub credential: TokenHash,
    /// The session the token stands for, as its holder names it.
    pub session: SessionId,
    /// An agent with the admin role.
    pub admin: bool,
}

/// Why a password change failed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordChangeError {
    #[error("the current password is not right")]
    WrongPassword,
    #[error("the new password {0}")]
    Weak(InputError),
    #[error(transparent)]
    Hashing(#[from] HashError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The session services, over the store and the configured [`Lifetimes`].
#[derive(Clone)]
pub struct Sessions {
    db: Db,
    lifetimes: Lifetimes,
}

impl Sessions {
    pub fn new(db: Db, lifetimes: Lifetimes) -> Self {
        Sessions { db, lifetimes }
    }

    pub fn lifetimes(&self) -> Lifetimes {
        self.lifetimes
    }

    fn new_credential(&self, holder: Principal, device: String) -> NewCredential {
        let now = now_millis();
        NewCredential {
            holder,
            device,
            now,
            expires_at: self.lifetimes.expiry(holder.role(), now),
        }
    }

    /// Create an anonymous visitor named `name` (already validated) and a token for them.
    pub async fn visitor(
        &self,
        name: String,
        device: String,
    ) -> Result<SessionResponse, StoreError> {
        let token = credentials::new_token(Role::Visitor);
        let hash = credentials::hash_token(&token);
        let lifetimes = self.lifetimes;
        let me = self
            .db
            .call(move |s| {
                let me = s.create_visitor(&name)?;
                let now = now_millis();
                let new = NewCredential {
                    holder: me.principal,
                    device,
                    now,
                    expires_at: lifetimes.expiry(Role::Visitor, now),
                };
                s.create_credential(&hash, &new)?;
                Ok(me)
            })
            .await?;
        Ok(SessionResponse { token, me })
    }

    /// Check an agent's e-mail and password; on success issue a new agent token. The hash runs
    /// in `pool`; an unknown e-mail is checked against a dummy hash, so it costs the same.
    pub async fn login(
        &self,
        pool: &PasswordPool,
        email: &str,
        password: String,
        device: String,
    ) -> Result<SessionResponse, LoginError> {
        let email = normalise_email(email);
        let (agent, phc) = self
            .db
            .call(move |s| s.agent_password_hash(&email))
            .await?
            .unzip();
        let verified = pool.verify(password, phc).await?;
        let me = agent
            .filter(|_| verified)
            .ok_or(LoginError::BadCredentials)?;
        let token = self.issue(&me, device).await?;
        Ok(SessionResponse { token, me })
    }

    /// Issue and store a new token for an existing identity (login, and seeding in tests).
    pub async fn issue(&self, me: &Identity, device: String) -> Result<String, StoreError> {
        let token = credentials::new_token(me.role());
        let hash = credentials::hash_token(&token);
        let new = self.new_credential(me.principal, device);
        self.db
            .call(move |s| s.create_credential(&hash, &new))
            .await?;
        Ok(token)
    }

    /// Forget a credential (its holder was authenticated by the caller, for the right role).
    /// The caller closes the sockets that used it.
    pub async fn logout(&self, credential: TokenHash) -> Result<(), StoreError> {
        self.db
            .call(move |s| s.delete_credential(&credential))
            .await
    }

    /// Who holds `token`, if anyone, and its digest. Counts as a use: a session last used
    /// longer ago than [`Lifetimes::refresh_after`] gets a full lifetime from now.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Authenticated>, StoreError> {
        let Some((role, credential)) = credentials::parse_token(token) else {
            return Ok(None);
        };
        let lifetimes = self.lifetimes;
        let record = self
            .db
            .call(move |s| {
                let now = now_millis();
                let record = s.credential_holder(&credential, now)?;
                if let Some(r) = &record {
                    let role = r.me.role();
                    if now - r.session.last_used_at >= millis(lifetimes.refresh_after(role)) {
                        s.touch_credentials(&[(credential, lifetimes.expiry(role, now))], now)?;
                    }
                }
                Ok(record)
            })
            .await?;
        // The prefix is only a hint; the stored role decides, and they must agree.
        Ok(record
            .filter(|r| r.me.role() == role)
            .map(|r| Authenticated {
                me: r.me,
                credential,
                session: r.session.id,
                admin: r.admin,
            }))
    }

    /// Who holds `token`, if anyone, provided it is a `role` token: the one rule every endpoint
    /// for one role goes through (REST: [`crate::auth`]). A token of another role is `None`
    /// before the store is asked.
    pub async fn authenticate_as(
        &self,
        token: &str,
        role: Role,
    ) -> Result<Option<Authenticated>, StoreError> {
        if credentials::parse_token(token).is_none_or(|(claimed, _)| claimed != role) {
            return Ok(None);
        }
        Ok(self
            .authenticate(token)
            .await?
            .filter(|who| who.me.role() == role))
    }

    /// `who`'s unexpired sessions: the one they asked with first, then the most recently used;
    /// `connected` tells which have an open socket.
    pub async fn list(
        &self,
        who: &Authenticated,
        connected: impl Fn(&TokenHash) -> bool,
    ) -> Result<Vec<SessionInfo>, StoreError> {
        let holder = who.me.principal;
        let rows = self
            .db
            .call(move |s| s.sessions_of(holder, now_millis()))
            .await?;
        Ok(rows
            .into_iter()
            .map(|(digest, r)| SessionInfo {
                id: r.id,
                created_at: r.created_at,
                last_used_at: r.last_used_at,
                expires_at: r.expires_at,
                device: r.device,
                current: digest == who.credential,
                connected: connected(&digest),
            })
            .collect::<Vec<_>>())
        .map(|mut list| {
            // Stable: the rest keep the store's most-recently-used order.
            list.sort_by_key(|s| !s.current);
            list
        })
    }

    /// End `who`'s session `id` (their current one included): its digest, if it was theirs.
    pub async fn end(
        &self,
        who: &Authenticated,
        id: SessionId,
    ) -> Result<Option<TokenHash>, StoreError> {
        let holder = who.me.principal;
        self.db.call(move |s| s.delete_session(holder, id)).await
    }

    /// End every session of `who` but the one they asked with: the digests ended.
    pub async fn end_others(&self, who: &Authenticated) -> Result<Vec<TokenHash>, StoreError> {
        let (holder, keep) = (who.me.principal, who.credential);
        self.db
            .call(move |s| s.delete_sessions_of(holder, Some(&keep)))
            .await
    }

    /// Change an agent's password: check the current one (in `pool`, like a login), hash the
    /// new one, then in one transaction store it, end every session of theirs and open a new
    /// one for this device. Returns that session and the ended digests (their sockets are the
    /// caller's to close).
    pub async fn change_password(
        &self,
        pool: &PasswordPool,
        who: &Authenticated,
        current: String,
        new: String,
        device: String,
    ) -> Result<(SessionResponse, Vec<TokenHash>), PasswordChangeError> {
        let agent =
            who.me
                .principal
                .agent()
                .ok_or(PasswordChangeError::Store(StoreError::Denied(
                    crate::policy::Denied::Forbidden,
                )))?;
        protocol::validate_new_password(&new).map_err(PasswordChangeError::Weak)?;
        let phc = self
            .db
            .call(move |s| s.agent_password_hash_of(agent))
            .await?;
        if !pool.verify(current, phc).await? {
            return Err(PasswordChangeError::WrongPassword);
        }
        let phc = pool.hash(new).await?;
        let token = credentials::new_token(Role::Agent);
        let hash = credentials::hash_token(&token);
        let replacement = self.new_credential(who.me.principal, device);
        let ended = self
            .db
            .call(move |s| s.replace_agent_password(agent, &phc, (&hash, &replacement)))
            .await?;
        Ok((
            SessionResponse {
                token,
                me: who.me.clone(),
            },
            ended,
        ))
    }

    /// Sign a portal contact in from their verified statement: the contact (and a new
    /// company) is created or updated, chat permission is checked, and a session is issued
    /// for the visitor identity they chat as on every device. `anonymous` is the widget's
    /// anonymous visitor, whose open conversation the contact keeps.
    pub async fn contact(
        &self,
        claims: Claims,
        device: String,
        anonymous: Option<VisitorId>,
    ) -> Result<ContactSessionResponse, StoreError> {
        let token = credentials::new_token(Role::Visitor);
        let hash = credentials::hash_token(&token);
        // The holder is filled in by the store: the contact's visitor, known only there.
        let credential = self.new_credential(Principal::Visitor(VisitorId(0)), device);
        let who = ContactSignIn {
            contact: claims.sub,
            company: claims.company,
            company_name: claims.company_name,
            name: claims.name,
            email: claims.email,
        };
        let signed = self
            .db
            .call(move |s| s.sign_in_contact(&who, anonymous, (&hash, &credential)))
            .await?;
        Ok(ContactSessionResponse {
            token,
            me: signed.me,
            contact: signed.contact,
            company_name: signed.company_name,
            adopted: signed.adopted,
        })
    }

    /// Housekeeping: refresh the sessions that `live` sockets hold open (each with its role's
    /// lifetime), then delete the expired ones. Returns how many were deleted.
    pub async fn housekeeping(&self, live: Vec<(TokenHash, Role)>) -> Result<usize, StoreError> {
        let lifetimes = self.lifetimes;
        self.db
            .call(move |s| {
                let now = now_millis();
                let touches: Vec<_> = live
                    .into_iter()
                    .map(|(digest, role)| (digest, lifetimes.expiry(role, now)))
                    .collect();
                s.touch_credentials(&touches, now)?;
                s.delete_expired_credentials(now)
            })
            .await
    }
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

/// On first start (no agent yet) create the demo agents Ada (an admin) and Grace. Returns the password
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
    for (email, name, admin) in [
        ("ada@example.com", "Ada", true),
        ("grace@example.com", "Grace", false),
    ] {
        let phc = pool.hash(password.clone()).await?;
        let agent = add_agent_with_hash(db, email, name, phc).await?;
        if let Some(id) = agent.principal.agent().filter(|_| admin) {
            db.call(move |s| s.set_admin(id, true)).await?;
        }
    }
    Ok(Some(password))
}

/// The form an e-mail is stored, looked up and rate-limited under.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}
