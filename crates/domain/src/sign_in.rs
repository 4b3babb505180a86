//! Signing in: the progressive back-off of failed sign-ins per login (state in the database, so
//! every instance over one database applies the same lock), the audit of every failure, and the
//! refresh-token sessions that continue a sign-in.
//!
//! A login's failures count from the last success (or from `forget_after_seconds` of quiet);
//! the first `free_failures` cost nothing, then each failure locks the login for
//! `base_lock_seconds · 2^(n − free_failures − 1)` seconds, at most `max_lock_seconds`. While
//! locked, every attempt answers 429 with `Retry-After` without checking the secret (audited, not
//! counted). Unknown logins are counted and locked exactly like known ones and their secret is
//! checked against a dummy hash, so neither the answer nor its timing tells whether a login exists.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    DomainError, DomainResult, FieldError, Msg,
    accounts::{Account, AccountKind, AccountRepository},
};

/// The back-off policy (`RSNMS_SIGN_IN_*` settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInPolicy {
    /// Failures that cost nothing (default 5).
    pub free_failures: u32,
    /// The first lock, in seconds (default 2).
    pub base_lock_seconds: i64,
    /// The longest lock, in seconds (default 900).
    pub max_lock_seconds: i64,
    /// Failures older than this are forgotten (default 3600).
    pub forget_after_seconds: i64,
}

impl Default for SignInPolicy {
    fn default() -> Self {
        Self { free_failures: 5, base_lock_seconds: 2, max_lock_seconds: 900, forget_after_seconds: 3600 }
    }
}

impl SignInPolicy {
    /// How long the `failures`-th consecutive failure locks the login (`None`: not at all).
    pub fn lock_for(&self, failures: u32) -> Option<Duration> {
        let over = failures.checked_sub(self.free_failures).filter(|n| *n > 0)?;
        let factor = 1_i64.checked_shl(over - 1).filter(|f| *f > 0 && over <= 32).unwrap_or(i64::MAX);
        Some(Duration::seconds(self.base_lock_seconds.saturating_mul(factor).min(self.max_lock_seconds).max(1)))
    }
}

/// The key failures are counted under: SHA-256 of the kind and the login as typed (trimmed,
/// lower case), so that the database keeps no text of logins that do not exist.
pub fn login_key(kind: AccountKind, login: &str) -> String {
    let digest = Sha256::digest(format!("{}:{}", kind.as_str(), login.trim().to_lowercase()).as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// One failed sign-in, for the back-off counter and the audit trail.
#[derive(Debug, Clone)]
pub struct FailedSignIn<'a> {
    /// [`login_key`].
    pub login_key: &'a str,
    /// The account, when the login names one.
    pub account_id: Option<Uuid>,
    /// `unknown_login`, `wrong_secret`, `account_unusable`, `locked`, `refresh_invalid`, `refresh_reused`.
    pub reason: &'static str,
    /// Whether it counts towards the lock (attempts during a lock do not).
    pub counts: bool,
    /// The request id.
    pub request_id: &'a str,
}

/// What a refresh token presented for rotation turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// Spent and replaced: the session (sign-in) it belongs to, its account and the account's
    /// generation when the session began.
    Rotated {
        /// The session (the refresh-token family).
        session_id: Uuid,
        /// Its account.
        account_id: Uuid,
        /// The token generation of the account when the session began.
        generation: i64,
    },
    /// Already spent: the whole family is now revoked.
    Reused {
        /// The account whose session was revoked.
        account_id: Uuid,
    },
    /// Unknown, expired or revoked.
    Invalid,
}

