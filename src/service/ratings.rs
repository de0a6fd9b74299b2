//! Ratings: after a close the customer is asked for 1–5 stars (buttons bound to the ticket and to
//! this asking); a press stores the stars, edits nothing itself (the Telegram front door shows the
//! choice) and invites a comment; the customer's next plain message within the window is that
//! comment instead of a new request. The figures are per department and agent.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde_json::json;

use super::{
    Actor, IngestOutcome, Service, ServiceError, record_customer_notice, record_event,
    record_message_event, tickets::visible_ticket,
};
use crate::{
    domain::{
        AgentId, Author, COMMENT_WINDOW, DepartmentId, RatePress, Role, Scope, Stars, TicketId,
        rating_comment,
    },
    hub::Event,
    store::{self, entity::client, events::NewEvent, messages::NewMessage, ratings::Asking},
    texts::Text,
    views::{RatingSummaryView, RatingView, TicketView},
};

/// What a star press did, for the answer the customer sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateOutcome {
    /// The stars were stored; the question is to show them.
    Rated { ticket: TicketId, stars: Stars },
    /// The ticket was rated already (by an earlier press); nothing changed.
    AlreadyRated { stars: Stars },
    /// Not this customer's keyboard, or an old one; nothing changed.
    Unavailable,
}

/// Which ratings `GET /api/ratings/summary` counts.
#[derive(Debug, Clone, Default)]
pub struct RatingQuery {
    pub department: Option<DepartmentId>,
    pub agent: Option<AgentId>,
    /// Rated at or after.
    pub from: Option<DateTime<Utc>>,
    /// Rated before.
    pub to: Option<DateTime<Utc>>,
}

impl Service {
    /// What follows a close, in the closing transaction: the ticket's transcript is queued for
    /// the staff chat (when one is set), and the customer is asked to rate the ticket (when
    /// ratings are on and it was not rated before). `owner` is who had it when it closed. Every
    /// way a ticket closes calls this.
    pub(super) async fn after_close<C>(
        &self,
        c: &C,
        ticket: &TicketView,
        owner: Option<AgentId>,
        now: DateTime<Utc>,
        events: &mut Vec<NewEvent>,
    ) -> Result<(), ServiceError>
    where
        C: ConnectionTrait,
    {
        if let Some(chat) = self.followups.transcript_chat {
            store::transcript_posts::enqueue(c, ticket.id, chat, now).await?;
            self.followups.transcripts_queued.notify_one();
        }
        if !self.followups.ratings {
            return Ok(());
        }
        let token = new_token();
        let asking = Asking {
            ticket: ticket.id,
            client: ticket.client.id,
            agent: owner,
            department: ticket.department.id,
            token: token.clone(),
        };
        if !store::ratings::ask(c, asking, now).await? {
            return Ok(());
        }
        let language = client_language(c, ticket).await?;
        let number = ticket.id.to_string();
        let text = self.texts.render(
            Text::RatingQuestion,
            language.as_deref(),
            &[("number", &number)],
        );
        let chat = ticket.client.telegram_id.private_chat();
        let mut question = NewMessage::outbound(ticket.id, Author::System, chat, &text, now);
        question.reply_markup = Some(star_keyboard(ticket.id, &token));
        let question = store::messages::insert(c, question).await?;
        let (_, event) = record_message_event(
            c,
            ticket.department.id,
            question,
            &ticket.client.name,
            |message| Event::MessageCreated { message },
        )
        .await?;
        events.push(event);
        Ok(())
    }

