/**
 * Live events over the WebSocket at /ws, gapless across reconnects: the
 * module keeps the seq of the last event it applied and reconnects with
 * `/ws?after=<seq>`, so the server replays what this tab missed (in order,
 * once each) before live events; events at or before that seq are ignored.
 * When the server cannot replay the gap it sends `resync` and the console
 * reloads. A full page reload starts afresh from the hello's seq (the page
 * loads its state anew, so nothing is kept in storage). Reconnects back off
 * exponentially with full jitter (0.5 s doubling up to 30 s, reset after a
 * connection that stayed up), and the connection state goes to the state
 * module (app.js shows "Reconnecting…" in #connection).
 */

import { CONNECTION, EVENT, WS_CLOSE } from './constants.js';
import { setConnection } from './state.js';

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30000;
/** A connection that stayed up this long resets the backoff. */
const STABLE_MS = 10000;

let handlers = {};
let socket = null;
let timer = null;
let attempt = 0;
let active = false;
let generation = 0;
/** The seq of the last event applied; null until the first hello. */
let lastSeq = null;
/** The seq the latest hello named (where a resync starts from). */
let pendingHelloSeq = null;

/**
 * Opens the connection. `hooks.onOpen({ resumed })` runs after each hello:
 * `resumed` is false on the first connection (load everything then, after
 * the hello, so no event falls between) and true when the server replays
 * what was missed. `hooks.onEvent(event)` runs for each frame, in order,
 * `hooks.onResync()` when the console must reload, the optional async
 * `hooks.beforeReconnect()` may return false to stop reconnecting, and
 * `hooks.onSessionEnded()` runs when the server closes the socket because the
 * session ended (no reconnect then). A scope change reconnects at once and
 * reloads (the agent may now see other departments).
 */
export function startLive(hooks) {
  stopLive();
  handlers = hooks;
  active = true;
  attempt = 0;
  lastSeq = null;
  generation += 1;
  connect(generation);
}

/** Closes the connection for good (logout). */
export function stopLive() {
  active = false;
  generation += 1;
  clearTimeout(timer);
  timer = null;
  lastSeq = null;
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
  ws.addEventListener('open', () => {
    if (socket !== ws) return;
    openedAt = Date.now();
    showState(true);
  });
  ws.addEventListener('message', (frame) => {
    if (socket !== ws) return;
    let event;
    try {
      event = JSON.parse(frame.data);
    } catch {
      console.warn('Switchboard: ignored a frame that is not JSON');
      return;
    }
    if (event && typeof event === 'object') receive(event);
  });
  ws.addEventListener('close', (event) => {
    if (socket !== ws) return;
    socket = null;
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

/** Applies one frame: the hello, a resync, or an event not applied yet. */
function receive(event) {
  if (event.type === EVENT.HELLO) {
    const resumed = lastSeq != null;
    if (!resumed && Number.isSafeInteger(event.seq)) lastSeq = event.seq;
    if (handlers.onEvent) handlers.onEvent(event);
    if (handlers.onOpen) handlers.onOpen({ resumed });
    pendingHelloSeq = event.seq;
    return;
  }
  if (event.type === EVENT.RESYNC) {
    // Live events after the hello's seq follow; everything before it is reloaded.
    if (Number.isSafeInteger(pendingHelloSeq)) lastSeq = pendingHelloSeq;
    if (handlers.onResync) handlers.onResync();
    return;
  }
  if (Number.isSafeInteger(event.seq)) {
    if (lastSeq != null && event.seq <= lastSeq) return;
    lastSeq = event.seq;
  }
  if (handlers.onEvent) handlers.onEvent(event);
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
