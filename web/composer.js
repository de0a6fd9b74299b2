/**
 * The reply box's helpers: the draft of each ticket kept as it is typed
 * (state.js stores it, drafts.js keeps it across reloads), "typing…" shown to
 * the customer (POST /api/tickets/{id}/typing at most once per 5 s while the
 * owner types), and canned responses: `/` at the start of the box opens a
 * picker filtered by what follows; Enter or Tab inserts the text as plain text.
 */

import { api } from './api.js';
import { TOPIC } from './constants.js';
import { element, span } from './dom.js';
import { ownsTicket } from './permissions.js';
import { getMe, getSelectedTicket, setDraft, subscribe } from './state.js';

/** The console tells the server at most this often that the agent types. */
const TYPING_EVERY_MS = 5000;
/** How long a department's canned responses are reused before they are fetched again. */
const CANNED_FRESH_MS = 30000;
/** The most entries the picker shows. */
const PICKER_MAX = 8;
/** `/` then what the shortcut starts with; nothing else in the box. */
const SLASH = /^\/([a-z0-9_-]{0,32})$/;

let box;
let picker;
/** ticket id -> when "typing" was last sent */
const typingSent = new Map();
/** department id -> { at, list } */
const cannedCache = new Map();
/** the picker's entries as shown, and which is highlighted */
let choices = [];
let highlighted = 0;
/** bumped on every input, so a late canned list does not reopen a stale picker */
let inputEpoch = 0;

export function initComposer() {
  box = document.getElementById('reply-text');
  picker = document.getElementById('canned-picker');
  box.addEventListener('input', onInput);
  // Capture on the form: runs before the box's own Enter-sends handler (chat.js).
  document.getElementById('reply-form').addEventListener('keydown', onKeyDown, true);
  box.addEventListener('blur', () => setTimeout(closePicker, 150));
  subscribe(TOPIC.SELECTION, closePicker);
}

/** Forgets the canned responses and typing times (logout). */
export function resetComposer() {
  cannedCache.clear();
  typingSent.clear();
  closePicker();
}

function onInput() {
  const ticket = getSelectedTicket();
  if (!ticket) return;
  setDraft(ticket.id, box.value);
  inputEpoch += 1;
  const slash = SLASH.exec(box.value);
  if (slash) showPicker(ticket, slash[1], inputEpoch);
  else closePicker();
  if (box.value.trim()) typing(ticket);
}

/** Tells the customer the agent types, at most once per 5 s per ticket (the server throttles too). */
function typing(ticket) {
  if (!ownsTicket(getMe(), ticket)) return;
  const now = Date.now();
  if (now - (typingSent.get(ticket.id) || 0) < TYPING_EVERY_MS) return;
  typingSent.set(ticket.id, now);
  api.post(`/api/tickets/${ticket.id}/typing`).catch(() => {});
}

async function cannedFor(departmentId) {
  const cached = cannedCache.get(departmentId);
  if (cached && Date.now() - cached.at < CANNED_FRESH_MS) return cached.list;
  const list = await api.get(`/api/canned?department=${encodeURIComponent(departmentId)}`);
  cannedCache.set(departmentId, { at: Date.now(), list: list || [] });
  return list || [];
}

async function showPicker(ticket, prefix, epoch) {
  let list;
  try {
    list = await cannedFor(ticket.department.id);
  } catch {
    list = [];
  }
  if (epoch !== inputEpoch) return;
  choices = list
    .filter((c) => c.shortcut.startsWith(prefix))
    .sort((a, b) => a.shortcut.localeCompare(b.shortcut))
    .slice(0, PICKER_MAX);
  highlighted = 0;
  renderPicker(prefix);
}

function renderPicker(prefix) {
  picker.replaceChildren();
  if (!choices.length) {
    picker.append(element('li', 'canned-none', prefix ? `No canned response /${prefix}` : 'No canned responses'));
  }
  choices.forEach((choice, index) => {
    const item = element('li', 'canned-choice');
    item.id = `canned-${choice.id}`;
    item.setAttribute('role', 'option');
    item.setAttribute('aria-selected', String(index === highlighted));
    item.dataset.shortcut = choice.shortcut;
    const title = span('canned-title', choice.title);
    title.dir = 'auto';
    item.append(span('canned-shortcut', `/${choice.shortcut}`), title);
    item.addEventListener('mousedown', (event) => {
      event.preventDefault();
      insert(choice);
    });
    picker.append(item);
  });
  picker.hidden = false;
  box.setAttribute('aria-expanded', 'true');
}

function closePicker() {
  if (!picker || picker.hidden) return;
  picker.hidden = true;
  picker.replaceChildren();
  choices = [];
  box.setAttribute('aria-expanded', 'false');
}

/** Puts the canned text in the box (as text: `.value`, never markup) and keeps it as the draft. */
function insert(choice) {
  box.value = choice.text;
  closePicker();
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
  const ticket = getSelectedTicket();
  if (ticket) setDraft(ticket.id, box.value);
}

function onKeyDown(event) {
  if (event.target !== box || picker.hidden || event.isComposing) return;
  const stop = () => {
    event.preventDefault();
    event.stopPropagation();
  };
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    stop();
    if (!choices.length) return;
    highlighted = (highlighted + (event.key === 'ArrowDown' ? 1 : choices.length - 1)) % choices.length;
    [...picker.children].forEach((li, i) => li.setAttribute('aria-selected', String(i === highlighted)));
  } else if ((event.key === 'Enter' && !event.ctrlKey && !event.metaKey) || event.key === 'Tab') {
    if (!choices.length) return;
    stop();
    insert(choices[highlighted]);
  } else if (event.key === 'Escape') {
    stop();
    closePicker();
  }
}
