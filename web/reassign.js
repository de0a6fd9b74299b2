/**
 * The Reassign dialog: departments, under each its agents with their
 * presence; choose a department only (back to that queue) or a department and
 * then an agent (theirs at once), add an optional note, Reassign or Cancel.
 * Cancel and Escape close it and send nothing; Enter confirms.
 */

import { api } from './api.js';
import { COMMENT_MAX_CHARS, TOPIC } from './constants.js';
import { element, isolated, span } from './dom.js';
import { getDepartments, getMe, getSelectedTicket, presenceOf, setDepartments, subscribe } from './state.js';
import { reassignTicket, runDialogAction } from './actions.js';

let dialog;
let form;
let choices;
let note;
let errorLine;
let submit;
let title;
/** The ticket the open dialog is for. */
let ticketId = null;
/** Where the ticket was when the dialog opened: the reassign happens only if it is still there. */
let expected = null;

export function initReassign() {
  dialog = document.getElementById('reassign-dialog');
  form = document.getElementById('reassign-form');
  choices = document.getElementById('reassign-choices');
  note = document.getElementById('reassign-note');
  errorLine = document.getElementById('reassign-error');
  submit = document.getElementById('reassign-submit');
  title = document.getElementById('reassign-title');
  note.maxLength = COMMENT_MAX_CHARS;
  document.getElementById('reassign-cancel').addEventListener('click', () => dialog.close('cancel'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    confirm();
  });
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.isComposing && event.target.tagName === 'INPUT' &&
      event.target.type === 'radio') {
      event.preventDefault();
      confirm();
    }
  });
  choices.addEventListener('change', onChoice);
  dialog.addEventListener('close', () => {
    ticketId = null;
  });
  subscribe(TOPIC.DIRECTORY, () => {
    if (dialog.open) renderChoices();
  });
}

/**
 * Opens the dialog for `ticket` (the selected one unless given, e.g. from the supervisor board)
 * and loads the departments afresh.
 */
export async function openReassign(ticket = getSelectedTicket()) {
  if (!ticket || dialog.open) return;
  ticketId = ticket.id;
  expected = {
    department_id: ticket.department.id,
    owner_id: ticket.owner ? ticket.owner.id : null,
  };
  title.textContent = `Reassign ticket #${ticket.number}`;
  note.value = '';
  errorLine.textContent = '';
  renderChoices();
  dialog.dataset.loading = 'true';
  dialog.showModal();
  try {
    const departments = await api.get('/api/departments');
    if (ticketId === ticket.id) setDepartments(departments);
  } catch (err) {
    if (ticketId === ticket.id) errorLine.textContent = err.message;
  } finally {
    dialog.dataset.loading = 'false';
  }
  const first = choices.querySelector('input:checked') || choices.querySelector('input');
  if (first && dialog.open && !dialog.contains(document.activeElement)) first.focus();
}

/**
 * Departments with their agents, keeping what is already chosen. When only
 * presences changed, the dots and words are updated in place.
 */
function renderChoices() {
  const departments = getDepartments();
  const shape = JSON.stringify(departments.map((d) => [d.id, d.name, d.open,
    (d.agents || []).map((a) => [a.id, a.name])]));
  if (choices.dataset.shape === shape && departments.length) {
    showPresences();
    return;
  }
  choices.dataset.shape = shape;
  const chosenDepartment = radioValue('department');
  const chosenAgent = radioValue('agent');
  const nodes = departments.map((department) => {
    const group = element('fieldset', 'reassign-department');
    group.dataset.departmentId = String(department.id);
    const legend = element('legend');
    const label = element('label', 'reassign-department-label');
    const radio = radioInput('department', department.id);
    radio.checked = String(department.id) === chosenDepartment;
    label.append(radio, isolated('department-name', department.name));
    if (department.open === false) label.append(span('department-closed', ' (not open to customers)'));
    legend.append(label);
    group.append(legend);
    const agents = element('ul', 'reassign-agents');
    for (const agent of department.agents || []) {
      const item = element('li');
      const agentLabel = element('label', 'reassign-agent');
      agentLabel.dataset.agentId = String(agent.id);
      const agentRadio = radioInput('agent', agent.id);
      agentRadio.dataset.departmentId = String(department.id);
      agentRadio.checked = String(agent.id) === chosenAgent && radio.checked;
      agentLabel.append(agentRadio, span('presence-dot'), isolated('agent-name', agent.name),
        span('presence-text'));
      item.append(agentLabel);
      agents.append(item);
    }
    if (!agents.children.length) agents.append(element('li', 'reassign-no-agents', 'No agents'));
    group.append(agents);
    return group;
  });
  choices.replaceChildren(...nodes);
  if (!nodes.length) choices.append(element('p', 'dialog-hint', 'Loading departments…'));
  showPresences();
}

/** Each listed agent's presence dot and word. */
function showPresences() {
  const me = getMe();
  for (const label of choices.querySelectorAll('.reassign-agent')) {
    const id = Number(label.dataset.agentId);
    const listed = getDepartments().flatMap((d) => d.agents || []).find((a) => a.id === id);
    const presence = presenceOf(listed || { id });
    label.querySelector('.presence-dot').dataset.presence = presence;
    label.querySelector('.presence-text').textContent =
      me && id === me.id ? ` ${presence} (you)` : ` ${presence}`;
  }
}

function radioInput(name, value) {
  const input = element('input');
  input.type = 'radio';
  input.name = name;
  input.value = String(value);
  return input;
}

function radioValue(name) {
  const checked = choices.querySelector(`input[name="${name}"]:checked`);
  return checked ? checked.value : '';
}

/** Choosing an agent chooses their department; choosing a department drops an agent of another one. */
function onChoice(event) {
  const input = event.target;
  errorLine.textContent = '';
  if (input.name === 'agent') {
    const department = choices.querySelector(
      `input[name="department"][value="${input.dataset.departmentId}"]`);
    if (department) department.checked = true;
  } else if (input.name === 'department') {
    const agent = choices.querySelector('input[name="agent"]:checked');
    if (agent && agent.dataset.departmentId !== input.value) agent.checked = false;
  }
}

async function confirm() {
  if (submit.disabled || ticketId == null) return;
  const department = radioValue('department');
  if (!department) {
    errorLine.textContent = 'Choose a department (and, if you like, an agent in it).';
    return;
  }
  const agent = radioValue('agent');
  const body = { department_id: Number(department), expected };
  if (agent) body.agent_id = Number(agent);
  if (note.value.trim()) body.note = note.value.trim();
  await runDialogAction({
    dialog, submit, errorLine, id: ticketId, currentId: () => ticketId,
    action: (id) => reassignTicket(id, body),
  });
}
