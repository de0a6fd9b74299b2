/**
 * Read markers: while the open chat is visible, the newest message shown is
 * reported to the server (POST /api/tickets/{id}/read), so unread counts
 * survive reloads and follow the agent to any browser, and the ticket's local
 * unread count clears. A hidden tab reads nothing.
 */

import { api } from './api.js';
import { TOPIC } from './constants.js';
import { getNewestMessageId, getSelectedId, isUnread, markRead, subscribe } from './state.js';

/** How long new messages gather before one read report goes out. */
const SETTLE_MS = 250;

/** ticket id -> the newest message id reported read */
const reported = new Map();
let timer = null;

export function initReading() {
  subscribe(TOPIC.MESSAGES, (ticketId) => {
    if (ticketId === getSelectedId()) soon();
  });
  subscribe(TOPIC.SELECTION, soon);
  // A reloaded list may count messages of the open chat as unread.
  subscribe(TOPIC.TICKETS, () => {
    const id = getSelectedId();
    if (id != null && isUnread(id) && document.visibilityState === 'visible') soon();
  });
  document.addEventListener('visibilitychange', soon);
  // Leaving or reloading the page: report what was read without waiting for the timer.
  window.addEventListener('pagehide', flush);
  window.addEventListener('focus', soon);
}

/** Forgets what was reported (logout). */
export function resetReading() {
  reported.clear();
}

/** Reports soon, if the page is seen (a hidden tab reports once it is shown again). */
function soon() {
  if (document.visibilityState !== 'visible') return;
  clearTimeout(timer);
  timer = setTimeout(readNow, SETTLE_MS);
}

/** Sends a pending report at once, in a request that outlives the page. */
function flush() {
  if (timer == null) return;
  clearTimeout(timer);
  timer = null;
  const id = getSelectedId();
  const newest = getNewestMessageId();
  if (id == null || newest == null || (reported.get(id) || 0) >= newest) return;
  reported.set(id, newest);
  fetch(`/api/tickets/${id}/read`, {
    method: 'POST',
    keepalive: true,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ message_id: newest }),
  }).catch(() => {});
}

async function readNow() {
  timer = null;
  const id = getSelectedId();
  if (id == null || document.visibilityState !== 'visible') return;
  const newest = getNewestMessageId();
  if (newest == null) return;
  markRead(id);
  if ((reported.get(id) || 0) >= newest) return;
  reported.set(id, newest);
  try {
    await api.post(`/api/tickets/${id}/read`, { message_id: newest });
  } catch {
    // Best effort: the next message or visit reports again.
    if (reported.get(id) === newest) reported.delete(id);
  }
}
