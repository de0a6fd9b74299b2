/**
 * Live events over the WebSocket at /ws. Reconnects after a close with a
 * backoff of 1 s doubling up to 10 s, and reports whether it is connected to
 * the state module (app.js shows that in #connection).
 */

import { CONNECTION, WS_CLOSE } from './constants.js';
import { setConnection } from './state.js';

const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 10000;

let handlers = {};
let socket = null;
let timer = null;
let delay = MIN_DELAY_MS;
let active = false;
let generation = 0;

/**
 * Opens the connection. `hooks.onOpen()` runs on every (re)connect,
 * `hooks.onEvent(event)` for each parsed frame, the optional async
 * `hooks.beforeReconnect()` may return false to stop reconnecting, and
 * `hooks.onSessionEnded()` runs when the server closes the socket because the
 * session ended (no reconnect then). A scope change reconnects at once.
 */
export function startLive(hooks) {
  stopLive();
  handlers = hooks;
  active = true;
  delay = MIN_DELAY_MS;
  generation += 1;
  connect(generation);
}

/** Closes the connection for good (logout). */
export function stopLive() {
  active = false;
  generation += 1;
  clearTimeout(timer);
  timer = null;
  if (socket) {
    const old = socket;
    socket = null;
    old.close(1000, 'bye');
  }
  showState(false);
}

/** ws:// or wss:// on the page's own host. */
function liveUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
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
  ws.addEventListener('open', () => {
    if (socket !== ws) return;
    showState(true);
    if (handlers.onOpen) handlers.onOpen();
  });
  ws.addEventListener('message', (frame) => {
    if (socket !== ws) return;
    // A frame from the server means the connection really works.
    delay = MIN_DELAY_MS;
    let event;
    try {
      event = JSON.parse(frame.data);
    } catch {
      console.warn('Switchboard: ignored a frame that is not JSON');
      return;
    }
    if (event && typeof event === 'object' && handlers.onEvent) handlers.onEvent(event);
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
    if (event.code === WS_CLOSE.SCOPE_CHANGED) delay = 0;
    scheduleReconnect(gen);
  });
  // 'error' is always followed by 'close', which does the work.
}

function scheduleReconnect(gen) {
  if (!active || gen !== generation || timer) return;
  const wait = delay;
  delay = Math.min(Math.max(delay * 2, MIN_DELAY_MS), MAX_DELAY_MS);
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
