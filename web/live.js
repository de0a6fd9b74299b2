/**
 * Live events over the WebSocket at /ws. Reconnects after a close with a
 * backoff of 1 s doubling up to 10 s, and reports whether it is connected to
 * the state module (app.js shows that in #connection).
 *
 * The protocol is typed at this end too: every server frame goes through one
 * dispatcher keyed by its `type` (a table of handlers; an unknown type is
 * logged and ignored), and the console sends only frames built by one
 * function per client frame type (docs/api.md, "WebSocket /ws").
 */

import { CLIENT_FRAME, CONNECTION, EVENT, WS_CLOSE } from './constants.js';
import { setConnection } from './state.js';

const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 10000;
/** How often an open console pings the server. */
const HEARTBEAT_MS = 25000;
/** How long after a ping a silent connection counts as dead and is replaced. */
const PONG_WAIT_MS = 10000;

/** The frames a console may send: one builder per client frame type. */
const clientFrames = Object.freeze({
  /** `{"type": "ping", "id": n}`: answered by a pong with the same id. */
  [CLIENT_FRAME.PING]: (id) => ({ type: CLIENT_FRAME.PING, id }),
});

let handlers = {};
/** The server frames this module answers itself (the rest come from hooks.frames). */
const ownFrames = Object.freeze({
  // Any frame proves the connection alive (see the message listener); a pong needs no more.
  [EVENT.PONG]: () => {},
});
let frameHandlers = {};
let heartbeat = null;
let pongDeadline = null;
let pingId = 0;
let socket = null;
let timer = null;
let delay = MIN_DELAY_MS;
let active = false;
let generation = 0;

/**
 * Opens the connection. `hooks.onOpen()` runs on every (re)connect,
 * `hooks.frames[type](frame)` for each server frame of that type, the optional async
 * `hooks.beforeReconnect()` may return false to stop reconnecting, and
 * `hooks.onSessionEnded()` runs when the server closes the socket because the
 * session ended (no reconnect then). A scope change reconnects at once.
 */
export function startLive(hooks) {
  stopLive();
  handlers = hooks;
  frameHandlers = { ...(hooks.frames || {}), ...ownFrames };
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
  stopHeartbeat();
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
    startHeartbeat(ws, gen);
    if (handlers.onOpen) handlers.onOpen();
  });
  ws.addEventListener('message', (message) => {
    if (socket !== ws) return;
    // A frame from the server means the connection really works.
    delay = MIN_DELAY_MS;
    clearTimeout(pongDeadline);
    pongDeadline = null;
    dispatch(message.data);
  });
  ws.addEventListener('close', (event) => {
    if (socket !== ws) return;
    socket = null;
    stopHeartbeat();
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

/** Hands a server frame to the handler of its type; anything else is logged and dropped. */
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
  handler(frame);
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

function stopHeartbeat() {
  clearInterval(heartbeat);
  clearTimeout(pongDeadline);
  heartbeat = null;
  pongDeadline = null;
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
