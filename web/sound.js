/**
 * Alert sound: the <audio id="alert-sound"> element playing /sounds/alert.wav.
 * Browsers refuse audio.play() until the page has had a user gesture, so
 * unlockSound() must run synchronously inside a click handler. Whether and
 * when to play is decided elsewhere (web/alerts.js, web/alarm.js).
 */

let audio = null;
let enableButton = null;
let enabled = false;
let unlocking = false;

/** Finds the <audio> element and wires the "Click to enable sound" button. */
export function initSound() {
  audio = document.getElementById('alert-sound');
  enableButton = document.getElementById('enable-sound');
  enableButton.textContent = 'Click to enable sound';
  enableButton.addEventListener('click', () => unlockSound());
}

/** True once a play() has succeeded after a user gesture. */
export function soundEnabled() {
  return enabled;
}

/** Plays the sound muted once (inside a user gesture) so later alerts may play. */
export function unlockSound(onUnlocked = () => {}) {
  if (!audio || unlocking) return;
  unlocking = true;
  audio.muted = true;
  let playing;
  try {
    playing = audio.play();
  } catch (err) {
    playing = Promise.reject(err);
  }
  Promise.resolve(playing).then(
    () => {
      audio.pause();
      audio.currentTime = 0;
      audio.muted = false;
      enabled = true;
      unlocking = false;
      hideEnableButton();
      onUnlocked();
    },
    (err) => {
      audio.muted = false;
      unlocking = false;
      if (err && err.name === 'NotAllowedError') {
        showEnableButton();
      } else {
        // Not a policy refusal (e.g. the file failed to load): a click will not help.
        console.warn('Switchboard: alert sound unavailable', err);
      }
    },
  );
}

/**
 * Plays the alert at `volume` (0 to 100); shows #enable-sound if the browser
 * blocks it.
 */
export function playAlert(volume = 100) {
  if (!audio) return;
  let playing;
  try {
    audio.volume = Math.min(1, Math.max(0, Number(volume) / 100 || 0));
    // An alert during the previous one starts the sound again (and fires a new 'play').
    if (!audio.paused) audio.pause();
    audio.currentTime = 0;
    playing = audio.play();
  } catch (err) {
    playing = Promise.reject(err);
  }
  Promise.resolve(playing).catch((err) => {
    if (err && err.name === 'NotAllowedError') {
      enabled = false;
      showEnableButton();
    } else {
      console.warn('Switchboard: alert sound failed', err);
    }
  });
}

/**
 * "Test sound" (a click): plays the alert at `volume`, whether muted or not;
 * unlocks the sound first if the browser has not allowed it yet.
 */
export function testSound(volume) {
  if (enabled) playAlert(volume);
  else unlockSound(() => playAlert(volume));
}

/**
 * For a console opened from an existing session (no click yet): show the
 * button and unlock on the first click anywhere on the page.
 */
export function unlockOnFirstClick() {
  if (enabled) return;
  showEnableButton();
  const onClick = () => {
    document.removeEventListener('click', onClick, true);
    if (!enabled) unlockSound();
  };
  document.addEventListener('click', onClick, true);
}

function showEnableButton() {
  if (enableButton) enableButton.hidden = false;
}

function hideEnableButton() {
  if (enableButton) enableButton.hidden = true;
}
