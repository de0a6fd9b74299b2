/**
 * Switchboard console entry point: checks the session, wires the views and
 * owns the state (tickets by id, selected ticket, me).
 */

import { api } from './api.js';
import { initLogin, showLogin, hideLogin } from './login.js';
import { initQueue, renderQueue, clearQueue } from './queue.js';
import { initChat, openChat, closeChat, renderHeader, reloadMessages, showMessage } from './chat.js';
import { initSound, playAlert, unlockOnFirstClick } from './sound.js';
import { startLive, stopLive } from './live.js';

const NOTICE_MS = 6000;

const state = {
  me: null,
  /** id -> Ticket, open tickets only (pending and accepted) */
  tickets: new Map(),
  selectedId: null,
  /** the selected Ticket (kept even once it is closed) */
  selectedTicket: null,
  /** id -> Message for the selected ticket */
  messages: new Map(),
  /** ids of tickets with messages not yet seen */
  unread: new Set(),
};

// Diagnostics only; the console never reads this back.
window.switchboard = Object.freeze({ state });

/** Sets of ticket ids touched by live events while a ticket list loads. */
const loadsInFlight = new Set();
/** Bumped on logout so late answers from the old session are dropped. */
let sessionEpoch = 0;
let noticeTimer = null;

/** Shows a transient message in #notice for about 6 seconds. */
function notify(text) {
  const notice = document.getElementById('notice');
  notice.textContent = text;
  notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => {
    notice.textContent = '';
    notice.hidden = true;
  }, NOTICE_MS);
}

/** 401 means the session ended: back to login. Anything else is a notice. */
function handleError(err) {
  if (err && err.status === 401) {
    leaveConsole();
    notify('Your session has ended. Please log in again.');
    return;
  }
  notify(err && err.message ? err.message : 'Something went wrong');
}

function timeOf(ticket) {
  const ms = Date.parse(ticket.updated_at);
  return Number.isNaN(ms) ? 0 : ms;
}

/** Stores a ticket (ignoring an older copy) and refreshes the views. */
function applyTicket(ticket) {
  const known = state.tickets.get(ticket.id) ||
    (state.selectedId === ticket.id ? state.selectedTicket : null);
  if (known && timeOf(known) > timeOf(ticket)) return;
  if (ticket.status === 'closed') state.tickets.delete(ticket.id);
  else state.tickets.set(ticket.id, ticket);
  if (state.selectedId === ticket.id) {
    state.selectedTicket = ticket;
    renderHeader();
  }
  renderQueue();
}

/** Reloads every open ticket (login and each WebSocket (re)connect). */
async function reloadTickets() {
  const touched = new Set();
  const epoch = sessionEpoch;
  loadsInFlight.add(touched);
  try {
    const list = await api.get('/api/tickets');
    if (epoch !== sessionEpoch) return;
    const fresh = new Map();
    for (const ticket of list) if (ticket.status !== 'closed') fresh.set(ticket.id, ticket);
    // Live events that arrived during the request are newer than the list.
    for (const id of touched) {
      const live = state.tickets.get(id);
      if (!live) fresh.delete(id);
      else if (!fresh.has(id) || timeOf(live) >= timeOf(fresh.get(id))) fresh.set(id, live);
    }
    state.tickets = fresh;
    for (const id of state.unread) if (!fresh.has(id)) state.unread.delete(id);
    renderQueue();
    if (state.selectedId != null) refreshSelected();
  } catch (err) {
    if (epoch === sessionEpoch) handleError(err);
  } finally {
    loadsInFlight.delete(touched);
  }
}

/** After a reconnect: the selected ticket and its history may have changed. */
async function refreshSelected() {
  const id = state.selectedId;
  const open = state.tickets.get(id);
  if (open) {
    state.selectedTicket = open;
    renderHeader();
  } else {
    try {
      const ticket = await api.get(`/api/tickets/${id}`);
      if (state.selectedId === id) applyTicket(ticket);
    } catch (err) {
      if (err.status === 404 && state.selectedId === id) closeChat();
      else if (err.status !== 404) handleError(err);
      return;
    }
  }
  reloadMessages();
}

