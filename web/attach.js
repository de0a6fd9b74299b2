/**
 * Sending files from the chat: the attach button and dropping files onto the
 * chat upload them (POST /api/tickets/{id}/files, multipart) with the reply
 * box's text as the caption and the quoted message, if any; progress and
 * errors show beside the reply box, and the message appears queued, then sent.
 */

import { quotedMessageId, clearQuote, showMessage } from './chat.js';
import { getMe, getSelectedMovedTo, getSelectedTicket, setDraft } from './state.js';
import { ownsTicket } from './permissions.js';

let hooks;
let el = {};
let uploading = false;

/** `attachHooks.onError(err)` reports failures. */
export function initAttach(attachHooks) {
  hooks = attachHooks;
  for (const id of ['reply-form', 'reply-text', 'reply-file', 'reply-attach', 'upload-status', 'chat-panel']) {
    el[id] = document.getElementById(id);
  }
  el['reply-attach'].addEventListener('click', () => el['reply-file'].click());
  el['reply-file'].addEventListener('change', () => {
    const files = [...el['reply-file'].files];
    el['reply-file'].value = '';
    uploadAll(files);
  });
  el['chat-panel'].addEventListener('dragover', (event) => {
    if (!canUpload() || !event.dataTransfer || ![...event.dataTransfer.types].includes('Files')) return;
    event.preventDefault();
    el['chat-panel'].classList.add('drop-target');
  });
  el['chat-panel'].addEventListener('dragleave', () => el['chat-panel'].classList.remove('drop-target'));
  el['chat-panel'].addEventListener('drop', (event) => {
    el['chat-panel'].classList.remove('drop-target');
    if (!canUpload() || !event.dataTransfer || event.dataTransfer.files.length === 0) return;
    event.preventDefault();
    uploadAll([...event.dataTransfer.files]);
  });
}

function canUpload() {
  const ticket = getSelectedTicket();
  return ticket != null && ownsTicket(getMe(), ticket) && getSelectedMovedTo() == null && !el['reply-form'].hidden;
}

/** Uploads the files one after another; the first carries the caption and the quote. */
async function uploadAll(files) {
  if (uploading || files.length === 0 || !canUpload()) return;
  const ticket = getSelectedTicket();
  uploading = true;
  el['reply-attach'].disabled = true;
  let caption = el['reply-text'].value.trim() ? el['reply-text'].value : '';
  let replyTo = quotedMessageId();
  try {
    for (const file of files) {
      const message = await upload(ticket.id, file, caption, replyTo);
      if (caption) {
        el['reply-text'].value = '';
        setDraft(ticket.id, '');
      }
      caption = '';
      replyTo = null;
      clearQuote();
      showMessage(message);
    }
    status('');
  } catch (err) {
    status(err.message);
    hooks.onError(err);
  } finally {
    uploading = false;
    el['reply-attach'].disabled = false;
  }
}

/** One upload with progress; resolves to the stored message or rejects with a readable Error. */
function upload(ticketId, file, caption, replyTo) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    if (caption) form.append('caption', caption);
    if (replyTo != null) form.append('reply_to', String(replyTo));
    form.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/tickets/${Number(ticketId)}/files`);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) {
        status(`Uploading ${file.name}: ${Math.round((event.loaded / event.total) * 100)}%`);
      }
    });
    xhr.addEventListener('load', () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300 && body) {
        resolve(body);
        return;
      }
      const message = body && typeof body.message === 'string' && body.message
        ? body.message
        : `Upload failed (HTTP ${xhr.status})`;
      const error = new Error(`${file.name}: ${message}`);
      error.status = xhr.status;
      error.code = body && body.error;
      reject(error);
    });
    xhr.addEventListener('error', () => reject(new Error('Cannot reach the server. Check your connection.')));
    status(`Uploading ${file.name}…`);
    xhr.send(form);
  });
}

function status(text) {
  el['upload-status'].textContent = text;
  el['upload-status'].hidden = !text;
}
