//! Writing a benchmark's table into `docs/benchmarks.md`, shared by the cargo benches
//! (`benches/*.rs`) and `switchboard bench queues`.
//!
//! Each run replaces one generated section of the file, between the lines
//! `<!-- bench:<key> begin -->` and `<!-- bench:<key> end -->` (appended at the end of the file the
//! first time), with the date, the command line and the `BENCH_*` settings, the machine, the git
//! commit, the load average at the start and at the end, and the table. A run may also update its own
//! rows of the section `bench:targets`: one row per issue-11 target, keyed by the target's text.
//! Everything outside the markers (the human-written prose) is left as it is.
//!
//! Where: `BENCH_DOC` names the file (created if missing), `BENCH_DOC=-` writes nothing; unset, it is
//! `docs/benchmarks.md` under the current directory (cargo runs benches in the package root), written
//! only if that file exists.

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Instant,
};

use anyhow::Context;
use chrono::{DateTime, Utc};

/// The generated section of the targets summary.
pub const TARGETS_KEY: &str = "targets";
/// The file a run writes to when `BENCH_DOC` is unset (relative to the current directory).
pub const DEFAULT_DOC: &str = "docs/benchmarks.md";

/// One run of a benchmark: what it was started with, and where it writes its section.
#[derive(Debug, Clone)]
pub struct Report {
    key: String,
    title: String,
    started: DateTime<Utc>,
    clock: Instant,
    load_at_start: String,
    command: String,
    settings: Vec<String>,
}

/// One issue-11 target and the figure this run measured for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The target as the issue states it, with the backend when it has one; the row's key.
    pub target: String,
    pub measured: String,
    /// Whether the figure meets the target, when the benchmark can tell.
    pub met: Option<bool>,
}

impl Target {
    pub fn new(target: impl Into<String>, measured: impl Into<String>, met: Option<bool>) -> Self {
        Self {
            target: target.into(),
            measured: measured.into(),
            met,
        }
    }
}

impl Report {
    /// Starts a run whose section is `bench:<key>` titled `title`: notes the time, the load
    /// average, the command line and the `BENCH_*` settings now.
    pub fn begin(key: impl Into<String>, title: impl Into<String>) -> Self {
        let settings: Vec<String> = bench_settings(std::env::vars());
        Self {
            key: key.into(),
            title: title.into(),
            started: Utc::now(),
            clock: Instant::now(),
            load_at_start: load_average(),
            command: command_line(&settings),
            settings,
        }
    }

