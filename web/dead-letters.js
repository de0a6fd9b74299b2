/**
 * Dead letters (admins only): the Telegram updates that could not be processed,
 * newest first, in a dialog opened from the top bar. Each shows its update id,
 * when it came, the error and the start of its raw JSON, all as text (the JSON
 * holds customer text: never markup, and direction-isolated).
 */

import { getPage } from './api.js';
import { element, isolated, shortDateTime, span } from './dom.js';

const PAGE = 50;
/** The characters of an update's raw JSON shown. */
const RAW_SHOWN = 600;

let hooks;
let dialog;
let list;
let emptyLine;
let more;
let openButton;
let next = null;

/** `deadLetterHooks.onError(err)` reports failures. */
export function initDeadLetters(deadLetterHooks) {
  hooks = deadLetterHooks;
  dialog = document.getElementById('dead-letters-dialog');
  list = document.getElementById('dead-letters-list');
  emptyLine = document.getElementById('dead-letters-empty');
  more = document.getElementById('dead-letters-more');
  openButton = document.getElementById('dead-letters-button');
  openButton.addEventListener('click', openDeadLetters);
  more.addEventListener('click', () => load(next));
  document.getElementById('dead-letters-done').addEventListener('click', () => dialog.close());
}

/** Shows the top bar's button to admins only (the route refuses others anyway). */
export function showDeadLettersButton(isAdmin) {
  openButton.hidden = !isAdmin;
}

/** Opens the dialog with the newest dead letters. */
export async function openDeadLetters() {
  list.replaceChildren();
  next = null;
  if (!dialog.open) dialog.showModal();
  await load(null);
}

async function load(before) {
  const query = before ? `&before=${encodeURIComponent(before)}` : '';
  try {
    const page = await getPage(`/api/dead-letters?limit=${PAGE}${query}`);
    for (const letter of page.items) list.append(row(letter));
    next = page.next;
  } catch (err) {
    hooks.onError(err);
  }
  emptyLine.hidden = list.childElementCount > 0;
  more.hidden = !next;
}

function row(letter) {
  const item = element('li', 'dead-letter');
  item.dataset.testid = 'dead-letter';
  const head = element('div', 'dead-letter-head');
  head.append(
    span('dead-letter-id', letter.update_id == null ? 'update ?' : `update ${letter.update_id}`),
    span('dead-letter-time', shortDateTime(letter.created_at)),
  );
  const error = element('div', 'dead-letter-error');
  error.append(isolated('', letter.error));
  const raw = element('pre', 'dead-letter-raw');
  raw.dir = 'auto';
  const text = letter.raw || '';
  raw.textContent = text.length > RAW_SHOWN ? `${text.slice(0, RAW_SHOWN)}…` : text;
  item.append(head, error, raw);
  return item;
}

