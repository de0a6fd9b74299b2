//! Open consoles follow their session: every `session_recheck` one task per instance checks the
//! sessions of all its open consoles in one batch (a few queries however many consoles), and
//! tells each console whose session ended (logout, expiry, a disabled agent, a password change)
//! or whose scope changed (departments, role). Every instance checks its own consoles against the
//! shared database, so a logout on one instance closes consoles on all of them within one period.
//! An admin's change to an agent's access writes a control entry to the event log; every
//! instance's tailer then wakes this check at once.

use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use dashmap::DashMap;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::{domain::Scope, service::Service};

/// Why a console must stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Its session ended: log in again.
    Ended,
    /// What its agent may see changed: reconnect.
    ScopeChanged,
}

struct Watched {
    token: Arc<str>,
    scope: Scope,
    tell: Option<oneshot::Sender<Verdict>>,
}

/// The open consoles of this instance and their sessions.
#[derive(Default)]
pub struct SessionWatch {
    consoles: DashMap<u64, Watched>,
    next_id: AtomicU64,
}

/// A console's place in the watch; dropping it stops watching.
pub struct Watching {
    id: u64,
    watch: Arc<SessionWatch>,
    /// Resolves when the console must stop.
    pub verdict: oneshot::Receiver<Verdict>,
}

impl Drop for Watching {
    fn drop(&mut self) {
        self.watch.consoles.remove(&self.id);
    }
}

impl SessionWatch {
    /// Watches the session `token` of a console that may see `scope`.
    pub fn watch(self: &Arc<Self>, token: &str, scope: &Scope) -> Watching {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tell, verdict) = oneshot::channel();
        self.consoles.insert(
            id,
            Watched {
                token: token.into(),
                scope: normalized(scope),
                tell: Some(tell),
            },
        );
        Watching {
            id,
            watch: self.clone(),
            verdict,
        }
    }

    /// Checks every watched session each `every` until `shutdown`.
    pub async fn run(
        self: Arc<Self>,
        service: Service,
        every: Duration,
        shutdown: CancellationToken,
    ) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = tick.tick() => {}
                // An admin changed someone's access (on any instance): check now.
                () = service.hub().access_changed() => {}
            }
            if let Err(error) = self.check(&service).await {
                // A database hiccup is not a reason to drop consoles; the next check decides.
                tracing::warn!(error = ?error, "re-checking the consoles' sessions failed");
            }
        }
    }

    /// One check of every watched session.
    async fn check(&self, service: &Service) -> Result<(), crate::service::ServiceError> {
        let mut tokens: Vec<Arc<str>> = self.consoles.iter().map(|c| c.token.clone()).collect();
        if tokens.is_empty() {
            return Ok(());
        }
        tokens.sort_unstable();
        tokens.dedup();
        let scopes = service.session_scopes(&tokens).await?;
        self.judge(&tokens, &scopes);
        Ok(())
    }

    /// Tells the consoles whose sessions were among the `checked` tokens what the check found:
    /// ended when `scopes` has no scope for the token, scope changed when it has another one. A
    /// console that connected while the check ran, with a session the check did not ask about,
    /// is left for the next check: its missing answer says nothing about its session.
    fn judge(&self, checked: &[Arc<str>], scopes: &HashMap<Arc<str>, Scope>) {
        for mut console in self.consoles.iter_mut() {
            if checked.binary_search(&console.token).is_err() {
                continue;
            }
            let verdict = match scopes.get(&console.token) {
                None => Verdict::Ended,
                Some(scope) if normalized(scope) != console.scope => Verdict::ScopeChanged,
                Some(_) => continue,
            };
            if let Some(tell) = console.tell.take() {
                let _ = tell.send(verdict);
            }
        }
    }

    /// How many consoles are watched.
    pub fn len(&self) -> usize {
        self.consoles.len()
    }

    /// Whether no console is watched.
    pub fn is_empty(&self) -> bool {
        self.consoles.is_empty()
    }
}

/// A scope with its departments in one order, so that two reads of the same access compare equal.
fn normalized(scope: &Scope) -> Scope {
    match scope {
        Scope::All => Scope::All,
        Scope::Departments(ids) => {
            let mut ids = ids.clone();
            ids.sort_unstable();
            ids.dedup();
            Scope::Departments(ids)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DepartmentId;

    #[test]
    fn the_same_departments_in_another_order_are_the_same_scope() {
        let a = Scope::Departments(vec![DepartmentId(2), DepartmentId(1)]);
        let b = Scope::Departments(vec![DepartmentId(1), DepartmentId(2)]);
        assert_eq!(normalized(&a), normalized(&b));
        assert_ne!(normalized(&a), normalized(&Scope::All));
    }

    /// The race behind consoles that went back to the login right after logging in on a loaded
    /// machine: a console that connects while a check's query runs is not among the sessions the
    /// check asked about, and must not be told its session ended.
    #[test]
    fn a_console_that_connected_during_a_check_is_not_judged_by_it() {
        let watch = Arc::new(SessionWatch::default());
        let mut old = watch.watch("old", &Scope::All);
        let checked: Vec<Arc<str>> = vec!["old".into()];
        // Connected after the check read its tokens, before it judged.
        let mut new = watch.watch("new", &Scope::All);
        let scopes = HashMap::from([(Arc::<str>::from("old"), Scope::All)]);
        watch.judge(&checked, &scopes);
        assert!(
            new.verdict.try_recv().is_err(),
            "the new console was told to stop"
        );
        assert!(
            old.verdict.try_recv().is_err(),
            "the old console's session is valid"
        );

        // The next check asks about both; a session it does not find has ended.
        let checked: Vec<Arc<str>> = vec!["new".into(), "old".into()];
        watch.judge(&checked, &scopes);
        assert_eq!(new.verdict.try_recv().ok(), Some(Verdict::Ended));
        assert!(old.verdict.try_recv().is_err());
    }

    #[test]
    fn dropping_a_watch_stops_watching() {
        let watch = Arc::new(SessionWatch::default());
        let watching = watch.watch("token", &Scope::All);
        assert_eq!(watch.len(), 1);
        drop(watching);
        assert!(watch.is_empty());
    }
}
