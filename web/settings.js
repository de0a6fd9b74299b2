/**
 * The alert settings dialog (top bar "Settings") and loading my settings from
 * the server (GET /api/me/settings at start). Every change is sent at once
 * (PATCH /api/me/settings) and the answer becomes the state; other tabs of
 * this browser hear it over a BroadcastChannel, other browsers on their next
 * load. Desktop notifications are asked for only from the button here.
 */

import { api } from './api.js';
import { TOPIC } from './constants.js';
import { subscribe, getMe, getSettings, setSettings } from './state.js';
import { testSound } from './sound.js';
import { notificationPermission } from './alarm.js';

const PATH = '/api/me/settings';

let hooks = { onError: () => {} };
let dialog;
let errorLine;
let channel = null;
const controls = {};

/** Wires the dialog; `settingsHooks.onError(err)` handles a failed load. */
export function initSettings(settingsHooks) {
  hooks = { ...hooks, ...settingsHooks };
  dialog = document.getElementById('settings-dialog');
  errorLine = document.getElementById('settings-error');
  controls.mute = document.getElementById('setting-mute');
  controls.volume = document.getElementById('setting-volume');
  controls.volumeValue = document.getElementById('setting-volume-value');
  controls.repeat = document.getElementById('setting-repeat');
  controls.customer = document.getElementById('setting-customer-messages');
  controls.desktop = document.getElementById('setting-desktop');
  controls.permission = document.getElementById('notify-permission');
  controls.permissionState = document.getElementById('notify-permission-state');

  document.getElementById('settings-button').addEventListener('click', openSettings);
  document.getElementById('settings-done').addEventListener('click', () => dialog.close());
  document.getElementById('test-sound').addEventListener('click', () => testSound(getSettings().volume));
  controls.mute.addEventListener('change', () => save({ mute: controls.mute.checked }));
  controls.volume.addEventListener('input', () => {
    controls.volumeValue.textContent = `${controls.volume.value}%`;
  });
  controls.volume.addEventListener('change', () => save({ volume: Number(controls.volume.value) }));
  controls.repeat.addEventListener('change', () => save({ repeat_every_secs: Number(controls.repeat.value) }));
  controls.customer.addEventListener('change', () => save({ alert_on_customer_message: controls.customer.checked }));
  controls.desktop.addEventListener('change', () => {
    const on = controls.desktop.checked;
    if (on && notificationPermission() === 'default') askPermission();
    save({ desktop_notifications: on });
  });
  controls.permission.addEventListener('click', askPermission);
  subscribe(TOPIC.SETTINGS, render);
  if (typeof BroadcastChannel !== 'undefined') {
    channel = new BroadcastChannel('switchboard-settings');
    channel.onmessage = ({ data }) => {
      if (data && data.agentId != null && data.agentId === agentId()) setSettings(data.settings);
    };
  }
  render();
}

/** Loads my settings from the server (at login and on every page load). */
export async function loadSettings() {
  const me = agentId();
  try {
    const settings = await api.get(PATH);
    // The hello of the live connection replaces the agent object meanwhile: compare ids.
    if (agentId() === me) setSettings(settings);
  } catch (err) {
    hooks.onError(err);
  }
}

/** The logged-in agent's id, or null. */
function agentId() {
  const me = getMe();
  return me ? me.id : null;
}

function openSettings() {
  errorLine.textContent = '';
  render();
  if (!dialog.open) dialog.showModal();
}

/** Sends one change; the server's answer (all settings) becomes the state. */
async function save(change) {
  errorLine.textContent = '';
  const me = agentId();
  try {
    const settings = await api.patch(PATH, change);
    if (agentId() !== me) return;
    setSettings(settings);
    if (channel && me != null) channel.postMessage({ agentId: me, settings });
  } catch (err) {
    errorLine.textContent = err.message;
    // Show what the server still holds.
    render();
  }
}

/** Asks the browser for notifications (only ever from a click here). */
function askPermission() {
  if (notificationPermission() !== 'default') return;
  Notification.requestPermission().then(render, render);
}

function render() {
  if (!controls.mute) return;
  const settings = getSettings();
  controls.mute.checked = settings.mute;
  controls.volume.value = String(settings.volume);
  controls.volumeValue.textContent = `${settings.volume}%`;
  controls.repeat.value = String(settings.repeat_every_secs);
  controls.customer.checked = settings.alert_on_customer_message;
  controls.desktop.checked = settings.desktop_notifications;
  const permission = notificationPermission();
  controls.permission.hidden = permission !== 'default';
  controls.permissionState.textContent = {
    granted: 'This browser shows Switchboard\'s notifications.',
    denied: 'This browser blocks Switchboard\'s notifications (change it in the site settings).',
    default: 'This browser has not been asked yet.',
    unsupported: 'This browser has no desktop notifications.',
  }[permission] || '';
}
