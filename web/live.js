/**
 * Live events over the WebSocket at /ws, gapless across reconnects: the
 * module keeps the seq of the last event it applied and reconnects with
 * `/ws?after=<seq>`, so the server replays what this tab missed (in order,
 * once each) before live events; events at or before that seq are ignored.
 * When the server cannot replay the gap it sends `resync` and the console
 * reloads. A full page reload starts afresh from the hello's seq (the page
 * loads its state anew, so nothing is kept in storage). Reconnects back off
 * exponentially with full jitter (0.5 s doubling up to 30 s, reset after a
 * connection that stayed up, and skipped when the browser reports the
 * network back online), and the connection state goes to the state
 * module (app.js shows "Reconnecting…" in #connection).
 *
 * The protocol is typed at this end too: every server frame goes through one
 * dispatcher keyed by its `type` (a table of handlers; an unknown type is
 * logged and ignored), and the console sends only frames built by one
 * function per client frame type (docs/api.md, "WebSocket /ws"). A ping every
 * 25 s replaces a connection that has gone silent.
 */

import { CLIENT_FRAME, CONNECTION, EVENT, WS_CLOSE } from './constants.js';
import { setConnection } from './state.js';

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30000;
/** A connection that stayed up this long resets the backoff. */
const STABLE_MS = 10000;
/** How often an open console pings the server. */
const HEARTBEAT_MS = 25000;
/** How long after a ping a silent connection counts as dead and is replaced. */
const PONG_WAIT_MS = 10000;
/** How long a connection may take to open before it counts as failed and is replaced. */
const CONNECT_TIMEOUT_MS = 10000;

/** The frames a console may send: one builder per client frame type. */
const clientFrames = Object.freeze({
  /** `{"type": "ping", "id": n}`: answered by a pong with the same id. */
  [CLIENT_FRAME.PING]: (id) => ({ type: CLIENT_FRAME.PING, id }),
});

/** The server frames this module answers itself (the rest come from hooks.frames). */
const ownFrames = Object.freeze({
  // Any frame proves the connection alive (see the message listener); a pong needs no more.
  [EVENT.PONG]: () => {},
  [EVENT.HELLO]: onHello,
  [EVENT.RESYNC]: onResync,
});

let handlers = {};
let frameHandlers = {};
let socket = null;
let timer = null;
let attempt = 0;
let active = false;
let generation = 0;
let heartbeat = null;
let pongDeadline = null;
let pingId = 0;
/** The seq of the last event applied; null until the first hello. */
let lastSeq = null;
/** The seq the latest hello named (where a resync starts from). */
let pendingHelloSeq = null;

/**
 * Opens the connection. `hooks.onOpen({ resumed })` runs after each hello:
 * `resumed` is false on the first connection (load everything then, after
 * the hello, so no event falls between) and true when the server replays
 * what was missed. `hooks.frames[type](frame)` runs for each server frame of
 * that type, in order (the hello included), `hooks.onResync()` when the
 * console must reload, the optional async `hooks.beforeReconnect()` may
 * return false to stop reconnecting, and `hooks.onSessionEnded()` runs when
 * the server closes the socket because the session ended (no reconnect then).
 * A scope change reconnects at once and reloads (the agent may now see other
 * departments).
 */
export function startLive(hooks) {
  stopLive();
  handlers = hooks;
  frameHandlers = { ...(hooks.frames || {}), ...ownFrames };
  active = true;
  attempt = 0;
  lastSeq = null;
  generation += 1;
  connect(generation);
}

/** The browser says the network is back: try at once instead of waiting out the backoff. */
function onNetworkBack() {
  if (!active || (socket && socket.readyState === WebSocket.OPEN)) return;
  // A socket still trying (or one the browser gave up on without a close event) is dropped.
  abandon(socket);
  clearTimeout(timer);
  timer = null;
  attempt = 0;
  reconnectNow(generation);
}

window.addEventListener('online', onNetworkBack);

/** Closes the connection for good (logout). */
export function stopLive() {
  active = false;
  generation += 1;
  clearTimeout(timer);
  timer = null;
  lastSeq = null;
  stopHeartbeat();
  if (socket) {
    const old = socket;
    socket = null;
    old.close(1000, 'bye');
  }
  showState(false);
}

/** The seq of the last event applied (null before the first hello). */
export function lastAppliedSeq() {
  return lastSeq;
}

/** ws:// or wss:// on the page's own host, resuming after the last seq applied. */
function liveUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const after = lastSeq == null ? '' : `?after=${encodeURIComponent(lastSeq)}`;
  return `${scheme}//${location.host}/ws${after}`;
}

