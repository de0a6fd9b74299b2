//! Live fan-out of committed events to connected consoles. Each console has a bounded channel in
//! a DashMap; an event goes to every console whose scope covers the event's department. One
//! `tailer` per instance reads the event log in seq order and publishes it here; on PostgreSQL,
//! `relay` wakes it when another instance wrote events.

pub mod client_frame;
pub mod protocol;
pub mod relay;
pub mod tailer;

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicBool, AtomicU64, Ordering},
};

use dashmap::{DashMap, Entry};
use tokio::sync::{Notify, mpsc};

pub use client_frame::{ClientFrame, FrameRefusal};
pub use protocol::{Event, Sequenced, ServerFrame};

use crate::{
    domain::{AgentId, DepartmentId, EventSeq, Scope},
    store::entity::event,
};

/// The most committed events handed to the tailer that may wait for it; past this they are
/// dropped and the tailer reads them from the log instead.
const HANDED_MAX: usize = 10_000;

/// How many events may wait for one console before it counts as too slow and is dropped (it
/// then reconnects and resumes).
const CONSOLE_BUFFER: usize = 1024;

/// A committed event, ready to send: serialized once, with its seq, and shared by every console
/// that receives it.
#[derive(Debug, Clone)]
pub struct LiveEvent {
    pub seq: EventSeq,
    pub department_id: DepartmentId,
    /// Consoles that see this department do not get the event (see `Event::hidden_from`).
    pub hidden_from: Option<DepartmentId>,
    pub frame: Arc<str>,
}

impl LiveEvent {
    /// The frame of `event`, stored as `seq`, about a ticket of `department_id`.
    pub fn new(seq: EventSeq, department_id: DepartmentId, event: Event) -> Self {
        let hidden_from = event.hidden_from();
        let frame = ServerFrame::Event(Box::new(Sequenced { seq, event })).to_text();
        Self {
            seq,
            department_id,
            hidden_from,
            frame: frame.into(),
        }
    }

    /// Whether a console that may see `scope` gets this event.
    fn reaches(&self, scope: &Scope) -> bool {
        scope.allows(self.department_id) && !self.hidden_from.is_some_and(|d| scope.allows(d))
    }

    /// The frame of a stored event, made without parsing its payload: the payload is the event's
    /// JSON object, so the frame is `{"seq":N,` followed by the payload after its `{`.
    pub fn from_row(row: &event::Model) -> Self {
        let body = row.payload.strip_prefix('{').unwrap_or(&row.payload);
        let frame = format!("{{\"seq\":{},{body}", row.id);
        Self {
            seq: row.id,
            department_id: row.department_id,
            hidden_from: row.hidden_from,
            frame: frame.into(),
        }
    }
}

/// A frame in a console's channel: an event of the log carries its seq (so a resuming console
/// can skip what its backlog already sent); other frames (presence) carry none.
#[derive(Debug, Clone)]
pub struct Frame {
    pub seq: Option<EventSeq>,
    pub text: Arc<str>,
}

struct Console {
    agent_id: AgentId,
    scope: Scope,
    tx: mpsc::Sender<Frame>,
}

struct Inner {
    consoles: DashMap<u64, Console>,
    next_id: AtomicU64,
    instance: String,
    /// How many consoles each agent has on this instance (only agents with one or more).
    agents: DashMap<AgentId, usize>,
    /// Woken when an agent's first console here connects or their last one goes.
    agents_changed: Notify,
    /// Woken when events were committed (here or, through the relay, elsewhere): the tailer reads.
    log_grew: Notify,
    /// Events this instance committed, handed to the tailer so that it can publish them without
    /// reading them back from the log (see `tailer`).
    handed: Mutex<Vec<event::Model>>,
    /// Whether the log may hold events that were not handed over (another instance's, the
    /// breach checker's, or ones dropped past `HANDED_MAX`): the tailer then reads the log.
    must_read: AtomicBool,
    /// Woken when the log says an agent's access changed (disabled, password, role, departments):
    /// the session watch checks at once.
    access_changed: Notify,
    /// Woken when the log says the bot texts changed: they are read again.
    texts_changed: Notify,
    /// Frames pushed to consoles so far (`/metrics`).
    pushed: AtomicU64,
}

