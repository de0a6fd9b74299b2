/**
 * The Admin page's Canned tab: the canned responses of one department at a
 * time; add, change and delete them (the API of docs/api.md, "Canned
 * responses").
 */

import { api } from './api.js';
import { button, element } from './dom.js';
import { field, input, select } from './admin.js';

let chosen = null;

/** Renders the tab into `panel`. */
export async function renderCanned(panel, admin) {
  let departments;
  try {
    departments = await api.get('/api/departments');
  } catch (err) {
    admin.fail(err);
    return;
  }
  if (!departments.length) return;
  if (!departments.some((d) => d.id === chosen)) chosen = departments[0].id;
  const picker = select(departments.map((d) => [d.id, d.name]), chosen, 'canned-department');
  picker.addEventListener('change', () => {
    chosen = Number(picker.value);
    admin.refresh();
  });
  panel.append(field('Department', picker));
  let canned;
  try {
    canned = await api.get(`/api/canned?department=${chosen}`);
  } catch (err) {
    admin.fail(err);
    return;
  }
  panel.append(createForm(admin));
  const list = element('ul', 'admin-list');
  list.dataset.testid = 'admin-canned';
  for (const response of canned) list.append(row(response, admin));
  panel.append(list);
}

function editors(response = {}) {
  const shortcut = input('text', 'canned-shortcut', response.shortcut || '');
  const title = input('text', 'canned-title', response.title || '');
  const text = element('textarea');
  text.rows = 3;
  text.maxLength = 4096;
  text.dataset.testid = 'canned-text';
  text.value = response.text || '';
  return { shortcut, title, text };
}

function createForm(admin) {
  const form = element('form', 'admin-form');
  const { shortcut, title, text } = editors();
  const create = button('primary', 'Add canned response', 'canned-create');
  create.type = 'submit';
  form.append(
    element('h3', '', 'New canned response'),
    field('Shortcut (after /)', shortcut),
    field('Title', title),
    field('Text', text),
    create,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.post('/api/canned', {
        department_id: chosen,
        shortcut: shortcut.value,
        title: title.value,
        text: text.value,
      });
      admin.ok();
      admin.refresh();
    } catch (err) {
      admin.fail(err);
    }
  });
  return form;
}

function row(response, admin) {
  const item = element('li', 'admin-row');
  item.dataset.testid = 'admin-canned-row';
  const { shortcut, title, text } = editors(response);
  const save = button('', 'Save', 'canned-save');
  save.addEventListener('click', () => act(() => api.patch(`/api/canned/${response.id}`, {
    shortcut: shortcut.value,
    title: title.value,
    text: text.value,
  }), admin));
  const remove = button('', 'Delete', 'canned-delete');
  remove.addEventListener('click', () => act(() => api.del(`/api/canned/${response.id}`), admin));
  const actions = element('div', 'admin-row-actions');
  actions.append(save, remove);
  item.append(field('Shortcut', shortcut), field('Title', title), field('Text', text), actions);
  return item;
}

async function act(call, admin) {
  try {
    await call();
    admin.ok();
    admin.refresh();
  } catch (err) {
    admin.fail(err);
  }
}
