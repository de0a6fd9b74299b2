//! A batch of customer messages in one transaction with few statements: one ledger insert for
//! all update ids, one client lookup (and one multi-row insert of new clients), one lookup of
//! their open tickets, multi-row inserts of tickets, timeline entries and messages, and views
//! built from what is in memory. Chats whose messages need more (commands, quotes, a ticket on
//! hold, an unreachable or returning customer) take the one-message path (`ingest_recorded`).

use std::collections::{HashMap, HashSet};

use sea_orm::ConnectionTrait;

use super::{
    Command, DirectReply, IncomingMessage, IngestOutcome, Service, ServiceError, record_event,
    record_ticket_created,
};
use crate::{
    domain::{Author, ChangeKind, ClientId, Ticket, TicketId, UpdateId},
    hub::Event,
    store::{
        self, changes::NewChange, clients::Upserted, messages::NewMessage, tickets::NewPending,
    },
    texts::Text,
};

/// Where a message of the batch path goes.
#[derive(Debug, Clone, Copy)]
enum Plan {
    /// A repeated update: nothing changes.
    Duplicate,
    /// The one-message path.
    Alone,
    /// Opens a new ticket for its client (created in this batch).
    Open(ClientId),
    /// Joins its client's open ticket (or the one an earlier message of the batch opened).
    Join(ClientId),
}