/// What a control entry of the event log asks every instance to do. Control entries reach no
/// console (they are hidden from their own department, see `control_event`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// An agent's access changed: re-check the open consoles' sessions now.
    Access,
    /// The bot texts changed: read them again.
    Texts,
}

impl Control {
    /// The `kind` of its entries in the event log.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Access => "control.access",
            Self::Texts => "control.texts",
        }
    }

    /// The control a log entry of `kind` stands for; None for a console event.
    pub fn of_kind(kind: &str) -> Option<Self> {
        [Self::Access, Self::Texts]
            .into_iter()
            .find(|c| c.kind() == kind)
    }
}

/// The registry of connected consoles on this instance.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

/// One console's place in the hub; dropping it unregisters the console.
pub struct Subscription {
    id: u64,
    agent_id: AgentId,
    inner: Arc<Inner>,
    /// Frames for this console. Ends when the hub dropped the console as too slow.
    pub events: mpsc::Receiver<Frame>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.inner.consoles.remove(&self.id);
        if let Entry::Occupied(mut count) = self.inner.agents.entry(self.agent_id) {
            *count.get_mut() -= 1;
            if *count.get() == 0 {
                count.remove();
                self.inner.agents_changed.notify_one();
            }
        }
    }
}

impl Hub {
    /// An empty hub for an instance named `instance` (the name other instances see in relayed events).
    pub fn new(instance: String) -> Self {
        Self {
            inner: Arc::new(Inner {
                consoles: DashMap::new(),
                next_id: AtomicU64::new(1),
                instance,
                agents: DashMap::new(),
                agents_changed: Notify::new(),
                log_grew: Notify::new(),
                handed: Mutex::new(Vec::new()),
                must_read: AtomicBool::new(false),
                access_changed: Notify::new(),
                texts_changed: Notify::new(),
                pushed: AtomicU64::new(0),
            }),
        }
    }

    /// This instance's name.
    pub fn instance(&self) -> &str {
        &self.inner.instance
    }

