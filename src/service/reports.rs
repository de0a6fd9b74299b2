//! Reports for supervisors and admins: tickets created and closed, first-response and resolution
//! times (means), and the customers' ratings (count and mean stars), per local day and in total,
//! per department and per agent, over a date range.

use std::collections::{BTreeMap, HashMap};

use super::{Actor, Service, ServiceError};
use crate::{
    domain::{AgentId, DepartmentId, report::ReportRange},
    store::{
        self,
        reports::{ClosedRow, CreatedRow, RatedRow, ReportFilter},
    },
};

/// The figures of a group of tickets.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Figures {
    /// Tickets created in the range (or on the day).
    pub created: i64,
    /// Tickets closed in the range (or on the day).
    pub closed: i64,
    /// Of the tickets created, how many had an agent's reply.
    pub responded: i64,
    /// The mean seconds from creation to the first agent reply, over `responded` tickets
    /// (None when there are none), rounded to the second.
    pub first_response_seconds: Option<i64>,
    /// The mean seconds from creation to close, over the `closed` tickets, rounded.
    pub resolution_seconds: Option<i64>,
    /// Ratings given in the range (or on the day), for tickets of this group.
    pub ratings: i64,
    /// Their mean stars (1–5), rounded to two decimals; None when there are none.
    pub rating_average: Option<f64>,
}

/// One local day's figures.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DayFigures {
    /// `YYYY-MM-DD`, at the report's offset.
    pub date: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// One department's figures over the range.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DepartmentFigures {
    pub id: DepartmentId,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// One agent's figures over the range (id and name None: tickets never accepted).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AgentFigures {
    pub id: Option<AgentId>,
    pub name: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A report: per day (every day of the range, empty ones too), per department, per agent, and in
/// total.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Report {
    pub from: String,
    pub to: String,
    /// The UTC offset the days are cut at (`+HH:MM`).
    pub tz: String,
    pub department: Option<DepartmentId>,
    pub agent: Option<AgentId>,
    pub total: Figures,
    pub days: Vec<DayFigures>,
    pub departments: Vec<DepartmentFigures>,
    pub agents: Vec<AgentFigures>,
}

impl Service {
    /// The report over `range`, filtered on `filter` (supervisors and admins; agents are refused).
    pub async fn report(
        &self,
        actor: &Actor,
        range: &ReportRange,
        filter: ReportFilter,
    ) -> Result<Report, ServiceError> {
        if !actor.agent.role.sees_all_departments() {
            return Err(ServiceError::Forbidden(
                "only supervisors and admins see reports".to_owned(),
            ));
        }
        let bounds = range.boundaries();
        let created = store::reports::created(&self.db, &bounds, filter).await?;
        let closed = store::reports::closed(&self.db, &bounds, filter).await?;
        let rated = store::reports::rated(&self.db, &bounds, filter).await?;

        let days = range.days();
        let mut per_day = vec![Sums::default(); days.len()];
        let mut per_department: BTreeMap<DepartmentId, Sums> = BTreeMap::new();
        let mut per_agent: BTreeMap<Option<AgentId>, Sums> = BTreeMap::new();
        let mut total = Sums::default();
        for row in &created {
            for sums in [
                per_day.get_mut(row.day),
                Some(per_department.entry(row.department_id).or_default()),
                Some(per_agent.entry(row.agent_id).or_default()),
                Some(&mut total),
            ]
            .into_iter()
            .flatten()
            {
                sums.add_created(row);
            }
        }
        for row in &closed {
            for sums in [
                per_day.get_mut(row.day),
                Some(per_department.entry(row.department_id).or_default()),
                Some(per_agent.entry(row.agent_id).or_default()),
                Some(&mut total),
            ]
            .into_iter()
            .flatten()
            {
                sums.add_closed(row);
            }
        }
        for row in &rated {
            for sums in [
                per_day.get_mut(row.day),
                Some(per_department.entry(row.department_id).or_default()),
                Some(per_agent.entry(row.agent_id).or_default()),
                Some(&mut total),
            ]
            .into_iter()
            .flatten()
            {
                sums.add_rated(row);
            }
        }

        let department_names: HashMap<DepartmentId, String> =
            store::departments::by_ids(&self.db, per_department.keys().copied().collect())
                .await?
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect();
        let agent_names =
            store::agents::names(&self.db, per_agent.keys().copied().flatten().collect()).await?;

        let mut departments: Vec<DepartmentFigures> = per_department
            .into_iter()
            .map(|(id, sums)| DepartmentFigures {
                id,
                name: department_names.get(&id).cloned().unwrap_or_default(),
                figures: sums.figures(),
            })
            .collect();
        departments.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        let mut agents: Vec<AgentFigures> = per_agent
            .into_iter()
            .map(|(id, sums)| AgentFigures {
                id,
                name: id.and_then(|id| agent_names.get(&id).cloned()),
                figures: sums.figures(),
            })
            .collect();
        agents
            .sort_by(|a, b| (a.id.is_none(), &a.name, a.id).cmp(&(b.id.is_none(), &b.name, b.id)));
        Ok(Report {
            from: range.from.to_string(),
            to: range.to.to_string(),
            tz: range.offset_text(),
            department: filter.department,
            agent: filter.agent,
            total: total.figures(),
            days: days
                .into_iter()
                .zip(per_day)
                .map(|(date, sums)| DayFigures {
                    date: date.to_string(),
                    figures: sums.figures(),
                })
                .collect(),
            departments,
            agents,
        })
    }
}

/// Counts and summed seconds, which add up across groups.
#[derive(Debug, Clone, Default)]
struct Sums {
    created: i64,
    closed: i64,
    responded: i64,
    response_seconds: f64,
    resolution_seconds: f64,
    ratings: i64,
    stars: i64,
}

impl Sums {
    fn add_created(&mut self, row: &CreatedRow) {
        self.created += row.created;
        self.responded += row.responded;
        self.response_seconds += row.response_seconds;
    }

    fn add_closed(&mut self, row: &ClosedRow) {
        self.closed += row.closed;
        self.resolution_seconds += row.resolution_seconds;
    }

    fn add_rated(&mut self, row: &RatedRow) {
        self.ratings += row.ratings;
        self.stars += row.stars;
    }

    fn figures(&self) -> Figures {
        Figures {
            created: self.created,
            closed: self.closed,
            responded: self.responded,
            first_response_seconds: mean(self.response_seconds, self.responded),
            resolution_seconds: mean(self.resolution_seconds, self.closed),
            ratings: self.ratings,
            rating_average: stars_mean(self.stars, self.ratings),
        }
    }
}

/// `sum / count` rounded to the second; None for no values.
#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
fn mean(sum: f64, count: i64) -> Option<i64> {
    (count > 0).then(|| (sum / count as f64).round() as i64)
}

/// The mean of `count` ratings whose stars add up to `stars`, rounded to two decimals; None for
/// no ratings.
#[allow(clippy::cast_precision_loss)]
fn stars_mean(stars: i64, count: i64) -> Option<f64> {
    (count > 0).then(|| (stars as f64 * 100.0 / count as f64).round() / 100.0)
}