function connect(gen) {
  let ws;
  try {
    ws = new WebSocket(liveUrl());
  } catch (err) {
    console.warn('Switchboard: WebSocket failed to start', err);
    scheduleReconnect(gen);
    return;
  }
  socket = ws;
  let openedAt = null;
  // A connection that neither opens nor closes (a blocked or black-holed attempt fires no event
  // in some browsers) would stop reconnecting for good: give it a deadline.
  const deadline = setTimeout(() => {
    if (socket !== ws || ws.readyState === WebSocket.OPEN) return;
    console.warn('Switchboard: the live connection did not open in time; trying again');
    abandon(ws);
    showState(false);
    scheduleReconnect(gen);
  }, CONNECT_TIMEOUT_MS);
  ws.addEventListener('open', () => {
    clearTimeout(deadline);
    if (socket !== ws) return;
    openedAt = Date.now();
    showState(true);
    startHeartbeat(ws, gen);
  });
  ws.addEventListener('message', (message) => {
    if (socket !== ws) return;
    // A frame from the server means the connection really works.
    clearTimeout(pongDeadline);
    pongDeadline = null;
    dispatch(message.data);
  });
  ws.addEventListener('close', (event) => {
    clearTimeout(deadline);
    if (socket !== ws) return;
    socket = null;
    stopHeartbeat();
    showState(false);
    if (event.code === WS_CLOSE.SESSION_ENDED && handlers.onSessionEnded) {
      active = false;
      handlers.onSessionEnded();
      return;
    }
    if (openedAt != null && Date.now() - openedAt >= STABLE_MS) attempt = 0;
    if (event.code === WS_CLOSE.SCOPE_CHANGED) {
      // What this agent may see changed: start afresh rather than replay.
      lastSeq = null;
      attempt = 0;
      reconnectNow(gen);
      return;
    }
    scheduleReconnect(gen);
  });
  // 'error' is always followed by 'close', which does the work.
}

/**
 * Hands a server frame to the handler of its type, once: an event at or
 * before the last applied seq was applied already. Anything without a known
 * type is logged and dropped.
 */
function dispatch(data) {
  let frame;
  try {
    frame = JSON.parse(data);
  } catch {
    console.warn('Switchboard: ignored a live frame that is not JSON');
    return;
  }
  if (!frame || typeof frame !== 'object' || typeof frame.type !== 'string') {
    console.warn('Switchboard: ignored a live frame without a type');
    return;
  }
  const handler = Object.hasOwn(frameHandlers, frame.type) ? frameHandlers[frame.type] : null;
  if (!handler) {
    console.warn(`Switchboard: ignored a live frame of unknown type ${JSON.stringify(frame.type)}`);
    return;
  }
  if (frame.type !== EVENT.HELLO && Number.isSafeInteger(frame.seq)) {
    if (lastSeq != null && frame.seq <= lastSeq) return;
    lastSeq = frame.seq;
  }
  handler(frame);
}

/** The hello: where this connection starts; the app learns who it is and loads or resumes. */
function onHello(frame) {
  const resumed = lastSeq != null;
  if (!resumed && Number.isSafeInteger(frame.seq)) lastSeq = frame.seq;
  const appHello = handlers.frames && handlers.frames[EVENT.HELLO];
  if (appHello) appHello(frame);
  if (handlers.onOpen) handlers.onOpen({ resumed });
  pendingHelloSeq = frame.seq;
}

/** The gap cannot be replayed: live events after the hello's seq follow; reload the rest. */
function onResync() {
  if (Number.isSafeInteger(pendingHelloSeq)) lastSeq = pendingHelloSeq;
  if (handlers.onResync) handlers.onResync();
}

/** Sends a frame made by one of `clientFrames`' builders. */
function sendFrame(ws, type, ...args) {
  if (ws.readyState !== WebSocket.OPEN) return;
  ws.send(JSON.stringify(clientFrames[type](...args)));
}

/**
 * Pings every HEARTBEAT_MS; when nothing at all comes back within
 * PONG_WAIT_MS the connection is dead (a cut network often never closes a
 * socket), so it is dropped and replaced.
 */
function startHeartbeat(ws, gen) {
  stopHeartbeat();
  heartbeat = setInterval(() => {
    if (socket !== ws) return;
    pingId = (pingId + 1) % 0x7fffffff;
    sendFrame(ws, CLIENT_FRAME.PING, pingId);
    if (pongDeadline) return;
    pongDeadline = setTimeout(() => {
      pongDeadline = null;
      if (socket !== ws) return;
      console.warn('Switchboard: the live connection went silent; reconnecting');
      socket = null;
      stopHeartbeat();
      showState(false);
      ws.close();
      scheduleReconnect(gen);
    }, PONG_WAIT_MS);
  }, HEARTBEAT_MS);
}

/** Forgets `ws` as the live socket (its events are ignored from now on) and closes it. */
function abandon(ws) {
  if (!ws) return;
  if (socket === ws) socket = null;
  stopHeartbeat();
  try {
    ws.close();
  } catch {
    // Already closed or never opened: nothing to do.
  }
}

function stopHeartbeat() {
  clearInterval(heartbeat);
  clearTimeout(pongDeadline);
  heartbeat = null;
  pongDeadline = null;
}

function reconnectNow(gen) {
  if (!active || gen !== generation || timer) return;
  timer = setTimeout(() => {
    timer = null;
    if (active && gen === generation) connect(gen);
  }, 0);
}

function scheduleReconnect(gen) {
  if (!active || gen !== generation || timer) return;
  // Full jitter: anywhere from 0 to the capped exponential delay.
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  attempt = Math.min(attempt + 1, 16);
  const wait = Math.random() * ceiling;
  timer = setTimeout(async () => {
    timer = null;
    if (!active || gen !== generation) return;
    if (handlers.beforeReconnect) {
      let keepGoing = true;
      try {
        keepGoing = await handlers.beforeReconnect();
      } catch {
        keepGoing = true;
      }
      if (!keepGoing) return;
      if (!active || gen !== generation) return;
    }
    connect(gen);
  }, wait);
}

function showState(open) {
  setConnection(open ? CONNECTION.OPEN : CONNECTION.CLOSED);
}
