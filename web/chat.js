/**
 * Chat view for the selected ticket: title, status, action buttons, history
 * (messages and timeline lines merged by time), reply form. It follows the
 * state module's selection and keeps the history in step with the messages
 * stored there (deduped by id).
 */

import { api, getPage } from './api.js';
import { TICKET_STATUS, DELIVERY, DIRECTION, AUTHOR_KIND, TOPIC } from './constants.js';
import { div, element, hhmm, isolated, localDateTime, span, timeMs } from './dom.js';
import { canAccept, canClose, canReassign, canReturn, ownsTicket } from './permissions.js';
import {
  applyMessage, getDepartment, getDraft, getMe, getSelectedId, getSelectedMovedTo,
  getSelectedTicket, setDraft, subscribe,
} from './state.js';
import { timelineNode } from './timeline.js';
import { showTicketExtras } from './rating.js';
import { showTicketPriority } from './priority.js';
import { editedNode, groupAlbums, mediaNode, quoteNode } from './media.js';

let hooks;
let el = {};
let loadToken = 0;
let sending = false;
/** The cursor of the open chat's older messages (`before=`), null when all are shown. */
let olderCursor = null;
let loadingOlder = false;
/** The customer message the next reply quotes: `{ id, text }`, or null. */
let quote = null;
/** How close to the top of the history (px) scrolling loads the older page. */
const LOAD_OLDER_WITHIN = 60;

/**
 * `chatHooks.onError(err)` reports failures; `onAccept(id)`, `onReassign()`,
 * `onReturn()`, `onClose()`, `onNotes()`, `onClientTickets()` and
 * `onOpenTicket(id)` run the header's buttons.
 */
