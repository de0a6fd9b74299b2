/**
 * Keyboard shortcuts (listed under the top bar's "?" button, with `?`, and in
 * docs/api.md): n next Pending ticket, j / k next / previous ticket, a accept,
 * r focus the reply box, Ctrl+Enter (⌘+Enter) send, / canned responses (in the
 * reply box), t reassign, q return to queue, c close, # notes, h history,
 * ? this help; Escape closes a dialog (the browser does that for <dialog>),
 * the help or the notes panel. They work when no text field has the focus and
 * no dialog is open, except send, which works while typing.
 */

export const SHORTCUTS = Object.freeze([
  ['n', 'Next Pending ticket'],
  ['j / k', 'Next / previous ticket in the queue'],
  ['a', 'Accept the open ticket'],
  ['r', 'Focus the reply box'],
  ['Ctrl+Enter', 'Send the reply (⌘+Enter on a Mac; Enter in the reply box too)'],
  ['/', 'Canned response (at the start of the reply box)'],
  ['t', 'Reassign…'],
  ['q', 'Return to queue'],
  ['c', 'Close…'],
  ['#', 'Client notes'],
  ['h', 'History / queue'],
  ['?', 'Show these shortcuts'],
  ['Esc', 'Close a dialog, this help or the notes panel'],
]);

/**
 * `actions` maps a key ('n', 'j', 'k', 'a', 'r', 't', 'q', 'c', '#', 'h', '?', 'Escape') to a
 * function, and 'send' to what Ctrl/Cmd+Enter does.
 */
export function initShortcuts(actions) {
  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.isComposing) return;
    if (document.querySelector('dialog[open]')) return;
    if (document.getElementById('console-view').hidden) return;
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.altKey) {
      if (!actions.send) return;
      event.preventDefault();
      actions.send();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
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