    /// The section's text: the run's facts, `table` (Markdown) and `notes` (may be empty).
    pub fn section(&self, table: &str, notes: &str) -> String {
        let settings = if self.settings.is_empty() {
            "none (all defaults)".to_owned()
        } else {
            self.settings
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut text = format!(
            "### Latest run: {title}\n\n\
             - **date**: {date} UTC, {seconds:.0} s\n\
             - **command**: `{command}`\n\
             - **BENCH_* settings**: {settings}\n\
             - **machine**: {machine}\n\
             - **load average** (1, 5, 15 min): {start} at the start, {end} at the end\n\
             - **commit**: {commit}\n\n\
             {table}\n",
            title = self.title,
            date = self.started.format("%Y-%m-%d %H:%M"),
            seconds = self.clock.elapsed().as_secs_f64(),
            command = self.command,
            machine = machine(),
            start = self.load_at_start,
            end = load_average(),
            commit = git_commit().unwrap_or_else(|| "unknown (not a git checkout)".to_owned()),
            table = table.trim_end(),
        );
        if !notes.trim().is_empty() {
            text.push('\n');
            text.push_str(notes.trim_end());
            text.push('\n');
        }
        text
    }

    /// Writes the section (and `targets`' rows) to the file `BENCH_DOC` names, or to
    /// `docs/benchmarks.md` if it exists; returns the path written, if any.
    pub fn publish(
        &self,
        table: &str,
        notes: &str,
        targets: &[Target],
    ) -> anyhow::Result<Option<PathBuf>> {
        let path = match std::env::var("BENCH_DOC") {
            Ok(v) if v == "-" => return Ok(None),
            Ok(v) => PathBuf::from(v),
            Err(_) => {
                let path = PathBuf::from(DEFAULT_DOC);
                if !path.exists() {
                    println!(
                        "{DEFAULT_DOC} not found here: the table was not written (set BENCH_DOC)"
                    );
                    return Ok(None);
                }
                path
            }
        };
        self.publish_to(&path, table, notes, targets)?;
        println!("wrote section bench:{} to {}", self.key, path.display());
        Ok(Some(path))
    }

    /// Writes the section (and `targets`' rows) into the file at `path`, creating it if missing.
    pub fn publish_to(
        &self,
        path: &Path,
        table: &str,
        notes: &str,
        targets: &[Target],
    ) -> anyhow::Result<()> {
        let doc = match std::fs::read_to_string(path) {
            Ok(doc) => doc,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let mut doc = replace_section(&doc, &self.key, &self.section(table, notes))?;
        if !targets.is_empty() {
            let run = format!(
                "`{}`, {}",
                self.key,
                self.started.format("%Y-%m-%d %H:%M UTC")
            );
            doc = merge_targets(&doc, targets, &run)?;
        }
        let temporary = path.with_extension(format!("md.tmp-{}", std::process::id()));
        std::fs::write(&temporary, doc)
            .with_context(|| format!("writing {}", temporary.display()))?;
        std::fs::rename(&temporary, path).with_context(|| format!("replacing {}", path.display()))
    }
}

/// `doc` with the section `bench:<key>` holding `body`: its previous content replaced, or the
/// section appended at the end. Fails when the begin marker has no end marker after it.
pub fn replace_section(doc: &str, key: &str, body: &str) -> anyhow::Result<String> {
    let begin = format!("<!-- bench:{key} begin -->");
    let end = format!("<!-- bench:{key} end -->");
    let section = format!("{begin}\n{}\n{end}", body.trim_end());
    let Some(start) = find_line(doc, &begin, 0) else {
        let mut doc = doc.trim_end().to_owned();
        if !doc.is_empty() {
            doc.push_str("\n\n");
        }
        doc.push_str(&section);
        doc.push('\n');
        return Ok(doc);
    };
    let stop =
        find_line(doc, &end, start).with_context(|| format!("{begin} has no {end} after it"))?;
    Ok(format!(
        "{}{section}{}",
        &doc[..start],
        &doc[stop + end.len()..]
    ))
}

/// `doc` with the targets section's rows for `targets` set to their figures (measured by `run`);
/// other rows stay, in their order; new ones are added at the end of the table.
pub fn merge_targets(doc: &str, targets: &[Target], run: &str) -> anyhow::Result<String> {
    let begin = format!("<!-- bench:{TARGETS_KEY} begin -->");
    let end = format!("<!-- bench:{TARGETS_KEY} end -->");
    let mut rows: Vec<(String, String)> = Vec::new();
    if let Some(start) = find_line(doc, &begin, 0) {
        let stop = find_line(doc, &end, start)
            .with_context(|| format!("{begin} has no {end} after it"))?;
        for line in doc[start + begin.len()..stop].lines() {
            let Some(key) = row_key(line) else { continue };
            if key != "issue 11 target" && !key.starts_with("---") {
                rows.push((key, line.to_owned()));
            }
        }
    }
    for target in targets {
        let met = match target.met {
            Some(true) => "yes",
            Some(false) => "no",
            None => "—",
        };
        let line = format!(
            "| {} | {} | {met} | {run} |",
            cell(&target.target),
            cell(&target.measured)
        );
        match rows
            .iter_mut()
            .find(|(key, _)| *key == cell(&target.target))
        {
            Some(row) => row.1 = line,
            None => rows.push((cell(&target.target), line)),
        }
    }
    let mut body = String::from(
        "Generated: each benchmark run updates its own rows (the latest figure, whatever the load \
         was; see the run's section for the machine and the load).\n\n\
         | issue 11 target | latest measured | met? | run |\n|---|---|---|---|\n",
    );
    for (_, line) in rows {
        body.push_str(&line);
        body.push('\n');
    }
    replace_section(doc, TARGETS_KEY, &body)
}

/// The offset of the line that is exactly `line` (ignoring trailing blanks), from `from` on.
fn find_line(doc: &str, line: &str, from: usize) -> Option<usize> {
    let mut offset = 0;
    for text in doc.split_inclusive('\n') {
        if offset >= from && text.trim_end() == line {
            return Some(offset);
        }
        offset += text.len();
    }
    None
}

/// The first cell of a Markdown table row.
fn row_key(line: &str) -> Option<String> {
    let rest = line.trim().strip_prefix('|')?;
    let mut key = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                key.push(c);
                key.extend(chars.next());
            }
            '|' => return Some(key.trim().to_owned()),
            _ => key.push(c),
        }
    }
    None
}

