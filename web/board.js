/**
 * The online board: each department with who is online or away (offline
 * agents dimmed), kept live by presence.updated; and my own presence toggle
 * (online / away) in the top bar.
 */

import { api } from './api.js';
import { PRESENCE, ROLE, TOPIC } from './constants.js';
import { openDeptHours } from './dept-hours.js';
import { button, element, isolated, span } from './dom.js';
import {
  getDepartments, getMe, getMyPresence, loadPresence, presenceOf, setDepartments, subscribe,
} from './state.js';

/** How presences sort: online first, then away, then offline (the supervisor board too). */
export const PRESENCE_RANK = Object.freeze({ [PRESENCE.ONLINE]: 0, [PRESENCE.AWAY]: 1, [PRESENCE.OFFLINE]: 2 });

let hooks;
let board;
let toggle;
let busy = false;

/** `boardHooks.onError(err)` reports failures. */
export function initBoard(boardHooks) {
  hooks = boardHooks;
  board = document.getElementById('board-list');
  toggle = document.getElementById('presence-toggle');
  toggle.addEventListener('click', () => {
    if (busy) return;
    setMyPresence(getMyPresence() === PRESENCE.AWAY ? PRESENCE.ONLINE : PRESENCE.AWAY);
  });
  subscribe(TOPIC.DIRECTORY, render);
  subscribe(TOPIC.ME, render);
}

/** Loads the departments with their agents, and everyone's presence. */
export async function reloadDirectory() {
  const [departments, agents] = await Promise.all([
    api.get('/api/departments').catch(quiet),
    api.get('/api/agents').catch(quiet),
  ]);
  if (departments) setDepartments(departments);
  if (agents) loadPresence(agents);
}

/** Switches my presence (the top bar's toggle: a button, so Enter and Space work too). */
export async function setMyPresence(presence) {
  busy = true;
  toggle.disabled = true;
  try {
    const answer = await api.put('/api/presence', { presence });
    const me = getMe();
    if (me) loadPresence([{ id: me.id, presence: (answer && answer.presence) || presence }]);
  } catch (err) {
    render();
    hooks.onError(err);
  } finally {
    busy = false;
    toggle.disabled = false;
  }
}

/** A missing route (an older server) leaves the board empty instead of failing the console. */
function quiet(err) {
  if (err.status === 404 || err.status === 405) return null;
  throw err;
}

function render() {
  const me = getMe();
  const mine = getMyPresence();
  const away = mine === PRESENCE.AWAY;
  toggle.dataset.presence = mine;
  toggle.setAttribute('aria-pressed', String(away));
  toggle.querySelector('.presence-dot').dataset.presence = me ? mine : '';
  document.getElementById('presence-label').textContent = away ? 'Away' : 'Online';
  const sections = getDepartments().map((department) => {
    const section = element('section', 'board-department');
    section.dataset.departmentId = String(department.id);
    const agents = [...(department.agents || [])]
      .map((agent) => ({ ...agent, presence: presenceOf(agent) }))
      .sort((a, b) => PRESENCE_RANK[a.presence] - PRESENCE_RANK[b.presence] || a.name.localeCompare(b.name));
    const online = agents.filter((a) => a.presence === PRESENCE.ONLINE).length;
    const head = element('h4', 'board-department-name');
    head.append(isolated('', department.name), span('board-count', ` ${online} online`));
    if (department.closed_until) {
      const closed = span('board-closed', `Closed until ${department.closed_until}`);
      closed.dataset.testid = 'department-closed-until';
      section.append(head, closed);
    }
    if (me && me.role === ROLE.ADMIN) {
      const edit = button('link board-hours', 'Hours & timers', 'department-hours');
      edit.addEventListener('click', () => openDeptHours(department.id));
      head.append(' ', edit);
    }
    const list = element('ul', 'board-agents');
    for (const agent of agents) {
      const item = element('li', 'board-agent');
      item.dataset.agentId = String(agent.id);
      item.dataset.presence = agent.presence;
      const dot = span('presence-dot');
      dot.dataset.presence = agent.presence;
      item.append(dot, isolated('agent-name', agent.name),
        span('presence-text', me && me.id === agent.id ? `${agent.presence} (you)` : agent.presence));
      list.append(item);
    }
    if (!department.closed_until) section.append(head);
    section.append(list);
    return section;
  });
  board.replaceChildren(...sections);
}
