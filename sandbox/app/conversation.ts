/**
 * Builds the page's view (view-model.ts) from the fake RBM's phones, messages and agent events, the users'
 * messages sent from the sandbox, and the backend's records.
 */
import { RBM_FEATURES } from '../fake-rbm/index.js';
import type { AutoEvents, FakeRbm } from '../fake-rbm/index.js';
import type { BackendRecords } from './backend-records.js';
import { consentView, messageOutcome } from './record-views.js';
import type { SentUserMessage } from './user-actions.js';
import { modeOf } from './view-model.js';
import type {
  AgentItem,
  BackendRecord,
  ConversationItem,
  PhoneView,
  SandboxState,
  UserItem,
} from './view-model.js';

export interface ConversationSources {
  readonly rbm: FakeRbm;
  readonly agentId: string;
  readonly userMessages: () => readonly SentUserMessage[];
  readonly backend: BackendRecords | undefined;
  /** The server-wide automatic events, for phones without options of their own. */
  readonly defaultAutoEvents: AutoEvents | undefined;
}

/** Agent messages RBM refused (e.g. 404 for an unreachable phone): they were never stored by the fake. */
function rejectedAgentItems(rbm: FakeRbm): PhoneAgentItem[] {
  const stored = new Set(rbm.messages().map((message) => message.messageId.toLowerCase()));
  const items = new Map<string, PhoneAgentItem>();
  for (const call of rbm.creates()) {
    const status = call.status ?? 0;
    if (status < 400 || status >= 500 || call.phone === undefined || call.messageId === undefined) continue;
    if (stored.has(call.messageId.toLowerCase())) continue;
    const body = call.body as { contentMessage?: unknown } | undefined;
    items.set(call.messageId, {
      phone: call.phone,
      item: {
        from: 'agent',
        messageId: call.messageId,
        time: call.at.toISOString(),
        contentMessage: body?.contentMessage ?? null,
        phoneState: 'rejected',
        outcomeDropped: false,
      },
    });
  }
  return [...items.values()];
}

interface PhoneAgentItem {
  readonly phone: string;
  readonly item: Omit<AgentItem, 'backend' | 'outcome'>;
}

export async function sandboxState(sources: ConversationSources): Promise<SandboxState> {
  const { rbm, backend } = sources;
  const accepted = rbm.messages().map((message): PhoneAgentItem => ({
    phone: message.phone,
    item: {
      from: 'agent',
      messageId: message.messageId,
      time: message.createdAt.toISOString(),
      contentMessage: message.request.contentMessage ?? null,
      phoneState: message.state,
      outcomeDropped: message.outcomeDropped === true,
    },
  }));
  const agentItems = [...accepted, ...rejectedAgentItems(rbm)];
  const userMessages = sources.userMessages();
  const known = rbm.phones();
  const phones = [
    ...new Set([
      ...known.map((info) => info.phone),
      ...agentItems.map(({ phone }) => phone),
      ...userMessages.map(({ phone }) => phone),
    ]),
  ];
  const [records, stored, consents] = backend
    ? await Promise.all([
        backend.agentMessages(agentItems.map(({ item }) => item.messageId)),
        backend.storedUserMessages(userMessages.map((message) => message.messageId)),
        backend.consents(phones),
      ])
    : [new Map<string, BackendRecord>(), undefined, undefined];

  const byPhone = new Map<string, ConversationItem[]>();
  const add = (phone: string, item: ConversationItem): void => {
    const list = byPhone.get(phone) ?? [];
    list.push(item);
    byPhone.set(phone, list);
  };
  for (const { phone, item } of agentItems) {
    const record = records.get(item.messageId) ?? null;
    add(phone, { ...item, backend: record, outcome: messageOutcome(record) });
  }
  for (const message of userMessages) {
    const item: UserItem = {
      from: 'user',
      messageId: message.messageId,
      time: message.time,
      content: message.content,
      webhookStatus: message.webhookStatus,
      stored: stored ? stored.has(message.messageId) : null,
      readByAgentAt: rbm.readByAgentAt(message.messageId)?.toISOString() ?? null,
    };
    add(message.phone, item);
  }

  const views: PhoneView[] = phones.map((phone) => {
    const info = known.find((candidate) => candidate.phone === phone);
    return {
      phone,
      state: info?.state ?? 'reachable',
      mode: modeOf(info?.options ?? {}, sources.defaultAutoEvents),
      features: info?.features ?? RBM_FEATURES,
      typing: rbm.isTyping(phone),
      consent: consents ? consentView(consents.get(phone)) : null,
      conversation: (byPhone.get(phone) ?? []).sort((a, b) => a.time.localeCompare(b.time)),
    };
  });
  return {
    agentId: sources.agentId,
    backendConnected: backend !== undefined,
    knownFeatures: RBM_FEATURES,
    phones: views,
  };
}
