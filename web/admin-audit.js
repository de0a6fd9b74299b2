/**
 * The Admin page's Audit tab: every administrative change, newest first, 50
 * at a time: when, who, what, on what, and what changed (as text: it holds
 * names and texts people typed, never markup).
 */

import { getPage } from './api.js';
import { button, element, isolated, shortDateTime, span } from './dom.js';

const PAGE = 50;

/** Renders the tab into `panel`. */
export async function renderAudit(panel, admin) {
  const list = element('ol', 'admin-list admin-audit');
  list.dataset.testid = 'admin-audit';
  const more = button('', 'More', 'audit-more');
  more.hidden = true;
  let next = null;
  const load = async () => {
    const before = next ? `&before=${encodeURIComponent(next)}` : '';
    try {
      const page = await getPage(`/api/audit?limit=${PAGE}${before}`);
      for (const entry of page.items) list.append(row(entry));
      next = page.next;
    } catch (err) {
      admin.fail(err);
    }
    more.hidden = !next;
  };
  more.addEventListener('click', load);
  panel.append(list, more);
  await load();
}

function row(entry) {
  const item = element('li', 'admin-audit-row');
  item.dataset.testid = 'audit-row';
  item.dataset.action = entry.action;
  const head = element('div', 'admin-row-head');
  head.append(
    span('admin-audit-time', shortDateTime(entry.at)),
    ' ',
    isolated('admin-audit-actor', entry.actor_name),
    ' ',
    element('code', '', entry.action),
    ' ',
    span('admin-audit-target', entry.target),
  );
  const details = element('pre', 'admin-audit-details');
  details.dir = 'auto';
  details.textContent = JSON.stringify(entry.details);
  item.append(head, details);
  return item;
}
