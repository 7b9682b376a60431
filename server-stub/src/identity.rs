//! Signed identity: checking the statement a portal's backend signs about its logged-in contact.
//!
//! The statement is a JWT (HS256) signed with the identity secret the portal shares with this
//! server (`--identity-secret`). Its claims: `sub` (the contact's id in the helpdesk), `name`,
//! `email`, `company` (the company's id), optionally `company_name`, and `exp` (required; keep
//! it short, an hour say: a statement copied out of a page is good until then). Verification is
//! `jsonwebtoken`'s: HS256 only (a token naming another algorithm, `none` included, is refused),
//! the signature compared in constant time by the `hmac` crate, `exp` checked with 30 s of
//! leeway for clocks that disagree. Then every claim is held to the bounds of the fields it
//! fills. Nothing here touches the store: [`Claims`] go to `sessions.rs`, which signs the
//! contact in. The README shows how a portal backend makes such a token.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// Shortest identity secret accepted, in bytes: HS256 wants a key as long as its output.
pub const MIN_SECRET_BYTES: usize = 32;
/// Longest signed identity read, in bytes (a real one is a few hundred).
pub const MAX_TOKEN_BYTES: usize = 4096;
/// Clock difference forgiven when checking `exp`, in seconds.
const LEEWAY_SECS: u64 = 30;

/// What a valid signed identity says.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Claims {
    /// The contact's id in the helpdesk.
    pub sub: String,
    pub name: String,
    pub email: String,
    /// The company's id in the helpdesk.
    pub company: String,
    #[serde(default)]
    pub company_name: Option<String>,
    /// Seconds since the epoch.
    pub exp: i64,
}

/// Why a signed identity was not accepted. The messages are for the site's developer (the
/// widget logs them to the browser console); none says more than which rule failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("signed identity is not enabled on this server (no --identity-secret)")]
    NotConfigured,
    #[error("the signed identity has expired (its exp is in the past)")]
    Expired,
    #[error("the signed identity's signature does not match (tampered, or another site's secret)")]
    BadSignature,
    #[error("the signed identity is not an HS256 JWT")]
    WrongAlgorithm,
    #[error("the signed identity is malformed: {0}")]
    Malformed(String),
}

/// Checks signed identities with one site's secret.
#[derive(Clone)]
pub struct IdentityVerifier {
    key: Option<DecodingKey>,
    validation: Validation,
}

impl IdentityVerifier {
    /// `None`: signed identity is off and every statement is refused as
    /// [`IdentityError::NotConfigured`]. The secret's length is checked by the config.
    pub fn new(secret: Option<&[u8]>) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        IdentityVerifier {
            key: secret.map(DecodingKey::from_secret),
            validation,
        }
    }

    /// The claims of `token`, if it is a valid statement signed with our secret and every
    /// claim is within its bounds.
    pub fn verify(&self, token: &str) -> Result<Claims, IdentityError> {
        let key = self.key.as_ref().ok_or(IdentityError::NotConfigured)?;
        if token.len() > MAX_TOKEN_BYTES {
            return Err(IdentityError::Malformed(format!(
                "longer than {MAX_TOKEN_BYTES} bytes"
            )));
        }
        let data =
            jsonwebtoken::decode::<Claims>(token, key, &self.validation).map_err(|e| {
                match e.kind() {
                    ErrorKind::ExpiredSignature => IdentityError::Expired,
                    ErrorKind::InvalidSignature => IdentityError::BadSignature,
                    ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                        IdentityError::WrongAlgorithm
                    }
                    ErrorKind::MissingRequiredClaim(claim) => {
                        IdentityError::Malformed(format!("the {claim} claim is missing"))
                    }
                    _ => IdentityError::Malformed("not a JWT with the expected claims".into()),
                }
            })?;
        check_claims(data.claims)
    }
}

