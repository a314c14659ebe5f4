/* One conversation item: an agent message with the backend's outcome (state history, fallback decision) and the
 * platform-side actions, a user message with its receipt, or the agent's typing indicator. */
import { actionButton, clock, h } from './dom.js';
import { contentElements } from './content.js';

const PHONE_STATE_TEXT = {
  pending: 'on its way',
  queued: 'queued: phone offline',
  delivered: 'delivered to phone',
  read: 'read on phone',
  revoked: 'revoked before delivery',
  expired: 'expired before delivery',
  rejected: 'rejected by RBM',
};

/** What the sandbox can make the platform do to a message, by the phone's state of it. */
function platformActions(item) {
  if (item.outcomeDropped)
    return [h('span', { class: 'dropped', 'data-role': 'dropped' }, 'outcome dropped')];
  const path = (action) => `/agentMessages/${encodeURIComponent(item.messageId)}/${action}`;
  const waiting = item.phoneState === 'pending' || item.phoneState === 'queued';
  return [
    item.phoneState === 'pending' && actionButton('Deliver', path('deliver')),
    (item.phoneState === 'pending' || item.phoneState === 'delivered') &&
      actionButton('Mark read', path('read'), { class: 'secondary mark-read' }),
    waiting &&
      actionButton('Expire (TTL)', path('expire'), {
        'data-action': 'expire',
        title: 'RBM revokes it at its TTL: TTL_EXPIRATION_REVOKED',
      }),
    waiting &&
      actionButton('TTL revoke fails', path('expire-revoke-fails'), {
        'data-action': 'expire-revoke-fails',
        title:
          'Its TTL passes but RBM cannot revoke it: TTL_EXPIRATION_REVOKE_FAILED; it may still be delivered',
      }),
    waiting &&
      actionButton('Drop outcome', path('drop-outcome'), {
        'data-action': 'drop-outcome',
        title: 'Never delivered, and no event of it ever comes',
      }),
  ];
}

function fallbackBadge(outcome) {
  const decision = outcome?.fallback;
  if (!decision) return undefined;
  const policy = `policy ${outcome.fallbackPolicy ?? 'none'}`;
  const classes = ['fallback', decision.certainty];
  if (!decision.published) classes.push('unpublished');
  if (decision.deliveredAfter) classes.push('delivered-after');
  return h(
    'span',
    {
      class: classes.join(' '),
      'data-role': 'fallback',
      'data-reason': decision.reason,
      'data-certainty': decision.certainty,
      'data-published': String(decision.published),
      title: `Fallback decision, decided ${clock(decision.decidedAt)}; ${decision.published ? 'published' : 'not published'} (${policy})`,
    },
    `fallback: ${decision.reason} · ${decision.certainty}`,
    decision.deliveredAfter
      ? h('strong', { 'data-role': 'delivered-after' }, ' · delivered after!')
      : undefined,
  );
}

function history(outcome) {
  if (!outcome || outcome.history.length === 0) return undefined;
  return h(
    'ol',
    { class: 'history', 'data-role': 'history', title: 'the record’s history (Firestore)' },
    outcome.history.map((entry) =>
      h(
        'li',
        { class: `entry-${entry.kind}`, 'data-label': entry.label },
        `${entry.label} ${clock(entry.at)}`,
      ),
    ),
  );
}

export function agentItem(item, phone, backendConnected) {
  const gone = ['revoked', 'expired', 'rejected'].includes(item.phoneState);
  const record = item.backend;
  const outcome = item.outcome;
  const state = record?.state ?? (backendConnected ? 'no record' : 'backend not connected');
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
      outcome?.errorReason ? h('span', { class: 'reason' }, outcome.errorReason) : undefined,
      outcome?.revokeFailed && !outcome.fallback
        ? h('span', { class: 'revoke-failed', 'data-role': 'revoke-failed' }, 'revoke failed')
        : undefined,
      fallbackBadge(outcome),
      platformActions(item),
      history(outcome),
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

export function userItem(item) {
  const tapped = item.content.suggestionResponse;
  const stored = item.stored === null ? undefined : item.stored ? 'stored ✓' : 'not stored yet';
  return h(
    'div',
    { class: 'item user', 'data-message-id': item.messageId },
    h('div', { class: 'bubble' }, userContentText(item.content)),
    item.readByAgentAt
      ? h(
          'span',
          {
            class: 'receipt',
            'data-role': 'read-by-agent',
            title: `read by the agent at ${clock(item.readByAgentAt)}`,
          },
          'Read',
        )
      : undefined,
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

/** The three bouncing dots the phone shows while the agent is typing. */
export function typingItem() {
  return h(
    'div',
    { class: 'item agent typing', 'data-role': 'typing', 'aria-label': 'the agent is typing' },
    h(
      'div',
      { class: 'bubble' },
      h('span', { class: 'dot' }),
      h('span', { class: 'dot' }),
      h('span', { class: 'dot' }),
    ),
  );
}
