//! A small driver for Debian's headless Chromium over the Chrome DevTools Protocol (CDP).
//!
//! The browser is started with `--remote-debugging-port=0` and a fresh profile directory.
//! A single WebSocket to the browser endpoint carries every command; each tab is attached
//! with `flatten: true`, so its commands and events are told apart by `sessionId`.
//! One background task owns the socket: it hands responses to their waiting callers by
//! `id` and events to the page they belong to by `sessionId`.

// Each integration test binary compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, anyhow, bail};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// How long one CDP command may take before it fails.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a new tab may take to fire its load event.
const LOAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long Chromium may take to print its DevTools address.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(30);
/// How long dropping a `Browser` waits for Chromium's processes to exit.
const EXIT_TIMEOUT: Duration = Duration::from_secs(5);
/// How often `Page::wait_for` evaluates its expression.
const POLL_INTERVAL: Duration = Duration::from_millis(50);
/// The viewport every page gets.
const VIEWPORT: (u32, u32) = (1280, 800);

/// A running headless Chromium that is killed, and whose profile is deleted, on drop.
pub struct Browser {
    conn: Arc<Conn>,
    io_task: JoinHandle<()>,
    process: Process,
}

/// The Chromium process and its profile; dropping it kills the one and deletes the other.
struct Process {
    child: Child,
    /// Disconnects when Chromium's stderr reaches EOF, that is when every process that
    /// inherited it (the browser and all its helpers) has exited.
    stderr_closed: std::sync::mpsc::Receiver<()>,
    profile: ProfileDir,
}

/// A fresh profile directory, deleted on drop.
struct ProfileDir(PathBuf);

/// One browser tab, attached over the browser's WebSocket with its own CDP session.
///
/// Dropping a page closes its tab.
pub struct Page {
    conn: Arc<Conn>,
    target_id: String,
    session_id: String,
    state: Arc<SessionState>,
}

/// What the background task and the callers share.
struct Conn {
    next_id: AtomicU64,
    outgoing: mpsc::UnboundedSender<String>,
    pending: Mutex<Pending>,
    sessions: Mutex<HashMap<String, Arc<SessionState>>>,
}

/// The callers waiting for a response, and whether the socket is gone.
#[derive(Default)]
struct Pending {
    closed: bool,
    waiters: HashMap<u64, oneshot::Sender<Result<Value, String>>>,
}

/// What the background task records for one page from its events.
#[derive(Default)]
struct SessionState {
    console: Mutex<Vec<String>>,
    load_waiter: Mutex<Option<oneshot::Sender<()>>>,
}