/// Failed sign-ins and refresh-token sessions.
#[async_trait]
pub trait SignInRepository: Send + Sync {
    /// The lock of a login, if it is locked now.
    async fn locked_until(&self, login_key: &str, now: DateTime<Utc>) -> DomainResult<Option<DateTime<Utc>>>;
    /// Records a failure (counter, lock and audit record in one transaction); returns the lock it set.
    async fn record_failure(
        &self,
        failure: &FailedSignIn<'_>,
        policy: &SignInPolicy,
        now: DateTime<Utc>,
    ) -> DomainResult<Option<DateTime<Utc>>>;
    /// Forgets a login's failures after a success.
    async fn clear_failures(&self, login_key: &str) -> DomainResult<()>;
    /// Begins a session for an account with its first refresh token (a SHA-256 hex).
    async fn start_session(&self, account: &Account, token_hash: &str, expires_at: DateTime<Utc>)
    -> DomainResult<Uuid>;
    /// Spends a refresh token and stores its successor in the same session; a token spent before
    /// revokes the session.
    async fn rotate(&self, old_hash: &str, new_hash: &str, now: DateTime<Utc>) -> DomainResult<Rotation>;
    /// Revokes the session of a refresh token; `false` when the token is unknown.
    async fn revoke_by_token(&self, token_hash: &str, now: DateTime<Utc>) -> DomainResult<Option<Uuid>>;
    /// Revokes one session of an account (sign-out).
    async fn revoke_session(&self, account_id: Uuid, session_id: Uuid, now: DateTime<Utc>) -> DomainResult<()>;
}

/// The outcome of a sign-in.
#[derive(Debug, Clone)]
pub enum SignIn {
    /// The secret matches a usable account.
    Granted(Account),
    /// Wrong secret, unknown login or unusable account: one answer for all.
    Refused,
    /// Locked: retry after this many seconds.
    Locked(i64),
}

/// Signs in with a login and a secret. `verify` checks the secret against a stored hash, and is
/// given the dummy hash for an unknown login, so that the work done is the same.
pub async fn sign_in<V>(
    accounts: &dyn AccountRepository,
    attempts: &dyn SignInRepository,
    policy: &SignInPolicy,
    request_id: &str,
    (kind, login): (AccountKind, &str),
    dummy_hash: &str,
    verify: V,
) -> DomainResult<SignIn>
where
    V: AsyncFnOnce(String) -> bool,
{
    let now = Utc::now();
    let key = login_key(kind, login);
    let account = accounts.find_by_login(kind, login.trim()).await?;
    let account_id = account.as_ref().map(|a| a.id);
    if let Some(until) = attempts.locked_until(&key, now).await? {
        let failure = FailedSignIn { login_key: &key, account_id, reason: "locked", counts: false, request_id };
        attempts.record_failure(&failure, policy, now).await?;
        return Ok(SignIn::Locked((until - now).num_seconds().max(1)));
    }
    let hash = account.as_ref().map_or_else(|| dummy_hash.to_owned(), |a| a.secret_hash.clone());
    let secret_ok = verify(hash).await;
    // An unknown login reads a standing too (of no account), so that both paths do the same work.
    let standing = accounts.standing(account_id.unwrap_or(Uuid::nil()), now).await?;
    let usable = account_id.is_some() && standing.is_some_and(|s| s.usable(now));
    if let (Some(account), true, true) = (account, secret_ok, usable) {
        attempts.clear_failures(&key).await?;
        return Ok(SignIn::Granted(account));
    }
    let reason = match (account_id, secret_ok) {
        (None, _) => "unknown_login",
        (Some(_), false) => "wrong_secret",
        (Some(_), true) => "account_unusable",
    };
    let failure = FailedSignIn { login_key: &key, account_id, reason, counts: true, request_id };
    attempts.record_failure(&failure, policy, now).await?;
    Ok(SignIn::Refused)
}

/// The outcome of a refresh.
#[derive(Debug, Clone)]
pub enum Refresh {
    /// A new pair for this account and session.
    Granted(Account, Uuid),
    /// Refused; when a spent token was presented, the account whose session was revoked.
    Refused(Option<Uuid>),
}

