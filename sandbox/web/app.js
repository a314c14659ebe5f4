/* The sandbox page: renders GET /sandbox/api/state, re-reads it on every server-sent `changed` event, and acts
 * as each phone's user through the POST routes. Plain DOM: text is always set with textContent, never as HTML. */
/* global document, window, fetch, EventSource, setTimeout, clearTimeout */

const API = '/sandbox/api';
const SAMPLE_LOCATION = { latitude: 37.422, longitude: -122.0841 };
const ACTION_KINDS = {
  dialAction: 'call',
  viewLocationAction: 'map',
  shareLocationAction: 'share location',
  createCalendarEventAction: 'calendar',
  openUrlAction: 'open URL',
  composeAction: 'compose',
};
const MODE_LABELS = {
  'auto-read': 'auto deliver + read',
  'auto-deliver': 'auto deliver, read by hand',
  manual: 'all by hand',
};
const STATE_LABELS = { reachable: 'online', offline: 'offline', unreachable: 'not on RCS (404)' };
const PHONE_STATE_TEXT = {
  pending: 'on its way',
  queued: 'queued: phone offline',
  delivered: 'delivered to phone',
  read: 'read on phone',
  revoked: 'revoked before delivery',
  expired: 'expired before delivery',
  rejected: 'rejected by RBM',
};
const TIMELINE = [
  ['createdAt', 'created'],
  ['sentAt', 'sent'],
  ['deliveredAt', 'delivered'],
  ['readAt', 'read'],
  ['revokedAt', 'revoked'],
  ['expiredAt', 'expired'],
  ['failedAt', 'failed'],
];

/** h('div', {class: 'x', onclick: fn}, 'text', child) — strings become text nodes. */
function h(tag, attributes, ...children) {
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

function clock(iso) {
  if (typeof iso !== 'string') return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString([], { hour12: false });
}

function lastDigits(phone) {
  return phone.slice(-2);
}

let errorTimer;
function showError(message) {
  const banner = document.getElementById('error');
  banner.textContent = message;
  banner.hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => {
    banner.hidden = true;
  }, 6000);
}