/// Locks a mutex, carrying on with the data if another thread panicked while holding it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Browser {
    /// Finds Chromium ($CHROMIUM or /usr/bin/chromium or chromium on PATH); Ok(None) when there is none.
    ///
    /// A `$CHROMIUM` that names no file is an error rather than a reason to skip.
    pub async fn launch() -> anyhow::Result<Option<Browser>> {
        let Some(executable) = find_chromium()? else {
            return Ok(None);
        };
        let profile = ProfileDir::create()?;
        // On any error below, dropping `process` kills Chromium and deletes the profile.
        let (process, ws_url) = spawn_chromium(&executable, profile).await?;
        let (conn, io_task) = connect(&ws_url).await?;
        Ok(Some(Browser {
            conn,
            io_task,
            process,
        }))
    }

    /// Opens a new tab at `url` and waits for its load event.
    pub async fn new_page(&self, url: &str) -> anyhow::Result<Page> {
        let created = self
            .conn
            .call(None, "Target.createTarget", json!({ "url": "about:blank" }))
            .await?;
        let target_id = str_field(&created, "targetId")?;
        let attached = match self
            .conn
            .call(
                None,
                "Target.attachToTarget",
                json!({ "targetId": target_id, "flatten": true }),
            )
            .await
        {
            Ok(attached) => attached,
            Err(err) => {
                self.conn.close_target(&target_id);
                return Err(err);
            }
        };
        let session_id = match str_field(&attached, "sessionId") {
            Ok(session_id) => session_id,
            Err(err) => {
                self.conn.close_target(&target_id);
                return Err(err);
            }
        };
        let state = Arc::new(SessionState::default());
        lock(&self.conn.sessions).insert(session_id.clone(), Arc::clone(&state));
        // From here on, dropping `page` closes the tab if a later step fails.
        let page = Page {
            conn: Arc::clone(&self.conn),
            target_id,
            session_id,
            state,
        };
        page.call("Page.enable", json!({})).await?;
        page.call("Runtime.enable", json!({})).await?;
        page.call(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": VIEWPORT.0,
                "height": VIEWPORT.1,
                "deviceScaleFactor": 1,
                "mobile": false,
            }),
        )
        .await?;
        // Every tab behaves as the focused one, so focus and blur work in each of several tabs.
        page.call(
            "Emulation.setFocusEmulationEnabled",
            json!({ "enabled": true }),
        )
        .await?;

        let (load_tx, load_rx) = oneshot::channel();
        *lock(&page.state.load_waiter) = Some(load_tx);
        let navigated = page.call("Page.navigate", json!({ "url": url })).await?;
        if let Some(error) = navigated.get("errorText").and_then(Value::as_str) {
            bail!("Page.navigate to {url} failed: {error}");
        }
        match tokio::time::timeout(LOAD_TIMEOUT, load_rx).await {
            Ok(Ok(())) => Ok(page),
            Ok(Err(_)) => bail!("the CDP connection closed while {url} was loading"),
            Err(_) => bail!("{url} fired no load event within {LOAD_TIMEOUT:?}"),
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.io_task.abort();
        // Then `process` drops: Chromium is killed and its profile deleted.
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // SIGKILL to the browser process; its helpers exit once their link to it breaks.
        let _ = self.child.start_kill();
        // Helpers still write into the profile for a moment after the browser dies, so wait
        // (bounded) for all of them to be gone before `profile` drops and deletes it.
        let _ = self.stderr_closed.recv_timeout(EXIT_TIMEOUT);
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
                .join(format!("cdp-chromium-{}-{nanos}-{n}", std::process::id()));
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
    /// Evaluates a JS expression (awaitPromise: true, returnByValue: true) and returns its value; a thrown exception is an Err with the exception text.
    ///
    /// `undefined` comes back as `null`, and values JSON cannot hold (`NaN`, `Infinity`,
    /// `-0`, BigInts) as their JS spelling in a string.
    pub async fn eval(&self, js: &str) -> anyhow::Result<Value> {
        let reply = self
            .call(
                "Runtime.evaluate",
                json!({
                    "expression": js,
                    "awaitPromise": true,
                    "returnByValue": true,
                }),
            )
            .await?;
        if let Some(details) = reply.get("exceptionDetails") {
            bail!("evaluating `{js}` threw: {}", exception_text(details));
        }
        let result = reply.get("result").unwrap_or(&Value::Null);
        if let Some(value) = result.get("value") {
            return Ok(value.clone());
        }
        if let Some(spelling) = result.get("unserializableValue") {
            return Ok(spelling.clone());
        }
        Ok(Value::Null)
    }

    /// Polls `js` (an expression) every 50 ms until it evaluates truthy, returns that value; Err naming the expression on timeout.
    ///
    /// An evaluation that throws counts as not yet true; the last error is quoted on timeout.
    pub async fn wait_for(&self, js: &str, timeout: Duration) -> anyhow::Result<Value> {
        let deadline = Instant::now() + timeout;
        let mut last = String::from("nothing: no evaluation finished in time");
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(remaining, self.eval(js)).await {
                Ok(Ok(value)) if is_truthy(&value) => return Ok(value),
                Ok(Ok(value)) => last = format!("value {value}"),
                Ok(Err(err)) => last = format!("error {err:#}"),
                Err(_) => {}
            }
            if Instant::now() + POLL_INTERVAL >= deadline {
                bail!(
                    "timed out after {timeout:?} waiting for `{js}` to be truthy; last saw {last}"
                );
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    /// Clicks the centre of the first element matching `selector` with real mouse events (Input.dispatchMouseEvent mouseMoved, mousePressed, mouseReleased, button left, clickCount 1) after scrollIntoView; Err if absent or zero-sized. These count as a user gesture (this matters: the page unlocks audio autoplay on a click).
    pub async fn click(&self, selector: &str) -> anyhow::Result<()> {
        let sel = js_string(selector);
        let rect = self
            .eval(&format!(
                "(() => {{
                    const el = document.querySelector({sel});
                    if (!el) return null;
                    el.scrollIntoView({{ block: 'center', inline: 'center', behavior: 'instant' }});
                    const r = el.getBoundingClientRect();
                    return {{ x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width, h: r.height }};
                }})()"
            ))
            .await?;
        if rect.is_null() {
            bail!("click: no element matches `{selector}`");
        }
        let num = |key: &str| -> anyhow::Result<f64> {
            rect.get(key)
                .and_then(Value::as_f64)
                .ok_or_else(|| anyhow!("click: bad bounding box for `{selector}`: {rect}"))
        };
        let (x, y, w, h) = (num("x")?, num("y")?, num("w")?, num("h")?);
        if w <= 0.0 || h <= 0.0 {
            bail!("click: `{selector}` has zero size ({w}x{h})");
        }
        self.call(
            "Input.dispatchMouseEvent",
            json!({ "type": "mouseMoved", "x": x, "y": y, "button": "none", "buttons": 0 }),
        )
        .await?;
        for (kind, buttons) in [("mousePressed", 1), ("mouseReleased", 0)] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({
                    "type": kind,
                    "x": x,
                    "y": y,
                    "button": "left",
                    "buttons": buttons,
                    "clickCount": 1,
                }),
            )
            .await?;
        }
        Ok(())
    }

    /// Focuses the element and types `text` with Input.insertText.
    ///
    /// The caret is put at the end first where the element allows it, so the text is appended.
    pub async fn type_into(&self, selector: &str, text: &str) -> anyhow::Result<()> {
        let sel = js_string(selector);
        let found = self
            .eval(&format!(
                "(() => {{
                    const el = document.querySelector({sel});
                    if (!el) return false;
                    el.focus();
                    try {{ const n = el.value.length; el.setSelectionRange(n, n); }} catch (_) {{}}
                    return true;
                }})()"
            ))
            .await?;
        if found != Value::Bool(true) {
            bail!("type_into: no element matches `{selector}`");
        }
        self.call("Input.insertText", json!({ "text": text }))
            .await?;
        Ok(())
    }

    /// Presses a key (e.g. "Enter") with Input.dispatchKeyEvent keyDown/keyUp including the right code/windowsVirtualKeyCode/text.
    ///
    /// Known names are Enter, Tab, Escape, Backspace, Delete, Space, the arrow keys, Home, End,
    /// PageUp and PageDown; a single letter, digit or other character is pressed as itself.
    pub async fn press_key(&self, key: &str) -> anyhow::Result<()> {
        let spec = key_spec(key).ok_or_else(|| anyhow!("press_key: unknown key {key:?}"))?;
        let mut down = json!({
            "type": if spec.text.is_some() { "keyDown" } else { "rawKeyDown" },
            "key": spec.key,
            "code": spec.code,
            "windowsVirtualKeyCode": spec.key_code,
            "nativeVirtualKeyCode": spec.key_code,
        });
        if let Some(text) = &spec.text {
            down["text"] = json!(text);
            down["unmodifiedText"] = json!(text);
        }
        self.call("Input.dispatchKeyEvent", down).await?;
        self.call(
            "Input.dispatchKeyEvent",
            json!({
                "type": "keyUp",
                "key": spec.key,
                "code": spec.code,
                "windowsVirtualKeyCode": spec.key_code,
                "nativeVirtualKeyCode": spec.key_code,
            }),
        )
        .await?;
        Ok(())
    }

    /// Saves a PNG screenshot (Page.captureScreenshot) to `path`.
    ///
    /// Missing parent directories are created.
    pub async fn screenshot(&self, path: &Path) -> anyhow::Result<()> {
        let reply = self
            .call("Page.captureScreenshot", json!({ "format": "png" }))
            .await?;
        let png = base64_decode(&str_field(&reply, "data")?)?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(path, png).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }

    /// Console messages and uncaught exceptions the page produced so far (Runtime.consoleAPICalled / Runtime.exceptionThrown), for failure messages.
    ///
    /// Each entry reads like `[log] text` or `[exception] Error: text`.
    pub fn console_log(&self) -> Vec<String> {
        lock(&self.state.console).clone()
    }

    /// Sends one command in this page's session.
    async fn call(&self, method: &str, params: Value) -> anyhow::Result<Value> {
        self.conn.call(Some(&self.session_id), method, params).await
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        lock(&self.conn.sessions).remove(&self.session_id);
        self.conn.close_target(&self.target_id);
    }
}

