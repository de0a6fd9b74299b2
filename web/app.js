/**
 * Switchboard console entry point: checks the session, wires the views,
 * talks to the API and turns its answers and the live events into requests
 * to the state module (state.js), which owns the console's state.
 */

import { api, getPage } from './api.js';

import { EVENT, CONNECTION, DIRECTION, ROLE, TICKET_STATUS, TOPIC } from './constants.js';
import {
  subscribe, getMe, getTicket, getSelectedId, getSelectedMovedTo, getSelectedTicket, isMine, setMe, upsertTicket,
  loadTickets, markUnread, selectTicket, setSelectedTicket, clearSelection, resetState,
  ticketMovedAway, setNotesCount, upsertNote, dropNote, applyPresence, openNotes, applyMessageToTicket,
} from './state.js';
import { initLogin, showLogin, hideLogin } from './login.js';
import { initQueue, queueOrder } from './queue.js';
import { initChat, focusReply, reloadMessages, sendReply, showChange, showMessage } from './chat.js';
import { initAttach } from './attach.js';
import { initComposer, resetComposer } from './composer.js';
import { initReading, resetReading } from './reading.js';
import { initSound, unlockOnFirstClick } from './sound.js';
import { startLive, stopLive } from './live.js';
import { initActions, acceptTicket, returnTicket } from './actions.js';
import { initAlarm, alertOn } from './alarm.js';
import { initSettings, loadSettings } from './settings.js';
import { initReassign, openReassign } from './reassign.js';
import { initCloseDialog, openCloseDialog } from './close-dialog.js';
import { initNotes, toggleNotes, showNotes, notesOpen } from './notes.js';
import { initHistory, toggleHistory, openClientTickets, openTicketById } from './history.js';
import { initBoard, reloadDirectory } from './board.js';
import { initHold } from './ticket-hold.js';
import { initDeptHours } from './dept-hours.js';
import { initDeadLetters, showDeadLettersButton } from './dead-letters.js';
import { initAdmin, showAdminButton } from './admin.js';
import { initRating, onRatingEvent } from './rating.js';
import { initReports, showReportsButton } from './reports.js';
import {
  initSupervisorBoard, showSupervisorBoard, showSupervisorBoardButton, boardEventSeen, boardReconnected,
} from './supervisor-board.js';
import { initPriority } from './priority.js';
import { initShortcuts, SHORTCUTS } from './shortcuts.js';
import { canAccept, canClose, canReassign, canReturn, isManager } from './permissions.js';

/** The most pages of open tickets the console loads (200 each). */
const MAX_QUEUE_PAGES = 100;

const NOTICE_MS = 6000;

/**
 * What live frames did while a ticket list (or one ticket) loads: `touched`, the ids of tickets
 * a ticket frame changed; `messaged`, the ids of tickets that got a message. `reload` is true
 * for the load of every open ticket.
 */
const loadsInFlight = new Set();
/** Ids of tickets being fetched because a message named a ticket the console did not hold. */
const recovering = new Set();
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
    // Says in the browser's log why the console left (a 401 answer or the live connection's
    // "session ended" close), which a failing browser test prints.
    console.warn(`Switchboard: the session ended (${err.where || err.message || 'HTTP 401'})`);
    leaveConsole();
    notify('Your session has ended. Please log in again.');
    return;
  }
  notify(err && err.message ? err.message : 'Something went wrong');
}

/** Reloads every open ticket (login and each WebSocket (re)connect). */
async function reloadTickets() {
  const load = { touched: new Set(), messaged: new Set(), reload: true };
  const epoch = sessionEpoch;
  loadsInFlight.add(load);
  try {
    const list = await loadOpenTickets(epoch);
    if (epoch !== sessionEpoch) return;
    loadTickets(list, load.touched);
    // The pages come newest activity first: a ticket whose customer wrote (or that was answered)
    // while they loaded moved ahead of the pages still to come, so none of them may hold it.
    const listed = new Set(list.map((t) => t.id));
    recoverTickets([...load.messaged].filter((id) => !listed.has(id) && !load.touched.has(id)));
    if (getSelectedId() != null) refreshSelected();
  } catch (err) {
    if (epoch === sessionEpoch) handleError(err);
  } finally {
    loadsInFlight.delete(load);
  }
}