export function initChat(chatHooks) {
  hooks = chatHooks;
  for (const id of ['chat-empty', 'chat-panel', 'chat-title', 'chat-status', 'chat-history',
    'reply-form', 'reply-text', 'reply-send', 'chat-accept', 'chat-reassign', 'chat-return',
    'chat-close', 'chat-notes', 'chat-client-tickets', 'chat-last-owner', 'chat-previous',
    'chat-older', 'chat-unreachable', 'reply-quote', 'reply-quote-text', 'reply-quote-cancel']) {
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
  el['chat-accept'].addEventListener('click', () => {
    const id = getSelectedId();
    if (id == null || el['chat-accept'].disabled) return;
    el['chat-accept'].disabled = true;
    Promise.resolve(hooks.onAccept(id)).finally(() => {
      el['chat-accept'].disabled = false;
    });
  });
  el['chat-older'].addEventListener('click', loadOlder);
  el['reply-quote-cancel'].addEventListener('click', clearQuote);
  el['chat-history'].addEventListener('click', (event) => {
    const button = event.target.closest('button.message-reply');
    if (!button) return;
    const li = button.closest('li[data-message-id]');
    const text = li ? li.querySelector('.message-text') : null;
    setQuote(Number(li.dataset.messageId), text ? text.textContent : '');
  });
  el['chat-history'].addEventListener('scroll', () => {
    if (el['chat-history'].scrollTop < LOAD_OLDER_WITHIN) loadOlder();
  });
  el['chat-reassign'].addEventListener('click', () => hooks.onReassign());
  el['chat-return'].addEventListener('click', () => hooks.onReturn());
  el['chat-close'].addEventListener('click', () => hooks.onClose());
  el['chat-notes'].addEventListener('click', () => hooks.onNotes());
  el['chat-client-tickets'].addEventListener('click', () => hooks.onClientTickets());
  el['chat-previous'].addEventListener('click', () => {
    const ticket = getSelectedTicket();
    if (ticket && ticket.previous_ticket_id != null) hooks.onOpenTicket(ticket.previous_ticket_id);
  });
  subscribe(TOPIC.SELECTION, ({ previousId }) => openChat(previousId));
  subscribe(TOPIC.SELECTED_TICKET, renderHeader);
  subscribe(TOPIC.ME, renderHeader);
  subscribe(TOPIC.DIRECTORY, renderHeader);
}

/**
 * Shows the selected ticket (or "Select a ticket") with an empty history,
 * then loads its messages; the reply typed for `previousId` is kept as a draft.
 */
function openChat(previousId) {
  saveDraft(previousId);
  const ticket = getSelectedTicket();
  el['chat-history'].replaceChildren();
  setOlderCursor(null);
  el['chat-empty'].hidden = Boolean(ticket);
  el['chat-panel'].hidden = !ticket;
  el['reply-text'].value = ticket ? getDraft(ticket.id) : '';
  clearQuote();
  renderHeader();
  if (ticket) reloadMessages();
}

/** Title, status line, action buttons and reply-form visibility for the selected ticket. */
function renderHeader() {
  const ticket = getSelectedTicket();
  if (!ticket) return;
  const me = getMe();
  const movedTo = getSelectedMovedTo();
  const gone = movedTo != null;
  const client = ticket.client || {};
  const department = ticket.department ? ticket.department.name : '';
  // Every customer-controlled part in its own <bdi>: a name ending in a right-to-left override
  // cannot reorder the Client Id or anything else around it.
  el['chat-title'].replaceChildren(
    `#${ticket.number} · `,
    isolated('chat-client-name', client.name || 'Unknown'),
    ...(client.username ? [' (@', isolated('chat-client-username', client.username), ')'] : []),
    ' · Client Id ',
    isolated('chat-client-id', String(client.telegram_id ?? '')),
    ' · ',
    isolated('chat-department', department),
  );
  const mine = canReply(ticket) && !gone;
  el['chat-status'].textContent = gone ? movedLine(movedTo) : statusLine(ticket, mine);
  el['chat-status'].dataset.status = gone ? 'moved' : ticket.status;
  el['reply-form'].hidden = !mine;

  el['chat-accept'].hidden = gone || !canAccept(me, ticket);
  el['chat-reassign'].hidden = gone || !canReassign(me, ticket);
  el['chat-return'].hidden = gone || !canReturn(me, ticket);
  el['chat-close'].hidden = gone || !canClose(me, ticket);
  const count = client.notes_count || 0;
  el['chat-notes'].textContent = count > 0 ? `# ${count}` : '#';
  el['chat-notes'].title = count > 0 ? `${count} client notes (#)` : 'Client notes (#)';
  el['chat-notes'].dataset.count = String(count);

  // The customer blocked the bot: replies cannot reach them until they write again.
  const unreachable = client.unreachable || null;
  el['chat-unreachable'].hidden = !unreachable;
  el['chat-unreachable'].textContent = unreachable
    ? `Customer unreachable: ${unreachable}. Replies cannot reach them until they write again.`
    : '';

  const last = ticket.last_owner;
  el['chat-last-owner'].hidden = !last || ticket.status === TICKET_STATUS.ACCEPTED;
  el['chat-last-owner'].replaceChildren();
  if (last) {
    const bdi = element('bdi', '', last.name);
    bdi.dir = 'auto';
    el['chat-last-owner'].append('Last handled by ', bdi);
  }
  el['chat-previous'].hidden = ticket.previous_ticket_id == null;
  el['chat-previous'].textContent = ticket.previous_ticket_id == null
    ? '' : `Follows #${ticket.previous_ticket_id}`;
  showTicketExtras(ticket);
  showTicketPriority(ticket, me);
  el['chat-panel'].classList.toggle('breached', Boolean(ticket.breach) && !gone);
}

function movedLine(departmentId) {
  const department = getDepartment(departmentId);
  return department
    ? `Moved to ${department.name}; it is no longer in your queue.`
    : 'Moved out of your departments; it is no longer in your queue.';
}

/** Fetches the history and the timeline of the selected ticket and merges them in. */
export async function reloadMessages() {
  const ticketId = getSelectedId();
  if (ticketId == null) return;
  const token = ++loadToken;
  try {
    const [page, timeline] = await Promise.all([
      getPage(`/api/tickets/${ticketId}/messages`),
      api.get(`/api/tickets/${ticketId}/timeline`).catch((err) => {
        if (err.status === 404) return [];
        throw err;
      }),
    ]);
    if (token !== loadToken || ticketId !== getSelectedId()) return;
    for (const message of page.items) upsertMessage(message, false);
    for (const change of timeline) showChange(change, false);
    setOlderCursor(page.next);
    scrollToNewest();
  } catch (err) {
    if (token === loadToken) hooks.onError(err);
  }
}

/**
 * Loads the page of messages before the oldest one shown (the agent scrolled to the top or
 * pressed "Load older messages"), keeping what the agent was looking at in place.
 */
async function loadOlder() {
  const ticketId = getSelectedId();
  if (ticketId == null || olderCursor == null || loadingOlder) return;
  loadingOlder = true;
  const token = loadToken;
  const history = el['chat-history'];
  try {
    const page = await getPage(
      `/api/tickets/${ticketId}/messages?before=${encodeURIComponent(olderCursor)}`);
    if (token !== loadToken || ticketId !== getSelectedId()) return;
    const height = history.scrollHeight;
    for (const message of page.items) upsertMessage(message, false);
    history.scrollTop += history.scrollHeight - height;
    setOlderCursor(page.next);
  } catch (err) {
    if (token === loadToken) hooks.onError(err);
  } finally {
    loadingOlder = false;
  }
}

function setOlderCursor(cursor) {
  olderCursor = cursor;
  el['chat-older'].hidden = cursor == null;
}

/** Adds or updates one message if it belongs to the open chat. */
export function showMessage(message) {
  if (!message || message.ticket_id !== getSelectedId()) return false;
  upsertMessage(message, true);
  return true;
}

/** Adds a timeline line if the change belongs to the open chat and is not shown yet. */
export function showChange(change, scroll = true) {
  if (!change || change.ticket_id !== getSelectedId()) return false;
  const history = el['chat-history'];
  if (history.querySelector(`li[data-change-id="${Number(change.id)}"]`)) return true;
  const node = timelineNode(change, getSelectedTicket());
  node.dataset.at = String(timeMs(change.at));
  node.dataset.rank = '0';
  node.dataset.order = String(change.id);
  place(node, scroll);
  return true;
}

/** True when I own the ticket and it is accepted. */
function canReply(ticket) {
  return ownsTicket(getMe(), ticket);
}

function statusLine(ticket, mine) {
  if (ticket.status === TICKET_STATUS.PENDING) return 'Waiting in the queue. Accept it to reply.';
  if (ticket.status === TICKET_STATUS.CLOSED) return 'This ticket is closed.';
  if (mine) return 'You are handling this ticket.';
  const owner = ticket.owner ? ticket.owner.name : 'Another agent';
  return `Read-only: ${owner} is handling this ticket.`;
}

/** Stores the message in the state and shows it in place (by time, then id). */
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
  node.dataset.at = String(timeMs(message.created_at));
  node.dataset.rank = '1';
  node.dataset.order = String(message.id);
  place(node, scroll || false, message.direction === DIRECTION.OUT);
}

