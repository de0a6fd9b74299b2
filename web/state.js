/**
 * The console's state, owned here and nowhere else: the logged-in agent, the
 * open tickets, which have unread messages, the selected ticket and the
 * messages of its chat, unsent reply drafts, the live connection, the
 * departments with their agents' presence, the notes panel, which list the
 * left pane shows and my alert settings.
 *
 * Other modules read it through the getters and change it only through the
 * functions below. Views that must follow a change subscribe to a topic
 * (constants.js TOPIC); subscribers run synchronously, in subscription order,
 * right after the change.
 */

import {
  TICKET_STATUS, DELIVERY, DIRECTION, AUTHOR_KIND, CONNECTION, PRESENCE, TOPIC, VIEW, DEFAULT_SETTINGS,
} from './constants.js';
import { timeMs } from './dom.js';
import { loadDraft, storeDraft } from './drafts.js';
import { inMyDepartments } from './permissions.js';

const state = {
  me: null,
  /** id -> Ticket, open tickets only (pending and accepted) */
  tickets: new Map(),
  selectedId: null,
  /** the selected Ticket (kept even once it is closed) */
  selectedTicket: null,
  /** id -> Message for the selected ticket */
  messages: new Map(),
  /** ticket id -> how many customer messages I have not read (from the server, then live) */
  unread: new Map(),
  /** ticket id -> unsent reply text (also kept in localStorage, drafts.js) */
  drafts: new Map(),
  /** CONNECTION.OPEN or CONNECTION.CLOSED */
  connection: CONNECTION.CLOSED,
  /** id of the department the selected ticket moved to, out of my sight; null otherwise */
  selectedMovedTo: null,
  /** [Department] ordered by position, each with `agents: [{id, name, presence}]` */
  departments: [],
  /** agent id -> presence, the newest known (presence.updated beats a loaded list) */
  presence: new Map(),
  /** the notes panel: open or not, whose notes, and id -> Note once loaded */
  notes: { open: false, clientId: null, list: null },
  /** VIEW.QUEUE or VIEW.HISTORY */
  view: VIEW.QUEUE,
  /** my alert settings as the server keeps them (DEFAULT_SETTINGS until loaded) */
  settings: DEFAULT_SETTINGS,
};

// Diagnostics only; the console never reads this back.
window.switchboard = Object.freeze({ state });

/** topic -> [listener] */
const listeners = new Map();

/** Calls `listener(detail)` after each change of `topic`; returns an unsubscribe function. */
export function subscribe(topic, listener) {
  if (!listeners.has(topic)) listeners.set(topic, []);
  listeners.get(topic).push(listener);
  return () => {
    const list = listeners.get(topic);
    const index = list.indexOf(listener);
    if (index >= 0) list.splice(index, 1);
  };
}

function notify(topic, detail) {
  for (const listener of [...(listeners.get(topic) || [])]) listener(detail);
}

function timeOf(ticket) {
  return timeMs(ticket.updated_at);
}

// Reading

export function getMe() {
  return state.me;
}

/** The open (pending or accepted) ticket with this id, if any. */
export function getTicket(id) {
  return state.tickets.get(id);
}

/** Every open ticket, in no particular order. */
export function getOpenTickets() {
  return [...state.tickets.values()];
}

export function isUnread(id) {
  return (state.unread.get(id) || 0) > 0;
}

/** How many customer messages of the ticket I have not read. */
export function unreadCount(id) {
  return state.unread.get(id) || 0;
}

/** The newest message id of the selected ticket's chat, or null. */
export function getNewestMessageId() {
  let newest = null;
  for (const id of state.messages.keys()) if (newest == null || id > newest) newest = id;
  return newest;
}

export function getSelectedId() {
  return state.selectedId;
}

export function getSelectedTicket() {
  return state.selectedTicket;
}

/** The department the selected ticket moved to (out of my sight), or null. */
export function getSelectedMovedTo() {
  return state.selectedMovedTo;
}

/** Departments ordered by position, each with its agents. */
export function getDepartments() {
  return state.departments;
}

/** A department by id, if known. */
export function getDepartment(id) {
  return state.departments.find((d) => d.id === id);
}

/** An agent's presence: the newest known, else what their department listing said, else offline. */
export function presenceOf(agent) {
  return state.presence.get(agent.id) || agent.presence || PRESENCE.OFFLINE;
}

/** My own presence. */
export function getMyPresence() {
  return state.me ? presenceOf({ id: state.me.id }) : PRESENCE.OFFLINE;
}

