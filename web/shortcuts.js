/**
 * Keyboard shortcuts (also listed under the top bar's "?" button and in the
 * README): a accept, r reassign, q return to queue, c close, # notes,
 * j / k next / previous ticket, h history, ? this help; Escape closes a
 * dialog (the browser does that for <dialog>) or the notes panel. They work
 * when no text field has the focus and no dialog is open.
 */

export const SHORTCUTS = Object.freeze([
  ['a', 'Accept the open ticket'],
  ['r', 'Reassign…'],
  ['q', 'Return to queue'],
  ['c', 'Close…'],
  ['#', 'Client notes'],
  ['j / k', 'Next / previous ticket in the queue'],
  ['h', 'History / queue'],
  ['?', 'Show these shortcuts'],
  ['Esc', 'Close a dialog or the notes panel'],
]);

/** `actions` maps a key ('a', 'r', 'q', 'c', '#', 'j', 'k', 'h', '?', 'Escape') to a function. */
export function initShortcuts(actions) {
  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (document.querySelector('dialog[open]')) return;
    if (document.getElementById('console-view').hidden) return;
    const target = event.target;
    const typing = target instanceof HTMLElement &&
      (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
    if (typing && event.key !== 'Escape') return;
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });
}
