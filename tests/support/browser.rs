//! Debian's headless Chromium driven over WebDriver: each `Browser` is its own chromedriver
//! with one Chromium session and a fresh profile, talked to with `fantoccini`.
//!
//! chromedriver is started with `--port=0` in a process group of its own; Chromium and its
//! helpers join that group and inherit chromedriver's stdout, so dropping a `Browser` kills the
//! group and waits for that pipe to close before deleting the profile.

// Each integration test binary compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, anyhow, bail};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::process::Child;

mod launch;
use launch::{find_executable, spawn_chromedriver};

/// How long chromedriver lets one page load or script take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);
/// How long any WebDriver command may go unanswered; longer than `COMMAND_TIMEOUT` so that
/// chromedriver's own timeout error, which says more, comes first.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(15);
/// How long chromedriver may take to say which port it listens on.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(30);
/// How long dropping a `Browser` waits for chromedriver's and Chromium's processes to exit.
const EXIT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a click or typing waits for its element to appear.
const FIND_TIMEOUT: Duration = Duration::from_secs(30);
/// How often `Page::wait_for` evaluates its expression.
const POLL_INTERVAL: Duration = Duration::from_millis(50);
/// Chromium's command line, besides the profile.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--mute-audio",
    "--window-size=1280,800",
];

/// A running chromedriver with one headless Chromium session; both are killed, and the
/// profile deleted, on drop. Two `Browser`s share nothing, cookies included.
pub struct Browser {
    client: Client,
    /// Whether a `Page` of this browser is open: a browser shows one page, in its one window.
    page_open: Arc<AtomicBool>,
    process: Process,
}

/// The page a `Browser` shows; dropping it lets `Browser::new_page` open another.
pub struct Page {
    client: Client,
    page_open: Arc<AtomicBool>,
    console: Mutex<Vec<String>>,
}

/// chromedriver's process group and the profile; dropping it kills the one and deletes the other.
struct Process {
    child: Child,
    /// Disconnects when chromedriver's stdout reaches EOF, that is when every process that
    /// inherited it (chromedriver, Chromium and all its helpers) has exited.
    stdout_closed: mpsc::Receiver<()>,
    profile: ProfileDir,
}

/// A fresh profile directory, deleted on drop.
struct ProfileDir(PathBuf);

impl Browser {
    /// Starts chromedriver ($CHROMEDRIVER or chromedriver) with Chromium ($CHROMIUM or chromium)
    /// in a fresh profile; Ok(None) when either is not installed.
    ///
    /// A `$CHROMIUM` or `$CHROMEDRIVER` that names no file is an error rather than a reason to skip.
    pub async fn launch() -> anyhow::Result<Option<Browser>> {
        let Some(chromium) = find_executable("CHROMIUM", "chromium")? else {
            return Ok(None);
        };
        let Some(chromedriver) = find_executable("CHROMEDRIVER", "chromedriver")? else {
            return Ok(None);
        };
        let profile = ProfileDir::create()?;
        let mut args = vec![format!("--user-data-dir={}", profile.0.display())];
        args.extend(CHROMIUM_ARGS.iter().map(|&arg| arg.to_owned()));
        // On any error below, dropping `process` kills chromedriver and Chromium and deletes the profile.
        let (process, port) = spawn_chromedriver(&chromedriver, profile).await?;
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": args,
                // Start on about:blank: Chromium's New Tab Page, its default, sometimes takes
                // seconds to load, and chromedriver waits for it before the first navigation.
                "prefs": {
                    "session.restore_on_startup": 4,
                    "session.startup_urls": ["about:blank"],
                },
            },
            // Keeps the page's console messages and uncaught errors for `Page::console_log`.
            "goog:loggingPrefs": { "browser": "ALL" },
            "timeouts": {
                "pageLoad": COMMAND_TIMEOUT.as_secs() * 1000,
                "script": COMMAND_TIMEOUT.as_secs() * 1000,
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("capabilities are a JSON object literal");
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let mut builder = ClientBuilder::new(connector);
        builder.capabilities(capabilities);
        let address = format!("http://127.0.0.1:{port}");
        let session = builder.connect(&address);
        let client = tokio::time::timeout(LAUNCH_TIMEOUT, session)
            .await
            .map_err(|_| anyhow!("chromedriver started no Chromium within {LAUNCH_TIMEOUT:?}"))?
            .context("starting a Chromium session in chromedriver")?;
        Ok(Some(Browser {
            client,
            page_open: Arc::new(AtomicBool::new(false)),
            process,
        }))
    }

