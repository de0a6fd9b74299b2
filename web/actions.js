/**
 * The ticket actions (accept, reassign, return, close) as API calls, and what
 * their refusals mean to the agent: a lost race (409) shows who changed the
 * ticket first and takes the ticket as it now is; 403 and 422 say why.
 */

import { api } from './api.js';
import { ERROR_CODE, TICKET_STATUS } from './constants.js';
import { isManager, inMyDepartments } from './permissions.js';
import { getMe, getTicket, getSelectedTicket, removeTicket, selectTicket, ticketMovedAway, upsertTicket } from './state.js';

let notify = () => {};
let onError = () => {};

/** `hooks.notify(text)` shows a notice; `hooks.onError(err)` reports an unexpected failure. */
export function initActions(hooks) {
  notify = hooks.notify;
  onError = hooks.onError;
}

/** POST accept; on a lost race, show who won. */
export async function acceptTicket(id) {
  const before = getTicket(id) || getSelectedTicket();
  const label = `#${before ? before.number : id}`;
  try {
    const ticket = await api.post(`/api/tickets/${id}/accept`);
    upsertTicket(ticket);
    selectTicket(id);
  } catch (err) {
    if (err.status === 409 && err.code === ERROR_CODE.ALREADY_ACCEPTED && err.body && err.body.owner) {
      const current = getTicket(id) || before;
      if (current) upsertTicket({ ...current, status: TICKET_STATUS.ACCEPTED, owner: err.body.owner });
      notify(`Ticket ${label} was already accepted by ${err.body.owner.name}`);
    } else {
      refused(err, id, label);
    }
  }
}

/**
 * POST reassign `{department_id, agent_id?, note?}`. Resolves to
 * `{done: true}`, or `{done: false, message}` when the dialog should stay open
 * and say why (403, 422); a lost race closes it (`done: true`) with a notice.
 */
export async function reassignTicket(id, body) {
  const before = getTicket(id) || getSelectedTicket();
  const label = `#${before ? before.number : id}`;
  try {
    const ticket = await api.post(`/api/tickets/${id}/reassign`, body);
    takeResult(ticket);
    const to = ticket.owner ? `${ticket.owner.name} (${ticket.department.name})` : ticket.department.name;
    notify(`Ticket ${label} passed to ${to}`);
    return { done: true };
  } catch (err) {
    return dialogRefusal(err, id, label);
  }
}

/** POST close `{reason, comment?}`; resolves like reassignTicket. */
export async function closeTicket(id, body) {
  const before = getTicket(id) || getSelectedTicket();
  const label = `#${before ? before.number : id}`;
  try {
    const ticket = await api.post(`/api/tickets/${id}/close`, body);
    upsertTicket(ticket);
    notify(`Ticket ${label} closed`);
    return { done: true };
  } catch (err) {
    return dialogRefusal(err, id, label);
  }
}

/** POST return: the ticket goes back to its department's queue. */
export async function returnTicket(id) {
  const before = getTicket(id) || getSelectedTicket();
  const label = `#${before ? before.number : id}`;
  try {
    const ticket = await api.post(`/api/tickets/${id}/return`);
    takeResult(ticket);
    notify(`Ticket ${label} returned to the queue`);
  } catch (err) {
    refused(err, id, label);
  }
}

/**
 * POST take-over (supervisors and admins): the accepted ticket becomes mine if `expectedOwnerId`
 * still holds it. On a lost race (409) the ticket is taken as it now is and a notice says who
 * holds it, as for Accept. Resolves to null when done, else to that sentence.
 */
export async function takeOverTicket(id, expectedOwnerId) {
  const before = getTicket(id) || getSelectedTicket();
  const label = `#${before ? before.number : id}`;
  try {
    const ticket = await api.post(`/api/tickets/${id}/take-over`, { expected_owner_id: expectedOwnerId ?? null });
    upsertTicket(ticket);
    notify(`You took over ticket ${label}`);
    return null;
  } catch (err) {
    if (err.status === 409 && err.body && err.body.ticket) {
      const now = err.body.ticket;
      takeResult(now);
      const text = now.status === TICKET_STATUS.ACCEPTED && now.owner
        ? `Ticket ${label} is held by ${now.owner.name} now`
        : changedFirstMessage(label, now);
      notify(text);
      return text;
    }
    refused(err, id, label);
    return err.message || 'Take over failed';
  }
}

/** What a ticket looks like to the agent after someone else changed it first. */
export function changedFirstMessage(label, ticket) {
  let now;
  if (ticket.status === TICKET_STATUS.CLOSED) now = 'it is closed';
  else if (ticket.status === TICKET_STATUS.ACCEPTED) {
    now = `${ticket.owner ? ticket.owner.name : 'another agent'} has it now (${ticket.department.name})`;
  } else now = `it is waiting in ${ticket.department.name}`;
  return `Ticket ${label} was changed by someone else first: ${now}.`;
}

/** Keeps an action's answer, unless the ticket left my sight with it (then it is shown as moved). */
function takeResult(ticket) {
  const me = getMe();
  const visible = isManager(me) || inMyDepartments(me, ticket.department.id) ||
    (ticket.owner && me && ticket.owner.id === me.id);
  if (visible) upsertTicket(ticket);
  else ticketMovedAway(ticket.id, ticket.department.id);
}

function dialogRefusal(err, id, label) {
  if (err.status === 403 || err.status === 422 || err.status === 400) {
    return { done: false, message: err.message };
  }
  refused(err, id, label);
  return { done: true };
}

/** Reports a refused action; a 409 with the ticket as it now is refreshes it. */
function refused(err, id, label) {
  if (err.status === 409 && err.body && err.body.ticket) {
    takeResult(err.body.ticket);
    notify(changedFirstMessage(label, err.body.ticket));
  } else if (err.status === 404) {
    removeTicket(id);
    notify(`Ticket ${label} is no longer available`);
  } else if (err.status === 409) {
    notify(err.message);
    api.get(`/api/tickets/${id}`).then(upsertTicket, () => {});
  } else {
    onError(err);
  }
}

/**
 * Runs a dialog's action on ticket `id` with its submit button disabled meanwhile (which also
 * keeps a second Enter from sending it twice): closes the dialog when it is done and still about
 * that ticket (`currentId()`), else shows why in `errorLine`.
 */
export async function runDialogAction({ dialog, submit, errorLine, id, currentId, action }) {
  submit.disabled = true;
  try {
    const outcome = await action(id);
    if (outcome.done) {
      if (currentId() === id) dialog.close('done');
    } else {
      errorLine.textContent = outcome.message;
    }
  } finally {
    submit.disabled = false;
  }
}
