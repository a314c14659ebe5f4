/* The campaign panel: starts a campaign to generated sandbox phones (POST /sandbox/api/campaigns), then polls its
 * document every second while it is SCHEDULED or RUNNING, showing its counts by state and a progress bar, and
 * offers Cancel. */
/* global document, window, fetch, setTimeout, clearTimeout */
import { API, act, h, post, showError } from './dom.js';

const POLL_MS = 1000;
const ACTIVE_STATES = new Set(['SCHEDULED', 'RUNNING']);
const COUNT_ORDER = [
  'NOT_DISPATCHED',
  'PENDING',
  'SENT',
  'DELIVERED',
  'READ',
  'FAILED',
  'EXPIRED',
  'REVOKED',
];

const panel = document.getElementById('campaign-progress');
const part = (role) => panel.querySelector(`[data-role=${role}]`);
const cancelButton = panel.querySelector('[data-action=cancel-campaign]');
let current;
let pollTimer;

const campaignPath = (id) => `/campaigns/${encodeURIComponent(id)}`;

async function readCampaign(id) {
  const response = await fetch(`${API}${campaignPath(id)}`, { cache: 'no-store' });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer?.error?.message ?? `campaign: HTTP ${response.status}`);
  return answer;
}

/** Known states first, in pipeline order, then any the function adds later. */
function orderedCounts(counts) {
  const names = [...COUNT_ORDER, ...Object.keys(counts).filter((name) => !COUNT_ORDER.includes(name))];
  return names.filter((name) => name in counts).map((name) => [name, counts[name]]);
}

function render(campaign) {
  panel.hidden = false;
  panel.dataset.campaignId = campaign.campaignId;
  part('campaign-id').textContent = `Campaign ${campaign.campaignId}`;
  const state = part('campaign-state');
  state.textContent = campaign.state;
  state.dataset.state = campaign.state;
  const counts = campaign.counts ?? {};
  const total = campaign.recipientCount ?? 0;
  const dispatched = total - (counts.NOT_DISPATCHED ?? total);
  const bar = part('campaign-bar');
  bar.max = Math.max(total, 1);
  bar.value = dispatched;
  part('campaign-done').textContent = `${dispatched} / ${total} dispatched`;
  part('campaign-counts').replaceChildren(
    ...orderedCounts(counts).map(([name, count]) =>
      h('li', { 'data-count': name, 'data-zero': count === 0 }, `${name} ${count}`),
    ),
  );
  cancelButton.hidden = !ACTIVE_STATES.has(campaign.state);
}

async function poll() {
  clearTimeout(pollTimer);
  const id = current;
  try {
    const campaign = await readCampaign(id);
    if (id !== current) return;
    render(campaign);
    if (ACTIVE_STATES.has(campaign.state)) pollTimer = setTimeout(() => void poll(), POLL_MS);
  } catch (error) {
    showError(error instanceof Error ? error.message : String(error));
    if (id === current) pollTimer = setTimeout(() => void poll(), POLL_MS);
  }
}

function follow(id) {
  current = id;
  void poll();
}

document.getElementById('start-campaign').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  const button = form.querySelector('button[type=submit]');
  const data = new window.FormData(form);
  button.disabled = true;
  act(
    post('/campaigns', { count: Number(data.get('count')), ratePerSecond: Number(data.get('ratePerSecond')) })
      .then((answer) => {
        render({ ...answer.campaign, counts: { NOT_DISPATCHED: answer.campaign.recipientCount } });
        follow(answer.campaign.campaignId);
      })
      .finally(() => {
        button.disabled = false;
      }),
  );
});

cancelButton.addEventListener('click', () => {
  const id = current;
  if (id === undefined) return;
  act(post(`${campaignPath(id)}:cancel`).then(() => follow(id)));
});