    /// A customer pressed a star. One conditional update decides: the first press on the
    /// current keyboard of an unrated ticket stores its stars and opens the comment window (the
    /// customer is invited to comment); any other press changes nothing.
    pub async fn rate(&self, press: &RatePress) -> Result<RateOutcome, ServiceError> {
        let txn = store::begin_write(&self.db).await?;
        let Some(row) = store::ratings::for_ticket(&txn, press.ticket).await? else {
            return Ok(RateOutcome::Unavailable);
        };
        let owner = store::clients::find(&txn, row.client_id).await?;
        if owner.map(|c| c.telegram_id) != Some(press.customer) {
            return Ok(RateOutcome::Unavailable);
        }
        if let Some(stars) = row.stars.and_then(|s| Stars::new(i64::from(s))) {
            return Ok(RateOutcome::AlreadyRated { stars });
        }
        if row.token != press.token {
            return Ok(RateOutcome::Unavailable);
        }
        let now = Utc::now();
        let until = now + COMMENT_WINDOW;
        if !store::ratings::rate(&txn, press.ticket, &press.token, press.stars, now, until).await? {
            drop(txn);
            // Another press won meanwhile.
            let stars = store::ratings::for_ticket(&self.db, press.ticket)
                .await?
                .and_then(|r| r.stars)
                .and_then(|s| Stars::new(i64::from(s)));
            return Ok(stars.map_or(RateOutcome::Unavailable, |stars| {
                RateOutcome::AlreadyRated { stars }
            }));
        }
        let mut events = vec![self.rating_event(&txn, press.ticket).await?];
        let ticket = ticket_view(&txn, press.ticket).await?;
        let minutes = COMMENT_WINDOW.num_minutes().to_string();
        events.push(
            record_customer_notice(
                &txn,
                &self.texts,
                &ticket,
                Text::RatingCommentPrompt,
                &[("minutes", &minutes)],
                now,
            )
            .await?,
        );
        self.commit(txn, events).await?;
        self.outbox.wake();
        tracing::info!(ticket.id = %press.ticket, stars = press.stars.get(), "ticket rated");
        Ok(RateOutcome::Rated {
            ticket: press.ticket,
            stars: press.stars,
        })
    }

    /// A customer without an open ticket wrote (no command): while their latest rating waits
    /// for its comment, a plain text message is that comment (stored, thanked; no ticket opens
    /// or reopens). Anything else closes the window and is ingested as usual (None).
    pub(super) async fn take_rating_comment<C>(
        &self,
        c: &C,
        client: &client::Model,
        text: &str,
        has_media: bool,
        now: DateTime<Utc>,
        events: &mut Vec<NewEvent>,
    ) -> Result<Option<IngestOutcome>, ServiceError>
    where
        C: ConnectionTrait,
    {
        let Some(row) = store::ratings::awaiting_comment(c, client.id, now).await? else {
            return Ok(None);
        };
        let until = row.comment_until.unwrap_or(now);
        let Some(comment) = rating_comment(text, has_media, now, until) else {
            store::ratings::end_comment_window(c, client.id).await?;
            return Ok(None);
        };
        if !store::ratings::set_comment(c, row.id, &comment, now).await? {
            return Ok(None);
        }
        events.push(self.rating_event(c, row.ticket_id).await?);
        let ticket = ticket_view(c, row.ticket_id).await?;
        events.push(
            record_customer_notice(c, &self.texts, &ticket, Text::RatingCommentThanks, &[], now)
                .await?,
        );
        tracing::info!(ticket.id = %row.ticket_id, "rating comment stored");
        Ok(Some(IngestOutcome::Commented(row.ticket_id)))
    }

    /// The rating of a ticket the actor may see; None when the customer was never asked.
    pub async fn ticket_rating(
        &self,
        actor: &Actor,
        id: TicketId,
    ) -> Result<Option<RatingView>, ServiceError> {
        visible_ticket(&self.db, actor, id).await?;
        match store::ratings::for_ticket(&self.db, id).await? {
            Some(row) => Ok(Some(store::ratings::view(&self.db, row).await?)),
            None => Ok(None),
        }
    }

