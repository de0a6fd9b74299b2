/**
 * Carries out the alert rules of web/alerts.js: plays the sound (unless I
 * muted it, at my volume), repeats it while a Pending ticket in my scope waits
 * unaccepted, raises a desktop notification when the tab is hidden, and keeps
 * the page title's count. It reads the state module and changes nothing in it.
 */

import { TICKET_STATUS, TOPIC } from './constants.js';
import {
  subscribe, getMe, getSettings, getTicket, getSelectedId, waitingTickets, attentionCounts, getDepartment,
} from './state.js';
import { alertFor, notificationFor, repeatDelayMs, shouldNotify, titleFor } from './alerts.js';
import { playAlert } from './sound.js';

let hooks = { openTicket: () => {} };
let repeatTimer = null;
/** The delay the running timer was set with, to notice a changed setting. */
let repeatEvery = null;
/** ticket id -> the desktop notification shown for it, closed once the ticket stops waiting. */
const shown = new Map();

/**
 * Follows the state: the title and the repeat timer change with the tickets
 * and the settings. `alarmHooks.openTicket(id)` opens a ticket when its
 * notification is clicked.
 */
export function initAlarm(alarmHooks) {
  hooks = { ...hooks, ...alarmHooks };
  subscribe(TOPIC.TICKETS, onTicketsChanged);
  subscribe(TOPIC.ME, onTicketsChanged);
  subscribe(TOPIC.SETTINGS, () => {
    stopRepeat();
    followWaiting();
  });
  document.addEventListener('visibilitychange', () => {
    // Back in front: notifications about tickets have done their job.
    if (document.visibilityState === 'visible') closeNotifications(() => true);
  });
}

/**
 * Sounds the alert a live event calls for, if any, and says the event's
 * notice through `notify(text)`.
 */
export function alertOn(event, notify) {
  const hidden = document.visibilityState === 'hidden';
  const settings = getSettings();
  const alert = alertFor(event, getMe(), {
    settings,
    ticketOf: getTicket,
    viewingId: hidden ? null : getSelectedId(),
    silentDepartment: (id) => getDepartment(id)?.alert === 'silent',
  });
  if (!alert.play) return;
  if (alert.message) notify(alert.message);
  sound();
  // The repeat counts from this alert, so that the two do not sound together.
  stopRepeat();
  followWaiting();
  if (shouldNotify(alert, { settings, hidden, permission: notificationPermission() })) showNotification(alert);
}

/** Plays the alert once as my settings say (nothing when muted). */
function sound() {
  const settings = getSettings();
  if (!settings.mute) playAlert(settings.volume);
}

function onTicketsChanged() {
  const counts = attentionCounts();
  document.title = titleFor(counts.total);
  followWaiting();
  const waiting = new Set(waitingTickets().map((t) => t.id));
  closeNotifications((id, note) => note.waiting && !waiting.has(id));
}

/** Starts the repeat while a ticket waits (and repeating is on); stops it once none does. */
function followWaiting() {
  const delay = repeatDelayMs(waitingTickets().length, getSettings());
  if (delay == null) {
    stopRepeat();
  } else if (repeatTimer == null || repeatEvery !== delay) {
    stopRepeat();
    repeatEvery = delay;
    repeatTimer = setTimeout(repeatNow, delay);
  }
}

function repeatNow() {
  repeatTimer = null;
  repeatEvery = null;
  if (repeatDelayMs(waitingTickets().length, getSettings()) == null) return;
  sound();
  followWaiting();
}

function stopRepeat() {
  clearTimeout(repeatTimer);
  repeatTimer = null;
  repeatEvery = null;
}

/** 'granted', 'denied' or 'default'; 'unsupported' when the browser has no notifications. */
export function notificationPermission() {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

function showNotification(alert) {
  const { title, body, tag } = notificationFor(alert);
  const id = alert.ticket.id;
  let note;
  try {
    note = new Notification(title, { body, tag });
  } catch (err) {
    console.warn('Switchboard: desktop notification failed', err);
    return;
  }
  shown.get(id)?.note.close();
  shown.set(id, { note, waiting: alert.ticket.status === TICKET_STATUS.PENDING });
  note.onclick = () => {
    window.focus();
    hooks.openTicket(id);
    note.close();
    shown.delete(id);
  };
}

/** Closes the notifications for which `which(ticketId, entry)` is true. */
function closeNotifications(which) {
  for (const [id, entry] of [...shown]) {
    if (which(id, entry)) {
      entry.note.close();
      shown.delete(id);
    }
  }
}
