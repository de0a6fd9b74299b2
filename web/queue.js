/**
 * Queue view: <ul id="queue"> of open tickets: mine first, then pending ones
 * oldest first (who waited longest) with a live wait time, then the others'.
 * Rows are kept by ticket id and updated in place, never rebuilt from markup;
 * the wait times tick once a second without touching anything else.
 */

import { TICKET_STATUS, TOPIC } from './constants.js';
import { button, div, elapsed, element, isolated, span, timeMs } from './dom.js';
import { ownsTicket } from './permissions.js';
import { breachBadge, comparePending, priorityBadge } from './priority.js';
import {
  getMe, getOpenTickets, getSelectedId, isUnread, selectTicket, subscribe, unreadCount,
} from './state.js';

const TICK_MS = 1000;

let onAccept;
let onNotes;
let onClientTickets;
let list;
let emptyLine;
let countBadge;
/** ticket id -> <li> */
const rows = new Map();

/**
 * `hooks.onAccept(id)` accepts a ticket and returns a promise; `hooks.onNotes(id)` opens its
 * client's notes; `hooks.onClientTickets(id)` lists its client's tickets.
 */
export function initQueue(hooks) {
  onAccept = hooks.onAccept;
  onNotes = hooks.onNotes;
  onClientTickets = hooks.onClientTickets;
  list = document.getElementById('queue');
  emptyLine = document.getElementById('queue-empty');
  countBadge = document.getElementById('queue-count');
  subscribe(TOPIC.TICKETS, renderQueue);
  subscribe(TOPIC.ME, renderQueue);
  setInterval(tickWaits, TICK_MS);
}

/** The ticket ids in the order the queue shows them. */
export function queueOrder() {
  return [...list.children].map((row) => Number(row.dataset.ticketId));
}

/** Brings the list in line with the open tickets (adds, updates, moves, removes). */
function renderQueue() {
  const me = getMe();
  const tickets = getOpenTickets()
    .filter((t) => t.status === TICKET_STATUS.PENDING || t.status === TICKET_STATUS.ACCEPTED)
    .sort((a, b) => compareTickets(me, a, b));
  const keep = new Set(tickets.map((t) => t.id));
  for (const [id, row] of rows) {
    if (!keep.has(id)) {
      row.remove();
      rows.delete(id);
    }
  }
  tickets.forEach((ticket, index) => {
    let row = rows.get(ticket.id);
    if (!row) {
      row = createRow(ticket.id);
      rows.set(ticket.id, row);
    }
    fillRow(row, ticket, ownsTicket(me, ticket));
    if (list.children[index] !== row) list.insertBefore(row, list.children[index] || null);
  });
  emptyLine.hidden = tickets.length > 0;
  const pending = tickets.filter((t) => t.status === TICKET_STATUS.PENDING).length;
  countBadge.textContent = tickets.length ? `${pending} pending · ${tickets.length} open` : '';
}

/**
 * Mine first (newest activity first), then pending by priority (VIP first) and then oldest first,
 * then the others' (newest first).
 */
function compareTickets(me, a, b) {
  const group = (t) => {
    if (ownsTicket(me, t)) return 0;
    return t.status === TICKET_STATUS.PENDING ? 1 : 2;
  };
  if (group(a) !== group(b)) return group(a) - group(b);
  if (group(a) === 1) return comparePending(a, b);
  return timeMs(b.updated_at) - timeMs(a.updated_at) || b.id - a.id;
}

function createRow(id) {
  const row = element('li', 'ticket');
  row.dataset.ticketId = String(id);
  row.tabIndex = 0;
  row.addEventListener('click', () => selectTicket(id));
  row.addEventListener('keydown', (event) => {
    if ((event.key === 'Enter' || event.key === ' ') && event.target === row) {
      event.preventDefault();
      selectTicket(id);
    }
  });
  return row;
}

