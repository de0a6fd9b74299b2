/** Login view: the #login-form and its error line. */

import { api } from './api.js';
import { unlockSound } from './sound.js';

let form;
let loginInput;
let passwordInput;
let submitButton;
let errorLine;

/**
 * Wires the form. `onLoggedIn(agent)` runs after a successful
 * POST /api/session.
 */
export function initLogin(onLoggedIn) {
  form = document.getElementById('login-form');
  loginInput = document.getElementById('login-login');
  passwordInput = document.getElementById('login-password');
  submitButton = document.getElementById('login-submit');
  errorLine = document.getElementById('login-error');

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    // Must run synchronously inside the user's gesture, before any await.
    unlockSound();
    if (submitButton.disabled) return;
    setError('');
    submitButton.disabled = true;
    try {
      const answer = await api.post('/api/session', {
        login: loginInput.value.trim(),
        password: passwordInput.value,
      });
      passwordInput.value = '';
      onLoggedIn(answer.agent);
    } catch (err) {
      setError(err.status === 401 ? 'Wrong login or password' : err.message);
      passwordInput.select();
    } finally {
      submitButton.disabled = false;
    }
  });
}

/** Shows the login view (and hides nothing else; the app does that). */
export function showLogin() {
  document.getElementById('login-view').hidden = false;
  setError('');
  passwordInput.value = '';
  (loginInput.value ? passwordInput : loginInput).focus();
}

/** Hides the login view. */
export function hideLogin() {
  document.getElementById('login-view').hidden = true;
  setError('');
}

function setError(text) {
  errorLine.textContent = text;
}
