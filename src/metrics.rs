//! Counters for `/metrics`: Telegram Bot API calls and their failures by method, in atomics (one
//! set per running application; nothing allocated per call).

use std::sync::atomic::{AtomicU64, Ordering};

/// The Bot API methods Switchboard calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TelegramMethod {
    GetUpdates,
    SendMessage,
    SendPhoto,
    SendDocument,
    SendChatAction,
    AnswerCallbackQuery,
    EditMessageText,
    SetMyCommands,
    GetFile,
    SetWebhook,
    DeleteWebhook,
}

impl TelegramMethod {
    /// Every method, in the order `/metrics` lists them.
    pub const ALL: [Self; 11] = [
        Self::GetUpdates,
        Self::SendMessage,
        Self::SendPhoto,
        Self::SendDocument,
        Self::SendChatAction,
        Self::AnswerCallbackQuery,
        Self::EditMessageText,
        Self::SetMyCommands,
        Self::GetFile,
        Self::SetWebhook,
        Self::DeleteWebhook,
    ];

    /// The method's name as the Bot API documents it (`sendMessage`).
    pub fn name(self) -> &'static str {
        match self {
            Self::GetUpdates => "getUpdates",
            Self::SendMessage => "sendMessage",
            Self::SendPhoto => "sendPhoto",
            Self::SendDocument => "sendDocument",
            Self::SendChatAction => "sendChatAction",
            Self::AnswerCallbackQuery => "answerCallbackQuery",
            Self::EditMessageText => "editMessageText",
            Self::SetMyCommands => "setMyCommands",
            Self::GetFile => "getFile",
            Self::SetWebhook => "setWebhook",
            Self::DeleteWebhook => "deleteWebhook",
        }
    }

    /// The method named `name`, in any case (`GetUpdates`, `getUpdates`).
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|method| method.name().eq_ignore_ascii_case(name))
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// How many calls of each Bot API method were made, and how many of them failed (refused by
/// Telegram, unreachable, or timed out).
#[derive(Debug, Default)]
pub struct TelegramCalls {
    calls: [AtomicU64; TelegramMethod::ALL.len()],
    errors: [AtomicU64; TelegramMethod::ALL.len()],
}

impl TelegramCalls {
    /// Counts one call of `method`, failed unless `ok`.
    pub fn record(&self, method: TelegramMethod, ok: bool) {
        self.calls[method.index()].fetch_add(1, Ordering::Relaxed);
        if !ok {
            self.errors[method.index()].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts one call of `method` by its result.
    pub fn result<T, E>(&self, method: TelegramMethod, result: &Result<T, E>) {
        self.record(method, result.is_ok());
    }

    /// The calls and failures of `method` so far.
    pub fn count(&self, method: TelegramMethod) -> (u64, u64) {
        (
            self.calls[method.index()].load(Ordering::Relaxed),
            self.errors[method.index()].load(Ordering::Relaxed),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_and_failures_are_counted_per_method() {
        let calls = TelegramCalls::default();
        calls.record(TelegramMethod::SendMessage, true);
        calls.result(TelegramMethod::SendMessage, &Err::<(), _>("refused"));
        calls.record(TelegramMethod::GetFile, true);
        assert_eq!(calls.count(TelegramMethod::SendMessage), (2, 1));
        assert_eq!(calls.count(TelegramMethod::GetFile), (1, 0));
        assert_eq!(calls.count(TelegramMethod::GetUpdates), (0, 0));
        for method in TelegramMethod::ALL {
            assert_eq!(TelegramMethod::named(method.name()), Some(method));
        }
        assert_eq!(
            TelegramMethod::named("GetUpdates"),
            Some(TelegramMethod::GetUpdates)
        );
    }
}
