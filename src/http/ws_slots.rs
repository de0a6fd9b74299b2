//! Places for live consoles: at most so many per agent and so many in all on this instance,
//! taken before the upgrade and given back when the socket ends.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use dashmap::{DashMap, mapref::entry::Entry};

use crate::domain::AgentId;

/// The consoles open on this instance, counted per agent and in all.
#[derive(Default)]
pub struct SocketSlots {
    per_agent: DashMap<AgentId, usize>,
    total: AtomicUsize,
}

/// Why a console was refused a place.
#[derive(Debug, PartialEq, Eq)]
pub enum NoSlot {
    /// The agent has their maximum open.
    AgentFull,
    /// The instance has its maximum open.
    ServerFull,
}

/// A console's place; dropping it gives the place back.
pub struct Slot {
    slots: Arc<SocketSlots>,
    agent_id: AgentId,
}

impl SocketSlots {
    /// Takes a place for a console of `agent_id`, or says why there is none.
    pub fn take(
        self: &Arc<Self>,
        agent_id: AgentId,
        per_agent: usize,
        total: usize,
    ) -> Result<Slot, NoSlot> {
        self.total
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < total).then_some(n + 1)
            })
            .map_err(|_| NoSlot::ServerFull)?;
        let mut count = self.per_agent.entry(agent_id).or_insert(0);
        if *count >= per_agent {
            drop(count);
            self.total.fetch_sub(1, Ordering::AcqRel);
            return Err(NoSlot::AgentFull);
        }
        *count += 1;
        Ok(Slot {
            slots: Arc::clone(self),
            agent_id,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Entry::Occupied(mut count) = self.slots.per_agent.entry(self.agent_id) {
            *count.get_mut() -= 1;
            if *count.get() == 0 {
                count.remove();
            }
        }
        self.slots.total.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_capped_per_agent_and_in_all_and_come_back_when_dropped() {
        let slots = Arc::new(SocketSlots::default());
        let (a, b) = (AgentId(1), AgentId(2));
        let first = slots.take(a, 2, 3).unwrap();
        let _second = slots.take(a, 2, 3).unwrap();
        assert_eq!(slots.take(a, 2, 3).err(), Some(NoSlot::AgentFull));
        let _third = slots.take(b, 2, 3).unwrap();
        assert_eq!(slots.take(b, 2, 3).err(), Some(NoSlot::ServerFull));
        drop(first);
        assert!(slots.take(a, 2, 3).is_ok());
    }
}
