//! The command line: `serve` (the default), `demo`,
//! `agent add|password|disable|enable|role|departments`,
//! `department add|edit|list`, `seed`, `bench queues`. One function per subcommand; settings come from `config::Settings`,
//! start-up and shutdown from `startup`.

use std::{io::Read, net::SocketAddr, time::Duration};

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::{
    bench,
    config::Settings,
    demo,
    domain::Role,
    seed,
    service::{DepartmentChanges, DepartmentInput, NewAgentInput, Service},
    startup::{Application, shutdown_signal},
    store,
};

/// Switchboard: a Telegram live-chat operator console.
#[derive(Debug, Parser)]
#[command(name = "switchboard", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the console and run the bot (the default). Reads its settings from the environment.
    Serve,
    /// Try Switchboard without a bot token: a seeded SQLite database, a simulated Telegram and
    /// simulated customers who write every few seconds.
    Demo {
        /// Where the console listens.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// The demo's database.
        #[arg(long, default_value = "sqlite://switchboard-demo.db?mode=rwc")]
        database_url: String,
        /// Seconds between new simulated customers.
        #[arg(long, default_value_t = 8)]
        customer_every: u64,
    },
    /// Manage agents.
    Agent {
        #[command(subcommand)]
        command: AgentCommand,
    },
    /// Manage departments.
    Department {
        #[command(subcommand)]
        command: DepartmentCommand,
    },
    /// Fill an empty database (DATABASE_URL) with a large, realistic history for benchmarks:
    /// departments, agents (password "seed"), clients, tickets in every status and their messages.
    Seed {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        #[arg(long, default_value_t = 1_000_000)]
        tickets: u64,
        #[arg(long, default_value_t = 10)]
        messages_per_ticket: u64,
    },
    /// Benchmarks against a database made by `seed`.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Start-up, idle RSS, queue and search latencies and accept contention, through the HTTP API
    /// of this binary started as `serve` on DATABASE_URL.
    Queues {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        /// Requests per measured query.
        #[arg(long, default_value_t = 200)]
        requests: usize,
        /// Server instances on the database (accepts are spread over them).
        #[arg(long, default_value_t = 1)]
        instances: usize,
        /// Only start-up and idle RSS.
        #[arg(long)]
        startup_only: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Create an agent. The password is read from standard input (--password-stdin) or prompted for.
    Add(AgentAdd),
    /// Set an agent's password (read as for `add`); their sessions end and open consoles close.
    Password {
        login: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an agent: they cannot log in, their sessions end and open consoles close.
    Disable { login: String },
    /// Enable a disabled agent again.
    Enable { login: String },
    /// Change an agent's role (agent, supervisor or admin); their open consoles reconnect.
    Role { login: String, role: Role },
    /// Replace the departments an agent works in; their open consoles reconnect with the new scope.
    Departments {
        login: String,
        /// A department; repeat for several.
        #[arg(long = "department")]
        departments: Vec<String>,
    },
}

/// The arguments of `agent add`.
#[derive(Debug, Clone, clap::Args)]
pub struct AgentAdd {
    #[arg(long)]
    login: String,
    #[arg(long)]
    name: String,
    /// agent, supervisor or admin.
    #[arg(long, default_value = "agent")]
    role: Role,
    /// A department the agent works in; repeat for several.
    #[arg(long = "department")]
    departments: Vec<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum DepartmentCommand {
    /// Create a department (open to customers unless --closed).
    Add(DepartmentAdd),
    /// Change a department, named by id or slug.
    Edit(DepartmentEdit),
    /// List the departments in their order.
    List,
}

/// The arguments of `department add`.
#[derive(Debug, clap::Args)]
pub struct DepartmentAdd {
    name: String,
    /// What customers see on its button (default: the name).
    #[arg(long)]
    label: Option<String>,
    /// Its deep-link name, `t.me/<bot>?start=<slug>` (default: made from the name).
    #[arg(long)]
    slug: Option<String>,
    /// Not offered to customers.
    #[arg(long)]
    closed: bool,
    /// Its place in the buttons and lists (default: last).
    #[arg(long, allow_negative_numbers = true)]
    position: Option<i32>,
    /// Appended to agents' text replies (at most 200 characters).
    #[arg(long)]
    signature: Option<String>,
    /// Sent by the bot to a customer whose ticket lands here.
    #[arg(long)]
    greeting: Option<String>,
    /// Whether new tickets sound the alert in consoles: sound (default) or silent.
    #[arg(long)]
    alert: Option<String>,
}

/// The arguments of `department edit`.
#[derive(Debug, clap::Args)]
pub struct DepartmentEdit {
    /// The department's id or slug.
    department: String,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    label: Option<String>,
    #[arg(long)]
    slug: Option<String>,
    /// Offer it to customers.
    #[arg(long, conflicts_with = "closed")]
    open: bool,
    /// Stop offering it to customers.
    #[arg(long)]
    closed: bool,
    /// Its place in the buttons and lists.
    #[arg(long, allow_negative_numbers = true)]
    position: Option<i32>,
    /// Appended to agents' text replies (at most 200 characters); "" removes it.
    #[arg(long)]
    signature: Option<String>,
    /// Archive it: no new tickets, not offered to customers, history kept.
    #[arg(long, conflicts_with = "unarchive")]
    archive: bool,
    /// Bring an archived department back.
    #[arg(long)]
    unarchive: bool,
    /// Sent by the bot to a customer whose ticket lands here; "" removes it.
    #[arg(long)]
    greeting: Option<String>,
    /// Whether new tickets sound the alert in consoles: sound or silent.
    #[arg(long)]
    alert: Option<String>,
}

/// Runs a command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve().await,
        Command::Demo {
            listen,
            database_url,
            customer_every,
        } => {
            demo::run(demo::DemoOptions {
                listen,
                database_url,
                customer_every: Duration::from_secs(customer_every.max(1)),
            })
            .await
        }
        Command::Agent { command } => agent_command(command).await,
        Command::Seed {
            database_url,
            tickets,
            messages_per_ticket,
        } => {
            let report = seed::run(&seed::SeedOptions {
                database_url,
                tickets,
                messages_per_ticket,
            })
            .await?;
            println!(
                "seeded {} clients, {} tickets ({} pending, {} accepted, the rest closed) and {} messages in {:.1} s; agents' password: {:?}",
                report.clients,
                report.tickets,
                report.pending,
                report.accepted,
                report.messages,
                report.seconds,
                seed::SEED_PASSWORD
            );
            Ok(())
        }
        Command::Bench {
            command:
                BenchCommand::Queues {
                    database_url,
                    requests,
                    instances,
                    startup_only,
                },
        } => {
            bench::queues(&bench::BenchOptions {
                database_url,
                requests,
                instances,
                startup_only,
            })
            .await
        }
        Command::Department { command } => match command {
            DepartmentCommand::Add(args) => department_add(args).await,
            DepartmentCommand::Edit(args) => department_edit(args).await,
            DepartmentCommand::List => department_list().await,
        },
    }
}

