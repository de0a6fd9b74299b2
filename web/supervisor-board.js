/**
 * The supervisor board (supervisors and admins; GET /api/board refuses agents): a screen in
 * place of the workspace, opened with the top bar's Board button. Per department: its name and
 * priority, how many tickets are Pending and how long the oldest has waited (running), how many
 * waits are past the first-response target (highlighted), and the agents with their presence
 * and how many of its tickets each holds. Under it the department's open tickets, from the
 * console's open list (GET /api/tickets, kept live), with Open, Reassign (the Reassign dialog)
 * and Take over (POST take-over with the owner shown; a lost race says who holds it now).
 *
 * Live: while the screen is shown, ticket.*, presence.updated and ticket.breached events
 * refetch the board, debounced; the ticket lists follow the state module at once. Customer and
 * agent names are text in <bdi dir="auto">, never markup.
 */

import { api } from './api.js';
import { TICKET_STATUS, TOPIC } from './constants.js';
import { PRESENCE_RANK } from './board.js';
import { button, element, isolated, span, timeMs } from './dom.js';
import { isManager } from './permissions.js';
import { breachBadge, comparePending, priorityBadge } from './priority.js';
import { getMe, getOpenTickets, presenceOf, selectTicket, subscribe } from './state.js';
import { takeOverTicket } from './actions.js';
import { openReassign } from './reassign.js';

/** How long events are gathered before the board is fetched again. */
const REFETCH_MS = 300;
const TICK_MS = 1000;

let hooks;
let screen;
let workspace;
let list;
let emptyLine;
let openButton;
let stamp;
/** The last board fetched (BoardView), null before the first answer. */
let board = null;
let refetchTimer = null;
let fetching = false;
/** An event came while a fetch ran: fetch once more when it is done. */
let fetchAgain = false;
/** Bumped when the screen closes or the console logs out: late answers are dropped. */
let epoch = 0;
/** ticket id -> why its last take-over was refused (shown on its row until the next try). */
const refusals = new Map();
/** department id -> its <section>, kept while its content is unchanged. */
const sections = new Map();

/** `boardHooks.onError(err)` reports failures. */
export function initSupervisorBoard(boardHooks) {
  hooks = boardHooks;
  screen = document.getElementById('supervisor-board');
  workspace = document.querySelector('#console-view .workspace');
  list = document.getElementById('sboard-list');
  emptyLine = document.getElementById('sboard-empty');
  stamp = document.getElementById('sboard-updated');
  openButton = document.getElementById('board-button');
  openButton.addEventListener('click', () => showSupervisorBoard(screen.hidden));
  document.getElementById('sboard-back').addEventListener('click', () => showSupervisorBoard(false));
  subscribe(TOPIC.TICKETS, render);
  subscribe(TOPIC.DIRECTORY, render);
  setInterval(tickWaits, TICK_MS);
}

/** Shows the Board button to supervisors and admins; hides the screen from anyone else. */
export function showSupervisorBoardButton(seesBoard) {
  openButton.hidden = !seesBoard;
  if (!seesBoard) showSupervisorBoard(false);
}

/** Shows the board in place of the workspace (and fetches it), or the workspace again. */
export function showSupervisorBoard(show) {
  const visible = Boolean(show) && isManager(getMe());
  screen.hidden = !visible;
  workspace.hidden = visible;
  openButton.setAttribute('aria-pressed', String(visible));
  openButton.textContent = visible ? 'Console' : 'Board';
  clearTimeout(refetchTimer);
  refetchTimer = null;
  if (visible) {
    fetchBoard();
  } else {
    epoch += 1;
    board = null;
    fetchAgain = false;
    refusals.clear();
    sections.clear();
    list.replaceChildren();
  }
}

/** A live event that may change the board's figures: fetch it again soon (debounced). */
export function boardEventSeen() {
  if (screen.hidden) return;
  clearTimeout(refetchTimer);
  refetchTimer = setTimeout(() => {
    refetchTimer = null;
    fetchBoard();
  }, REFETCH_MS);
}

/** The live connection (re)opened: events may have been missed. */
export function boardReconnected() {
  if (!screen.hidden) fetchBoard();
}

