/**
 * Small shared helpers: building elements (text always through textContent,
 * never markup: customer text is untrusted) and reading or formatting times.
 */

/** A new `<tag>` with `className` and, when given, `text` as its textContent. */
export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** `<span class=className>text</span>` */
export function span(className, text) {
  return element('span', className, text);
}

/** `<div class=className>` with optional text. */
export function div(className, text) {
  return element('div', className, text);
}

/** Milliseconds since the epoch of an ISO 8601 time; 0 when missing or invalid. */
export function timeMs(iso) {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? 0 : ms;
}

/** Local HH:MM of an ISO 8601 time; '' when invalid. */
export function hhmm(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The local date and time of an ISO 8601 time, for a tooltip. */
export function localDateTime(iso) {
  return new Date(iso).toLocaleString();
}

/** `<bdi dir="auto">text</bdi>`: a name or other untrusted text that cannot reorder what surrounds it. */
export function isolated(className, text) {
  const node = element('bdi', className, text);
  node.dir = 'auto';
  return node;
}

/**
 * A `<tag>` whose content is `parts` in order: strings are our own words,
 * `{name}` (or `{text}`) untrusted text, isolated in a `<bdi>`; null is skipped.
 */
export function phrase(tag, className, ...parts) {
  const node = element(tag, className);
  for (const part of parts) {
    if (part == null) continue;
    if (typeof part === 'string') node.append(part);
    else node.append(isolated(part.className || '', part.name ?? part.text ?? ''));
  }
  return node;
}

/** A button of `type="button"` with `className`, `text` and a `data-testid`. */
export function button(className, text, testId) {
  const node = element('button', className, text);
  node.type = 'button';
  if (testId) node.dataset.testid = testId;
  return node;
}

/** How long since `iso`, short: "45s", "3m 05s", "2h 10m", "3d 4h". */
export function elapsed(iso, now = Date.now()) {
  const seconds = Math.max(0, Math.floor((now - timeMs(iso)) / 1000));
  const pad = (n) => String(n).padStart(2, '0');
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${pad(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** Local date and time, short ("12/01 14:05" style via the locale). */
export function shortDateTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