/// Continues a session with a refresh token: the token is spent and replaced by `new_hash`; the
/// account must still be usable and its token generation unchanged since the session began.
/// A token presented a second time revokes its whole session (the family); every refusal is
/// audited.
pub async fn refresh(
    accounts: &dyn AccountRepository,
    attempts: &dyn SignInRepository,
    request_id: &str,
    old_hash: &str,
    new_hash: &str,
) -> DomainResult<Refresh> {
    let now = Utc::now();
    let refused = async |account_id: Option<Uuid>, reason: &'static str| -> DomainResult<Refresh> {
        let failure = FailedSignIn { login_key: old_hash, account_id, reason, counts: false, request_id };
        attempts.record_failure(&failure, &SignInPolicy::default(), now).await?;
        Ok(Refresh::Refused(account_id.filter(|_| reason == "refresh_reused")))
    };
    let (session_id, account_id, generation) = match attempts.rotate(old_hash, new_hash, now).await? {
        Rotation::Rotated { session_id, account_id, generation } => (session_id, account_id, generation),
        Rotation::Reused { account_id } => return refused(Some(account_id), "refresh_reused").await,
        Rotation::Invalid => return refused(None, "refresh_invalid").await,
    };
    let standing = accounts.standing(account_id, now).await?;
    let current = standing.is_some_and(|s| s.usable(now) && s.generation == generation);
    match accounts.get(account_id).await {
        Ok(account) if current => Ok(Refresh::Granted(account, session_id)),
        Ok(_) | Err(DomainError::NotFound) => refused(Some(account_id), "account_unusable").await,
        Err(e) => Err(e),
    }
}

/// The longest token a revocation takes (the schema's `maxLength` of `token`).
pub const REVOCABLE_TOKEN_MAX_LEN: usize = 4096;

/// How a refresh token is stored: its SHA-256 in hex (a high-entropy token needs no slow hash).
pub fn refresh_token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The outcome of a token revocation (RFC 7009).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// A session of this account ended.
    Revoked(Uuid),
    /// Unknown or already revoked: nothing to do, and still a success (RFC 7009 §2.2).
    Nothing,
    /// An access token without a session (a service account's) cannot be revoked on its own.
    Unsupported,
}

/// Revokes the session of a refresh token, or of an access token issued by a sign-in. `access`
/// reads an access token: its account and session, `None` when it is not a valid access token.
/// A token over [`REVOCABLE_TOKEN_MAX_LEN`] characters is a 422 naming `token`.
pub async fn revoke(
    attempts: &dyn SignInRepository,
    token: &str,
    access: impl FnOnce(&str) -> Option<(Option<Uuid>, Option<Uuid>)>,
) -> DomainResult<Revocation> {
    if token.len() > REVOCABLE_TOKEN_MAX_LEN {
        return Err(DomainError::Validation(vec![FieldError::new(
            "token",
            "too_long",
            Msg::new(
                format!("Токен длиннее {REVOCABLE_TOKEN_MAX_LEN} символов"),
                format!("The token is longer than {REVOCABLE_TOKEN_MAX_LEN} characters"),
            ),
        )]));
    }
    let (token, now) = (token.trim(), Utc::now());
    if let Some(account) = attempts.revoke_by_token(&refresh_token_hash(token), now).await? {
        return Ok(Revocation::Revoked(account));
    }
    match access(token) {
        None => Ok(Revocation::Nothing),
        Some((Some(account), Some(session))) => {
            attempts.revoke_session(account, session, now).await?;
            Ok(Revocation::Revoked(account))
        }
        Some(_) => Ok(Revocation::Unsupported),
    }
}

/// The longest refresh token a client may present, in characters (issued ones are shorter).
pub const REFRESH_TOKEN_MAX: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_double_after_the_free_failures_up_to_the_cap() {
        let p = SignInPolicy { free_failures: 3, base_lock_seconds: 2, max_lock_seconds: 60, forget_after_seconds: 60 };
        let secs: Vec<_> = (1..=10).map(|n| p.lock_for(n).map(|d| d.num_seconds())).collect();
        assert_eq!(secs, [None, None, None, Some(2), Some(4), Some(8), Some(16), Some(32), Some(60), Some(60)]);
        assert_eq!(p.lock_for(200).map(|d| d.num_seconds()), Some(60));
    }

    #[test]
    fn a_login_key_ignores_case_and_spaces_but_not_the_kind() {
        assert_eq!(login_key(AccountKind::User, " Admin "), login_key(AccountKind::User, "admin"));
        assert_ne!(login_key(AccountKind::User, "admin"), login_key(AccountKind::Client, "admin"));
    }
}