impl Conn {
    /// Sends a command and waits for its response, for at most `COMMAND_TIMEOUT`.
    async fn call(
        &self,
        session_id: Option<&str>,
        method: &str,
        params: Value,
    ) -> anyhow::Result<Value> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session_id) = session_id {
            message["sessionId"] = json!(session_id);
        }
        let (tx, rx) = oneshot::channel();
        {
            let mut pending = lock(&self.pending);
            if pending.closed {
                bail!("CDP {method}: the connection to Chromium is closed");
            }
            pending.waiters.insert(id, tx);
        }
        if self.outgoing.send(message.to_string()).is_err() {
            lock(&self.pending).waiters.remove(&id);
            bail!("CDP {method}: the connection to Chromium is closed");
        }
        match tokio::time::timeout(COMMAND_TIMEOUT, rx).await {
            Ok(Ok(Ok(result))) => Ok(result),
            Ok(Ok(Err(error))) => bail!("CDP {method} failed: {error}"),
            Ok(Err(_)) => bail!("CDP {method}: the connection to Chromium closed"),
            Err(_) => {
                lock(&self.pending).waiters.remove(&id);
                bail!("CDP {method} got no response within {COMMAND_TIMEOUT:?}")
            }
        }
    }

    /// Asks Chromium to close a tab without waiting for the answer.
    fn close_target(&self, target_id: &str) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let message = json!({
            "id": id,
            "method": "Target.closeTarget",
            "params": { "targetId": target_id },
        });
        let _ = self.outgoing.send(message.to_string());
    }

    /// Handles one text frame from Chromium.
    fn dispatch(&self, text: &str) {
        let Ok(message) = serde_json::from_str::<Value>(text) else {
            return;
        };
        if let Some(id) = message.get("id").and_then(Value::as_u64) {
            let Some(waiter) = lock(&self.pending).waiters.remove(&id) else {
                return;
            };
            let outcome = match message.get("error") {
                Some(error) => Err(cdp_error_text(error)),
                None => Ok(message.get("result").cloned().unwrap_or(Value::Null)),
            };
            let _ = waiter.send(outcome);
            return;
        }
        let Some(session_id) = message.get("sessionId").and_then(Value::as_str) else {
            return;
        };
        let Some(state) = lock(&self.sessions).get(session_id).cloned() else {
            return;
        };
        let params = message.get("params").unwrap_or(&Value::Null);
        match message.get("method").and_then(Value::as_str) {
            Some("Page.loadEventFired") => {
                if let Some(waiter) = lock(&state.load_waiter).take() {
                    let _ = waiter.send(());
                }
            }
            Some("Runtime.consoleAPICalled") => {
                let kind = params.get("type").and_then(Value::as_str).unwrap_or("log");
                let args: Vec<String> = params
                    .get("args")
                    .and_then(Value::as_array)
                    .map(|args| args.iter().map(remote_object_text).collect())
                    .unwrap_or_default();
                lock(&state.console).push(format!("[{kind}] {}", args.join(" ")));
            }
            Some("Runtime.exceptionThrown") => {
                let details = params.get("exceptionDetails").unwrap_or(&Value::Null);
                lock(&state.console).push(format!("[exception] {}", exception_text(details)));
            }
            _ => {}
        }
    }

    /// Fails every waiting call and refuses new ones; run when the background task ends.
    fn shut(&self) {
        let mut pending = lock(&self.pending);
        pending.closed = true;
        pending.waiters.clear();
        drop(pending);
        for state in lock(&self.sessions).values() {
            lock(&state.load_waiter).take();
        }
    }
}

