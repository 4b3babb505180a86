//! The per-request account check: a token is accepted only while its account may hold tokens
//! (not disabled or deleted, organisation open, person present), its generation is the
//! account's current one and its session was not revoked. The account's standing is read from
//! the database at most once per `ttl` per instance and account (a small in-process cache), so a
//! change made on any instance is seen by every other within `ttl`; the instance that makes the
//! change forgets its entry at once. A cache hit allocates nothing and awaits nothing.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use futures_util::future::{Either, LocalBoxFuture, Ready, ready};
use rsnms_domain::accounts::{AccountRepository, AccountStanding};
use uuid::Uuid;

use super::jwt::Verified;

/// What the cache keeps of an account's standing.
#[derive(Debug)]
struct Entry {
    read_at: Instant,
    usable: bool,
    generation: i64,
    revoked_sessions: Vec<Uuid>,
}

/// Why a verified token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The subject names no account (and unbound tokens are not accepted).
    Unbound,
    /// The account is gone, disabled, closed, revoked, or the session was revoked.
    Revoked,
    /// The database could not be read.
    Unavailable,
}

/// A check's answer: decided at once from the cache, or after reading the database.
pub type Check = Either<Ready<Result<(), Refusal>>, LocalBoxFuture<'static, Result<(), Refusal>>>;

/// The account standings of this instance.
pub struct Standings {
    accounts: Arc<dyn AccountRepository>,
    ttl: Duration,
    max_age_seconds: i64,
    accept_unbound: bool,
    cache: RwLock<HashMap<Uuid, Arc<Entry>>>,
}

impl std::fmt::Debug for Standings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Standings").field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

const MAX_ENTRIES: usize = 100_000;

impl Standings {
    /// A check reading `accounts`, caching each standing for `ttl`. Tokens are acceptable for
    /// `max_age_seconds` after issue (how far back a revoked session matters).
    /// `accept_unbound` lets tokens whose subject is not an account id through (tests only).
    pub fn new(
        accounts: Arc<dyn AccountRepository>,
        ttl: Duration,
        max_age_seconds: i64,
        accept_unbound: bool,
    ) -> Self {
        Self { accounts, ttl, max_age_seconds, accept_unbound, cache: RwLock::new(HashMap::new()) }
    }

    /// Forgets an account's cached standing (after this instance changed it).
    pub fn forget(&self, account: Uuid) {
        if let Ok(mut cache) = self.cache.write() {
            cache.remove(&account);
        }
    }

    fn decide(entry: &Entry, token: &Verified) -> Result<(), Refusal> {
        let current = token.generation == Some(entry.generation);
        let session_live = token.session.is_none_or(|s| !entry.revoked_sessions.contains(&s));
        if entry.usable && current && session_live { Ok(()) } else { Err(Refusal::Revoked) }
    }

    /// Checks a verified token against its account's standing.
    pub fn check(self: &Arc<Self>, token: &Verified) -> Check {
        // A provider's subject mapped from claims has no account to check (its provider decides).
        if token.external.as_ref().is_some_and(|e| !e.linked) {
            return Either::Left(ready(Ok(())));
        }
        let Ok(account) = token.actor.subject.parse::<Uuid>() else {
            return Either::Left(ready(if self.accept_unbound { Ok(()) } else { Err(Refusal::Unbound) }));
        };
        let cached = self.cache.read().ok().and_then(|c| c.get(&account).cloned());
        if let Some(entry) = cached.filter(|e| e.read_at.elapsed() < self.ttl) {
            return Either::Left(ready(Self::decide(&entry, token)));
        }
        let this = Arc::clone(self);
        let token = token.clone();
        Either::Right(Box::pin(async move {
            let entry = this.read(account).await?;
            Self::decide(&entry, &token)
        }))
    }

    async fn read(&self, account: Uuid) -> Result<Arc<Entry>, Refusal> {
        let now = chrono::Utc::now();
        let since = now - chrono::Duration::seconds(self.max_age_seconds);
        let standing = self.accounts.standing(account, since).await.map_err(|e| {
            tracing::warn!(error = %e, "account standing unreadable");
            Refusal::Unavailable
        })?;
        let entry = Arc::new(match standing {
            Some(s @ AccountStanding { .. }) => Entry {
                read_at: Instant::now(),
                usable: s.usable(now),
                generation: s.generation,
                revoked_sessions: s.revoked_sessions,
            },
            None => Entry { read_at: Instant::now(), usable: false, generation: -1, revoked_sessions: Vec::new() },
        });
        if let Ok(mut cache) = self.cache.write() {
            if cache.len() >= MAX_ENTRIES {
                let ttl = self.ttl;
                cache.retain(|_, e| e.read_at.elapsed() < ttl);
            }
            cache.insert(account, Arc::clone(&entry));
        }
        Ok(entry)
    }
}
