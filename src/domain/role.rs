//! Agent roles and what each may see.

use std::{fmt, str::FromStr};

use sea_orm::{ActiveEnum, DeriveActiveEnum, EnumIter, sea_query::StringLen};

use super::DepartmentId;

/// What an agent may do: agents work their departments' queues, supervisors and admins see all.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    EnumIter,
    DeriveActiveEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[sea_orm(string_value = "agent")]
    Agent,
    #[sea_orm(string_value = "supervisor")]
    Supervisor,
    #[sea_orm(string_value = "admin")]
    Admin,
}

impl Role {
    /// Whether this role sees the tickets of every department, not only its own.
    pub fn sees_all_departments(self) -> bool {
        matches!(self, Self::Supervisor | Self::Admin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_value())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::try_from_value(&s.to_owned())
            .map_err(|_| format!("unknown role {s:?}: expected agent, supervisor or admin"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in [Role::Agent, Role::Supervisor, Role::Admin] {
            assert_eq!(role.to_string().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn only_supervisors_and_admins_see_every_department() {
        assert!(!Role::Agent.sees_all_departments());
        assert!(Role::Supervisor.sees_all_departments());
        assert!(Role::Admin.sees_all_departments());
    }
}

/// Which tickets someone may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every department's.
    All,
    /// Only these departments'.
    Departments(Vec<DepartmentId>),
}

impl Scope {
    /// The scope of an agent with this role and these departments.
    pub fn of(role: Role, departments: impl IntoIterator<Item = DepartmentId>) -> Self {
        if role.sees_all_departments() {
            Self::All
        } else {
            Self::Departments(departments.into_iter().collect())
        }
    }

    /// Whether a ticket of `department` is visible.
    pub fn allows(&self, department: DepartmentId) -> bool {
        match self {
            Self::All => true,
            Self::Departments(ids) => ids.contains(&department),
        }
    }
}

#[cfg(test)]
mod scope_tests {
    use super::*;

    #[test]
    fn an_agent_sees_only_their_departments_and_a_supervisor_all() {
        let agent = Scope::of(Role::Agent, [DepartmentId(1), DepartmentId(3)]);
        assert!(
            agent.allows(DepartmentId(1))
                && agent.allows(DepartmentId(3))
                && !agent.allows(DepartmentId(2))
        );
        assert!(Scope::of(Role::Supervisor, []).allows(DepartmentId(2)));
    }
}
