//! A customer's message arrives: stored first, on their open ticket or a new pending one.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;

use super::{
    Command, DirectReply, Service, ServiceError, record_message_event, record_ticket_created,
    record_ticket_updated,
};
use crate::{
    domain::{
        Author, ChangeKind, ChatId, ClientId, Place, TelegramMessageId, Ticket, TicketId,
        TicketState, UpdateId,
    },
    hub::Event,
    store::{self, changes::NewChange, clients::TelegramProfile, messages::NewMessage},
    texts::Text,
};

/// A customer's message as the Telegram front door hands it over.
#[derive(Debug, Clone)]
pub struct IncomingMessage {
    pub update_id: UpdateId,
    pub profile: TelegramProfile,
    pub chat_id: ChatId,
    pub message_id: TelegramMessageId,
    /// The text, or a media message's caption (empty without one).
    pub text: String,
    pub sent_at: DateTime<Utc>,
    /// The file, place or contact the message carries.
    pub media: Option<crate::domain::Media>,
    /// The album (Telegram's `media_group_id`) the message belongs to.
    pub media_group_id: Option<String>,
    /// The Telegram id of the message in the same chat this one replies to.
    pub reply_to: Option<TelegramMessageId>,
}

/// What ingest did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestOutcome {
    /// The update was ingested before; nothing changed.
    Duplicate,
    /// The message opened this new pending ticket.
    NewTicket(TicketId),
    /// The message joined this open ticket.
    Appended(TicketId),
    /// The message reopened this ticket, closed within the reopen window.
    Reopened(TicketId),
    /// A command that belongs to no ticket (`/status` with none open, a bare `/start`) was
    /// answered directly; nothing was stored but the update id.
    Answered,
    /// The message was the comment of this closed ticket's rating; no ticket opened.
    Commented(TicketId),
}

/// How often ingest retries after losing a race the database decided (two instances creating the
/// same client or ticket at once).
const ATTEMPTS: usize = 3;

impl Service {
    /// Stores a customer's message exactly once per Telegram update. The first message of a
    /// customer without an open ticket opens a pending one in the default department and queues an
    /// acknowledgement naming its number.
    pub async fn ingest(&self, message: &IncomingMessage) -> Result<IngestOutcome, ServiceError> {
        let mut outcomes = self.ingest_batch(std::slice::from_ref(message)).await?;
        outcomes
            .pop()
            .ok_or_else(|| ServiceError::bug("a batch of one update gave no outcome"))
    }

    /// Stores a batch of customer messages in one transaction (see `ingest_batch`); messages of
    /// one chat stay in order. All or nothing: ingesting the batch again after an error is safe.
    pub async fn ingest_chats(&self, messages: &[IncomingMessage]) -> Result<(), ServiceError> {
        self.ingest_batch(messages).await.map(drop)
    }

