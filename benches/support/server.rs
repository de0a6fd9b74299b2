//! What the benchmarks that run the real server binary share: starting it as a child process
//! (with a supervisor made by `switchboard agent add`), logging in, reading its CPU time and
//! memory from /proc, and the percentile arithmetic. Each bench includes it with
//! `#[path = "support/server.rs"] mod server;` and uses what it needs.
#![allow(dead_code)]

use std::{
    process::Stdio,
    time::{Duration, Instant},
};

use tokio::{io::AsyncWriteExt, process::Command};

/// The server binary cargo built for this bench (release profile under `cargo bench`), unless
/// `BENCH_SERVER` names another (an earlier build, to compare two builds with one benchmark).
pub fn server_binary() -> String {
    std::env::var("BENCH_SERVER").unwrap_or_else(|_| env!("CARGO_BIN_EXE_switchboard").to_owned())
}
pub const LOGIN: &str = "bench";
pub const PASSWORD: &str = "bench-password-1";
/// Linux reports CPU times in /proc in units of USER_HZ, 100 per second on every architecture.
pub const TICKS_PER_SECOND: f64 = 100.0;

pub fn env_list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec())
}

pub fn env_number(name: &str, default: usize) -> usize {
    env_list(name, &[default])
        .first()
        .copied()
        .unwrap_or(default)
}

/// A scratch directory removed at the end.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The server process and where it listens.
pub struct Server {
    pub child: tokio::process::Child,
    pub pid: u32,
    pub address: String,
    _dir: TempDir,
}

impl Server {
    /// Adds the benchmark's supervisor with `switchboard agent add`, starts `switchboard serve`
    /// with `env` (listening on `port`) and waits until it answers `/healthz`.
    pub async fn launch(dir: TempDir, port: u16, env: &[(&str, &str)]) -> anyhow::Result<Self> {
        let mut add = Command::new(server_binary());
        add.args(["agent", "add", "--login", LOGIN, "--name", "Bench"])
            .args(["--role", "supervisor", "--password-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null());
        for (k, v) in env {
            add.env(k, v);
        }
        let mut adding = add.spawn()?;
        let mut stdin = adding.stdin.take().expect("piped stdin");
        stdin.write_all(format!("{PASSWORD}\n").as_bytes()).await?;
        drop(stdin);
        anyhow::ensure!(adding.wait().await?.success(), "agent add failed");

        let mut serve = Command::new(server_binary());
        serve.arg("serve").kill_on_drop(true).stdout(Stdio::null());
        for (k, v) in env {
            serve.env(k, v);
        }
        let child = serve.spawn()?;
        let pid = child.id().expect("a running child");
        let address = format!("127.0.0.1:{port}");
        let started = Instant::now();
        let client = reqwest::Client::new();
        loop {
            let up = client
                .get(format!("http://{address}/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if up {
                break;
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(30),
                "server did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(Self {
            child,
            pid,
            address,
            _dir: dir,
        })
    }

    /// The server's user + system CPU time so far.
    pub fn cpu(&self) -> anyhow::Result<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid))?;
        // Fields after the command name (which is in parentheses and may hold spaces).
        let rest = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest)
            .ok_or_else(|| anyhow::anyhow!("odd /proc stat"))?;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // utime and stime are fields 14 and 15 of stat; `rest` starts at field 3.
        let ticks: u64 = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
        Ok(Duration::from_secs_f64(ticks as f64 / TICKS_PER_SECOND))
    }

    /// The server's resident memory in KiB.
    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| anyhow::anyhow!("no VmRSS"))
    }

    /// The server's memory once it stopped changing (or after `settle`).
    pub async fn settled_rss_kib(&self, settle: Duration) -> anyhow::Result<u64> {
        tokio::time::sleep(settle).await;
        let mut last = self.rss_kib()?;
        for _ in 0..20 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let now = self.rss_kib()?;
            if now.abs_diff(last) < 64 {
                return Ok(now);
            }
            last = now;
        }
        Ok(last)
    }

    pub async fn login(&self) -> anyhow::Result<String> {
        let response = reqwest::Client::new()
            .post(format!("http://{}/api/session", self.address))
            .header("Origin", format!("http://{}", self.address))
            .json(&serde_json::json!({"login": LOGIN, "password": PASSWORD}))
            .send()
            .await?;
        anyhow::ensure!(response.status().is_success(), "login failed");
        let cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .ok_or_else(|| anyhow::anyhow!("no session cookie"))?;
        Ok(cookie.to_owned())
    }
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