async function post(path, body) {
  const response = await fetch(`${API}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer?.error?.message ?? `HTTP ${response.status}`);
  return answer;
}

function act(promise) {
  promise.catch((error) => showError(error instanceof Error ? error.message : String(error)));
}

const phonePath = (phone) => `/phones/${encodeURIComponent(phone)}`;

/* ---- content rendering ---- */

function chipOf(suggestion) {
  if (suggestion?.reply) {
    return {
      text: suggestion.reply.text ?? '',
      postbackData: suggestion.reply.postbackData ?? '',
      type: 'REPLY',
    };
  }
  if (suggestion?.action) {
    const kind = Object.keys(ACTION_KINDS).find((key) => key in suggestion.action);
    return {
      text: suggestion.action.text ?? '',
      postbackData: suggestion.action.postbackData ?? '',
      type: 'ACTION',
      action: kind ? ACTION_KINDS[kind] : 'action',
    };
  }
  return undefined;
}

function chipButton(phone, messageId, suggestion, enabled) {
  const chip = chipOf(suggestion);
  if (!chip) return undefined;
  return h(
    'button',
    {
      type: 'button',
      class: 'chip',
      'data-postback': chip.postbackData,
      'data-type': chip.type,
      disabled: !enabled,
      title: `${chip.type === 'REPLY' ? 'Suggested reply' : `Suggested action (${chip.action})`} · postbackData: ${chip.postbackData}`,
      onclick: () =>
        act(
          post(`${phonePath(phone)}/suggestion`, {
            postbackData: chip.postbackData,
            text: chip.text,
            type: chip.type,
            agentMessageId: messageId,
          }),
        ),
    },
    chip.type === 'ACTION' ? h('img', { class: 'icon', src: 'media/action.svg', alt: '' }) : undefined,
    chip.text,
  );
}

function mediaElement(media, className) {
  const info = media?.contentInfo;
  if (!info?.fileUrl && !info?.thumbnailUrl) return undefined;
  return h('img', {
    class: `media ${className}`,
    src: info.thumbnailUrl ?? info.fileUrl,
    alt: '',
    loading: 'lazy',
    referrerpolicy: 'no-referrer',
  });
}

function cardElement(content, options) {
  const height = String(content?.media?.height ?? 'MEDIUM').toLowerCase();
  const media = mediaElement(content?.media, height);
  const chips = (content?.suggestions ?? []).map((s) =>
    chipButton(options.phone, options.messageId, s, options.live),
  );
  const classes = ['card', options.horizontal ? 'horizontal' : '', options.width ?? ''].join(' ');
  return h(
    'div',
    { class: classes },
    options.horizontal && options.mediaRight ? undefined : media,
    h(
      'div',
      { class: 'card-text' },
      h(
        'div',
        { class: 'card-body' },
        content?.title ? h('p', { class: 'card-title' }, content.title) : undefined,
        content?.description ? h('p', { class: 'card-description' }, content.description) : undefined,
      ),
      chips.length > 0 ? h('div', { class: 'card-chips' }, chips) : undefined,
    ),
    options.horizontal && options.mediaRight ? media : undefined,
  );
}

function fileElement(info, fallbackName) {
  const url = info?.thumbnailUrl ?? info?.fileUrl;
  return h(
    'div',
    { class: 'file' },
    url ? h('img', { src: url, alt: '', referrerpolicy: 'no-referrer' }) : undefined,
    url ? undefined : `file: ${fallbackName}`,
  );
}

function contentElements(item, phone, live) {
  const message = item.contentMessage ?? {};
  const parts = [];
  const context = { phone, messageId: item.messageId, live };
  if (typeof message.text === 'string') parts.push(h('div', { class: 'bubble' }, message.text));
  const standalone = message.richCard?.standaloneCard;
  if (standalone) {
    parts.push(
      cardElement(standalone.cardContent, {
        ...context,
        horizontal: standalone.cardOrientation === 'HORIZONTAL',
        mediaRight: standalone.thumbnailImageAlignment === 'RIGHT',
      }),
    );
  }
  const carousel = message.richCard?.carouselCard;
  if (carousel) {
    const width = String(carousel.cardWidth ?? 'MEDIUM').toLowerCase();
    parts.push(
      h(
        'div',
        { class: 'carousel' },
        (carousel.cardContents ?? []).map((content) => cardElement(content, { ...context, width })),
      ),
    );
  }
  if (message.contentInfo) parts.push(fileElement(message.contentInfo, 'file'));
  if (message.uploadedRbmFile)
    parts.push(fileElement(undefined, message.uploadedRbmFile.fileName ?? 'uploaded file'));
  if (parts.length === 0) parts.push(h('div', { class: 'bubble' }, '(no content)'));
  const chips = (message.suggestions ?? []).map((s) => chipButton(phone, item.messageId, s, live));
  if (chips.length > 0) parts.push(h('div', { class: 'chips' }, chips));
  return parts;
}

/* ---- conversation items ---- */

function agentItem(item, phone, backendConnected) {
  const gone = ['revoked', 'expired', 'rejected'].includes(item.phoneState);
  const record = item.backend;
  const state = record?.state ?? (backendConnected ? 'no record' : 'backend not connected');
  const timeline = TIMELINE.filter(([field]) => record?.[field])
    .map(([field, label]) => `${label} ${clock(record[field])}`)
    .join(' → ');
  const buttons = [];
  if (item.phoneState === 'pending') {
    buttons.push(
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => act(post(`/agentMessages/${item.messageId}/deliver`)),
        },
        'Deliver',
      ),
    );
  }
  if (item.phoneState === 'pending' || item.phoneState === 'delivered') {
    buttons.push(
      h(
        'button',
        {
          type: 'button',
          class: 'secondary mark-read',
          onclick: () => act(post(`/agentMessages/${item.messageId}/read`)),
        },
        'Mark read',
      ),
    );
  }
  if (item.phoneState === 'pending' || item.phoneState === 'queued') {
    buttons.push(
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => act(post(`/agentMessages/${item.messageId}/expire`)),
        },
        'Expire (TTL)',
      ),
    );
  }
  return h(
    'div',
    {
      class: `item agent${gone ? ' gone' : ''}`,
      'data-message-id': item.messageId,
      'data-phone-state': item.phoneState,
    },
    contentElements(item, phone, !gone),
    h(
      'div',
      { class: 'meta' },
      h('span', {}, `${clock(item.time)} · ${PHONE_STATE_TEXT[item.phoneState] ?? item.phoneState}`),
      h(
        'span',
        {
          class: `state ${record?.state ?? ''}`,
          'data-role': 'backend-state',
          title: 'state recorded by the backend (Firestore)',
        },
        state,
      ),
      buttons,
      timeline ? h('span', { class: 'timeline' }, timeline) : undefined,
    ),
  );
}

function userContentText(content) {
  if (typeof content.text === 'string') return content.text;
  if (content.location) {
    return `Shared location ${content.location.latitude.toFixed(4)}, ${content.location.longitude.toFixed(4)}`;
  }
  if (content.suggestionResponse)
    return content.suggestionResponse.text ?? content.suggestionResponse.postbackData;
  return '(message)';
}

function userItem(item) {
  const tapped = item.content.suggestionResponse;
  const stored = item.stored === null ? undefined : item.stored ? 'stored ✓' : 'not stored yet';
  return h(
    'div',
    { class: 'item user', 'data-message-id': item.messageId },
    h('div', { class: 'bubble' }, userContentText(item.content)),
    h(
      'div',
      { class: 'meta' },
      h(
        'span',
        {},
        [
          tapped ? `tapped ${tapped.type ?? 'suggestion'} "${tapped.postbackData}"` : undefined,
          clock(item.time),
          `webhook ${item.webhookStatus === 0 ? 'no answer' : item.webhookStatus}`,
          stored,
        ]
          .filter(Boolean)
          .join(' · '),
      ),
    ),
  );
}

/* ---- phone columns ---- */

const columns = new Map();

function select(options, onChange) {
  return h(
    'select',
    { onchange: (event) => onChange(event.target.value) },
    Object.entries(options).map(([value, label]) => h('option', { value }, label)),
  );
}

function createColumn(phone) {
  const pill = h('span', { class: 'pill' });
  const stateSelect = select(STATE_LABELS, (state) => act(post(phonePath(phone), { state })));
  stateSelect.setAttribute('aria-label', 'phone state');
  const modeSelect = select(MODE_LABELS, (mode) => act(post(phonePath(phone), { mode })));
  modeSelect.setAttribute('aria-label', 'delivery mode');
  const conversation = h('div', { class: 'conversation' });
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
      h('div', { class: 'avatar' }, lastDigits(phone)),
      h('div', { class: 'phone-title' }, h('strong', {}, phone), h('span', { class: 'agent-name' })),
      pill,
    ),
    h('div', { class: 'phone-controls' }, stateSelect, modeSelect),
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
  return { root, pill, stateSelect, modeSelect, conversation };
}

function renderPhone(column, view, state) {
  column.pill.className = `pill ${view.state}`;
  column.pill.textContent = STATE_LABELS[view.state] ?? view.state;
  if (document.activeElement !== column.stateSelect) column.stateSelect.value = view.state;
  if (document.activeElement !== column.modeSelect) column.modeSelect.value = view.mode;
  column.root.querySelector('.agent-name').textContent = `with ${state.agentId}`;
  const list = column.conversation;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.replaceChildren(
    ...view.conversation.map((item) =>
      item.from === 'agent' ? agentItem(item, view.phone, state.backendConnected) : userItem(item),
    ),
  );
  if (atBottom) list.scrollTop = list.scrollHeight;
}

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