    /// Loads `url` in the browser's window and waits for its load event.
    ///
    /// A browser shows one page at a time: this fails while a `Page` of it is still open.
    pub async fn new_page(&self, url: &str) -> anyhow::Result<Page> {
        if self.page_open.swap(true, Ordering::SeqCst) {
            bail!("this browser already shows a page; launch another Browser for a second one");
        }
        // From here on, dropping `page` frees the window if loading fails.
        let page = Page {
            client: self.client.clone(),
            page_open: Arc::clone(&self.page_open),
            console: Mutex::new(Vec::new()),
        };
        // A renderer starved of CPU on a loaded machine makes chromedriver give up after about
        // 10 s ("Timed out receiving message from renderer"); loading again then succeeds.
        let mut attempt = 1;
        loop {
            match timed(&format!("loading {url}"), self.client.goto(url)).await {
                Ok(()) => break,
                Err(error) if attempt < 3 => {
                    eprintln!("loading {url} failed (attempt {attempt}), trying again: {error:#}");
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
        page.collect_console().await;
        Ok(page)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // SIGKILL to chromedriver, Chromium and its helpers: they share chromedriver's group.
        if let Some(group) = self
            .child
            .id()
            .and_then(|pid| rustix::process::Pid::from_raw(i32::try_from(pid).ok()?))
        {
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        }
        let _ = self.child.start_kill();
        // Chromium's crash handler leaves the group but not the pipe; wait (bounded) for all
        // of them to be gone before `profile` drops and deletes it.
        let _ = self.stdout_closed.recv_timeout(EXIT_TIMEOUT);
    }
}

impl ProfileDir {
    /// Creates a new, empty profile directory under the system temp directory.
    fn create() -> anyhow::Result<ProfileDir> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let mut last_error = None;
        for _ in 0..16 {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let dir = std::env::temp_dir()
                .join(format!("sb-chromium-{}-{nanos}-{n}", std::process::id()));
            match std::fs::create_dir(&dir) {
                Ok(()) => return Ok(ProfileDir(dir)),
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                    last_error = Some(err);
                }
                Err(err) => {
                    return Err(err).with_context(|| format!("creating {}", dir.display()));
                }
            }
        }
        Err(anyhow!(
            "could not create a fresh Chromium profile directory: {last_error:?}"
        ))
    }
}

impl Drop for ProfileDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Page {
    /// Evaluates a JS expression and returns its value, awaiting it if it is a promise; a
    /// thrown exception is an Err with the exception text.
    ///
    /// `undefined` comes back as `null`.
    pub async fn eval(&self, js: &str) -> anyhow::Result<Value> {
        let value = self.run(js).await;
        self.collect_console().await;
        value
    }

    /// Polls `js` (an expression) every 50 ms until it evaluates truthy, returns that value; Err naming the expression on timeout.
    ///
    /// An evaluation that throws counts as not yet true; the last error is quoted on timeout.
    pub async fn wait_for(&self, js: &str, timeout: Duration) -> anyhow::Result<Value> {
        let deadline = Instant::now() + timeout;
        let mut last = String::from("nothing: no evaluation finished in time");
        let outcome = loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(remaining, self.run(js)).await {
                Ok(Ok(value)) if is_truthy(&value) => break Ok(value),
                Ok(Ok(value)) => last = format!("value {value}"),
                Ok(Err(err)) => last = format!("error {err:#}"),
                Err(_) => {}
            }
            if Instant::now() + POLL_INTERVAL >= deadline {
                break Err(anyhow!(
                    "timed out after {timeout:?} waiting for `{js}` to be truthy; last saw {last}"
                ));
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        };
        self.collect_console().await;
        outcome
    }