/** Sets classes and, when the ticket changed, rebuilds the row's content. */
function fillRow(row, ticket, mine) {
  row.dataset.status = ticket.status;
  const selected = getSelectedId() === ticket.id;
  row.classList.toggle('unread', isUnread(ticket.id));
  row.classList.toggle('selected', selected);
  row.classList.toggle('mine', mine);
  row.classList.toggle('breached', Boolean(ticket.breach));
  row.dataset.priority = ticket.priority || 'normal';
  row.setAttribute('aria-current', selected ? 'true' : 'false');
  const unread = unreadCount(ticket.id);
  const key = JSON.stringify([ticket, mine, unread]);
  if (row.dataset.key === key) return;
  row.dataset.key = key;

  const client = ticket.client || {};
  const top = div('ticket-line');
  top.append(
    span('ticket-number', `#${ticket.number}`),
    isolated('ticket-username', client.username ? `@${client.username}` : client.name || 'Unknown'),
  );
  if (client.username && client.name) top.append(isolated('ticket-name', client.name));
  const priority = priorityBadge(ticket.priority);
  if (priority) top.append(priority);
  top.append(span('ticket-status', mine ? 'yours' : ticket.status));

  const middle = div('ticket-line ticket-meta');
  middle.append(
    span('ticket-label', 'Client Id'),
    span('ticket-client-id', String(client.telegram_id ?? '')),
    isolated('ticket-department', ticket.department ? ticket.department.name : ''),
    span('ticket-platform', ticket.platform || ''),
  );

  const bottom = div('ticket-line ticket-actions');
  if (ticket.status === TICKET_STATUS.PENDING) {
    bottom.append(acceptButton(ticket.id));
    const wait = span('ticket-wait', elapsed(ticket.created_at));
    wait.dataset.since = ticket.created_at;
    wait.title = 'Waiting since it was opened';
    bottom.append(wait);
  } else {
    const owner = element('span', 'ticket-owner', 'Accepted by: ');
    owner.append(isolated('', ticket.owner ? ticket.owner.name : 'someone'));
    bottom.append(owner);
  }
  if (ticket.awaiting_reply_since) bottom.append(needsReplyBadge(ticket.awaiting_reply_since));
  const breach = breachBadge(ticket);
  if (breach) bottom.append(breach);
  if (ticket.client && ticket.client.unreachable) {
    const badge = span('customer-unreachable', 'customer unreachable');
    badge.setAttribute('data-testid', 'customer-unreachable');
    badge.title = `Replies cannot reach the customer: ${ticket.client.unreachable}`;
    bottom.append(badge);
  }
  const dot = span('ticket-unread-dot', unread === 1 ? '1 new' : `${unread} new`);
  dot.dataset.count = String(unread);
  dot.setAttribute('data-testid', 'unread-count');
  bottom.append(dot, notesButton(ticket), clientTicketsButton(ticket));
  row.replaceChildren(top, middle, bottom);
}

/** "needs reply" with how long the customer has waited since `since`, ticking like the queue's. */
function needsReplyBadge(since) {
  const badge = span('needs-reply');
  badge.setAttribute('data-testid', 'needs-reply');
  badge.title = 'The customer wrote last and waits for a reply';
  const wait = span('ticket-wait reply-wait', elapsed(since));
  wait.dataset.since = since;
  badge.append(span('needs-reply-label', 'needs reply'), wait);
  return badge;
}

/** The card's `#` button: the client's notes, with their count when there are any. */
function notesButton(ticket) {
  const count = (ticket.client && ticket.client.notes_count) || 0;
  const node = button('notes-button', '#', 'notes-button');
  if (count > 0) node.append(span('notes-count', String(count)));
  node.dataset.count = String(count);
  node.title = count > 0 ? `${count} client notes` : 'Client notes';
  node.setAttribute('aria-label', node.title);
  node.addEventListener('click', (event) => {
    event.stopPropagation();
    onNotes(ticket.id);
  });
  return node;
}

/** The card's way to the client's earlier (and other) tickets. */
function clientTicketsButton(ticket) {
  const node = button('client-tickets-button', '⟲', 'card-client-tickets');
  node.title = "Client's tickets";
  node.setAttribute('aria-label', "Client's tickets");
  node.addEventListener('click', (event) => {
    event.stopPropagation();
    onClientTickets(ticket.id);
  });
  return node;
}

function acceptButton(id) {
  const node = button('accept', 'Accept');
  node.addEventListener('click', (event) => {
    event.stopPropagation();
    if (node.disabled) return;
    node.disabled = true;
    Promise.resolve(onAccept(id)).finally(() => {
      node.disabled = false;
    });
  });
  return node;
}

/** Updates every pending card's wait time in place. */
function tickWaits() {
  const now = Date.now();
  for (const wait of list.querySelectorAll('.ticket-wait')) {
    const text = elapsed(wait.dataset.since, now);
    if (wait.textContent !== text) wait.textContent = text;
  }
}