/// `switchboard serve`.
async fn serve() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let app = Application::build(settings).await?;
    println!("Switchboard console: {}", app.public_url());
    app.run_until(shutdown_signal()).await
}

/// `switchboard agent …`.
async fn agent_command(command: AgentCommand) -> anyhow::Result<()> {
    let login = match &command {
        AgentCommand::Add(args) => return agent_add(args.clone()).await,
        AgentCommand::Password { login, .. }
        | AgentCommand::Disable { login }
        | AgentCommand::Enable { login }
        | AgentCommand::Role { login, .. }
        | AgentCommand::Departments { login, .. } => login.clone(),
    };
    let db = admin_db().await?;
    let id = Service::agent_id_by_login(&db, &login)
        .await?
        .with_context(|| format!("no agent with login {login:?}"))?;
    match command {
        AgentCommand::Add(_) => unreachable!("handled above"),
        AgentCommand::Password { password_stdin, .. } => {
            let password = read_password(password_stdin)?;
            Service::set_password(&db, id, &password).await?;
            println!("password of {login:?} changed; their sessions ended");
        }
        AgentCommand::Disable { .. } => {
            Service::set_active(&db, id, false).await?;
            println!("agent {login:?} disabled; their sessions ended");
        }
        AgentCommand::Enable { .. } => {
            Service::set_active(&db, id, true).await?;
            println!("agent {login:?} enabled");
        }
        AgentCommand::Role { role, .. } => {
            Service::set_role(&db, id, role).await?;
            println!("agent {login:?} is now {role}");
        }
        AgentCommand::Departments { departments, .. } => {
            Service::set_departments(&db, id, &departments).await?;
            println!("agent {login:?} now works in {}", departments.join(", "));
        }
    }
    Ok(())
}