/// Marks the connection closed when the background task ends, even by `abort`.
struct ShutOnDrop(Arc<Conn>);

impl Drop for ShutOnDrop {
    fn drop(&mut self) {
        self.0.shut();
    }
}

/// Starts Chromium and reads its DevTools WebSocket address from its stderr.
async fn spawn_chromium(
    executable: &Path,
    profile: ProfileDir,
) -> anyhow::Result<(Process, String)> {
    let mut child = Command::new(executable)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-default-apps",
            "--mute-audio",
            "--remote-debugging-port=0",
        ])
        .arg(format!("--user-data-dir={}", profile.0.display()))
        .arg("about:blank")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", executable.display()))?;
    let stderr = child
        .stderr
        .take()
        .ok_or_else(|| anyhow!("Chromium's stderr was not captured"))
        .and_then(|stderr| Ok(stderr.into_owned_fd()?));
    let stderr = match stderr {
        Ok(stderr) => std::fs::File::from(stderr),
        Err(err) => {
            let _ = child.start_kill();
            return Err(err);
        }
    };
    let (address_tx, address_rx) = oneshot::channel();
    let (closed_tx, stderr_closed) = std::sync::mpsc::channel::<()>();
    // A plain thread, not a task, so that `Process::drop` can block on it in any runtime.
    let spawned = std::thread::Builder::new()
        .name("chromium-stderr".to_owned())
        .spawn(move || read_stderr(stderr, address_tx, closed_tx));
    let process = Process {
        child,
        stderr_closed,
        profile,
    };
    spawned.context("starting the thread that reads Chromium's stderr")?;

    match tokio::time::timeout(LAUNCH_TIMEOUT, address_rx).await {
        Ok(Ok(Ok(url))) => Ok((process, url)),
        Ok(Ok(Err(said))) => bail!(
            "Chromium closed its stderr without printing a DevTools address; it said:\n{said}"
        ),
        Ok(Err(_)) => bail!("the thread reading Chromium's stderr stopped"),
        Err(_) => bail!("Chromium printed no DevTools address within {LAUNCH_TIMEOUT:?}"),
    }
}

