/* Small DOM and API helpers shared by the page's modules. Text is always set with textContent, never as HTML. */
/* global document, fetch, setTimeout, clearTimeout */

export const API = '/sandbox/api';

/** h('div', {class: 'x', onclick: fn}, 'text', child) — strings become text nodes. */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/** `10:04:31` in the browser's time zone; '' for anything that is not a time. */
export function clock(iso) {
  if (typeof iso !== 'string') return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString([], { hour12: false });
}

let errorTimer;
export function showError(message) {
  const banner = document.getElementById('error');
  banner.textContent = message;
  banner.hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => {
    banner.hidden = true;
  }, 6000);
}

export async function post(path, body) {
  const response = await fetch(`${API}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer?.error?.message ?? `HTTP ${response.status}`);
  return answer;
}

/** Runs a request started by a click; a failure shows in the error banner. */
export function act(promise) {
  promise.catch((error) => showError(error instanceof Error ? error.message : String(error)));
}

export const phonePath = (phone) => `/phones/${encodeURIComponent(phone)}`;

/** A small secondary button that posts to `path` when clicked. */
export function actionButton(label, path, attributes = {}) {
  return h(
    'button',
    { type: 'button', class: 'secondary', ...attributes, onclick: () => act(post(path)) },
    label,
  );
}
