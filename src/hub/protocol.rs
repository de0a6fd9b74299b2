//! The live protocol as types: the events consoles hear of and the frames the server sends (the
//! frames a console may send are in `client_frame`). docs/api.md describes the same shapes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    domain::{BreachKind, ClientId, DepartmentId, EventSeq, NoteId, Presence, TicketId},
    views::{AgentRef, AgentView, ChangeView, MessageView, NoteView, RatingView, TicketView},
};

/// A committed change that consoles hear of. Stored in the event log (without its seq) and sent
/// to every console that may see its department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    /// A new ticket.
    #[serde(rename = "ticket.created")]
    TicketCreated { ticket: TicketView },
    /// A ticket's state or owner changed; `change` says how (the timeline entry it left).
    #[serde(rename = "ticket.updated")]
    TicketUpdated {
        ticket: TicketView,
        change: Option<Box<ChangeView>>,
    },
    /// A ticket moved to a department this console's scope does not cover: drop it. Sent only
    /// to consoles that could see it before (its old department) and cannot now.
    #[serde(rename = "ticket.removed")]
    TicketRemoved {
        ticket_id: TicketId,
        /// Where the ticket went.
        department_id: DepartmentId,
    },
    /// A new message in a ticket's conversation.
    #[serde(rename = "message.created")]
    MessageCreated { message: MessageView },
    /// A message's delivery changed.
    #[serde(rename = "message.updated")]
    MessageUpdated { message: MessageView },
    /// A `#` note about a client was added; `notes_count` is the client's count now.
    #[serde(rename = "note.created")]
    NoteCreated { note: NoteView, notes_count: u64 },
    /// A note's text changed.
    #[serde(rename = "note.updated")]
    NoteUpdated { note: NoteView, notes_count: u64 },
    /// A note was deleted.
    #[serde(rename = "note.deleted")]
    NoteDeleted {
        note_id: NoteId,
        client_id: ClientId,
        notes_count: u64,
    },
    /// A closed ticket's rating was answered (stars) or got its comment.
    #[serde(rename = "rating.updated")]
    RatingUpdated { rating: RatingView },
    /// A customer's wait went past the department's first-response target (once per wait):
    /// supervisors' and admins' consoles sound an alert and mark the ticket.
    #[serde(rename = "ticket.breached")]
    TicketBreached {
        ticket_id: TicketId,
        kind: BreachKind,
        /// When the customer began to wait.
        since: DateTime<Utc>,
        /// The ticket as it now is (its `breach` set).
        ticket: TicketView,
    },
}

impl Event {
    /// The department whose consoles must not get this event even when it is about a department
    /// they see: a removal skips consoles that can see where the ticket went.
    pub fn hidden_from(&self) -> Option<DepartmentId> {
        match self {
            Self::TicketRemoved { department_id, .. } => Some(*department_id),
            _ => None,
        }
    }

    /// The event's `type`, also stored in the event log's `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::TicketCreated { .. } => "ticket.created",
            Self::TicketUpdated { .. } => "ticket.updated",
            Self::TicketRemoved { .. } => "ticket.removed",
            Self::MessageCreated { .. } => "message.created",
            Self::MessageUpdated { .. } => "message.updated",
            Self::NoteCreated { .. } => "note.created",
            Self::NoteUpdated { .. } => "note.updated",
            Self::NoteDeleted { .. } => "note.deleted",
            Self::RatingUpdated { .. } => "rating.updated",
            Self::TicketBreached { .. } => "ticket.breached",
        }
    }
}

/// An event with its place in the event log: `{"seq": N, "type": ..., ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequenced {
    pub seq: EventSeq,
    #[serde(flatten)]
    pub event: Event,
}

