/**
 * The `#` notes panel: the notes of the selected ticket's client (author,
 * time, text), a form to add one (up to 2,000 characters, with a counter),
 * and edit and delete for one's own notes (supervisors and admins: any). It
 * follows the state module; note.* events keep it live.
 */

import { api } from './api.js';
import { NOTE_MAX_CHARS, TOPIC } from './constants.js';
import { button, div, element, isolated, localDateTime, shortDateTime, span } from './dom.js';
import { canEditNote } from './permissions.js';
import {
  getMe, getNotes, getSelectedTicket, loadNotes, openNotes, subscribe, upsertNote, dropNote,
} from './state.js';

let hooks;
let panel;
let list;
let emptyLine;
let title;
let form;
let text;
let counter;
let add;
/** The note being edited and its unsaved text. */
let editing = null;
let loading = null;

/** `notesHooks.onError(err)` reports failures. */
export function initNotes(notesHooks) {
  hooks = notesHooks;
  panel = document.getElementById('notes-panel');
  list = document.getElementById('notes-list');
  emptyLine = document.getElementById('notes-empty');
  title = document.getElementById('notes-title');
  form = document.getElementById('note-form');
  text = document.getElementById('note-text');
  counter = document.getElementById('note-counter');
  add = document.getElementById('note-add');
  text.maxLength = NOTE_MAX_CHARS;
  text.addEventListener('input', showCount);
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      addNote();
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    addNote();
  });
  document.getElementById('notes-hide').addEventListener('click', () => openNotes(null));
  subscribe(TOPIC.NOTES, render);
  subscribe(TOPIC.SELECTION, followSelection);
  subscribe(TOPIC.SELECTED_TICKET, followSelection);
  subscribe(TOPIC.ME, render);
  showCount();
}

/** Opens (or, when it shows this client already, closes) the panel for the selected ticket's client. */
export function toggleNotes() {
  const ticket = getSelectedTicket();
  const { open, clientId } = getNotes();
  if (!ticket || (open && clientId === ticket.client.id)) {
    openNotes(null);
    return;
  }
  showClient(ticket.client.id);
  text.focus();
}

/** Opens the panel for the selected ticket's client. */
export function showNotes() {
  const ticket = getSelectedTicket();
  if (!ticket) return;
  showClient(ticket.client.id);
}

/** True while the panel is open. */
export function notesOpen() {
  return getNotes().open;
}

function showClient(clientId) {
  if (getNotes().clientId !== clientId || !getNotes().open) {
    editing = null;
    openNotes(clientId);
  }
  if (getNotes().notes == null) load(clientId);
}

/** While open, the panel shows the client of whatever ticket is selected. */
function followSelection() {
  const { open, clientId } = getNotes();
  if (!open) return;
  const ticket = getSelectedTicket();
  if (!ticket) openNotes(null);
  else if (ticket.client.id !== clientId) showClient(ticket.client.id);
}

async function load(clientId) {
  if (loading === clientId) return;
  loading = clientId;
  try {
    const notes = await api.get(`/api/clients/${clientId}/notes`);
    loadNotes(clientId, notes);
  } catch (err) {
    if (getNotes().clientId === clientId) {
      emptyLine.textContent = 'The notes could not be loaded';
      hooks.onError(err);
    }
  } finally {
    if (loading === clientId) loading = null;
  }
}

function render() {
  const { open, clientId, notes } = getNotes();
  panel.hidden = !open;
  if (!open) return;
  const ticket = getSelectedTicket();
  title.replaceChildren('Notes on ');
  title.append(isolated('', ticket && ticket.client.id === clientId ? ticket.client.name : `client ${clientId}`));
  panel.dataset.clientId = String(clientId);
  // Keep an edit in progress across re-renders.
  const editor = list.querySelector('.note-editor textarea');
  if (editing && editor) editing.text = editor.value;
  const me = getMe();
  list.replaceChildren(...(notes || []).map((note) => noteNode(note, me)));
  emptyLine.hidden = Boolean(notes && notes.length);
  emptyLine.textContent = notes ? 'No notes on this client yet' : 'Loading…';
  if (editing && !(notes || []).some((n) => n.id === editing.id)) editing = null;
}

