//! The frames a console may send, and the check every one of them passes before the server acts
//! on it: a bad frame is refused with an `error` code and a message naming what is wrong.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Every frame a console may send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", deny_unknown_fields)]
pub enum ClientFrame {
    /// Asks for a pong (keeps proxies from closing an idle socket, and tells the console that
    /// the connection still works). `id`, when given, comes back in the pong.
    #[serde(rename = "ping")]
    Ping {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<u32>,
    },
}

/// Why a console's frame was refused: the `error` frame's code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameRefusal {
    /// `bad_json`, `bad_frame`, `unknown_type` or `binary_frame` (docs/api.md).
    pub code: &'static str,
    pub message: String,
}

impl FrameRefusal {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// The refusal of a binary frame: the protocol is JSON text only.
    pub fn binary() -> Self {
        Self::new(
            "binary_frame",
            "binary frames are not part of the protocol; send JSON text frames",
        )
    }
}

/// The longest frame type quoted back in a refusal.
const QUOTED_TYPE: usize = 40;

impl ClientFrame {
    /// The `type`s a console may send.
    pub const TYPES: &'static [&'static str] = &["ping"];

    /// Reads a console's text frame: JSON, an object, a known `type`, exactly that type's fields
    /// with values of the right type and range.
    pub fn parse(text: &str) -> Result<Self, FrameRefusal> {
        let value: Value = serde_json::from_str(text).map_err(|error| {
            FrameRefusal::new("bad_json", format!("the frame is not JSON ({error})"))
        })?;
        let Some(object) = value.as_object() else {
            return Err(FrameRefusal::new(
                "bad_frame",
                format!(
                    "a frame is a JSON object with a \"type\", not {}",
                    json_kind(&value)
                ),
            ));
        };
        let kind = match object.get("type") {
            Some(Value::String(kind)) => kind.clone(),
            Some(other) => {
                return Err(FrameRefusal::new(
                    "bad_frame",
                    format!("field `type` must be a string, not {}", json_kind(other)),
                ));
            }
            None => return Err(FrameRefusal::new("bad_frame", "missing field `type`")),
        };
        if !Self::TYPES.contains(&kind.as_str()) {
            let quoted: String = kind.chars().take(QUOTED_TYPE).collect();
            return Err(FrameRefusal::new(
                "unknown_type",
                format!(
                    "unknown frame type {quoted:?}; a console may send: {}",
                    Self::TYPES.join(", ")
                ),
            ));
        }
        serde_json::from_value(value)
            .map_err(|error| FrameRefusal::new("bad_frame", format!("{kind}: {error}")))
    }

    /// The frame as JSON text.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).expect("a client frame always serializes")
    }
}

/// What kind of JSON value `value` is, for messages.
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(text: &str) -> (&'static str, String) {
        let refused = ClientFrame::parse(text).unwrap_err();
        (refused.code, refused.message)
    }

    #[test]
    fn a_ping_reads_with_or_without_its_id_and_writes_back_the_same() {
        assert_eq!(
            ClientFrame::parse(r#"{"type":"ping"}"#),
            Ok(ClientFrame::Ping { id: None })
        );
        let ping = ClientFrame::parse(r#"{"type":"ping","id":7}"#).unwrap();
        assert_eq!(ping, ClientFrame::Ping { id: Some(7) });
        assert_eq!(ping.to_text(), r#"{"type":"ping","id":7}"#);
        assert_eq!(
            ClientFrame::Ping { id: None }.to_text(),
            r#"{"type":"ping"}"#
        );
    }

    #[test]
    fn every_kind_of_bad_frame_is_refused_with_a_message_naming_the_problem() {
        let cases: &[(&str, &str, &str)] = &[
            ("this is not json", "bad_json", "not JSON"),
            ("[1,2]", "bad_frame", "not an array"),
            (r#"{"id":1}"#, "bad_frame", "missing field `type`"),
            (
                r#"{"type":5}"#,
                "bad_frame",
                "`type` must be a string, not a number",
            ),
            (
                r#"{"type":"accept","ticket":1}"#,
                "unknown_type",
                "\"accept\"; a console may send: ping",
            ),
            (
                r#"{"type":"ping","extra":true}"#,
                "bad_frame",
                "ping: unknown field `extra`",
            ),
            (
                r#"{"type":"ping","id":"seven"}"#,
                "bad_frame",
                "ping: invalid type: string \"seven\"",
            ),
            (
                r#"{"type":"ping","id":-1}"#,
                "bad_frame",
                "ping: invalid value: integer `-1`",
            ),
            (
                r#"{"type":"ping","id":4294967296}"#,
                "bad_frame",
                "ping: invalid value: integer `4294967296`",
            ),
        ];
        for (text, code, names) in cases {
            let (got_code, message) = refusal(text);
            assert_eq!(got_code, *code, "{text}: {message}");
            assert!(
                message.contains(names),
                "{text}: {message:?} should say {names:?}"
            );
        }
    }

    #[test]
    fn a_long_unknown_type_is_quoted_short() {
        let (code, message) = refusal(&format!(r#"{{"type":"{}"}}"#, "x".repeat(5000)));
        assert_eq!(code, "unknown_type");
        assert!(message.len() < 200, "{message}");
    }
}
