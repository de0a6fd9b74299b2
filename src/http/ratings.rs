//! Ratings: one ticket's (`GET /api/tickets/{id}/rating`) and the figures
//! (`GET /api/ratings/summary`).

use axum::{
    Json, Router,
    extract::{Query, State},
    routing::get,
};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::Deserialize;

use super::{
    ApiError, AppState,
    extract::{CurrentActor, PathId},
    paging::number_param,
};
use crate::{
    domain::{AgentId, DepartmentId, TicketId},
    service::RatingQuery,
    views::{RatingSummaryView, RatingView},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/tickets/{id}/rating", get(one))
        .route("/api/ratings/summary", get(summary))
}

/// The ticket's rating; `null` when the customer was never asked.
async fn one(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    PathId(id): PathId<TicketId>,
) -> Result<Json<Option<RatingView>>, ApiError> {
    Ok(Json(state.service.ticket_rating(&actor, id).await?))
}

#[derive(Deserialize)]
struct SummaryQuery {
    department: Option<String>,
    agent: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// Count, average and spread of the answered ratings, by department, agent and the time they
/// were given (`from` inclusive, `to` exclusive; a date `to` counts that whole day).
async fn summary(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<SummaryQuery>,
) -> Result<Json<RatingSummaryView>, ApiError> {
    let query = RatingQuery {
        department: number_param("department", query.department.as_deref())?.map(DepartmentId),
        agent: number_param("agent", query.agent.as_deref())?.map(AgentId),
        from: instant("from", query.from.as_deref(), false)?,
        to: instant("to", query.to.as_deref(), true)?,
    };
    if let (Some(from), Some(to)) = (query.from, query.to)
        && from >= to
    {
        return Err(ApiError::Invalid("from must be before to".to_owned()));
    }
    Ok(Json(state.service.rating_summary(&actor, &query).await?))
}

/// A time parameter: RFC 3339, or a date (its midnight UTC; with `end_of_day`, the next one).
fn instant(
    name: &str,
    value: Option<&str>,
    end_of_day: bool,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Ok(Some(at.with_timezone(&Utc)));
    }
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        ApiError::Invalid(format!(
            "{name} must be a date (2026-12-01) or an RFC 3339 time, not {value:?}"
        ))
    })?;
    let midnight = date.and_time(chrono::NaiveTime::MIN).and_utc();
    Ok(Some(if end_of_day {
        midnight + TimeDelta::days(1)
    } else {
        midnight
    }))
}
