/**
 * The Admin page's Departments tab: create a department; rename it, change
 * its label, slug, greeting (what the bot sends a customer whose ticket lands
 * there), alert behaviour (sound or silent), whether customers may choose
 * it, its priority (its tickets' at least) and its first-response target (seconds a customer
 * may wait for a first response or a reply before its supervisors are alerted; empty: none);
 * archive it (no new tickets, not offered to customers, history kept) or
 * bring it back.
 */

import { api } from './api.js';
import { button, element, isolated } from './dom.js';
import { field, input, select } from './admin.js';
import { priorityBadge } from './priority.js';

const ALERTS = [['sound', 'Sound the alert for new tickets'], ['silent', 'Silent']];
const PRIORITIES = [['normal', 'Normal'], ['priority', 'Priority'], ['vip', 'VIP']];

/** Renders the tab into `panel`. */
export async function renderDepartments(panel, admin) {
  let departments;
  try {
    departments = await api.get('/api/departments');
  } catch (err) {
    admin.fail(err);
    return;
  }
  const form = element('form', 'admin-form');
  const name = input('text', 'department-new-name');
  const create = button('primary', 'Create department', 'department-create');
  create.type = 'submit';
  form.append(element('h3', '', 'New department'), field('Name', name), create);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.post('/api/departments', { name: name.value });
      admin.ok();
      admin.refresh();
    } catch (err) {
      admin.fail(err);
    }
  });
  const list = element('ul', 'admin-list');
  list.dataset.testid = 'admin-departments';
  for (const department of departments) list.append(row(department, admin));
  panel.append(form, list);
}

function row(department, admin) {
  const item = element('li', 'admin-row');
  item.dataset.testid = 'admin-department';
  item.dataset.name = department.name;
  const head = element('div', 'admin-row-head');
  head.append(isolated('admin-row-name', department.name));
  if (department.archived) head.append(' ', element('span', 'admin-badge', 'archived'));
  const badge = priorityBadge(department.priority);
  if (badge) head.append(' ', badge);
  const name = input('text', 'department-name', department.name);
  const label = input('text', 'department-label', department.label);
  const slug = input('text', 'department-slug', department.slug);
  const greeting = element('textarea');
  greeting.rows = 2;
  greeting.maxLength = 4096;
  greeting.dataset.testid = 'department-greeting';
  greeting.value = department.greeting || '';
  const alert = select(ALERTS, department.alert || 'sound', 'department-alert');
  const priority = select(PRIORITIES, department.priority || 'normal', 'department-priority');
  const target = input('number', 'department-target', department.first_response_target_secs ?? '');
  target.min = '1';
  target.max = '2592000';
  target.step = '1';
  target.placeholder = 'none';
  const open = input('checkbox', 'department-open', department.open);
  const openLabel = element('label', 'check');
  openLabel.append(open, ' Customers may choose it');
  const save = button('', 'Save', 'department-save');
  save.addEventListener('click', () => change(department, {
    name: name.value,
    label: label.value,
    slug: slug.value,
    greeting: greeting.value,
    alert: alert.value,
    open: open.checked,
    priority: priority.value,
    first_response_target_secs: target.value.trim() === '' ? null : Number(target.value),
  }, admin));
  const archive = button('', department.archived ? 'Unarchive' : 'Archive', 'department-archive');
  archive.addEventListener('click', () => change(department, { archived: !department.archived }, admin));
  const actions = element('div', 'admin-row-actions');
  actions.append(save, archive);
  item.append(
    head,
    field('Name', name),
    field('Label customers see', label),
    field('Deep-link slug', slug),
    field('Greeting', greeting),
    field('Alert', alert),
    field('Priority', priority),
    field('First-response target (seconds; empty: none)', target),
    openLabel,
    actions,
  );
  return item;
}

async function change(department, changes, admin) {
  try {
    await api.patch(`/api/departments/${department.id}`, changes);
    admin.ok();
    admin.refresh();
  } catch (err) {
    admin.fail(err);
  }
}
