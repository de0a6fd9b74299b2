/**
 * Reply drafts kept in localStorage, per agent and ticket, so a reload (or a
 * crash of the tab) loses no typed reply. Bounded: at most MAX_DRAFTS drafts
 * of at most MAX_DRAFT_CHARS each per browser; the oldest go first. Only the
 * state module (state.js) calls these.
 */

const PREFIX = 'switchboard.draft.';
const INDEX = 'switchboard.drafts';
export const MAX_DRAFTS = 50;
export const MAX_DRAFT_CHARS = 4096;

function key(agentId, ticketId) {
  return `${PREFIX}${agentId}.${ticketId}`;
}

/** The keys of stored drafts, oldest first. */
function index() {
  try {
    const list = JSON.parse(localStorage.getItem(INDEX) || '[]');
    return Array.isArray(list) ? list.filter((k) => typeof k === 'string') : [];
  } catch {
    return [];
  }
}

/** The stored draft of `ticketId` for `agentId`, or ''. */
export function loadDraft(agentId, ticketId) {
  if (agentId == null || ticketId == null) return '';
  try {
    return localStorage.getItem(key(agentId, ticketId)) || '';
  } catch {
    return '';
  }
}

/** Stores (or, for empty text, forgets) a draft; storage failures only lose the copy. */
export function storeDraft(agentId, ticketId, text) {
  if (agentId == null || ticketId == null) return;
  const k = key(agentId, ticketId);
  try {
    let list = index().filter((other) => other !== k);
    if (text) {
      localStorage.setItem(k, text.slice(0, MAX_DRAFT_CHARS));
      list.push(k);
      while (list.length > MAX_DRAFTS) localStorage.removeItem(list.shift());
    } else {
      localStorage.removeItem(k);
    }
    localStorage.setItem(INDEX, JSON.stringify(list));
  } catch {
    // Private mode or a full storage: the draft stays in memory only.
  }
}
