/**
 * The "Hours & timers" dialog (admins): a department's lifecycle timers
 * (blank: off; the reopen window: the server's global setting) and its
 * business hours (time zone, open intervals per weekday, holidays). Saved with
 * PATCH /api/departments/{id}; the server checks every value and says what is
 * wrong.
 */

import { api } from './api.js';
import { element } from './dom.js';
import { getDepartment, setDepartments } from './state.js';

const TIMERS = Object.freeze([
  ['idle_reminder_hours', 'Idle reminder after (hours)'],
  ['idle_close_hours', 'Idle close after (hours)'],
  ['waiting_close_days', '"Waiting for customer" closes after (days)'],
  ['solution_close_days', '"Solution suggested" closes after (days)'],
  ['reopen_window_hours', 'Reopen window (hours; blank: the global setting)'],
]);
const DAYS = Object.freeze([
  ['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'],
  ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday'],
]);

let dialog;
let title;
let inputs = {};
let hoursOn;
let zone;
let days = {};
let holidays;
let errorLine;
let submit;
let departmentId = null;

/** Builds the dialog (once). */
export function initDeptHours() {
  dialog = element('dialog', 'wide-dialog');
  dialog.id = 'dept-hours-dialog';
  dialog.dataset.testid = 'dept-hours-dialog';
  const form = element('form');
  form.method = 'dialog';
  title = element('h2', '', 'Hours & timers');
  const timers = element('fieldset');
  timers.append(element('legend', '', 'Timers (blank: off)'));
  for (const [key, label] of TIMERS) {
    const input = element('input');
    input.type = 'number';
    input.min = key === 'reopen_window_hours' ? '0' : '1';
    input.step = '1';
    input.dataset.testid = `dept-${key}`;
    inputs[key] = input;
    const row = element('label', 'dept-hours-row', `${label} `);
    row.append(input);
    timers.append(row);
  }
  const hours = element('fieldset');
  hours.append(element('legend', '', 'Business hours'));
  hoursOn = element('input');
  hoursOn.type = 'checkbox';
  hoursOn.dataset.testid = 'dept-hours-on';
  const onRow = element('label', 'dept-hours-row');
  onRow.append(hoursOn, ' Only open in these hours (else always open)');
  zone = element('input');
  zone.type = 'text';
  zone.placeholder = 'Europe/Berlin';
  zone.dataset.testid = 'dept-time-zone';
  const zoneRow = element('label', 'dept-hours-row', 'Time zone (IANA) ');
  zoneRow.append(zone);
  hours.append(onRow, zoneRow);
  for (const [key, label] of DAYS) {
    const input = element('input');
    input.type = 'text';
    input.placeholder = '09:00-13:00, 14:00-18:00';
    input.dataset.testid = `dept-day-${key}`;
    days[key] = input;
    const row = element('label', 'dept-hours-row', `${label} `);
    row.append(input);
    hours.append(row);
  }
  holidays = element('textarea');
  holidays.rows = 2;
  holidays.placeholder = '2026-12-25, 2027-01-01';
  holidays.dataset.testid = 'dept-holidays';
  const holidayRow = element('label', 'dept-hours-row', 'Holidays (YYYY-MM-DD) ');
  holidayRow.append(holidays);
  hours.append(holidayRow);
  errorLine = element('p', 'dialog-error');
  errorLine.setAttribute('role', 'alert');
  const buttons = element('div', 'dialog-buttons');
  const cancel = element('button', '', 'Cancel');
  cancel.type = 'button';
  cancel.addEventListener('click', () => dialog.close('cancel'));
  submit = element('button', 'primary', 'Save');
  submit.type = 'submit';
  submit.dataset.testid = 'dept-hours-save';
  buttons.append(cancel, submit);
  form.append(title, timers, hours, errorLine, buttons);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    save();
  });
  dialog.append(form);
  dialog.addEventListener('close', () => {
    departmentId = null;
  });
  document.body.append(dialog);
}

/** Opens the dialog for department `id`, filled with what it has now. */
export function openDeptHours(id) {
  const department = getDepartment(id);
  if (!department || dialog.open) return;
  departmentId = id;
  title.textContent = `Hours & timers: ${department.name}`;
  for (const [key] of TIMERS) {
    inputs[key].value = department[key] == null ? '' : String(department[key]);
  }
  const hours = department.business_hours || null;
  hoursOn.checked = Boolean(hours);
  zone.value = hours ? hours.time_zone : '';
  for (const [key] of DAYS) {
    const spans = (hours && hours.weekly && hours.weekly[key]) || [];
    days[key].value = spans.map(([from, to]) => `${from}-${to}`).join(', ');
  }
  holidays.value = hours ? (hours.holidays || []).join(', ') : '';
  errorLine.textContent = '';
  dialog.showModal();
}

/** The PATCH body the form says. */
function body() {
  const out = {};
  for (const [key] of TIMERS) {
    const text = inputs[key].value.trim();
    out[key] = text === '' ? null : Number(text);
  }
  if (!hoursOn.checked) {
    out.business_hours = null;
    return out;
  }
  const weekly = {};
  for (const [key] of DAYS) {
    weekly[key] = days[key].value.split(',').map((s) => s.trim()).filter(Boolean)
      .map((span) => span.split('-').map((s) => s.trim()));
  }
  out.business_hours = {
    time_zone: zone.value.trim(),
    weekly,
    holidays: holidays.value.split(/[\s,]+/).filter(Boolean),
  };
  return out;
}

async function save() {
  if (submit.disabled || departmentId == null) return;
  const id = departmentId;
  submit.disabled = true;
  try {
    await api.patch(`/api/departments/${id}`, body());
    setDepartments(await api.get('/api/departments'));
    if (departmentId === id) dialog.close('done');
  } catch (err) {
    errorLine.textContent = err.message || 'Could not save.';
  } finally {
    submit.disabled = false;
  }
}