impl Service {
    /// Ingests `messages` in the caller's transaction (see `ingest_batch`); outcomes in order.
    pub(super) async fn ingest_many_in<C>(
        &self,
        txn: &C,
        messages: &[IncomingMessage],
        events: &mut Vec<super::NewEvent>,
        replies: &mut Vec<DirectReply>,
    ) -> Result<Vec<IngestOutcome>, ServiceError>
    where
        C: ConnectionTrait,
    {
        let ids: Vec<UpdateId> = messages.iter().map(|m| m.update_id).collect();
        let mut fresh = store::updates::record_many(txn, &ids).await?;
        // A repeat inside the batch counts once: `remove` takes each fresh id once.
        let new: Vec<bool> = messages
            .iter()
            .map(|m| fresh.remove(&m.update_id))
            .collect();
        let profiles: Vec<_> = messages
            .iter()
            .zip(&new)
            .filter(|(_, new)| **new)
            .map(|(m, _)| &m.profile)
            .collect();
        let clients = store::clients::upsert_many(txn, &profiles).await?;
        let returning: Vec<ClientId> = clients
            .values()
            .filter(|u| !u.created)
            .map(|u| u.client.id)
            .collect();
        let open = store::tickets::newest_open_for_clients(txn, returning).await?;

        // A chat takes the batch path only if every message of it does.
        let mut plans = Vec::with_capacity(messages.len());
        let mut alone: HashSet<ClientId> = HashSet::new();
        for (message, new) in messages.iter().zip(&new) {
            if !new {
                plans.push(Plan::Duplicate);
                continue;
            }
            let upserted = client_of(&clients, message)?;
            let client = &upserted.client;
            let simple = Command::parse(&message.text).is_none()
                && message.reply_to.is_none()
                && client.unreachable_since.is_none();
            let plan = match open.get(&client.id) {
                Some(ticket) if simple && ticket.hold.is_none() => Plan::Join(client.id),
                None if simple && upserted.created => Plan::Open(client.id),
                _ => Plan::Alone,
            };
            if matches!(plan, Plan::Alone) {
                alone.insert(client.id);
            }
            plans.push(plan);
        }
        let mut opened: HashSet<ClientId> = HashSet::new();
        for plan in &mut plans {
            let client = match *plan {
                Plan::Open(client) | Plan::Join(client) => client,
                Plan::Duplicate | Plan::Alone => continue,
            };
            if alone.contains(&client) {
                *plan = Plan::Alone;
            } else if matches!(plan, Plan::Open(_)) && !opened.insert(client) {
                // A later message of a customer whose first one opens the ticket joins it.
                *plan = Plan::Join(client);
            }
        }

        let mut outcomes: Vec<Option<IngestOutcome>> = vec![None; messages.len()];
        for (i, (plan, message)) in plans.iter().zip(messages).enumerate() {
            match plan {
                Plan::Duplicate => outcomes[i] = Some(IngestOutcome::Duplicate),
                Plan::Alone => {
                    outcomes[i] = Some(self.ingest_recorded(txn, message, events, replies).await?);
                }
                Plan::Open(_) | Plan::Join(_) => {}
            }
        }
        let batched: Vec<(usize, Plan)> = plans
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p, Plan::Open(_) | Plan::Join(_)))
            .map(|(i, p)| (i, *p))
            .collect();
        if !batched.is_empty() {
            self.ingest_planned(
                txn,
                messages,
                &batched,
                &clients,
                open,
                events,
                &mut outcomes,
            )
            .await?;
        }
        outcomes
            .into_iter()
            .map(|o| o.ok_or_else(|| ServiceError::bug("a message of the batch got no outcome")))
            .collect()
    }

    /// Stores the messages planned `Open` or `Join` with multi-row inserts.
    #[allow(clippy::too_many_arguments)]
    async fn ingest_planned<C>(
        &self,
        txn: &C,
        messages: &[IncomingMessage],
        batched: &[(usize, Plan)],
        clients: &HashMap<crate::domain::TelegramUserId, Upserted>,
        mut open: HashMap<ClientId, Ticket>,
        events: &mut Vec<super::NewEvent>,
        outcomes: &mut [Option<IngestOutcome>],
    ) -> Result<(), ServiceError>
    where
        C: ConnectionTrait,
    {
        let now = self.clock.now();
        // New tickets, in the default department (no deep link: commands take the other path).
        let department = self.default_department;
        let to_open: Vec<(usize, ClientId)> = batched
            .iter()
            .filter_map(|(i, p)| match p {
                Plan::Open(client) => Some((*i, *client)),
                _ => None,
            })
            .collect();
        let mut routing: Option<Vec<store::entity::department::Model>> = None;
        let mut entry: Option<store::entity::department::Model> = None;
        let mut new_tickets: HashSet<TicketId> = HashSet::new();
        if !to_open.is_empty() {
            let row = store::departments::find(txn, department)
                .await?
                .ok_or_else(|| ServiceError::bug("the default department is missing"))?;
            let by_id: HashMap<ClientId, &store::entity::client::Model> =
                clients.values().map(|u| (u.client.id, &u.client)).collect();
            let pending: Vec<NewPending> = to_open
                .iter()
                .map(|(_, client)| NewPending {
                    client: *client,
                    department,
                    priority: by_id
                        .get(client)
                        .map(|c| c.priority)
                        .unwrap_or_default()
                        .max(row.priority),
                })
                .collect();
            let tickets = store::tickets::insert_pending_many(txn, &pending, now).await?;
            store::changes::insert_many(
                txn,
                tickets
                    .iter()
                    .map(|t| {
                        let change = NewChange {
                            to_department: Some(t.department),
                            ..NewChange::default()
                        };
                        (t.id, change)
                    })
                    .collect(),
                ChangeKind::Created,
                now,
            )
            .await?;
            for ticket in tickets {
                new_tickets.insert(ticket.id);
                open.insert(ticket.client, ticket);
            }
            routing = Some(store::departments::open(txn).await?);
            entry = Some(row);
        }
        let away_possible = entry
            .as_ref()
            .and_then(super::timers::hours_of)
            .is_some_and(|hours| hours.closed_at(now).is_some());

        // Joins: the customer wrote (one statement for all their tickets).
        let joined: Vec<TicketId> = batched
            .iter()
            .filter_map(|(_, p)| match p {
                Plan::Join(client) => open.get(client).map(|t| t.id),
                _ => None,
            })
            .filter(|id| !new_tickets.contains(id))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        store::waiting::customers_wrote(txn, joined, now).await?;

        // Every message to store, in order; `owners[k]` is the batch entry message k belongs to.
        let mut texts: Vec<(usize, String, Option<String>)> = Vec::new();
        for (i, plan) in batched {
            let message = &messages[*i];
            let Plan::Open(client) = plan else {
                continue;
            };
            let ticket = open
                .get(client)
                .ok_or_else(|| ServiceError::bug("a ticket opened in the batch is missing"))?;
            let language = message.profile.language.as_deref();
            let number = ticket.id.to_string();
            let ack = self
                .texts
                .render(Text::Acknowledgement, language, &[("number", &number)]);
            texts.push((*i, ack, None));
            if let Some(greeting) = entry.as_ref().and_then(|d| d.greeting.clone()) {
                texts.push((*i, greeting, None));
            }
            if away_possible
                && let Some(away) = self
                    .away_notice(txn, ticket.id, ticket.department, language, now)
                    .await?
            {
                texts.push((*i, away, None));
            }
            if let Some(keyboard) = routing
                .as_deref()
                .and_then(|open| super::routing::keyboard_of(open, ticket.id, ticket.department))
            {
                let question = self.texts.render(Text::RoutingQuestion, language, &[]);
                texts.push((*i, question, Some(keyboard)));
            }
        }
        let mut rows: Vec<NewMessage<'_>> = Vec::new();
        let mut owners: Vec<usize> = Vec::new();
        let mut answers = texts.iter().peekable();
        for (i, plan) in batched {
            let message = &messages[*i];
            let client = match plan {
                Plan::Open(client) | Plan::Join(client) => client,
                _ => continue,
            };
            let ticket = open
                .get(client)
                .ok_or_else(|| ServiceError::bug("a batch message has no ticket"))?;
            let mut inbound = NewMessage::inbound(
                ticket.id,
                message.chat_id,
                message.message_id,
                &message.text,
                now,
            );
            inbound.media = message.media.clone();
            inbound.media_group_id = message.media_group_id.clone();
            rows.push(inbound);
            owners.push(*i);
            while let Some((_, text, keyboard)) = answers.next_if(|(owner, _, _)| owner == i) {
                let mut answer =
                    NewMessage::outbound(ticket.id, Author::System, message.chat_id, text, now);
                answer.reply_markup.clone_from(keyboard);
                rows.push(answer);
                owners.push(*i);
            }
        }
        let stored = store::messages::insert_many(txn, rows).await?;

        // Events in order: a new ticket's `ticket.created`, then its messages.
        let mut stored = stored.into_iter().zip(owners).peekable();
        for (i, plan) in batched {
            let message = &messages[*i];
            let upserted = client_of(clients, message)?;
            let client = &upserted.client;
            let ticket = open
                .get(&client.id)
                .ok_or_else(|| ServiceError::bug("a batch message has no ticket"))?;
            if let (Plan::Open(_), Some(row)) = (plan, &entry) {
                let view = store::tickets::view_of_new(ticket.clone(), client, &row.name);
                events.push(record_ticket_created(&view)?);
            }
            let mut mine = Vec::new();
            while let Some((row, _)) = stored.next_if(|(_, owner)| owner == i) {
                mine.push(row);
            }
            for view in store::messages::views_of_new(mine, &client.name)? {
                events.push(record_event(
                    ticket.department,
                    view.ticket_id,
                    Event::MessageCreated { message: view },
                )?);
            }
            outcomes[*i] = Some(match plan {
                Plan::Open(_) => IngestOutcome::NewTicket(ticket.id),
                _ => IngestOutcome::Appended(ticket.id),
            });
        }
        Ok(())
    }
}

/// The client a batch message is from.
fn client_of<'a>(
    clients: &'a HashMap<crate::domain::TelegramUserId, Upserted>,
    message: &IncomingMessage,
) -> Result<&'a Upserted, ServiceError> {
    clients
        .get(&message.profile.telegram_id)
        .ok_or_else(|| ServiceError::bug("a batch message's client was not upserted"))
}
