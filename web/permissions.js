/**
 * Which ticket and note actions the console offers to whom. The server
 * decides (docs/api.md); these only keep buttons away from people who would
 * be refused: the owner acts on their ticket, supervisors and admins on any.
 */

import { ROLE, TICKET_STATUS } from './constants.js';

/** True for a supervisor or an admin. */
export function isManager(me) {
  return Boolean(me && (me.role === ROLE.SUPERVISOR || me.role === ROLE.ADMIN));
}

/** True when `me` owns the accepted `ticket`. */
export function ownsTicket(me, ticket) {
  return Boolean(me && ticket && ticket.status === TICKET_STATUS.ACCEPTED && ticket.owner &&
    ticket.owner.id === me.id);
}

/** Accept: any pending ticket I can see. */
export function canAccept(me, ticket) {
  return Boolean(me && ticket && ticket.status === TICKET_STATUS.PENDING);
}

/** Reassign: the owner; supervisors and admins any open ticket, pending ones too. */
export function canReassign(me, ticket) {
  if (!ticket || ticket.status === TICKET_STATUS.CLOSED) return false;
  return ownsTicket(me, ticket) || isManager(me);
}

/** Return to queue: an accepted ticket, by its owner or a supervisor or admin. */
export function canReturn(me, ticket) {
  if (!ticket || ticket.status !== TICKET_STATUS.ACCEPTED) return false;
  return ownsTicket(me, ticket) || isManager(me);
}

/** Close: the owner; supervisors and admins any open ticket. */
export function canClose(me, ticket) {
  if (!ticket || ticket.status === TICKET_STATUS.CLOSED) return false;
  return ownsTicket(me, ticket) || isManager(me);
}

/** Edit or delete a note: its author; supervisors and admins any. */
export function canEditNote(me, note) {
  return Boolean(me && note && ((note.author && note.author.id === me.id) || isManager(me)));
}

/** True when `departmentId` is one of mine (supervisors and admins without departments: all). */
export function inMyDepartments(me, departmentId) {
  if (!me) return false;
  const mine = me.departments || [];
  if (mine.some((d) => d.id === departmentId)) return true;
  return mine.length === 0 && isManager(me);
}