    /// Stores several customer messages in one transaction, in order, with the same rules as
    /// `ingest`. All or nothing: on an error nothing of the batch is stored.
    pub async fn ingest_batch(
        &self,
        messages: &[IncomingMessage],
    ) -> Result<Vec<IngestOutcome>, ServiceError> {
        let mut attempt = 1;
        loop {
            match self.try_ingest_batch(messages).await {
                Err(ServiceError::Db(e))
                    if store::is_unique_violation(&e) && attempt < ATTEMPTS =>
                {
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn try_ingest_batch(
        &self,
        messages: &[IncomingMessage],
    ) -> Result<Vec<IngestOutcome>, ServiceError> {
        let txn = store::begin_write(&self.db).await?;
        let mut events = Vec::new();
        let mut replies = Vec::new();
        let outcomes = self
            .ingest_many_in(&txn, messages, &mut events, &mut replies)
            .await?;
        self.commit(txn, events).await?;
        if !replies.is_empty() {
            self.replies.push(replies);
        }
        // A new ticket's acknowledgement or a command's answer may wait in the outbox.
        if outcomes
            .iter()
            .any(|o| !matches!(o, IngestOutcome::Duplicate | IngestOutcome::Answered))
        {
            self.outbox.wake();
        }
        Ok(outcomes)
    }

    /// Stores one customer message whose update id was recorded just now (see `ingest`). A command is answered: `/status` and `/start`
    /// on the customer's newest open ticket (both stored there, so the agent sees them), or
    /// directly (`replies`) when none is open; `/new` opens a separate ticket. An ordinary message
    /// goes to the customer's newest open ticket, else opens (or reopens) one. Any message clears
    /// the customer's unreachable mark.
    pub(super) async fn ingest_recorded<C>(
        &self,
        txn: &C,
        incoming: &IncomingMessage,
        events: &mut Vec<super::NewEvent>,
        replies: &mut Vec<DirectReply>,
    ) -> Result<IngestOutcome, ServiceError>
    where
        C: ConnectionTrait,
    {
        let now = self.clock.now();
        let client = store::clients::upsert(txn, &incoming.profile).await?;
        super::customer::clear_unreachable(txn, &client, events).await?;
        let language = incoming.profile.language.as_deref();
        let command = Command::parse(&incoming.text);
        let open = store::tickets::find_open_for_client(txn, client.id).await?;
        let (ticket, how) = match (command, open) {
            (Some(Command::New), _) => {
                store::ratings::end_comment_window(txn, client.id).await?;
                let slot = store::tickets::next_open_slot(txn, client.id).await?;
                self.open_new(txn, client.id, &incoming.text, None, slot, now, events)
                    .await?
            }
            (
                Some(
                    Command::Status
                    | Command::Start {
                        with_payload: false,
                    },
                ),
                None,
            ) => {
                let text = match command {
                    Some(Command::Status) => self.texts.render(Text::StatusNone, language, &[]),
                    _ => self.texts.render(
                        Text::Greeting,
                        language,
                        &[("name", &incoming.profile.name)],
                    ),
                };
                replies.push(DirectReply {
                    chat: incoming.chat_id,
                    text,
                });
                return Ok(IngestOutcome::Answered);
            }
            (_, Some(ticket)) => {
                // A command is a customer message like any other: the console's needs-reply
                // rule (any inbound message starts the wait) stays the server's.
                store::waiting::customer_wrote(txn, ticket.id, now).await?;
                if ticket.hold.is_some() {
                    // The customer answered: the ticket is back to normal working.
                    let view = self.fresh_view(txn, ticket.id).await?;
                    events.push(record_ticket_updated(&view, None)?);
                }
                (ticket, Opened::Joined)
            }
            (_, None) => {
                if command.is_none()
                    && let Some(outcome) = self
                        .take_rating_comment(
                            txn,
                            &client,
                            &incoming.text,
                            incoming.media.is_some(),
                            now,
                            events,
                        )
                        .await?
                {
                    return Ok(outcome);
                }
                self.open_or_reopen(txn, client.id, &incoming.text, now, events)
                    .await?
            }
        };
        let is_new = matches!(how, Opened::New { .. });
        let mut text = NewMessage::inbound(
            ticket.id,
            incoming.chat_id,
            incoming.message_id,
            &incoming.text,
            now,
        );
        text.media = incoming.media.clone();
        text.media_group_id = incoming.media_group_id.clone();
        if let Some(quoted) = incoming.reply_to {
            text.reply_to_id =
                store::message_edits::find_by_telegram_id(txn, incoming.chat_id, quoted)
                    .await?
                    .map(|m| m.id);
        }
        let mut stored = vec![store::messages::insert(txn, text).await?];
        // The bot's answers, in order, each with its keyboard.
        let mut answers: Vec<(String, Option<String>)> = Vec::new();
        if let Some(Command::Start { .. }) = command {
            let greeting = self.texts.render(
                Text::Greeting,
                language,
                &[("name", &incoming.profile.name)],
            );
            answers.push((greeting, None));
        }
        if is_new {
            let number = ticket.id.to_string();
            let ack = self
                .texts
                .render(Text::Acknowledgement, language, &[("number", &number)]);
            answers.push((ack, None));
            // The greeting of the department the ticket landed in, when it has one.
            if let Some(greeting) = store::departments::find(txn, ticket.department)
                .await?
                .and_then(|d| d.greeting)
            {
                answers.push((greeting, None));
            }
        } else if command == Some(Command::Status) {
            answers.push((self.status_text(txn, &ticket, language).await?, None));
        }
        if matches!(how, Opened::New { .. } | Opened::Reopened)
            && let Some(away) = self
                .away_notice(txn, ticket.id, ticket.department, language, now)
                .await?
        {
            answers.push((away, None));
        }
        if let Opened::New { asked: true } = how
            && let Some(keyboard) =
                super::routing::routing_keyboard(txn, ticket.id, ticket.department).await?
        {
            let question = self.texts.render(Text::RoutingQuestion, language, &[]);
            answers.push((question, Some(keyboard)));
        }
        for (text, keyboard) in &answers {
            let mut answer =
                NewMessage::outbound(ticket.id, Author::System, incoming.chat_id, text, now);
            answer.reply_markup.clone_from(keyboard);
            stored.push(store::messages::insert(txn, answer).await?);
        }
        for message in stored {
            let (_, event) =
                record_message_event(txn, ticket.department, message, &client.name, |message| {
                    Event::MessageCreated { message }
                })
                .await?;
            events.push(event);
        }
        Ok(match how {
            Opened::New { .. } => IngestOutcome::NewTicket(ticket.id),
            Opened::Reopened => IngestOutcome::Reopened(ticket.id),
            Opened::Joined => IngestOutcome::Appended(ticket.id),
        })
    }

    /// The answer to `/status` about `ticket`: its number, department label and state.
    async fn status_text<C>(
        &self,
        c: &C,
        ticket: &Ticket,
        language: Option<&str>,
    ) -> Result<String, ServiceError>
    where
        C: ConnectionTrait,
    {
        let department = store::departments::find(c, ticket.department)
            .await?
            .map(|d| d.label)
            .unwrap_or_default();
        let state = match ticket.state {
            TicketState::Accepted { .. } => Text::StateWithAgent,
            _ => Text::StatePending,
        };
        let state = self.texts.render(state, language, &[]);
        let number = ticket.id.to_string();
        Ok(self.texts.render(
            Text::StatusOpen,
            language,
            &[
                ("number", &number),
                ("department", &department),
                ("state", &state),
            ],
        ))
    }

    /// A customer without an open ticket wrote. Within the reopen window after their last ticket
    /// closed, that ticket goes back to Pending in its department (one conditional update: of
    /// concurrent messages exactly one reopens it, the others join it); otherwise a new pending
    /// ticket opens, linked to the earlier one, in the department a deep link (`/start <slug>`)
    /// chose or else the default one (then the customer is asked which team, when several are
    /// open). Records the timeline entry and the event.
    async fn open_or_reopen<C>(
        &self,
        txn: &C,
        client: ClientId,
        text: &str,
        now: DateTime<Utc>,
        events: &mut Vec<super::NewEvent>,
    ) -> Result<(Ticket, Opened), ServiceError>
    where
        C: ConnectionTrait,
    {
        let last = store::history::last_closed_for_client(txn, client).await?;
        let window = match &last {
            Some((closed, _)) => self.reopen_window_of(txn, closed.department).await?,
            None => self.reopen_window,
        };
        if let Some((closed, closed_at)) = &last
            && now.signed_duration_since(*closed_at) < window
        {
            let from = closed.place();
            let to = Place {
                state: TicketState::Pending,
                department: closed.department,
            };
            if !store::tickets::transition(txn, closed.id, from, to, None, now).await? {
                // Another message reopened it first and has committed: join that ticket.
                return match store::tickets::find_open_for_client(txn, client).await? {
                    Some(ticket) => {
                        store::waiting::customer_wrote(txn, ticket.id, now).await?;
                        Ok((ticket, Opened::Joined))
                    }
                    None => Err(ServiceError::Other(anyhow::anyhow!(
                        "ticket {} changed while being reopened; the update will be retried",
                        closed.id
                    ))),
                };
            }
            store::waiting::reopened(txn, closed.id, now).await?;
            let reopened = NewChange {
                from_agent: closed.last_owner,
                from_department: Some(closed.department),
                to_department: Some(closed.department),
                ..NewChange::default()
            };
            let change =
                store::changes::insert(txn, closed.id, ChangeKind::Reopened, reopened, now).await?;
            let change = store::changes::views(txn, vec![change]).await?.pop();
            let ticket = store::tickets::find(txn, closed.id).await?.ok_or_else(|| {
                ServiceError::bug(format!("ticket {} vanished while reopened", closed.id))
            })?;
            let view = store::tickets::view(txn, ticket.clone()).await?;
            events.push(record_ticket_updated(&view, change)?);
            return Ok((ticket, Opened::Reopened));
        }
        let previous = last.map(|(ticket, _)| ticket.id);
        self.open_new(txn, client, text, previous, 0, now, events)
            .await
    }

    /// Opens a new pending ticket in open slot `slot`, following `previous`, in the department a
    /// deep link (`/start <slug>`) chose or else the default one (then the customer is asked which
    /// team, when several are open). Records the timeline entry and the event.
    #[allow(clippy::too_many_arguments)]
    async fn open_new<C>(
        &self,
        txn: &C,
        client: ClientId,
        text: &str,
        previous: Option<TicketId>,
        slot: i32,
        now: DateTime<Utc>,
        events: &mut Vec<super::NewEvent>,
    ) -> Result<(Ticket, Opened), ServiceError>
    where
        C: ConnectionTrait,
    {
        let (department, chosen) = self.entry_department(txn, text).await?;
        let ticket =
            store::tickets::insert_pending_in_slot(txn, client, department, previous, slot, now)
                .await?;
        let created = NewChange {
            to_department: Some(ticket.department),
            ..NewChange::default()
        };
        store::changes::insert(txn, ticket.id, ChangeKind::Created, created, now).await?;
        let view = store::tickets::view(txn, ticket.clone()).await?;
        events.push(record_ticket_created(&view)?);
        Ok((ticket, Opened::New { asked: !chosen }))
    }
}

/// How a message found its ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opened {
    /// It opened a new ticket; `asked`: the customer is to be asked which team.
    New { asked: bool },
    /// It reopened the client's ticket closed within the window.
    Reopened,
    /// It joined the open ticket.
    Joined,
}
