/**
 * The hold states of the open ticket: a badge ("Waiting for customer",
 * "Solution suggested") and buttons to set them or go back to normal working.
 * The owner (or a supervisor or admin) may; a customer message clears them on
 * the server, and the ticket.updated event brings the badge down.
 */

import { api } from './api.js';
import { TICKET_STATUS, TOPIC } from './constants.js';
import { isManager, ownsTicket } from './permissions.js';
import { getMe, getSelectedMovedTo, getSelectedTicket, subscribe, upsertTicket } from './state.js';

const LABEL = Object.freeze({
  waiting_customer: 'Waiting for customer',
  solution_suggested: 'Solution suggested',
});

let badge;
let buttons;
let onError = () => {};

/** `hooks.onError(err)` reports a failure. */
export function initHold(hooks) {
  onError = hooks.onError;
  badge = document.getElementById('chat-hold');
  buttons = {
    waiting_customer: document.getElementById('chat-hold-waiting'),
    solution_suggested: document.getElementById('chat-hold-solution'),
    open: document.getElementById('chat-hold-open'),
  };
  for (const [state, node] of Object.entries(buttons)) {
    node.addEventListener('click', () => setHold(state));
  }
  subscribe(TOPIC.SELECTION, render);
  subscribe(TOPIC.SELECTED_TICKET, render);
  subscribe(TOPIC.ME, render);
}

function render() {
  const ticket = getSelectedTicket();
  const me = getMe();
  const accepted = Boolean(ticket) && ticket.status === TICKET_STATUS.ACCEPTED &&
    getSelectedMovedTo() == null;
  const hold = accepted ? ticket.hold || null : null;
  badge.hidden = !hold;
  badge.textContent = hold ? LABEL[hold] || hold : '';
  badge.dataset.hold = hold || '';
  const may = accepted && (ownsTicket(me, ticket) || isManager(me));
  buttons.waiting_customer.hidden = !may || hold === 'waiting_customer';
  buttons.solution_suggested.hidden = !may || hold === 'solution_suggested';
  buttons.open.hidden = !may || !hold;
}

async function setHold(state) {
  const ticket = getSelectedTicket();
  if (!ticket) return;
  for (const node of Object.values(buttons)) node.disabled = true;
  try {
    upsertTicket(await api.post(`/api/tickets/${ticket.id}/state`, { state }));
  } catch (err) {
    if (err.status === 409 && err.body && err.body.ticket) upsertTicket(err.body.ticket);
    else onError(err);
  } finally {
    for (const node of Object.values(buttons)) node.disabled = false;
    render();
  }
}
