/* A phone column: header, reachability and delivery mode, consent (Unsubscribe / Subscribe as Google Messages
 * offers them), the capabilities panel, the conversation and the composer. Built once, then updated in place. */
/* global document */
import { act, clock, h, phonePath, post } from './dom.js';
import { agentItem, typingItem, userItem } from './messages.js';

const SAMPLE_LOCATION = { latitude: 37.422, longitude: -122.0841 };
export const MODE_LABELS = {
  'auto-read': 'auto deliver + read',
  'auto-deliver': 'auto deliver, read by hand',
  manual: 'all by hand',
  'drop-outcomes': 'drops every outcome',
};
export const STATE_LABELS = { reachable: 'online', offline: 'offline', unreachable: 'not on RCS (404)' };
/** How the consent last changed: `consents/{E.164}.source`. */
const CONSENT_SOURCES = { EVENT: 'tap', KEYWORD: 'keyword', API: 'API' };

function select(options, label, onChange) {
  return h(
    'select',
    { 'aria-label': label, onchange: (event) => onChange(event.target.value) },
    Object.entries(options).map(([value, text]) => h('option', { value }, text)),
  );
}

function consentBar(phone) {
  const status = h('span', { class: 'consent-status', 'data-role': 'consent' });
  const button = (choice, label) =>
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'data-action': choice,
        title: `The user taps ${label}: the phone sends ${choice === 'unsubscribe' ? 'STOP' : 'START'} and RBM sends ${choice.toUpperCase()}`,
        onclick: () => act(post(`${phonePath(phone)}/${choice}`)),
      },
      label,
    );
  const unsubscribe = button('unsubscribe', 'Unsubscribe');
  const subscribe = button('subscribe', 'Subscribe');
  return {
    root: h('div', { class: 'consent' }, status, unsubscribe, subscribe),
    status,
    unsubscribe,
    subscribe,
  };
}

function renderConsent(bar, consent) {
  bar.root.hidden = consent === null;
  if (consent === null) return;
  bar.status.dataset.subscribed = String(consent.subscribed);
  const how = consent.source
    ? h(
        'span',
        { class: 'detail' },
        ` · by ${CONSENT_SOURCES[consent.source] ?? consent.source} ${clock(consent.changedAt)}`,
      )
    : undefined;
  bar.status.replaceChildren(h('strong', {}, consent.subscribed ? 'subscribed' : 'unsubscribed'), how ?? '');
  bar.unsubscribe.hidden = !consent.subscribed;
  bar.subscribe.hidden = consent.subscribed;
}

/** The features getCapabilities reports for the phone, one checkbox each; a change sets the whole list. */
function capabilitiesPanel(phone) {
  const list = h('div', { class: 'feature-list' });
  const summary = h('summary', {});
  const root = h('details', { class: 'capabilities', 'data-role': 'capabilities' }, summary, list);
  const boxes = new Map();
  const checked = () => [...boxes].filter(([, box]) => box.checked).map(([feature]) => feature);
  const render = (view, knownFeatures) => {
    summary.textContent = `Capabilities: ${view.features.length} feature${view.features.length === 1 ? '' : 's'}`;
    for (const feature of [...knownFeatures, ...view.features]) {
      if (boxes.has(feature)) continue;
      const box = h('input', {
        type: 'checkbox',
        value: feature,
        onchange: () => act(post(phonePath(phone), { features: checked() })),
      });
      boxes.set(feature, box);
      list.append(h('label', {}, box, feature));
    }
    const has = new Set(view.features);
    for (const [feature, box] of boxes) box.checked = has.has(feature);
  };
  return { root, render };
}

export function createColumn(phone) {
  const pill = h('span', { class: 'pill' });
  const stateSelect = select(STATE_LABELS, 'phone state', (state) => act(post(phonePath(phone), { state })));
  const modeSelect = select(MODE_LABELS, 'delivery mode', (mode) => act(post(phonePath(phone), { mode })));
  const consent = consentBar(phone);
  const capabilities = capabilitiesPanel(phone);
  const conversation = h('div', { class: 'conversation' });
  const agentName = h('span', { class: 'agent-name' });
  const input = h('input', {
    placeholder: 'Reply as the user…',
    'aria-label': 'reply text',
    maxlength: '3072',
  });
  const sendReply = () => {
    const text = input.value.trim();
    if (text === '') return;
    input.value = '';
    act(post(`${phonePath(phone)}/reply`, { text }));
  };
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') sendReply();
  });
  const root = h(
    'section',
    { class: 'phone', 'data-phone': phone },
    h(
      'div',
      { class: 'phone-header' },
      h('div', { class: 'avatar' }, phone.slice(-2)),
      h('div', { class: 'phone-title' }, h('strong', {}, phone), agentName),
      pill,
    ),
    h('div', { class: 'phone-controls' }, stateSelect, modeSelect),
    consent.root,
    capabilities.root,
    conversation,
    h(
      'div',
      { class: 'composer' },
      h(
        'button',
        {
          type: 'button',
          class: 'secondary icon-button',
          title: 'Share a location',
          'aria-label': 'share location',
          onclick: () => act(post(`${phonePath(phone)}/location`, SAMPLE_LOCATION)),
        },
        h('img', { class: 'icon', src: 'media/pin.svg', alt: '' }),
      ),
      input,
      h('button', { type: 'button', class: 'send', onclick: sendReply }, 'Send'),
    ),
  );
  return { root, pill, stateSelect, modeSelect, consent, capabilities, conversation, agentName };
}

export function renderPhone(column, view, state) {
  column.pill.className = `pill ${view.state}`;
  column.pill.textContent = STATE_LABELS[view.state] ?? view.state;
  if (document.activeElement !== column.stateSelect) column.stateSelect.value = view.state;
  if (document.activeElement !== column.modeSelect) column.modeSelect.value = view.mode;
  column.agentName.textContent = `with ${state.agentId}`;
  renderConsent(column.consent, view.consent);
  column.capabilities.render(view, state.knownFeatures);
  const list = column.conversation;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren(
    ...view.conversation.map((item) =>
      item.from === 'agent' ? agentItem(item, view.phone, state.backendConnected) : userItem(item),
    ),
    ...(view.typing ? [typingItem()] : []),
  );
  if (atBottom) list.scrollTop = list.scrollHeight;
}