/** `{open, clientId, notes}`: notes is an array oldest first, or null while not loaded. */
export function getNotes() {
  const { open, clientId, list } = state.notes;
  const notes = list ? [...list.values()].sort((a, b) => timeMs(a.created_at) - timeMs(b.created_at) || a.id - b.id) : null;
  return { open, clientId, notes };
}

/** VIEW.QUEUE or VIEW.HISTORY. */
export function getView() {
  return state.view;
}

/** The unsent reply for a ticket, or ''. */
export function getDraft(id) {
  if (!state.drafts.has(id)) {
    const stored = loadDraft(state.me && state.me.id, id);
    if (stored) state.drafts.set(id, stored);
  }
  return state.drafts.get(id) || '';
}

/** My alert settings (the defaults until the server's are loaded). */
export function getSettings() {
  return state.settings;
}

/** The open Pending tickets in my scope: they wait for someone to accept them. */
export function waitingTickets() {
  return [...state.tickets.values()].filter((t) => t.status === TICKET_STATUS.PENDING &&
    inMyDepartments(state.me, t.department && t.department.id));
}

/**
 * What asks for my attention, for the title: `waiting` Pending tickets in my
 * scope, `unread` chats (customer messages after my read marker, counted by the
 * server and then live), and
 * `total`, the tickets that are either (one that is both counts once).
 */
export function attentionCounts() {
  const waiting = waitingTickets().map((t) => t.id);
  const unread = [...state.unread.keys()].filter((id) => state.tickets.has(id) && state.unread.get(id) > 0);
  return { waiting: waiting.length, unread: unread.length, total: new Set([...waiting, ...unread]).size };
}

/** True for a message I wrote as an agent (e.g. from another tab). */
export function isMine({ author }) {
  return Boolean(author && author.kind === AUTHOR_KIND.AGENT && state.me && author.id === state.me.id);
}

// Changing

/** The logged-in agent (null once logged out). */
export function setMe(agent) {
  state.me = agent;
  notify(TOPIC.ME);
}

/**
 * Stores a ticket unless the copy already known is newer; a closed ticket
 * leaves the open list (but stays the selected one). Returns true if stored.
 */
export function upsertTicket(ticket) {
  const known = state.tickets.get(ticket.id) ||
    (state.selectedId === ticket.id ? state.selectedTicket : null);
  if (known && timeOf(known) > timeOf(ticket)) return false;
  // Live views carry no per-agent unread count; a listed one does.
  if (ticket.unread != null) setUnreadCount(ticket.id, ticket.unread);
  if (ticket.status === TICKET_STATUS.CLOSED) state.tickets.delete(ticket.id);
  else state.tickets.set(ticket.id, ticket);
  if (state.selectedId === ticket.id) {
    state.selectedTicket = ticket;
    state.selectedMovedTo = null;
    notify(TOPIC.SELECTED_TICKET);
  }
  notify(TOPIC.TICKETS);
  return true;
}

/** Drops a ticket from the open list (e.g. it no longer exists). */
export function removeTicket(id) {
  state.tickets.delete(id);
  notify(TOPIC.TICKETS);
}

/**
 * The ticket left my sight (ticket.removed): it leaves the open list; if it
 * is the selected one it stays shown, marked as moved to `departmentId`.
 */
export function ticketMovedAway(id, departmentId) {
  state.tickets.delete(id);
  state.unread.delete(id);
  if (state.selectedId === id) {
    state.selectedMovedTo = departmentId ?? null;
    notify(TOPIC.SELECTED_TICKET);
  }
  notify(TOPIC.TICKETS);
}

/**
 * Shows any ticket I may read (a closed one from History, a client's earlier
 * ticket) in the chat, read-only unless it is open and mine.
 */
export function viewTicket(ticket) {
  if (state.tickets.has(ticket.id)) {
    selectTicket(ticket.id);
    return;
  }
  const previousId = state.selectedId;
  state.selectedId = ticket.id;
  state.selectedTicket = ticket;
  state.selectedMovedTo = null;
  if (previousId !== ticket.id) state.messages = new Map();
  notify(TOPIC.TICKETS);
  if (previousId === ticket.id) notify(TOPIC.SELECTED_TICKET);
  else notify(TOPIC.SELECTION, { previousId });
}

/**
 * Replaces the open tickets with a freshly loaded list. For the ids in
 * `touched` (changed by live events while the list loaded) the copy already
 * held is newer than the list's and is kept, or its absence is.
 */