/// Reads Chromium's stderr to its end: hands over the DevTools address, then keeps draining
/// so that Chromium never blocks on a full pipe. `closed_tx` drops at EOF.
fn read_stderr(
    stderr: std::fs::File,
    address_tx: oneshot::Sender<Result<String, String>>,
    closed_tx: std::sync::mpsc::Sender<()>,
) {
    use std::io::BufRead;
    let _closed_tx = closed_tx;
    let mut reader = std::io::BufReader::new(stderr);
    let mut address_tx = Some(address_tx);
    // Chromium prints a lot of noise (D-Bus complaints and the like) before the address.
    let mut seen: Vec<String> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let Some(tx) = address_tx.take() else {
            continue;
        };
        let text = String::from_utf8_lossy(&line);
        if let Some(rest) = text.split("DevTools listening on ").nth(1) {
            let _ = tx.send(Ok(rest.trim().to_owned()));
        } else {
            if seen.len() == 20 {
                seen.remove(0);
            }
            seen.push(text.trim_end().to_owned());
            address_tx = Some(tx);
        }
    }
    if let Some(tx) = address_tx {
        let _ = tx.send(Err(seen.join("\n")));
    }
}

/// Connects to the browser's WebSocket and starts the task that owns it.
async fn connect(ws_url: &str) -> anyhow::Result<(Arc<Conn>, JoinHandle<()>)> {
    let (socket, _) = tokio_tungstenite::connect_async(ws_url)
        .await
        .with_context(|| format!("connecting to Chromium at {ws_url}"))?;
    let (outgoing, mut to_send) = mpsc::unbounded_channel::<String>();
    let conn = Arc::new(Conn {
        next_id: AtomicU64::new(1),
        outgoing,
        pending: Mutex::new(Pending::default()),
        sessions: Mutex::new(HashMap::new()),
    });
    let guard = ShutOnDrop(Arc::clone(&conn));
    let io_task = tokio::spawn(async move {
        let guard = guard;
        let mut socket = socket;
        loop {
            tokio::select! {
                out = to_send.recv() => {
                    let Some(text) = out else { break };
                    if socket.send(Message::text(text)).await.is_err() {
                        break;
                    }
                }
                incoming = socket.next() => match incoming {
                    Some(Ok(Message::Text(text))) => guard.0.dispatch(text.as_str()),
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                    Some(Ok(_)) => {}
                },
            }
        }
    });
    Ok((conn, io_task))
}

/// Finds the Chromium executable to run, if there is one.
fn find_chromium() -> anyhow::Result<Option<PathBuf>> {
    if let Some(path) = std::env::var_os("CHROMIUM").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        if !path.is_file() {
            bail!("$CHROMIUM is {}, which is not a file", path.display());
        }
        return Ok(Some(path));
    }
    let debian = PathBuf::from("/usr/bin/chromium");
    if debian.is_file() {
        return Ok(Some(debian));
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("chromium"))
            .find(|candidate| candidate.is_file())
    });
    Ok(on_path)
}

/// Reads a string field from a CDP result.
fn str_field(value: &Value, key: &str) -> anyhow::Result<String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("CDP result has no string `{key}`: {value}"))
}