/** Inserts a history line before the first later one (time, then timeline before messages, then id). */
function place(node, scroll, forceScroll = false) {
  const history = el['chat-history'];
  const key = sortKey(node);
  const later = [...history.children].find((li) => compareKeys(sortKey(li), key) > 0);
  const nearBottom = history.scrollHeight - history.scrollTop - history.clientHeight < 80;
  history.insertBefore(node, later || null);
  if (node.dataset.mediaGroup) groupAlbums(history);
  if (scroll && (nearBottom || !later || forceScroll)) scrollToNewest();
}

function sortKey(li) {
  return [Number(li.dataset.at) || 0, Number(li.dataset.rank) || 0, Number(li.dataset.order) || 0];
}

function compareKeys(a, b) {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function fillMessage(node, message) {
  const author = message.author || {};
  const out = message.direction === DIRECTION.OUT;
  node.className = `message ${out ? DIRECTION.OUT : DIRECTION.IN}`;
  if (author.kind === AUTHOR_KIND.SYSTEM) node.classList.add(AUTHOR_KIND.SYSTEM);
  node.dataset.messageId = String(message.id);

  const meta = div('message-meta');
  const authorName = span('message-author',
    author.name || (message.direction === DIRECTION.IN ? 'Customer' : 'Agent'));
  authorName.dir = 'auto';
  meta.append(authorName);
  const time = span('message-time', hhmm(message.created_at));
  time.title = localDateTime(message.created_at);
  meta.append(time);
  const edited = editedNode(message);
  if (edited) meta.append(edited);
  if (message.media_group_id) node.dataset.mediaGroup = String(message.media_group_id);

  const text = div('message-text', message.text);
  text.dir = 'auto';
  node.replaceChildren(meta);
  const quote = quoteNode(message);
  if (quote) node.append(quote);
  if (message.out_reply_to != null) {
    const quoted = el['chat-history'].querySelector(
      `li[data-message-id="${Number(message.out_reply_to)}"] .message-text`);
    const line = div('message-quote');
    line.append('↩ ');
    line.append(isolated('', quoted ? quoted.textContent.slice(0, 200) : 'an earlier message'));
    node.append(line);
  }
  const media = mediaNode(message);
  if (media) node.append(media);
  if (message.out_file) {
    const file = div('message-file');
    file.dataset.kind = message.out_file.kind;
    file.append(message.out_file.kind === 'photo' ? '🖼 ' : '📎 ');
    file.append(isolated('message-file-name', message.out_file.name));
    file.append(` (${formatSize(message.out_file.size)})`);
    node.append(file);
  }
  if (message.text || (!media && !message.out_file)) node.append(text);
  if (!out && author.kind !== AUTHOR_KIND.SYSTEM) {
    const reply = element('button', 'message-reply', 'Reply');
    reply.type = 'button';
    reply.title = 'Quote this message in your reply';
    node.append(reply);
  }

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

/** Quotes customer message `id` (showing `text` above the reply box) in the next reply. */
function setQuote(id, text) {
  quote = { id, text };
  el['reply-quote-text'].textContent = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  el['reply-quote'].hidden = false;
  focusReply();
}

/** The customer message the next reply quotes (our id), or null. */
export function quotedMessageId() {
  return quote ? quote.id : null;
}

/** Stops quoting a message. */
export function clearQuote() {
  quote = null;
  if (el['reply-quote']) {
    el['reply-quote'].hidden = true;
    el['reply-quote-text'].textContent = '';
  }
}

/** Puts the caret at the end of the reply box, when the open ticket is mine to answer. */
export function focusReply() {
  const box = el['reply-text'];
  if (el['reply-form'].hidden) return;
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
}

/** Sends what the reply box holds (Enter in the box, Ctrl/Cmd+Enter anywhere). */
export async function sendReply() {
  const ticket = getSelectedTicket();
  const box = el['reply-text'];
  const text = box.value;
  if (sending || !ticket || !canReply(ticket) || getSelectedMovedTo() != null || !text.trim()) return;
  sending = true;
  el['reply-send'].disabled = true;
  try {
    const body = quote ? { text, reply_to: quote.id } : { text };
    const message = await api.post(`/api/tickets/${ticket.id}/messages`, body);
    clearQuote();
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

function formatSize(bytes) {
  const n = Number(bytes) || 0;
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function scrollToNewest() {
  const history = el['chat-history'];
  history.scrollTop = history.scrollHeight;
}
