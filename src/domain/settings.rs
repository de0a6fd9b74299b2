//! An agent's alert settings: how the console alerts them. Stored on the server so that they
//! follow the agent to any browser; the rules (defaults and ranges) live here.

use serde::{Deserialize, Serialize};

/// The loudest volume, in percent.
pub const MAX_VOLUME: u8 = 100;
/// The shortest repeat interval, in seconds (0 turns repeating off).
pub const MIN_REPEAT_SECS: u32 = 1;
/// The longest repeat interval, in seconds: an hour.
pub const MAX_REPEAT_SECS: u32 = 3600;
/// How often the alert repeats while a ticket waits, unless the agent chose otherwise.
pub const DEFAULT_REPEAT_SECS: u32 = 30;
/// The volume an agent starts with, in percent.
pub const DEFAULT_VOLUME: u8 = 80;

/// How the console alerts one agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertSettings {
    /// No sound at all (the title and desktop notifications still tell).
    pub mute: bool,
    /// The alert's volume in percent, 0 to 100.
    pub volume: u8,
    /// While a Pending ticket in the agent's scope waits unaccepted, the alert repeats this
    /// often, in seconds; 0 means never.
    pub repeat_every_secs: u32,
    /// Whether a new customer message on a ticket the agent owns alerts too.
    pub alert_on_customer_message: bool,
    /// Whether a hidden console raises desktop notifications (the browser must allow them too).
    pub desktop_notifications: bool,
}

impl Default for AlertSettings {
    fn default() -> Self {
        Self {
            mute: false,
            volume: DEFAULT_VOLUME,
            repeat_every_secs: DEFAULT_REPEAT_SECS,
            alert_on_customer_message: false,
            desktop_notifications: false,
        }
    }
}

/// A change to some of the settings: what is absent stays as it is. Unknown fields are refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSettingsPatch {
    pub mute: Option<bool>,
    /// Wider than a volume so that 300 is "out of range", not "not a number".
    pub volume: Option<i64>,
    pub repeat_every_secs: Option<i64>,
    pub alert_on_customer_message: Option<bool>,
    pub desktop_notifications: Option<bool>,
}

/// A checked change: every value in range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlertSettingsChange {
    pub mute: Option<bool>,
    pub volume: Option<u8>,
    pub repeat_every_secs: Option<u32>,
    pub alert_on_customer_message: Option<bool>,
    pub desktop_notifications: Option<bool>,
}

impl AlertSettingsPatch {
    /// Checks every value; the refusal names the field and its range.
    pub fn check(self) -> Result<AlertSettingsChange, String> {
        let volume = self
            .volume
            .map(|v| {
                u8::try_from(v)
                    .ok()
                    .filter(|v| *v <= MAX_VOLUME)
                    .ok_or_else(|| format!("volume must be from 0 to {MAX_VOLUME}, not {v}"))
            })
            .transpose()?;
        let repeat_every_secs = self
            .repeat_every_secs
            .map(|s| {
                u32::try_from(s)
                    .ok()
                    .filter(|s| *s == 0 || (MIN_REPEAT_SECS..=MAX_REPEAT_SECS).contains(s))
                    .ok_or_else(|| {
                        format!(
                            "repeat_every_secs must be 0 (off) or from {MIN_REPEAT_SECS} to \
                             {MAX_REPEAT_SECS}, not {s}"
                        )
                    })
            })
            .transpose()?;
        Ok(AlertSettingsChange {
            mute: self.mute,
            volume,
            repeat_every_secs,
            alert_on_customer_message: self.alert_on_customer_message,
            desktop_notifications: self.desktop_notifications,
        })
    }
}

impl AlertSettingsChange {
    /// Whether it changes nothing at all.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// `settings` with this change applied.
    pub fn apply_to(self, settings: AlertSettings) -> AlertSettings {
        AlertSettings {
            mute: self.mute.unwrap_or(settings.mute),
            volume: self.volume.unwrap_or(settings.volume),
            repeat_every_secs: self.repeat_every_secs.unwrap_or(settings.repeat_every_secs),
            alert_on_customer_message: self
                .alert_on_customer_message
                .unwrap_or(settings.alert_on_customer_message),
            desktop_notifications: self
                .desktop_notifications
                .unwrap_or(settings.desktop_notifications),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(json: &str) -> Result<AlertSettingsPatch, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn the_defaults_repeat_every_30_seconds_with_sound_and_no_extras() {
        let d = AlertSettings::default();
        assert!(!d.mute && !d.alert_on_customer_message && !d.desktop_notifications);
        assert_eq!(d.repeat_every_secs, 30);
        assert_eq!(d.volume, DEFAULT_VOLUME);
    }

    #[test]
    fn a_change_keeps_what_it_does_not_name() {
        let change = patch(r#"{"volume": 40, "repeat_every_secs": 0}"#)
            .unwrap()
            .check()
            .unwrap();
        let after = change.apply_to(AlertSettings {
            mute: true,
            ..AlertSettings::default()
        });
        assert_eq!(
            after,
            AlertSettings {
                mute: true,
                volume: 40,
                repeat_every_secs: 0,
                ..AlertSettings::default()
            }
        );
    }

    #[test]
    fn values_out_of_range_are_refused_naming_the_field() {
        for (json, field) in [
            (r#"{"volume": 101}"#, "volume"),
            (r#"{"volume": -1}"#, "volume"),
            (r#"{"repeat_every_secs": 3601}"#, "repeat_every_secs"),
            (r#"{"repeat_every_secs": -5}"#, "repeat_every_secs"),
            (r#"{"repeat_every_secs": 99999999999}"#, "repeat_every_secs"),
        ] {
            let refusal = patch(json).unwrap().check().unwrap_err();
            assert!(refusal.starts_with(field), "{json}: {refusal}");
        }
        for ok in [
            r#"{"volume": 0}"#,
            r#"{"volume": 100}"#,
            r#"{"repeat_every_secs": 0}"#,
            r#"{"repeat_every_secs": 1}"#,
            r#"{"repeat_every_secs": 3600}"#,
        ] {
            assert!(patch(ok).unwrap().check().is_ok(), "{ok}");
        }
    }

    #[test]
    fn unknown_fields_and_wrong_types_do_not_parse() {
        assert!(patch(r#"{"volume": 10, "colour": "red"}"#).is_err());
        assert!(patch(r#"{"mute": "yes"}"#).is_err());
        assert!(patch(r#"{"volume": 1.5}"#).is_err());
        assert!(patch("{}").unwrap().check().unwrap().is_empty());
    }
}