/// Spells `text` as a JS string literal.
fn js_string(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

/// Formats a CDP error object as its message, with its data when there is some.
fn cdp_error_text(error: &Value) -> String {
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| error.to_string());
    match error.get("data") {
        Some(data) => format!(
            "{message} ({})",
            data.as_str()
                .map_or_else(|| data.to_string(), str::to_owned)
        ),
        None => message,
    }
}

/// The text of a Runtime.ExceptionDetails: the exception's description, else its text.
fn exception_text(details: &Value) -> String {
    let exception = details.get("exception");
    let described = exception
        .and_then(|e| e.get("description"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| exception.and_then(|e| e.get("value")).map(plain_text));
    let text = details
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or("exception");
    described.unwrap_or_else(|| text.to_owned())
}

/// One console argument as text: strings bare, other values as JSON or their description.
fn remote_object_text(object: &Value) -> String {
    if let Some(value) = object.get("value") {
        return plain_text(value);
    }
    for key in ["unserializableValue", "description", "type"] {
        if let Some(text) = object.get(key).and_then(Value::as_str) {
            return text.to_owned();
        }
    }
    object.to_string()
}

/// A JSON value as text, with strings unquoted.
fn plain_text(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

/// Whether a value from `eval` is truthy in JS.
fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        // Unserializable values arrive as strings; of those only NaN, -0 and 0n are falsy.
        Value::String(s) => !matches!(s.as_str(), "" | "NaN" | "-0" | "0n"),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// What Input.dispatchKeyEvent needs to press one key.
struct KeySpec {
    key: String,
    code: String,
    key_code: u32,
    text: Option<String>,
}

/// The key, code, virtual key code and text of a key name or a single character.
fn key_spec(name: &str) -> Option<KeySpec> {
    let named = |key: &str, code: &str, key_code: u32, text: Option<&str>| KeySpec {
        key: key.to_owned(),
        code: code.to_owned(),
        key_code,
        text: text.map(str::to_owned),
    };
    let spec = match name {
        "Enter" => named("Enter", "Enter", 13, Some("\r")),
        "Tab" => named("Tab", "Tab", 9, None),
        "Escape" => named("Escape", "Escape", 27, None),
        "Backspace" => named("Backspace", "Backspace", 8, None),
        "Delete" => named("Delete", "Delete", 46, None),
        " " | "Space" => named(" ", "Space", 32, Some(" ")),
        "ArrowLeft" => named("ArrowLeft", "ArrowLeft", 37, None),
        "ArrowUp" => named("ArrowUp", "ArrowUp", 38, None),
        "ArrowRight" => named("ArrowRight", "ArrowRight", 39, None),
        "ArrowDown" => named("ArrowDown", "ArrowDown", 40, None),
        "Home" => named("Home", "Home", 36, None),
        "End" => named("End", "End", 35, None),
        "PageUp" => named("PageUp", "PageUp", 33, None),
        "PageDown" => named("PageDown", "PageDown", 34, None),
        _ => {
            let mut chars = name.chars();
            let c = chars.next()?;
            if chars.next().is_some() {
                return None;
            }
            let text = Some(c.to_string());
            if c.is_ascii_alphabetic() {
                let upper = c.to_ascii_uppercase();
                KeySpec {
                    key: c.to_string(),
                    code: format!("Key{upper}"),
                    key_code: u32::from(upper),
                    text,
                }
            } else if c.is_ascii_digit() {
                KeySpec {
                    key: c.to_string(),
                    code: format!("Digit{c}"),
                    key_code: u32::from(c),
                    text,
                }
            } else {
                KeySpec {
                    key: c.to_string(),
                    code: String::new(),
                    key_code: 0,
                    text,
                }
            }
        }
    };
    Some(spec)
}

/// Decodes standard base64 (with or without padding), as CDP sends binary data.
fn base64_decode(text: &str) -> anyhow::Result<Vec<u8>> {
    fn sextet(byte: u8) -> Option<u32> {
        match byte {
            b'A'..=b'Z' => Some(u32::from(byte - b'A')),
            b'a'..=b'z' => Some(u32::from(byte - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(byte - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let bytes = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0u32;
    for &byte in bytes {
        let value = sextet(byte).ok_or_else(|| anyhow!("invalid base64 byte {byte:#04x}"))?;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Ok(out)
}
