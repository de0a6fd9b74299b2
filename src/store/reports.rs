//! Report figures: tickets created and closed, first-response and resolution times, grouped in
//! SQL by local day, department and agent (the ticket's owner, or its last owner once closed).
//! Each day is a range of `created_at` (or `closed_at`) between two bound instants, so the
//! indexes on those columns (m0019) answer it, and a day is exact whatever the offset. Durations
//! come back as sums of seconds with their counts, so that the caller can add groups up and take
//! means.
//!
//! Ratings (`rated`) are grouped the same way from the `ratings` table: by the local day they were
//! given, the department and the agent the rating was asked for (the owner at close).

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, QueryResult, Statement, Value};

use crate::domain::{AgentId, DepartmentId};

/// What a report is filtered on, besides its days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportFilter {
    pub department: Option<DepartmentId>,
    pub agent: Option<AgentId>,
}

/// The figures of tickets created on one day in one department with one agent (None: never
/// accepted).
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedRow {
    /// The day's index in the range (0 for the first).
    pub day: usize,
    pub department_id: DepartmentId,
    pub agent_id: Option<AgentId>,
    pub created: i64,
    /// How many of them had an agent's reply.
    pub responded: i64,
    /// The seconds from creation to the first agent reply, summed over those.
    pub response_seconds: f64,
}

/// The figures of tickets closed on one day in one department with one agent.
#[derive(Debug, Clone, PartialEq)]
pub struct ClosedRow {
    pub day: usize,
    pub department_id: DepartmentId,
    pub agent_id: Option<AgentId>,
    pub closed: i64,
    /// The seconds from creation to close, summed.
    pub resolution_seconds: f64,
}

/// Tickets created in each day `[bounds[i], bounds[i + 1])`, grouped by day, department and agent.
pub async fn created<C>(
    c: &C,
    bounds: &[DateTime<Utc>],
    filter: ReportFilter,
) -> Result<Vec<CreatedRow>, DbErr>
where
    C: ConnectionTrait,
{
    let backend = c.get_database_backend();
    let mut sql = Sql::new(backend);
    let days = sql.days(bounds);
    let filters = sql.filters(filter);
    let seconds = seconds_between(backend, "g.first_at", "g.created_at");
    let text = format!(
        "WITH days(day, lo, hi) AS (VALUES {days}) \
         SELECT g.day AS day, g.department_id AS department_id, g.agent_id AS agent_id, \
                COUNT(*) AS created, COUNT(g.first_at) AS responded, \
                SUM({seconds}) AS response_seconds \
         FROM (SELECT CAST(d.day AS BIGINT) AS day, t.department_id AS department_id, \
                      COALESCE(t.owner_id, t.last_owner_id) AS agent_id, t.created_at AS created_at, \
                      (SELECT MIN(m.created_at) FROM messages m \
                        WHERE m.ticket_id = t.id AND m.direction = 'out' \
                          AND m.author_kind = 'agent') AS first_at \
               FROM days d JOIN tickets t ON t.created_at >= d.lo AND t.created_at < d.hi \
               WHERE 1 = 1 {filters}) g \
         GROUP BY g.day, g.department_id, g.agent_id"
    );
    let rows = c.query_all_raw(sql.statement(&text)).await?;
    rows.iter()
        .map(|row| {
            Ok(CreatedRow {
                day: day_index(row)?,
                department_id: DepartmentId(row.try_get("", "department_id")?),
                agent_id: row.try_get::<Option<i64>>("", "agent_id")?.map(AgentId),
                created: row.try_get("", "created")?,
                responded: row.try_get("", "responded")?,
                response_seconds: row
                    .try_get::<Option<f64>>("", "response_seconds")?
                    .unwrap_or(0.0),
            })
        })
        .collect()
}

/// Tickets closed in each day `[bounds[i], bounds[i + 1])`, grouped by day, department and agent.
pub async fn closed<C>(
    c: &C,
    bounds: &[DateTime<Utc>],
    filter: ReportFilter,
) -> Result<Vec<ClosedRow>, DbErr>
where
    C: ConnectionTrait,
{
    let backend = c.get_database_backend();
    let mut sql = Sql::new(backend);
    let days = sql.days(bounds);
    let filters = sql.filters(filter);
    let seconds = seconds_between(backend, "t.closed_at", "t.created_at");
    let text = format!(
        "WITH days(day, lo, hi) AS (VALUES {days}) \
         SELECT CAST(d.day AS BIGINT) AS day, t.department_id AS department_id, \
                COALESCE(t.owner_id, t.last_owner_id) AS agent_id, \
                COUNT(*) AS closed, SUM({seconds}) AS resolution_seconds \
         FROM days d JOIN tickets t ON t.closed_at >= d.lo AND t.closed_at < d.hi \
         WHERE 1 = 1 {filters} \
         GROUP BY 1, 2, 3"
    );
    let rows = c.query_all_raw(sql.statement(&text)).await?;
    rows.iter()
        .map(|row| {
            Ok(ClosedRow {
                day: day_index(row)?,
                department_id: DepartmentId(row.try_get("", "department_id")?),
                agent_id: row.try_get::<Option<i64>>("", "agent_id")?.map(AgentId),
                closed: row.try_get("", "closed")?,
                resolution_seconds: row
                    .try_get::<Option<f64>>("", "resolution_seconds")?
                    .unwrap_or(0.0),
            })
        })
        .collect()
}

