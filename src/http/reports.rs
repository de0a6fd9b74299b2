//! `GET /api/reports`: tickets created and closed, first-response and resolution times and
//! ratings per day, department and agent over a date range, as JSON or (`format=csv`) as CSV.

use std::fmt::Write as _;

use axum::{
    Json, Router,
    extract::{Query, State},
    http::header,
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;

use super::{ApiError, AppState, extract::CurrentActor, paging::number_param};
use crate::{
    domain::{
        AgentId, DepartmentId,
        report::{ReportRange, csv_cell},
    },
    service::{Figures, Report},
    store::reports::ReportFilter,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/reports", get(report))
}

#[derive(Deserialize)]
struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
    department: Option<String>,
    agent: Option<String>,
    tz: Option<String>,
    format: Option<String>,
}

async fn report(
    State(state): State<AppState>,
    CurrentActor(actor): CurrentActor,
    Query(query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let required = |name: &str, value: &Option<String>| {
        value
            .clone()
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| ApiError::Invalid(format!("{name} is required (YYYY-MM-DD)")))
    };
    let csv = match query.format.as_deref() {
        None | Some("" | "json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::Invalid(format!(
                "format must be json or csv, not {other:?}"
            )));
        }
    };
    let range = ReportRange::parse(
        &required("from", &query.from)?,
        &required("to", &query.to)?,
        query.tz.as_deref().filter(|tz| !tz.is_empty()),
    )
    .map_err(ApiError::Invalid)?;
    let filter = ReportFilter {
        department: number_param("department", query.department.as_deref())?.map(DepartmentId),
        agent: number_param("agent", query.agent.as_deref())?.map(AgentId),
    };
    let report = state.service.report(&actor, &range, filter).await?;
    if !csv {
        return Ok(Json(report).into_response());
    }
    let filename = format!(
        "attachment; filename=\"switchboard-report-{}-{}.csv\"",
        report.from, report.to
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, filename),
        ],
        to_csv(&report),
    )
        .into_response())
}

/// The CSV header line.
pub const CSV_HEADER: &str = "section,date,department_id,department,agent_id,agent,created,closed,responded,first_response_mean_seconds,resolution_mean_seconds,ratings,rating_mean";

/// The report as CSV: one line for the total, then each day, department and agent (`section`
/// says which). Names are quoted as needed and guarded against spreadsheet formulas.
fn to_csv(report: &Report) -> String {
    let mut out = String::with_capacity(128 * (4 + report.days.len() + report.agents.len()));
    out.push_str(CSV_HEADER);
    out.push_str("\r\n");
    line(&mut out, "total", "", None, "", None, "", &report.total);
    for day in &report.days {
        line(&mut out, "day", &day.date, None, "", None, "", &day.figures);
    }
    for department in &report.departments {
        line(
            &mut out,
            "department",
            "",
            Some(department.id.0),
            &department.name,
            None,
            "",
            &department.figures,
        );
    }
    for agent in &report.agents {
        line(
            &mut out,
            "agent",
            "",
            None,
            "",
            agent.id.map(|id| id.0),
            agent.name.as_deref().unwrap_or("(unassigned)"),
            &agent.figures,
        );
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn line(
    out: &mut String,
    section: &str,
    date: &str,
    department_id: Option<i64>,
    department: &str,
    agent_id: Option<i64>,
    agent: &str,
    figures: &Figures,
) {
    let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let _ = write!(
        out,
        "{section},{date},{},{},{},{},{},{},{},{},{},{},{}\r\n",
        number(department_id),
        csv_cell(department),
        number(agent_id),
        csv_cell(agent),
        figures.created,
        figures.closed,
        figures.responded,
        number(figures.first_response_seconds),
        number(figures.resolution_seconds),
        figures.ratings,
        figures
            .rating_average
            .map(|mean| format!("{mean:.2}"))
            .unwrap_or_default(),
    );
}