/// Every frame the server sends a console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ServerFrame {
    /// The first frame: who the console is logged in as, and the newest seq of the event log as
    /// the connection starts (a console that did not resume starts after it).
    #[serde(rename = "hello")]
    Hello { agent: AgentView, seq: EventSeq },
    /// Sent right after the hello when the console asked to resume from a seq the log cannot
    /// replay from (pruned, too far behind, or from another database): reload everything; live
    /// events after the hello's seq follow.
    #[serde(rename = "resync")]
    Resync,
    /// The answer to a ping, with the ping's `id` when it had one.
    #[serde(rename = "pong")]
    Pong {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u32>,
    },
    /// A frame the console sent was refused; the stream goes on.
    #[serde(rename = "error")]
    Error { error: String, message: String },
    /// An agent's presence changed. Not an event of the log: no seq, not replayed; a console
    /// that reconnects reads `GET /api/agents`.
    #[serde(rename = "presence.updated")]
    PresenceUpdated {
        agent: AgentRef,
        presence: Presence,
        /// The agent's departments.
        departments: Vec<DepartmentId>,
    },
    /// A live event.
    #[serde(untagged)]
    Event(Box<Sequenced>),
}

impl ServerFrame {
    /// The frame as JSON text.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).expect("a server frame always serializes")
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::{
        domain::{AuthorKind, ClientId, Direction, MessageId, TelegramUserId, TicketStatus},
        views::{AuthorView, ClientRef, DepartmentRef, Platform},
    };

    fn ticket() -> TicketView {
        TicketView {
            id: TicketId(1),
            number: TicketId(1),
            status: TicketStatus::Pending,
            client: ClientRef {
                id: ClientId(2),
                telegram_id: TelegramUserId(3),
                username: None,
                name: "Ann".to_owned(),
                notes_count: 0,
                unreachable: None,
                priority: Default::default(),
            },
            department: DepartmentRef {
                id: DepartmentId(4),
                name: "General".to_owned(),
            },
            platform: Platform::Telegram,
            owner: None,
            last_owner: None,
            previous_ticket_id: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            awaiting_reply_since: None,
            hold: None,
            hold_since: None,
            priority: crate::domain::Priority::Normal,
            breach: None,
            unread: None,
        }
    }

    #[test]
    fn an_event_frame_is_the_event_with_its_seq_and_type() {
        let frame = ServerFrame::Event(Box::new(Sequenced {
            seq: EventSeq(42),
            event: Event::TicketCreated { ticket: ticket() },
        }));
        let json: serde_json::Value = serde_json::from_str(&frame.to_text()).unwrap();
        assert_eq!(json["seq"], 42);
        assert_eq!(json["type"], "ticket.created");
        assert_eq!(json["ticket"]["id"], 1);
        assert_eq!(json["ticket"]["platform"], "telegram");
        assert_eq!(
            serde_json::from_value::<ServerFrame>(json).unwrap(),
            frame,
            "frames read back as they were written"
        );
    }

    #[test]
    fn control_frames_carry_only_their_type_and_fields() {
        assert_eq!(
            ServerFrame::Pong { id: None }.to_text(),
            r#"{"type":"pong"}"#
        );
        assert_eq!(
            ServerFrame::Pong { id: Some(3) }.to_text(),
            r#"{"type":"pong","id":3}"#
        );
        assert_eq!(ServerFrame::Resync.to_text(), r#"{"type":"resync"}"#);
        let message = MessageView {
            id: MessageId(1),
            ticket_id: TicketId(1),
            direction: Direction::In,
            author: AuthorView {
                kind: AuthorKind::Customer,
                id: None,
                name: "Ann".to_owned(),
            },
            text: "hi".to_owned(),
            created_at: Utc::now(),
            delivery: None,
            delivery_error: None,
            media: None,
            media_group_id: None,
            reply_to: None,
            edited_at: None,
            earlier_texts: Vec::new(),
            out_reply_to: None,
            out_file: None,
        };
        let event = Event::MessageCreated { message };
        assert_eq!(event.kind(), "message.created");
        let stored: serde_json::Value = serde_json::to_value(&event).unwrap();
        assert_eq!(stored["type"], event.kind());
    }
}
