//! Logging in and out, and who a session belongs to.

use argon2::{
    Argon2, PasswordHasher,
    password_hash::{
        SaltString,
        rand_core::{OsRng, RngCore},
    },
};
use blake2::{Blake2s256, Digest};
use chrono::{Duration, Utc};

use super::{Service, ServiceError};
use crate::{
    domain::{AgentId, Scope},
    store,
    views::AgentView,
};

/// How long a session lasts unless the limits say otherwise.
const SESSION_TTL: Duration = Duration::hours(12);

/// A logged-in agent and what they may see.
#[derive(Debug, Clone)]
pub struct Actor {
    pub agent: AgentView,
    pub scope: Scope,
}

impl Actor {
    fn new(agent: AgentView) -> Self {
        let scope = Scope::of(agent.role, agent.departments.iter().map(|d| d.id));
        Self { agent, scope }
    }
}

/// Hashes a password with argon2 (PHC string, random salt).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

#[cfg(test)]
fn verify_password(password: &str, hash: &str) -> bool {
    super::password::verify_with(password, hash, &mut Vec::new())
}

fn token_hash(token: &str) -> String {
    let digest = Blake2s256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random name for this running instance.
pub fn instance_name() -> String {
    let mut bytes = [0u8; 8];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Service {
    /// Checks a login and password; on success opens a session and returns its token. A login
    /// with too many recent failures is refused before its password is checked (even a right
    /// one) until the window passes; password checks run a few at a time, and a login that waits
    /// too long for one is refused as busy.
    pub async fn login(
        &self,
        login: &str,
        password: &str,
    ) -> Result<(String, AgentView), ServiceError> {
        let key = token_hash(login);
        self.refuse_throttled(&key).await?;
        let permit = tokio::time::timeout(
            self.limits.login_queue_wait,
            self.password_checks.clone().acquire_owned(),
        )
        .await
        .map_err(|_| ServiceError::Busy)?
        .map_err(|e| ServiceError::Other(e.into()))?;
        // Failures may have been recorded while this login waited for its turn.
        self.refuse_throttled(&key).await?;
        let agent = store::agents::find_by_login(&self.db, login).await?;
        // Verify against some hash even for an unknown login, so timing does not tell logins apart.
        let hash = agent
            .as_ref()
            .map(|a| a.password_hash.clone())
            .unwrap_or_else(dummy_hash);
        let password = password.to_owned();
        let memory = self.password_memory.clone();
        let ok = tokio::task::spawn_blocking(move || {
            let ok = memory.verify(&password, &hash);
            drop(permit);
            ok
        })
        .await
        .map_err(|e| ServiceError::Other(e.into()))?;
        let Some(agent) = agent.filter(|_| ok) else {
            let now = Utc::now();
            let forget_before = now - self.failure_window();
            store::login_failures::record(&self.db, &key, now, forget_before).await?;
            return Err(ServiceError::BadCredentials);
        };
        let token = new_token();
        let now = Utc::now();
        let ttl = Duration::from_std(self.limits.session_ttl).unwrap_or(SESSION_TTL);
        store::sessions::insert(&self.db, &token_hash(&token), agent.id, now + ttl).await?;
        store::sessions::delete_expired(&self.db, now).await?;
        // Disabled between the two reads: the login fails as for a disabled agent.
        let view = store::agents::view(&self.db, agent.id)
            .await?
            .ok_or(ServiceError::BadCredentials)?;
        tracing::info!(agent.id = %agent.id, "agent logged in");
        Ok((token, view))
    }

    /// How long a session lasts.
    pub fn session_ttl(&self) -> std::time::Duration {
        self.limits.session_ttl
    }

    fn failure_window(&self) -> Duration {
        Duration::from_std(self.limits.login_failure_window).unwrap_or(Duration::minutes(15))
    }

    /// Refuses a login that failed too often within the window, saying when it may try again.
    async fn refuse_throttled(&self, key: &str) -> Result<(), ServiceError> {
        let now = Utc::now();
        let window = self.failure_window();
        let limit = self.limits.login_failures;
        let failures = store::login_failures::latest(&self.db, key, now - window, limit).await?;
        if failures.len() < limit as usize {
            return Ok(());
        }
        let oldest = failures.last().copied().unwrap_or(now);
        let retry_after = (oldest + window - now)
            .to_std()
            .unwrap_or_default()
            .max(std::time::Duration::from_secs(1));
        Err(ServiceError::LoginThrottled { retry_after })
    }

    /// The actor behind a session token.
    pub async fn session(&self, token: &str) -> Result<Actor, ServiceError> {
        let agent_id = store::sessions::agent_of(&self.db, &token_hash(token), Utc::now())
            .await?
            .ok_or(ServiceError::NoSession)?;
        let agent = store::agents::view(&self.db, agent_id)
            .await?
            .ok_or(ServiceError::NoSession)?;
        Ok(Actor::new(agent))
    }

    /// What each of these sessions may see now, for the sessions that are still valid (unexpired,
    /// of an active agent); a token missing from the answer has ended. A few queries however many
    /// sessions: open consoles re-check theirs with it in one batch per instance.
    pub async fn session_scopes(
        &self,
        tokens: &[std::sync::Arc<str>],
    ) -> Result<std::collections::HashMap<std::sync::Arc<str>, Scope>, ServiceError> {
        let hashes: Vec<String> = tokens.iter().map(|t| token_hash(t)).collect();
        let agents = store::sessions::agents_of(&self.db, &hashes, Utc::now()).await?;
        let mut ids: Vec<AgentId> = agents.values().copied().collect();
        ids.sort_unstable();
        ids.dedup();
        let access = store::agents::access_of(&self.db, ids).await?;
        Ok(tokens
            .iter()
            .zip(&hashes)
            .filter_map(|(token, hash)| {
                let (role, departments) = access.get(agents.get(hash)?)?;
                Some((token.clone(), Scope::of(*role, departments.iter().copied())))
            })
            .collect())
    }

    /// Ends a session.
    pub async fn logout(&self, token: &str) -> Result<(), ServiceError> {
        Ok(store::sessions::delete(&self.db, &token_hash(token)).await?)
    }
}

fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| hash_password("switchboard-dummy").unwrap_or_default())
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_hash_and_nothing_else() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_stored_only_as_hashes() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a));
    }
}
