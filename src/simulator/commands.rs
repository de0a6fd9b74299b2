//! The fake Bot API's command menus (setMyCommands, getMyCommands, with Telegram's checks) and
//! the `my_chat_member` updates of a customer blocking or unblocking the bot.

use axum::response::Response;
use serde_json::{Value, json};

use super::{
    bot_api::{fail, ok},
    state::{BOT_ID, Customer, Inner},
};

/// The most commands one menu may hold.
const MAX_COMMANDS: usize = 100;

/// setMyCommands: 1 to 100 commands, each named with 1 to 32 of `a-z 0-9 _` and described in 1 to
/// 256 characters, stored per `language_code` ("" for the default menu).
pub(super) fn set_my_commands(inner: &Inner, params: &Value) -> Response {
    let commands = match params.get("commands") {
        Some(Value::String(text)) => serde_json::from_str(text).unwrap_or(Value::Null),
        Some(other) => other.clone(),
        None => Value::Null,
    };
    let Some(list) = commands.as_array() else {
        return fail(400, "Bad Request: parameter \"commands\" is required");
    };
    if list.len() > MAX_COMMANDS {
        return fail(400, "Bad Request: too many commands");
    }
    for command in list {
        let name = command["command"].as_str().unwrap_or("");
        let valid_name = (1..=32).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid_name {
            return fail(400, "Bad Request: BOT_COMMAND_INVALID");
        }
        let description = command["description"].as_str().unwrap_or("");
        if !(1..=256).contains(&description.chars().count()) {
            return fail(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID");
        }
    }
    let language = params
        .get("language_code")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    inner.state().commands.insert(language, commands);
    inner.commands_changed.send_modify(|n| *n += 1);
    ok(json!(true))
}

/// getMyCommands: the menu of `language_code`, else the default one, else none.
pub(super) fn get_my_commands(inner: &Inner, params: &Value) -> Response {
    let language = params
        .get("language_code")
        .and_then(Value::as_str)
        .unwrap_or("");
    let state = inner.state();
    let menu = state
        .commands
        .get(language)
        .or_else(|| state.commands.get(""))
        .cloned()
        .unwrap_or_else(|| json!([]));
    ok(menu)
}

/// A `my_chat_member` update of `customer`'s private chat: the bot's status went from `old` to
/// `new` (`kicked` when they block it, `member` when they unblock it). Without `update_id`.
pub(super) fn membership_update(customer: &Customer, old: &str, new: &str) -> Value {
    let bot = json!({"id": BOT_ID, "is_bot": true, "first_name": "Switchboard", "username": "switchboard_demo_bot"});
    let member = |status: &str| {
        let mut member = json!({"user": bot, "status": status});
        if status == "kicked" {
            member["until_date"] = json!(0);
        }
        member
    };
    json!({"my_chat_member": {
        "chat": {"id": customer.id, "type": "private", "first_name": customer.first_name},
        "from": customer.user_json(),
        "date": chrono::Utc::now().timestamp(),
        "old_chat_member": member(old),
        "new_chat_member": member(new),
    }})
}