    /// Clicks the first element matching the CSS `selector` with WebDriver's Element Click:
    /// real mouse input at its centre after scrolling it into view, so it counts as a user
    /// gesture (this matters: the page unlocks audio autoplay on a click).
    pub async fn click(&self, selector: &str) -> anyhow::Result<()> {
        let clicked = async {
            let element = self.find(selector).await?;
            timed(&format!("clicking `{selector}`"), element.click()).await
        }
        .await;
        self.collect_console().await;
        clicked
    }

    /// Types `text` into the first element matching `selector` with WebDriver's Element Send
    /// Keys: it is focused, the caret goes to the end, and each character is a key press.
    pub async fn type_into(&self, selector: &str, text: &str) -> anyhow::Result<()> {
        let typed = async {
            let element = self.find(selector).await?;
            timed(
                &format!("typing into `{selector}`"),
                element.send_keys(text),
            )
            .await
        }
        .await;
        self.collect_console().await;
        typed
    }

    /// Presses a key (e.g. "Enter") in the focused element: a key down and a key up.
    ///
    /// Known names are Enter, Tab, Escape, Backspace, Delete, Space, the arrow keys, Home, End,
    /// PageUp and PageDown; a single letter, digit or other character is pressed as itself.
    pub async fn press_key(&self, key: &str) -> anyhow::Result<()> {
        let value = key_value(key).ok_or_else(|| anyhow!("press_key: unknown key {key:?}"))?;
        let actions = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value });
        let pressed = timed(
            &format!("pressing {key}"),
            self.client.perform_actions(actions),
        )
        .await;
        self.collect_console().await;
        pressed
    }

    /// Presses `key` (a name as for [`Page::press_key`]) while holding Control: Ctrl+Enter.
    pub async fn press_with_control(&self, key: &str) -> anyhow::Result<()> {
        let value =
            key_value(key).ok_or_else(|| anyhow!("press_with_control: unknown key {key:?}"))?;
        let control = char::from(Key::Control);
        let actions = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: control })
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value })
            .then(KeyAction::Up { value: control });
        let pressed = timed(
            &format!("pressing Ctrl+{key}"),
            self.client.perform_actions(actions),
        )
        .await;
        self.collect_console().await;
        pressed
    }

    /// Reloads the page, as the browser's reload button does.
    pub async fn reload(&self) -> anyhow::Result<()> {
        let reloaded = timed("reloading the page", self.client.refresh()).await;
        self.collect_console().await;
        reloaded
    }

    /// Saves a PNG screenshot of the window to `path`.
    ///
    /// Missing parent directories are created.
    pub async fn screenshot(&self, path: &Path) -> anyhow::Result<()> {
        let png = timed("taking a screenshot", self.client.screenshot()).await?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }

    /// Console messages and uncaught exceptions the page produced up to the last operation on
    /// it, for failure messages.
    ///
    /// Each entry reads like `[INFO] console-api 12:8 "text"` or `[SEVERE] javascript 3:1 Uncaught Error: text`
    /// (Chromium's own wording, as chromedriver reports it).
    pub fn console_log(&self) -> Vec<String> {
        self.console
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Grants the page's origin the browser permission `name` (e.g. "notifications") with
    /// WebDriver's Set Permission command, as a person clicking "Allow" would.
    pub async fn grant_permission(&self, name: &str) -> anyhow::Result<()> {
        timed(
            &format!("granting {name}"),
            self.client.issue_cmd(SetPermission {
                name: name.to_owned(),
            }),
        )
        .await
        .map(drop)
    }

    /// Runs `js` as an expression with WebDriver's Execute Script.
    async fn run(&self, js: &str) -> anyhow::Result<Value> {
        // Newlines keep a trailing `// comment` in `js` from swallowing the parenthesis.
        let script = format!("return (\n{js}\n);");
        timed(
            &format!("evaluating `{js}`"),
            self.client.execute(&script, Vec::new()),
        )
        .await
    }

    /// Finds the first element matching the CSS `selector`.
    /// The first element matching `selector`, waiting up to `FIND_TIMEOUT` for it to appear: a
    /// page renders lists after its requests answer, which on a loaded machine takes a while.
    async fn find(&self, selector: &str) -> anyhow::Result<fantoccini::elements::Element> {
        let what = format!("finding `{selector}`");
        let wait = self
            .client
            .wait()
            .at_most(FIND_TIMEOUT)
            .every(POLL_INTERVAL)
            .for_element(Locator::Css(selector));
        match tokio::time::timeout(FIND_TIMEOUT + ANSWER_TIMEOUT, wait).await {
            Ok(Ok(element)) => Ok(element),
            Ok(Err(err)) => {
                Err(anyhow!(err).context(format!("{what} failed within {FIND_TIMEOUT:?}")))
            }
            Err(_) => bail!("{what} got no answer from chromedriver"),
        }
    }

    /// Moves the messages chromedriver gathered since the last call into `console`.
    ///
    /// Best-effort: failing to read them must not hide the error being reported.
    async fn collect_console(&self) {
        let Ok(Ok(Value::Array(entries))) =
            tokio::time::timeout(ANSWER_TIMEOUT, self.client.issue_cmd(BrowserLog)).await
        else {
            return;
        };
        let lines = entries.iter().map(|entry| {
            let text = |key: &str| entry.get(key).and_then(Value::as_str).unwrap_or_default();
            format!("[{}] {}", text("level"), text("message"))
        });
        self.console
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .extend(lines);
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        self.page_open.store(false, Ordering::SeqCst);
    }
}

