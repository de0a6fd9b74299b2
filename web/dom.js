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
