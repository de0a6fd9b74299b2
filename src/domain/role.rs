//! Agent roles and what each may see.

use std::{fmt, str::FromStr};

/// What an agent may do: agents work their departments' queues, supervisors and admins see all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Agent,
    Supervisor,
    Admin,
}

impl Role {
    /// Whether this role sees the tickets of every department, not only its own.
    pub fn sees_all_departments(self) -> bool {
        matches!(self, Self::Supervisor | Self::Admin)
    }

    /// The name stored in the database and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agent => "agent",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "agent" => Ok(Self::Agent),
            "supervisor" => Ok(Self::Supervisor),
            "admin" => Ok(Self::Admin),
            other => Err(format!(
                "unknown role {other:?}: expected agent, supervisor or admin"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in [Role::Agent, Role::Supervisor, Role::Admin] {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
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
    Departments(Vec<i64>),
}

impl Scope {
    /// The scope of an agent with this role and these departments.
    pub fn of(role: Role, departments: impl IntoIterator<Item = i64>) -> Self {
        if role.sees_all_departments() {
            Self::All
        } else {
            Self::Departments(departments.into_iter().collect())
        }
    }

    /// Whether a ticket of `department` is visible.
    pub fn allows(&self, department: i64) -> bool {
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
        let agent = Scope::of(Role::Agent, [1, 3]);
        assert!(agent.allows(1) && agent.allows(3) && !agent.allows(2));
        assert!(Scope::of(Role::Supervisor, []).allows(2));
    }
}
