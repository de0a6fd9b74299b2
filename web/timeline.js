/**
 * Timeline entries (Change, docs/api.md) as the chat's system lines:
 * "Alice accepted", "Alice passed to Billing: note", "Closed: Resolved — comment".
 * Names are isolated (<bdi>) so that none can reorder the line.
 */

import { CHANGE, CLOSE_REASONS } from './constants.js';
import { element, hhmm, localDateTime, phrase, span } from './dom.js';

/**
 * The change's ends as `{from: {department, agent}, to: {department, agent}}`,
 * whether the server sent them nested (`from`/`to`) or flat (`from_department`…).
 */
export function changeEnds(change) {
  const end = (nested, department, agent) => ({
    department: (nested && nested.department) || department || null,
    agent: (nested && nested.agent) || agent || null,
  });
  return {
    from: end(change.from, change.from_department, change.from_agent),
    to: end(change.to, change.to_department, change.to_agent),
  };
}

/** The label of a close reason ("Resolved"). */
export function reasonLabel(reason) {
  const known = CLOSE_REASONS.find(([value]) => value === reason);
  return known ? known[1] : reason || '';
}

/** The parts of the line for `change` (strings and `{name}` for untrusted names). */
export function changeParts(change, ticket) {
  const { from, to } = changeEnds(change);
  const by = change.by ? { name: change.by.name } : null;
  const note = change.note ? [': ', { text: change.note, className: 'timeline-note' }] : [];
  const dept = (d) => ({ name: d ? d.name : '?' });
  switch (change.kind) {
    case CHANGE.CREATED:
      return ['Ticket opened', ...(to.department ? [' in ', dept(to.department)] : [])];
    case CHANGE.ROUTED:
      return by
        ? [by, ' routed it to ', dept(to.department)]
        : ['Routed to ', dept(to.department), ' by the customer'];
    case CHANGE.ACCEPTED:
      return [by || { name: to.agent ? to.agent.name : 'Someone' }, ' accepted'];
    case CHANGE.REASSIGNED: {
      const actor = by || { name: 'Someone' };
      if (to.agent) {
        const where = to.department && (!from.department || from.department.id !== to.department.id)
          ? [' in ', dept(to.department)] : [];
        return [actor, ' passed to ', { name: to.agent.name }, ...where, ...note];
      }
      return [actor, ' passed to ', dept(to.department), ...note];
    }
    case CHANGE.RETURNED:
      return ['Returned to queue', ...(by ? [' by ', by] : [])];
    case CHANGE.CLOSED: {
      const comment = change.note ? [' — ', { text: change.note, className: 'timeline-note' }] : [];
      return ['Closed: ', reasonLabel(change.reason), ...comment, ...(by ? [' (', by, ')'] : [])];
    }
    case CHANGE.REOPENED: {
      const last = from.agent || (ticket && ticket.last_owner);
      return ['Reopened', ...(last ? [' (last handled by ', { name: last.name }, ')'] : [])];
    }
    case CHANGE.TAKEN_OVER:
      return [by || { name: 'A supervisor' }, ' took it over',
        ...(from.agent ? [' from ', { name: from.agent.name }] : [])];
    default:
      return [String(change.kind || 'Changed')];
  }
}

/** A `<li class="timeline">` for `change`, with data-change-id and data-kind. */
export function timelineNode(change, ticket) {
  const node = element('li', 'timeline');
  node.dataset.changeId = String(change.id);
  node.dataset.kind = String(change.kind);
  const text = phrase('span', 'timeline-text', ...changeParts(change, ticket));
  const time = span('timeline-time', hhmm(change.at));
  time.title = localDateTime(change.at);
  node.append(text, time);
  return node;
}