function noteNode(note, me) {
  const node = element('li', 'note');
  node.dataset.noteId = String(note.id);
  const meta = div('note-meta');
  meta.append(isolated('note-author', note.author ? note.author.name : ''));
  const time = span('note-time', shortDateTime(note.created_at));
  time.title = localDateTime(note.created_at);
  meta.append(time);
  if (note.updated_at && note.updated_at !== note.created_at) {
    const edited = span('note-edited', 'edited');
    edited.title = localDateTime(note.updated_at);
    meta.append(edited);
  }
  node.append(meta);
  if (editing && editing.id === note.id) {
    node.append(editorNode(note));
    return node;
  }
  const body = div('note-text', note.text);
  body.dir = 'auto';
  node.append(body);
  if (canEditNote(me, note)) {
    const actions = div('note-actions');
    const edit = button('note-edit', 'Edit', 'note-edit');
    edit.addEventListener('click', () => {
      editing = { id: note.id, text: note.text };
      render();
      const box = list.querySelector('.note-editor textarea');
      if (box) box.focus();
    });
    const remove = button('note-delete', 'Delete', 'note-delete');
    remove.addEventListener('click', () => deleteNote(note, remove));
    actions.append(edit, remove);
    node.append(actions);
  }
  return node;
}

function editorNode(note) {
  const editor = element('form', 'note-editor');
  const box = element('textarea');
  box.maxLength = NOTE_MAX_CHARS;
  box.rows = 3;
  box.value = editing.text;
  box.setAttribute('aria-label', 'Edit the note');
  const save = button('note-save', 'Save', 'note-save');
  save.type = 'submit';
  const cancel = button('note-cancel', 'Cancel', 'note-cancel');
  cancel.addEventListener('click', () => {
    editing = null;
    render();
  });
  box.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      editing = null;
      render();
    } else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      editor.requestSubmit();
    }
  });
  editor.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!box.value.trim() || save.disabled) return;
    save.disabled = true;
    try {
      const updated = await api.patch(`/api/notes/${note.id}`, { text: box.value });
      editing = null;
      upsertNote(updated);
      render();
    } catch (err) {
      hooks.onError(err);
    } finally {
      save.disabled = false;
    }
  });
  editor.append(box, div('note-editor-buttons'));
  editor.lastChild.append(cancel, save);
  return editor;
}

async function deleteNote(note, control) {
  if (control.dataset.confirm !== 'yes') {
    control.dataset.confirm = 'yes';
    control.textContent = 'Delete for good?';
    setTimeout(() => {
      if (control.isConnected) {
        control.dataset.confirm = '';
        control.textContent = 'Delete';
      }
    }, 4000);
    return;
  }
  control.disabled = true;
  try {
    await api.del(`/api/notes/${note.id}`);
    dropNote(note.id, note.client_id);
  } catch (err) {
    control.disabled = false;
    hooks.onError(err);
  }
}

async function addNote() {
  const { clientId } = getNotes();
  const value = text.value;
  if (clientId == null || !value.trim() || add.disabled) return;
  add.disabled = true;
  try {
    const note = await api.post(`/api/clients/${clientId}/notes`, { text: value });
    if (text.value === value) text.value = '';
    showCount();
    upsertNote(note);
  } catch (err) {
    hooks.onError(err);
  } finally {
    add.disabled = false;
  }
}

function showCount() {
  const length = [...text.value].length;
  counter.textContent = `${length}/${NOTE_MAX_CHARS}`;
  counter.classList.toggle('near-limit', length > NOTE_MAX_CHARS * 0.9);
}
