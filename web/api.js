/**
 * Fetch wrapper for the Switchboard JSON API (docs/api.md).
 * Every call sends the session cookie; failures throw an ApiError carrying
 * `.status`, `.code` and the parsed `.body` (e.g. a 409's `owner`).
 */

import { ERROR_CODE } from './constants.js';

/** An HTTP or network failure; `message` is safe to show to the agent. */
export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/**
 * Calls `method path` with an optional JSON body and returns the parsed answer
 * (null for an empty body such as 204).
 */
export async function request(method, path, body) {
  return (await send(method, path, body)).data;
}

/**
 * GETs one page of a paged list: its items and the cursor of the next (older) page from the
 * `X-Next-Before` header, null on the last page; `after` the cursor of a list paged forward
 * (`X-Next-After`: the queues, timelines), null on its last page.
 */
export async function getPage(path) {
  const { data, response } = await send('GET', path);
  return {
    items: data || [],
    next: response.headers.get('X-Next-Before'),
    after: response.headers.get('X-Next-After'),
  };
}

/** Sends the request; the parsed answer and the response, or throws an ApiError. */
async function send(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (cause) {
    throw new ApiError(0, ERROR_CODE.NETWORK, 'Cannot reach the server. Check your connection.', null);
  }
  const data = await readJson(response);
  if (!response.ok) {
    const code = data && typeof data.error === 'string' ? data.error : `http_${response.status}`;
    const message = data && typeof data.message === 'string' && data.message
      ? data.message
      : `Request failed (HTTP ${response.status})`;
    const error = new ApiError(response.status, code, message, data);
    error.where = `${method} ${path}`;
    throw error;
  }
  return { data, response };
}

/** Parses a response body as JSON; null when empty or not JSON. */
async function readJson(response) {
  if (response.status === 204) return null;
  let text = '';
  try {
    text = await response.text();
  } catch {
    return null;
  }
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export const api = {
  get: (path) => request('GET', path),
  post: (path, body) => request('POST', path, body),
  put: (path, body) => request('PUT', path, body),
  patch: (path, body) => request('PATCH', path, body),
  del: (path) => request('DELETE', path),
};
