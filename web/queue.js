/**
 * Queue view: <ul id="queue"> of open tickets, pending first. Rows are kept
 * by ticket id and updated in place, never rebuilt from markup.
 */

let state;
let onSelect;
let onAccept;
let list;
let emptyLine;
let countBadge;
/** ticket id -> <li> */
const rows = new Map();

/**
 * `app.state` holds `tickets` (Map id -> Ticket), `selectedId` and `unread`
 * (Set of ids). `hooks.onSelect(id)` opens a ticket, `hooks.onAccept(id)`
 * accepts it and returns a promise.
 */
export function initQueue(appState, hooks) {
  state = appState;
  onSelect = hooks.onSelect;
  onAccept = hooks.onAccept;
  list = document.getElementById('queue');
  emptyLine = document.getElementById('queue-empty');
  countBadge = document.getElementById('queue-count');
}

/** Brings the list in line with state.tickets (adds, updates, moves, removes). */
export function renderQueue() {
  const tickets = [...state.tickets.values()]
    .filter((t) => t.status === 'pending' || t.status === 'accepted')
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
  const pending = tickets.filter((t) => t.status === 'pending').length;
  countBadge.textContent = tickets.length ? `${pending} pending · ${tickets.length} open` : '';
}

/** Removes every row (logout). */
export function clearQueue() {
  rows.clear();
  list.replaceChildren();
  emptyLine.hidden = false;
  countBadge.textContent = '';
}

/** Pending before accepted; inside a group, newest activity first. */
function compareTickets(a, b) {
  if (a.status !== b.status) return a.status === 'pending' ? -1 : 1;
  const byTime = timeOf(b.updated_at) - timeOf(a.updated_at);
  return byTime || b.id - a.id;
}

function timeOf(iso) {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? 0 : ms;
}

function createRow(id) {
  const row = document.createElement('li');
  row.className = 'ticket';
  row.dataset.ticketId = String(id);
  row.tabIndex = 0;
  row.addEventListener('click', () => onSelect(id));
  row.addEventListener('keydown', (event) => {
    if ((event.key === 'Enter' || event.key === ' ') && event.target === row) {
      event.preventDefault();
      onSelect(id);
    }
  });
  return row;
}

/** Sets classes and, when the ticket changed, rebuilds the row's content. */
function fillRow(row, ticket) {
  row.dataset.status = ticket.status;
  row.classList.toggle('unread', state.unread.has(ticket.id));
  row.classList.toggle('selected', state.selectedId === ticket.id);
  row.setAttribute('aria-current', state.selectedId === ticket.id ? 'true' : 'false');
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
  if (ticket.status === 'pending') {
    bottom.append(acceptButton(ticket.id));
  } else {
    const owner = ticket.owner ? ticket.owner.name : 'someone';
    bottom.append(span('ticket-owner', `Accepted by: ${owner}`));
  }
  bottom.append(span('ticket-unread-dot', 'New message'));
  row.replaceChildren(top, middle, bottom);
}

function acceptButton(id) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'accept';
  button.textContent = 'Accept';
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

function span(className, text) {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  return el;
}

function div(className) {
  const el = document.createElement('div');
  el.className = className;
  return el;
}
