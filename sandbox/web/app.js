/* The sandbox page: renders GET /sandbox/api/state, re-reads it on every server-sent `changed` event, and acts
 * as each phone's user through the POST routes (dom.js, content.js, messages.js, phone.js). */
/* global document, window, fetch, EventSource */
import { API, act, post, showError } from './dom.js';
import { createColumn, renderPhone } from './phone.js';
import './campaign.js';

const columns = new Map();

function render(state) {
  document.getElementById('agent-id').textContent = state.agentId;
  const container = document.getElementById('phones');
  const wanted = new Set(state.phones.map((view) => view.phone));
  for (const [phone, column] of columns) {
    if (!wanted.has(phone)) {
      column.root.remove();
      columns.delete(phone);
    }
  }
  container.querySelector('.empty')?.toggleAttribute('hidden', state.phones.length > 0);
  for (const view of state.phones) {
    let column = columns.get(view.phone);
    if (!column) {
      column = createColumn(view.phone);
      columns.set(view.phone, column);
      container.append(column.root);
    }
    renderPhone(column, view, state);
  }
  document.body.dataset.version = String(Number(document.body.dataset.version ?? 0) + 1);
}

/* ---- live updates ---- */

let refreshing = false;
let again = false;
async function refresh() {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  try {
    do {
      again = false;
      const response = await fetch(`${API}/state`, { cache: 'no-store' });
      if (!response.ok) throw new Error(`state: HTTP ${response.status}`);
      render(await response.json());
    } while (again);
  } catch (error) {
    showError(error instanceof Error ? error.message : String(error));
  } finally {
    refreshing = false;
  }
}

function connect() {
  const indicator = document.getElementById('connection');
  const events = new EventSource(`${API}/events`);
  events.addEventListener('open', () => {
    indicator.textContent = 'live';
    indicator.classList.add('live');
  });
  events.addEventListener('changed', () => void refresh());
  events.addEventListener('error', () => {
    indicator.textContent = 'reconnecting…';
    indicator.classList.remove('live');
  });
}

document.getElementById('add-phone').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  const data = Object.fromEntries(new window.FormData(form).entries());
  act(post('/phones', data).then(() => form.reset()));
});

connect();
void refresh();