export function loadTickets(list, touched) {
  const fresh = new Map();
  const unread = new Map();
  for (const ticket of list) {
    if (ticket.status === TICKET_STATUS.CLOSED) continue;
    fresh.set(ticket.id, ticket);
    if (ticket.unread) unread.set(ticket.id, ticket.unread);
  }
  for (const id of touched) {
    const live = state.tickets.get(id);
    if (!live) fresh.delete(id);
    else if (!fresh.has(id) || timeOf(live) >= timeOf(fresh.get(id))) fresh.set(id, live);
  }
  state.tickets = fresh;
  for (const id of touched) if (state.unread.has(id)) unread.set(id, state.unread.get(id));
  state.unread = unread;
  notify(TOPIC.TICKETS);
}

/** One more customer message of the ticket that I have not read. */
export function markUnread(id) {
  state.unread.set(id, (state.unread.get(id) || 0) + 1);
  notify(TOPIC.TICKETS);
}

/** I have read the ticket up to its newest message (the server knows it too). */
export function markRead(id) {
  if (state.unread.delete(id)) notify(TOPIC.TICKETS);
}

function setUnreadCount(id, count) {
  if (count > 0) state.unread.set(id, count);
  else state.unread.delete(id);
}

/**
 * A message of a ticket was written (message.created): its ticket's activity time moves and
 * its needs-reply time follows the server's rule: a customer message starts the wait unless
 * one already did, an agent's reply ends it (and with it an accepted ticket's breach), a system
 * notice changes nothing. The server does
 * the same in the message's transaction, so no ticket.updated is sent for it.
 */
export function applyMessageToTicket(message) {
  const update = (ticket) => {
    if (!ticket || ticket.id !== message.ticket_id) return ticket;
    let awaiting = ticket.awaiting_reply_since ?? null;
    if (message.direction === DIRECTION.IN && awaiting == null) awaiting = message.created_at;
    if (message.direction === DIRECTION.OUT && message.author &&
      message.author.kind === AUTHOR_KIND.AGENT) awaiting = null;
    const later = timeMs(message.created_at) > timeMs(ticket.updated_at);
    if (awaiting === (ticket.awaiting_reply_since ?? null) && !later) return ticket;
    // An accepted ticket's breach is about the customer's current wait: a reply ends it.
    let breach = ticket.breach ?? null;
    if (breach && ticket.status === TICKET_STATUS.ACCEPTED &&
      (awaiting == null || timeMs(awaiting) !== timeMs(breach.since))) breach = null;
    return {
      ...ticket,
      awaiting_reply_since: awaiting,
      breach,
      updated_at: later ? message.created_at : ticket.updated_at,
    };
  };
  const open = state.tickets.get(message.ticket_id);
  const updated = update(open);
  if (updated !== open) state.tickets.set(message.ticket_id, updated);
  const selected = update(state.selectedTicket);
  if (selected !== state.selectedTicket) {
    state.selectedTicket = selected;
    notify(TOPIC.SELECTED_TICKET);
  }
  if (updated !== open) notify(TOPIC.TICKETS);
}

/**
 * Selects an open ticket (and marks it read). Selecting another ticket
 * empties the messages; selecting the same one again only re-announces it.
 * Returns false when the ticket is not open.
 */
export function selectTicket(id) {
  const ticket = state.tickets.get(id);
  if (!ticket) return false;
  const previousId = state.selectedId;
  state.selectedId = id;
  state.selectedTicket = ticket;
  state.selectedMovedTo = null;
  if (previousId !== id) state.messages = new Map();
  notify(TOPIC.TICKETS);
  if (previousId === id) notify(TOPIC.SELECTED_TICKET);
  else notify(TOPIC.SELECTION, { previousId });
  return true;
}

/** Takes `ticket` as the selected ticket's current data, if it is the selected one. */
export function setSelectedTicket(ticket) {
  if (!ticket || ticket.id !== state.selectedId) return;
  state.selectedTicket = ticket;
  notify(TOPIC.SELECTED_TICKET);
}

/** No ticket selected any more (it is gone, or logout). */
export function clearSelection() {
  const previousId = state.selectedId;
  state.selectedId = null;
  state.selectedTicket = null;
  state.selectedMovedTo = null;
  state.messages = new Map();
  notify(TOPIC.SELECTION, { previousId });
}

/**
 * Adds or updates a message of the selected ticket's chat; a late answer
 * saying "queued" does not undo a known "sent" or "failed". Returns
 * `{ message, known }`: the message as stored and whether it was known.
 */
export function applyMessage(message) {
  const known = state.messages.get(message.id);
  if (known && known.delivery && known.delivery !== DELIVERY.QUEUED &&
    message.delivery === DELIVERY.QUEUED) {
    message = { ...message, delivery: known.delivery, delivery_error: known.delivery_error };
  }
  state.messages.set(message.id, message);
  if (!known) notify(TOPIC.MESSAGES, message.ticket_id);
  return { message, known: Boolean(known) };
}

