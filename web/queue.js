/**
 * Queue view: <ul id="queue"> of open tickets, pending first. Rows are kept
 * by ticket id and updated in place, never rebuilt from markup. It re-renders
 * whenever the state module's tickets, unread marks or selection change.
 */

import { TICKET_STATUS, TOPIC } from './constants.js';
import { div, element, span, timeMs } from './dom.js';
import { getOpenTickets, getSelectedId, isUnread, selectTicket, subscribe } from './state.js';

let onAccept;
let list;
let emptyLine;
let countBadge;
/** ticket id -> <li> */
const rows = new Map();

/** `hooks.onAccept(id)` accepts a ticket and returns a promise. */
export function initQueue(hooks) {
  onAccept = hooks.onAccept;
  list = document.getElementById('queue');
  emptyLine = document.getElementById('queue-empty');
  countBadge = document.getElementById('queue-count');
  subscribe(TOPIC.TICKETS, renderQueue);
}

/** Brings the list in line with the open tickets (adds, updates, moves, removes). */
function renderQueue() {
  const tickets = getOpenTickets()
    .filter((t) => t.status === TICKET_STATUS.PENDING || t.status === TICKET_STATUS.ACCEPTED)
    .sort(compareTickets);
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
    fillRow(row, ticket);
    if (list.children[index] !== row) list.insertBefore(row, list.children[index] || null);
  });
  emptyLine.hidden = tickets.length > 0;
  const pending = tickets.filter((t) => t.status === TICKET_STATUS.PENDING).length;
  countBadge.textContent = tickets.length ? `${pending} pending · ${tickets.length} open` : '';
}

/** Pending before accepted; inside a group, newest activity first. */
function compareTickets(a, b) {
  if (a.status !== b.status) return a.status === TICKET_STATUS.PENDING ? -1 : 1;
  const byTime = timeMs(b.updated_at) - timeMs(a.updated_at);
  return byTime || b.id - a.id;
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
function fillRow(row, ticket) {
  row.dataset.status = ticket.status;
  const selected = getSelectedId() === ticket.id;
  row.classList.toggle('unread', isUnread(ticket.id));
  row.classList.toggle('selected', selected);
  row.setAttribute('aria-current', selected ? 'true' : 'false');
  const key = JSON.stringify(ticket);
  if (row.dataset.key === key) return;
  row.dataset.key = key;

  const client = ticket.client || {};
  const top = div('ticket-line');
  top.append(
    span('ticket-number', `#${ticket.number}`),
    span('ticket-username', client.username ? `@${client.username}` : client.name || 'Unknown'),
  );
  if (client.username && client.name) top.append(span('ticket-name', client.name));
  top.append(span('ticket-status', ticket.status));

  const middle = div('ticket-line ticket-meta');
  middle.append(
    span('ticket-label', 'Client Id'),
    span('ticket-client-id', String(client.telegram_id ?? '')),
    span('ticket-department', ticket.department ? ticket.department.name : ''),
    span('ticket-platform', ticket.platform || ''),
  );

  const bottom = div('ticket-line ticket-actions');
  if (ticket.status === TICKET_STATUS.PENDING) {
    bottom.append(acceptButton(ticket.id));
  } else {
    const owner = ticket.owner ? ticket.owner.name : 'someone';
    bottom.append(span('ticket-owner', `Accepted by: ${owner}`));
  }
  bottom.append(span('ticket-unread-dot', 'New message'));
  row.replaceChildren(top, middle, bottom);
}

function acceptButton(id) {
  const button = element('button', 'accept', 'Accept');
  button.type = 'button';
  button.addEventListener('click', (event) => {
    event.stopPropagation();
    if (button.disabled) return;
    button.disabled = true;
    Promise.resolve(onAccept(id)).finally(() => {
      button.disabled = false;
    });
  });
  return button;
}
