//! `GET /metrics`: Prometheus text (version 0.0.4) for a scraper holding the bearer token of
//! `SWITCHBOARD_METRICS_TOKEN`; without that setting the route answers 404.

use std::fmt::Write as _;

use axum::{
    Router,
    extract::State,
    http::{HeaderMap, header},
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::Utc;

use super::{ApiError, AppState};
use crate::{domain::TicketStatus, metrics::TelegramMethod, store};

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

/// The content type of the Prometheus text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    authorize(
        state.metrics_token.as_deref(),
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
    )?;
    let service = &state.service;
    let gauges = store::gauges::read(service.db())
        .await
        .map_err(ApiError::internal)?;
    let names: std::collections::HashMap<_, _> = store::departments::by_ids(
        service.db(),
        gauges.oldest_pending.iter().map(|(id, _)| *id).collect(),
    )
    .await
    .map_err(ApiError::internal)?
    .into_iter()
    .map(|d| (d.id, d.name))
    .collect();
    let now = Utc::now();
    let mut out = String::with_capacity(4096);

    family(
        &mut out,
        "switchboard_tickets",
        "gauge",
        "Open tickets by state.",
    );
    for (status, state_name) in [
        (TicketStatus::Pending, "pending"),
        (TicketStatus::Accepted, "accepted"),
    ] {
        let n = gauges
            .open_tickets
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n);
        let _ = writeln!(out, "switchboard_tickets{{state=\"{state_name}\"}} {n}");
    }

    family(
        &mut out,
        "switchboard_queue_oldest_wait_seconds",
        "gauge",
        "How long the longest-waiting Pending ticket of each department has waited.",
    );
    for (id, since) in &gauges.oldest_pending {
        let name = names.get(id).map_or("", String::as_str);
        let _ = writeln!(
            out,
            "switchboard_queue_oldest_wait_seconds{{department_id=\"{id}\",department=\"{}\"}} {}",
            label(name),
            seconds(now - *since)
        );
    }

    family(
        &mut out,
        "switchboard_console_events_pushed_total",
        "counter",
        "Live frames pushed to the consoles connected to this instance.",
    );
    let _ = writeln!(
        out,
        "switchboard_console_events_pushed_total {}",
        service.hub().frames_pushed()
    );
    family(
        &mut out,
        "switchboard_consoles_connected",
        "gauge",
        "Consoles connected to this instance.",
    );
    let _ = writeln!(
        out,
        "switchboard_consoles_connected {}",
        service.hub().console_count()
    );

    family(
        &mut out,
        "switchboard_telegram_calls_total",
        "counter",
        "Telegram Bot API calls made by this instance, by method.",
    );
    let calls = service.telegram_calls();
    for method in TelegramMethod::ALL {
        let _ = writeln!(
            out,
            "switchboard_telegram_calls_total{{method=\"{}\"}} {}",
            method.name(),
            calls.count(method).0
        );
    }
    family(
        &mut out,
        "switchboard_telegram_errors_total",
        "counter",
        "Telegram Bot API calls that failed (refused, unreachable or timed out), by method.",
    );
    for method in TelegramMethod::ALL {
        let _ = writeln!(
            out,
            "switchboard_telegram_errors_total{{method=\"{}\"}} {}",
            method.name(),
            calls.count(method).1
        );
    }

    let (depth, oldest) = gauges.outbox;
    family(
        &mut out,
        "switchboard_outbox_depth",
        "gauge",
        "Outbound messages not yet delivered to Telegram.",
    );
    let _ = writeln!(out, "switchboard_outbox_depth {depth}");
    family(
        &mut out,
        "switchboard_outbox_oldest_age_seconds",
        "gauge",
        "Age of the oldest outbound message not yet delivered (0 when none waits).",
    );
    let _ = writeln!(
        out,
        "switchboard_outbox_oldest_age_seconds {}",
        oldest.map_or(0.0, |at| seconds(now - at))
    );

    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], out).into_response())
}

/// 404 when no token is configured (the route does not exist then), 401 unless `authorization`
/// is `Bearer <token>`; compared in constant time.
fn authorize(token: Option<&str>, authorization: Option<&str>) -> Result<(), ApiError> {
    let Some(token) = token else {
        return Err(ApiError::NotFound);
    };
    let given = authorization
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if constant_time_eq(given.as_bytes(), token.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized("a bearer token is required"))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value escaped as the text format requires (backslash, quote, line feed).
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[allow(clippy::cast_precision_loss)]
fn seconds(age: chrono::TimeDelta) -> f64 {
    age.num_milliseconds().max(0) as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::*;

    #[test]
    fn the_route_is_absent_without_a_token_and_refused_without_the_right_one() {
        let status = |token, header| match authorize(token, header) {
            Ok(()) => StatusCode::OK,
            Err(error) => error.into_response().status(),
        };
        assert_eq!(status(None, Some("Bearer x")), StatusCode::NOT_FOUND);
        assert_eq!(status(Some("s3cret"), None), StatusCode::UNAUTHORIZED);
        assert_eq!(
            status(Some("s3cret"), Some("Bearer s3cre")),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            status(Some("s3cret"), Some("Basic s3cret")),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            status(Some("s3cret"), Some("Bearer s3cret")),
            StatusCode::OK
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
