/**
 * Every name the console compares against, in one place: the API's status
 * and kind values (docs/api.md), live event types, error codes, the
 * connection states shown in #connection and the state module's topics.
 */

/** Ticket.status */
export const TICKET_STATUS = Object.freeze({
  PENDING: 'pending',
  ACCEPTED: 'accepted',
  CLOSED: 'closed',
});

/** Message.delivery of an outbound message (null for inbound ones). */
export const DELIVERY = Object.freeze({
  QUEUED: 'queued',
  SENT: 'sent',
  FAILED: 'failed',
});

/** Message.direction */
export const DIRECTION = Object.freeze({
  IN: 'in',
  OUT: 'out',
});

/** Message.author.kind */
export const AUTHOR_KIND = Object.freeze({
  CUSTOMER: 'customer',
  AGENT: 'agent',
  SYSTEM: 'system',
});

/** `type` of a WebSocket event. */
export const EVENT = Object.freeze({
  HELLO: 'hello',
  RESYNC: 'resync',
  TICKET_CREATED: 'ticket.created',
  TICKET_UPDATED: 'ticket.updated',
  MESSAGE_CREATED: 'message.created',
  MESSAGE_UPDATED: 'message.updated',
  TICKET_REMOVED: 'ticket.removed',
  NOTE_CREATED: 'note.created',
  NOTE_UPDATED: 'note.updated',
  NOTE_DELETED: 'note.deleted',
  RATING_UPDATED: 'rating.updated',
  PRESENCE_UPDATED: 'presence.updated',
  /** A customer's wait went past their department's first-response target. */
  TICKET_BREACHED: 'ticket.breached',
  PONG: 'pong',
  ERROR: 'error',
});

/** The frames a console may send on /ws (docs/api.md); web/live.js builds them. */
export const CLIENT_FRAME = Object.freeze({
  PING: 'ping',
});

/** Change.kind: what a timeline entry records. */
export const CHANGE = Object.freeze({
  CREATED: 'created',
  ROUTED: 'routed',
  ACCEPTED: 'accepted',
  REASSIGNED: 'reassigned',
  RETURNED: 'returned',
  CLOSED: 'closed',
  REOPENED: 'reopened',
  /** A supervisor or admin made an accepted ticket theirs. */
  TAKEN_OVER: 'taken_over',
});

/** Ticket.priority, Client.priority and Department.priority, lowest first. */
export const PRIORITY = Object.freeze({
  NORMAL: 'normal',
  PRIORITY: 'priority',
  VIP: 'vip',
});

/** Ticket.breach.kind: which wait went past the target. */
export const BREACH_KIND = Object.freeze({
  FIRST_RESPONSE: 'first_response',
  REPLY: 'reply',
});

/** Close reasons, in the order the Close dialog offers them, with their labels. */
export const CLOSE_REASONS = Object.freeze([
  ['resolved', 'Resolved'],
  ['idle', 'Idle'],
  ['spam', 'Spam'],
  ['duplicate', 'Duplicate'],
]);

/** Agent presence. */
export const PRESENCE = Object.freeze({
  ONLINE: 'online',
  AWAY: 'away',
  OFFLINE: 'offline',
});

/** Agent.role */
export const ROLE = Object.freeze({
  AGENT: 'agent',
  SUPERVISOR: 'supervisor',
  ADMIN: 'admin',
});

/** The longest client note, in characters (docs/api.md). */
export const NOTE_MAX_CHARS = 2000;

/** WebSocket close codes the server uses (docs/api.md). */
export const WS_CLOSE = Object.freeze({
  /** The session ended (logout, expiry, disabled, new password): log in again. */
  SESSION_ENDED: 4401,
  /** The agent's departments or role changed: reconnect at once for the new scope. */
  SCOPE_CHANGED: 4409,
});
/** The longest closing comment or reassign note, in characters. */
export const COMMENT_MAX_CHARS = 2000;

/** `error` of an API error answer, plus the console's own `network`. */
export const ERROR_CODE = Object.freeze({
  ALREADY_ACCEPTED: 'already_accepted',
  CONFLICT: 'conflict',
  NETWORK: 'network',
});

/** Which list the left pane shows. */
export const VIEW = Object.freeze({
  QUEUE: 'queue',
  HISTORY: 'history',
});

/** #connection[data-state] */
export const CONNECTION = Object.freeze({
  OPEN: 'open',
  CLOSED: 'closed',
});

/** What changed, for subscribers of the state module (web/state.js). */
export const TOPIC = Object.freeze({
  /** the logged-in agent */
  ME: 'me',
  /** the open tickets, which are unread, which is selected (the queue) */
  TICKETS: 'tickets',
  /** another ticket (or none) is selected; detail: { previousId } */
  SELECTION: 'selection',
  /** a message new to the open chat was stored; detail: its ticket id */
  MESSAGES: 'messages',
  /** the selected ticket's data changed, or it was selected again */
  SELECTED_TICKET: 'selected-ticket',
  /** the live connection opened or closed */
  CONNECTION: 'connection',
  /** departments, their agents or anyone's presence changed (the board, the Reassign dialog) */
  DIRECTORY: 'directory',
  /** the notes panel's client, its notes, or whether it is open */
  NOTES: 'notes',
  /** the left pane shows another view (queue or history) */
  VIEW: 'view',
  /** my alert settings were loaded or changed */
  SETTINGS: 'settings',
});

/**
 * An agent's alert settings until the server's are loaded (GET /api/me/settings; the
 * defaults live in src/domain/settings.rs and docs/api.md).
 */
export const DEFAULT_SETTINGS = Object.freeze({
  mute: false,
  volume: 80,
  repeat_every_secs: 30,
  alert_on_customer_message: false,
  desktop_notifications: false,
});

/** The range of repeat_every_secs besides 0 (off), as the server checks it. */
export const REPEAT_SECS = Object.freeze({ MIN: 1, MAX: 3600 });
