//! Starting chromedriver: the executable, its process group, and the thread that reads the port
//! it listens on from its stdout (and keeps draining it).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use anyhow::{Context, anyhow, bail};
use tokio::process::Command;

use super::{LAUNCH_TIMEOUT, Process, ProfileDir};

/// Starts chromedriver on a free port in a process group of its own; returns the port.
pub(super) async fn spawn_chromedriver(
    executable: &Path,
    profile: ProfileDir,
) -> anyhow::Result<(Process, u16)> {
    let mut child = Command::new(executable)
        .arg("--port=0")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", executable.display()))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow!("chromedriver's stdout was not captured"))
        .and_then(|stdout| Ok(stdout.into_owned_fd()?));
    let stdout = match stdout {
        Ok(stdout) => std::fs::File::from(stdout),
        Err(err) => {
            let _ = child.start_kill();
            return Err(err);
        }
    };
    let (port_tx, port_rx) = tokio::sync::oneshot::channel();
    let (closed_tx, stdout_closed) = mpsc::channel::<()>();
    // A plain thread, not a task, so that `Process::drop` can block on it in any runtime.
    let spawned = std::thread::Builder::new()
        .name("chromedriver-stdout".to_owned())
        .spawn(move || read_stdout(stdout, port_tx, closed_tx));
    let process = Process {
        child,
        stdout_closed,
        profile,
    };
    spawned.context("starting the thread that reads chromedriver's stdout")?;

    match tokio::time::timeout(LAUNCH_TIMEOUT, port_rx).await {
        Ok(Ok(Ok(port))) => Ok((process, port)),
        Ok(Ok(Err(said))) => {
            bail!("chromedriver closed its stdout without saying its port; it said:\n{said}")
        }
        Ok(Err(_)) => bail!("the thread reading chromedriver's stdout stopped"),
        Err(_) => bail!("chromedriver said no port within {LAUNCH_TIMEOUT:?}"),
    }
}

/// Reads chromedriver's stdout to its end: hands over the port it listens on, then keeps
/// draining so that no process writing there blocks on a full pipe. `closed_tx` drops at EOF.
fn read_stdout(
    stdout: std::fs::File,
    port_tx: tokio::sync::oneshot::Sender<Result<u16, String>>,
    closed_tx: mpsc::Sender<()>,
) {
    let _closed_tx = closed_tx;
    let mut reader = std::io::BufReader::new(stdout);
    let mut port_tx = Some(port_tx);
    let mut seen: Vec<String> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let Some(tx) = port_tx.take() else {
            continue;
        };
        let text = String::from_utf8_lossy(&line);
        // "ChromeDriver was started successfully on port 42599."
        let port = text
            .split("started successfully on port ")
            .nth(1)
            .and_then(|rest| rest.trim().trim_end_matches('.').parse().ok());
        match port {
            Some(port) => {
                let _ = tx.send(Ok(port));
            }
            None => {
                if seen.len() == 20 {
                    seen.remove(0);
                }
                seen.push(text.trim_end().to_owned());
                port_tx = Some(tx);
            }
        }
    }
    if let Some(tx) = port_tx {
        let _ = tx.send(Err(seen.join("\n")));
    }
}

/// Finds an executable: `$variable` if set (it must be a file), else /usr/bin/`name`, else
/// `name` on PATH.
pub(super) fn find_executable(variable: &str, name: &str) -> anyhow::Result<Option<PathBuf>> {
    if let Some(path) = std::env::var_os(variable).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        if !path.is_file() {
            bail!("${variable} is {}, which is not a file", path.display());
        }
        return Ok(Some(path));
    }
    let debian = Path::new("/usr/bin").join(name);
    if debian.is_file() {
        return Ok(Some(debian));
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    });
    Ok(on_path)
}
