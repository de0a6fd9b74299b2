/**
 * Chat view for the selected ticket: title, history, reply form. It follows
 * the state module's selection and keeps the history in step with the
 * messages stored there (deduped by id).
 */

import { api } from './api.js';
import { TICKET_STATUS, DELIVERY, DIRECTION, AUTHOR_KIND, TOPIC } from './constants.js';
import { div, element, hhmm, localDateTime, span } from './dom.js';
import {
  applyMessage, getDraft, getMe, getSelectedId, getSelectedTicket, setDraft, subscribe,
} from './state.js';

let hooks;
let el = {};
let loadToken = 0;
let sending = false;

/** `chatHooks.onError(err)` reports failures. */
export function initChat(chatHooks) {
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
  subscribe(TOPIC.SELECTION, ({ previousId }) => openChat(previousId));
  subscribe(TOPIC.SELECTED_TICKET, renderHeader);
  subscribe(TOPIC.ME, renderHeader);
}

/**
 * Shows the selected ticket (or "Select a ticket") with an empty history,
 * then loads its messages; the reply typed for `previousId` is kept as a draft.
 */
function openChat(previousId) {
  saveDraft(previousId);
  const ticket = getSelectedTicket();
  el['chat-history'].replaceChildren();
  el['chat-empty'].hidden = Boolean(ticket);
  el['chat-panel'].hidden = !ticket;
  el['reply-text'].value = ticket ? getDraft(ticket.id) : '';
  renderHeader();
  if (ticket) reloadMessages();
}

/** Title, status line and reply-form visibility for the selected ticket. */
function renderHeader() {
  const ticket = getSelectedTicket();
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
  const ticketId = getSelectedId();
  if (ticketId == null) return;
  const token = ++loadToken;
  try {
    const messages = await api.get(`/api/tickets/${ticketId}/messages`);
    if (token !== loadToken || ticketId !== getSelectedId()) return;
    for (const message of messages) upsertMessage(message, false);
    scrollToNewest();
  } catch (err) {
    if (token === loadToken) hooks.onError(err);
  }
}

/** Adds or updates one message if it belongs to the open chat. */
export function showMessage(message) {
  if (!message || message.ticket_id !== getSelectedId()) return false;
  upsertMessage(message, true);
  return true;
}

/** True when I own the ticket and it is accepted. */
function canReply(ticket) {
  const me = getMe();
  return Boolean(ticket && ticket.status === TICKET_STATUS.ACCEPTED && ticket.owner && me &&
    ticket.owner.id === me.id);
}

function statusLine(ticket, mine) {
  if (ticket.status === TICKET_STATUS.PENDING) return 'Waiting in the queue. Accept it to reply.';
  if (ticket.status === TICKET_STATUS.CLOSED) return 'This ticket is closed.';
  if (mine) return 'You are handling this ticket.';
  const owner = ticket.owner ? ticket.owner.name : 'Another agent';
  return `Read-only: ${owner} is handling this ticket.`;
}

/** Stores the message in the state and shows it in place (ids ascending). */
function upsertMessage(incoming, scroll) {
  const { message, known } = applyMessage(incoming);
  const history = el['chat-history'];
  let node = history.querySelector(`li[data-message-id="${Number(message.id)}"]`);
  if (known && node) {
    fillMessage(node, message);
    return;
  }
  node = element('li');
  fillMessage(node, message);
  // Keep ids ascending: insert before the first later message.
  const later = [...history.children].find((li) => Number(li.dataset.messageId) > message.id);
  const nearBottom = history.scrollHeight - history.scrollTop - history.clientHeight < 80;
  history.insertBefore(node, later || null);
  if (scroll && (nearBottom || !later || message.direction === DIRECTION.OUT)) scrollToNewest();
}

function fillMessage(node, message) {
  const author = message.author || {};
  const out = message.direction === DIRECTION.OUT;
  node.className = `message ${out ? DIRECTION.OUT : DIRECTION.IN}`;
  if (author.kind === AUTHOR_KIND.SYSTEM) node.classList.add(AUTHOR_KIND.SYSTEM);
  node.dataset.messageId = String(message.id);

  const meta = div('message-meta');
  meta.append(span('message-author',
    author.name || (message.direction === DIRECTION.IN ? 'Customer' : 'Agent')));
  const time = span('message-time', hhmm(message.created_at));
  time.title = localDateTime(message.created_at);
  meta.append(time);

  const text = div('message-text', message.text);
  node.replaceChildren(meta, text);

  if (out) {
    const status = message.delivery || DELIVERY.QUEUED;
    const delivery = span('message-delivery', status);
    delivery.dataset.delivery = status;
    if (status === DELIVERY.FAILED) {
      delivery.textContent = message.delivery_error
        ? `${DELIVERY.FAILED}: ${message.delivery_error}`
        : DELIVERY.FAILED;
    }
    node.append(delivery);
  }
}

async function sendReply() {
  const ticket = getSelectedTicket();
  const box = el['reply-text'];
  const text = box.value;
  if (sending || !ticket || !canReply(ticket) || !text.trim()) return;
  sending = true;
  el['reply-send'].disabled = true;
  try {
    const message = await api.post(`/api/tickets/${ticket.id}/messages`, { text });
    setDraft(ticket.id, '');
    // Clear what was sent; keep anything typed while the request was in flight.
    if (getSelectedId() === ticket.id && box.value.startsWith(text)) {
      box.value = box.value.slice(text.length).replace(/^\n+/, '');
    }
    showMessage(message);
    scrollToNewest();
  } catch (err) {
    hooks.onError(err);
  } finally {
    sending = false;
    el['reply-send'].disabled = false;
    if (getSelectedId() === ticket.id) box.focus();
  }
}

/** Keeps what is typed in the reply box as the draft of ticket `id`. */
function saveDraft(id) {
  if (id == null) return;
  setDraft(id, el['reply-text'].value);
}

function scrollToNewest() {
  const history = el['chat-history'];
  history.scrollTop = history.scrollHeight;
}