/// chromedriver's (non-standard) Get Log command for the browser log: the entries since the
/// last call.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}

/// WebDriver's Set Permission command (Permissions spec, supported by chromedriver): sets a
/// permission of the current page's origin to "granted".
#[derive(Debug)]
struct SetPermission {
    name: String,
}

impl WebDriverCompatibleCommand for SetPermission {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/permissions",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"descriptor": {"name": self.name}, "state": "granted"});
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Runs one WebDriver command for at most `ANSWER_TIMEOUT`, naming `what` on failure.
async fn timed<T>(
    what: &str,
    command: impl Future<Output = Result<T, fantoccini::error::CmdError>>,
) -> anyhow::Result<T> {
    match tokio::time::timeout(ANSWER_TIMEOUT, command).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(anyhow!(err).context(format!("{what} failed"))),
        Err(_) => bail!("{what} got no answer from chromedriver within {ANSWER_TIMEOUT:?}"),
    }
}

/// Whether a value from `eval` is truthy in JS.
fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// The WebDriver key value of a key name or a single character.
fn key_value(name: &str) -> Option<char> {
    let key = match name {
        "Enter" => Key::Enter,
        "Tab" => Key::Tab,
        "Escape" => Key::Escape,
        "Backspace" => Key::Backspace,
        "Delete" => Key::Delete,
        " " | "Space" => return Some(' '),
        "ArrowLeft" => Key::Left,
        "ArrowUp" => Key::Up,
        "ArrowRight" => Key::Right,
        "ArrowDown" => Key::Down,
        "Home" => Key::Home,
        "End" => Key::End,
        "PageUp" => Key::PageUp,
        "PageDown" => Key::PageDown,
        _ => {
            let mut chars = name.chars();
            let c = chars.next()?;
            return chars.next().is_none().then_some(c);
        }
    };
    Some(char::from(key))
}
