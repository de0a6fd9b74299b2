/**
 * History: the left pane's second tab, closed tickets newest first, searchable
 * by ticket number, username, Client Id or words of their messages; and the
 * dialog listing a client's tickets (every page of them). Opening one shows its conversation and timeline read-only.
 */

import { api, getPage } from './api.js';
import { TOPIC, VIEW } from './constants.js';
import { button, element, isolated, shortDateTime, span } from './dom.js';
import { getSelectedTicket, getView, setView, subscribe, viewTicket } from './state.js';

const PAGE = 100;
/** The most pages (of PAGE) of one client's tickets the dialog loads. */
const CLIENT_PAGES = 20;
const SEARCH_DELAY_MS = 300;

let hooks;
let queueSection;
let historySection;
let search;
let list;
let emptyLine;
let more;
let timer = null;
let token = 0;
let lastId = null;
let clientDialog;
let clientList;

/** `historyHooks.onError(err)` reports failures. */
export function initHistory(historyHooks) {
  hooks = historyHooks;
  queueSection = document.getElementById('queue-section');
  historySection = document.getElementById('history-section');
  search = document.getElementById('history-q');
  list = document.getElementById('history-list');
  emptyLine = document.getElementById('history-empty');
  more = document.getElementById('history-more');
  clientDialog = document.getElementById('client-tickets-dialog');
  clientList = document.getElementById('client-tickets-list');
  document.getElementById('tab-queue').addEventListener('click', () => setView(VIEW.QUEUE));
  document.getElementById('tab-history').addEventListener('click', () => setView(VIEW.HISTORY));
  document.getElementById('history-form').addEventListener('submit', (event) => {
    event.preventDefault();
    runSearch();
  });
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(runSearch, SEARCH_DELAY_MS);
  });
  more.addEventListener('click', () => runSearch(lastId));
  document.getElementById('client-tickets-done').addEventListener('click', () => clientDialog.close());
  subscribe(TOPIC.VIEW, showView);
}

/** Switches between the queue and History (keyboard `h`). */
export function toggleHistory() {
  setView(getView() === VIEW.HISTORY ? VIEW.QUEUE : VIEW.HISTORY);
}

/** Opens a ticket by id (e.g. the one a ticket follows) read-only. */
export async function openTicketById(id) {
  try {
    viewTicket(await api.get(`/api/tickets/${id}`));
  } catch (err) {
    hooks.onError(err);
  }
}

/** The dialog with every ticket of the selected ticket's client, newest first. */
export async function openClientTickets() {
  const ticket = getSelectedTicket();
  if (!ticket || clientDialog.open) return;
  const heading = document.getElementById('client-tickets-title');
  heading.replaceChildren('Tickets of ');
  heading.append(isolated('', ticket.client.name));
  clientList.replaceChildren(element('li', 'history-empty', 'Loading…'));
  clientDialog.showModal();
  try {
    const tickets = await clientTickets(ticket.client.id);
    clientList.replaceChildren(...tickets.map((t) => summaryRow(t, () => {
      clientDialog.close();
      viewTicket(t);
    })));
    if (!tickets.length) clientList.append(element('li', 'history-empty', 'No tickets'));
    const first = clientList.querySelector('button');
    if (first) first.focus();
  } catch (err) {
    clientDialog.close();
    hooks.onError(err);
  }
}

function showView(view) {
  const history = view === VIEW.HISTORY;
  queueSection.hidden = history;
  historySection.hidden = !history;
  document.getElementById('tab-queue').setAttribute('aria-selected', String(!history));
  document.getElementById('tab-history').setAttribute('aria-selected', String(history));
  if (history) {
    runSearch();
    search.focus();
  }
}

/** Loads closed tickets matching the search box; `before` pages on from that id. */
async function runSearch(before) {
  clearTimeout(timer);
  const mine = ++token;
  const params = new URLSearchParams({ status: 'closed', limit: String(PAGE) });
  const q = search.value.trim();
  if (q) params.set('q', q);
  if (typeof before === 'number') params.set('before', String(before));
  try {
    const tickets = await api.get(`/api/tickets?${params}`);
    if (mine !== token) return;
    const rows = tickets.map((t) => summaryRow(t, () => viewTicket(t)));
    if (typeof before === 'number') list.append(...rows);
    else list.replaceChildren(...rows);
    lastId = tickets.length ? tickets[tickets.length - 1].id : null;
    more.hidden = tickets.length < PAGE;
    emptyLine.hidden = list.children.length > 0;
  } catch (err) {
    if (mine === token) hooks.onError(err);
  }
}

/** A client's tickets, newest first, following `X-Next-Before` page by page. */
async function clientTickets(clientId) {
  const tickets = [];
  let before = null;
  for (let page = 0; page < CLIENT_PAGES; page += 1) {
    const params = new URLSearchParams({ client_id: String(clientId), limit: String(PAGE) });
    if (before != null) params.set('before', before);
    const { items, next } = await getPage(`/api/tickets?${params}`);
    tickets.push(...items);
    if (next == null) break;
    before = next;
  }
  return tickets;
}

/** One closed (or any) ticket as a line: number, client, department, when, who handled it. */
function summaryRow(ticket, open) {
  const row = element('li', 'history-row');
  row.dataset.ticketId = String(ticket.id);
  row.dataset.status = ticket.status;
  const pick = button('history-open', '', 'history-open');
  const client = ticket.client || {};
  pick.append(
    span('ticket-number', `#${ticket.number}`),
    isolated('ticket-username', client.username ? `@${client.username}` : client.name || ''),
    span('ticket-client-id', String(client.telegram_id ?? '')),
    isolated('ticket-department', ticket.department ? ticket.department.name : ''),
    span('history-status', ticket.status),
    span('history-time', shortDateTime(ticket.updated_at)),
  );
  const handler = ticket.owner || ticket.last_owner;
  if (handler) pick.append(isolated('history-owner', handler.name));
  pick.addEventListener('click', open);
  row.append(pick);
  return row;
}