/// `text` as one table cell: one line, `|` escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// The `BENCH_*` variables that are set, as `NAME=value`, sorted, passwords in URLs hidden.
fn bench_settings(vars: impl Iterator<Item = (String, String)>) -> Vec<String> {
    let mut settings: Vec<String> = vars
        .filter(|(name, _)| name.starts_with("BENCH_"))
        .map(|(name, value)| format!("{name}={}", redact(&value)))
        .collect();
    settings.sort();
    settings
}

/// `value` with the password of a URL in it replaced by `***`.
pub fn redact(value: &str) -> String {
    match url::Url::parse(value) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        _ => value.to_owned(),
    }
}

/// How the run was started: the parent's command line when it is cargo (`cargo bench …`), else
/// this process's; after the `BENCH_*` settings, so that it can be pasted to run again.
fn command_line(settings: &[String]) -> String {
    let cmdline = |pid: &str| -> Vec<String> {
        std::fs::read(format!("/proc/{pid}/cmdline"))
            .map(|bytes| {
                bytes
                    .split(|b| *b == 0)
                    .filter(|a| !a.is_empty())
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let parent = std::os::unix::process::parent_id().to_string();
    let mut args = cmdline(&parent);
    let program = |args: &[String]| {
        args.first()
            .and_then(|a| Path::new(a).file_name())
            .map(|n| n.to_string_lossy().into_owned())
    };
    if program(&args).as_deref() != Some("cargo") {
        args = std::env::args().collect();
    }
    if let Some(name) = program(&args) {
        args[0] = name;
    }
    settings
        .iter()
        .cloned()
        .chain(args.iter().map(|a| redact(a)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The CPU model and count, memory, kernel and rustc, from /proc and `rustc --version`.
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpus = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown CPU", |(_, m)| m.trim())
        .to_owned();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or("unknown memory".to_owned(), |kib| {
            format!("{:.1} GiB RAM", kib / 1024.0 / 1024.0)
        });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or("unknown".to_owned(), |k| k.trim().to_owned());
    let mut text = format!("{cpus} × {model}, {memory}, Linux {kernel}");
    if let Some(rustc) = output("rustc", &["--version"]) {
        text.push_str(", ");
        text.push_str(&rustc);
    }
    text
}

/// The three load averages from /proc/loadavg.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// `git rev-parse --short HEAD`, with `+dirty` when a tracked file other than the benchmarks
/// page differs from it (a previous run's section does not make the tree dirty).
pub fn git_commit() -> Option<String> {
    let commit = output("git", &["rev-parse", "--short", "HEAD"])?;
    let changes = output(
        "git",
        &[
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            ":(top)",
            ":(top,exclude)docs/benchmarks.md",
        ],
    );
    Some(match changes {
        Some(changes) if !changes.is_empty() => format!("{commit}+dirty"),
        _ => commit,
    })
}

/// The trimmed standard output of a command that succeeded.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[cfg(test)]
mod tests;
