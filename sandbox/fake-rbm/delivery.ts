/**
 * The life of an accepted agent message on the fake platform: delivery (at once, or when an offline phone comes
 * online), read, TTL expiry (revoked, or a revoke that fails), a revoke that loses the race with a delivery, and
 * the webhook callbacks each of those sends. A message whose outcome was dropped takes no further part in any of it.
 */
import { deliveredEvent, readEvent, ttlRevokedEvent, ttlRevokeFailedEvent } from './payloads.js';
import type { InboundPayload } from './payloads.js';
import type { FakeRbmState } from './state.js';
import type { AutoEvents, StoredMessage } from './types.js';
import type { WebhookSender } from './webhook-sender.js';

export interface DeliverySettings {
  readonly autoDeliver?: boolean;
  readonly autoEvents?: AutoEvents;
}

export class MessageDelivery {
  private autoDeliver: boolean;
  private autoEvents: AutoEvents | undefined;

  constructor(
    private readonly state: FakeRbmState,
    private readonly sender: WebhookSender,
    private readonly initial: DeliverySettings,
  ) {
    this.autoDeliver = initial.autoDeliver ?? true;
    this.autoEvents = initial.autoEvents;
  }

  setAutoDeliver(value: boolean): void {
    this.autoDeliver = value;
  }

  setAutoEvents(value: AutoEvents | undefined): void {
    this.autoEvents = value;
  }

  /** Back to the settings the server started with. */
  reset(): void {
    this.autoDeliver = this.initial.autoDeliver ?? true;
    this.autoEvents = this.initial.autoEvents;
  }

  /** A message was just accepted for a reachable phone. */
  accepted(message: StoredMessage): void {
    if (!message.outcomeDropped && this.deliversAtOnce(message.phone)) this.deliverNow(message);
  }

  /** The phone came online: its queue is delivered (or left pending when it does not deliver at once). */
  phoneOnline(phone: string): void {
    for (const message of this.state.messages()) {
      if (message.phone !== phone || message.state !== 'queued' || message.outcomeDropped) continue;
      if (this.deliversAtOnce(phone)) this.deliverNow(message);
      else message.state = 'pending';
    }
  }

  async markDelivered(message: StoredMessage, callback?: boolean): Promise<void> {
    if (message.outcomeDropped || message.state === 'delivered' || message.state === 'read') return;
    message.state = 'delivered';
    this.state.changed();
    await this.emit(deliveredEvent(eventBase(message)), callback);
  }

  async markRead(message: StoredMessage, callback?: boolean): Promise<void> {
    if (message.outcomeDropped || message.state === 'read') return;
    await this.markDelivered(message, callback);
    message.state = 'read';
    this.state.changed();
    await this.emit(readEvent(eventBase(message)), callback);
  }

  async expire(message: StoredMessage, callback?: boolean, revokeFails = false): Promise<void> {
    if (message.outcomeDropped) return;
    if (!revokeFails && isWaiting(message)) {
      message.state = 'expired';
      this.state.changed();
      await this.emit(ttlRevokedEvent(eventBase(message)), callback);
    } else {
      await this.emit(ttlRevokeFailedEvent(eventBase(message)), callback);
    }
  }

  /** Only a message still waiting for the phone can lose its outcome: one delivered already has had it. */
  dropOutcome(message: StoredMessage): boolean {
    if (!isWaiting(message)) return false;
    message.outcomeDropped = true;
    this.state.changed();
    return true;
  }

  /** Marks a waiting message so that its next revoke loses the race with its delivery. */
  raceRevoke(message: StoredMessage): boolean {
    if (message.outcomeDropped || !isWaiting(message)) return false;
    message.revokeRace = true;
    return true;
  }

  /**
   * A revoke of a message marked by raceRevoke: the answer will say revoked, but the delivery was already on its
   * way. Consumes the mark; true when the revoke lost the race (the message is now delivered).
   */
  revokeLosesRace(message: StoredMessage): boolean {
    if (message.revokeRace !== true) return false;
    delete message.revokeRace;
    if (message.outcomeDropped || !isWaiting(message)) return false;
    this.deliverNow(message);
    return true;
  }

  private deliversAtOnce(phone: string): boolean {
    return this.state.ownOptions(phone)?.autoDeliver ?? this.autoDeliver;
  }

  private deliverNow(message: StoredMessage): void {
    message.state = 'delivered';
    this.state.changed();
    this.afterDelivery(message);
  }

  private emit(payload: InboundPayload, wanted: boolean | undefined): Promise<unknown> {
    return wanted !== false && this.sender.configured() ? this.sender.send(payload) : Promise.resolve();
  }

  /** The automatic DELIVERED / READ callbacks, in the background (tracked for callbacksSettled). */
  private afterDelivery(message: StoredMessage): void {
    const own = this.state.ownOptions(message.phone)?.autoEvents;
    const events = own === undefined ? this.autoEvents : (own ?? undefined);
    if (!events || !this.sender.configured() || (!events.deliver && !events.read)) return;
    const sender = this.sender;
    const wait = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, events.delayMs ?? 0));
    const base = eventBase(message);
    const sendDelivered = (): Promise<unknown> =>
      events.deliver ? sender.send(deliveredEvent(base)) : Promise.resolve();
    const sendRead = (): Promise<unknown> => {
      if (!events.read) return Promise.resolve();
      message.state = 'read';
      this.state.changed();
      return sender.send(readEvent(base));
    };
    const run = async (): Promise<void> => {
      await wait();
      if (sender.currentChaos().reorder) {
        await sendRead();
        await wait();
        await sendDelivered();
      } else {
        await sendDelivered();
        await wait();
        await sendRead();
      }
    };
    void sender.track(run().catch(() => undefined));
  }
}

function isWaiting(message: StoredMessage): boolean {
  return message.state === 'pending' || message.state === 'queued';
}

function eventBase(message: StoredMessage): { phone: string; messageId: string; agentId: string } {
  return { phone: message.phone, messageId: message.messageId, agentId: message.agentId };
}
