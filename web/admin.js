/**
 * The Admin page (admins only; the API refuses everyone else anyway): a wide
 * dialog opened from the top bar with tabs Agents, Departments, Canned, Bot
 * texts and Audit. The dialog and its button are built here, so the page's
 * HTML stays as it is; each tab lives in its own module and renders into its
 * panel when the tab is shown.
 */

import { button, element } from './dom.js';
import { renderAgents } from './admin-agents.js';
import { renderDepartments } from './admin-departments.js';
import { renderCanned } from './admin-canned.js';
import { renderBotTexts } from './admin-texts.js';
import { renderAudit } from './admin-audit.js';

const TABS = [
  { id: 'agents', label: 'Agents', render: renderAgents },
  { id: 'departments', label: 'Departments', render: renderDepartments },
  { id: 'canned', label: 'Canned', render: renderCanned },
  { id: 'texts', label: 'Bot texts', render: renderBotTexts },
  { id: 'audit', label: 'Audit', render: renderAudit },
];

let openButton;
let dialog;
let panel;
let errorLine;
const tabButtons = new Map();
let current = TABS[0];

/** Builds the button and the dialog; `hooks.onError(err)` reports what the tabs cannot show. */
export function initAdmin(hooks) {
  openButton = button('', 'Admin', 'admin-button');
  openButton.id = 'admin-button';
  openButton.title = 'Agents, departments, canned responses, bot texts and the audit trail';
  openButton.hidden = true;
  openButton.addEventListener('click', openAdmin);
  const before = document.getElementById('settings-button');
  before.parentNode.insertBefore(openButton, before);

  dialog = element('dialog', 'wide-dialog admin-dialog');
  dialog.id = 'admin-dialog';
  dialog.dataset.testid = 'admin-dialog';
  dialog.setAttribute('aria-labelledby', 'admin-title');
  const title = element('h2', '', 'Administration');
  title.id = 'admin-title';
  const tabs = element('div', 'tabs admin-tabs');
  tabs.setAttribute('role', 'tablist');
  for (const tab of TABS) {
    const tabButton = button('', tab.label, `admin-tab-${tab.id}`);
    tabButton.setAttribute('role', 'tab');
    tabButton.addEventListener('click', () => show(tab));
    tabButtons.set(tab.id, tabButton);
    tabs.append(tabButton);
  }
  panel = element('div', 'admin-panel');
  panel.setAttribute('role', 'tabpanel');
  errorLine = element('p', 'dialog-error');
  errorLine.setAttribute('role', 'alert');
  errorLine.dataset.testid = 'admin-error';
  const done = button('primary', 'Done', 'admin-done');
  done.addEventListener('click', () => dialog.close());
  const buttons = element('div', 'dialog-buttons');
  buttons.append(done);
  dialog.append(title, tabs, errorLine, panel, buttons);
  document.body.append(dialog);
  admin.onError = hooks.onError;
}

/** Shows the button to admins only; closes the page when the role is gone. */
export function showAdminButton(isAdmin) {
  if (!openButton) return;
  openButton.hidden = !isAdmin;
  if (!isAdmin && dialog.open) dialog.close();
}

/** Opens the page on its current tab. */
export function openAdmin() {
  if (!dialog.open) dialog.showModal();
  show(current);
}

function show(tab) {
  current = tab;
  for (const [id, tabButton] of tabButtons) tabButton.setAttribute('aria-selected', String(id === tab.id));
  errorLine.textContent = '';
  panel.replaceChildren();
  tab.render(panel, admin);
}

/** What every tab gets: how to say that something failed, and how to show itself again. */
const admin = {
  onError: () => {},
  /** Shows a refusal's message above the tab (an ApiError's message is safe to show). */
  fail(err) {
    errorLine.textContent = err && err.message ? err.message : String(err);
  },
  /** Clears the error line. */
  ok() {
    errorLine.textContent = '';
  },
  /** Renders the current tab again (after a change). */
  refresh() {
    show(current);
  },
};

/** A labelled form field: `{label, node}` as a `<label>` holding both. */
export function field(label, node) {
  const wrap = element('label', 'admin-field');
  wrap.append(element('span', 'admin-field-label', label), node);
  return wrap;
}

/** An `<input>` of `type` with a `data-testid` and an initial value. */
export function input(type, testId, value = '') {
  const node = element('input');
  node.type = type;
  if (testId) node.dataset.testid = testId;
  if (type === 'checkbox') node.checked = Boolean(value);
  else node.value = value ?? '';
  return node;
}

/** A `<select>` of `[value, label]` options with `selected` chosen. */
export function select(options, selected, testId) {
  const node = element('select');
  if (testId) node.dataset.testid = testId;
  for (const [value, label] of options) {
    const option = element('option', '', label);
    option.value = String(value);
    option.selected = String(value) === String(selected);
    node.append(option);
  }
  return node;
}

/** Checkboxes, one per department, with `chosen` ticked; `.value()` reads the ids ticked. */
export function departmentPicker(departments, chosen, testId) {
  const box = element('div', 'admin-departments');
  if (testId) box.dataset.testid = testId;
  const ticks = [];
  for (const department of departments) {
    const tick = input('checkbox', '', chosen.includes(department.id));
    tick.value = String(department.id);
    const label = element('label', 'check');
    label.append(tick, ` ${department.name}`);
    ticks.push(tick);
    box.append(label);
  }
  box.value = () => ticks.filter((t) => t.checked).map((t) => Number(t.value));
  return box;
}
