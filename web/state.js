/**
 * The console's state, owned here and nowhere else: the logged-in agent, the
 * open tickets, which have unread messages, the selected ticket and the
 * messages of its chat, unsent reply drafts and the live connection.
 *
 * Other modules read it through the getters and change it only through the
 * functions below. Views that must follow a change subscribe to a topic
 * (constants.js TOPIC); subscribers run synchronously, in subscription order,
 * right after the change.
 */

import { TICKET_STATUS, DELIVERY, AUTHOR_KIND, CONNECTION, TOPIC } from './constants.js';
import { timeMs } from './dom.js';

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
  /** ticket id -> unsent reply text */
  drafts: new Map(),
  /** CONNECTION.OPEN or CONNECTION.CLOSED */
  connection: CONNECTION.CLOSED,
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
  return state.unread.has(id);
}

export function getSelectedId() {
  return state.selectedId;
}

export function getSelectedTicket() {
  return state.selectedTicket;
}

/** The unsent reply for a ticket, or ''. */
export function getDraft(id) {
  return state.drafts.get(id) || '';
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
  if (ticket.status === TICKET_STATUS.CLOSED) state.tickets.delete(ticket.id);
  else state.tickets.set(ticket.id, ticket);
  if (state.selectedId === ticket.id) {
    state.selectedTicket = ticket;
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
 * Replaces the open tickets with a freshly loaded list. For the ids in
 * `touched` (changed by live events while the list loaded) the copy already
 * held is newer than the list's and is kept, or its absence is.
 */
export function loadTickets(list, touched) {
  const fresh = new Map();
  for (const ticket of list) if (ticket.status !== TICKET_STATUS.CLOSED) fresh.set(ticket.id, ticket);
  for (const id of touched) {
    const live = state.tickets.get(id);
    if (!live) fresh.delete(id);
    else if (!fresh.has(id) || timeOf(live) >= timeOf(fresh.get(id))) fresh.set(id, live);
  }
  state.tickets = fresh;
  for (const id of state.unread) if (!fresh.has(id)) state.unread.delete(id);
  notify(TOPIC.TICKETS);
}

/** Marks a ticket as having a message not yet seen. */
export function markUnread(id) {
  state.unread.add(id);
  notify(TOPIC.TICKETS);
}

/**
 * Selects an open ticket (and marks it read). Selecting another ticket
 * empties the messages; selecting the same one again only re-announces it.
 * Returns false when the ticket is not open.
 */
export function selectTicket(id) {
  const ticket = state.tickets.get(id);
  if (!ticket) return false;
  state.unread.delete(id);
  const previousId = state.selectedId;
  state.selectedId = id;
  state.selectedTicket = ticket;
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
  return { message, known: Boolean(known) };
}

/** Keeps the unsent reply for a ticket; empty text forgets it. */
export function setDraft(id, text) {
  if (text) state.drafts.set(id, text);
  else state.drafts.delete(id);
}

/** CONNECTION.OPEN or CONNECTION.CLOSED. */
export function setConnection(connection) {
  state.connection = connection;
  notify(TOPIC.CONNECTION, connection);
}

/** Logout: forgets the selection, drafts, agent, tickets and unread marks. */
export function resetState() {
  clearSelection();
  state.drafts.clear();
  setMe(null);
  state.tickets = new Map();
  state.unread.clear();
  notify(TOPIC.TICKETS);
}