/** Opens a ticket in the chat view (read-only unless I own it). */
function selectTicket(id) {
  const ticket = state.tickets.get(id);
  if (!ticket) return;
  state.unread.delete(id);
  const same = state.selectedId === id;
  state.selectedId = id;
  state.selectedTicket = ticket;
  renderQueue();
  if (same) renderHeader();
  else openChat();
}

/** POST accept; on a lost race, show who won. */
async function acceptTicket(id) {
  const before = state.tickets.get(id);
  const label = `#${before ? before.number : id}`;
  try {
    const ticket = await api.post(`/api/tickets/${id}/accept`);
    applyTicket(ticket);
    selectTicket(id);
  } catch (err) {
    if (err.status === 409 && err.code === 'already_accepted' && err.body && err.body.owner) {
      const current = state.tickets.get(id) || before;
      if (current) applyTicket({ ...current, status: 'accepted', owner: err.body.owner });
      notify(`Ticket ${label} was already accepted by ${err.body.owner.name}`);
    } else if (err.status === 404) {
      state.tickets.delete(id);
      renderQueue();
      notify(`Ticket ${label} is no longer available`);
    } else if (err.status === 409) {
      notify(err.message);
      api.get(`/api/tickets/${id}`).then(applyTicket, () => {});
    } else {
      handleError(err);
    }
  }
}

/** Dispatches one WebSocket event (docs/api.md). */
function onLiveEvent(event) {
  switch (event.type) {
    case 'hello':
      if (event.agent) showMe(event.agent);
      break;
    case 'ticket.created':
    case 'ticket.updated':
      if (!event.ticket) break;
      for (const touched of loadsInFlight) touched.add(event.ticket.id);
      applyTicket(event.ticket);
      if (event.type === 'ticket.created' && event.ticket.status === 'pending') playAlert();
      break;
    case 'message.created':
      if (!event.message) break;
      if (!showMessage(event.message) && !isMine(event.message)) {
        state.unread.add(event.message.ticket_id);
        renderQueue();
      }
      break;
    case 'message.updated':
      if (event.message) showMessage(event.message);
      break;
    case 'error':
      notify(event.message || 'The live connection reported an error');
      break;
  }
}

/** My own replies (sent from another tab) do not count as unread. */
function isMine({ author }) {
  return Boolean(author && author.kind === 'agent' && state.me && author.id === state.me.id);
}

/** A reconnect attempt first checks that the session is still valid. */
async function sessionStillValid() {
  const ended = await api.get('/api/session').then(() => false, (err) => err.status === 401);
  if (ended) handleError({ status: 401 });
  return !ended;
}

function showMe(agent) {
  state.me = agent;
  document.getElementById('me').textContent = `${agent.name} (${agent.role})`;
  if (state.selectedTicket) renderHeader();
}

/** Shows the console for `agent`; `viaClick` is true right after the login form. */
function enterConsole(agent, viaClick) {
  showMe(agent);
  hideLogin();
  document.getElementById('console-view').hidden = false;
  if (!viaClick) unlockOnFirstClick();
  reloadTickets();
  startLive({ onOpen: reloadTickets, onEvent: onLiveEvent, beforeReconnect: sessionStillValid });
}

/** Forgets everything and shows the login view. */
function leaveConsole() {
  if (document.getElementById('console-view').hidden) return;
  sessionEpoch += 1;
  stopLive();
  state.me = null;
  state.tickets = new Map();
  state.unread.clear();
  closeChat(true);
  clearQueue();
  document.getElementById('me').textContent = '';
  document.getElementById('console-view').hidden = true;
  showLogin();
}

async function logout() {
  try {
    await api.del('/api/session');
  } catch (err) {
    if (err.status !== 401) notify(err.message);
  }
  leaveConsole();
}

async function boot() {
  initSound();
  initLogin((agent) => enterConsole(agent, true));
  initQueue(state, { onSelect: selectTicket, onAccept: acceptTicket });
  initChat(state, { onError: handleError });
  document.getElementById('logout').addEventListener('click', logout);
  try {
    const answer = await api.get('/api/session');
    enterConsole(answer.agent, false);
  } catch (err) {
    showLogin();
    if (err.status !== 401) notify(err.message);
  }
}

boot();
