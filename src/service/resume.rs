//! Where a console's live stream starts: a fresh console after the log's newest seq; a console
//! that resumes after the seq it last applied, with the events it missed as its backlog; or, when
//! the log cannot replay that gap, a resync (reload everything).

use super::{Service, ServiceError};
use crate::{
    domain::{EventSeq, Scope},
    hub::LiveEvent,
    store,
};

/// The most events a resuming console is sent as its backlog; a longer gap is a resync (a reload
/// is cheaper than replaying it).
pub const BACKLOG_LIMIT: u64 = 5_000;

/// How a console's stream starts.
#[derive(Debug)]
pub struct Resume {
    /// The log's newest seq as the connection starts (the hello's `seq`).
    pub newest: EventSeq,
    /// The console must reload: its gap cannot be replayed.
    pub resync: bool,
    /// The events it missed, in seq order (empty on a resync or a fresh start).
    pub backlog: Vec<LiveEvent>,
    /// The last seq the console has when the backlog is sent: live events up to it are dropped.
    pub last: EventSeq,
}

impl Service {
    /// Where the stream of a console of `scope` starts; `after` is the seq it last applied, when
    /// it resumes. Call it after subscribing to the hub: every event the tailer published before
    /// the subscription was committed before these reads, so it is in the backlog (or before
    /// `newest`), and every later one reaches the subscription.
    pub async fn resume(
        &self,
        scope: &Scope,
        after: Option<EventSeq>,
    ) -> Result<Resume, ServiceError> {
        let highest = store::events::newest(&self.db).await?;
        let Some(after) = after else {
            return Ok(Resume::fresh(highest, false));
        };
        if after > highest {
            // A seq this log never reached: the console knew another (or a reset) database.
            return Ok(Resume::fresh(highest, true));
        }
        let backlog =
            store::events::after_in_scope(&self.db, after, scope, BACKLOG_LIMIT + 1).await?;
        // Read after the backlog: the pruner raises the mark in the transaction that deletes, so
        // a backlog that lost rows to it is always caught here.
        let pruned = store::events::pruned_through(&self.db).await?;
        if after < pruned || backlog.len() as u64 > BACKLOG_LIMIT {
            return Ok(Resume::fresh(highest, true));
        }
        let last = backlog.last().map_or(after, |row| Ord::max(row.id, after));
        Ok(Resume {
            newest: highest,
            resync: false,
            backlog: backlog.iter().map(LiveEvent::from_row).collect(),
            last,
        })
    }
}

impl Resume {
    /// A stream that starts after `newest`, with no backlog.
    fn fresh(newest: EventSeq, resync: bool) -> Self {
        Self {
            newest,
            resync,
            backlog: Vec::new(),
            last: newest,
        }
    }
}
