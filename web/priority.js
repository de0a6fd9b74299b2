/**
 * Priorities in the console (docs/api.md, "Supervisor board, take-over, priorities and
 * first-response targets"): the badge a priority or VIP ticket, client or department carries,
 * the breach badge of a ticket whose customer waited past the target, the order Pending
 * tickets wait in (VIP first, then priority, then the longest wait), and the chat header's
 * client priority: a badge for everyone, a choice for supervisors and admins
 * (PATCH /api/clients/{id}).
 */

import { api } from './api.js';
import { BREACH_KIND, PRIORITY } from './constants.js';
import { hhmm, span, timeMs } from './dom.js';
import { isManager } from './permissions.js';

const RANK = { [PRIORITY.NORMAL]: 0, [PRIORITY.PRIORITY]: 1, [PRIORITY.VIP]: 2 };
const LABEL = { [PRIORITY.NORMAL]: 'Normal', [PRIORITY.PRIORITY]: 'Priority', [PRIORITY.VIP]: 'VIP' };

let hooks = { onError: () => {}, notify: () => {} };
let badge;
let field;
let choice;
let breachLine;
/** The client the header's choice is about. */
let clientId = null;
/** The client's priority as last shown, to go back to when a change is refused. */
let shownPriority = PRIORITY.NORMAL;

/** How a priority ranks: 0 normal, 1 priority, 2 VIP (unknown: normal). */
export function priorityRank(priority) {
  return RANK[priority] ?? 0;
}

/** The label of a priority ("VIP"). */
export function priorityLabel(priority) {
  return LABEL[priority] || LABEL[PRIORITY.NORMAL];
}

/** A `priority` or `VIP` badge, or null for a normal priority. */
export function priorityBadge(priority, testId = 'priority-badge') {
  if (priorityRank(priority) === 0) return null;
  const node = span('priority-badge', priorityLabel(priority));
  node.dataset.priority = priority;
  node.dataset.testid = testId;
  return node;
}

/** The "past target" badge of a breached ticket (its title says since when), or null. */
export function breachBadge(ticket, testId = 'breach-badge') {
  if (!ticket || !ticket.breach) return null;
  const node = span('breach-badge', 'past target');
  node.dataset.testid = testId;
  node.dataset.kind = ticket.breach.kind;
  node.title = ticket.breach.kind === BREACH_KIND.REPLY
    ? `The customer has waited for a reply since ${hhmm(ticket.breach.since)}: past the target`
    : `Waiting for a first response since ${hhmm(ticket.breach.since)}: past the target`;
  return node;
}

/** Pending order: the higher priority first, then the longest wait, then the lower number. */
export function comparePending(a, b) {
  return priorityRank(b.priority) - priorityRank(a.priority) ||
    timeMs(a.created_at) - timeMs(b.created_at) || a.id - b.id;
}

/** `priorityHooks.onError(err)` reports failures, `priorityHooks.notify(text)` says what changed. */
export function initPriority(priorityHooks) {
  hooks = { ...hooks, ...priorityHooks };
  badge = document.getElementById('chat-priority-badge');
  field = document.getElementById('chat-priority-field');
  choice = document.getElementById('chat-priority');
  breachLine = document.getElementById('chat-breach');
  for (const value of Object.values(PRIORITY)) {
    const option = document.createElement('option');
    option.value = value;
    option.textContent = LABEL[value];
    choice.append(option);
  }
  choice.addEventListener('change', () => setClientPriority(clientId, choice.value));
}

/** The chat header's priority badge, and the client priority choice for supervisors and admins. */
export function showTicketPriority(ticket, me) {
  const rank = priorityRank(ticket.priority);
  badge.hidden = rank === 0;
  badge.textContent = rank === 0 ? '' : priorityLabel(ticket.priority);
  badge.dataset.priority = ticket.priority || PRIORITY.NORMAL;
  breachLine.hidden = !ticket.breach;
  breachLine.textContent = !ticket.breach ? '' : ticket.breach.kind === BREACH_KIND.REPLY
    ? `Past target: no reply since ${hhmm(ticket.breach.since)}`
    : `Past target: waiting since ${hhmm(ticket.breach.since)}`;
  const client = ticket.client || {};
  field.hidden = !isManager(me) || client.id == null;
  clientId = client.id ?? null;
  shownPriority = client.priority || PRIORITY.NORMAL;
  if (!choice.disabled) choice.value = shownPriority;
}

/** PATCH the client's priority; their open tickets follow through ticket.updated. */
async function setClientPriority(id, priority) {
  if (id == null) return;
  choice.disabled = true;
  try {
    const client = await api.patch(`/api/clients/${id}`, { priority });
    shownPriority = client.priority;
    // First-strong isolates keep a right-to-left name from reordering the sentence.
    hooks.notify(`\u2068${client.name || 'The client'}\u2069 is now ${priorityLabel(client.priority)}`);
  } catch (err) {
    choice.value = shownPriority;
    hooks.onError(err);
  } finally {
    choice.disabled = false;
  }
}
