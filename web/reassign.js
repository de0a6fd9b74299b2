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
import { reassignTicket } from './actions.js';

let dialog;
let form;
let choices;
let note;
let errorLine;
let submit;
let title;
/** The ticket the open dialog is for. */
let ticketId = null;
let busy = false;

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

/** Opens the dialog for the selected ticket and loads the departments afresh. */
export async function openReassign() {
  const ticket = getSelectedTicket();
  if (!ticket || dialog.open) return;
  ticketId = ticket.id;
  title.textContent = `Reassign ticket #${ticket.number}`;
  note.value = '';
  errorLine.textContent = '';
  renderChoices();
  dialog.showModal();
  try {
    const departments = await api.get('/api/departments');
    if (ticketId === ticket.id) setDepartments(departments);
  } catch (err) {
    if (ticketId === ticket.id) errorLine.textContent = err.message;
  }
  const first = choices.querySelector('input:checked') || choices.querySelector('input');
  if (first && dialog.open && !dialog.contains(document.activeElement)) first.focus();
}

/** Departments with their agents, keeping what is already chosen. */
function renderChoices() {
  const chosenDepartment = form.elements.department ? radioValue('department') : '';
  const chosenAgent = form.elements.agent ? radioValue('agent') : '';
  const me = getMe();
  const nodes = getDepartments().map((department) => {
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
      const agentRadio = radioInput('agent', agent.id);
      agentRadio.dataset.departmentId = String(department.id);
      agentRadio.checked = String(agent.id) === chosenAgent && radio.checked;
      const presence = presenceOf(agent);
      const dot = span('presence-dot');
      dot.dataset.presence = presence;
      agentLabel.append(agentRadio, dot, isolated('agent-name', agent.name),
        span('presence-text', me && agent.id === me.id ? ` ${presence} (you)` : ` ${presence}`));
      item.append(agentLabel);
      agents.append(item);
    }
    if (!agents.children.length) agents.append(element('li', 'reassign-no-agents', 'No agents'));
    group.append(agents);
    return group;
  });
  choices.replaceChildren(...nodes);
  if (!nodes.length) choices.append(element('p', 'dialog-hint', 'Loading departments…'));
}

function radioInput(name, value) {
  const input = element('input');
  input.type = 'radio';
  input.name = name;
  input.value = String(value);
  return input;
}

function radioValue(name) {
  const checked = form.querySelector(`input[name="${name}"]:checked`);
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
  if (busy || ticketId == null) return;
  const department = radioValue('department');
  if (!department) {
    errorLine.textContent = 'Choose a department (and, if you like, an agent in it).';
    return;
  }
  const agent = radioValue('agent');
  const body = { department_id: Number(department) };
  if (agent) body.agent_id = Number(agent);
  if (note.value.trim()) body.note = note.value.trim();
  busy = true;
  submit.disabled = true;
  const id = ticketId;
  try {
    const outcome = await reassignTicket(id, body);
    if (outcome.done) {
      if (ticketId === id) dialog.close('done');
    } else {
      errorLine.textContent = outcome.message;
    }
  } finally {
    busy = false;
    submit.disabled = false;
  }
}
