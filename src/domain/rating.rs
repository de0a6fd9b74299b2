//! Ratings: the 1–5 stars a customer gives a closed ticket, the callback data of the star buttons
//! (bound to the ticket and to the asking, so an old or foreign keyboard changes nothing), and the
//! rule for which message after a rating is its comment.

use chrono::{DateTime, TimeDelta, Utc};

use super::{TelegramUserId, TicketId};

/// How long after pressing a star the customer's next message is taken as the rating's comment.
pub const COMMENT_WINDOW: TimeDelta = TimeDelta::minutes(10);
/// The longest comment kept; a longer message is a new request, not a comment.
pub const MAX_RATING_COMMENT_CHARS: usize = 1000;
/// The length of the random token that binds a keyboard to one asking.
pub const TOKEN_CHARS: usize = 8;

/// A number of stars from 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Stars(u8);

impl Stars {
    /// Every rating, lowest first.
    pub const ALL: [Self; 5] = [Self(1), Self(2), Self(3), Self(4), Self(5)];

    /// The stars `n` stands for; None outside 1..=5.
    pub fn new(n: i64) -> Option<Self> {
        u8::try_from(n)
            .ok()
            .filter(|n| (1..=5).contains(n))
            .map(Self)
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// "★★★☆☆" for 3.
    pub fn symbols(self) -> String {
        let full = usize::from(self.0);
        format!("{}{}", "★".repeat(full), "☆".repeat(5 - full))
    }
}

/// A customer pressed a star button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatePress {
    /// Who pressed it.
    pub customer: TelegramUserId,
    pub ticket: TicketId,
    /// The token of the asking the keyboard belongs to.
    pub token: String,
    pub stars: Stars,
}

impl RatePress {
    /// The press a button's callback data stands for (`rate:<ticket>:<token>:<stars>`); None
    /// for anything else.
    pub fn parse(customer: TelegramUserId, data: &str) -> Option<Self> {
        let mut parts = data.strip_prefix("rate:")?.split(':');
        let ticket = parts.next()?.parse().ok()?;
        let token = parts.next()?;
        if token.len() != TOKEN_CHARS || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let stars = Stars::new(parts.next()?.parse().ok()?)?;
        parts.next().is_none().then(|| Self {
            customer,
            ticket,
            token: token.to_owned(),
            stars,
        })
    }

    /// The callback data of the button giving `stars` to `ticket` asked with `token` (at most
    /// 38 bytes: Telegram allows 64).
    pub fn data(ticket: TicketId, token: &str, stars: Stars) -> String {
        format!("rate:{ticket}:{token}:{}", stars.get())
    }
}

/// Whether a customer message is taken as the comment of their rating: plain text (no file, not a
/// command), from 1 to `MAX_RATING_COMMENT_CHARS` characters, sent before the window closed.
/// Returns the comment, trimmed. Anything else is a new request and opens a ticket as usual.
pub fn rating_comment(
    text: &str,
    has_media: bool,
    sent_at: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Option<String> {
    let text = text.trim();
    let plain = !has_media && !text.is_empty() && !text.starts_with('/');
    let fits = text.chars().count() <= MAX_RATING_COMMENT_CHARS;
    (plain && fits && sent_at < until).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_buttons_name_the_ticket_the_asking_and_the_stars() {
        let who = TelegramUserId(5);
        let data = RatePress::data(TicketId(12), "0a1b2c3d", Stars::ALL[3]);
        assert_eq!(data, "rate:12:0a1b2c3d:4");
        let press = RatePress::parse(who, &data).expect("it parses");
        assert_eq!(press.ticket, TicketId(12));
        assert_eq!(press.token, "0a1b2c3d");
        assert_eq!(press.stars.get(), 4);
        let longest = RatePress::data(TicketId(i64::MIN), "ffffffff", Stars::ALL[4]);
        assert!(longest.len() <= 64, "{longest}");
        for bad in [
            "",
            "rate:",
            "rate:12:0a1b2c3d",
            "rate:12:0a1b2c3d:0",
            "rate:12:0a1b2c3d:6",
            "rate:12:0a1b2c3:4",
            "rate:12:0a1b2c3g:4",
            "rate:x:0a1b2c3d:4",
            "rate:12:0a1b2c3d:4:1",
            "route:12:1:3",
        ] {
            assert_eq!(RatePress::parse(who, bad), None, "{bad:?}");
        }
    }

    #[test]
    fn only_plain_short_text_within_the_window_is_a_comment() {
        let now = Utc::now();
        let until = now + COMMENT_WINDOW;
        assert_eq!(
            rating_comment("  Quick and kind ", false, now, until).as_deref(),
            Some("Quick and kind")
        );
        assert_eq!(rating_comment("photo caption", true, now, until), None);
        assert_eq!(rating_comment("/new", false, now, until), None);
        assert_eq!(rating_comment("   ", false, now, until), None);
        assert_eq!(rating_comment("late", false, until, until), None);
        let long = "x".repeat(MAX_RATING_COMMENT_CHARS + 1);
        assert_eq!(rating_comment(&long, false, now, until), None);
        let longest = "x".repeat(MAX_RATING_COMMENT_CHARS);
        assert!(rating_comment(&longest, false, now, until).is_some());
    }

    #[test]
    fn stars_are_one_to_five() {
        assert_eq!(Stars::new(0), None);
        assert_eq!(Stars::new(6), None);
        assert_eq!(Stars::new(3).map(Stars::symbols).as_deref(), Some("★★★☆☆"));
    }
}
