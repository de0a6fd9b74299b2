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
  TICKET_CREATED: 'ticket.created',
  TICKET_UPDATED: 'ticket.updated',
  MESSAGE_CREATED: 'message.created',
  MESSAGE_UPDATED: 'message.updated',
  ERROR: 'error',
});

/** `error` of an API error answer, plus the console's own `network`. */
export const ERROR_CODE = Object.freeze({
  ALREADY_ACCEPTED: 'already_accepted',
  NETWORK: 'network',
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
  /** the selected ticket's data changed, or it was selected again */
  SELECTED_TICKET: 'selected-ticket',
  /** the live connection opened or closed */
  CONNECTION: 'connection',
});
