/**
 * The alert rules, as pure functions (docs/api.md, "Alerts"): when a live
 * event calls for the alert, when it repeats, what a desktop notification
 * says and what the title counts. web/alarm.js carries them out.
 *
 * The alert plays for a new Pending ticket in my departments; a ticket routed,
 * reassigned, returned or reopened so that it waits in one of my departments;
 * a ticket passed to me; and, when I asked for it, a new customer message on a
 * ticket I own that I am not looking at. Changes I made myself do not alert me.
 * A department an admin set to `silent` sounds no alert for tickets waiting in it.
 * A ticket whose customer waited past the department's first-response target
 * (`ticket.breached`) alerts that department's supervisors and admins (those
 * without departments: every department), with a notice; agents only see it marked.
 */

import { AUTHOR_KIND, BREACH_KIND, CHANGE, EVENT, TICKET_STATUS } from './constants.js';
import { inMyDepartments, isManager, ownsTicket } from './permissions.js';
import { changeEnds } from './timeline.js';

const BACK_IN_QUEUE = new Set([CHANGE.ROUTED, CHANGE.REASSIGNED, CHANGE.RETURNED, CHANGE.REOPENED]);

/** Why an alert sounds. */
export const ALERT_KIND = Object.freeze({
  NEW: 'new',
  MOVED: 'moved',
  PASSED: 'passed',
  MESSAGE: 'message',
  BREACHED: 'breached',
});

const QUIET = Object.freeze({ play: false, kind: null, ticket: null, message: null, text: null });

/**
 * What `event` calls for, as `me` sees it: `{play, kind, ticket, message,
 * text}`. `message` is a notice to show in the console (or null), `ticket` the
 * ticket concerned, `text` a customer's message text. `context` holds
 * `settings` (mine), `ticketOf(id)` (an open ticket I hold) and `viewingId`
 * (the ticket whose chat I am looking at in a visible tab, or null).
 */
export function alertFor(event, me, context = {}) {
  if (!me || !event) return QUIET;
  if (event.type === EVENT.MESSAGE_CREATED) return messageAlert(event.message, me, context);
  const ticket = event.ticket;
  if (!ticket) return QUIET;
  if (event.type === EVENT.TICKET_BREACHED) return breachAlert(event, ticket, me);
  const waitsHere = waitsFor(ticket, me);
  const sound = (kind, message = null) => ({ play: true, kind, ticket, message, text: null });
  // A department set to `silent` (docs/api.md, "Departments") sounds nothing for tickets that
  // wait in it; a ticket passed to me still does.
  const silent = Boolean(context.silentDepartment && ticket.department &&
    context.silentDepartment(ticket.department.id));
  if (event.type === EVENT.TICKET_CREATED) return waitsHere && !silent ? sound(ALERT_KIND.NEW) : QUIET;
  if (event.type !== EVENT.TICKET_UPDATED || !event.change) return QUIET;
  const change = event.change;
  if (change.by && change.by.id === me.id) return QUIET;
  const { to } = changeEnds(change);
  if (change.kind === CHANGE.REASSIGNED && to.agent && to.agent.id === me.id) {
    const by = change.by ? change.by.name : 'Someone';
    return sound(ALERT_KIND.PASSED, `${by} passed ticket #${ticket.number} to you`);
  }
  if (BACK_IN_QUEUE.has(change.kind) && waitsHere && !silent) return sound(ALERT_KIND.MOVED);
  return QUIET;
}

/** A new customer message alerts (if I asked for it) on a ticket I own and am not looking at. */
function messageAlert(message, me, { settings, ticketOf, viewingId }) {
  if (!message || !settings || !settings.alert_on_customer_message) return QUIET;
  if (!message.author || message.author.kind !== AUTHOR_KIND.CUSTOMER) return QUIET;
  const ticket = ticketOf ? ticketOf(message.ticket_id) : null;
  if (!ownsTicket(me, ticket) || viewingId === ticket.id) return QUIET;
  return { play: true, kind: ALERT_KIND.MESSAGE, ticket, message: null, text: message.text || '' };
}

/** A breach alerts the supervisors and admins of the ticket's department, with a notice. */
function breachAlert(event, ticket, me) {
  if (!isManager(me) || !inMyDepartments(me, ticket.department && ticket.department.id)) return QUIET;
  return { play: true, kind: ALERT_KIND.BREACHED, ticket, message: breachMessage(event, ticket), text: null };
}

/** "Ticket #12 in General has waited past its first-response target" (plain text). */
export function breachMessage(event, ticket) {
  const department = ticket.department ? ticket.department.name : '';
  const what = event.kind === BREACH_KIND.REPLY ? 'for a reply past its target' : 'past its first-response target';
  return `Ticket #${ticket.number} in \u2068${department}\u2069 has waited ${what}`;
}

/** True for a Pending ticket in my scope: it waits for someone to accept it. */
export function waitsFor(ticket, me) {
  return Boolean(ticket && ticket.status === TICKET_STATUS.PENDING &&
    inMyDepartments(me, ticket.department && ticket.department.id));
}

/**
 * How long until the alert plays again, in ms, while `waiting` Pending
 * tickets in my scope wait unaccepted; null when none waits or repeating is
 * off. A muted agent still gets the timer (title and notifications do not
 * depend on it); the sound itself is skipped when it fires.
 */
export function repeatDelayMs(waiting, settings) {
  if (!waiting || !settings) return null;
  const seconds = Number(settings.repeat_every_secs);
  return seconds > 0 ? seconds * 1000 : null;
}

/**
 * Whether an alert also raises a desktop notification: the tab is hidden, I
 * turned notifications on, and the browser allows them.
 */
export function shouldNotify(alert, { settings, hidden, permission }) {
  return Boolean(alert.play && alert.ticket && hidden && settings && settings.desktop_notifications &&
    permission === 'granted');
}

/**
 * The desktop notification for an alert: `{title, body, tag}` as plain text
 * (a Notification shows text, never markup). The title names the customer and
 * the department.
 */
export function notificationFor(alert) {
  const ticket = alert.ticket;
  const client = ticket.client || {};
  const who = client.name || (client.username ? `@${client.username}` : 'A customer');
  const department = ticket.department ? ticket.department.name : '';
  const title = `${who} · ${department}`;
  let body;
  switch (alert.kind) {
    case ALERT_KIND.PASSED: body = alert.message || `Ticket #${ticket.number} was passed to you`; break;
    case ALERT_KIND.MOVED: body = `Ticket #${ticket.number} waits in ${department}`; break;
    case ALERT_KIND.MESSAGE: body = alert.text || `New message on ticket #${ticket.number}`; break;
    case ALERT_KIND.BREACHED: body = alert.message || `Ticket #${ticket.number} waited past its target`; break;
    default: body = `New ticket #${ticket.number} waits in ${department}`;
  }
  return { title, body, tag: `ticket-${ticket.id}` };
}

/** The page title: `(N) Switchboard` while N tickets ask for attention, else `Switchboard`. */
export function titleFor(count) {
  return count > 0 ? `(${count}) Switchboard` : 'Switchboard';
}