/** Notes, for the loads in flight, that a live frame changed ticket `id`. */
function touch(id) {
  for (const load of loadsInFlight) load.touched.add(id);
}

/**
 * A message of ticket `id` arrived. When the console does not hold that ticket and loads no
 * ticket list that could still bring it, the ticket may have slipped between the pages of the
 * last load: fetch it.
 */
function messageFor(id) {
  let reloading = false;
  for (const load of loadsInFlight) {
    load.messaged.add(id);
    if (load.reload) reloading = true;
  }
  if (!reloading) recoverTickets([id]);
}

/**
 * Fetches the tickets `ids` that the console does not hold and shows those that are open,
 * unless a live frame said something newer about them meanwhile. A ticket gone from sight or
 * closed is left out.
 */
function recoverTickets(ids) {
  for (const id of ids) {
    if (getTicket(id) || recovering.has(id)) continue;
    recovering.add(id);
    const epoch = sessionEpoch;
    const load = { touched: new Set(), messaged: new Set(), reload: false };
    loadsInFlight.add(load);
    api.get(`/api/tickets/${id}`)
      .then((ticket) => {
        if (epoch !== sessionEpoch || load.touched.has(id) || getTicket(id)) return;
        if (ticket.status === TICKET_STATUS.CLOSED) return;
        touch(id);
        upsertTicket(ticket);
      }, () => {}) // Out of sight now (403, 404), or unreachable: the next reload decides.
      .finally(() => {
        recovering.delete(id);
        loadsInFlight.delete(load);
      });
  }
}

/**
 * Every open ticket, a page of 200 at a time (following `X-Next-After`), so that a long queue is
 * shown whole rather than cut at the first page; at most MAX_QUEUE_PAGES pages.
 */
async function loadOpenTickets(epoch) {
  const list = [];
  let after = null;
  for (let page = 0; page < MAX_QUEUE_PAGES; page += 1) {
    const query = after == null ? '' : `?after=${encodeURIComponent(after)}`;
    const { items, after: next } = await getPage(`/api/tickets${query}`);
    list.push(...items);
    if (next == null || epoch !== sessionEpoch) break;
    after = next;
  }
  return list;
}

