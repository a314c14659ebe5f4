/**
 * What the fake RBM platform knows: phones (reachability, options, features), agent messages, agent events, files
 * and used ids, with change notification for the sandbox page. No HTTP and no webhook here.
 */
import { RBM_FEATURES } from './features.js';
import type {
  PhoneInfo,
  PhoneOptions,
  PhoneState,
  StoredAgentEvent,
  StoredFile,
  StoredMessage,
} from './types.js';

/** How long a typing indicator shows without a new IS_TYPING (RBM: about 20 s, or until the next message). */
export const TYPING_INDICATOR_MS = 20_000;

export interface StateDefaults {
  readonly defaultPhoneState?: PhoneState;
  readonly defaultFeatures?: readonly string[];
}

/** RBM keys ids per agent, case-insensitively; messages and events share one namespace. */
function idKey(agentId: string, id: string): string {
  return `${agentId}\u0000${id.toLowerCase()}`;
}

export class FakeRbmState {
  private readonly phoneStates = new Map<string, PhoneState>();
  private readonly phoneOptions = new Map<string, PhoneOptions>();
  private readonly phoneFeatures = new Map<string, readonly string[]>();
  private readonly messagesById = new Map<string, StoredMessage>();
  private readonly eventsById = new Map<string, StoredAgentEvent>();
  private readonly eventLog: StoredAgentEvent[] = [];
  private readonly fileLog: StoredFile[] = [];
  private readonly capabilityRequestIds = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private readonly typingTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly defaults: StateDefaults,
    private readonly now: () => number = Date.now,
  ) {}

  phoneState(phone: string): PhoneState {
    return this.phoneStates.get(phone) ?? this.defaults.defaultPhoneState ?? 'reachable';
  }

  featuresOf(phone: string): readonly string[] {
    return this.phoneFeatures.get(phone) ?? this.defaults.defaultFeatures ?? RBM_FEATURES;
  }

  ownOptions(phone: string): PhoneOptions | undefined {
    return this.phoneOptions.get(phone);
  }

  /** Records the phone's state and options (replacing earlier options; features kept unless given). */
  setPhone(phone: string, state: PhoneState, options: PhoneOptions | undefined): void {
    this.phoneStates.set(phone, state);
    if (options) this.phoneOptions.set(phone, options);
    if (options?.features === null) this.phoneFeatures.delete(phone);
    else if (options?.features !== undefined) this.phoneFeatures.set(phone, [...options.features]);
  }

  /** Phones given a state, then phones that got messages, in first-seen order. */
  phones(): PhoneInfo[] {
    const seen = [
      ...this.phoneStates.keys(),
      ...[...this.messagesById.values()].map((message) => message.phone),
    ];
    return [...new Set(seen)].map((phone) => ({
      phone,
      state: this.phoneState(phone),
      options: this.phoneOptions.get(phone) ?? {},
      features: this.featuresOf(phone),
    }));
  }

  /** RBM's original answer when this agent already used `id` for a message or an event. */
  originalAnswerFor(agentId: string, id: string): unknown {
    const key = idKey(agentId, id);
    return this.messagesById.get(key)?.response ?? this.eventsById.get(key)?.response;
  }

  /** `agentId` is the one the call named, which keys the id namespace. */
  addMessage(agentId: string, message: StoredMessage): void {
    this.messagesById.set(idKey(agentId, message.messageId), message);
  }

  /** An agent's message or revocation, looked up by the caller's id alone. */
  messageForAgent(agentId: string, messageId: string): StoredMessage | undefined {
    return this.messagesById.get(idKey(agentId, messageId));
  }

  findMessage(messageId: string): StoredMessage | undefined {
    const wanted = messageId.toLowerCase();
    return [...this.messagesById.values()].find((message) => message.messageId.toLowerCase() === wanted);
  }

  messages(): StoredMessage[] {
    return [...this.messagesById.values()];
  }

  addAgentEvent(agentId: string, event: StoredAgentEvent): void {
    this.eventsById.set(idKey(agentId, event.eventId), event);
    this.eventLog.push(event);
    if (event.eventType === 'IS_TYPING') this.notifyWhenTypingLapses();
  }

  agentEvents(phone?: string): StoredAgentEvent[] {
    return this.eventLog.filter((event) => phone === undefined || event.phone === phone);
  }

  readByAgentAt(userMessageId: string): Date | undefined {
    return this.eventLog.find((event) => event.eventType === 'READ' && event.messageId === userMessageId)
      ?.createdAt;
  }

  isTyping(phone: string): boolean {
    const typing = this.eventLog.findLast(
      (event) => event.phone === phone && event.eventType === 'IS_TYPING',
    );
    if (!typing || this.now() - typing.createdAt.getTime() >= TYPING_INDICATOR_MS) return false;
    return ![...this.messagesById.values()].some(
      (message) => message.phone === phone && message.createdAt >= typing.createdAt,
    );
  }

  addFile(file: StoredFile): void {
    this.fileLog.push(file);
  }

  files(): StoredFile[] {
    return [...this.fileLog];
  }

  /** False when the agent already used this capability request id. */
  claimCapabilityRequestId(agentId: string, requestId: string): boolean {
    const key = idKey(agentId, requestId);
    if (this.capabilityRequestIds.has(key)) return false;
    this.capabilityRequestIds.add(key);
    return true;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  changed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // a listener's failure is its own business
      }
    }
  }

  /** Forgets everything but the listeners. */
  reset(): void {
    this.phoneStates.clear();
    this.phoneOptions.clear();
    this.phoneFeatures.clear();
    this.messagesById.clear();
    this.eventsById.clear();
    this.eventLog.length = 0;
    this.fileLog.length = 0;
    this.capabilityRequestIds.clear();
    this.dispose();
  }

  /** Stops pending typing-lapse notifications. */
  dispose(): void {
    for (const timer of this.typingTimers) clearTimeout(timer);
    this.typingTimers.clear();
  }

  /** The page shows the indicator from isTyping(); tell it when that turns false by itself. */
  private notifyWhenTypingLapses(): void {
    const timer = setTimeout(() => {
      this.typingTimers.delete(timer);
      this.changed();
    }, TYPING_INDICATOR_MS);
    timer.unref();
    this.typingTimers.add(timer);
  }
}
