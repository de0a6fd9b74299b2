/**
 * Chat view for the selected ticket: title, history, reply form.
 * Messages are kept in state.messages (Map id -> Message), deduped by id.
 */

import { api } from './api.js';

let state;
let hooks;
let el = {};
/** ticket id -> unsent draft text */
const drafts = new Map();
let shownTicketId = null;
let loadToken = 0;
let sending = false;

/**
 * `app.state` holds `me`, `selectedId`, `selectedTicket`, `messages`.
 * `chatHooks.onError(err)` reports failures.
 */
export function initChat(appState, chatHooks) {
  state = appState;
  hooks = chatHooks;
  for (const id of ['chat-empty', 'chat-panel', 'chat-title', 'chat-status', 'chat-history',
    'reply-form', 'reply-text', 'reply-send']) {
    el[id] = document.getElementById(id);
  }
  el['reply-form'].addEventListener('submit', (event) => {
    event.preventDefault();
    sendReply();
  });
  el['reply-text'].addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendReply();
    }
  });
}

/** Shows state.selectedTicket with an empty history, then loads its messages. */
export function openChat() {
  saveDraft();
  const ticket = state.selectedTicket;
  shownTicketId = ticket ? ticket.id : null;
  state.messages = new Map();
  el['chat-history'].replaceChildren();
  el['chat-empty'].hidden = Boolean(ticket);
  el['chat-panel'].hidden = !ticket;
  el['reply-text'].value = ticket ? drafts.get(ticket.id) || '' : '';
  renderHeader();
  if (ticket) reloadMessages();
}

/** Back to "Select a ticket" (ticket gone); `forgetDrafts` on logout. */
export function closeChat(forgetDrafts = false) {
  if (forgetDrafts) {
    shownTicketId = null;
    drafts.clear();
  }
  state.selectedId = null;
  state.selectedTicket = null;
  openChat();
}

/** Title, status line and reply-form visibility for the selected ticket. */
export function renderHeader() {
  const ticket = state.selectedTicket;
  if (!ticket) return;
  const client = ticket.client || {};
  const name = client.name || 'Unknown';
  const who = client.username ? `${name} (@${client.username})` : name;
  const department = ticket.department ? ticket.department.name : '';
  el['chat-title'].textContent =
    `#${ticket.number} · ${who} · Client Id ${client.telegram_id} · ${department}`;
  const mine = canReply(ticket);
  el['chat-status'].textContent = statusLine(ticket, mine);
  el['chat-status'].dataset.status = ticket.status;
  el['reply-form'].hidden = !mine;
}

/** Fetches the history of the selected ticket and merges it in. */
export async function reloadMessages() {
  const ticketId = shownTicketId;
  if (ticketId == null) return;
  const token = ++loadToken;
  try {
    const messages = await api.get(`/api/tickets/${ticketId}/messages`);
    if (token !== loadToken || ticketId !== shownTicketId) return;
    for (const message of messages) upsertMessage(message, false);
    scrollToNewest();
  } catch (err) {
    if (token === loadToken) hooks.onError(err);
  }
}

/** Adds or updates one message if it belongs to the open chat. */
export function showMessage(message) {
  if (!message || message.ticket_id !== shownTicketId) return false;
  upsertMessage(message, true);
  return true;
}

/** True when I own the ticket and it is accepted. */
function canReply(ticket) {
  return Boolean(ticket && ticket.status === 'accepted' && ticket.owner && state.me &&
    ticket.owner.id === state.me.id);
}

function statusLine(ticket, mine) {
  if (ticket.status === 'pending') return 'Waiting in the queue. Accept it to reply.';
  if (ticket.status === 'closed') return 'This ticket is closed.';
  if (mine) return 'You are handling this ticket.';
  const owner = ticket.owner ? ticket.owner.name : 'Another agent';
  return `Read-only: ${owner} is handling this ticket.`;
}

function upsertMessage(message, scroll) {
  const known = state.messages.get(message.id);
  // A late 201 answer must not turn "sent"/"failed" back into "queued".
  if (known && known.delivery && known.delivery !== 'queued' && message.delivery === 'queued') {
    message = { ...message, delivery: known.delivery, delivery_error: known.delivery_error };
  }
  state.messages.set(message.id, message);
  const history = el['chat-history'];
  let node = history.querySelector(`li[data-message-id="${Number(message.id)}"]`);
  if (known && node) {
    fillMessage(node, message);
    return;
  }
  node = document.createElement('li');
  fillMessage(node, message);
  // Keep ids ascending: insert before the first later message.
  const later = [...history.children].find((li) => Number(li.dataset.messageId) > message.id);
  const nearBottom = history.scrollHeight - history.scrollTop - history.clientHeight < 80;
  history.insertBefore(node, later || null);
  if (scroll && (nearBottom || !later || message.direction === 'out')) scrollToNewest();
}

function fillMessage(node, message) {
  const author = message.author || {};
  node.className = `message ${message.direction === 'out' ? 'out' : 'in'}`;
  if (author.kind === 'system') node.classList.add('system');
  node.dataset.messageId = String(message.id);

  const meta = document.createElement('div');
  meta.className = 'message-meta';
  meta.append(span('message-author', author.name || (message.direction === 'in' ? 'Customer' : 'Agent')));
  const time = span('message-time', hhmm(message.created_at));
  time.title = new Date(message.created_at).toLocaleString();
  meta.append(time);

  const text = document.createElement('div');
  text.className = 'message-text';
  text.textContent = message.text;
  node.replaceChildren(meta, text);

  if (message.direction === 'out') {
    const status = message.delivery || 'queued';
    const delivery = span('message-delivery', status);
    delivery.dataset.delivery = status;
    if (status === 'failed') {
      delivery.textContent = message.delivery_error ? `failed: ${message.delivery_error}` : 'failed';
    }
    node.append(delivery);
  }
}

async function sendReply() {
  const ticket = state.selectedTicket;
  const box = el['reply-text'];
  const text = box.value;
  if (sending || !ticket || !canReply(ticket) || !text.trim()) return;
  sending = true;
  el['reply-send'].disabled = true;
  try {
    const message = await api.post(`/api/tickets/${ticket.id}/messages`, { text });
    drafts.delete(ticket.id);
    // Clear what was sent; keep anything typed while the request was in flight.
    if (shownTicketId === ticket.id && box.value.startsWith(text)) {
      box.value = box.value.slice(text.length).replace(/^\n+/, '');
    }
    showMessage(message);
    scrollToNewest();
  } catch (err) {
    hooks.onError(err);
  } finally {
    sending = false;
    el['reply-send'].disabled = false;
    if (shownTicketId === ticket.id) box.focus();
  }
}

function saveDraft() {
  if (shownTicketId == null) return;
  const text = el['reply-text'].value;
  if (text) drafts.set(shownTicketId, text);
  else drafts.delete(shownTicketId);
}

function scrollToNewest() {
  const history = el['chat-history'];
  history.scrollTop = history.scrollHeight;
}

/** Local HH:MM. */
function hhmm(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function span(className, text) {
  const node = document.createElement('span');
  node.className = className;
  node.textContent = text;
  return node;
}
