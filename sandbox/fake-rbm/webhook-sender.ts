/**
 * The fake RBM platform's side of the webhook: POSTs signed callbacks to a webhook URL, retries when it does not
 * answer 200 (when asked to), and on demand duplicates, delays, reorders or holds them back.
 */
import { signedCallback } from './payloads.js';
import type { EnvelopeOptions, InboundPayload, WebhookEnvelope } from './payloads.js';
import { SIGNATURE_HEADER } from './signature.js';

export interface WebhookTarget {
  readonly url: string;
  readonly clientToken: string;
}

export interface CallbackChaos {
  /** Extra copies of every callback: an integer ≥ 1 sends that many more; a fraction in (0, 1) is the
   * probability of one extra copy. Copies carry the same envelope (as a redelivery would) and go out concurrently. */
  readonly duplicate?: number;
  /** Send each callback (and copy) after a random delay within `reorderWindowMs`, so later ones can overtake
   * earlier ones; automatic DELIVERED/READ pairs are also sent READ first. */
  readonly reorder?: boolean;
  readonly reorderWindowMs?: number;
  /** A fixed delay before every callback. */
  readonly delayMs?: number;
}

export interface CallbackRetries {
  /** Total attempts per callback, the first included. 1 = no retry. */
  readonly maxAttempts: number;
  /** Delay before the first retry; doubles each time. */
  readonly backoffMs: number;
}

export interface CallbackAttempt {
  /** HTTP status, or 0 when the request failed without an answer. */
  readonly status: number;
  readonly body: string;
  readonly at: Date;
}

export interface CallbackRecord {
  readonly payload: InboundPayload | Readonly<Record<string, unknown>>;
  readonly envelope: WebhookEnvelope;
  /** 0 for the original, 1.. for chaos duplicates. */
  readonly copy: number;
  readonly attempts: CallbackAttempt[];
}

export interface CallbackResult {
  /** Final status of the original (after retries); 0 when it never got an answer. */
  readonly status: number;
  readonly body: string;
  readonly attempts: number;
  /** How many requests were sent for it, duplicates included (retries not counted). */
  readonly copies: number;
}

export interface CallbackOptions extends EnvelopeOptions {
  /** Sign with this token instead of the configured one. */
  readonly clientToken?: string;
  /** Send this signature header value instead of the right one; `null` sends none. */
  readonly signature?: string | null;
  /** Sign the data, then change one byte of `message.data` (a tampered envelope). */
  readonly tamperData?: boolean;
}

export type ReleaseOrder = 'fifo' | 'reverse' | 'shuffle';

interface HeldCallback {
  readonly run: () => Promise<CallbackResult>;
  readonly resolve: (result: CallbackResult) => void;
  readonly reject: (error: unknown) => void;
}

const REQUEST_TIMEOUT_MS = 30_000;

export class WebhookSender {
  /** Every callback request sent, in the order they were started. */
  readonly records: CallbackRecord[] = [];
  private target: WebhookTarget | undefined;
  private chaos: CallbackChaos = {};
  private retries: CallbackRetries = { maxAttempts: 1, backoffMs: 50 };
  private readonly inFlight = new Set<Promise<unknown>>();
  private held: HeldCallback[] | undefined;

  configure(target: WebhookTarget | undefined): void {
    this.target = target;
  }

  configured(): WebhookTarget | undefined {
    return this.target;
  }

  setChaos(chaos: CallbackChaos): void {
    this.chaos = { ...chaos };
  }

  currentChaos(): CallbackChaos {
    return this.chaos;
  }

  setRetries(retries: CallbackRetries): void {
    if (!Number.isInteger(retries.maxAttempts) || retries.maxAttempts < 1) {
      throw new Error('maxAttempts must be an integer ≥ 1');
    }
    this.retries = { ...retries };
  }

  /** Queue callbacks instead of sending them, until `release()`. */
  hold(): void {
    this.held ??= [];
  }