    /// The count and average of the answered ratings `query` selects. Supervisors and admins see
    /// any department's and agent's; an agent sees only their own ratings, in their departments.
    pub async fn rating_summary(
        &self,
        actor: &Actor,
        query: &RatingQuery,
    ) -> Result<RatingSummaryView, ServiceError> {
        let mut filter = store::ratings::RatingFilter {
            departments: None,
            agent: query.agent,
            from: query.from,
            to: query.to,
        };
        if actor.agent.role == Role::Agent {
            if query.agent.is_some_and(|a| a != actor.agent.id) {
                return Err(ServiceError::Forbidden(
                    "agents see only their own ratings".to_owned(),
                ));
            }
            filter.agent = Some(actor.agent.id);
        }
        if let Some(department) = query.department {
            if !actor.scope.allows(department) {
                return Err(ServiceError::Forbidden(
                    "that department is not one of yours".to_owned(),
                ));
            }
            filter.departments = Some(vec![department]);
        } else if let Scope::Departments(mine) = &actor.scope {
            filter.departments = Some(mine.clone());
        }
        let by_stars = store::ratings::star_counts(&self.db, &filter).await?;
        Ok(summary(by_stars))
    }

    /// The `rating.updated` event of `ticket`'s rating as it now is.
    async fn rating_event<C>(&self, c: &C, ticket: TicketId) -> Result<NewEvent, ServiceError>
    where
        C: ConnectionTrait,
    {
        let row = store::ratings::for_ticket(c, ticket)
            .await?
            .ok_or_else(|| ServiceError::bug(format!("the rating of ticket {ticket} vanished")))?;
        let department = row.department_id;
        let rating = store::ratings::view(c, row).await?;
        Ok(record_event(
            department,
            ticket,
            Event::RatingUpdated { rating },
        )?)
    }
}

/// The figures from the count of each number of stars.
fn summary(by_stars: [u64; 5]) -> RatingSummaryView {
    let count: u64 = by_stars.iter().sum();
    let total: u64 = by_stars
        .iter()
        .zip(1u64..)
        .map(|(n, stars)| n * stars)
        .sum();
    #[allow(clippy::cast_precision_loss)]
    let average = (count > 0).then(|| total as f64 / count as f64);
    RatingSummaryView {
        count,
        average,
        by_stars,
    }
}

/// The star buttons of `ticket`'s question asked with `token`, as Bot API `reply_markup` JSON.
fn star_keyboard(ticket: TicketId, token: &str) -> String {
    let row: Vec<_> = Stars::ALL
        .iter()
        .map(|stars| {
            json!({
                "text": format!("{} ★", stars.get()),
                "callback_data": RatePress::data(ticket, token, *stars),
            })
        })
        .collect();
    json!({ "inline_keyboard": [row] }).to_string()
}

/// A new random token for one asking (`TOKEN_CHARS` hex digits).
fn new_token() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; crate::domain::TOKEN_CHARS / 2];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn client_language<C>(c: &C, ticket: &TicketView) -> Result<Option<String>, ServiceError>
where
    C: ConnectionTrait,
{
    Ok(store::clients::find(c, ticket.client.id)
        .await?
        .and_then(|client| client.language))
}

async fn ticket_view<C>(c: &C, id: TicketId) -> Result<TicketView, ServiceError>
where
    C: ConnectionTrait,
{
    let ticket = store::tickets::find(c, id)
        .await?
        .ok_or_else(|| ServiceError::bug(format!("ticket {id} vanished")))?;
    Ok(store::tickets::view(c, ticket).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_averages_the_stars() {
        let s = summary([1, 0, 0, 0, 1]);
        assert_eq!(s.count, 2);
        assert_eq!(s.average, Some(3.0));
        assert_eq!(summary([0; 5]).average, None);
    }

    #[test]
    fn the_keyboard_has_five_buttons_bound_to_the_ticket() {
        let keyboard: serde_json::Value =
            serde_json::from_str(&star_keyboard(TicketId(9), "00ff00ff")).unwrap();
        let row = keyboard["inline_keyboard"][0].as_array().unwrap();
        assert_eq!(row.len(), 5);
        assert_eq!(row[4]["callback_data"], "rate:9:00ff00ff:5");
    }
}