    /// Registers a console of `agent_id` that may see `scope`.
    pub fn subscribe(&self, agent_id: AgentId, scope: Scope) -> Subscription {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, events) = mpsc::channel(CONSOLE_BUFFER);
        self.inner.consoles.insert(
            id,
            Console {
                agent_id,
                scope,
                tx,
            },
        );
        let first = {
            let mut count = self.inner.agents.entry(agent_id).or_insert(0);
            *count += 1;
            *count == 1
        };
        if first {
            self.inner.agents_changed.notify_one();
        }
        Subscription {
            id,
            agent_id,
            inner: self.inner.clone(),
            events,
        }
    }

    /// Tells the tailer that events were committed: it reads them from the log.
    pub fn log_grew(&self) {
        self.inner.must_read.store(true, Ordering::Release);
        self.inner.log_grew.notify_one();
    }

    /// Hands the tailer the rows of events this instance just committed, so that it publishes
    /// them without reading the log (it still reads when they do not follow what it published).
    pub fn committed(&self, rows: Vec<event::Model>) {
        {
            let mut handed = self
                .inner
                .handed
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if handed.len() + rows.len() > HANDED_MAX {
                handed.clear();
                self.inner.must_read.store(true, Ordering::Release);
            } else {
                handed.extend(rows);
            }
        }
        self.inner.log_grew.notify_one();
    }

    /// What the tailer should do since its last call: whether it must read the log, and the rows
    /// handed to it (in no particular order).
    pub(crate) fn take_committed(&self) -> (bool, Vec<event::Model>) {
        let must_read = self.inner.must_read.swap(false, Ordering::AcqRel);
        let handed = std::mem::take(
            &mut *self
                .inner
                .handed
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        (must_read, handed)
    }

    /// Resolves when events were committed since the last call (one that came before the call is
    /// not missed).
    pub async fn log_grown(&self) {
        self.inner.log_grew.notified().await;
    }

    /// Acts on a control entry of the log (the tailer calls it, in seq order, on every instance).
    pub fn control(&self, control: Control) {
        match control {
            Control::Access => self.inner.access_changed.notify_one(),
            Control::Texts => self.inner.texts_changed.notify_one(),
        }
    }

    /// Resolves when an agent's access changed since the last call.
    pub async fn access_changed(&self) {
        self.inner.access_changed.notified().await;
    }

    /// Resolves when the bot texts changed since the last call.
    pub async fn texts_changed(&self) {
        self.inner.texts_changed.notified().await;
    }

    /// Sends an event to every console allowed to see it. Never waits: a console whose buffer is
    /// full is dropped so that one slow browser cannot hold up the rest. Only the tailer
    /// publishes events, in seq order.
    pub fn publish(&self, event: &LiveEvent) {
        let frame = Frame {
            seq: Some(event.seq),
            text: event.frame.clone(),
        };
        self.send_where(&frame, |console| event.reaches(&console.scope));
    }

    /// Sends a frame about an agent (`presence.updated`) to the consoles whose scope covers any of
    /// `departments` (supervisors' and admins': all), except the agent's own.
    pub fn publish_about_agent(
        &self,
        agent_id: AgentId,
        departments: &[DepartmentId],
        frame: &str,
    ) {
        let frame = Frame {
            seq: None,
            text: frame.into(),
        };
        self.send_where(&frame, |console| {
            console.agent_id != agent_id
                && (console.scope == Scope::All
                    || departments.iter().any(|d| console.scope.allows(*d)))
        });
    }

    fn send_where(&self, frame: &Frame, reaches: impl Fn(&Console) -> bool) {
        let mut too_slow = Vec::new();
        let mut pushed = 0;
        for console in self.inner.consoles.iter() {
            if !reaches(&console) {
                continue;
            }
            match console.tx.try_send(frame.clone()) {
                Ok(()) => pushed += 1,
                Err(mpsc::error::TrySendError::Full(_)) => too_slow.push(*console.key()),
                Err(mpsc::error::TrySendError::Closed(_)) => {}
            }
        }
        self.inner.pushed.fetch_add(pushed, Ordering::Relaxed);
        for id in too_slow {
            tracing::warn!(
                console.id = id,
                "console too slow for live events; dropping it"
            );
            self.inner.consoles.remove(&id);
        }
    }

    /// The agents with at least one console on this instance, counting each agent once however
    /// many tabs they have open.
    pub fn connected_agents(&self) -> std::collections::HashSet<AgentId> {
        self.inner.agents.iter().map(|entry| *entry.key()).collect()
    }

    /// Resolves when an agent's first console here connected or their last one went since the
    /// last call (a change that came before the call is not missed).
    pub async fn agents_changed(&self) {
        self.inner.agents_changed.notified().await;
    }

    /// The agents with at least one console connected to this instance.
    pub fn online_agents(&self) -> Vec<AgentId> {
        let mut ids: Vec<AgentId> = self.inner.consoles.iter().map(|c| c.agent_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// How many frames were pushed to this instance's consoles so far.
    pub fn frames_pushed(&self) -> u64 {
        self.inner.pushed.load(Ordering::Relaxed)
    }

    /// How many consoles are connected to this instance.
    pub fn console_count(&self) -> usize {
        self.inner.consoles.len()
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn stored(seq: i64, department_id: i64, event: &Event) -> event::Model {
        event::Model {
            id: EventSeq(seq),
            kind: event.kind().to_owned(),
            department_id: DepartmentId(department_id),
            ticket_id: None,
            hidden_from: event.hidden_from(),
            payload: serde_json::to_string(event).unwrap(),
            created_at: Utc::now(),
        }
    }

    fn ticket_updated(department_id: i64) -> Event {
        Event::TicketUpdated {
                ticket: serde_json::from_value(serde_json::json!({
                    "id": 1, "number": 1, "status": "pending", "platform": "telegram",
                    "client": {"id": 2, "telegram_id": 3, "username": null, "name": "Ann", "notes_count": 0},
                    "department": {"id": department_id, "name": "D"}, "owner": null,
                    "last_owner": null, "previous_ticket_id": null,
                    "created_at": Utc::now(), "updated_at": Utc::now(),
                }))
                .unwrap(),
                change: None,
        }
    }

    fn event(seq: i64, department_id: i64) -> LiveEvent {
        LiveEvent::from_row(&stored(seq, department_id, &ticket_updated(department_id)))
    }

    #[test]
    fn a_stored_event_becomes_a_frame_with_its_seq() {
        let frame: serde_json::Value = serde_json::from_str(&event(42, 1).frame).unwrap();
        assert_eq!(frame["seq"], 42);
        assert_eq!(frame["type"], "ticket.updated");
        assert_eq!(frame["ticket"]["department"]["id"], 1);
    }

    #[test]
    fn a_frame_made_from_the_stored_payload_is_the_frame_serde_writes() {
        let removed = Event::TicketRemoved {
            ticket_id: crate::domain::TicketId(5),
            department_id: DepartmentId(2),
        };
        for (seq, event) in [(7, ticket_updated(1)), (123_456_789, removed)] {
            let from_row = LiveEvent::from_row(&stored(seq, 1, &event));
            let serialized = LiveEvent::new(EventSeq(seq), DepartmentId(1), event);
            assert_eq!(from_row.frame, serialized.frame);
            assert_eq!(from_row.hidden_from, serialized.hidden_from);
        }
    }

    #[tokio::test]
    async fn events_reach_only_consoles_whose_scope_covers_the_department() {
        let hub = Hub::new("test".to_owned());
        let mut general = hub.subscribe(AgentId(1), Scope::Departments(vec![DepartmentId(1)]));
        let mut billing = hub.subscribe(AgentId(2), Scope::Departments(vec![DepartmentId(2)]));
        let mut supervisor = hub.subscribe(AgentId(3), Scope::All);
        hub.publish(&event(7, 1));
        assert!(
            general
                .events
                .recv()
                .await
                .unwrap()
                .text
                .contains("\"seq\":7")
        );
        assert!(
            supervisor
                .events
                .recv()
                .await
                .unwrap()
                .text
                .contains("\"seq\":7")
        );
        assert!(billing.events.try_recv().is_err());
    }

    #[tokio::test]
    async fn one_event_is_one_frame_in_memory_shared_by_every_console_that_gets_it() {
        let hub = Hub::new("test".to_owned());
        let mut general = hub.subscribe(AgentId(1), Scope::Departments(vec![DepartmentId(1)]));
        let mut supervisor = hub.subscribe(AgentId(2), Scope::All);
        let live = event(7, 1);
        hub.publish(&live);
        let (a, b) = (
            general.events.recv().await.unwrap(),
            supervisor.events.recv().await.unwrap(),
        );
        assert!(
            Arc::ptr_eq(&a.text, &b.text),
            "both consoles hold the same frame"
        );
        assert!(
            Arc::ptr_eq(&a.text, &live.frame),
            "the frame serialized once"
        );

        hub.publish_about_agent(
            AgentId(3),
            &[DepartmentId(1)],
            r#"{"type":"presence.updated"}"#,
        );
        let (a, b) = (
            general.events.recv().await.unwrap(),
            supervisor.events.recv().await.unwrap(),
        );
        assert!(
            Arc::ptr_eq(&a.text, &b.text),
            "a presence frame is shared too"
        );
    }

    #[tokio::test]
    async fn a_removal_reaches_only_consoles_that_cannot_see_where_the_ticket_went() {
        let hub = Hub::new("test".to_owned());
        let mut general = hub.subscribe(AgentId(1), Scope::Departments(vec![DepartmentId(1)]));
        let mut both = hub.subscribe(
            AgentId(2),
            Scope::Departments(vec![DepartmentId(1), DepartmentId(2)]),
        );
        let mut supervisor = hub.subscribe(AgentId(3), Scope::All);
        let removed = Event::TicketRemoved {
            ticket_id: crate::domain::TicketId(5),
            department_id: DepartmentId(2),
        };
        hub.publish(&LiveEvent::new(EventSeq(9), DepartmentId(1), removed));
        let frame = general.events.recv().await.unwrap().text;
        assert!(frame.contains("\"ticket.removed\""), "{frame}");
        assert!(both.events.try_recv().is_err());
        assert!(supervisor.events.try_recv().is_err());
    }

    #[tokio::test]
    async fn a_console_that_does_not_read_is_dropped_and_the_others_still_get_events() {
        let hub = Hub::new("test".to_owned());
        let mut slow = hub.subscribe(AgentId(1), Scope::All);
        let mut fast = hub.subscribe(AgentId(2), Scope::All);
        for seq in 0..=CONSOLE_BUFFER as i64 {
            hub.publish(&event(seq, 1));
            fast.events.recv().await.unwrap();
        }
        assert_eq!(hub.console_count(), 1);
        assert_eq!(hub.online_agents(), vec![AgentId(2)]);
        let mut received = 0;
        while slow.events.recv().await.is_some() {
            received += 1;
        }
        assert_eq!(received, CONSOLE_BUFFER);
    }

    #[test]
    fn dropping_a_subscription_unregisters_the_console() {
        let hub = Hub::new("test".to_owned());
        let sub = hub.subscribe(AgentId(1), Scope::All);
        assert_eq!(hub.console_count(), 1);
        drop(sub);
        assert_eq!(hub.console_count(), 0);
    }

    #[tokio::test]
    async fn an_agent_counts_once_however_many_tabs_and_the_last_tab_closing_wakes_presence() {
        let hub = Hub::new("test".to_owned());
        let first = hub.subscribe(AgentId(1), Scope::All);
        hub.agents_changed().await;
        let second = hub.subscribe(AgentId(1), Scope::All);
        assert_eq!(hub.connected_agents().len(), 1);
        drop(first);
        assert_eq!(hub.connected_agents().len(), 1);
        let woken =
            tokio::time::timeout(std::time::Duration::from_millis(50), hub.agents_changed());
        assert!(
            woken.await.is_err(),
            "a second tab neither wakes nor ends presence"
        );
        drop(second);
        hub.agents_changed().await;
        assert!(hub.connected_agents().is_empty());
    }

    #[tokio::test]
    async fn a_frame_about_an_agent_reaches_their_departments_and_supervisors_but_not_themselves() {
        let hub = Hub::new("test".to_owned());
        let mut alice = hub.subscribe(AgentId(1), Scope::Departments(vec![DepartmentId(1)]));
        let mut colleague = hub.subscribe(AgentId(2), Scope::Departments(vec![DepartmentId(1)]));
        let mut billing = hub.subscribe(AgentId(3), Scope::Departments(vec![DepartmentId(2)]));
        let mut supervisor = hub.subscribe(AgentId(4), Scope::All);
        hub.publish_about_agent(AgentId(1), &[DepartmentId(1)], "{}");
        assert!(colleague.events.try_recv().is_ok());
        assert!(supervisor.events.try_recv().is_ok());
        assert!(billing.events.try_recv().is_err());
        assert!(alice.events.try_recv().is_err());
    }
}