async function fetchBoard() {
  if (fetching) {
    fetchAgain = true;
    return;
  }
  fetching = true;
  const asked = epoch;
  screen.dataset.loading = 'true';
  try {
    const answer = await api.get('/api/board');
    if (asked !== epoch) return;
    board = answer;
    render();
  } catch (err) {
    if (asked !== epoch) return;
    if (err.status === 403) showSupervisorBoard(false);
    hooks.onError(err);
  } finally {
    fetching = false;
    screen.dataset.loading = 'false';
    if (fetchAgain && asked === epoch) {
      fetchAgain = false;
      fetchBoard();
    }
  }
}

/** Brings the departments in line with the last board and the open tickets. */
function render() {
  if (screen.hidden || !board) return;
  stamp.textContent = `Updated ${new Date(board.at).toLocaleTimeString()}`;
  screen.dataset.at = board.at;
  const tickets = getOpenTickets();
  const nodes = board.departments.map((department) => {
    const mine = tickets.filter((t) => t.department && t.department.id === department.id)
      .sort(compareTickets);
    const key = JSON.stringify([department, mine, mine.map((t) => refusals.get(t.id) || null),
      department.agents.map((a) => presenceOf(a))]);
    let section = sections.get(department.id);
    if (!section || section.dataset.key !== key) {
      section = departmentSection(department, mine);
      section.dataset.key = key;
      sections.set(department.id, section);
    }
    return section;
  });
  const shown = new Set(board.departments.map((d) => d.id));
  for (const id of [...sections.keys()]) if (!shown.has(id)) sections.delete(id);
  // Only what changed is replaced, so a button under the pointer stays the same node.
  nodes.forEach((node, index) => {
    if (list.children[index] !== node) list.insertBefore(node, list.children[index] || null);
  });
  while (list.children.length > nodes.length) list.lastElementChild.remove();
  emptyLine.hidden = nodes.length > 0;
}

/** Pending first (VIP first, then the longest wait), then accepted ones, longest unanswered first. */
function compareTickets(a, b) {
  const pendingA = a.status === TICKET_STATUS.PENDING;
  const pendingB = b.status === TICKET_STATUS.PENDING;
  if (pendingA !== pendingB) return pendingA ? -1 : 1;
  if (pendingA) return comparePending(a, b);
  const waitA = a.awaiting_reply_since ? timeMs(a.awaiting_reply_since) : Infinity;
  const waitB = b.awaiting_reply_since ? timeMs(b.awaiting_reply_since) : Infinity;
  return waitA - waitB || a.id - b.id;
}

function departmentSection(department, tickets) {
  const section = element('section', 'sboard-department');
  section.dataset.departmentId = String(department.id);
  section.dataset.testid = 'sboard-department';
  section.classList.toggle('past-target', department.past_target > 0);

  const head = element('div', 'sboard-head');
  const name = element('h3', 'sboard-name');
  name.append(isolated('', department.name));
  const badge = priorityBadge(department.priority, 'sboard-priority');
  if (badge) name.append(' ', badge);
  head.append(name, span('sboard-target', department.first_response_target_secs
    ? `target ${duration(department.first_response_target_secs)}` : 'no target'));

  const figures = element('div', 'sboard-figures');
  const pending = span('sboard-figure sboard-pending', `${department.pending} pending`);
  pending.dataset.testid = 'sboard-pending';
  pending.dataset.count = String(department.pending);
  figures.append(pending);
  if (department.oldest_pending_at) {
    const oldest = span('sboard-figure sboard-oldest', waitingText(department.oldest_pending_at));
    oldest.dataset.testid = 'sboard-oldest';
    oldest.dataset.waitingSince = department.oldest_pending_at;
    oldest.title = 'How long the oldest Pending ticket has waited';
    figures.append(oldest);
  }
  const past = span('sboard-figure sboard-past-target', `${department.past_target} past target`);
  past.dataset.testid = 'sboard-past-target';
  past.dataset.count = String(department.past_target);
  past.classList.toggle('alarm', department.past_target > 0);
  figures.append(past);

  section.append(head, figures, agentList(department), ticketList(department, tickets));
  return section;
}