  /** Send everything held, in the given order, concurrently. */
  release(order: ReleaseOrder = 'fifo'): void {
    const held = this.held ?? [];
    this.held = undefined;
    const ordered = order === 'reverse' ? [...held].reverse() : order === 'shuffle' ? shuffled(held) : held;
    for (const item of ordered) item.run().then(item.resolve, item.reject);
  }

  /** Sends one payload to the configured webhook, with chaos and retries as configured. */
  send(
    payload: InboundPayload | Readonly<Record<string, unknown>>,
    options: CallbackOptions = {},
  ): Promise<CallbackResult> {
    const target = this.target;
    if (target === undefined) {
      return Promise.reject(
        new Error('no webhook configured: call configureWebhook({ url, clientToken }) first'),
      );
    }
    const run = (): Promise<CallbackResult> => this.sendNow(target, payload, options);
    const promise = this.held
      ? new Promise<CallbackResult>((resolve, reject) => this.held?.push({ run, resolve, reject }))
      : run();
    return this.track(promise);
  }

  /** Resolves once no callback is in flight or held. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** POSTs the verification handshake `{clientToken, secret}`. */
  async handshake(
    secret: string,
    clientToken: string | undefined = this.target?.clientToken,
  ): Promise<{ status: number; body: string }> {
    const target = this.target;
    if (target === undefined) throw new Error('no webhook configured');
    const response = await fetch(target.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ clientToken, secret }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return { status: response.status, body: await response.text() };
  }

  track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    const forget = (): void => {
      this.inFlight.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  }

  private async sendNow(
    target: WebhookTarget,
    payload: InboundPayload | Readonly<Record<string, unknown>>,
    options: CallbackOptions,
  ): Promise<CallbackResult> {
    const signed = signedCallback(payload, options.clientToken ?? target.clientToken, options);
    let body = signed.body;
    if (options.tamperData) {
      const tampered = Buffer.from(signed.data);
      tampered[0] = (tampered[0] ?? 0) ^ 0x01;
      body = JSON.stringify({
        ...signed.envelope,
        message: { ...signed.envelope.message, data: tampered.toString('base64') },
      });
    }
    const headers: Record<string, string> = { ...signed.headers };
    if (options.signature !== undefined) {
      delete headers[SIGNATURE_HEADER];
      if (options.signature !== null) headers[SIGNATURE_HEADER] = options.signature;
    }
    const copies = 1 + duplicateCount(this.chaos.duplicate);
    const sends = Array.from({ length: copies }, (_, copy) => {
      const record: CallbackRecord = { payload, envelope: signed.envelope, copy, attempts: [] };
      return this.deliverWithRetries(target.url, body, headers, record);
    });
    const [original] = await Promise.all(sends);
    if (original === undefined) throw new Error('unreachable: no original callback');
    return { ...original, copies };
  }

  private async deliverWithRetries(
    url: string,
    body: string,
    headers: Readonly<Record<string, string>>,
    record: CallbackRecord,
  ): Promise<Omit<CallbackResult, 'copies'>> {
    const delayMs =
      (this.chaos.delayMs ?? 0) +
      (this.chaos.reorder ? Math.random() * (this.chaos.reorderWindowMs ?? 100) : 0);
    if (delayMs > 0) await delay(delayMs);
    this.records.push(record);
    const { maxAttempts, backoffMs } = this.retries;
    for (let attempt = 1; ; attempt++) {
      const outcome = await post(url, body, headers);
      record.attempts.push({ ...outcome, at: new Date() });
      if (outcome.status === 200 || attempt >= maxAttempts) {
        return { status: outcome.status, body: outcome.body, attempts: attempt };
      }
      await delay(backoffMs * 2 ** (attempt - 1));
    }
  }
}

async function post(
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
): Promise<{ status: number; body: string }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return { status: 0, body: error instanceof Error ? error.message : String(error) };
  }
}

function duplicateCount(duplicate: number | undefined): number {
  if (duplicate === undefined || duplicate <= 0) return 0;
  if (duplicate < 1) return Math.random() < duplicate ? 1 : 0;
  return Math.floor(duplicate);
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const a = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = a;
  }
  return copy;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