/// `switchboard agent add`.
async fn agent_add(args: AgentAdd) -> anyhow::Result<()> {
    let password = read_password(args.password_stdin)?;
    let db = admin_db().await?;
    let id = Service::add_agent(
        &db,
        NewAgentInput {
            login: &args.login,
            name: &args.name,
            password: &password,
            role: args.role,
            departments: &args.departments,
        },
    )
    .await?;
    println!("agent {:?} created (id {id})", args.login);
    Ok(())
}

/// `switchboard department add`.
async fn department_add(args: DepartmentAdd) -> anyhow::Result<()> {
    let db = admin_db().await?;
    let input = DepartmentInput {
        name: args.name.clone(),
        label: args.label,
        slug: args.slug,
        open: Some(!args.closed),
        position: args.position,
        signature: args.signature,
        greeting: args.greeting,
        alert: args.alert,
        ..DepartmentInput::default()
    };
    let id = Service::add_department_with(&db, input).await?;
    println!("department {:?} created (id {id})", args.name);
    Ok(())
}

/// `switchboard department edit`.
async fn department_edit(args: DepartmentEdit) -> anyhow::Result<()> {
    let db = admin_db().await?;
    let department = Service::find_department(&db, &args.department).await?;
    let open = match (args.open, args.closed) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    let changes = DepartmentChanges {
        name: args.name,
        label: args.label,
        slug: args.slug,
        open,
        position: args.position,
        signature: args.signature,
        archived: match (args.archive, args.unarchive) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        greeting: args.greeting,
        alert: args.alert,
        ..DepartmentChanges::default()
    };
    Service::edit_department(&db, department.id, changes).await?;
    println!("department {} changed", department.id);
    Ok(())
}

/// `switchboard department list`: a table in position order.
async fn department_list() -> anyhow::Result<()> {
    let db = admin_db().await?;
    let departments = Service::list_departments(&db).await?;
    println!(
        "{:>4}  {:>8}  {:<6}  {:<20}  {:<24}  LABEL",
        "ID", "POSITION", "OPEN", "SLUG", "NAME"
    );
    for d in departments {
        println!(
            "{:>4}  {:>8}  {:<6}  {:<20}  {:<24}  {}",
            d.id,
            d.position,
            if d.open { "yes" } else { "no" },
            d.slug,
            d.name,
            d.label
        );
    }
    Ok(())
}

/// The database of `DATABASE_URL`, migrated.
async fn admin_db() -> anyhow::Result<sea_orm::DatabaseConnection> {
    let url = Settings::database_url_from_env()?;
    let db = store::connect(&url)
        .await
        .context("opening the database named by DATABASE_URL")?;
    store::migrate(&db)
        .await
        .context("running database migrations")?;
    Ok(db)
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    let password = if from_stdin {
        let mut input = String::new();
        std::io::stdin()
            .read_to_string(&mut input)
            .context("reading the password from standard input")?;
        input.lines().next().unwrap_or_default().to_owned()
    } else {
        rpassword::prompt_password("Password: ").context("reading the password")?
    };
    Ok(password)
}