/** The department's agents, online first, with how many of its tickets each holds. */
function agentList(department) {
  const me = getMe();
  const agents = department.agents
    .map((agent) => ({ ...agent, presence: presenceOf(agent) }))
    .sort((a, b) => PRESENCE_RANK[a.presence] - PRESENCE_RANK[b.presence] || a.name.localeCompare(b.name));
  const list = element('ul', 'sboard-agents');
  for (const agent of agents) {
    const item = element('li', 'sboard-agent');
    item.dataset.testid = 'sboard-agent';
    item.dataset.agentId = String(agent.id);
    item.dataset.presence = agent.presence;
    const dot = span('presence-dot');
    dot.dataset.presence = agent.presence;
    const held = span('sboard-held', agent.open_tickets === 1 ? '1 ticket' : `${agent.open_tickets} tickets`);
    held.dataset.testid = 'sboard-held';
    held.dataset.count = String(agent.open_tickets);
    item.append(dot, isolated('agent-name', agent.name),
      span('presence-text', me && me.id === agent.id ? `${agent.presence} (you)` : agent.presence), held);
    if (!agent.member) item.append(span('sboard-guest', 'not a member'));
    list.append(item);
  }
  if (!agents.length) list.append(element('li', 'sboard-none', 'No agents'));
  return list;
}

function ticketList(department, tickets) {
  const list = element('ul', 'sboard-tickets');
  for (const ticket of tickets) list.append(ticketRow(ticket));
  if (!tickets.length) list.append(element('li', 'sboard-none', 'No open tickets'));
  return list;
}

function ticketRow(ticket) {
  const me = getMe();
  const client = ticket.client || {};
  const row = element('li', 'sboard-ticket');
  row.dataset.testid = 'sboard-ticket';
  row.dataset.ticketId = String(ticket.id);
  row.dataset.status = ticket.status;
  row.classList.toggle('breached', Boolean(ticket.breach));
  const who = element('span', 'sboard-ticket-who');
  who.append(span('ticket-number', `#${ticket.number}`), ' ',
    isolated('ticket-username', client.username ? `@${client.username}` : client.name || 'Unknown'));
  if (client.username && client.name) who.append(' ', isolated('ticket-name', client.name));
  const badge = priorityBadge(ticket.priority);
  if (badge) who.append(' ', badge);
  const state = element('span', 'sboard-ticket-state');
  if (ticket.status === TICKET_STATUS.PENDING) {
    const wait = span('sboard-wait', waitingText(ticket.created_at));
    wait.dataset.waitingSince = ticket.created_at;
    state.append(wait);
  } else {
    const owner = element('span', 'sboard-owner', 'Held by ');
    owner.dataset.testid = 'sboard-owner';
    owner.append(isolated('', ticket.owner ? ticket.owner.name : 'someone'));
    state.append(owner);
  }
  const breach = breachBadge(ticket);
  if (breach) state.append(' ', breach);

  const actions = element('span', 'sboard-actions');
  const open = button('', 'Open', 'sboard-open');
  open.addEventListener('click', () => {
    showSupervisorBoard(false);
    selectTicket(ticket.id);
  });
  const reassign = button('', 'Reassign', 'sboard-reassign');
  reassign.addEventListener('click', () => {
    refusals.delete(ticket.id);
    openReassign(ticket);
  });
  actions.append(open, reassign);
  if (ticket.status === TICKET_STATUS.ACCEPTED && !(ticket.owner && me && ticket.owner.id === me.id)) {
    const take = button('', 'Take over', 'sboard-take-over');
    take.addEventListener('click', async () => {
      if (take.disabled) return;
      take.disabled = true;
      refusals.delete(ticket.id);
      const refused = await takeOverTicket(ticket.id, ticket.owner ? ticket.owner.id : null);
      take.disabled = false;
      if (refused) refusals.set(ticket.id, refused);
      render();
    });
    actions.append(take);
  }
  row.append(who, state, actions);
  const refused = refusals.get(ticket.id);
  if (refused) {
    const line = element('p', 'sboard-refusal', refused);
    line.dataset.testid = 'sboard-refusal';
    line.setAttribute('role', 'alert');
    row.append(line);
  }
  return row;
}

/** "waiting 45 s", "waiting 12 min", "waiting 2 h 05 min". */
export function waitingText(since, now = Date.now()) {
  const seconds = Math.max(0, Math.floor((now - timeMs(since)) / 1000));
  if (seconds < 60) return `waiting ${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `waiting ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `waiting ${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `waiting ${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** A target in words: "90 s", "10 min", "1 h 30 min". */
function duration(seconds) {
  if (seconds < 60 || seconds % 60) return `${seconds} s`;
  const minutes = seconds / 60;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

/** Every running wait on the board, once a second. */
function tickWaits() {
  if (screen.hidden) return;
  const now = Date.now();
  for (const node of screen.querySelectorAll('[data-waiting-since]')) {
    const text = waitingText(node.dataset.waitingSince, now);
    if (node.textContent !== text) node.textContent = text;
  }
}
