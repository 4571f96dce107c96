// Calls to the analytics API with the key the user typed.
//
// The key lives in this module's variable and nowhere else: not in a URL (it would end up in
// history, logs and Referer headers), not in localStorage, sessionStorage or a cookie (another
// user of the browser, or a script, could read it later). A reload forgets it, by design.

let apiKey = null;
// Bumped whenever the key changes, so an answer asked for with a previous key is dropped instead
// of being shown to whoever holds the page now.
let session = 0;
let onUnauthorized = () => {};

export class ApiError extends Error {
  constructor(status, title, detail, parameter) {
    super(detail || title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.parameter = parameter;
  }
}

/** Thrown for an answer that arrived after the key changed: callers ignore it. */
export class StaleAnswer extends Error {}

export function useKey(key) {
  apiKey = key;
  session++;
}

export function forgetKey() {
  apiKey = null;
  session++;
}

export function hasKey() {
  return apiKey !== null;
}

/** Called once per 401, after the key is forgotten. */
export function whenUnauthorized(callback) {
  onUnauthorized = callback;
}

/** The query string of the parameters that have a value. */
export function queryString(params) {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && String(value).trim() !== '') {
      q.append(name, String(value).trim());
    }
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

/**
 * The JSON answer of GET path?params. Rejects with an ApiError carrying the problem's detail
 * (RFC 9457), or a StaleAnswer when the key changed meanwhile.
 */
export async function getJson(path, params) {
  if (apiKey === null) {
    throw new ApiError(401, 'Unauthorized', 'enter an API key');
  }
  const asked = session;
  let response;
  try {
    response = await fetch(path + queryString(params), {
      headers: { 'X-API-Key': apiKey, 'Accept': 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch (e) {
    if (asked !== session) throw new StaleAnswer();
    throw new ApiError(0, 'Network error', 'the analytics API did not answer (' + e.message + ')');
  }
  if (asked !== session) {
    throw new StaleAnswer();
  }
  if (response.ok) {
    return response.json();
  }
  let problem = {};
  try {
    problem = await response.json();
  } catch (e) {
    // Not a problem document (a proxy's error page, say): the status says enough.
  }
  const error = new ApiError(response.status, problem.title || response.statusText,
      problem.detail || ('HTTP ' + response.status), problem.parameter);
  if (response.status === 401 && asked === session) {
    forgetKey();
    onUnauthorized(error);
  }
  throw error;
}
