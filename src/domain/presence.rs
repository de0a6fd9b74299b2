//! Presence: whether an agent is there to take tickets.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// What other agents see of an agent: online while any of their consoles is connected to any
/// instance, away while connected but they said so, offline otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    Online,
    Away,
    Offline,
}

impl Presence {
    /// An agent's presence from whether a console of theirs is connected anywhere and whether
    /// they said they are away. An away agent with no console is offline; the flag stays for when
    /// they come back.
    pub fn of(connected: bool, away: bool) -> Self {
        match (connected, away) {
            (false, _) => Self::Offline,
            (true, true) => Self::Away,
            (true, false) => Self::Online,
        }
    }

    /// Reads what an agent may say of themselves: "online" or "away". Offline is not a choice:
    /// it is what closing every console makes you.
    pub fn choice(value: &str) -> Result<Self, String> {
        match value.parse() {
            Ok(Self::Offline) | Err(_) => Err(format!(
                "presence must be \"online\" or \"away\", not {value:?}"
            )),
            Ok(presence) => Ok(presence),
        }
    }

    /// Its name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Away => "away",
            Self::Offline => "offline",
        }
    }
}

impl fmt::Display for Presence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Presence {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "online" => Ok(Self::Online),
            "away" => Ok(Self::Away),
            "offline" => Ok(Self::Offline),
            _ => Err(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connected_agents_are_online_or_away_and_the_rest_offline() {
        assert_eq!(Presence::of(true, false), Presence::Online);
        assert_eq!(Presence::of(true, true), Presence::Away);
        assert_eq!(Presence::of(false, false), Presence::Offline);
        assert_eq!(Presence::of(false, true), Presence::Offline);
    }

    #[test]
    fn an_agent_may_choose_online_or_away_but_not_offline() {
        assert_eq!(Presence::choice("online"), Ok(Presence::Online));
        assert_eq!(Presence::choice("away"), Ok(Presence::Away));
        assert!(Presence::choice("offline").is_err());
        assert!(Presence::choice("Online").is_err());
        assert!(Presence::choice("").is_err());
    }

    #[test]
    fn presence_is_lowercase_on_the_wire() {
        for p in [Presence::Online, Presence::Away, Presence::Offline] {
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{p}\""));
        }
    }
}
