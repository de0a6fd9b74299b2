/**
 * When a live event calls for the alert sound (docs/api.md, "Alerts"): a new
 * pending ticket in my departments; a ticket routed, reassigned, returned or
 * reopened so that it waits in one of my departments; a ticket passed to me.
 * Changes I made myself do not alert me.
 */

import { CHANGE, EVENT, TICKET_STATUS } from './constants.js';
import { inMyDepartments } from './permissions.js';
import { changeEnds } from './timeline.js';

const BACK_IN_QUEUE = new Set([CHANGE.ROUTED, CHANGE.REASSIGNED, CHANGE.RETURNED, CHANGE.REOPENED]);

/** `{play, message}` for `event` as `me` sees it; message is a notice to show, or null. */
export function alertFor(event, me) {
  const quiet = { play: false, message: null };
  const ticket = event.ticket;
  if (!me || !ticket) return quiet;
  const waitsHere = ticket.status === TICKET_STATUS.PENDING &&
    inMyDepartments(me, ticket.department && ticket.department.id);
  if (event.type === EVENT.TICKET_CREATED) return { play: waitsHere, message: null };
  if (event.type !== EVENT.TICKET_UPDATED || !event.change) return quiet;
  const change = event.change;
  if (change.by && change.by.id === me.id) return quiet;
  const { to } = changeEnds(change);
  if (change.kind === CHANGE.REASSIGNED && to.agent && to.agent.id === me.id) {
    const by = change.by ? change.by.name : 'Someone';
    return { play: true, message: `${by} passed ticket #${ticket.number} to you` };
  }
  if (BACK_IN_QUEUE.has(change.kind) && waitsHere) return { play: true, message: null };
  return quiet;
}
