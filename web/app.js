/**
 * Switchboard console entry point: checks the session, wires the views,
 * talks to the API and turns its answers and the live events into requests
 * to the state module (state.js), which owns the console's state.
 */

import { api } from './api.js';
import { EVENT, ERROR_CODE, TICKET_STATUS, CONNECTION, TOPIC } from './constants.js';
import {
  subscribe, getMe, getTicket, getSelectedId, isMine, setMe, upsertTicket, removeTicket,
  loadTickets, markUnread, selectTicket, setSelectedTicket, clearSelection, resetState,
} from './state.js';
import { initLogin, showLogin, hideLogin } from './login.js';
import { initQueue } from './queue.js';
import { initChat, reloadMessages, showMessage } from './chat.js';
import { initSound, playAlert, unlockOnFirstClick } from './sound.js';
import { startLive, stopLive } from './live.js';

const NOTICE_MS = 6000;

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

/** Reloads every open ticket (login and each WebSocket (re)connect). */
async function reloadTickets() {
  const touched = new Set();
  const epoch = sessionEpoch;
  loadsInFlight.add(touched);
  try {
    const list = await api.get('/api/tickets');
    if (epoch !== sessionEpoch) return;
    loadTickets(list, touched);
    if (getSelectedId() != null) refreshSelected();
  } catch (err) {
    if (epoch === sessionEpoch) handleError(err);
  } finally {
    loadsInFlight.delete(touched);
  }
}

/** After a reconnect: the selected ticket and its history may have changed. */
async function refreshSelected() {
  const id = getSelectedId();
  const open = getTicket(id);
  if (open) {
    setSelectedTicket(open);
  } else {
    try {
      const ticket = await api.get(`/api/tickets/${id}`);
      if (getSelectedId() === id) upsertTicket(ticket);
    } catch (err) {
      if (err.status === 404 && getSelectedId() === id) clearSelection();
      else if (err.status !== 404) handleError(err);
      return;
    }
  }
  reloadMessages();
}

/** POST accept; on a lost race, show who won. */
async function acceptTicket(id) {
  const before = getTicket(id);
  const label = `#${before ? before.number : id}`;
  try {
    const ticket = await api.post(`/api/tickets/${id}/accept`);
    upsertTicket(ticket);
    selectTicket(id);
  } catch (err) {
    if (err.status === 409 && err.code === ERROR_CODE.ALREADY_ACCEPTED && err.body && err.body.owner) {
      const current = getTicket(id) || before;
      if (current) upsertTicket({ ...current, status: TICKET_STATUS.ACCEPTED, owner: err.body.owner });
      notify(`Ticket ${label} was already accepted by ${err.body.owner.name}`);
    } else if (err.status === 404) {
      removeTicket(id);
      notify(`Ticket ${label} is no longer available`);
    } else if (err.status === 409) {
      notify(err.message);
      api.get(`/api/tickets/${id}`).then(upsertTicket, () => {});
    } else {
      handleError(err);
    }
  }
}

/** Dispatches one WebSocket event (docs/api.md). */
function onLiveEvent(event) {
  switch (event.type) {
    case EVENT.HELLO:
      if (event.agent) setMe(event.agent);
      break;
    case EVENT.TICKET_CREATED:
    case EVENT.TICKET_UPDATED:
      if (!event.ticket) break;
      for (const touched of loadsInFlight) touched.add(event.ticket.id);
      upsertTicket(event.ticket);
      if (event.type === EVENT.TICKET_CREATED && event.ticket.status === TICKET_STATUS.PENDING) {
        playAlert();
      }
      break;
    case EVENT.MESSAGE_CREATED:
      if (!event.message) break;
      // My own replies (sent from another tab) do not count as unread.
      if (!showMessage(event.message) && !isMine(event.message)) markUnread(event.message.ticket_id);
      break;
    case EVENT.MESSAGE_UPDATED:
      if (event.message) showMessage(event.message);
      break;
    case EVENT.ERROR:
      notify(event.message || 'The live connection reported an error');
      break;
  }
}

/** A reconnect attempt first checks that the session is still valid. */
async function sessionStillValid() {
  const ended = await api.get('/api/session').then(() => false, (err) => err.status === 401);
  if (ended) handleError({ status: 401 });
  return !ended;
}

/** The top bar: "Name (role)" in #me. */
function renderMe() {
  const me = getMe();
  document.getElementById('me').textContent = me ? `${me.name} (${me.role})` : '';
}

/** The top bar: "Live" with data-state="open", otherwise "Reconnecting…" / "closed". */
function renderConnection(connection) {
  const el = document.getElementById('connection');
  const open = connection === CONNECTION.OPEN;
  el.textContent = open ? 'Live' : 'Reconnecting…';
  el.dataset.state = open ? CONNECTION.OPEN : CONNECTION.CLOSED;
}

/** Shows the console for `agent`; `viaClick` is true right after the login form. */
function enterConsole(agent, viaClick) {
  setMe(agent);
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
  resetState();
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
  subscribe(TOPIC.ME, renderMe);
  subscribe(TOPIC.CONNECTION, renderConnection);
  initSound();
  initLogin((agent) => enterConsole(agent, true));
  initQueue({ onAccept: acceptTicket });
  initChat({ onError: handleError });
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