/// The answered ratings given on one day in one department for one agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatedRow {
    pub day: usize,
    pub department_id: DepartmentId,
    pub agent_id: Option<AgentId>,
    pub ratings: i64,
    /// Their stars, summed.
    pub stars: i64,
}

/// Ratings given in each day `[bounds[i], bounds[i + 1])`, grouped by day, department and agent.
pub async fn rated<C>(
    c: &C,
    bounds: &[DateTime<Utc>],
    filter: ReportFilter,
) -> Result<Vec<RatedRow>, DbErr>
where
    C: ConnectionTrait,
{
    let backend = c.get_database_backend();
    let mut sql = Sql::new(backend);
    let days = sql.days(bounds);
    let filters = sql.filters_on(filter, "r.department_id", "r.agent_id");
    let text = format!(
        "WITH days(day, lo, hi) AS (VALUES {days}) \
         SELECT CAST(d.day AS BIGINT) AS day, r.department_id AS department_id, \
                r.agent_id AS agent_id, COUNT(*) AS ratings, \
                CAST(SUM(r.stars) AS BIGINT) AS stars \
         FROM days d JOIN ratings r ON r.rated_at >= d.lo AND r.rated_at < d.hi \
         WHERE r.stars IS NOT NULL {filters} \
         GROUP BY 1, 2, 3"
    );
    let rows = c.query_all_raw(sql.statement(&text)).await?;
    rows.iter()
        .map(|row| {
            Ok(RatedRow {
                day: day_index(row)?,
                department_id: DepartmentId(row.try_get("", "department_id")?),
                agent_id: row.try_get::<Option<i64>>("", "agent_id")?.map(AgentId),
                ratings: row.try_get("", "ratings")?,
                stars: row.try_get::<Option<i64>>("", "stars")?.unwrap_or(0),
            })
        })
        .collect()
}

fn day_index(row: &QueryResult) -> Result<usize, DbErr> {
    let day: i64 = row.try_get("", "day")?;
    usize::try_from(day).map_err(|_| DbErr::Custom(format!("a report day index {day}")))
}

/// The seconds from `start` to `end` (two timestamp expressions) as a float.
fn seconds_between(backend: DatabaseBackend, end: &str, start: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => {
            format!("CAST(EXTRACT(EPOCH FROM ({end} - {start})) AS DOUBLE PRECISION)")
        }
        _ => format!("((julianday({end}) - julianday({start})) * 86400.0)"),
    }
}

/// A statement being written: its bound values and the backend's placeholders.
struct Sql {
    backend: DatabaseBackend,
    values: Vec<Value>,
}

impl Sql {
    fn new(backend: DatabaseBackend) -> Self {
        Self {
            backend,
            values: Vec::new(),
        }
    }

    /// Binds `value`; returns its placeholder.
    fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DatabaseBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }

    /// The rows `(index, start, end)` of the days between consecutive `bounds`.
    fn days(&mut self, bounds: &[DateTime<Utc>]) -> String {
        bounds
            .windows(2)
            .enumerate()
            .map(|(index, pair)| {
                let lo = self.bind(pair[0]);
                let hi = self.bind(pair[1]);
                format!("({index}, {lo}, {hi})")
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `AND …` conditions on the tickets `t` for `filter`.
    fn filters(&mut self, filter: ReportFilter) -> String {
        self.filters_on(
            filter,
            "t.department_id",
            "COALESCE(t.owner_id, t.last_owner_id)",
        )
    }

    /// `AND …` conditions for `filter` on the expressions that hold the department and the agent.
    fn filters_on(&mut self, filter: ReportFilter, department_at: &str, agent_at: &str) -> String {
        let mut text = String::new();
        if let Some(department) = filter.department {
            let p = self.bind(department.0);
            text.push_str(&format!(" AND {department_at} = {p}"));
        }
        if let Some(agent) = filter.agent {
            let p = self.bind(agent.0);
            text.push_str(&format!(" AND {agent_at} = {p}"));
        }
        text
    }

    fn statement(self, text: &str) -> Statement {
        Statement::from_sql_and_values(self.backend, text, self.values)
    }
}