/** Keeps the unsent reply for a ticket; empty text forgets it. */
export function setDraft(id, text) {
  if (text && state.drafts.get(id) === text) return;
  if (text) state.drafts.set(id, text);
  else state.drafts.delete(id);
  storeDraft(state.me && state.me.id, id, text);
}

/** Takes my alert settings as the server answered them. */
export function setSettings(settings) {
  state.settings = { ...DEFAULT_SETTINGS, ...settings };
  notify(TOPIC.SETTINGS, state.settings);
}

/** CONNECTION.OPEN or CONNECTION.CLOSED. */
export function setConnection(connection) {
  state.connection = connection;
  notify(TOPIC.CONNECTION, connection);
}

/** Takes a freshly loaded department list (GET /api/departments). */
export function setDepartments(departments) {
  state.departments = [...departments].sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || a.id - b.id);
  notify(TOPIC.DIRECTORY);
}

/**
 * Takes freshly loaded presences (`[{id, presence}]`, e.g. GET /api/agents);
 * they replace what was known for those agents.
 */
export function loadPresence(agents) {
  for (const agent of agents) if (agent.presence) state.presence.set(agent.id, agent.presence);
  notify(TOPIC.DIRECTORY);
}

/**
 * presence.updated: `agent` is now `presence` and works in the departments
 * with the ids `departmentIds` (added to their agent lists when missing).
 */
export function applyPresence(agent, presence, departmentIds) {
  state.presence.set(agent.id, presence);
  for (const department of state.departments) {
    const listed = department.agents || [];
    if ((departmentIds || []).includes(department.id) && !listed.some((a) => a.id === agent.id)) {
      department.agents = [...listed, { id: agent.id, name: agent.name, presence }];
    }
  }
  notify(TOPIC.DIRECTORY);
}

/**
 * Sets a client's notes count on every ticket of theirs that I hold, without
 * touching updated_at (the order of the queue does not change).
 */
export function setNotesCount(clientId, count) {
  const withCount = (ticket) => (ticket && ticket.client && ticket.client.id === clientId &&
    ticket.client.notes_count !== count
    ? { ...ticket, client: { ...ticket.client, notes_count: count } }
    : ticket);
  let changed = false;
  for (const [id, ticket] of state.tickets) {
    const updated = withCount(ticket);
    if (updated !== ticket) {
      state.tickets.set(id, updated);
      changed = true;
    }
  }
  const selected = withCount(state.selectedTicket);
  if (selected !== state.selectedTicket) {
    state.selectedTicket = selected;
    notify(TOPIC.SELECTED_TICKET);
  }
  if (changed) notify(TOPIC.TICKETS);
}

/** Opens the notes panel on `clientId` (its notes not loaded yet), or closes it with null. */
export function openNotes(clientId) {
  const same = state.notes.clientId === clientId && clientId != null;
  state.notes = {
    open: clientId != null,
    clientId,
    list: same ? state.notes.list : null,
  };
  notify(TOPIC.NOTES);
}

/** The notes of `clientId` as loaded, if the panel still shows that client. */
export function loadNotes(clientId, notes) {
  if (state.notes.clientId !== clientId) return;
  state.notes.list = new Map(notes.map((note) => [note.id, note]));
  notify(TOPIC.NOTES);
}

/** A note was added or edited; kept if the panel shows its client. */
export function upsertNote(note) {
  if (state.notes.clientId !== note.client_id || !state.notes.list) return;
  state.notes.list.set(note.id, note);
  notify(TOPIC.NOTES);
}

/** A note was deleted. */
export function dropNote(noteId, clientId) {
  if (state.notes.clientId !== clientId || !state.notes.list) return;
  if (state.notes.list.delete(noteId)) notify(TOPIC.NOTES);
}

/** VIEW.QUEUE or VIEW.HISTORY in the left pane. */
export function setView(view) {
  if (state.view === view) return;
  state.view = view;
  notify(TOPIC.VIEW, view);
}

/**
 * Logout: forgets the selection, the drafts in memory (those in localStorage stay for the
 * next login of the same agent, drafts.js), agent, tickets, unread marks, settings and the rest. */
export function resetState() {
  clearSelection();
  state.drafts.clear();
  setMe(null);
  state.tickets = new Map();
  state.unread.clear();
  state.departments = [];
  state.presence = new Map();
  state.notes = { open: false, clientId: null, list: null };
  state.view = VIEW.QUEUE;
  state.settings = DEFAULT_SETTINGS;
  notify(TOPIC.TICKETS);
  notify(TOPIC.DIRECTORY);
  notify(TOPIC.NOTES);
  notify(TOPIC.VIEW, state.view);
  notify(TOPIC.SETTINGS, state.settings);
}