/// Hold each claim to the bounds of the field it fills.
fn check_claims(mut c: Claims) -> Result<Claims, IdentityError> {
    let bad = |what: &str| IdentityError::Malformed(what.to_owned());
    let key_ok = |k: &str| {
        !k.is_empty()
            && k.len() <= protocol::helpdesk::MAX_KEY_BYTES
            && !k.chars().any(char::is_control)
    };
    if !key_ok(&c.sub) {
        return Err(bad("sub must be 1 to 64 bytes without control characters"));
    }
    if !key_ok(&c.company) {
        return Err(bad(
            "company must be 1 to 64 bytes without control characters",
        ));
    }
    c.name = protocol::validate_name(&c.name)
        .map_err(|e| IdentityError::Malformed(format!("name {e}")))?
        .to_owned();
    c.email = c.email.trim().to_lowercase();
    if c.email.is_empty()
        || c.email.len() > protocol::MAX_EMAIL_BYTES
        || !c.email.contains('@')
        || c.email
            .chars()
            .any(|ch| ch.is_control() || ch.is_whitespace())
    {
        return Err(bad("email must be an e-mail address of at most 254 bytes"));
    }
    if let Some(name) = &c.company_name {
        let name = protocol::validate_name(name)
            .map_err(|e| IdentityError::Malformed(format!("company_name {e}")))?;
        c.company_name = Some(name.to_owned());
    }
    Ok(c)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header};

    pub const SECRET: &[u8] = b"a portal secret of at least thirty-two bytes";

    /// A statement about contact `sub` of company `acme`, valid for `valid_for` seconds (negative:
    /// expired that long ago), signed with `secret`.
    pub fn statement(sub: &str, valid_for: i64, secret: &[u8]) -> String {
        let exp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
            + valid_for;
        let claims = serde_json::json!({
            "sub": sub,
            "name": "Carla Diaz",
            "email": "Carla@Acme.test",
            "company": "acme",
            "company_name": "Acme Ltd",
            "exp": exp,
        });
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(secret),
        )
        .unwrap()
    }

    fn verifier() -> IdentityVerifier {
        IdentityVerifier::new(Some(SECRET))
    }

    /// Replace one base64url segment of a JWT (0 header, 1 payload, 2 signature).
    fn with_segment(token: &str, i: usize, value: &serde_json::Value) -> String {
        use base64::Engine as _;
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[i] = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(value).unwrap());
        parts.join(".")
    }

    #[test]
    fn a_valid_statement_gives_its_claims_normalised() {
        let c = verifier().verify(&statement("c-42", 3600, SECRET)).unwrap();
        assert_eq!(c.sub, "c-42");
        assert_eq!(c.name, "Carla Diaz");
        assert_eq!(c.email, "carla@acme.test");
        assert_eq!(c.company, "acme");
        assert_eq!(c.company_name.as_deref(), Some("Acme Ltd"));
    }

    #[test]
    fn expired_tampered_foreign_and_unsigned_statements_are_refused() {
        let v = verifier();
        assert_eq!(
            v.verify(&statement("c-42", -3600, SECRET)),
            Err(IdentityError::Expired)
        );
        // within the leeway it still holds
        assert!(v.verify(&statement("c-42", -5, SECRET)).is_ok());
        assert_eq!(
            v.verify(&statement(
                "c-42",
                3600,
                b"another site's secret, also 32+ bytes"
            )),
            Err(IdentityError::BadSignature)
        );
        // one claim changed after signing: another contact id, same signature
        let good = statement("c-42", 3600, SECRET);
        let exp = v.verify(&good).unwrap().exp;
        let forged = with_segment(
            &good,
            1,
            &serde_json::json!({
                "sub": "c-1", "name": "Carla Diaz", "email": "carla@acme.test",
                "company": "acme", "exp": exp,
            }),
        );
        assert_eq!(v.verify(&forged), Err(IdentityError::BadSignature));
        // `alg: none`, with the signature dropped
        let none = with_segment(&good, 0, &serde_json::json!({"alg": "none", "typ": "JWT"}));
        let unsigned = format!("{}.", none.rsplit_once('.').unwrap().0);
        assert!(v.verify(&unsigned).is_err());
        assert!(v.verify(&none).is_err());
        // not a JWT at all, or far too long
        assert!(matches!(
            v.verify("hello"),
            Err(IdentityError::Malformed(_))
        ));
        assert!(matches!(
            v.verify(&"a".repeat(MAX_TOKEN_BYTES + 1)),
            Err(IdentityError::Malformed(_))
        ));
        // no secret configured: nothing is accepted
        assert_eq!(
            IdentityVerifier::new(None).verify(&good),
            Err(IdentityError::NotConfigured)
        );
    }

    #[test]
    fn claims_are_held_to_their_fields_bounds() {
        let sign = |claims: serde_json::Value| {
            jsonwebtoken::encode(
                &Header::new(Algorithm::HS256),
                &claims,
                &EncodingKey::from_secret(SECRET),
            )
            .unwrap()
        };
        let exp = 4_000_000_000_i64;
        for (claims, why) in [
            (
                serde_json::json!({"sub": "", "name": "A", "email": "a@b", "company": "x", "exp": exp}),
                "sub",
            ),
            (
                serde_json::json!({"sub": "s".repeat(65), "name": "A", "email": "a@b", "company": "x", "exp": exp}),
                "sub",
            ),
            (
                serde_json::json!({"sub": "s", "name": "\u{202e}evil", "email": "a@b", "company": "x", "exp": exp}),
                "name",
            ),
            (
                serde_json::json!({"sub": "s", "name": "A", "email": "not an address", "company": "x", "exp": exp}),
                "email",
            ),
            (
                serde_json::json!({"sub": "s", "name": "A", "email": "a@b", "company": "", "exp": exp}),
                "company",
            ),
            (
                serde_json::json!({"sub": "s", "name": "A", "email": "a@b", "company": "x"}),
                "exp",
            ),
        ] {
            match verifier().verify(&sign(claims)) {
                Err(IdentityError::Malformed(m)) => assert!(m.contains(why), "{why}: {m}"),
                other => panic!("{why}: {other:?}"),
            }
        }
    }
}
