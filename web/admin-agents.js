/**
 * The Admin page's Agents tab: every agent, disabled ones too, with their
 * role, departments and access; create one; disable or enable, reset a
 * password, change role or departments. A disable or a password reset ends
 * the agent's sessions at once (the server closes their open consoles).
 */

import { api } from './api.js';
import { button, element, isolated } from './dom.js';
import { departmentPicker, field, input, select } from './admin.js';

const ROLES = [['agent', 'Agent'], ['supervisor', 'Supervisor'], ['admin', 'Admin']];

/** Renders the tab into `panel`. */
export async function renderAgents(panel, admin) {
  let agents;
  let departments;
  try {
    [agents, departments] = await Promise.all([
      api.get('/api/admin/agents'),
      api.get('/api/departments'),
    ]);
  } catch (err) {
    admin.fail(err);
    return;
  }
  panel.append(createForm(departments, admin));
  const list = element('ul', 'admin-list');
  list.dataset.testid = 'admin-agents';
  for (const agent of agents) list.append(row(agent, departments, admin));
  panel.append(list);
}

function createForm(departments, admin) {
  const form = element('form', 'admin-form');
  form.dataset.testid = 'agent-create-form';
  const login = input('text', 'agent-login');
  login.autocomplete = 'off';
  const name = input('text', 'agent-name');
  const password = input('password', 'agent-password');
  password.autocomplete = 'new-password';
  const role = select(ROLES, 'agent', 'agent-role');
  const picker = departmentPicker(departments, [], 'agent-departments');
  const create = button('primary', 'Create agent', 'agent-create');
  create.type = 'submit';
  form.append(
    element('h3', '', 'New agent'),
    field('Login', login),
    field('Name', name),
    field('Password', password),
    field('Role', role),
    field('Departments', picker),
    create,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.post('/api/admin/agents', {
        login: login.value,
        name: name.value,
        password: password.value,
        role: role.value,
        departments: picker.value(),
      });
      admin.ok();
      admin.refresh();
    } catch (err) {
      admin.fail(err);
    }
  });
  return form;
}

function row(agent, departments, admin) {
  const item = element('li', 'admin-row');
  item.dataset.testid = 'admin-agent';
  item.dataset.login = agent.login;
  item.dataset.active = String(agent.active);
  const head = element('div', 'admin-row-head');
  head.append(isolated('admin-row-name', agent.name), ' ', isolated('admin-row-login', `@${agent.login}`));
  if (!agent.active) head.append(' ', element('span', 'admin-badge', 'disabled'));
  const name = input('text', 'agent-edit-name', agent.name);
  const role = select(ROLES, agent.role, 'agent-edit-role');
  const picker = departmentPicker(departments, agent.departments, 'agent-edit-departments');
  const save = button('', 'Save', 'agent-save');
  save.addEventListener('click', () => change(agent, {
    name: name.value,
    role: role.value,
    departments: picker.value(),
  }, admin));
  const access = button('', agent.active ? 'Disable' : 'Enable', agent.active ? 'agent-disable' : 'agent-enable');
  access.addEventListener('click', () => change(agent, { active: !agent.active }, admin));
  const password = input('password', 'agent-new-password');
  password.placeholder = 'New password';
  password.autocomplete = 'new-password';
  const reset = button('', 'Reset password', 'agent-reset-password');
  reset.addEventListener('click', async () => {
    try {
      await api.post(`/api/admin/agents/${agent.id}/password`, { password: password.value });
      password.value = '';
      admin.ok();
      admin.refresh();
    } catch (err) {
      admin.fail(err);
    }
  });
  const actions = element('div', 'admin-row-actions');
  actions.append(save, access, password, reset);
  item.append(head, field('Name', name), field('Role', role), field('Departments', picker), actions);
  return item;
}

async function change(agent, changes, admin) {
  try {
    await api.patch(`/api/admin/agents/${agent.id}`, changes);
    admin.ok();
    admin.refresh();
  } catch (err) {
    admin.fail(err);
  }
}