/** Departments, agents and presence for the board and the Reassign dialog. */
async function reloadDirectoryQuietly() {
  const epoch = sessionEpoch;
  try {
    await reloadDirectory();
  } catch (err) {
    if (epoch === sessionEpoch) handleError(err);
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

/** Sounds the alert (and says who passed a ticket to me) when the event calls for it. */
function maybeAlert(event) {
  alertOn(event, notify);
}

/** A desktop notification was clicked: show its ticket. */
function openNotifiedTicket(id) {
  showSupervisorBoard(false);
  if (!selectTicket(id)) openTicketById(id);
}

/** Applies a ticket.created or ticket.updated frame. */
function onTicketFrame(event) {
  if (!event.ticket) return;
  touch(event.ticket.id);
  const backInSight = getSelectedId() === event.ticket.id && getSelectedMovedTo() != null;
  upsertTicket(event.ticket);
  // Messages written while it was out of my sight never reached this console.
  if (backInSight) reloadMessages();
  else if (event.change) showChange(event.change);
  maybeAlert(event);
  boardEventSeen();
}

/**
 * A ticket.breached frame: the ticket, marked past its target, is kept (queue and board show
 * it highlighted) and its department's supervisors and admins are alerted (alerts.js).
 */
function onBreachFrame(event) {
  if (!event.ticket) return;
  touch(event.ticket.id);
  upsertTicket(event.ticket);
  maybeAlert(event);
  boardEventSeen();
}

/** Applies a note.created or note.updated frame. */
function onNoteFrame(event) {
  if (!event.note) return;
  setNotesCount(event.note.client_id, event.notes_count);
  upsertNote(event.note);
}

/**
 * The console's handler of each server frame type (docs/api.md); web/live.js
 * dispatches every frame here by its `type` and logs any other type.
 */
const LIVE_FRAMES = Object.freeze({
  [EVENT.HELLO]: (event) => {
    if (event.agent) setMe(event.agent);
  },
  [EVENT.TICKET_CREATED]: onTicketFrame,
  [EVENT.TICKET_UPDATED]: onTicketFrame,
  [EVENT.TICKET_REMOVED]: (event) => {
    touch(event.ticket_id);
    ticketMovedAway(event.ticket_id, event.department_id);
    boardEventSeen();
  },
  [EVENT.MESSAGE_CREATED]: (event) => {
    if (!event.message) return;
    messageFor(event.message.ticket_id);
    // The event implies the ticket's new needs-reply time (no ticket.updated is sent for it).
    applyMessageToTicket(event.message);
    // Unread counts customer messages only (never my own or anyone's replies), as the server does.
    if (!showMessage(event.message) || document.visibilityState !== 'visible') {
      if (event.message.direction === DIRECTION.IN && !isMine(event.message) &&
        getTicket(event.message.ticket_id)) markUnread(event.message.ticket_id);
    }
    maybeAlert(event);
    // An agent's reply may end a wait past the target.
    if (event.message.direction === DIRECTION.OUT) boardEventSeen();
  },
  [EVENT.MESSAGE_UPDATED]: (event) => {
    if (event.message) showMessage(event.message);
  },
  [EVENT.NOTE_CREATED]: onNoteFrame,
  [EVENT.NOTE_UPDATED]: onNoteFrame,
  [EVENT.NOTE_DELETED]: (event) => {
    setNotesCount(event.client_id, event.notes_count);
    dropNote(event.note_id, event.client_id);
  },
  [EVENT.RATING_UPDATED]: onRatingEvent,
  [EVENT.PRESENCE_UPDATED]: (event) => {
    if (event.agent) applyPresence(event.agent, event.presence, event.departments);
    boardEventSeen();
  },
  [EVENT.TICKET_BREACHED]: onBreachFrame,
  [EVENT.ERROR]: (event) => {
    console.warn(`Switchboard: the server refused a live frame (${event.error}): ${event.message}`);
    notify(event.message || 'The live connection reported an error');
  },
});

/** A reconnect attempt first checks that the session is still valid. */
async function sessionStillValid() {
  const ended = await api.get('/api/session').then(() => false, (err) => err.status === 401);
  if (ended) handleError({ status: 401, where: 'GET /api/session before reconnecting' });
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

/**
 * After each hello: presence is not replayed, so the directory reloads; the
 * tickets load on the first connection only (a resumed one replays what it
 * missed, and a resync reloads them).
 */
function onLiveOpen({ resumed }) {
  if (!resumed) reloadTickets();
  reloadDirectoryQuietly();
  boardReconnected();
}

/** Shows the console for `agent`; `viaClick` is true right after the login form. */
function enterConsole(agent, viaClick) {
  setMe(agent);
  loadSettings();
  showDeadLettersButton(agent.role === ROLE.ADMIN);
  showAdminButton(agent.role === ROLE.ADMIN);
  showReportsButton(agent.role === ROLE.ADMIN || agent.role === ROLE.SUPERVISOR);
  showSupervisorBoardButton(isManager(agent));
  hideLogin();
  document.getElementById('console-view').hidden = false;
  if (!viaClick) unlockOnFirstClick();
  startLive({
    onOpen: onLiveOpen,
    frames: LIVE_FRAMES,
    onResync: reloadTickets,
    beforeReconnect: sessionStillValid,
    onSessionEnded: () => handleError({ status: 401, where: 'the live connection closed 4401' }),
  });
}

/** Forgets everything and shows the login view. */
function leaveConsole() {
  if (document.getElementById('console-view').hidden) return;
  sessionEpoch += 1;
  stopLive();
  for (const dialog of document.querySelectorAll('dialog[open]')) dialog.close();
  showSupervisorBoard(false);
  resetState();
  resetComposer();
  resetReading();
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

/** The selected ticket, if the action `allowed(me, ticket)` applies to it. */
function selectedIf(allowed) {
  const ticket = getSelectedTicket();
  return ticket && allowed(getMe(), ticket) && getTicket(ticket.id) ? ticket : null;
}

/** j / k: the next or previous ticket of the queue. */
function stepQueue(delta) {
  const order = queueOrder();
  if (!order.length) return;
  const at = order.indexOf(getSelectedId());
  const next = at < 0 ? (delta > 0 ? 0 : order.length - 1) : Math.min(order.length - 1, Math.max(0, at + delta));
  selectTicket(order[next]);
  const row = document.querySelector(`#queue li.ticket[data-ticket-id="${order[next]}"]`);
  if (row) row.focus();
}

/** n: the next Pending ticket in the queue after the open one (from the top when none is). */
function nextPending() {
  const pending = queueOrder().filter((id) => {
    const ticket = getTicket(id);
    return ticket && ticket.status === TICKET_STATUS.PENDING;
  });
  if (!pending.length) return;
  const at = pending.indexOf(getSelectedId());
  const next = pending[(at + 1) % pending.length];
  selectTicket(next);
  const row = document.querySelector(`#queue li.ticket[data-ticket-id="${next}"]`);
  if (row) row.focus();
}

function toggleHelp(force) {
  const help = document.getElementById('shortcuts-help');
  const show = force ?? help.hidden;
  help.hidden = !show;
  document.getElementById('help-button').setAttribute('aria-expanded', String(show));
}

function initHelp() {
  const list = document.getElementById('shortcuts-list');
  for (const [key, what] of SHORTCUTS) {
    const term = document.createElement('dt');
    const kbd = document.createElement('kbd');
    kbd.textContent = key;
    term.append(kbd);
    const description = document.createElement('dd');
    description.textContent = what;
    list.append(term, description);
  }
  document.getElementById('help-button').addEventListener('click', () => toggleHelp());
}

function initKeyboard() {
  initShortcuts({
    a: () => {
      const ticket = selectedIf(canAccept);
      if (ticket) acceptTicket(ticket.id);
    },
    r: () => focusReply(),
    t: () => {
      if (selectedIf(canReassign)) openReassign();
    },
    n: () => nextPending(),
    send: () => sendReply(),
    q: () => {
      const ticket = selectedIf(canReturn);
      if (ticket) returnTicket(ticket.id);
    },
    c: () => {
      if (selectedIf(canClose)) openCloseDialog();
    },
    '#': () => toggleNotes(),
    j: () => stepQueue(1),
    k: () => stepQueue(-1),
    h: () => toggleHistory(),
    '?': () => toggleHelp(),
    Escape: () => {
      if (!document.getElementById('shortcuts-help').hidden) toggleHelp(false);
      else if (notesOpen()) openNotes(null);
    },
  });
}

/** The card's `#`: select its ticket and show its client's notes. */
function notesOfTicket(id) {
  selectTicket(id);
  showNotes();
}

async function boot() {
  subscribe(TOPIC.ME, renderMe);
  subscribe(TOPIC.CONNECTION, renderConnection);
  initSound();
  initAlarm({ openTicket: openNotifiedTicket });
  initSettings({ onError: handleError });
  initLogin((agent) => enterConsole(agent, true));
  initActions({ notify, onError: handleError });
  initQueue({
    onAccept: acceptTicket,
    onNotes: notesOfTicket,
    onClientTickets: (id) => {
      selectTicket(id);
      openClientTickets();
    },
  });
  initRating();
  initChat({
    onError: handleError,
    onAccept: acceptTicket,
    onReassign: openReassign,
    onReturn: () => {
      const ticket = getSelectedTicket();
      if (ticket) return returnTicket(ticket.id);
      return undefined;
    },
    onClose: openCloseDialog,
    onNotes: toggleNotes,
    onClientTickets: openClientTickets,
    onOpenTicket: openTicketById,
  });
  initAttach({ onError: handleError });
  initComposer();
  initReading();
  initReassign();
  initCloseDialog();
  initNotes({ onError: handleError });
  initHistory({ onError: handleError });
  initBoard({ onError: handleError });
  initHold({ onError: handleError });
  initDeptHours();
  initDeadLetters({ onError: handleError });
  initAdmin({ onError: handleError });
  initReports({ onError: handleError });
  initSupervisorBoard({ onError: handleError });
  initPriority({ onError: handleError, notify });
  initHelp();
  initKeyboard();
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
