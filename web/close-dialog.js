/**
 * The Close dialog: a reason (Resolved, Idle, Spam, Duplicate) and an
 * optional comment. Cancel and Escape close it and send nothing; Enter confirms.
 */

import { CLOSE_REASONS, COMMENT_MAX_CHARS } from './constants.js';
import { element } from './dom.js';
import { getSelectedTicket } from './state.js';
import { closeTicket, runDialogAction } from './actions.js';

let dialog;
let form;
let comment;
let errorLine;
let submit;
let ticketId = null;

export function initCloseDialog() {
  dialog = document.getElementById('close-dialog');
  form = document.getElementById('close-form');
  comment = document.getElementById('close-comment');
  errorLine = document.getElementById('close-error');
  submit = document.getElementById('close-submit');
  comment.maxLength = COMMENT_MAX_CHARS;
  const reasons = document.getElementById('close-reasons');
  reasons.append(...CLOSE_REASONS.map(([value, label]) => {
    const option = element('label', 'close-reason');
    const input = element('input');
    input.type = 'radio';
    input.name = 'reason';
    input.value = value;
    option.append(input, ` ${label}`);
    return option;
  }));
  document.getElementById('close-cancel').addEventListener('click', () => dialog.close('cancel'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    confirm();
  });
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.isComposing && event.target.type === 'radio') {
      event.preventDefault();
      confirm();
    }
  });
  dialog.addEventListener('close', () => {
    ticketId = null;
  });
}

/** Opens the dialog for the selected ticket, Resolved chosen. */
export function openCloseDialog() {
  const ticket = getSelectedTicket();
  if (!ticket || dialog.open) return;
  ticketId = ticket.id;
  document.getElementById('close-title').textContent = `Close ticket #${ticket.number}`;
  comment.value = '';
  errorLine.textContent = '';
  const resolved = form.querySelector('input[name="reason"][value="resolved"]');
  resolved.checked = true;
  dialog.showModal();
  resolved.focus();
}

async function confirm() {
  if (submit.disabled || ticketId == null) return;
  const reason = form.querySelector('input[name="reason"]:checked');
  if (!reason) {
    errorLine.textContent = 'Choose a reason.';
    return;
  }
  const body = { reason: reason.value };
  if (comment.value.trim()) body.comment = comment.value.trim();
  await runDialogAction({
    dialog, submit, errorLine, id: ticketId, currentId: () => ticketId,
    action: (id) => closeTicket(id, body),
  });
}
