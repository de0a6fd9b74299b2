//! The command line: `serve` (the default), `demo`, `agent add`, `department add`. One function per
//! subcommand; settings come from `config::Settings`, start-up and shutdown from `startup`.

use std::{io::Read, net::SocketAddr, time::Duration};

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::{
    config::Settings,
    demo,
    domain::Role,
    service::{NewAgentInput, Service},
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
}

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Create an agent. The password is read from standard input (--password-stdin) or prompted for.
    Add(AgentAdd),
}

/// The arguments of `agent add`.
#[derive(Debug, clap::Args)]
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
    /// Create a department.
    Add { name: String },
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
        Command::Agent {
            command: AgentCommand::Add(args),
        } => agent_add(args).await,
        Command::Department {
            command: DepartmentCommand::Add { name },
        } => department_add(&name).await,
    }
}

/// `switchboard serve`.
async fn serve() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let app = Application::build(settings).await?;
    println!("Switchboard console: {}", app.public_url());
    app.run_until(shutdown_signal()).await
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
async fn department_add(name: &str) -> anyhow::Result<()> {
    let db = admin_db().await?;
    let id = Service::add_department(&db, name).await?;
    println!("department {name:?} created (id {id})");
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
