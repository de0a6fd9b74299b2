/**
 * The chat header's rating line (a closed ticket's stars and the customer's comment, kept
 * current by `rating.updated`) and its transcript downloads (text and JSON; with notes).
 */

import { api } from './api.js';
import { isolated } from './dom.js';
import { getSelectedId } from './state.js';

let el = null;
/** The ticket and status the rating was last loaded for. */
let loadedFor = null;

/** Finds the header's rating and download elements. */
export function initRating() {
  el = {
    rating: document.getElementById('chat-rating'),
    text: document.getElementById('chat-transcript-text'),
    json: document.getElementById('chat-transcript-json'),
    notes: document.getElementById('chat-transcript-notes'),
  };
}

/** Points the downloads at `ticket` and loads its rating when the ticket or its status changed. */
export function showTicketExtras(ticket) {
  if (!el) return;
  const base = `/api/tickets/${ticket.id}/transcript`;
  el.text.href = base;
  el.json.href = `${base}?format=json`;
  el.notes.href = `${base}?notes=true`;
  const key = `${ticket.id}:${ticket.status}`;
  if (key === loadedFor) return;
  loadedFor = key;
  render(null);
  api.get(`/api/tickets/${ticket.id}/rating`).then((rating) => {
    if (getSelectedId() === ticket.id) render(rating);
  }).catch(() => render(null));
}

/** A `rating.updated` event: shown when it is the open ticket's. */
export function onRatingEvent(event) {
  if (event.rating && event.rating.ticket_id === getSelectedId()) render(event.rating);
}

function render(rating) {
  el.rating.replaceChildren();
  el.rating.hidden = !rating;
  if (!rating) return;
  el.rating.dataset.stars = rating.stars == null ? '' : String(rating.stars);
  if (rating.stars == null) {
    el.rating.textContent = 'Rating asked; no answer yet';
    return;
  }
  const stars = '★'.repeat(rating.stars) + '☆'.repeat(5 - rating.stars);
  el.rating.append(`Rating: ${stars} (${rating.stars}/5)`);
  if (rating.comment) {
    el.rating.append(' — “', isolated('chat-rating-comment', rating.comment), '”');
  }
}
